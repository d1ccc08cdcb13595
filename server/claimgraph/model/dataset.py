"""The curated files as RDF: the ontology in its own graph, every data file's named graphs, and the shapes.

Files are parsed with pyoxigraph, whose syntax errors carry file, line and column; nothing
here touches a store, so a file that fails to parse changes nothing anywhere.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Collection
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import DataError
from claimgraph.rdf import vocabulary

ONTOLOGY_GRAPH = ox.NamedNode(vocabulary.ONTOLOGY)
ONTOLOGY_FILE = "claimgraph.ttl"
SHAPES_FILE = "shapes.ttl"
CONTEXT_FILE = "context.jsonld"


@dataclasses.dataclass(frozen=True)
class Curated:
    """Everything read from the curated files."""

    quads: list[ox.Quad]
    shapes: list[ox.Quad]
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


def read(ontology_dir: Path, data_dir: Path, exclude: Collection[Path] = ()) -> Curated:
    """Parse the ontology, the shapes, the JSON-LD context and every ``*.trig`` file below ``data_dir`` except those
    of ``exclude`` (the files a compile is about to replace).

    :raises DataError: if a file is missing or does not parse, or if a data file has triples
        outside a named graph (every data triple belongs to a source's graph or a shared one).
    """
    context(ontology_dir)
    quads = [ox.Quad(q.subject, q.predicate, q.object, ONTOLOGY_GRAPH) for q in _parse(ontology_dir / ONTOLOGY_FILE)]
    shapes = _parse(ontology_dir / SHAPES_FILE)
    excluded = {path.resolve() for path in exclude}
    data_files = sorted(path for path in data_dir.rglob("*.trig") if path.resolve() not in excluded)
    if not data_files:
        raise DataError(f"{data_dir}: no data files (*.trig) found")
    for path in data_files:
        parsed = _parse(path)
        loose = next((quad for quad in parsed if quad.graph_name == ox.DefaultGraph()), None)
        if loose is not None:
            raise DataError(f"{path}: triple outside a named graph: {loose.triple}")
        quads.extend(parsed)
    return Curated(quads=quads, shapes=shapes, ontology_dir=ontology_dir, data_dir=data_dir)


@functools.cache
def context(ontology_dir: Path) -> dict:
    """The project's JSON-LD context (the value of ``@context`` in ``context.jsonld``).

    :raises DataError: if the file is missing, not JSON, or has no ``@context`` object.
    """
    path = ontology_dir / CONTEXT_FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8"))["@context"]
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise DataError(f"{path}:{error.lineno}:{error.colno}: {error.msg}") from error
    except (KeyError, TypeError) as error:
        raise DataError(f"{path}: no @context object") from error
    if not isinstance(found, dict):
        raise DataError(f"{path}: @context must be an object")
    return found


def prefixes(ontology_dir: Path) -> dict[str, str]:
    """The namespace prefixes of the JSON-LD context, for readable Turtle and tables.

    :raises DataError: as :func:`context`.
    """
    return {name: iri for name, iri in context(ontology_dir).items() if isinstance(iri, str) and iri.endswith(("#", "/"))}


def sparql_prefixes(ontology_dir: Path) -> str:
    """The prefixes of :func:`prefixes` as SPARQL ``PREFIX`` declarations."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes(ontology_dir).items())


def compact(iri: str, namespaces: dict[str, str]) -> str:
    """``iri`` as ``prefix:local`` when a namespace of ``namespaces`` covers it, else ``<iri>``."""
    for prefix, namespace in namespaces.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _parse(path: Path) -> list[ox.Quad]:
    """Parse one Turtle or TriG file; blank nodes are renamed so that files never share one by accident."""
    try:
        with path.open("rb") as file:
            return list(ox.parse(file, ox.RdfFormat.from_extension(path.suffix[1:]), rename_blank_nodes=True))
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror}") from error
    except SyntaxError as error:
        where = f"{path}:{error.lineno}:{error.offset}" if error.lineno else str(path)
        raise DataError(f"{where}: {error.msg}") from error
