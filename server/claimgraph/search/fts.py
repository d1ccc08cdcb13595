"""The full-text index of claims and of what they speak of (a :class:`~claimgraph.search.query.SearchIndex`):
SQLite FTS5, from Python's standard library, kept in step with the store by incremental updates after each write and
rebuilt in the background when it fell behind, so that no search ever waits for a rebuild.

What is indexed. One row per claim (``cg:Claim``, and ``cg:ClaimFromReview``: a claim known only from a
fact-checker's review, marked so, with no source or quotes) with six columns: its words (``schema:text``), the exact
words of its evidence (``oa:exact`` of the selectors of its ``cg:evidence``), the names of what it is about
(``schema:about``, ``cg:cause``, ``cg:effect``), of its speaker (``schema:author``) and of its source
(``schema:appearance``, archived sources only), and the titles and explanations of its reviews (``schema:headline``,
``schema:reviewBody`` of each ``schema:ClaimReview`` of it, so that "Antwerp" finds a claim a reviewer refuted by
Antwerp's cameras); a name is any ``schema:name``, ``schema:headline``, ``rdfs:label`` or ``skos:prefLabel``.
So "Vilvoorde" finds the claims about the city as well as those that name it, and "buddy" the claims about the
buddy system. One row per entity a claim speaks of (what it is about, its speaker, its source, and the places
those lie in by ``schema:location`` / ``schema:areaServed`` / ``schema:containedInPlace``), by its names, so that
a search shows the matching people, places, policies and outcomes too. Beside the text, the claims' facet values
(:data:`~claimgraph.search.query.FACETS`; ``rating`` the verdict of each of its reviews by
:func:`vocabulary.verdict_of`, or :data:`~claimgraph.search.query.NOT_REVIEWED`), the labels of the IRIs they name,
each claim's texts by the key the review matcher compares them by (``text_key``: :meth:`FullTextIndex.claims_with_text`),
and what each row was read from (:mod:`claimgraph.search.reading`).

Ranking and matching. ``bm25`` with the column weights of :data:`WEIGHTS` (a claim's own words first, then its
quotes, then names); the score given out is ``-bm25``, higher is better. The tokenizer is ``unicode61`` without
diacritics under ``porter`` stemming: "refugee" finds "refugees", "cafe" finds "café". What a user types is read
by :meth:`Match.parse`, never handed to FTS5 as its own syntax.

Following writes. Every write path of the service calls :meth:`FullTextIndex.written` with the named graphs it
changed, right after the store applied the write and before its answer is sent: the rows read from those graphs
(:attr:`ClaimRow.graphs`), of claims with a quad in them now, or of claims whose nodes (:attr:`ClaimRow.nodes`)
have one, are read again, the others are left be; so a write is found by any search made after its 204 or 201.
``None`` (graphs unknown) rebuilds the whole index in the caller's thread, while searches go on answering from the
old one until the new one is swapped in. The index then counts itself current at the store's new generation if that
is the one after the generation it was current at (the stores count writes one by one); else a write went by
without :meth:`~FullTextIndex.written` (a write behind claimgraph's back, or two at once), and the next search
starts a rebuild in a background thread. Searches never wait for a rebuild: they answer from the last complete
index. A failed rebuild is logged once and tried again after a pause that doubles from :data:`RETRY` up to
:data:`MAX_RETRY`; :meth:`FullTextIndex.state` tells the generation indexed, whether a rebuild runs, and the last
error. Writes :meth:`~FullTextIndex.written` reports while a rebuild runs are applied to the index in use at once,
and to the new one before it is swapped in.

Threads. Each database is an in-memory SQLite connection used by one thread at a time, under a lock: gunicorn's
threads share it, a search holds it for about a millisecond, an incremental update for as long as it writes its
rows (the store is read before the lock is taken).

Cost. A full build reads the store with a dozen SELECT queries, about 0.4 ms per claim (30 s at 74,000 claims);
an incremental update reads only the claims it touches, by the same queries each opened by a ``VALUES`` block.
"""


