"""The worker pool: a :class:`~claimgraph.store.base.Store` whose queries and updates have a time limit that really
stops them, run in parallel across processes.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process that is
killed and replaced when its time is up. ``workers`` processes each hold the on-disk store open
read-only (an :class:`~claimgraph.store.embedded.EmbeddedStore`) and answer one query at a time,
serializing the answer with the same code as the embedded store and sending it back in chunks; this
process spools the whole answer (memory, then a temporary file) before returning it, so a slow client
holds no worker and a time limit never cuts a begun answer.

A read-only opener sees the store as it was when opened, and reading beside a writing process
is undefined. So writes take the pool's write lock: running queries finish (or reach their
deadline), new ones wait, the readers are ended, one fresh process opens the store read-write,
applies the update in one transaction and exits, and new readers open the store as it now is.
An update that outlives the time limit is killed before it commits, so nothing of it is kept.
Every later read sees an acknowledged write.

Workers speak to this process in the dataclasses below. Errors cross the pipe as themselves
(claimgraph's errors, pyoxigraph's ``SyntaxError`` with its message and position); a worker reports
that it is ready, or the error that stopped it opening the store, before it takes work.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import pickle
import queue
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.errors import Busy, ClaimgraphError, QueryError, QueryTimeout, StoreError
from claimgraph.store.base import CHUNK, Answer, Head, Query, Store, spool
from claimgraph.store.embedded import EmbeddedStore

__all__ = ["Answer", "Executor", "Query"]

_context = multiprocessing.get_context("spawn")
#: seconds a new worker may take to start and open the store (spawning one that imports the package takes about 1 s).
STARTUP_LIMIT = 60.0


#: What the idle queue holds once the pool is closed, in place of a free reader.
_CLOSED = object()


# The pipe protocol. To a reader: Run or Dump. From a reader: Ready or Failed once it has opened the store
# (or not), then for each request Chunk messages and one Done or Failed. From a writer: one Done or Failed.


@dataclasses.dataclass(frozen=True)
class Run:
    job: Query


@dataclasses.dataclass(frozen=True)
class Dump:
    #: the media type of the RDF format (pyoxigraph's format objects do not pickle).
    media_type: str
    prefixes: Mapping[str, str] | None


@dataclasses.dataclass(frozen=True)
class Ready:
    """The reader opened the store and takes work."""


@dataclasses.dataclass(frozen=True)
class Chunk:
    data: bytes


@dataclasses.dataclass(frozen=True)
class Done:
    #: the answer's head (``None`` for a dump or an update).
    head: Head | None = None


@dataclasses.dataclass(frozen=True)
class Failed:
    error: BaseException


class _Refused(Exception):
    """The writer answered with ``error``: it changed nothing (as opposed to a writer stopped or lost unanswered)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(error)
        self.error = error


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
        error.add_note("in the query worker:\n" + "".join(traceback.format_exception(error)))
    try:
        pickle.dumps(error)
    except (pickle.PicklingError, TypeError, AttributeError):
        return Failed(QueryError(f"{type(error).__name__}: {error}"))
    return Failed(error)


