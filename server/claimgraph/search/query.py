"""Full-text search of the claims of a store: what a search is (:class:`Match`, read from what a user types),
what it finds (:class:`Results`), and the interface of an index that answers it (:class:`SearchIndex`).

:class:`claimgraph.search.fts.FullTextIndex` implements it with SQLite FTS5; another index (an external search
service) plugs in as another :class:`SearchIndex`. What a user types is read by :meth:`Match.parse`,
never handed to an index as its own syntax: words, ``"quoted phrases"`` (an unclosed quote runs to the end), a
trailing ``*`` for a prefix (``refug*``, also after a phrase), ``OR`` between two terms (binding loosest); text
with no letter or digit in it is refused (:class:`ValueError`).
"""
from __future__ import annotations

import abc
import contextlib
import dataclasses
import re
from collections.abc import Iterable, Mapping, Set

import pyoxigraph as ox

from claimgraph.rdf import vocabulary

#: The facets claims are filtered and counted by, in the order pages show them. ``rating`` holds the normalised
#: verdict of each review of a claim (:data:`vocabulary.VERDICTS`, read through the rating map), or
#: :data:`NOT_REVIEWED`: a claim reviewed twice with different verdicts counts under both.
FACETS = ("rating", "city", "policy", "outcome", "speaker", "kind", "voice", "source")
#: The ``rating`` of a claim no one has reviewed.
NOT_REVIEWED = "unreviewed"
#: The order the values of the ``rating`` facet are listed in (the other facets: most claims first).
RATINGS = (*vocabulary.VERDICTS, NOT_REVIEWED)

#: A text with its matches marked: stretches of text, each with whether it is a match.
Marked = tuple[tuple[str, bool], ...]


@dataclasses.dataclass(frozen=True)
class SearchTerm:
    """A word or phrase of a search, and whether it is a prefix (``refug*``)."""

    words: str
    prefix: bool = False

    def fts5(self) -> str:
        return '"' + self.words.replace('"', '""') + '"' + ("*" if self.prefix else "")


_LEXEME = re.compile(r'"(?P<phrase>[^"]*)(?:"|$)(?P<phrase_prefix>\*)?|(?P<word>[^\s"]+)')


@dataclasses.dataclass(frozen=True)
class Match:
    """What a user searches for: alternatives (``OR``), each a group of terms that must all occur."""

    text: str
    alternatives: tuple[tuple[SearchTerm, ...], ...]

    @classmethod
    def parse(cls, text: str) -> Match:
        """Read ``text`` as words, ``"phrases"``, ``prefix*`` and ``OR`` (see the module's docstring).

        :raises ValueError: if ``text`` holds no letter or digit outside of operators.
        """
        groups: list[list[SearchTerm]] = [[]]
        pending_or = False
        for lexeme in _LEXEME.finditer(text):
            if lexeme["word"] == "OR" and groups[-1]:
                pending_or = True
                continue
            if lexeme["word"] is not None:
                words, prefix = lexeme["word"].rstrip("*"), lexeme["word"].endswith("*")
            else:
                words, prefix = lexeme["phrase"], lexeme["phrase_prefix"] is not None
            if not re.search(r"\w", words):
                continue
            if pending_or:
                groups.append([])
                pending_or = False
            groups[-1].append(SearchTerm(words.strip(), prefix))
        if pending_or:
            groups[-1].append(SearchTerm("OR"))
        if not groups[-1]:
            raise ValueError(f"{text!r} holds no word to search for (letters or digits)")
        return cls(text, tuple(tuple(group) for group in groups))

    def fts5(self) -> str:
        """The FTS5 query: every term an FTS5 string, so that no user text is read as FTS5 syntax."""
        return " OR ".join("(" + " ".join(term.fts5() for term in group) + ")" for group in self.alternatives)


