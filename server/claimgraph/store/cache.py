"""A result cache in front of any store: the same query asked again at the same store generation is answered from
memory, without running it.

The key is every field of :class:`~claimgraph.store.base.Query` (query text, substitutions, dataset, media types,
row cap, union flag, base IRI), hashed by :func:`job_key`; an entry holds the answer's bytes and head and the store
:attr:`~claimgraph.store.base.Store.generation` it was computed at. The generation is read *before* the inner store
runs the query, so an answer computed while a write lands is never kept as the new generation's. When the
generation changes (a write through this store or any other way the inner store counts), the whole cache is
dropped at once: every entry is older than the write, and finding out which ones it left true would cost more
than running them again.

Only answers of at most ``max_entry_bytes`` are kept; bigger ones pass through as the inner store spooled them,
read once by the client, never copied into memory. Entries are evicted least recently used first to keep the
total of their bodies within ``max_bytes`` (0 keeps nothing). Errors are never kept. Queries whose answer may
differ between two runs over the same data (``RAND``, ``NOW``, ``UUID``, ``STRUUID``, or ``SERVICE``, which reads
another endpoint) always run (see :func:`cacheable`).

Two threads asking the same new query at once both run it; the second answer to arrive replaces the first.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import re
import threading
from collections.abc import Mapping
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.rdf.sparqltext import tokens
from claimgraph.store.base import Answer, Query, Store

#: the largest answer kept, in bytes; larger ones pass through spooled.
MAX_ENTRY_BYTES = 1024 * 1024
#: the keywords whose presence makes a query's answer change between runs over the same data, or come from elsewhere.
VOLATILE = ("RAND", "NOW", "UUID", "STRUUID", "SERVICE")


def job_key(job: Query) -> str:
    """A hash (hex SHA-256) of every field of ``job``: equal for equal jobs, different (but for a SHA-256 collision)
    for jobs that differ in any field, substitutions compared by value whatever their order."""
    fields = {field.name: _canonical(getattr(job, field.name)) for field in dataclasses.fields(job)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _canonical(value: object) -> object:
    """``value`` as JSON can hold it: terms in N-Triples syntax (tagged, so that no text can pass for a term)."""
    if isinstance(value, Mapping):
        return {str(name): _canonical(item) for name, item in value.items()}
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph):
        return {"term": str(value)}
    return value


#: any text holding a keyword of :data:`VOLATILE` holds one of these words: a quick test before the tokens are read.
_MAY_BE_VOLATILE = re.compile("|".join(VOLATILE), re.IGNORECASE)


def cacheable(job: Query) -> bool:
    """Whether two runs of ``job`` over the same data give the same answer: it calls none of :data:`VOLATILE` (as a
    keyword: a word in a string, an IRI or a comment does not count)."""
    if not _MAY_BE_VOLATILE.search(job.sparql):
        return True
    return not any(token.is_keyword(*VOLATILE) for token in tokens(job.sparql))


@dataclasses.dataclass(frozen=True)
class Counters:
    """What the cache has done since it was made, and what it holds now."""

    hits: int
    misses: int
    entries: int
    bytes: int
    evictions: int
    max_bytes: int

    @property
    def hit_rate(self) -> float:
        """Hits per query asked (0.0 before the first)."""
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0


@dataclasses.dataclass(frozen=True)
class _Entry:
    #: the answer as it came, its chunks read: its head, and any field a store adds to it.
    template: Answer
    body: bytes

    def answer(self) -> Answer:
        return dataclasses.replace(self.template, chunks=iter((self.body,)), length=len(self.body))


class CachingStore(Store):
    """``inner`` with its query answers kept in memory, per job, until its generation changes (see the module).

    :meth:`update`, :meth:`dump`, :attr:`generation`, :meth:`close`, :attr:`prefixes` and :attr:`context` are the
    inner store's. Safe to share between threads.

    :param max_bytes: the most bytes of answer bodies kept at once (0: nothing is kept, every query runs).
    :param max_entry_bytes: the largest answer kept.
    :raises ValueError: if either is negative.
    """

    def __init__(self, inner: Store, *, max_bytes: int, max_entry_bytes: int = MAX_ENTRY_BYTES) -> None:
        if max_bytes < 0 or max_entry_bytes < 0:
            raise ValueError(f"cache sizes must be 0 or more, got max_bytes={max_bytes}, max_entry_bytes={max_entry_bytes}")
        self.inner = inner
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._lock = threading.Lock()
        self._entries: collections.OrderedDict[str, _Entry] = collections.OrderedDict()
        self._generation = inner.generation
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._evictions = 0

    @property
    def prefixes(self) -> Mapping[str, str]:
        return self.inner.prefixes

    @property
    def context(self) -> Mapping[str, object] | None:
        return self.inner.context

    @property
    def generation(self) -> int:
        return self.inner.generation

    def query(self, job: Query) -> Answer:
        """The inner store's answer to ``job``, from memory when it was kept at the store's current generation.

        :raises: whatever the inner store's :meth:`~claimgraph.store.base.Store.query` raises; nothing is kept then.
        """
        generation = self.inner.generation
        # A volatile job is never kept, so looking it up finds nothing: it is told apart only on a miss.
        key = job_key(job) if self.max_bytes else None
        with self._lock:
            current = self._follow()
            entry = self._entries.get(key) if key is not None and generation == current else None
            if entry is not None:
                self._entries.move_to_end(key)
                self._hits += 1
                return entry.answer()
            self._misses += 1
        answer = self.inner.query(job)
        if key is None or answer.length > self.max_entry_bytes or not cacheable(job):
            return answer
        entry = _Entry(dataclasses.replace(answer, chunks=iter(()), length=0), answer.body())
        with self._lock:
            if generation == self._follow():
                self._keep(key, entry)
        return entry.answer()

    def _follow(self) -> int:
        """The inner store's generation; every entry is dropped if it changed since they were kept. Holds the lock."""
        current = self.inner.generation
        if current != self._generation:
            self._entries.clear()
            self._bytes = 0
            self._generation = current
        return current

    def _keep(self, key: str, entry: _Entry) -> None:
        """Keep ``entry``, evicting the least recently used ones past :attr:`max_bytes`. Holds the lock."""
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)
            self._evictions += 1

    def counters(self) -> Counters:
        """Hits, misses and evictions so far; entries and bytes held now (entries of an older generation not counted)."""
        with self._lock:
            self._follow()
            return Counters(self._hits, self._misses, len(self._entries), self._bytes, self._evictions, self.max_bytes)

    def latest(self, job: Query) -> Answer:
        """The inner store's :meth:`~claimgraph.store.base.Store.latest`, never cached (it is asked for what was just
        written)."""
        return self.inner.latest(job)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """The inner store's :meth:`~claimgraph.store.base.Store.update`; the entries it made stale are dropped."""
        try:
            self.inner.update(sparql, base_iri=base_iri)
        finally:
            with self._lock:
                self._follow()

    def dump(self, output: BinaryIO, format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        self.inner.dump(output, format, prefixes=prefixes)

    def close(self) -> None:
        """Drop every entry and close the inner store."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        self.inner.close()
