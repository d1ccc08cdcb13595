"""The store behind claimgraph: one interface that every caller (CLI and web) speaks to.

:class:`~claimgraph.store.embedded.EmbeddedStore` implements it in this process;
:class:`~claimgraph.store.executor.Executor` implements it over worker processes with a time limit.
A remote SPARQL 1.1 endpoint, a result cache or a search index plug in as further implementations
(or wrappers) without touching the callers. Queries see the union of all named graphs as their default graph.
"""

from __future__ import annotations

import abc
import dataclasses
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, BinaryIO

import pyoxigraph as ox

#: A term a query may bind, or a solution hold.
Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: SPARQL results in JSON: what :meth:`Store.select` and :meth:`Store.ask` ask for and read back.
_RESULTS_JSON = "application/sparql-results+json"
#: RDF graphs in N-Triples: what :meth:`Store.construct` asks for and reads back.
_N_TRIPLES = "application/n-triples"
CHUNK = 64 * 1024
#: answers up to this size stay in memory while spooled; larger ones go to a temporary file.
SPOOL_IN_MEMORY = 4 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Query:
    """A query to run, and how its answer is wanted.

    ``default_graph`` / ``named_graphs`` set the dataset (the protocol's ``default-graph-uri`` and
    ``named-graph-uri``); when both are ``None`` the default graph is the union of the named graphs.
    ``results_as`` is the media type for SELECT and ASK answers, ``graph_as`` the one for CONSTRUCT
    and DESCRIBE; ``None`` means the client accepts no representation of that form.
    ``max_rows`` caps solutions or triples (``None``: no cap). ``base_iri`` is the IRI that relative
    IRIs in the query resolve against when it has no ``BASE`` (``None``: relative IRIs do not parse).
    """

    sparql: str
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] = dataclasses.field(default_factory=dict)
    default_graph: tuple[ox.NamedNode | ox.DefaultGraph, ...] | None = None
    named_graphs: tuple[ox.NamedNode, ...] | None = None
    results_as: str | None = _RESULTS_JSON
    graph_as: str | None = "text/turtle"
    max_rows: int | None = None
    #: whether, with no dataset given, the default graph is the union of the named graphs (false: the query's FROM).
    union_default_graph: bool = True
    base_iri: str | None = None
    #: seconds it may run, for the service's own long reads (the search index's build); ``None``: the store's limit.
    timeout: float | None = None


@dataclasses.dataclass(frozen=True)
class Head:
    """What is known of an answer once its body is written.

    ``form`` is the query form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE`` (the words of
    :data:`claimgraph.rdf.sparqltext.FORMS`). ``truncated`` tells that rows past the cap were cut; ``count``
    is the rows or triples kept when the answer was capped, ``None`` when they were not counted (no cap).
    """

    form: str
    media_type: str
    truncated: bool = False
    count: int | None = None


@dataclasses.dataclass
class Answer:
    """The head of an answer, and its body: complete, spooled to memory or a temporary file, read as chunks once.

    The whole answer is written before :meth:`Store.query` returns, so a slow client never holds a
    worker or the store, and a time limit can never cut an answer already begun.
    """

    form: str
    media_type: str
    truncated: bool
    count: int | None
    chunks: Iterator[bytes]
    #: bytes in ``chunks``.
    length: int

    @classmethod
    def spooled(cls, head: Head, spool: IO[bytes]) -> Answer:
        """The answer whose body was written to ``spool``; the spool is closed once read, or when ``chunks`` is closed."""
        length = spool.tell()
        spool.seek(0)
        return cls(head.form, head.media_type, head.truncated, head.count, _chunks(spool), length)

    def body(self) -> bytes:
        """The whole body, read at once."""
        return b"".join(self.chunks)


