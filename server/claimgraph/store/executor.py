"""Running queries and updates with a time limit that really stops them, in parallel across processes.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process that is
killed and replaced when its time is up. ``workers`` processes each hold the on-disk store open
read-only and answer one query at a time, serializing the answer themselves and sending it back
in chunks; the web process spools the whole answer (memory, then a temporary file) before the
client sees a byte, so a slow client holds no worker and a time limit never cuts a begun answer.

A read-only opener sees the store as it was when opened, and reading beside a writing process
is undefined. So writes take the executor's write lock: running queries finish (or reach their
deadline), new ones wait, the readers are ended, one fresh process opens the store read-write,
applies the update in one transaction and exits, and new readers open the store as it now is.
An update that outlives the time limit is killed before it commits, so nothing of it is kept.
Every later read sees an acknowledged write.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import queue
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from claimgraph.rdf import formats
from claimgraph.store.embedded import open_store
from claimgraph.errors import Busy, NotAcceptable, QueryError, QueryTimeout, RequestError

_CHUNK = 64 * 1024
#: answers up to this size stay in memory while spooled; larger ones go to a temporary file.
_SPOOL_IN_MEMORY = 4 * 1024 * 1024
_context = multiprocessing.get_context("spawn")


@dataclasses.dataclass(frozen=True)
class Query:
    """A query to run, and how its answer is wanted.

    ``default_graph`` / ``named_graphs`` set the dataset (the protocol's ``default-graph-uri`` and
    ``named-graph-uri``); when both are ``None`` the default graph is the union of the named graphs.
    ``results_as`` is the media type for SELECT and ASK answers, ``graph_as`` the one for CONSTRUCT
    and DESCRIBE; ``None`` means the client accepts no representation of that form.
    ``max_rows`` caps solutions or triples (``None``: no cap).
    """

    sparql: str
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] = dataclasses.field(default_factory=dict)
    default_graph: tuple[ox.NamedNode | ox.DefaultGraph, ...] | None = None
    named_graphs: tuple[ox.NamedNode, ...] | None = None
    results_as: str | None = "application/sparql-results+json"
    graph_as: str | None = "text/turtle"
    max_rows: int | None = None
    #: whether, with no dataset given, the default graph is the union of the named graphs (false: the query's FROM).
    union_default_graph: bool = True
    #: the IRI that relative IRIs in the query resolve against (``None``: relative IRIs are a syntax error).
    base_iri: str | None = None


@dataclasses.dataclass
class Answer:
    """The head of an answer, and its body: complete, spooled to a temporary file, read as chunks once.

    The whole answer is taken from the worker before :meth:`Executor.query` returns, so a slow
    client never holds a worker or the store, and a time limit can never cut an answer already begun.

    ``form`` is ``SELECT``, ``ASK`` or ``GRAPH``; ``truncated`` tells that rows past the cap were cut.
    """

    form: str
    media_type: str
    truncated: bool
    count: int
    chunks: Iterator[bytes]
    #: bytes in ``chunks``.
    length: int


class _Sender:
    """A binary writer that sends what pyoxigraph serializes through a pipe, in chunks."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.connection.send(("data", bytes(self.buffer)))
            self.buffer.clear()


def _answer(store, job: Query, connection: Connection, prefixes: Mapping[str, str]) -> None:
    """Evaluate ``job`` and send its head, its body in chunks, and an end mark."""
    result = store.query(
        job.sparql,
        substitutions={ox.Variable(name): term for name, term in job.substitutions.items()},
        default_graph=list(job.default_graph) if job.default_graph is not None else None,
        named_graphs=list(job.named_graphs) if job.named_graphs is not None else None,
        union_default_graph=job.union_default_graph,
        base_iri=job.base_iri,
    )
    form = "ASK" if isinstance(result, ox.QueryBoolean) else "GRAPH" if isinstance(result, ox.QueryTriples) else "SELECT"
    media_type = job.graph_as if form == "GRAPH" else job.results_as
    if media_type is None:
        connection.send(("unacceptable", form))
        return
    sender = _Sender(connection)
    if form == "ASK":
        connection.send(("head", form, media_type, False, 1))
        result.serialize(sender, formats.RESULT_MEDIA_TYPES[media_type])
    elif job.max_rows is None and form == "GRAPH":
        connection.send(("head", form, media_type, False, -1))
        ox.serialize(result, sender, formats.RDF_MEDIA_TYPES[media_type], prefixes=prefixes)
    else:
        # Rows up to the cap are taken before the head is sent, so that the head can say whether any were cut.
        rows = list(itertools.islice(result, (job.max_rows or 0) + 1)) if job.max_rows is not None else list(result)
        truncated = job.max_rows is not None and len(rows) > job.max_rows
        rows = rows[: job.max_rows] if truncated else rows
        connection.send(("head", form, media_type, truncated, len(rows)))
        if form == "GRAPH":
            ox.serialize(rows, sender, formats.RDF_MEDIA_TYPES[media_type], prefixes=prefixes)
        else:
            # pyoxigraph serializes only whole results; the rows kept are handed back to it as SPARQL TSV.
            lines = ["\t".join(str(v) for v in result.variables)]
            lines.extend("\t".join("" if term is None else _tsv_term(term) for term in row) for row in rows)
            kept = ox.parse_query_results("\n".join(lines).encode() + b"\n", ox.QueryResultsFormat.TSV)
            kept.serialize(sender, formats.RESULT_MEDIA_TYPES[media_type])
    sender.flush()
    connection.send(("end",))


