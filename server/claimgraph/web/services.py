"""What a request handler needs from the application, behind one typed accessor instead of string keys."""

from __future__ import annotations

import dataclasses
import threading

from flask import Flask, current_app

from claimgraph.config import Config
from claimgraph.model.catalog import CannedQuery
from claimgraph.store.base import Store
from claimgraph.search.query import SearchIndex

_KEY = "claimgraph"


@dataclasses.dataclass(frozen=True)
class Services:
    """The settings, the canned-query catalog, the store and the full-text index of one application.

    ``store`` is any :class:`~claimgraph.store.base.Store`; :func:`~claimgraph.web.app.create_app` gives the worker
    pool, and the index that follows it.
    """

    config: Config
    catalog: dict[str, CannedQuery]
    store: Store
    search: SearchIndex
    #: held by each write that reads the store first and decides from what it read (review imports, which match
    #: claims and mint IRIs; the Graph Store's 201 or 204): one at a time, so that none decides on a store another is
    #: changing. Other writers are refused the store while the server holds it, so one lock in this process suffices.
    deciding: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def install(app: Flask, services: Services) -> None:
    """Make ``services`` what :func:`services` returns while ``app`` handles a request."""
    app.extensions[_KEY] = services


def services() -> Services:
    """The services of the application handling the current request."""
    return current_app.extensions[_KEY]


def of(app: Flask) -> Services:
    """The services of ``app``, outside a request (e.g. to close the store when the server stops)."""
    return app.extensions[_KEY]