from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Set

import pyoxigraph as ox

from claimgraph.errors import Busy, QueryError, QueryTimeout, StoreError
from claimgraph.rdf import vocabulary
from claimgraph.search.query import (
    FACETS, RATINGS, ClaimHit, EntityHit, FacetValue, IndexState, Marked, Match, Results, SearchIndex,
)
from claimgraph.search.reading import CLOSE as _CLOSE, OPEN as _OPEN, ClaimRow, Read, Reader, clean, key
from claimgraph.store.base import Store, Term

_LOG = logging.getLogger(__name__)
#: The namespaces of the prefixed names the queries use, beside ``cg:`` (the ontology's, given to the index).
_NAMESPACES = {
    "schema": "http://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
#: The columns of a claim's row, and their bm25 weights: the claim's own words count most, a reviewer's words least.
COLUMNS = ("text", "quote", "about", "speaker", "source", "review")
WEIGHTS = (10.0, 4.0, 2.0, 1.0, 1.0, 0.5)
_TOKENIZER = "porter unicode61 remove_diacritics 2"
_ELLIPSIS = "…"
SNIPPET_TOKENS = 16
#: Seconds before a failed rebuild is tried again, doubling after each failure up to :data:`MAX_RETRY`.
RETRY = 1.0
#: seconds one of the index's reads of the store may run (a full build reads every claim).
READ_LIMIT = 600.0
MAX_RETRY = 300.0
#: What a store raises when it cannot be read: a rebuild that meets one is tried again later.
_STORE_FAILURES = (QueryTimeout, Busy, StoreError, QueryError)
#: SQLite binds at most 32,766 parameters per statement: lists of keys go in chunks.
_CHUNK = 500


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(items)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def _placeholders(items: Collection[object]) -> str:
    return ", ".join("?" * len(items))


class FullTextIndex(SearchIndex):
    """The FTS5 index of ``store`` (see the module's docstring), built from creation on in a thread of its own; the
    first search waits for that build, and raises :class:`StoreError` (with the store's error) if it failed.

    ``text_key`` is how the review matcher compares texts (:func:`claimgraph.model.text.normal_text`), for
    :meth:`claims_with_text`; ``None`` leaves that table empty. ``retry`` is the first pause after a failed rebuild
    (seconds, doubling after each failure up to :data:`MAX_RETRY`).
    """

    def __init__(self, store: Store, *, text_key: Callable[[str], str] | None = None, retry: float = RETRY) -> None:
        self._store = store
        self._retry = retry
        self._text_key = text_key
        self._namespaces = {"cg": vocabulary.CG, **_NAMESPACES}
        self._prefixes = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in self._namespaces.items())
        #: held while a database is used (searched, written) or swapped.
        self._lock = threading.Lock()
        #: held by one incremental update at a time, and by a rebuild while it catches up and swaps.
        self._writing = threading.Lock()
        #: held by one full rebuild at a time.
        self._rebuilding = threading.Lock()
        #: the graphs written (and the store's generation after) while a rebuild runs; ``None`` when none runs.
        self._pending: list[tuple[frozenset[str], int]] | None = None
        self._thread: threading.Thread | None = None
        self._error: str | None = None
        self._failures = 0
        self._retry_at = 0.0
        #: how many claims' rows the last incremental update read (and the total since the index was built).
        self.reindexed = 0
        self.reindexed_total = 0
        self._database: sqlite3.Connection | None = None
        self._generation: int | None = None
        #: the writes through claimgraph between their update and the end of their :meth:`written` (see :meth:`following`).
        self._in_flight = 0
        self._flight = threading.Lock()
        # Built in the background, so that a server starts at once whatever the store's size (at millions of triples
        # the build takes minutes); the first search waits for it.
        self._start_rebuild()

    # ------------------------------------------------------------ state

    def state(self) -> IndexState:
        return IndexState(
            generation=self._generation,
            store_generation=self._store.generation,
            building=self._thread is not None or self._pending is not None,
            error=self._error,
        )

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background rebuild running now (if any) to end; whether it ended within ``timeout``."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # ------------------------------------------------------------ building

    def refresh(self) -> None:
        with self._rebuilding:
            self._rebuild()

    def _rebuild(self) -> None:
        """Build a new database from the store and swap it in, with the writes reported meanwhile applied to it.

        :raises QueryTimeout, Busy, StoreError, QueryError: if the store cannot be read; the index is left as it was.
        """
        with self._writing:
            self._pending = []
            # Read before the queries: a write while they run leaves the index older than the store, and rebuilt again.
            generation = self._store.generation
        try:
            database = _new_database()
            read = self._reader(None).read()
            _write(database, read, frozenset(read.claims), set(), full=True)
            with self._writing:
                pending = self._pending
                for graphs, nodes, _ in pending:
                    self._update(database, graphs, nodes)
                with self._lock:
                    old, self._database = self._database, database
                # The writes reported while the build ran and not seen by it are counted in; any other one is not.
                self._generation = generation + sum(1 for _, _, after in pending if after > generation)
                self._error, self._failures = None, 0
        finally:
            with self._writing:
                self._pending = None
        if old is not None:
            old.close()

    def _background(self) -> None:
        """A rebuild in a thread of its own; a failure is logged and the next try put off (see the module's docstring)."""
        try:
            with self._rebuilding:
                if self._store.generation != self._generation:
                    self._rebuild()
        except _STORE_FAILURES as error:
            self._failures += 1
            pause = min(self._retry * 2 ** (self._failures - 1), MAX_RETRY)
            self._retry_at = time.monotonic() + pause
            self._error = f"{type(error).__name__}: {error}"
            _LOG.warning("the search index could not be rebuilt (try %d), tried again in %.0f s: %s",
                         self._failures, pause, self._error)
        finally:
            self._thread = None

    def _follow(self) -> None:
        """Start a background rebuild when the store moved on without :meth:`written`, none runs and no failure
        asks for a pause."""
        if (self._store.generation != self._generation and self._thread is None and not self._in_flight
                and time.monotonic() >= self._retry_at):
            self._start_rebuild()
        if self._database is None:
            self.wait()
            if self._database is None:
                raise StoreError(f"the search index could not be built yet: {self._error}")

    @contextlib.contextmanager
    def following(self) -> Iterator[None]:
        with self._flight:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._flight:
                self._in_flight -= 1
                # Every write through claimgraph so far has been followed (none is between its update and its
                # written): the index is current, unless a rebuild runs (it counts them in) or a write could not be
                # followed (a rebuild is due).
                if not self._in_flight and self._pending is None and self._error is None and self._database is not None:
                    self._generation = self._store.generation

    def _start_rebuild(self) -> None:
        """Start a background rebuild unless one runs."""
        with self._writing:
            if self._thread is None and self._pending is None:
                self._thread = threading.Thread(target=self._background, name="search-index-rebuild", daemon=True)
                self._thread.start()

    def written(self, graphs: Set[str] | None, nodes: Set[ox.NamedNode] | None = None) -> None:
        generation = self._store.generation
        if graphs is None:
            try:
                with self._rebuilding:
                    self._rebuild()
            except _STORE_FAILURES as error:
                # The write is done: its answer stands; the next search starts a rebuild that catches it up.
                self._error = f"{type(error).__name__}: {error}"
                _LOG.warning("the search index could not be rebuilt after a write: %s", self._error)
            return
        graphs = frozenset(graphs)
        with self._writing:
            before = self._generation
            if self._pending is not None:
                self._pending.append((graphs, nodes, generation))
            if self._database is None:
                # The first build runs: it reads the store after this write, or replays it from the pending list.
                return
            try:
                self._update(self._database, graphs, nodes)
            except _STORE_FAILURES as error:
                # The write is done: its answer stands; the next search starts a rebuild that catches it up.
                self._error = f"{type(error).__name__}: {error}"
                _LOG.warning("the search index could not follow a write to %s: %s", ", ".join(sorted(graphs)), self._error)
                return
            if self._pending is None and before is not None and generation == before + 1:
                self._generation = generation

    def _update(self, database: sqlite3.Connection, graphs: frozenset[str], nodes: Set[Term] | None = None) -> None:
        """Read again the rows of ``database`` that depend on ``graphs``, or, when the write's ``nodes`` are known
        (the subjects and IRI objects of its quads), on those nodes alone (see the module's docstring)."""
        if not graphs:
            return
        if nodes is None:
            values = f"VALUES ?graph {{ {' '.join(str(ox.NamedNode(graph)) for graph in sorted(graphs))} }}"
            nodes = {
                row["node"] for row in self._select_latest(
                    f"SELECT DISTINCT ?node WHERE {{ {values} {{ GRAPH ?graph {{ ?node ?p ?o }} }} "
                    f"UNION {{ GRAPH ?graph {{ ?review schema:itemReviewed ?node }} }} }}"
                )
            }
            whole = graphs
        else:
            whole = frozenset()
        keys = {key(node) for node in nodes}
        with self._lock:
            affected = _claims_of(database, whole, keys)
        candidates = affected | {node.value for node in nodes if isinstance(node, ox.NamedNode)}
        read = self._reader(candidates).read(labels_of={node.value for node in nodes if isinstance(node, ox.NamedNode)})
        with self._lock:
            _write(database, read, affected, {node.value for node in nodes if isinstance(node, ox.NamedNode)})
        self.reindexed = len(read.claims)
        self.reindexed_total += len(read.claims)

    def _reader(self, claims: Collection[str] | None) -> Reader:
        # A full build reads every claim from the readers; following a write reads a few, from the store as written.
        return Reader(self._select if claims is None else self._select_latest, self._namespaces, self._text_key, claims)

    def _select(self, sparql: str) -> list[dict[str, Term]]:
        # The index reads every claim at once: at millions of triples that takes longer than a client's query may.
        return self._store.select(self._prefixes + sparql, timeout=READ_LIMIT)

    def _select_latest(self, sparql: str) -> list[dict[str, Term]]:
        return self._store.select(self._prefixes + sparql, timeout=READ_LIMIT, latest=True)

    # ------------------------------------------------------------ searching

    def search(self, match, facets=None, *, limit, offset=0, entities=0):
        facets = dict(facets or {})
        for name in facets:
            if name not in FACETS:
                raise ValueError(f"unknown facet {name!r}; facets: {', '.join(FACETS)}")
        self._follow()
        with self._lock:
            return _Search(self._database, match, facets).results(limit, offset, entities)

    def matching(self, match, limit):
        self._follow()
        with self._lock:
            rows = self._database.execute(
                f"SELECT claim.iri, -{_BM25} FROM claim_text JOIN claim ON claim.id = claim_text.rowid "
                f"WHERE claim_text MATCH ? ORDER BY {_BM25}, claim.iri LIMIT ?",
                (match.fts5(), limit),
            ).fetchall()
        return [(iri, score) for iri, score in rows]

    def claims_with_text(self, texts: Iterable[str]) -> set[str]:
        """The IRIs of the claims whose words, or the exact words of one of whose evidence spans, have the key
        (``text_key``) of one of ``texts``: the claims a review of one of them can be matched to. Empty without a
        ``text_key``."""
        if self._text_key is None:
            return set()
        self._follow()
        found: set[str] = set()
        with self._lock:
            for chunk in _chunks({self._text_key(text) for text in texts}):
                found.update(iri for (iri,) in self._database.execute(
                    f"SELECT DISTINCT claim.iri FROM claim_key JOIN claim ON claim.id = claim_key.claim "
                    f"WHERE claim_key.key IN ({_placeholders(chunk)})", chunk))
        return found


