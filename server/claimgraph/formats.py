"""The formats claimgraph reads and writes, by the short names users type.

One table for RDF serializations and one for SPARQL result formats; every other module asks
here instead of naming formats itself.
"""

from __future__ import annotations

import pyoxigraph as ox

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
