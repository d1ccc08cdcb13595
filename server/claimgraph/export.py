"""Exports of the whole store in any RDF format, readable: prefixes for Turtle and TriG, a compacted JSON-LD."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import rdflib

from claimgraph.dataset import context, prefixes
from claimgraph.store import Store


def export(store: Store, output: BinaryIO, format: ox.RdfFormat, ontology_dir: Path) -> None:
    """Write every quad of ``store`` to ``output``.

    JSON-LD is compacted with the project's context (pyoxigraph writes only expanded JSON-LD);
    formats without named graphs get the union of all graphs.
    """
    if format != ox.RdfFormat.JSON_LD:
        store.dump(output, format, prefixes=prefixes(ontology_dir))
        return
    nquads = io.BytesIO()
    store.dump(nquads, ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads.getvalue(), format="nquads")
    output.write(dataset.serialize(format="json-ld", context=context(ontology_dir), auto_compact=True).encode("utf-8"))
