"""The curated files as RDF quads: the ontology in its own graph, and every data file's named graphs.

Files are parsed with pyoxigraph, whose syntax errors carry file, line and column; nothing
here touches a store, so a file that fails to parse changes nothing anywhere.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pyoxigraph as ox

ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/claimgraph/ontology")
ONTOLOGY_FILE = "claimgraph.ttl"
SHAPES_FILE = "shapes.ttl"
CONTEXT_FILE = "context.jsonld"


class DataError(ValueError):
    """A curated file is missing, unreadable or not valid RDF; the message names the file and position."""


@dataclasses.dataclass(frozen=True)
class Curated:
    """Everything read from the curated files."""

    quads: list[ox.Quad]
    ontology_dir: Path
    data_dir: Path

    @property
    def graphs(self) -> set[ox.NamedNode]:
        """The named graphs the files fill."""
        return {quad.graph_name for quad in self.quads}

    def store(self) -> ox.Store:
        """An in-memory store holding the quads, for checks that are easiest as SPARQL."""
        store = ox.Store()
        store.extend(self.quads)
        return store


def read(ontology_dir: Path, data_dir: Path) -> Curated:
    """Parse the ontology and every ``*.trig`` file below ``data_dir``.

    :raises DataError: if a file is missing or does not parse, or if a data file has triples
        outside a named graph (every data triple belongs to a source's graph or a shared one).
    """
    quads = _parse(ontology_dir / ONTOLOGY_FILE, ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    data_files = sorted(data_dir.rglob("*.trig"))
    if not data_files:
        raise DataError(f"{data_dir}: no data files (*.trig) found")
    for path in data_files:
        parsed = _parse(path, ox.RdfFormat.TRIG)
        loose = next((quad for quad in parsed if quad.graph_name == ox.DefaultGraph()), None)
        if loose is not None:
            raise DataError(f"{path}: triple outside a named graph: {loose.triple}")
        quads.extend(parsed)
    return Curated(quads=quads, ontology_dir=ontology_dir, data_dir=data_dir)


def context(ontology_dir: Path) -> dict:
    """The project's JSON-LD context (the value of ``@context`` in ``context.jsonld``)."""
    return json.loads((ontology_dir / CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]


def prefixes(ontology_dir: Path) -> dict[str, str]:
    """The namespace prefixes of the JSON-LD context, for readable Turtle and tables."""
    return {name: iri for name, iri in context(ontology_dir).items() if isinstance(iri, str) and iri.endswith(("#", "/"))}


def compact(iri: str, namespaces: dict[str, str]) -> str:
    """``iri`` as ``prefix:local`` when a namespace of ``namespaces`` covers it, else ``<iri>``."""
    for prefix, namespace in namespaces.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _parse(path: Path, format: ox.RdfFormat, to_graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    """Parse one file; blank nodes are renamed so that files never share one by accident."""
    try:
        with path.open("rb") as file:
            quads = list(ox.parse(file, format, rename_blank_nodes=True))
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror}") from error
    except SyntaxError as error:
        where = f"{path}:{error.lineno}:{error.offset}" if error.lineno else str(path)
        raise DataError(f"{where}: {error.msg}") from error
    if to_graph is None:
        return quads
    return [ox.Quad(quad.subject, quad.predicate, quad.object, to_graph) for quad in quads]
