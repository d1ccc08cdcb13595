"""The embedded on-disk Oxigraph store, the first implementation of :class:`~claimgraph.store.base.Store`.

:meth:`EmbeddedStore.answer` is the one place where a pyoxigraph result becomes the bytes of an answer
(negotiated media type, row cap, JSON-LD compaction); the worker processes of
:mod:`claimgraph.store.executor` call it too, so answers are the same in process and across the pipe.
"""

from __future__ import annotations

import contextlib
import io
import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.errors import EvaluationError, NotAcceptable, StoreError
from claimgraph.rdf import formats, jsonld
from claimgraph.rdf.sparqltext import scan
from claimgraph.store.base import Answer, Head, Query, Store, spool


def no_store(path: Path) -> StoreError:
    """The error for a store that is not there, with what to do about it."""
    return StoreError(f"no store at {path}: run `claimgraph load` first (or set CLAIMGRAPH_STORE)")


class EmbeddedStore(Store):
    """An on-disk Oxigraph store in this process.

    Opened read-write it holds the store's lock: a second writer is refused. Opened ``read_only``
    it sees the store as it was when opened; pyoxigraph leaves reading beside a writing process
    undefined, so read-only openers must not overlap a load.
    """

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        create: bool = True,
        prefixes: Mapping[str, str] | None = None,
        context: Mapping[str, object] | None = None,
    ) -> None:
        """Open (or, when ``create`` and not ``read_only``, create) the store at ``path``.

        :raises StoreError: if there is no store at ``path`` and it may not be created, or it cannot be
            opened (e.g. another process holds it read-write).
        """
        if (read_only or not create) and not self.exists(path):
            raise no_store(path)
        try:
            if not read_only:
                path.mkdir(parents=True, exist_ok=True)
            self._store: ox.Store | None = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as error:
            held = holds_lock(error)
            why = " (another process holds it for writing: a running `claimgraph serve`?)" if held else ""
            raise StoreError(f"cannot open the store at {path}{why}: {error}", held=held) from error
        self.path = path
        self.read_only = read_only
        self.prefixes = dict(prefixes or {})
        self.context = context
        self._generation = 0

    @staticmethod
    def exists(path: Path) -> bool:
        """Whether ``path`` holds a store (RocksDB keeps its ``CURRENT`` file in every database directory)."""
        return (path / "CURRENT").is_file()

    @property
    def generation(self) -> int:
        return self._generation

    def _open(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"the store at {self.path} is closed")
        return self._store

    def query(self, job: Query) -> Answer:
        body = spool()
        try:
            head = self.answer(job, body)
        except BaseException:
            body.close()
            raise
        return Answer.spooled(head, body)

    def answer(self, job: Query, output: BinaryIO) -> Head:
        """Evaluate ``job`` and write its body to ``output``: the work of :meth:`query`, without the spool.

        :raises: as :meth:`Store.query`; when it raises, ``output`` may hold part of a body, to be thrown away.
        """
        with _translated(self.path):
            result = self._evaluate(job)
            if isinstance(result, ox.QueryBoolean):
                form = "ASK"
            elif isinstance(result, ox.QuerySolutions):
                form = "SELECT"
            else:
                form = scan(job.sparql).form
            media_type = job.graph_as if form in formats.GRAPH_FORMS else job.results_as
            if media_type is None:
                raise NotAcceptable(form)
            if form == "ASK":
                result.serialize(output, _results_format(media_type))
                return Head(form, media_type)
            if job.max_rows is None:
                self._write(result, output, media_type)
                return Head(form, media_type)
            # Rows up to the cap are taken first, to know whether any were cut.
            rows = list(itertools.islice(result, job.max_rows + 1))
            truncated = len(rows) > job.max_rows
            rows = rows[: job.max_rows]
            if form in formats.GRAPH_FORMS:
                self._write(rows, output, media_type)
            else:
                _kept(result.variables, rows).serialize(output, _results_format(media_type))
            return Head(form, media_type, truncated, len(rows))

    def _evaluate(self, job: Query) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        options: dict[str, object] = {
            "substitutions": {ox.Variable(name): term for name, term in job.substitutions.items()},
            "base_iri": job.base_iri,
        }
        if job.default_graph is None and job.named_graphs is None:
            options["use_default_graph_as_union"] = job.union_default_graph
        else:
            options["default_graph"] = list(job.default_graph or [])
            options["named_graphs"] = list(job.named_graphs or [])
        return self._open().query(job.sparql, **options)

    def _write(self, result: ox.QuerySolutions | ox.QueryTriples | list[ox.Triple], output: BinaryIO, media_type: str) -> None:
        """Serialize a whole result: SELECT solutions by pyoxigraph in one pass, graphs as :func:`jsonld.write` does."""
        if isinstance(result, ox.QuerySolutions):
            result.serialize(output, _results_format(media_type))
        else:
            jsonld.write(result, output, _rdf_format(media_type), prefixes=self.prefixes, context=self.context)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self.apply(sparql, base_iri=base_iri)
        with _translated(self.path):
            self._open().flush()

    def apply(self, sparql: str, *, base_iri: str | None = None) -> None:
        """As :meth:`update`, without flushing the store's memory tables to its files: the update is in the write-ahead
        log when this returns, so it survives the end of this process (SIGKILL included), not the machine's."""
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only; nothing was changed")
        with _translated(self.path):
            self._open().update(sparql, base_iri=base_iri)
        self._generation += 1

    def has_graph(self, graph: ox.NamedNode) -> bool:
        """Whether the store knows the named graph ``graph`` (an empty one included)."""
        with _translated(self.path):
            return self._open().contains_named_graph(graph)

    def backup(self, directory: Path) -> None:
        """Write a consistent copy of the store to the new directory ``directory`` (a checkpoint: hard links to the
        store's files when both are on one file system), which a read-only store may open while this one is written.

        :raises StoreError: if ``directory`` exists or cannot be written.
        """
        with _translated(self.path):
            self._open().backup(str(directory))

    def dump(self, output: BinaryIO, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        prefixes = self.prefixes if prefixes is None else prefixes
        store = self._open()
        if format == ox.RdfFormat.JSON_LD and self.context is not None:
            nquads = io.BytesIO()
            store.dump(nquads, ox.RdfFormat.N_QUADS)
            output.write(jsonld.compact(nquads.getvalue(), ox.RdfFormat.N_QUADS, self.context))
        elif format.supports_datasets:
            store.dump(output, format, prefixes=dict(prefixes))
        else:
            triples = store.query(
                "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }", use_default_graph_as_union=True
            )
            jsonld.write(triples, output, format, prefixes=prefixes, context=self.context)

    def close(self) -> None:
        self._store = None


def holds_lock(error: OSError) -> bool:
    """Whether pyoxigraph's ``error`` says another process holds the store's lock (RocksDB's words, as pyoxigraph gives
    no error number: "IO error: While lock file: <dir>/LOCK: Resource temporarily unavailable", or "…lock hold by
    current process…: <dir>/LOCK: No locks available")."""
    return "/LOCK:" in str(error)


def open_store(
    path: Path, *, writable: bool, prefixes: Mapping[str, str] | None = None, context: Mapping[str, object] | None = None
) -> EmbeddedStore:
    """The store at ``path``: opened for writing (created if missing), or read-only (it must exist).

    :raises StoreError: if there is no store to read, or it cannot be opened (e.g. another process writes to it).
    """
    return EmbeddedStore(path, read_only=not writable, create=writable, prefixes=prefixes, context=context)


@contextlib.contextmanager
def _translated(path: Path) -> Iterator[None]:
    """pyoxigraph's run-time errors as claimgraph's: a plain ``RuntimeError`` is the request's fault
    (:class:`EvaluationError`), ``OSError`` the store's (:class:`StoreError`).

    ``SyntaxError`` and claimgraph's own errors pass unchanged; anything else is a bug and passes too, Python's
    own subclasses of ``RuntimeError`` included (``RecursionError``, e.g. from rdflib compacting deeply nested
    JSON-LD): pyoxigraph raises ``RuntimeError`` itself, never a subclass.
    """
    try:
        yield
    except OSError as error:
        raise StoreError(f"the store at {path} failed reading its files or fetching remote data: {error}") from error
    except RuntimeError as error:
        if type(error) is not RuntimeError:
            raise
        raise EvaluationError(str(error)) from error


def _kept(variables: list[ox.Variable], rows: list[ox.QuerySolution]) -> ox.QuerySolutions:
    """``rows`` as a result pyoxigraph can serialize: it writes only whole results, so the rows kept under a cap are
    handed back to it as SPARQL TSV, whose terms are N-Triples (``<<( s p o )>>`` for an RDF 1.2 triple term)."""
    lines = ["\t".join(str(variable) for variable in variables)]
    lines.extend("\t".join("" if term is None else _tsv_term(term) for term in row) for row in rows)
    return ox.parse_query_results("\n".join(lines).encode() + b"\n", ox.QueryResultsFormat.TSV)


def _tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    """:raises ValueError: if no SPARQL results format has ``media_type`` (the caller's bug, not the client's)."""
    found = ox.QueryResultsFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"no SPARQL results format has the media type {media_type!r}")
    return found


def _rdf_format(media_type: str) -> ox.RdfFormat:
    """:raises ValueError: if no RDF format has ``media_type`` (the caller's bug, not the client's)."""
    found = ox.RdfFormat.from_media_type(media_type)
    if found is None:
        raise ValueError(f"no RDF format has the media type {media_type!r}")
    return found
