"""Writing RDF for people and tools: prefixes for Turtle and TriG, JSON-LD compacted with the project's context."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from claimgraph.model.dataset import context, prefixes
from claimgraph.store.base import Store


def export(store: Store, output: BinaryIO, format: ox.RdfFormat, ontology_dir: Path) -> None:
    """Write every quad of ``store`` to ``output``; formats without named graphs get the union of all graphs.

    :raises OSError: if ``output`` cannot be written.
    :raises claimgraph.errors.DataError: if the JSON-LD context cannot be read.
    """
    if format != ox.RdfFormat.JSON_LD:
        store.dump(output, format, prefixes=prefixes(ontology_dir))
        return
    nquads = io.BytesIO()
    store.dump(nquads, ox.RdfFormat.N_QUADS)
    output.write(_compacted(nquads.getvalue(), "nquads", ontology_dir))


def write_triples(triples: Iterable[ox.Triple], output: BinaryIO, format: ox.RdfFormat, ontology_dir: Path) -> None:
    """Write a graph (a CONSTRUCT or DESCRIBE result) the way :func:`export` writes a store.

    :raises OSError: if ``output`` cannot be written.
    """
    if format != ox.RdfFormat.JSON_LD:
        ox.serialize(triples, output, format, prefixes=prefixes(ontology_dir))
        return
    output.write(_compacted(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), "nt", ontology_dir))


def _compacted(data: bytes, rdflib_format: str, ontology_dir: Path) -> bytes:
    """JSON-LD compacted with the project's context; pyoxigraph writes only expanded JSON-LD."""
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=rdflib_format)
    return dataset.serialize(format="json-ld", context=context(ontology_dir), auto_compact=True).encode("utf-8")