_BM25 = f"bm25(claim_text, {', '.join(map(str, WEIGHTS))})"
#: Claims known only from a review last: they have no source to be read in.
_ORDER = "claim.from_review IS NOT NULL, claim.source_key, claim.position, claim.iri"
_SCHEMA = f"""
CREATE VIRTUAL TABLE claim_text USING fts5({', '.join(COLUMNS)}, tokenize = '{_TOKENIZER}');
CREATE TABLE claim (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, text TEXT NOT NULL,
                    source_key TEXT NOT NULL, position INTEGER NOT NULL, from_review TEXT);
CREATE TABLE facet (claim INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (facet, value, claim));
CREATE INDEX facet_of_claim ON facet (claim);
CREATE TABLE label (iri TEXT PRIMARY KEY, label TEXT NOT NULL);
CREATE VIRTUAL TABLE entity_text USING fts5(name, tokenize = '{_TOKENIZER}');
CREATE TABLE entity (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, types TEXT NOT NULL);
CREATE TABLE mention (entity TEXT NOT NULL, claim INTEGER NOT NULL, PRIMARY KEY (entity, claim));
CREATE INDEX mention_of_claim ON mention (claim);
CREATE TABLE claim_key (key TEXT NOT NULL, claim INTEGER NOT NULL, PRIMARY KEY (key, claim));
CREATE INDEX key_of_claim ON claim_key (claim);
CREATE TABLE claim_node (node TEXT NOT NULL, claim INTEGER NOT NULL, PRIMARY KEY (node, claim));
CREATE INDEX node_of_claim ON claim_node (claim);
CREATE TABLE claim_graph (graph TEXT NOT NULL, claim INTEGER NOT NULL, PRIMARY KEY (graph, claim));
CREATE INDEX graph_of_claim ON claim_graph (claim);
"""
#: The tables keyed by a claim's id, emptied of a claim's rows before it is written again.
_CLAIM_TABLES = ("facet", "mention", "claim_key", "claim_node", "claim_graph")