@dataclasses.dataclass(frozen=True)
class ClaimHit:
    """A claim found (or listed): its words, marked where they match, the best-matching stretch of any of its
    columns (its words, quotes, names or reviews: why it was found), its score (``None`` when listing), its facet
    values, and whether it is known only from a review."""

    iri: str
    text: str
    marked: Marked
    snippet: Marked
    score: float | None
    facets: Mapping[str, tuple[str, ...]]
    #: for a claim known only from a review (cg:ClaimFromReview: no archived source, no verified words), the review
    #: it is from (``""`` when it names none); ``None`` for a claim of an archived source.
    from_review: str | None = None

    @property
    def says_it(self) -> bool:
        """Whether the claim's own words hold a match (else it was found by its quotes or names)."""
        return any(hit for _, hit in self.marked)


@dataclasses.dataclass(frozen=True)
class EntityHit:
    """An entity whose names match: its label marked, its types, and how many claims speak of it."""

    iri: str
    marked: Marked
    types: tuple[str, ...]
    claims: int
    score: float


@dataclasses.dataclass(frozen=True)
class FacetValue:
    value: str
    count: int


@dataclasses.dataclass(frozen=True)
class Results:
    """One page of claims found, with how many there are in all, the facet values of all of them with their
    counts, the matching entities, and the label of every IRI these name (an IRI without one is left out)."""

    query: str | None
    total: int
    offset: int
    limit: int
    hits: tuple[ClaimHit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]]
    entities: tuple[EntityHit, ...]
    labels: Mapping[str, str]


@dataclasses.dataclass(frozen=True)
class IndexState:
    """What an index tells of itself (for ``/healthz``): the store's generation it is current at (``None`` before
    its first build), the store's generation now, whether a rebuild runs, and the last error met following the store
    (``None`` since a rebuild succeeded)."""

    generation: int | None
    store_generation: int
    building: bool
    error: str | None

    @property
    def current(self) -> bool:
        return self.generation == self.store_generation


class SearchIndex(abc.ABC):
    """A full-text index of the claims of a store, kept in step with it."""

    @abc.abstractmethod
    def search(
        self, match: Match | None, facets: Mapping[str, str] | None = None, *, limit: int, offset: int = 0, entities: int = 0
    ) -> Results:
        """The claims that ``match`` finds (best first), or with ``None`` every claim (by source, then position in
        it), each having the value ``facets[name]`` of every facet named; at most ``limit`` from ``offset``, and up
        to ``entities`` matching entities.

        :raises ValueError: (the caller's bug) for a facet not in :data:`FACETS`.
        """

    @abc.abstractmethod
    def matching(self, match: Match, limit: int) -> list[tuple[str, float]]:
        """The IRIs of up to ``limit`` claims that ``match`` finds, best first, with their scores."""

    @abc.abstractmethod
    def claims_with_text(self, texts: Iterable[str]) -> set[str]:
        """The IRIs of the claims whose words, or the exact words of one of their evidence spans, are one of
        ``texts`` as the review matcher compares texts: the only claims a review of one of them can match."""

    @abc.abstractmethod
    def refresh(self) -> None:
        """Rebuild the index from the store now, in the caller's thread; searches meanwhile answer from the old one.

        :raises QueryTimeout, Busy, StoreError, QueryError: if the store cannot be read; the index is left as it was.
        """

    @abc.abstractmethod
    def written(self, graphs: Set[str] | None, nodes: Set[ox.NamedNode] | None = None) -> None:
        """Follow a write the store has just applied, before its answer is sent: ``graphs`` are the named graphs it
        may have changed (``None``: unknown, the whole index is rebuilt, as :meth:`refresh`); ``nodes``, when known,
        the only nodes it wrote quads about (an ``INSERT DATA``'s subjects and IRI objects), so that only the rows
        read through them are read again, however large their graphs. Searches made after this returns find the write.

        Raises nothing: the write stands whatever happens here; a failure to read the store is logged, shown by
        :meth:`state`, and left to a background rebuild.
        """

    @abc.abstractmethod
    def following(self) -> contextlib.AbstractContextManager[None]:
        """Held around a write through claimgraph and its :meth:`written`: while any is held, the store's newer
        generation is not taken for a write made behind the index's back (which a full rebuild would catch up)."""

    @abc.abstractmethod
    def state(self) -> IndexState:
        """The index's state now."""