def _leave_signals_to_the_parent() -> None:
    """Ignore Ctrl-C (sent to the whole process group): the parent decides when a worker ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _read(connection: Connection, path: str, prefixes: Mapping[str, str], context: Mapping[str, object] | None) -> None:
    """A reader process: open the store read-only, say so, then answer requests until the pipe closes."""
    _leave_signals_to_the_parent()
    try:
        store = EmbeddedStore(Path(path), read_only=True, prefixes=prefixes, context=context)
    except StoreError as error:
        connection.send(Failed(error))
        return
    connection.send(Ready())
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        sender = _Sender(connection)
        head = None
        # Every error, bugs included, goes to the parent, which raises it where the query was asked (and logs bugs).
        try:
            if isinstance(request, Run):
                head = store.answer(request.job, sender)
            else:
                store.dump(sender, ox.RdfFormat.from_media_type(request.media_type), prefixes=request.prefixes)
            sender.flush()
        except Exception as error:
            connection.send(_failed(error))
        else:
            connection.send(Done(head))


def _write(connection: Connection, path: str, update: str | None, base_iri: str | None) -> None:
    """A writer process: open the store read-write (creating it), apply ``update`` if any, and exit (releasing the lock)."""
    _leave_signals_to_the_parent()
    try:
        store = EmbeddedStore(Path(path))
        if update is not None:
            store.update(update, base_iri=base_iri)
    except Exception as error:
        connection.send(_failed(error))
    else:
        connection.send(Done())


class _Worker:
    """A worker process and this process's end of its pipe."""

    def __init__(self, target: Callable, *args: object) -> None:
        self.connection, child = _context.Pipe()
        self.process = _context.Process(target=target, args=(child, *args), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def send(self, request: Run | Dump) -> None:
        """:raises QueryError: if the process has ended."""
        try:
            self.connection.send(request)
        except OSError as error:
            raise QueryError(f"the worker process ended unexpectedly (exit code {self.process.exitcode})") from error

    def receive(self, deadline: float) -> Ready | Chunk | Done | Failed:
        """The next message, waiting until ``deadline`` (a :func:`time.monotonic` time).

        :raises QueryTimeout: if none arrives in time.
        :raises QueryError: if the process has ended.
        """
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not self.connection.poll(remaining):
            raise QueryTimeout
        try:
            return self.connection.recv()
        except (EOFError, OSError) as error:
            self.process.join(1.0)
            raise QueryError(f"the worker process ended unexpectedly (exit code {self.process.exitcode})") from error

    def wait_ready(self) -> None:
        """Wait for the worker's report that it opened the store.

        :raises StoreError: the error that stopped it opening the store.
        :raises QueryTimeout: if it does not report within :data:`STARTUP_LIMIT`.
        """
        if self.ready:
            return
        message = self.receive(time.monotonic() + STARTUP_LIMIT)
        if isinstance(message, Failed):
            raise message.error
        self.ready = True

    def kill(self) -> None:
        """End the process now and wait for it, leaving the pipe to whoever reads it."""
        self.process.kill()
        self.process.join()

    def end(self, grace: float = 0.0) -> None:
        """Let the process exit on its own within ``grace`` seconds, else kill it; then wait for it and close the pipe.

        Readers hold nothing that needs a clean exit; a writer that has answered is given time to close the store.
        """
        self.process.join(grace)
        if self.process.is_alive():
            self.kill()
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


class Executor(Store):
    """The on-disk store at ``path`` behind ``workers`` reader processes; every query and update stops at ``timeout`` s.

    Creates the store when there is none, and returns once every reader has opened it.

    :param prefixes: prefixes for Turtle and TriG answers.
    :param context: the local JSON-LD context JSON-LD answers are compacted with.
    :raises StoreError: if the store cannot be created or opened (another process holds it read-write, or a
        reader cannot open it); no worker is left running.
    """

    def __init__(
        self,
        path: Path,
        *,
        workers: int,
        timeout: float,
        prefixes: Mapping[str, str] | None = None,
        context: Mapping[str, object] | None = None,
    ) -> None:
        self.path = path
        self.workers = workers
        self.timeout = timeout
        self.prefixes = dict(prefixes or {})
        self.context = context
        self._generation = 0
        self._lock = _ReadWriteLock()
        #: free readers; :data:`_CLOSED` once the pool is closed.
        self._idle: queue.Queue[_Worker | object] = queue.Queue()
        #: every worker process alive, and those of them answering a request.
        self._workers: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._guard = threading.Lock()
        self._closed = False
        try:
            self._run_writer(None)  # creates the store when there is none, so that readers can open it
        except _Refused as refusal:
            raise refusal.error from None
        try:
            for reader in self._start_readers():
                reader.wait_ready()
        except BaseException:
            self.close()
            raise

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def busy(self) -> int:
        """How many workers are answering a request now."""
        with self._guard:
            return len(self._busy)

    @property
    def pids(self) -> list[int]:
        """The process ids of the worker processes alive now (for monitoring)."""
        with self._guard:
            return [worker.process.pid for worker in self._workers if worker.process.is_alive()]

    def _start_readers(self) -> list[_Worker]:
        return [reader for _ in range(self.workers) if (reader := self._add_reader()) is not None]

    def _add_reader(self) -> _Worker | None:
        """A new reader, queued as idle; ``None`` once the pool is closed (spawned under the guard, so that
        :meth:`close` sees every worker)."""
        with self._guard:
            if self._closed:
                return None
            reader = _Worker(_read, str(self.path), self.prefixes, self.context)
            self._workers.add(reader)
        self._idle.put(reader)
        return reader

    def _take(self) -> _Worker:
        """A free reader that has opened the store, now marked busy; one that died while idle is replaced first.

        :raises Busy: if none became free within the time limit.
        :raises StoreError: if the reader (a replacement) could not open the store; it is replaced again.
        """
        while True:
            try:
                worker = self._idle.get(timeout=self.timeout)
            except queue.Empty:
                raise Busy(f"all {self.workers} query workers stayed busy for {self.timeout:g} s") from None
            if worker is _CLOSED:
                self._idle.put(_CLOSED)  # for the next waiter
                raise StoreError(f"the store at {self.path} was closed while the request waited for a worker")
            with self._guard:
                self._busy.add(worker)
            if worker.ready and not worker.process.is_alive():
                self._replace(worker)
                continue
            try:
                worker.wait_ready()
            except BaseException:
                self._replace(worker)
                raise
            return worker

    def _run(self, request: Run | Dump, sink: BinaryIO) -> Head | None:
        """Send ``request`` to a free reader and write what it sends back to ``sink``; the reader is free again on return.

        :raises: the error the reader sent; :class:`QueryTimeout` (the reader is ended and replaced); :class:`Busy`.
        """
        if self._closed:
            raise StoreError(f"the store at {self.path} is closed")
        if not self._lock.acquire_read(self.timeout):
            raise Busy("an update held the store for longer than the time limit")
        try:
            worker = self._take()
            deadline = time.monotonic() + self.timeout
            try:
                worker.send(request)
                while isinstance(message := worker.receive(deadline), Chunk):
                    sink.write(message.data)
            except QueryError as error:
                self._replace(worker)
                if self._closed:
                    raise StoreError("the store was closed while the query ran") from error
                raise
            except BaseException:
                self._replace(worker)
                raise
            self._release(worker)
        finally:
            self._lock.release_read()
        if isinstance(message, Failed):
            raise message.error
        return message.head

    def query(self, job: Query) -> Answer:
        """Run ``job`` on a free reader and take its whole answer, spooled.

        :raises: as :meth:`Store.query`; on :class:`QueryTimeout` the reader is ended and replaced.
        """
        body = spool()
        try:
            head = self._run(Run(job), body)
        except BaseException:
            body.close()
            raise
        return Answer.spooled(head, body)

    def dump(self, output: BinaryIO, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """As :meth:`Store.dump`, in a reader and within the time limit; on an error ``output`` may hold part of the dump."""
        self._run(Dump(format.media_type, prefixes), output)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """As :meth:`Store.update`, in a fresh writer process while no reader holds the store.

        :raises Busy: if running queries hold the store past the time limit; nothing is changed.
        :raises QueryTimeout: if it runs past the time limit; it is stopped and nothing is changed.
        """
        if not self._lock.acquire_write(self.timeout):
            raise Busy(f"running queries kept the store for longer than the time limit ({self.timeout:g} s); nothing was changed")
        refused = False
        try:
            self._end_idle()
            try:
                self._run_writer(sparql, base_iri)
            except _Refused as refusal:
                refused = True
                raise refusal.error from None
        finally:
            # A write the writer refused left the store as it was. An applied one, or one stopped or lost without
            # an answer (it may have committed in its last instant), starts a new generation: no cache outlives it.
            if not refused:
                self._generation += 1
            try:
                self._start_readers()
            finally:
                self._lock.release_write()

    def _run_writer(self, sparql: str | None, base_iri: str | None = None) -> None:
        with self._guard:
            if self._closed:
                raise StoreError(f"the store at {self.path} is closed")
            writer = _Worker(_write, str(self.path), sparql, base_iri)
            self._workers.add(writer)
        message: Done | Failed | None = None
        try:
            message = writer.receive(time.monotonic() + (self.timeout if sparql is not None else STARTUP_LIMIT))
        except QueryTimeout:
            # It may have committed in the last instant: then its answer is waiting.
            if not writer.connection.poll(0):
                raise
            message = writer.connection.recv()
        except QueryError:
            if self._closed:
                raise StoreError("the store was closed while the update ran, so it may not have been applied") from None
            raise
        finally:
            with self._guard:
                self._workers.discard(writer)
            writer.end(grace=self.timeout if isinstance(message, Done) else 0.0)
        if isinstance(message, Failed):
            raise _Refused(message.error)

    def _release(self, worker: _Worker) -> None:
        with self._guard:
            self._busy.discard(worker)
        if self._closed:
            self._end(worker)
        else:
            self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        """End ``worker`` and, unless the pool is closed, put a fresh reader in its place (it reports when taken)."""
        with self._guard:
            self._busy.discard(worker)
        self._end(worker)
        self._add_reader()

    def _end(self, worker: _Worker) -> None:
        with self._guard:
            self._workers.discard(worker)
        worker.end()

    def _end_idle(self) -> None:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            if worker is _CLOSED:
                self._idle.put(_CLOSED)
                return
            self._end(worker)

    def close(self) -> None:
        """End every worker process, busy ones too: a query running now, or waiting for a free worker, gets
        :class:`StoreError`."""
        with self._guard:
            self._closed = True
        self._end_idle()
        # Wakes the requests waiting for a free worker, at once rather than at the time limit.
        self._idle.put(_CLOSED)
        with self._guard:
            left = list(self._workers)
        # Busy workers are killed, not ended: the thread reading each one's pipe closes it when it sees the end.
        for worker in left:
            worker.kill()