def _new_database() -> sqlite3.Connection:
    database = sqlite3.connect(":memory:", check_same_thread=False)
    database.executescript(_SCHEMA)
    return database


def _claims_of(database: sqlite3.Connection, graphs: Collection[str], nodes: Collection[str]) -> set[str]:
    """The IRIs of the claims whose rows were read from one of ``graphs`` or through one of ``nodes``."""
    found: set[str] = set()
    for table, column, items in (("claim_graph", "graph", graphs), ("claim_node", "node", nodes)):
        for chunk in _chunks(items):
            found.update(iri for (iri,) in database.execute(
                f"SELECT DISTINCT claim.iri FROM {table} JOIN claim ON claim.id = {table}.claim "
                f"WHERE {table}.{column} IN ({_placeholders(chunk)})", chunk))
    return found


def _write(database: sqlite3.Connection, read: Read, replaced: Collection[str], labelled: Collection[str], *,
           full: bool = False) -> None:
    """Write the rows of ``read`` into ``database``, in place of the rows of ``replaced`` (claim IRIs: those no
    longer read are removed), and the labels read in place of those of ``labelled`` and of what ``read`` names."""
    touched: set[str] = set()
    if not full:
        for chunk in _chunks(set(replaced) | set(read.claims)):
            ids = [number for (number,) in database.execute(f"SELECT id FROM claim WHERE iri IN ({_placeholders(chunk)})", chunk)]
            if not ids:
                continue
            marks = _placeholders(ids)
            touched.update(entity for (entity,) in database.execute(f"SELECT entity FROM mention WHERE claim IN ({marks})", ids))
            for table in _CLAIM_TABLES:
                database.execute(f"DELETE FROM {table} WHERE claim IN ({marks})", ids)
            database.execute(f"DELETE FROM claim_text WHERE rowid IN ({marks})", ids)
            database.execute(f"DELETE FROM claim WHERE id IN ({marks})", ids)
        for chunk in _chunks(set(labelled) | set(read.labels)):
            database.execute(f"DELETE FROM label WHERE iri IN ({_placeholders(chunk)})", chunk)
    database.executemany("INSERT INTO label VALUES (?, ?)", sorted(read.labels.items()))
    for row in (read.claims[iri] for iri in sorted(read.claims)):
        _insert(database, row)
    touched.update(read.entities)
    for entity in sorted(touched):
        [(mentions,)] = database.execute("SELECT COUNT(*) FROM mention WHERE entity = ?", (entity,)).fetchall()
        if entity in read.entities or not mentions:
            for (number,) in database.execute("SELECT id FROM entity WHERE iri = ?", (entity,)).fetchall():
                database.execute("DELETE FROM entity_text WHERE rowid = ?", (number,))
                database.execute("DELETE FROM entity WHERE id = ?", (number,))
        if entity in read.entities and mentions:
            name, types = read.entities[entity]
            number = database.execute("INSERT INTO entity (iri, types) VALUES (?, ?)", (entity, "\n".join(types))).lastrowid
            database.execute("INSERT INTO entity_text (rowid, name) VALUES (?, ?)", (number, clean(name)))
    database.commit()


