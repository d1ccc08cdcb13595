"""The query editor (YASGUI on the ``/sparql`` page): what the page hands to ``editor.js``, the query it opens with,
and the labels its result table shows.

The page carries its settings in ``data-`` attributes (the Content-Security-Policy allows no inline script). YASGUI's
prefix autocompleter reads the dataset's prefixes from this server (``/prefixes``), never from a public web service;
the result table names the IRIs of a result set with one request to ``/labels``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from flask import url_for

from claimgraph.errors import ParamError
from claimgraph.web import answers, headers, terms
from claimgraph.web.services import services

#: The ``<style>`` elements that YASGUI's result table adds at run time (its column resizer: the grips' rules when a
#: table is drawn, the resize cursor while a column is dragged), by the SHA-256 of their text. The site's policy
#: allows no inline style; the editor page allows these two and no other. Recompute them when ``static/yasgui/`` is
#: updated (its README says how).
YASGUI_STYLE_HASHES = (
    "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
    "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=",
)
#: The editor page's Content-Security-Policy: the site's (:data:`claimgraph.web.headers.CONTENT_SECURITY_POLICY`), and
#: ``<style>`` elements from this server or of :data:`YASGUI_STYLE_HASHES`. Style attributes stay refused.
CONTENT_SECURITY_POLICY = "; ".join((
    headers.CONTENT_SECURITY_POLICY,
    " ".join(("style-src-elem 'self'", *(f"'{digest}'" for digest in YASGUI_STYLE_HASHES))),
))

#: The most distinct IRIs one ``/labels`` request may name; the editor sends at most this many of a result set.
MAX_LABELS = 2000


def settings() -> dict[str, str]:
    """The ``data-`` attributes of the editor: the endpoint, the URLs of ``/prefixes``, ``/labels`` and
    ``/resource``, and the most IRIs ``/labels`` takes."""
    return {
        "endpoint": url_for("sparql.query"),
        "prefixes-url": url_for("sparql.prefixes"),
        "labels-url": url_for("sparql.labels"),
        "labels-max": str(MAX_LABELS),
        "resource-url": url_for("resources.resource"),
    }


def default_query() -> str:
    """The query the editor opens with: every prefix of the dataset declared, and the first claims with their text."""
    declared = "".join(f"PREFIX {name}: {ox.NamedNode(iri)}\n" for name, iri in services().store.prefixes.items())
    return declared + "\nSELECT ?claim ?text WHERE {\n  ?claim a cg:Claim ; schema:text ?text .\n}\nLIMIT 10\n"


def labels(iris: Iterable[ox.NamedNode]) -> dict[str, str]:
    """The label of each of ``iris`` that has one, IRI → label: the label every page shows
    (:func:`claimgraph.web.terms.labels`).

    :raises ParamError: (naming ``iri``) for more than :data:`MAX_LABELS` distinct IRIs.
    :raises QueryTimeout, Busy, StoreError: as the store's queries do.
    """
    wanted = set(iris)
    if len(wanted) > MAX_LABELS:
        raise ParamError("iri", f"{len(wanted)} distinct IRIs given; at most {MAX_LABELS} are labelled per request")
    return terms.labels(answers.store(), wanted)
