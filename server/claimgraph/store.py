"""The store behind claimgraph: one interface, with the embedded on-disk Oxigraph store as its first implementation.

Everything above this module (CLI, and later the HTTP service) speaks to :class:`Store`, never to
pyoxigraph's store directly, so that a remote SPARQL 1.1 endpoint can take the embedded store's place.
Queries see the union of all named graphs as their default graph.
"""

from __future__ import annotations

import abc
import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class StoreError(RuntimeError):
    """The store cannot be opened or used (missing, locked, unreadable)."""


@dataclasses.dataclass(frozen=True)
class Stats:
    """What a store holds: quads per named graph, and instances per class over the union of graphs."""

    graphs: dict[str, int]
    classes: dict[str, int]

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())


def insert_data(quads: Iterable[ox.Quad]) -> str:
    """A SPARQL ``INSERT DATA`` of ``quads``, each term written by pyoxigraph in N-Triples syntax (never pasted text).

    Terms SPARQL 1.1 cannot write (RDF 1.2 triple terms) make the update fail to parse, changing nothing.
    """
    by_graph: dict[ox.NamedNode | ox.DefaultGraph, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name].append(quad)
    blocks = []
    for graph, graph_quads in by_graph.items():
        triples = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in graph_quads)
        blocks.append(triples if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{\n{triples}\n}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


class Store(abc.ABC):
    """A quad store that answers SPARQL 1.1 queries and updates."""

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
        default_graph: Sequence[ox.NamedNode | ox.DefaultGraph] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        union_default_graph: bool = True,
    ) -> QueryResult:
        """Run a SPARQL query over ``default_graph`` and ``named_graphs``.

        When neither is given, the default graph is the union of the named graphs (or, with
        ``union_default_graph`` false, the dataset the query's FROM / FROM NAMED name) and every
        named graph can be queried; otherwise the dataset is the one given (an absent part is empty).

        :raises SyntaxError: if the query does not parse.
        """

    @abc.abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL update atomically: all of it is applied, or nothing.

        :raises SyntaxError: if the update does not parse.
        """

    @abc.abstractmethod
    def dump(self, output: BinaryIO, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Write every quad; formats without named graphs get the union of all graphs as triples.

        :raises OSError: if ``output`` cannot be written.
        """

    def replace_graphs(self, quads: Iterable[ox.Quad]) -> None:
        """Make each named graph that ``quads`` mention hold exactly those quads, in one atomic update.

        Other graphs are left as they are, so loading the same quads twice gives the same store
        (up to blank node names). The update is built from terms written by pyoxigraph in N-Triples
        syntax, never from text pasted together.

        :raises ValueError: if a quad is not in a named graph.
        :raises SyntaxError: if a term cannot be written in SPARQL (an RDF 1.2 triple term); nothing is changed.
        """
        quads = list(quads)
        for quad in quads:
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise ValueError(f"quad not in a named graph: {quad}")
        graphs = {quad.graph_name for quad in quads}
        self.update(" ;\n".join([*(f"DROP SILENT GRAPH {graph}" for graph in graphs), insert_data(quads)]))

    def is_empty(self) -> bool:
        """True when no named graph holds a quad."""
        return not self.query("ASK { GRAPH ?g { ?s ?p ?o } }")

    def stats(self) -> Stats:
        """Quads per named graph and instances per class (union of graphs)."""
        graphs = {
            row["g"].value: int(row["n"].value)
            for row in self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        }
        classes = {
            row["class"].value: int(row["n"].value)
            for row in self.query(
                "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"
            )
        }
        return Stats(graphs=graphs, classes=classes)


class EmbeddedStore(Store):
    """An on-disk Oxigraph store in this process.

    Opened read-write it holds the store's lock: a second writer is refused. Opened ``read_only``
    it sees the store as it was when opened; pyoxigraph leaves reading beside a writing process
    undefined, so read-only openers must not overlap a load.
    """

    def __init__(self, path: Path, *, read_only: bool = False, create: bool = True) -> None:
        """Open (or, when ``create``, create) the store at ``path``.

        :raises StoreError: if there is no store at ``path`` and ``create`` is false, or it cannot be opened.
        """
        if not create and not self.exists(path):
            raise StoreError(f"no store at {path}: run `claimgraph load` first (or set CLAIMGRAPH_STORE)")
        try:
            if not read_only:
                path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as error:
            raise StoreError(f"cannot open the store at {path}: {error}") from error
        self.path = path

    @staticmethod
    def exists(path: Path) -> bool:
        """Whether ``path`` holds a store (RocksDB keeps its ``CURRENT`` file in every database directory)."""
        return (path / "CURRENT").is_file()

    def query(self, sparql, *, substitutions=None, default_graph=None, named_graphs=None, union_default_graph=True):
        if default_graph is None and named_graphs is None:
            return self._store.query(sparql, substitutions=substitutions, use_default_graph_as_union=union_default_graph)
        return self._store.query(
            sparql, substitutions=substitutions, default_graph=list(default_graph or []), named_graphs=list(named_graphs or [])
        )

    def update(self, sparql):
        self._store.update(sparql)
        self._store.flush()

    def dump(self, output, format, *, prefixes=None):
        if format.supports_datasets:
            self._store.dump(output, format, prefixes=prefixes)
            return
        triples = self._store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }", use_default_graph_as_union=True
        )
        ox.serialize(triples, output, format, prefixes=prefixes)


def open_store(path: Path, *, writable: bool) -> Store:
    """The store at ``path``: opened for writing (created if missing), or read-only (it must exist).

    :raises StoreError: if there is no store to read, or it cannot be opened (e.g. another process writes to it).
    """
    return EmbeddedStore(path, read_only=not writable, create=writable)
