"""The full-text index of claims and of what they speak of (a :class:`~claimgraph.search.query.SearchIndex`):
SQLite FTS5, from Python's standard library.

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
:func:`vocabulary.verdict_of`, or :data:`~claimgraph.search.query.NOT_REVIEWED`) and the labels of every IRI, for
filters, counts and display. The verdicts are read from the rating map when the index is built, and the index is
rebuilt whenever the store's generation changes: a new review, or a changed map, shows at the next search.

Ranking and matching. ``bm25`` with the column weights of :data:`WEIGHTS` (a claim's own words first, then its
quotes, then names); the score given out is ``-bm25``, higher is better. The tokenizer is ``unicode61`` without
diacritics under ``porter`` stemming: "refugee" finds "refugees", "cafe" finds "café". What a user types is read
by :meth:`Match.parse`, never handed to FTS5 as its own syntax: words, ``"quoted phrases"`` (an unclosed quote
runs to the end), a trailing ``*`` for a prefix (``refug*``, also after a phrase), ``OR`` between two terms
(binding loosest); every word and phrase is then written as an FTS5 string, so no text is an FTS5 syntax error,
and text with no letter or digit in it is refused (:class:`ValueError`).

Freshness and threads. The index remembers the store's :attr:`~claimgraph.store.base.Store.generation` it was
built at; every call compares it with the store's and rebuilds first when they differ, so a search made after a
write has returned (after its 204 or 201 was sent) sees it. One thread rebuilds at a time (the others wait for it:
they must not answer from what the write changed); the new database is built beside the old one, which keeps
answering until it is swapped in. Each database is an in-memory SQLite connection used by one thread at a time,
under a lock: gunicorn's threads share it, and a search holds the lock for about a millisecond.

Cost. A rebuild reads the store with six SELECT queries and inserts every row anew. Measured for the curated data
(87 claims, 3,200 quads) through the query workers: 52 ms at best, 130 ms median on the shared (busy)
two-core one. It grows linearly, about 0.4 ms per claim (1,000 claims more: 0.4 s; 5,000 more: 2 s, measured on
the embedded store), so a full rebuild after each write suits a store of up to a few thousand claims, and the
search after a write waits for it. Beyond that an incremental update would re-read only what a write touches:
the graphs it changed (the executor would report them), the claims whose rows use their quads (a claim's own
triples, its evidence's, the names and places of what it links to: a renamed place reindexes every claim about
it), deleted and reinserted by rowid, which FTS5 supports. An external index plugs in as another :class:`SearchIndex`.
"""


from __future__ import annotations

import re
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping

from claimgraph.rdf import vocabulary
from claimgraph.search.query import (
    FACETS, NOT_REVIEWED, RATINGS, ClaimHit, EntityHit, FacetValue, Marked, Match, Results, SearchIndex,
)
from claimgraph.store.base import Store, Term