def spool() -> IO[bytes]:
    """A file to write an answer to: memory up to :data:`SPOOL_IN_MEMORY` bytes, then a temporary file."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)


def _chunks(spooled: IO[bytes]) -> Iterator[bytes]:
    with spooled:
        while chunk := spooled.read(CHUNK):
            yield chunk


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
    """A quad store that answers SPARQL 1.1 queries and updates, with answers serialized as the client wants them.

    Every implementation raises the errors of :mod:`claimgraph.errors` (and ``SyntaxError``) as documented
    here, so that callers never see which backend answered. A store is a context manager that closes on exit.
    """

    #: namespace prefixes for Turtle and TriG answers and dumps.
    prefixes: Mapping[str, str]
    #: the local JSON-LD context JSON-LD answers and dumps are compacted with (``None``: expanded JSON-LD).
    context: Mapping[str, object] | None

    @abc.abstractmethod
    def query(self, job: Query) -> Answer:
        """Run ``job`` and take its whole answer, serialized in the media type it asks for and capped at its ``max_rows``.

        :raises SyntaxError: if the query does not parse (the message gives line and column).
        :raises NotAcceptable: if ``job`` asks for no representation of the query's form.
        :raises EvaluationError: if the store refused the query at run time (the message is the store's).
        :raises QueryTimeout: if it ran past the store's time limit (stores that have one).
        :raises Busy: if the store stayed busy for as long as a query may run (stores that have workers).
        :raises StoreError: if the store cannot be opened or read.
        :raises QueryError: if the store failed otherwise.
        """

    def latest(self, job: Query) -> Answer:
        """As :meth:`query`, for a small read that must see every write acknowledged so far at the least cost (the
        search index following a write): a store whose readers answer from snapshots answers it from the store
        itself. By default, :meth:`query`."""
        return self.query(job)

    @abc.abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update atomically and durably: all of it is applied, or nothing; later queries see it.

        ``base_iri`` is the IRI relative IRIs resolve against when the update has no ``BASE``.

        :raises SyntaxError: if the update does not parse.
        :raises EvaluationError: if the store refused it at run time (e.g. ``CREATE GRAPH`` of an existing graph).
        :raises QueryTimeout, Busy, StoreError, QueryError: as :meth:`query`; in every case nothing is changed.
        """

    @abc.abstractmethod
    def dump(self, output: BinaryIO, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Write every quad; formats without named graphs get the union of all graphs as triples.

        Turtle and TriG use ``prefixes`` (default: the store's :attr:`prefixes`); JSON-LD is compacted with :attr:`context`.

        :raises OSError: if ``output`` cannot be written.
        :raises QueryTimeout, Busy, StoreError: as :meth:`query`.
        """

    @property
    @abc.abstractmethod
    def generation(self) -> int:
        """A number that changes with every write applied through this store (not with a refused or stopped one), so
        that what was computed from it can be cached."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the store (end its worker processes, if any); it answers nothing afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _solutions(self, sparql: str, options: Mapping[str, object]) -> ox.QuerySolutions | ox.QueryBoolean:
        run = self.latest if options.pop("latest", False) else self.query
        answer = run(Query(sparql, results_as=_RESULTS_JSON, graph_as=None, **options))
        return ox.parse_query_results(answer.body(), ox.QueryResultsFormat.JSON)

    def select(self, sparql: str, **options: object) -> list[dict[str, Term]]:
        """The rows of a SELECT query, each as variable name → term (unbound variables left out).

        ``options`` are fields of :class:`Query` (``substitutions``, ``default_graph``, ``base_iri``, …), and
        ``latest=True`` to answer it as :meth:`latest` does.

        :raises NotAcceptable: if ``sparql`` is not a SELECT or ASK query; otherwise as :meth:`query`.
        """
        solutions = self._solutions(sparql, options)
        names = [variable.value for variable in solutions.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in solutions]

    def construct(self, sparql: str, **options: object) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query (``options`` as :meth:`select`); blank nodes keep their
        identity within the one answer.

        :raises NotAcceptable: if ``sparql`` is not a CONSTRUCT or DESCRIBE query; otherwise as :meth:`query`.
        """
        answer = self.query(Query(sparql, results_as=None, graph_as=_N_TRIPLES, **options))
        return [quad.triple for quad in ox.parse(answer.body(), ox.RdfFormat.N_TRIPLES)]

    def ask(self, sparql: str, **options: object) -> bool:
        """The answer of an ASK query (``options`` and errors as :meth:`select`)."""
        return bool(self._solutions(sparql, options))

    def replace_graphs(self, quads: Iterable[ox.Quad]) -> None:
        """Make each named graph that ``quads`` mention hold exactly those quads, in one atomic update.

        Other graphs are left as they are, so loading the same quads twice gives the same store
        (up to blank node names). The update is built from terms written by pyoxigraph in N-Triples
        syntax, never from text pasted together.

        :raises ValueError: if a quad is not in a named graph (the caller's bug).
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
        return not self.ask("ASK { GRAPH ?g { ?s ?p ?o } }")

    def stats(self) -> Stats:
        """Quads per named graph and instances per class (union of graphs)."""
        graphs = {
            row["g"].value: int(row["n"].value)
            for row in self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        }
        classes = {
            row["class"].value: int(row["n"].value)
            for row in self.select(
                "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"
            )
        }
        return Stats(graphs=graphs, classes=classes)
