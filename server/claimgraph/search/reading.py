"""Reading the store into the rows of the full-text index (:mod:`claimgraph.search.fts`): every claim at once (a
full build), or only some claims (an incremental update after a write), by the same queries, the second time each
opened by a ``VALUES`` block of the claims wanted.

Besides what a row shows (:class:`ClaimRow`), each claim's row records what it was read from: the nodes it was read
through (:attr:`ClaimRow.nodes`: the claim, its evidence and their selectors, its reviews and their ratings, and
what it links to, with the places those lie in) and the named graphs holding a quad about any of them
(:attr:`ClaimRow.graphs`; the rating map's graph too, for a reviewed claim: it gives the verdicts). A write to one
of those graphs, or a new quad about one of those nodes, is what makes the row stale.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping

import pyoxigraph as ox

from claimgraph.rdf import vocabulary
from claimgraph.search.query import NOT_REVIEWED
from claimgraph.store.base import Term

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
#: The classes of what is listed and searched as a claim.
_CLAIMS = "VALUES ?class { cg:Claim cg:ClaimFromReview } ?claim a ?class ."
_NAME = vocabulary.alternatives(vocabulary.LABELS)
#: What SQLite puts around a match; removed from every indexed text first, so that only SQLite writes them.
OPEN, CLOSE = "\x02", "\x03"
_MARKERS = str.maketrans("", "", OPEN + CLOSE)
#: Where a claim with no evidence position sorts: after those with one.
NO_POSITION = 2**62
#: IRIs per ``VALUES`` block: a query stays a few hundred kilobytes however many claims are read.
CHUNK = 2000

#: A function running a SELECT query (with the index's prefixes) and giving its rows.
Select = Callable[[str], list[dict[str, Term]]]


def clean(text: str) -> str:
    """``text`` without SQLite's match markers."""
    return text.translate(_MARKERS)


def key(term: Term) -> str:
    """How a node is recorded: its N-Triples form (``<iri>``, ``_:id``)."""
    return str(term)


@dataclasses.dataclass
class ClaimRow:
    """What the index holds of one claim: the columns of its text row, its facet values, the entities it speaks of,
    its texts' keys (the matcher's normalised texts), and the nodes and graphs it was read from."""

    iri: str
    text: str
    quotes: set[str]
    about: str
    speaker: str
    source: str
    reviews: set[str]
    source_key: str
    position: int
    from_review: str | None
    facets: dict[str, set[str]]
    mentions: set[str]
    keys: set[str]
    nodes: set[str]
    graphs: set[str]


@dataclasses.dataclass
class Read:
    """The rows read for the claims asked, the labels of the IRIs they name (and of those asked for), and the label
    and classes of each entity they speak of."""

    claims: dict[str, ClaimRow]
    labels: dict[str, str]
    entities: dict[str, tuple[str, tuple[str, ...]]]


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES {variable} {{ {' '.join(str(ox.NamedNode(iri)) for iri in iris)} }}"


def _names(iris: Iterable[str], labels: Mapping[str, str]) -> str:
    """The labels of ``iris`` (those that have one), a line each, for a column of names."""
    return "\n".join(sorted({clean(labels[iri]) for iri in iris if iri in labels}))