def _insert(database: sqlite3.Connection, row: ClaimRow) -> None:
    number = database.execute(
        "INSERT INTO claim (iri, text, source_key, position, from_review) VALUES (?, ?, ?, ?, ?)",
        (row.iri, row.text, row.source_key, row.position, row.from_review),
    ).lastrowid
    database.execute(
        "INSERT INTO claim_text (rowid, text, quote, about, speaker, source, review) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (number, row.text, "\n".join(sorted(row.quotes)), row.about, row.speaker, row.source, "\n".join(sorted(row.reviews))),
    )
    database.executemany("INSERT INTO facet VALUES (?, ?, ?)",
                         [(number, facet, value) for facet, found in row.facets.items() for value in sorted(found)])
    database.executemany("INSERT INTO mention VALUES (?, ?)", [(entity, number) for entity in sorted(row.mentions)])
    database.executemany("INSERT INTO claim_key VALUES (?, ?)", [(text, number) for text in sorted(row.keys)])
    database.executemany("INSERT INTO claim_node VALUES (?, ?)", [(node, number) for node in sorted(row.nodes)])
    database.executemany("INSERT INTO claim_graph VALUES (?, ?)", [(graph, number) for graph in sorted(row.graphs)])


def _marked(text: str) -> Marked:
    """``text`` with SQLite's match markers read into stretches (an unclosed one runs to the end)."""
    parts: list[tuple[str, bool]] = []
    for stretch in re.finditer(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}?|([^{_OPEN}]+)", text):
        if stretch[1] is not None:
            parts.append((stretch[1], True))
        elif stretch[2]:
            parts.append((stretch[2].replace(_CLOSE, ""), False))
    return tuple(part for part in parts if part[0])


