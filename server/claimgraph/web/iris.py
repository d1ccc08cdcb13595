"""Where the dataset's IRIs are served: the one mapping between IRIs and this server's URLs.

An IRI below the ``iri_base`` setting is served at the same path below the service's root
(``https://w3id.org/claimgraph/id/claim/x`` at ``/id/claim/x``); any other IRI the store holds is
served by ``/resource?iri=<IRI>``.
"""

from __future__ import annotations

from flask import request, url_for

from claimgraph.web.services import services


def local_path(iri: str) -> str | None:
    """The path (below the service's root, fragment kept) that serves ``iri``, or ``None`` if ``iri`` is not below
    the IRI base."""
    base = services().config.iri_base
    if not iri.startswith(base) or len(iri) == len(base):
        return None
    return request.script_root + "/" + iri[len(base):]


def page_url(iri: str) -> str:
    """The URL of the page of ``iri`` on this server: its own path when it is below the IRI base, else
    ``/resource?iri=<IRI>``."""
    return local_path(iri) or url_for("resources.resource", iri=iri)


def iri_of(path: str) -> str:
    """The IRI that the path ``path`` (below the service's root, without a leading ``/``) serves."""
    return services().config.iri_base + path
