"""Where the dataset's IRIs are served: the one mapping between IRIs and this server's URLs.

An IRI below the ``iri_base`` setting in one of the minted folders (:data:`FOLDERS`: ``id/``, ``graph/``,
``kind/``, ``unit/``) is served at the same path below the service's root
(``https://w3id.org/claimgraph/id/claim/x`` at ``/id/claim/x``), when that path gives the IRI back (no ``%``,
``?`` or ``#`` in it, no empty, ``.`` or ``..`` segment, no suffix naming a format); claimgraph's ontology
(:data:`~claimgraph.rdf.vocabulary.ONTOLOGY`, whatever the IRI base) and its terms at ``/ontology``
(``/ontology#Term``, the term's anchor on the ontology page); any other IRI the store holds is served by
``/resource?iri=<IRI>``. Only ``http`` and ``https`` IRIs are ever linked as they are (:func:`external`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import request, url_for

from claimgraph.rdf import formats, vocabulary
from claimgraph.web.services import services

#: The folders below the IRI base whose IRIs are served at their own path, each by the resources blueprint.
FOLDERS = ("id", "graph", "kind", "unit")
#: What a resource is answered in: a page for browsers (the default for ``*/*``), else an RDF graph.
OFFERS = [formats.HTML, *formats.RDF_MEDIA_TYPES]
#: The URL suffixes that choose a representation (``.ttl``, ``.jsonld``, ``.html``, …): a path ending in one is
#: read as the resource without it, so an IRI ending so has no path of its own.
SUFFIXES = frozenset(formats.names(OFFERS))
#: The path of the ontology's page (its terms are anchors on it: ``/ontology#Claim``).
ONTOLOGY = "ontology"
#: A path segment that comes back from the route as it was sent: no percent-escape (the route decodes it), no query
#: or fragment, no white space.
_SEGMENT = re.compile(r"[^%?#\s]+")


def term_name(iri: str) -> str | None:
    """The local name of an ontology term (``Claim`` for ``cg:Claim``), the ``id`` of its anchor on the ontology
    page; ``None`` if ``iri`` is no term of the ontology."""
    return iri[len(vocabulary.CG):] or None if iri.startswith(vocabulary.CG) else None


def _round_trips(name: str) -> bool:
    """Whether the path ``name`` (below a folder) reaches the route as the same text, and as no other resource in a
    format (``x.ttl`` is the Turtle of ``x``)."""
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and suffix in SUFFIXES:
        return False
    return all(segment not in (".", "..") and _SEGMENT.fullmatch(segment) for segment in name.split("/"))


def local_path(iri: str) -> str | None:
    """The path (below the service's root, fragment kept) that serves ``iri``, or ``None`` if no route of this
    server serves it at its own path (it is not below the IRI base, or not in a folder of :data:`FOLDERS`, or not
    the ontology or one of its terms)."""
    if iri == vocabulary.ONTOLOGY or term_name(iri):
        return f"{request.script_root}/{ONTOLOGY}{iri[len(vocabulary.ONTOLOGY):]}"
    base = services().config.iri_base
    if not iri.startswith(base):
        return None
    rest = iri[len(base):]
    folder, slash, name = rest.partition("/")
    return request.script_root + "/" + rest if folder in FOLDERS and slash and _round_trips(name) else None


def page_url(iri: str) -> str:
    """The URL of the page of ``iri`` on this server: its own path when it has one (:func:`local_path`), else
    ``/resource?iri=<IRI>``."""
    return local_path(iri) or url_for("resources.resource", iri=iri)


def external(iri: str) -> str | None:
    """``iri`` when a page may link to it as it is (an ``http`` or ``https`` IRI), else ``None``: an IRI from the
    data such as ``javascript:…`` must never become a link."""
    return iri if urlsplit(iri).scheme.lower() in ("http", "https") else None


def iri_of(path: str) -> str:
    """The IRI that the path ``path`` (below the service's root, without a leading ``/``) serves."""
    return services().config.iri_base + path