#: The namespaces of the prefixed names below, beside ``cg:`` (the ontology's, given to the index).
_NAMESPACES = {
    "schema": "http://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
#: The roles of what a claim links to, and the links that give each.
_ROLES = {
    "about": (vocabulary.alternatives(vocabulary.SUBJECTS),),
    "speaker": ("schema:author",),
    "kind": ("cg:kind",),
    "voice": ("cg:attribution",),
    "source": ("schema:appearance",),
}
#: The facets that are what a claim is about, by their class; ``city`` also counts the cities what it is about lies in.
_CLASSES = {"city": "schema:City", "policy": "cg:Policy", "outcome": "cg:Outcome"}
#: The columns of a claim's row, and their bm25 weights: the claim's own words count most, a reviewer's words least.
COLUMNS = ("text", "quote", "about", "speaker", "source", "review")
WEIGHTS = (10.0, 4.0, 2.0, 1.0, 1.0, 0.5)
#: The classes of what is listed and searched as a claim.
_CLAIMS = "VALUES ?class { cg:Claim cg:ClaimFromReview } ?claim a ?class ."
_NAME = vocabulary.alternatives(vocabulary.LABELS)
_TOKENIZER = "porter unicode61 remove_diacritics 2"
#: What SQLite puts around a match; removed from every indexed text first, so that only SQLite writes them.
_OPEN, _CLOSE = "\x02", "\x03"
_MARKERS = str.maketrans("", "", _OPEN + _CLOSE)
_ELLIPSIS = "…"
SNIPPET_TOKENS = 16


class FullTextIndex(SearchIndex):
    """The FTS5 index of ``store`` (see the module's docstring), built on creation.

    :raises QueryTimeout, Busy, StoreError: if the store cannot be read.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._namespaces = {"cg": vocabulary.CG, **_NAMESPACES}
        self._prefixes = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in self._namespaces.items())
        self._lock = threading.Lock()
        self._rebuilding = threading.Lock()
        self._database: sqlite3.Connection | None = None
        self._generation: int | None = None
        self.refresh()

    # ------------------------------------------------------------ building

    def refresh(self) -> None:
        with self._rebuilding:
            self._rebuild()

    def _fresh(self) -> None:
        if self._store.generation != self._generation:
            with self._rebuilding:
                if self._store.generation != self._generation:
                    self._rebuild()

    def _rebuild(self) -> None:
        # Read before the queries: a write while they run leaves the index older than the store, and rebuilt again.
        generation = self._store.generation
        database = _Builder(self._select, self._namespaces).build()
        with self._lock:
            old, self._database, self._generation = self._database, database, generation
        if old is not None:
            old.close()

    def _select(self, sparql: str) -> list[dict[str, Term]]:
        return self._store.select(self._prefixes + sparql)

    # ------------------------------------------------------------ searching

    def search(self, match, facets=None, *, limit, offset=0, entities=0):
        facets = dict(facets or {})
        for name in facets:
            if name not in FACETS:
                raise ValueError(f"unknown facet {name!r}; facets: {', '.join(FACETS)}")
        self._fresh()
        with self._lock:
            return _Search(self._database, match, facets).results(limit, offset, entities)

    def matching(self, match, limit):
        self._fresh()
        with self._lock:
            rows = self._database.execute(
                f"SELECT claim.iri, -{_BM25} FROM claim_text JOIN claim ON claim.id = claim_text.rowid "
                f"WHERE claim_text MATCH ? ORDER BY {_BM25}, claim.iri LIMIT ?",
                (match.fts5(), limit),
            ).fetchall()
        return [(iri, score) for iri, score in rows]


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
CREATE TABLE entity (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, types TEXT NOT NULL, claims INTEGER NOT NULL);
"""
#: Where a claim with no evidence position sorts: after those with one.
_NO_POSITION = 2**62


def _clean(text: str) -> str:
    return text.translate(_MARKERS)


def _names(iris: Iterable[str], labels: Mapping[str, str]) -> str:
    """The labels of ``iris`` (those that have one), a line each, for a column of names."""
    return "\n".join(sorted({_clean(labels[iri]) for iri in iris if iri in labels}))


class _Builder:
    """One read of the store into a new in-memory database.

    The paths of zero or more containment links are followed here, over the links read once, rather than by the
    store: pyoxigraph evaluates a ``*`` path from each of many subjects about a hundred times slower.
    """

    def __init__(self, select, namespaces: Mapping[str, str]) -> None:
        self._select = select
        #: the class of each facet of :data:`_CLASSES`, as a full IRI.
        self._classes_of = {facet: namespaces[name.partition(":")[0]] + name.partition(":")[2] for facet, name in _CLASSES.items()}

    def build(self) -> sqlite3.Connection:
        labels = self._labels()
        claims = {
            row["claim"].value: _clean(row["text"].value) if "text" in row else ""
            for row in self._select(f"SELECT ?claim ?text WHERE {{ {_CLAIMS} OPTIONAL {{ ?claim schema:text ?text }} }}")
        }
        from_review = self._from_review()
        verdicts, reviews = self._reviews()
        quotes, positions = self._evidence()
        links = self._links()
        within = self._within()
        classes = self._classes()
        entities: dict[str, set[str]] = defaultdict(set)
        database = sqlite3.connect(":memory:", check_same_thread=False)
        database.executescript(_SCHEMA)
        database.executemany("INSERT INTO label VALUES (?, ?)", sorted(labels.items()))
        for number, (claim, text) in enumerate(sorted(claims.items()), start=1):
            linked = links.get(claim, {})
            about = linked.get("about", set())
            places = {place for subject in about for place in within(subject)}
            values = {
                "city": {place for place in places if self._classes_of["city"] in classes.get(place, ())},
                **{name: {subject for subject in about if cls in classes.get(subject, ())}
                   for name, cls in self._classes_of.items() if name != "city"},
                **{role: linked.get(role, set()) for role in ("speaker", "kind", "voice", "source")},
                "rating": verdicts.get(claim) or {NOT_REVIEWED},
            }
            for thing in (*about, *linked.get("speaker", ()), *linked.get("source", ())):
                for entity in within(thing):
                    entities[entity].add(claim)
            database.execute(
                "INSERT INTO claim_text (rowid, text, quote, about, speaker, source, review) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (number, text, "\n".join(sorted(quotes[claim])), _names(about, labels),
                 _names(values["speaker"], labels), _names(values["source"], labels), "\n".join(sorted(reviews[claim]))),
            )
            sources = sorted(values["source"])
            database.execute(
                "INSERT INTO claim VALUES (?, ?, ?, ?, ?, ?)",
                (number, claim, text, sources[0] if sources else "", positions.get(claim, _NO_POSITION), from_review.get(claim)),
            )
            database.executemany(
                "INSERT INTO facet VALUES (?, ?, ?)",
                [(number, facet, value) for facet, found in values.items() for value in sorted(found)],
            )
        named = sorted(entity for entity in entities if entity in labels)
        for number, entity in enumerate(named, start=1):
            database.execute("INSERT INTO entity_text (rowid, name) VALUES (?, ?)", (number, _clean(labels[entity])))
            database.execute(
                "INSERT INTO entity VALUES (?, ?, ?, ?)",
                (number, entity, "\n".join(sorted(classes.get(entity, ()))), len(entities[entity])),
            )
        database.commit()
        return database

    def _labels(self) -> dict[str, str]:
        """The label of every named IRI (:func:`vocabulary.best_label`)."""
        rows = self._select(
            f"SELECT ?iri ?name ?rank WHERE {{ {vocabulary.label_candidates('?iri', '?name', '?rank')} FILTER(isIRI(?iri)) }}"
        )
        return vocabulary.best_labels((row["iri"].value, int(row["rank"].value), row["name"]) for row in rows)

    def _from_review(self) -> dict[str, str]:
        """Each claim known only from a review, and its review (the first by IRI when it names several; ``""``
        when it names none)."""
        found: dict[str, str] = {}
        for row in self._select("SELECT ?claim ?review WHERE { ?claim a cg:ClaimFromReview OPTIONAL { ?claim cg:fromReview ?review } }"):
            claim, review = row["claim"].value, row["review"].value if "review" in row else ""
            found[claim] = min(found.get(claim, review), review)
        return found

    def _reviews(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The verdicts of each claim's reviews (:func:`vocabulary.verdict_of`), and their titles and explanations."""
        verdicts: dict[str, set[str]] = defaultdict(set)
        for row in self._select(
            f"SELECT DISTINCT ?claim ?verdict WHERE {{ {vocabulary.reviews_of('?claim')} {vocabulary.verdict_of('?rating')} }}"
        ):
            verdicts[row["claim"].value].add(row["verdict"].value)
        texts: dict[str, set[str]] = defaultdict(set)
        for row in self._select(
            f"SELECT DISTINCT ?claim ?text WHERE {{ {vocabulary.reviews_of('?claim')} ?review schema:headline|schema:reviewBody ?text }}"
        ):
            texts[row["claim"].value].add(_clean(row["text"].value))
        return verdicts, texts

    def _evidence(self) -> tuple[dict[str, set[str]], dict[str, int]]:
        """The exact words of each claim's evidence, and where its first span starts."""
        quotes: dict[str, set[str]] = defaultdict(set)
        positions: dict[str, int] = {}
        for row in self._select(
            "SELECT DISTINCT ?claim ?exact ?start WHERE { ?claim a cg:Claim ; cg:evidence ?evidence . "
            "OPTIONAL { ?evidence oa:hasSelector/oa:exact ?exact } OPTIONAL { ?evidence oa:hasSelector/oa:start ?start } }"
        ):
            claim = row["claim"].value
            if "exact" in row:
                quotes[claim].add(_clean(row["exact"].value))
            if "start" in row and re.fullmatch(r"[0-9]+", row["start"].value):
                positions[claim] = min(positions.get(claim, _NO_POSITION), int(row["start"].value))
        return quotes, positions

    def _links(self) -> dict[str, dict[str, set[str]]]:
        """What each claim links to (IRIs only), by role (:data:`_ROLES`)."""
        union = " UNION ".join(f'{{ ?claim {"|".join(links)} ?value BIND("{role}" AS ?role) }}' for role, links in _ROLES.items())
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        # The web page a claim known from a review appeared in is no archived source: not a value of "source".
        for row in self._select(f"SELECT DISTINCT ?claim ?role ?value WHERE {{ {_CLAIMS} {union} "
                                f"FILTER(isIRI(?value) && (?role != \"source\" || ?class = cg:Claim)) }}"):
            found[row["claim"].value][row["role"].value].add(row["value"].value)
        return found

    def _within(self):
        """A function giving a thing and every place it lies in, by any chain of :data:`vocabulary.WITHIN` links."""
        edges: dict[str, set[str]] = defaultdict(set)
        for row in self._select(
            f"SELECT DISTINCT ?thing ?place WHERE {{ ?thing {vocabulary.alternatives(vocabulary.WITHIN)} ?place FILTER(isIRI(?place)) }}"
        ):
            edges[row["thing"].value].add(row["place"].value)
        closures: dict[str, frozenset[str]] = {}

        def within(thing: str) -> frozenset[str]:
            if thing not in closures:
                seen, todo = {thing}, [thing]
                while todo:
                    for place in edges.get(todo.pop(), ()):
                        if place not in seen:
                            seen.add(place)
                            todo.append(place)
                closures[thing] = frozenset(seen)
            return closures[thing]

        return within

    def _classes(self) -> dict[str, set[str]]:
        """The classes of every named thing (entities have names; claims, evidence and selectors need none)."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in self._select(f"SELECT DISTINCT ?thing ?class WHERE {{ ?thing a ?class FILTER(isIRI(?class) && EXISTS {{ ?thing {_NAME} [] }}) }}"):
            found[row["thing"].value].add(row["class"].value)
        return found


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
            "SELECT entity.iri, highlight(entity_text, 0, ?, ?), entity.types, entity.claims, -bm25(entity_text) "
            "FROM entity_text JOIN entity ON entity.id = entity_text.rowid WHERE entity_text MATCH ? "
            "ORDER BY bm25(entity_text), entity.claims DESC, entity.iri LIMIT ?",
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
