"""Writing RDF the way claimgraph writes it everywhere (HTTP answers, CLI output, dumps): Turtle and TriG with the
project's prefixes, JSON-LD compacted with the project's local context, every other format as pyoxigraph writes it.

pyoxigraph writes only expanded JSON-LD and refuses remote contexts; rdflib compacts with a context given as data.
The context is passed in (read by the caller from ``ontology/context.jsonld``), so this layer reads no files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from claimgraph.errors import NotAcceptable

#: Why a graph holding an RDF 1.2 triple term has no JSON-LD representation.
TRIPLE_TERMS = "JSON-LD cannot represent this answer: it holds RDF 1.2 triple terms; ask for Turtle, N-Triples or RDF/XML"

#: pyoxigraph's line-based formats, by the name rdflib gives them.
_RDFLIB_NAMES = {ox.RdfFormat.N_TRIPLES: "nt", ox.RdfFormat.N_QUADS: "nquads"}


def compact(data: bytes, format: ox.RdfFormat, context: Mapping[str, object]) -> bytes:
    """``data`` (N-Triples or N-Quads) as JSON-LD compacted with ``context`` (the value of a local ``@context``).

    N-Triples give one graph; from N-Quads, each named graph becomes an object with its ``@graph``.

    :raises ValueError: if ``format`` is neither N-Triples nor N-Quads (the caller's bug).
    :raises SyntaxError: if ``data`` does not parse (rdflib's ``BadSyntax`` is one).
    """
    if format not in _RDFLIB_NAMES:
        raise ValueError(f"JSON-LD is compacted from N-Triples or N-Quads, not {format}")
    graph = rdflib.Dataset() if format.supports_datasets else rdflib.Graph()
    graph.parse(data=data, format=_RDFLIB_NAMES[format])
    return graph.serialize(format="json-ld", context=dict(context), auto_compact=True).encode("utf-8")


def write(
    triples: Iterable[ox.Triple],
    output: BinaryIO,
    format: ox.RdfFormat,
    *,
    prefixes: Mapping[str, str] | None = None,
    context: Mapping[str, object] | None = None,
) -> None:
    """Write a graph (a CONSTRUCT or DESCRIBE result, a description) to ``output`` in ``format``: JSON-LD compacted
    with ``context`` when one is given.

    :raises NotAcceptable: if ``format`` is JSON-LD and the graph holds an RDF 1.2 triple term (``<<( s p o )>>``):
        JSON-LD 1.1 has no way to write one (pyoxigraph refuses, rdflib cannot read the N-Triples it would compact);
        nothing is written.
    :raises OSError: if ``output`` cannot be written.
    """
    if format == ox.RdfFormat.JSON_LD:
        triples = list(triples)
        if any(isinstance(triple.object, ox.Triple) for triple in triples):
            raise NotAcceptable(None, TRIPLE_TERMS)
        if context is not None:
            output.write(compact(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), ox.RdfFormat.N_TRIPLES, context))
            return
    ox.serialize(triples, output, format, prefixes=dict(prefixes or {}))