def _leave_signals_to_the_parent() -> None:
    """Ignore Ctrl-C (sent to the whole process group): the parent decides when a worker ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term as SPARQL TSV writes it: N-Triples syntax, and ``<<( s p o )>>`` for an RDF 1.2 triple term."""
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} )>>"
    return str(term)


def _read(connection: Connection, path: str, prefixes: Mapping[str, str]) -> None:
    """A reader process: answer queries over the store opened read-only, until the pipe closes."""
    _leave_signals_to_the_parent()
    store = open_store(Path(path), writable=False)
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        try:
            _answer(store, job, connection, prefixes)
        except SyntaxError as error:
            connection.send(("syntax", error.msg))
        except (OSError, RuntimeError, ValueError) as error:
            connection.send(("failed", str(error)))


def _write(connection: Connection, path: str, update: str, base_iri: str | None) -> None:
    """A writer process: open the store read-write, apply one update, and exit (releasing the lock)."""
    _leave_signals_to_the_parent()
    try:
        store = open_store(Path(path), writable=True)
    except (OSError, RuntimeError, ValueError) as error:
        connection.send(("failed", str(error)))
        return
    try:
        store.update(update, base_iri=base_iri)
    except SyntaxError as error:
        connection.send(("syntax", error.msg))
    except (RuntimeError, ValueError) as error:
        # pyoxigraph's evaluation errors (e.g. CREATE GRAPH of a graph that exists): the update's fault, not the store's.
        connection.send(("refused", str(error)))
    except OSError as error:
        connection.send(("failed", str(error)))
    else:
        connection.send(("end",))


class _Process:
    """A worker process and the parent's end of its pipe."""

    def __init__(self, target: Callable, *args: object) -> None:
        self.connection, child = _context.Pipe()
        self.process = _context.Process(target=target, args=(child, *args), daemon=True)
        self.process.start()
        child.close()

    def receive(self, deadline: float) -> tuple:
        """The next message, waiting until ``deadline`` (a :func:`time.monotonic` time).

        :raises QueryTimeout: if none arrives in time.
        :raises QueryError: if the process died.
        """
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self.connection.poll(remaining):
            raise QueryTimeout
        try:
            return self.connection.recv()
        except EOFError as error:
            raise QueryError(f"the worker process ended unexpectedly (exit code {self.process.exitcode})") from error

    def end(self, grace: float = 0.0) -> None:
        """Let the process exit on its own within ``grace`` seconds, else kill it; then wait for it.

        Readers hold nothing that needs a clean exit; a writer that has answered is given time to close the store.
        """
        self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class _ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    def acquire_read(self, timeout: float) -> bool:
        with self._condition:
            ready = self._condition.wait_for(lambda: not self._writing and not self._writers_waiting, timeout)
            if ready:
                self._readers += 1
            return ready

    def release_read(self) -> None:
        with self._condition:
            self._readers -= 1
            self._condition.notify_all()

    def acquire_write(self, timeout: float) -> bool:
        with self._condition:
            self._writers_waiting += 1
            ready = self._condition.wait_for(lambda: not self._writing and not self._readers, timeout)
            self._writers_waiting -= 1
            self._writing = ready
            self._condition.notify_all()
            return ready

    def release_write(self) -> None:
        with self._condition:
            self._writing = False
            self._condition.notify_all()


