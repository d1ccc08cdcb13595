"""The formats claimgraph reads and writes, by the short names users type.

One table for RDF serializations and one for SPARQL result formats; every other module asks
here instead of naming formats itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def rdf_format(name: str) -> ox.RdfFormat:
    """The RDF format called ``name`` (a key of :data:`RDF_FORMATS`, or a file extension such as ``ttl``).

    :raises ValueError: naming the formats there are, if ``name`` is none of them.
    """
    if name in RDF_FORMATS:
        return RDF_FORMATS[name]
    found = ox.RdfFormat.from_extension(name)
    if found is None or found not in RDF_FORMATS.values():
        raise ValueError(f"unknown RDF format {name!r}; use one of: {', '.join(RDF_FORMATS)}")
    return found


def result_format(name: str) -> ox.QueryResultsFormat:
    """The SPARQL results format called ``name`` (a key of :data:`RESULT_FORMATS`).

    :raises ValueError: naming the formats there are, if ``name`` is none of them.
    """
    if name not in RESULT_FORMATS:
        raise ValueError(f"unknown results format {name!r}; use one of: {', '.join(RESULT_FORMATS)}")
    return RESULT_FORMATS[name]


#: Media types of SPARQL results (SELECT, ASK) the service offers, the default first.
RESULT_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}

#: Media types of RDF graphs (CONSTRUCT, DESCRIBE, graph downloads) the service offers, the default first.
RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    # Loose names clients send for graphs (pyoxigraph's RdfFormat.from_media_type reads them so too); last, so
    # that a wildcard never picks them.
    "application/json": ox.RdfFormat.JSON_LD,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}

HTML = "text/html"
PROBLEM_JSON = "application/problem+json"

#: What ``format=`` and URL suffixes may name, each with the media types it stands for, tried in order.
SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/ld+json", "application/json"),
    "srj": ("application/sparql-results+json",),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "srx": ("application/sparql-results+xml",),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "ntriples": ("application/n-triples",),
    "nt": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "rdfxml": ("application/rdf+xml",),
    "rdf": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "nquads": ("application/n-quads",),
    "nq": ("application/n-quads",),
    "trig": ("application/trig",),
    "html": (HTML,),
}


def known(name: str) -> bool:
    """Whether ``name`` is a short name of :data:`SHORT_NAMES` or a media type the service offers."""
    name = name.lower()
    return name in SHORT_NAMES or name in RESULT_MEDIA_TYPES or name in RDF_MEDIA_TYPES or name == HTML


def _without_utf8(accept: MIMEAccept) -> MIMEAccept:
    """``accept`` with ``charset=utf-8`` dropped from its media ranges: every text the service sends is UTF-8."""
    ranges = []
    for value, quality in accept:
        kept = [part for part in value.split(";") if part.strip().lower().replace(" ", "") not in ("charset=utf-8", "charset=utf8")]
        ranges.append((";".join(kept).strip(), quality))
    return MIMEAccept(ranges)


def negotiate(accept: MIMEAccept, offers: Sequence[str], override: str | None = None) -> str | None:
    """The media type to answer with: the one ``override`` names, else the best of ``offers`` for ``accept``.

    ``override`` is the value of a ``format=`` parameter or a URL suffix: a short name from
    :data:`SHORT_NAMES` or a media type. With no Accept header the first offer is chosen; wildcards,
    q-values and specificity are weighed by werkzeug's :class:`MIMEAccept`; ``charset=utf-8`` in a
    range is ignored (every answer is UTF-8), other parameters must match.

    :returns: ``None`` when the client accepts none of ``offers`` (answer 406).
    :raises ValueError: if ``override`` names no format among ``offers``; the message lists the ones there are.
    """
    if override is not None:
        for media_type in SHORT_NAMES.get(override.lower(), (override.lower(),)):
            if media_type in offers:
                return media_type
        names = sorted({name for name, types in SHORT_NAMES.items() if set(types) & set(offers)})
        raise ValueError(f"unknown or unsuitable format {override!r} here; use one of: {', '.join(names)}")
    if not accept.provided:
        return offers[0]
    return _without_utf8(accept).best_match(offers)
