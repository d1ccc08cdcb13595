"""The store behind claimgraph: one interface; :mod:`claimgraph.store.embedded` is its first implementation.

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
from claimgraph.errors import StoreError

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


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
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over ``default_graph`` and ``named_graphs``.

        When neither is given, the default graph is the union of the named graphs (or, with
        ``union_default_graph`` false, the dataset the query's FROM / FROM NAMED name) and every
        named graph can be queried; otherwise the dataset is the one given (an absent part is empty).
        Relative IRIs resolve against ``base_iri`` (``None``: they are a syntax error).

        :raises SyntaxError: if the query does not parse.
        """

    @abc.abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update atomically: all of it is applied, or nothing; relative IRIs resolve against ``base_iri``.

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