class Reader:
    """One read of the store: of every claim (``claims`` ``None``), or of the claims among ``claims`` (IRIs of any
    node: those that are no claim are skipped).

    The paths of zero or more containment links are followed here, over links read once, rather than by the store:
    pyoxigraph evaluates a ``*`` path from each of many subjects about a hundred times slower.
    """

    def __init__(self, select: Select, namespaces: Mapping[str, str], text_key: Callable[[str], str] | None,
                 claims: Collection[str] | None = None) -> None:
        self._select = select
        self._text_key = text_key
        self._wanted = sorted(claims) if claims is not None else None
        #: the class of each facet of :data:`_CLASSES`, as a full IRI.
        self._classes_of = {facet: namespaces[name.partition(":")[0]] + name.partition(":")[2] for facet, name in _CLASSES.items()}

    def _of_claims(self, pattern: str) -> list[dict[str, Term]]:
        """The rows of ``pattern`` (a SELECT query with ``{VALUES}`` before its claim patterns, in each group the store
        evaluates on its own too: pyoxigraph joins groups after evaluating each) for the claims wanted."""
        if self._wanted is None:
            return self._select(pattern.replace("{VALUES}", ""))
        return [row for start in range(0, len(self._wanted), CHUNK)
                for row in self._select(pattern.replace("{VALUES}", _values("?claim", self._wanted[start:start + CHUNK])))]

    def _of_things(self, variable: str, things: Collection[str], pattern: str, every: bool = True) -> list[dict[str, Term]]:
        """The rows of ``pattern`` for the IRIs ``things`` bound to ``variable``; when all claims are read and
        ``every``, for every thing at once."""
        if self._wanted is None and every:
            return self._select(pattern.replace("{VALUES}", ""))
        ordered = sorted(things)
        return [row for start in range(0, len(ordered), CHUNK)
                for row in self._select(pattern.replace("{VALUES}", _values(variable, ordered[start:start + CHUNK])))]

    def read(self, labels_of: Collection[str] = ()) -> Read:
        """The rows of the claims, with the labels of what they name and of ``labels_of`` (IRIs).

        :raises QueryTimeout, Busy, StoreError: if the store cannot be read.
        """
        claims = {
            row["claim"].value: clean(row["text"].value) if "text" in row else ""
            for row in self._of_claims(f"SELECT ?claim ?text WHERE {{ {{VALUES}} {_CLAIMS} OPTIONAL {{ {{VALUES}} ?claim schema:text ?text }} }}")
        }
        if self._wanted is not None:
            self._wanted = sorted(claims)
        from_review = self._from_review()
        verdicts, reviews = self._reviews()
        quotes, positions = self._evidence()
        links = self._links()
        things = {thing for linked in links.values() for values in linked.values() for thing in values}
        within = self._within(things)
        named = {place for thing in things for place in within(thing)}
        classes = self._classes(named)
        labels = self._labels(named | set(labels_of) | {value for found in verdicts.values() for value in found})
        nodes, graphs = self._sources(named, within, links)
        rows: dict[str, ClaimRow] = {}
        for claim, text in claims.items():
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
            mentions = {entity for thing in (*about, *linked.get("speaker", ()), *linked.get("source", ()))
                        for entity in within(thing) if entity in labels}
            sources = sorted(values["source"])
            graphs_read = graphs.get(claim, set())
            if verdicts.get(claim):
                # The verdicts are read through the rating map: a changed map changes the row.
                graphs_read = graphs_read | {vocabulary.RATING_MAP_GRAPH}
            keys = set()
            if self._text_key is not None:
                keys = {self._text_key(words) for words in (text, *quotes.get(claim, ())) if words}
            rows[claim] = ClaimRow(
                iri=claim, text=text, quotes=quotes.get(claim, set()), about=_names(about, labels),
                speaker=_names(values["speaker"], labels), source=_names(values["source"], labels),
                reviews=reviews.get(claim, set()), source_key=sources[0] if sources else "",
                position=positions.get(claim, NO_POSITION), from_review=from_review.get(claim), facets=values,
                mentions=mentions, keys=keys, nodes=nodes.get(claim, set()), graphs=graphs_read,
            )
        entities = {entity: (labels[entity], tuple(sorted(classes.get(entity, ()))))
                    for row in rows.values() for entity in row.mentions}
        return Read(rows, labels, entities)

    def _labels(self, iris: Collection[str]) -> dict[str, str]:
        """The label of every named IRI (:func:`vocabulary.best_label`): of all of them in a full read, else of ``iris``."""
        rows = self._of_things("?iri", iris,
                               f"SELECT ?iri ?name ?rank WHERE {{ {{VALUES}} {vocabulary.label_candidates('?iri', '?name', '?rank')} FILTER(isIRI(?iri)) }}")
        return vocabulary.best_labels((row["iri"].value, int(row["rank"].value), row["name"]) for row in rows)

    def _from_review(self) -> dict[str, str]:
        """Each claim known only from a review, and its review (the first by IRI when it names several; ``""``
        when it names none)."""
        found: dict[str, str] = {}
        for row in self._of_claims("SELECT ?claim ?review WHERE { {VALUES} ?claim a cg:ClaimFromReview OPTIONAL { {VALUES} ?claim cg:fromReview ?review } }"):
            claim, review = row["claim"].value, row["review"].value if "review" in row else ""
            found[claim] = min(found.get(claim, review), review)
        return found

    def _reviews(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The verdicts of each claim's reviews (:func:`vocabulary.verdict_of`), and their titles and explanations."""
        verdicts: dict[str, set[str]] = defaultdict(set)
        for row in self._of_claims(
            f"SELECT DISTINCT ?claim ?verdict WHERE {{ {{VALUES}} {vocabulary.reviews_of('?claim')} {vocabulary.verdict_of('?rating')} }}"
        ):
            verdicts[row["claim"].value].add(row["verdict"].value)
        texts: dict[str, set[str]] = defaultdict(set)
        for row in self._of_claims(
            f"SELECT DISTINCT ?claim ?text WHERE {{ {{VALUES}} {vocabulary.reviews_of('?claim')} ?review schema:headline|schema:reviewBody ?text }}"
        ):
            texts[row["claim"].value].add(clean(row["text"].value))
        return verdicts, texts

    def _evidence(self) -> tuple[dict[str, set[str]], dict[str, int]]:
        """The exact words of each claim's evidence, and where its first span starts."""
        quotes: dict[str, set[str]] = defaultdict(set)
        positions: dict[str, int] = {}
        for row in self._of_claims(
            "SELECT DISTINCT ?claim ?exact ?start WHERE { {VALUES} ?claim a cg:Claim ; cg:evidence ?evidence . "
            "OPTIONAL { {VALUES} ?claim cg:evidence ?evidence . ?evidence oa:hasSelector/oa:exact ?exact } "
            "OPTIONAL { {VALUES} ?claim cg:evidence ?evidence . ?evidence oa:hasSelector/oa:start ?start } }"
        ):
            claim = row["claim"].value
            if "exact" in row:
                quotes[claim].add(clean(row["exact"].value))
            if "start" in row and re.fullmatch(r"[0-9]+", row["start"].value):
                positions[claim] = min(positions.get(claim, NO_POSITION), int(row["start"].value))
        return quotes, positions

    def _links(self) -> dict[str, dict[str, set[str]]]:
        """What each claim links to (IRIs only), by role (:data:`_ROLES`)."""
        union = " UNION ".join(f'{{ {{VALUES}} ?claim {"|".join(links)} ?value BIND("{role}" AS ?role) }}' for role, links in _ROLES.items())
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        # The web page a claim known from a review appeared in is no archived source: not a value of "source".
        for row in self._of_claims(f"SELECT DISTINCT ?claim ?role ?value WHERE {{ {{VALUES}} {_CLAIMS} {union} "
                                   f"FILTER(isIRI(?value) && (?role != \"source\" || ?class = cg:Claim)) }}"):
            found[row["claim"].value][row["role"].value].add(row["value"].value)
        return found

    def _within(self, things: Collection[str]) -> Callable[[str], frozenset[str]]:
        """A function giving a thing and every place it lies in, by any chain of :data:`vocabulary.WITHIN` links:
        read at once in a full read, else a step at a time from ``things``."""
        edges: dict[str, set[str]] = defaultdict(set)
        pattern = (f"SELECT DISTINCT ?thing ?place WHERE {{ {{VALUES}} ?thing {vocabulary.alternatives(vocabulary.WITHIN)} ?place "
                   f"FILTER(isIRI(?place)) }}")
        seen: set[str] = set()
        frontier = set(things)
        while frontier:
            seen |= frontier
            rows = self._of_things("?thing", frontier, pattern)
            for row in rows:
                edges[row["thing"].value].add(row["place"].value)
            frontier = set() if self._wanted is None else {row["place"].value for row in rows} - seen
        closures: dict[str, frozenset[str]] = {}

        def within(thing: str) -> frozenset[str]:
            if thing not in closures:
                found, todo = {thing}, [thing]
                while todo:
                    for place in edges.get(todo.pop(), ()):
                        if place not in found:
                            found.add(place)
                            todo.append(place)
                closures[thing] = frozenset(found)
            return closures[thing]

        return within

    def _classes(self, things: Collection[str]) -> dict[str, set[str]]:
        """The classes of every named thing (entities have names; claims, evidence and selectors need none)."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in self._of_things("?thing", things,
                                   f"SELECT DISTINCT ?thing ?class WHERE {{ {{VALUES}} ?thing a ?class FILTER(isIRI(?class) && EXISTS {{ ?thing {_NAME} [] }}) }}"):
            found[row["thing"].value].add(row["class"].value)
        return found

    def _sources(self, things: Collection[str], within: Callable[[str], frozenset[str]],
                 links: Mapping[str, Mapping[str, set[str]]]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """The nodes each claim's row is read through and the named graphs holding a quad about one of them (see
        the module's docstring)."""
        nodes: dict[str, set[str]] = defaultdict(set)
        graphs: dict[str, set[str]] = defaultdict(set)
        for row in self._of_claims(
            "SELECT DISTINCT ?claim ?node ?graph WHERE { {VALUES} " + _CLAIMS + " "
            "{ {VALUES} ?claim a ?any BIND(?claim AS ?node) } UNION { {VALUES} ?claim cg:evidence ?node } "
            "UNION { {VALUES} ?claim cg:evidence/oa:hasSelector ?node } UNION { {VALUES} ?node schema:itemReviewed ?claim } "
            "UNION { {VALUES} ?review schema:itemReviewed ?claim ; schema:reviewRating ?node } "
            "OPTIONAL { GRAPH ?graph { ?node ?p ?o } } }"
        ):
            claim = row["claim"].value
            nodes[claim].add(key(row["node"]))
            if "graph" in row:
                graphs[claim].add(row["graph"].value)
        entity_graphs: dict[str, set[str]] = defaultdict(set)
        for row in self._of_things("?thing", things, "SELECT DISTINCT ?thing ?graph WHERE { {VALUES} GRAPH ?graph { ?thing ?p ?o } }",
                                   every=False):
            entity_graphs[row["thing"].value].add(row["graph"].value)
        for claim, linked in links.items():
            for thing in {place for values in linked.values() for value in values for place in within(value)}:
                nodes[claim].add(key(ox.NamedNode(thing)))
                graphs[claim] |= entity_graphs.get(thing, set())
        return nodes, graphs