def _ordered(facet: str, values, key=lambda value: value) -> list:
    """``values`` of ``facet`` in the order pages list them: verdicts as :data:`RATINGS` orders them, the others as given."""
    if facet != "rating":
        return list(values)
    return sorted(values, key=lambda value: RATINGS.index(key(value)) if key(value) in RATINGS else len(RATINGS))


class _Search:
    """One search (or listing) over one database, read under the index's lock."""

    def __init__(self, database: sqlite3.Connection, match: Match | None, facets: Mapping[str, str]) -> None:
        self._database = database
        self._match = match
        filters = "".join(" AND claim.id IN (SELECT claim FROM facet WHERE facet = ? AND value = ?)" for _ in facets)
        self._filter_args = [item for pair in sorted(facets.items()) for item in pair]
        if match is None:
            self._from = "FROM claim WHERE 1" + filters
            self._args = self._filter_args
        else:
            self._from = "FROM claim_text JOIN claim ON claim.id = claim_text.rowid WHERE claim_text MATCH ?" + filters
            self._args = [match.fts5(), *self._filter_args]

    def results(self, limit: int, offset: int, entities: int) -> Results:
        database = self._database
        [(total,)] = database.execute(f"SELECT COUNT(*) {self._from}", self._args).fetchall()
        counts: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
        for facet, value, count in database.execute(
            f"SELECT facet, value, COUNT(*) FROM facet WHERE claim IN (SELECT claim.id {self._from}) "
            "GROUP BY facet, value ORDER BY facet, COUNT(*) DESC, value",
            self._args,
        ):
            counts[facet].append(FacetValue(value, count))
        counts["rating"] = _ordered("rating", counts["rating"], key=lambda value: value.value)
        hits = self._page(limit, offset)
        found = self._entities(entities) if self._match is not None and entities else ()
        named = {value.value for values in counts.values() for value in values}
        named.update(value for hit in hits for values in hit.facets.values() for value in values)
        named.update(iri for entity in found for iri in (entity.iri, *entity.types))
        return Results(
            query=self._match.text if self._match is not None else None,
            total=total,
            offset=offset,
            limit=limit,
            hits=hits,
            facets={name: tuple(values) for name, values in counts.items()},
            entities=found,
            labels=self._labels(named),
        )

    def _page(self, limit: int, offset: int) -> tuple[ClaimHit, ...]:
        if self._match is None:
            columns, order = "claim.id, claim.iri, claim.text, claim.from_review, NULL, NULL, NULL", _ORDER
            marks: tuple[str, ...] = ()
        else:
            columns = (f"claim.id, claim.iri, claim.text, claim.from_review, -{_BM25}, highlight(claim_text, 0, ?, ?), "
                       f"snippet(claim_text, -1, ?, ?, ?, {SNIPPET_TOKENS})")
            order = f"{_BM25}, {_ORDER}"
            marks = (_OPEN, _CLOSE, _OPEN, _CLOSE, _ELLIPSIS)
        rows = self._database.execute(
            f"SELECT {columns} {self._from} ORDER BY {order} LIMIT ? OFFSET ?", [*marks, *self._args, limit, offset]
        ).fetchall()
        values: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        ids = [row[0] for row in rows]
        if ids:
            for claim, facet, value in self._database.execute(
                f"SELECT claim, facet, value FROM facet WHERE claim IN ({', '.join('?' * len(ids))}) ORDER BY claim, facet, value",
                ids,
            ):
                values[claim][facet].append(value)
        return tuple(
            ClaimHit(
                iri=iri,
                text=text,
                marked=_marked(highlighted) if highlighted is not None else ((text, False),) if text else (),
                snippet=_marked(snippet) if snippet is not None else (),
                score=score,
                facets={name: tuple(_ordered(name, values[number].get(name, ()))) for name in FACETS},
                from_review=from_review,
            )
            for number, iri, text, from_review, score, highlighted, snippet in rows
        )

    def _entities(self, limit: int) -> tuple[EntityHit, ...]:
        rows = self._database.execute(
            "SELECT entity.iri, highlight(entity_text, 0, ?, ?), entity.types, "
            "(SELECT COUNT(*) FROM mention WHERE mention.entity = entity.iri) AS claims, -bm25(entity_text) "
            "FROM entity_text JOIN entity ON entity.id = entity_text.rowid WHERE entity_text MATCH ? "
            "ORDER BY bm25(entity_text), claims DESC, entity.iri LIMIT ?",
            (_OPEN, _CLOSE, self._match.fts5(), limit),
        ).fetchall()
        return tuple(
            EntityHit(iri, _marked(name), tuple(types.split("\n")) if types else (), claims, score)
            for iri, name, types, claims, score in rows
        )

    def _labels(self, iris: Iterable[str]) -> dict[str, str]:
        iris = sorted(set(iris))
        found: dict[str, str] = {}
        # In chunks: SQLite binds at most 32,766 parameters per statement.
        for start in range(0, len(iris), 500):
            chunk = iris[start : start + 500]
            found.update(self._database.execute(
                f"SELECT iri, label FROM label WHERE iri IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall())
        return found
