"""The worker pool: a :class:`~claimgraph.store.base.Store` whose queries have a time limit that really stops them,
run in parallel across processes, beside one process that owns the store and takes writes at once.

pyoxigraph cannot interrupt a running query, so each query runs in a reader process (:mod:`~claimgraph.store.workers`)
that is killed and replaced when its time is up. The layout:

- **One owner** holds the store read-write for the pool's life and applies each update in tens of microseconds; an
  update is acknowledged once it is in the write-ahead log, so it survives SIGKILL. Writes never wait for queries.
- **Readers** answer from snapshots (checkpoints of hard links the owner writes in milliseconds). A query asks for a
  snapshot at least as new as every write acknowledged before it; one snapshot serves every query that waited for it,
  so a stream of writes costs readers one snapshot per burst, not one per write. Every later read sees an
  acknowledged write. Snapshots no reader uses are deleted.
- **No query waits behind another.** Every query takes a free reader; when none is free, and fewer than
  ``max_workers`` run, a new one is forked (from a server process that has the package imported: milliseconds). While
  more queries run than there are cores, a reader whose query has run longer than :data:`DEMOTE_AFTER` is given a
  lower CPU priority (:data:`LOWER`), so the operating system runs short queries first whatever number of long ones
  are in flight; it gets its priority back when it is done (or is retired, where the system does not let it). Readers idle for :data:`IDLE_LIMIT` beyond ``workers`` are ended.
- **An update stopped at the time limit is reported as it ended**: the owner is killed, a new owner opens the store
  and looks for the update's marker (see :mod:`~claimgraph.store.workers`). Found, the update committed in its last
  instant and is answered as applied; not found, nothing of it is kept and :class:`QueryTimeout` says so.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.errors import Busy, QueryError, QueryTimeout, StoreError
from claimgraph.store import workers as processes
from claimgraph.store.base import Answer, Head, Query, Store, spool
from claimgraph.store.workers import STARTUP_LIMIT, Chunk, Done, Failed, Worker

__all__ = ["Answer", "Executor", "Query", "STARTUP_LIMIT"]

log = logging.getLogger(__name__)

#: seconds a query runs before its reader may be given a lower CPU priority.
DEMOTE_AFTER = 0.1
#: seconds a reader beyond ``workers`` may stay idle before it is ended.
IDLE_LIMIT = 30.0
#: how often the pool looks at its readers (priorities, idle ones).
TICK = 0.02
#: the CPU priority (``nice`` value) a long query runs at while more queries run than there are cores: a short query
#: then gets about nine times the CPU time of each long one, and a long one never starves behind other programs.
LOWER = 10
#: the cores queries share.
CORES = os.cpu_count() or 1


class _Snapshot:
    """A snapshot directory, the generation it holds (every write acknowledged before it was asked), and how many
    requests are about to read it."""

    def __init__(self, directory: Path, generation: int) -> None:
        self.directory = directory
        self.generation = generation
        self.pins = 0


class Executor(Store):
    """The on-disk store at ``path`` behind an owner process and ``workers`` to ``max_workers`` reader processes;
    every query stops at ``timeout`` s.

    Creates the store when there is none, and returns once the owner holds it and ``workers`` readers are ready.

    :param prefixes: prefixes for Turtle and TriG answers.
    :param context: the local JSON-LD context JSON-LD answers are compacted with.
    :raises StoreError: if the store cannot be created or opened (another process holds it read-write); no worker is
        left running.
    """

    def __init__(
        self,
        path: Path,
        *,
        workers: int,
        timeout: float,
        max_workers: int | None = None,
        prefixes: Mapping[str, str] | None = None,
        context: Mapping[str, object] | None = None,
    ) -> None:
        self.path = path
        self.workers = workers
        self.max_workers = max(workers, max_workers if max_workers is not None else 16 * workers)
        self.timeout = timeout
        self.prefixes = dict(prefixes or {})
        self.context = context
        self._generation = 0
        self._guard = threading.Condition()
        self._closed = False
        #: every reader alive; the idle ones, most recently used last.
        self._readers: set[Worker] = set()
        self._idle: list[Worker] = []
        self._writing = threading.Lock()
        self._snapshotting = threading.Lock()
        self._snapshots_dir = path.parent / f"{path.name}.snapshots"
        self._snapshots: list[_Snapshot] = []
        self._numbered = 0
        self._owner = processes.owner(path, create=True)
        try:
            shutil.rmtree(self._snapshots_dir, ignore_errors=True)
            self._snapshots_dir.mkdir(parents=True)
            self._snapshot(0)
            for reader in [self._add_reader() for _ in range(workers)]:
                reader.wait_ready()
                self._release(reader)
        except BaseException:
            self.close()
            raise
        self._watcher = threading.Thread(target=self._watch, name="claimgraph-pool", daemon=True)
        self._watcher.start()

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def busy(self) -> int:
        """How many readers are answering a request now."""
        with self._guard:
            return len(self._readers) - len(self._idle)

    @property
    def pids(self) -> list[int]:
        """The process ids of the reader processes alive now (for monitoring)."""
        with self._guard:
            return [reader.process.pid for reader in self._readers if reader.process.is_alive()]

    @property
    def owner_pid(self) -> int:
        """The process id of the process that owns the store now."""
        return self._owner.process.pid

    # ------------------------------------------------------------ snapshots

    def _snapshot(self, generation: int) -> _Snapshot:
        """A new snapshot holding at least ``generation``, made by the owner (under :attr:`_snapshotting`, or at start).

        :raises StoreError, QueryError: if the owner could not write it.
        """
        self._numbered += 1
        directory = self._snapshots_dir / str(self._numbered)
        for attempt in (1, 2):
            owner = self._owner
            with self._guard:
                if self._closed:
                    raise StoreError(f"the store at {self.path} is closed")
            try:
                owner.send(processes.Backup(str(directory)), owner.side)
                message = owner.receive(time.monotonic() + STARTUP_LIMIT, owner.side)
                break
            except (QueryError, QueryTimeout, OSError):
                # The owner died, was replaced while it wrote, or is stuck (its late answer would be read for the next
                # snapshot): a live owner answers the second try.
                with self._writing:
                    if attempt == 2 or self._closed:
                        raise
                    shutil.rmtree(directory, ignore_errors=True)
                    if self._owner is owner:
                        self._restart_owner()
        if isinstance(message, Failed):
            raise message.error
        snapshot = _Snapshot(directory, generation)
        with self._guard:
            self._snapshots.append(snapshot)
        return snapshot

    def _fresh(self) -> _Snapshot:
        """The newest snapshot, made first if a write was acknowledged since; pinned until :meth:`_unpin`."""
        wanted = self._generation
        with self._snapshotting:
            latest = self._snapshots[-1]
            if latest.generation < wanted:
                # Read before the owner is asked: every write acknowledged by now is in the snapshot.
                latest = self._snapshot(self._generation)
                self._collect()
            with self._guard:
                latest.pins += 1
            return latest

    def _unpin(self, snapshot: _Snapshot) -> None:
        with self._guard:
            snapshot.pins -= 1

    def _collect(self) -> None:
        """Delete the snapshots that are not the newest, that no request is about to read and no reader has open."""
        with self._guard:
            used = {reader.snapshot for reader in self._readers}
            old = [s for s in self._snapshots[:-1] if not s.pins and str(s.directory) not in used]
            self._snapshots = [s for s in self._snapshots if s not in old]
        for snapshot in old:
            shutil.rmtree(snapshot.directory, ignore_errors=True)

    # ------------------------------------------------------------ readers

    def _add_reader(self) -> Worker:
        """A new reader, counted as busy until released; spawned under the guard so that :meth:`close` sees it.

        :raises StoreError: once the pool is closed.
        """
        with self._guard:
            if self._closed:
                raise StoreError(f"the store at {self.path} is closed")
            reader = processes.reader(self.prefixes, self.context)
            self._readers.add(reader)
            return reader

    def _take(self) -> Worker:
        """A free reader, started and marked busy: an idle one, else a new one while fewer than ``max_workers`` run,
        else the first to come free.

        :raises Busy: if none came free within the time limit.
        :raises StoreError: if the pool was closed meanwhile.
        """
        deadline = time.monotonic() + self.timeout
        with self._guard:
            while True:
                if self._closed:
                    raise StoreError(f"the store at {self.path} was closed while the request waited for a worker")
                if self._idle:
                    reader = self._idle.pop()
                    if reader.process.is_alive():
                        break
                    self._readers.discard(reader)
                    continue
                if len(self._readers) < self.max_workers:
                    reader = None
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Busy(f"all {self.max_workers} query workers stayed busy for {self.timeout:g} s")
                self._guard.wait(remaining)
        if reader is None:
            reader = self._add_reader()
        try:
            reader.wait_ready()
        except BaseException:
            self._end(reader)
            raise
        with self._guard:
            reader.since = time.monotonic()
        return reader

    def _release(self, reader: Worker) -> None:
        """``reader`` is free again: back to full priority (or retired where that is not allowed) and idle."""
        with self._guard:
            reader.since = None
            demoted, reader.demoted = reader.demoted, False
        if demoted:
            try:
                os.setpriority(os.PRIO_PROCESS, reader.process.pid, 0)
            except (PermissionError, ProcessLookupError):
                self._end(reader)
                return
        with self._guard:
            if self._closed:
                retire = True
            else:
                retire = False
                reader.idle_since = time.monotonic()
                self._idle.append(reader)
                self._guard.notify()
        if retire:
            self._end(reader)

    def _end(self, reader: Worker) -> None:
        with self._guard:
            self._readers.discard(reader)
            if reader in self._idle:
                self._idle.remove(reader)
            self._guard.notify()
        reader.end()

    def _watch(self) -> None:
        """Lower the priority of readers running long queries; end readers idle too long beyond ``workers``."""
        while not self._closed:
            time.sleep(TICK)
            now = time.monotonic()
            with self._guard:
                started = {reader: reader.since for reader in self._readers}
                busy = [reader for reader, since in started.items() if since is not None]
                long_running = [
                    reader for reader in busy if not reader.demoted and now - started[reader] > DEMOTE_AFTER
                ] if len(busy) > CORES else []
                # Marked under the guard, as _release reads it there: a reader released meanwhile gets its priority back.
                for reader in long_running:
                    reader.demoted = True
                spare = len(self._readers) - self.workers
                stale = [r for r in self._idle[:max(spare, 0)] if now - r.idle_since > IDLE_LIMIT]
                for reader in stale:
                    self._idle.remove(reader)
                    self._readers.discard(reader)
            for reader in long_running:
                try:
                    os.setpriority(os.PRIO_PROCESS, reader.process.pid, LOWER)
                    with self._guard:
                        released = reader.since != started[reader]
                    if released:  # released between the look and the change: it takes its next query at full priority
                        os.setpriority(os.PRIO_PROCESS, reader.process.pid, 0)
                except (ProcessLookupError, PermissionError, TypeError):
                    continue
            for reader in stale:
                reader.end()

    def _run(self, request: processes.Run | processes.Dump, sink: BinaryIO) -> Head | None:
        """Send ``request`` to a free reader, on a snapshot holding every acknowledged write, and write what it sends
        back to ``sink``.

        :raises: the error the reader sent; :class:`QueryTimeout` (the reader is ended); :class:`Busy`.
        """
        if self._closed:
            raise StoreError(f"the store at {self.path} is closed")
        snapshot = self._fresh()
        try:
            reader = self._take()
            request = type(request)(**{**request.__dict__, "snapshot": str(snapshot.directory)})
            reader.snapshot = request.snapshot
            limit = request.job.timeout if isinstance(request, processes.Run) and request.job.timeout else self.timeout
            deadline = time.monotonic() + limit
            try:
                reader.send(request)
                while isinstance(message := reader.receive(deadline), Chunk):
                    sink.write(message.data)
            except QueryError as error:
                self._end(reader)
                if self._closed:
                    raise StoreError("the store was closed while the query ran") from error
                raise
            except BaseException:
                self._end(reader)
                raise
            self._release(reader)
        finally:
            self._unpin(snapshot)
        if isinstance(message, Failed):
            raise message.error
        return message.head

    def query(self, job: Query) -> Answer:
        """Run ``job`` on a free reader and take its whole answer, spooled.

        :raises: as :meth:`Store.query`; on :class:`QueryTimeout` the reader is ended.
        """
        body = spool()
        try:
            head = self._run(processes.Run(job, ""), body)
        except BaseException:
            body.close()
            raise
        return Answer.spooled(head, body)

    def dump(self, output: BinaryIO, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """As :meth:`Store.dump`, in a reader and within the time limit; on an error ``output`` may hold part of the dump."""
        self._run(processes.Dump(format.media_type, prefixes, ""), output)

    # ------------------------------------------------------------ writes

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """As :meth:`Store.update`: applied by the owner, acknowledged once it survives the end of any process.

        :raises Busy: if earlier updates held the owner past the time limit; nothing is changed.
        :raises QueryTimeout: if it ran past the time limit and was stopped before it committed; nothing is changed.
            (One that committed in its last instant returns as applied.)
        :raises QueryError: if the owner ended while it ran and the update was not applied.
        """
        if not self._writing.acquire(timeout=self.timeout):
            raise Busy(f"earlier updates held the store for longer than the time limit ({self.timeout:g} s); nothing was changed")
        try:
            update = processes.Update(sparql, base_iri, uuid.uuid4().hex)
            if not self._owner.process.is_alive():
                self._restart_owner()
            for attempt in (1, 2):
                try:
                    message = self._send_update(self._owner, update)
                    break
                except (QueryTimeout, QueryError) as stopped:
                    # A new owner replaces the stopped one (so no answer is ever read for the wrong update) and
                    # looks for the update's marker.
                    if self._applied_after_restart(update.marker):
                        log.warning("an update whose owner was stopped had committed in its last instant; answered as applied")
                        message = Done()
                        break
                    # Not applied. Past the time limit, that is the answer; an owner ended from outside before the
                    # update committed, and the new one is given it once.
                    if isinstance(stopped, QueryTimeout) or attempt == 2:
                        raise
            if isinstance(message, Failed):
                raise message.error
            self._generation += 1
        finally:
            self._writing.release()

    def latest(self, job: Query) -> Answer:
        """As :meth:`Store.latest`: answered by the owner from the store as written, between two updates, so no
        snapshot is written for it; within ``job``'s time limit (else the store's), past which the owner is replaced.

        :raises: as :meth:`Store.query`.
        """
        if not self._writing.acquire(timeout=self.timeout):
            raise Busy(f"updates held the store for longer than the time limit ({self.timeout:g} s)")
        try:
            if not self._owner.process.is_alive():
                self._restart_owner()
            owner = self._owner
            try:
                owner.send(processes.Latest(job))
                message = owner.receive(time.monotonic() + (job.timeout or self.timeout))
            except (QueryTimeout, QueryError):
                self._restart_owner()  # so that its late answer is never read for the next request
                raise
        finally:
            self._writing.release()
        if isinstance(message, Failed):
            raise message.error
        body = spool()
        body.write(message.body)
        return Answer.spooled(message.head, body)

    def _send_update(self, owner: Worker, update: processes.Update) -> Done | Failed:
        """:raises QueryTimeout: if ``owner`` does not answer within the time limit; QueryError: if it ended."""
        owner.send(update)
        return owner.receive(time.monotonic() + self.timeout)

    def _applied_after_restart(self, marker: str) -> bool:
        """End the owner, start a new one, and ask it whether the update with ``marker`` committed."""
        owner = self._restart_owner()
        try:
            owner.send(processes.Applied(marker))
            message = owner.receive(time.monotonic() + STARTUP_LIMIT)
        except BaseException:
            owner.kill()  # the next update starts a new one rather than read this one's late answer
            raise
        if isinstance(message, Failed):
            raise message.error
        return bool(message.value)

    def _restart_owner(self) -> Worker:
        """A new owner in place of the one there (killed first); under :attr:`_writing`."""
        self._owner.kill()
        self._owner.end()
        if self._closed:
            raise StoreError(f"the store at {self.path} was closed while the update ran")
        # The store exists: one missing now was moved or deleted, and an empty one in its place would lose nothing less.
        self._owner = processes.owner(self.path, create=False)
        if self._closed:
            self._owner.end(grace=5.0)
            raise StoreError(f"the store at {self.path} was closed while the update ran")
        return self._owner

    def close(self) -> None:
        """End every worker process, busy ones too: a query running now, or waiting for a free worker, gets
        :class:`StoreError`. Writes acknowledged before are kept."""
        with self._guard:
            self._closed = True
            left = list(self._readers)
            self._idle.clear()
            self._guard.notify_all()
        # Busy readers are killed, not ended: the thread reading each one's pipe closes it when it sees the end.
        for reader in left:
            reader.kill()
        owner = getattr(self, "_owner", None)
        if owner is not None:
            owner.end(grace=5.0)
        shutil.rmtree(self._snapshots_dir, ignore_errors=True)