class Executor:
    """Queries and updates over the on-disk store at ``store``, each stopped at ``timeout`` seconds.

    :param workers: reader processes, hence queries answered at once.
    :param prefixes: prefixes for Turtle and TriG answers.
    """

    def __init__(self, store: Path, *, workers: int, timeout: float, prefixes: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.workers = workers
        self.timeout = timeout
        self.prefixes = dict(prefixes or {})
        self.generation = 0
        self._lock = _ReadWriteLock()
        self._idle: queue.Queue[_Process] = queue.Queue()
        self._closed = False
        self._run_writer("")  # creates the store when there is none, so that readers can open it
        self._start_readers()

    def _start_readers(self) -> None:
        for _ in range(self.workers):
            self._idle.put(_Process(_read, str(self.store), self.prefixes))

    def query(self, job: Query) -> Answer:
        """Run ``job`` on a free reader and take its whole answer, spooled; the reader is free again on return.

        :raises SyntaxError: if the query does not parse (the message gives the position).
        :raises NotAcceptable: if the client accepts no representation of the query's form.
        :raises QueryTimeout: if the query runs past the time limit; its process is ended.
        :raises Busy: if no reader became free within the time limit.
        :raises QueryError: if the store failed to evaluate the query.
        """
        if not self._lock.acquire_read(self.timeout):
            raise Busy("an update held the store for longer than the time limit")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            self._lock.release_read()
            raise Busy(f"all {self.workers} query workers stayed busy for {self.timeout:g} s") from None
        deadline = time.monotonic() + self.timeout
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
        try:
            worker.connection.send(job)
            message = worker.receive(deadline)
            if message[0] == "head":
                while (chunk := worker.receive(deadline))[0] == "data":
                    spool.write(chunk[1])
                if chunk[0] != "end":
                    message = chunk
        except BaseException:
            spool.close()
            self._replace(worker)
            self._lock.release_read()
            raise
        self._idle.put(worker)
        self._lock.release_read()
        if message[0] != "head":
            spool.close()
            raise _error(message)
        _, form, media_type, truncated, count = message
        length = spool.tell()
        spool.seek(0)
        return Answer(form, media_type, truncated, count, _chunks(spool), length)

    def ask(self, sparql: str, **options) -> bool:
        """The answer of an ASK query (same errors as :meth:`query`)."""
        answer = self.query(Query(sparql, **options))
        return bool(ox.parse_query_results(b"".join(answer.chunks), ox.QueryResultsFormat.JSON))

    def select(self, sparql: str, **options) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """The rows of a SELECT query, each as variable name → term (same errors as :meth:`query`)."""
        answer = self.query(Query(sparql, **options))
        solutions = ox.parse_query_results(b"".join(answer.chunks), ox.QueryResultsFormat.JSON)
        names = [variable.value for variable in solutions.variables]
        return [{name: row[name] for name in names if row[name] is not None} for row in solutions]

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Apply a SPARQL update atomically and durably; queries that start after this returns see it.

        Relative IRIs in it resolve against ``base_iri`` (``None``: they are a syntax error).

        :raises SyntaxError: if the update does not parse; nothing is changed.
        :raises QueryTimeout: if it runs past the time limit; it is stopped and nothing is changed.
        :raises Busy: if running queries hold the store past the time limit; nothing is changed.
        :raises RequestError: if the store cannot apply it (e.g. ``CREATE GRAPH`` of a graph that exists), with
            the store's message; nothing is changed.
        :raises QueryError: if the store failed; nothing is changed.
        """
        if not self._lock.acquire_write(self.timeout):
            raise Busy(f"running queries kept the store for longer than the time limit ({self.timeout:g} s); nothing was changed")
        try:
            while not self._idle.empty():
                self._idle.get_nowait().end()
            self._run_writer(sparql, base_iri)
        finally:
            self.generation += 1
            try:
                if not self._closed:
                    self._start_readers()
            finally:
                self._lock.release_write()

    def _run_writer(self, sparql: str, base_iri: str | None = None) -> None:
        writer = _Process(_write, str(self.store), sparql, base_iri)
        message: tuple = ("failed", "the update was stopped")
        try:
            message = writer.receive(time.monotonic() + self.timeout)
        except QueryTimeout:
            # It may have committed in the last instant: then its answer is waiting.
            if not writer.connection.poll(0):
                raise
            message = writer.connection.recv()
        finally:
            writer.end(grace=self.timeout if message[0] == "end" else 0.0)
        if message[0] != "end":
            raise _error(message)

    def _replace(self, worker: _Process) -> None:
        worker.end()
        if not self._closed:
            self._idle.put(_Process(_read, str(self.store), self.prefixes))

    def close(self) -> None:
        """End every worker process."""
        self._closed = True
        while not self._idle.empty():
            self._idle.get_nowait().end()


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    """The spooled answer in chunks; the file is closed when read to the end or when the iterator is closed."""
    with spool:
        while chunk := spool.read(_CHUNK):
            yield chunk


def _error(message: tuple) -> Exception:
    kind, detail = message
    if kind == "syntax":
        return SyntaxError(detail)
    if kind == "unacceptable":
        return NotAcceptable(detail)
    if kind == "refused":
        return RequestError(detail)
    return QueryError(detail)
