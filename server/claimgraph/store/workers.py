"""The processes behind :class:`~claimgraph.store.executor.Executor`, and what they say to it through their pipes.

The **owner** holds the on-disk store read-write for as long as the pool runs (so no other process can write it),
applies updates one after another, and writes snapshots: RocksDB checkpoints, hard links to the store's files, that
readers may open while the owner goes on writing (reading the store's own directory beside a writer is undefined).
An update is acknowledged once it is in the store's write-ahead log, which survives the end of any process. Each
update brings a marker along, in the same transaction: an empty named graph ``urn:x-claimgraph:write:<id>`` (the
previous marker is dropped by the same update), so that after an owner stopped at the time limit a fresh owner can
tell whether the update committed in its last instant. An empty graph holds no triple: no pattern over triples, no dump
and no count sees it; a query for the graph names themselves (``GRAPH ?g {}``) lists it, and the Graph Store treats it
as absent.

A **reader** opens a snapshot read-only, answers one query or dump at a time, and moves to a newer snapshot when a
request names one. Errors cross the pipe as themselves (claimgraph's errors, pyoxigraph's ``SyntaxError`` with its
message and position); any other error carries the worker's traceback as a note.
"""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import ClaimgraphError, QueryError, QueryTimeout, StoreError
from claimgraph.rdf.sparqltext import tokens
from claimgraph.store.base import CHUNK, Head, Query
from claimgraph.store.embedded import EmbeddedStore

# Workers are forked from a server process that has imported this module already: a new worker is ready in
# milliseconds rather than the second a spawned interpreter takes to import pyoxigraph and the package.
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload([__name__])

#: seconds a new worker may take to start and open the store.
STARTUP_LIMIT = 60.0
#: seconds between a worker's looks at whether the pool's process is still there.
ORPHAN_CHECK = 0.5
#: seconds a new owner waits for another process to let go of the store.
LOCK_PATIENCE = 3.0
#: the IRI prefix of the marker graph each update leaves behind it.
MARKER = "urn:x-claimgraph:write:"


# The pipe protocol. To a reader: Run or Dump; from it: Ready once, then per request Chunk messages and one Done or
# Failed. To the owner's write pipe: Update or Applied, each answered Done or Failed (Ready first); to its snapshot
# pipe: Backup, answered Done or Failed.


@dataclasses.dataclass(frozen=True)
class Run:
    job: Query
    #: the snapshot directory to answer from.
    snapshot: str


@dataclasses.dataclass(frozen=True)
class Dump:
    #: the media type of the RDF format (pyoxigraph's format objects do not pickle).
    media_type: str
    prefixes: Mapping[str, str] | None
    snapshot: str


@dataclasses.dataclass(frozen=True)
class Update:
    sparql: str
    base_iri: str | None
    #: the id of the marker graph this update leaves.
    marker: str


@dataclasses.dataclass(frozen=True)
class Applied:
    """Whether the update with this marker was applied (answered ``Done(value=…)``)."""

    marker: str


@dataclasses.dataclass(frozen=True)
class Latest:
    """A query answered by the owner from the store as written (answered ``Done(head=…, body=…)``)."""

    job: Query


@dataclasses.dataclass(frozen=True)
class Backup:
    directory: str


@dataclasses.dataclass(frozen=True)
class Ready:
    """The worker started (the owner: opened the store) and takes work."""


@dataclasses.dataclass(frozen=True)
class Chunk:
    data: bytes


@dataclasses.dataclass(frozen=True)
class Done:
    #: the answer's head (``None`` but for a query).
    head: Head | None = None
    #: the answer to :class:`Applied`.
    value: bool | None = None
    #: the body of the answer to :class:`Latest`.
    body: bytes | None = None


@dataclasses.dataclass(frozen=True)
class Failed:
    error: BaseException


class _Sender:
    """A binary writer that sends what pyoxigraph serializes through a pipe, in chunks."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.connection.send(Chunk(bytes(self.buffer)))
            self.buffer.clear()


def _failed(error: Exception) -> Failed:
    """``error`` to send to the parent: as itself when it pickles, with the worker's traceback when it is a bug."""
    if not isinstance(error, (ClaimgraphError, SyntaxError)):
        error.add_note("in the store worker:\n" + "".join(traceback.format_exception(error)))
    try:
        pickle.dumps(error)
    except (pickle.PicklingError, TypeError, AttributeError):
        return Failed(QueryError(f"{type(error).__name__}: {error}"))
    return Failed(error)


def _leave_signals_to_the_parent(pool: int) -> None:
    """Ignore Ctrl-C (sent to the whole process group): the parent decides when a worker ends; and end this worker
    when the process ``pool`` (the pid of the process that runs the pool, not this one's parent: the fork server) has
    ended however it ended (SIGKILL included), even in the middle of a query or an update."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(ORPHAN_CHECK)
            try:
                os.kill(pool, 0)
            except ProcessLookupError:
                os._exit(1)

    # pyoxigraph lets go of the GIL while it evaluates, writes and backs up, so this thread runs meanwhile.
    threading.Thread(target=watch, name="claimgraph-orphan-watch", daemon=True).start()


def read(connection: Connection, pool: int, prefixes: Mapping[str, str], context: Mapping[str, object] | None) -> None:
    """A reader process: answer requests, each from the snapshot it names, until the pipe closes."""
    _leave_signals_to_the_parent(pool)
    connection.send(Ready())
    store: EmbeddedStore | None = None
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        sender = _Sender(connection)
        head = None
        # Every error, bugs included, goes to the parent, which raises it where the query was asked (and logs bugs).
        try:
            if store is None or str(store.path) != request.snapshot:
                store = None  # closes the older snapshot first
                store = EmbeddedStore(Path(request.snapshot), read_only=True, prefixes=prefixes, context=context)
            if isinstance(request, Run):
                head = store.answer(request.job, sender)
            else:
                store.dump(sender, ox.RdfFormat.from_media_type(request.media_type), prefixes=request.prefixes)
            sender.flush()
        except Exception as error:
            connection.send(_failed(error))
        else:
            connection.send(Done(head))


def marked(sparql: str, marker: str, previous: list[str]) -> str:
    """``sparql`` followed, in the same update, by the creation of ``marker``'s graph and the drop of ``previous``'s."""
    last = None
    for last in tokens(sparql):
        pass
    separator = "" if last is None or last.text == ";" else ";"
    drops = "".join(f"DROP SILENT GRAPH <{MARKER}{old}> ;\n" for old in previous)
    return f"{sparql}\n{separator}\n{drops}CREATE SILENT GRAPH <{MARKER}{marker}>"


def own(writes: Connection, snapshots: Connection, pool: int, path: str, create: bool) -> None:
    """The owner process: open the store read-write (creating it if ``create``) and hold it; apply updates from
    ``writes`` and write snapshots asked on ``snapshots`` (in a thread of its own, so that a snapshot never holds back
    a write)."""
    _leave_signals_to_the_parent(pool)
    try:
        store = EmbeddedStore(Path(path), create=create)
        # Markers left by an earlier owner: the parent may ask about the newest before the next update drops them.
        previous = [graph.value[len(MARKER):] for graph in store._open().named_graphs() if graph.value.startswith(MARKER)]
    except Exception as error:
        writes.send(_failed(error))
        return
    writes.send(Ready())
    threading.Thread(target=_back_up, args=(snapshots, store), daemon=True).start()
    while True:
        try:
            request = writes.recv()
        except EOFError:
            return
        try:
            if isinstance(request, Applied):
                writes.send(Done(value=store.has_graph(ox.NamedNode(MARKER + request.marker))))
                continue
            if isinstance(request, Latest):
                body = io.BytesIO()
                head = store.answer(request.job, body)
                writes.send(Done(head=head, body=body.getvalue()))
                continue
            try:
                store.apply(marked(request.sparql, request.marker, previous), base_iri=request.base_iri)
                previous = [request.marker]
            except SyntaxError:
                # The marker follows the client's text, so an error may lie where they join (a text that ends
                # unfinished, or with a prologue): the client's text alone fails with the parser's own words about
                # it, or is applied without a marker.
                store.apply(request.sparql, base_iri=request.base_iri)
        except Exception as error:
            writes.send(_failed(error))
        else:
            writes.send(Done())


def _back_up(connection: Connection, store: EmbeddedStore) -> None:
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        try:
            store.backup(Path(request.directory))
        except Exception as error:
            connection.send(_failed(error))
        else:
            connection.send(Done())


class Worker:
    """A worker process and this process's end of its pipe(s)."""

    def __init__(self, target: Callable, *args: object, pipes: int = 1) -> None:
        ends = [_context.Pipe() for _ in range(pipes)]
        self.connection = ends[0][0]
        #: the owner's snapshot pipe.
        self.side = ends[1][0] if pipes > 1 else None
        self.process = _context.Process(target=target, args=(*(child for _, child in ends), os.getpid(), *args), daemon=True)
        self.process.start()
        for _, child in ends:
            child.close()
        self.ready = False
        #: the snapshot a reader was last asked to answer from.
        self.snapshot: str | None = None
        #: when the reader took its current request (:func:`time.monotonic`), ``None`` while idle.
        self.since: float | None = None
        #: when it last became idle.
        self.idle_since = time.monotonic()
        #: whether its priority was lowered while it ran a long request.
        self.demoted = False

    def send(self, request: object, connection: Connection | None = None) -> None:
        """:raises QueryError: if the process has ended."""
        try:
            (connection or self.connection).send(request)
        except OSError as error:
            raise QueryError(f"the store worker process ended unexpectedly (exit code {self.process.exitcode})") from error

    def receive(self, deadline: float, connection: Connection | None = None) -> Ready | Chunk | Done | Failed:
        """The next message, waiting until ``deadline`` (a :func:`time.monotonic` time).

        :raises QueryTimeout: if none arrives in time.
        :raises QueryError: if the process has ended.
        """
        connection = connection or self.connection
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not connection.poll(remaining):
            raise QueryTimeout
        try:
            return connection.recv()
        except (EOFError, OSError) as error:
            self.process.join(1.0)
            raise QueryError(f"the store worker process ended unexpectedly (exit code {self.process.exitcode})") from error

    def wait_ready(self) -> None:
        """Wait for the worker's report that it started.

        :raises StoreError: the error that stopped it (the owner could not open the store).
        :raises QueryTimeout: if it does not report within :data:`STARTUP_LIMIT`.
        """
        if self.ready:
            return
        message = self.receive(time.monotonic() + STARTUP_LIMIT)
        if isinstance(message, Failed):
            raise message.error
        self.ready = True

    def kill(self) -> None:
        """End the process now and wait for it, leaving the pipes to whoever reads them."""
        self.process.kill()
        self.process.join()

    def end(self, grace: float = 0.0) -> None:
        """Let the process exit on its own within ``grace`` seconds (its pipes closed), else kill it; then wait for it."""
        self.connection.close()
        if self.side is not None:
            self.side.close()
        self.process.join(grace)
        if self.process.is_alive():
            self.kill()


def owner(path: Path, *, create: bool, patience: float = LOCK_PATIENCE) -> Worker:
    """A started owner of the store at ``path`` (created if missing when ``create``), ready; while another process
    holds the store, it is tried again for ``patience`` seconds (a server just stopped lets go as its processes end).

    :raises StoreError: if it cannot open the store (another process holds it still, it is missing and may not be
        created, or it cannot be created).
    """
    deadline = time.monotonic() + patience
    while True:
        worker = Worker(own, str(path), create, pipes=2)
        try:
            worker.wait_ready()
            return worker
        except StoreError as error:
            worker.end()
            if not error.held or time.monotonic() > deadline:
                raise
        except BaseException:
            worker.end()
            raise
        time.sleep(0.1)


def reader(prefixes: Mapping[str, str], context: Mapping[str, object] | None) -> Worker:
    """A reader process, starting (it reports ready when taken)."""
    return Worker(read, prefixes, context)


__all__ = ["STARTUP_LIMIT", "StoreError", "Worker", "owner", "reader"]
