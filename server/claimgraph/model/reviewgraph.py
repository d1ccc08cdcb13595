"""Reviews as quads: each :class:`~claimgraph.model.reviews.Review` matched to the claim it reviews
(:class:`KnownClaims`), its reviewer found or minted (:class:`~claimgraph.model.entities.Entities`), written in its
reviewer's graph (:func:`build`) and checked with the SHACL shapes (:func:`validate`). Every step collects all the
problems of a batch and raises one :class:`~claimgraph.errors.ReviewError`, so that nothing of a rejected batch is
written.

A review's IRI is ``<iri_base>id/review/<reviewer slug>/<key>``, its key made from its URL and the text of the claim
it reviews (:func:`review_key`): importing the same review again gives the same IRIs and quads, and replaces it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pyshacl
import rdflib

from claimgraph.errors import DataError, ReviewError
from claimgraph.model import entities as entity_index
from claimgraph.model.entities import Entities
from claimgraph.model.reviews import REVIEW_FOLDER, REVIEWS_GRAPH, XSD, Problems, Review
from claimgraph.model.text import normal_text
from claimgraph.rdf.vocabulary import CG, OA, RDF, SCHEMA

# ---------------------------------------------------------------- matching reviews to the claims the data has

_C, _S, _O = f"<{CG}", f"<{SCHEMA}", f"<{OA}"
#: The predicate of :data:`QUERY`'s answer relating a review to a named graph that holds it: a term of the answer
#: only, never stored.
IN_GRAPH = "urn:claimgraph:reviews:in-graph"


def known_query(claims: Iterable[str] | None = None) -> str:
    """What :class:`KnownClaims` reads, over the union of graphs: claims (cg:Claim and cg:ClaimFromReview) with their
    texts, the words of their evidence, where they appeared, and the reviews there are with the graphs holding them.
    With ``claims`` (IRIs), only those claims are read (each group that names a claim opens with their ``VALUES``
    block: the store evaluates each group on its own); the reviews are all read either way."""
    values = "" if claims is None else "VALUES ?claim { " + " ".join(str(ox.NamedNode(claim)) for claim in sorted(claims)) + " } "
    return f"""CONSTRUCT {{
  ?claim a ?class ; {_S}text> ?text ; {_S}appearance> ?appearance ; {_C}evidence> ?evidence .
  ?appearance {_S}url> ?url . ?evidence {_O}hasSelector> ?selector . ?selector {_O}exact> ?exact .
  ?review a {_S}ClaimReview> ; <{IN_GRAPH}> ?graph .
}} WHERE {{
  {{ {values}VALUES ?class {{ {_C}Claim> {_C}ClaimFromReview> }} ?claim a ?class }}
  UNION {{ {values}VALUES ?class {{ {_C}Claim> {_C}ClaimFromReview> }} ?claim a ?class ; {_S}text> ?text }}
  UNION {{ {values}?claim a {_C}Claim> ; {_S}appearance> ?appearance . ?appearance {_S}url> ?url }}
  UNION {{ {values}?claim a {_C}ClaimFromReview> ; {_S}appearance> ?appearance }}
  UNION {{ {values}?claim a {_C}Claim> ; {_C}evidence> ?evidence . ?evidence {_O}hasSelector> ?selector . ?selector {_O}exact> ?exact }}
  UNION {{ ?review a {_S}ClaimReview> }}
  UNION {{ GRAPH ?graph {{ ?review a {_S}ClaimReview> }} }}
}}"""


#: :func:`known_query` of every claim.
QUERY = known_query()


class KnownClaims:
    """The claims a review can be matched to, and the reviews there are.

    A review names its claim by IRI (``itemReviewed``), or is matched to the cg:Claim whose text (schema:text, or
    the exact words of one of its evidence spans) equals its ``claimReviewed`` (:func:`normal_text`) and whose
    source's schema:url is one of the review's appearance URLs (:meth:`matching`); else to a cg:ClaimFromReview an
    earlier review made, of the same text and appearance (:meth:`from_reviews`). ``review_graphs`` maps each review
    to the named graphs holding it.
    """

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.classes: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self.reviews: set[str] = set()
        self.review_graphs: dict[str, set[str]] = defaultdict(set)
        self._by_text: dict[str, set[str]] = defaultdict(set)
        appearances: dict[str, set[str]] = defaultdict(set)
        urls: dict[str, set[str]] = defaultdict(set)
        evidence: dict[str, set[str]] = defaultdict(set)
        selectors: dict[str, set[str]] = defaultdict(set)
        exact: dict[str, set[str]] = defaultdict(set)
        for triple in triples:
            subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object.value
            if predicate == RDF + "type":
                if obj == SCHEMA + "ClaimReview":
                    self.reviews.add(subject)
                else:
                    self.classes[subject] = obj
            elif predicate == IN_GRAPH:
                self.review_graphs[subject].add(obj)
            elif predicate == SCHEMA + "text":
                self.texts.setdefault(subject, obj)
                self._by_text[normal_text(obj)].add(subject)
            elif predicate == SCHEMA + "appearance":
                appearances[subject].add(obj)
            elif predicate == SCHEMA + "url":
                urls[subject].add(obj)
            elif predicate == CG + "evidence":
                evidence[subject].add(obj)
            elif predicate == OA + "hasSelector":
                selectors[subject].add(obj)
            elif predicate == OA + "exact":
                exact[subject].add(obj)
        for claim, spans in evidence.items():
            for words in {words for span in spans for selector in selectors[span] for words in exact[selector]}:
                self._by_text[normal_text(words)].add(claim)
        #: claim → the URLs of the web pages it appeared in (a cg:Claim's sources' schema:url; a claim known from a
        #: review appeared at its schema:appearance IRI).
        self.appearances: dict[str, set[str]] = {
            claim: {url for source in sources for url in urls.get(source, {source} if self.classes.get(claim) == CG + "ClaimFromReview" else ())}
            for claim, sources in appearances.items()
        }

    @classmethod
    def of_quads(cls, quads: Iterable[ox.Quad]) -> KnownClaims:
        """The claims among ``quads`` (e.g. the curated files, or a source just compiled), read by :data:`QUERY`."""
        store = ox.Store()
        store.extend(quads)
        return cls(store.query(QUERY, use_default_graph_as_union=True))

    def from_reviews(self, text: str, appearances: Iterable[str]) -> list[str]:
        """The cg:ClaimFromReviews whose text is ``text`` and that appeared at one of ``appearances``, sorted: the
        claim another reviewer's review made, so that two reviews of one claim review the same node."""
        pages = set(appearances)
        return sorted(
            claim for claim in self._by_text.get(normal_text(text), ())
            if self.classes.get(claim) == CG + "ClaimFromReview" and self.appearances.get(claim, set()) & pages
        )

    def matching(self, text: str, appearances: Iterable[str]) -> list[str]:
        """The cg:Claims whose text is ``text`` and that appeared at one of ``appearances``, sorted."""
        pages = set(appearances)
        return sorted(
            claim for claim in self._by_text.get(normal_text(text), ())
            if self.classes.get(claim) == CG + "Claim" and self.appearances.get(claim, set()) & pages
        )


# ---------------------------------------------------------------- the quads of reviews


def review_key(url: str, claim_text: str) -> str:
    """The key of a review in its reviewer's folder: the last segment of its URL as a slug, and a digest of the URL
    and the claim's text (:func:`normal_text`), since one fact-check article may hold several ClaimReviews."""
    parts = urlsplit(url)
    stem = entity_index.slug(parts.path.rstrip("/").rpartition("/")[2] or parts.netloc)[:40].strip("-")
    digest = hashlib.sha256(f"{url}\n{normal_text(claim_text)}".encode()).hexdigest()[:8]
    return f"{stem}-{digest}"


@dataclasses.dataclass(frozen=True)
class Built:
    """The quads of a batch of reviews, each in its reviewer's graph.

    ``reviews`` are the review IRIs and ``claims`` the IRIs of the claims they review, in the order of the reviews
    given; ``graphs`` the reviewer graphs written; ``existing`` the reviews the data held already (to be replaced);
    ``owned`` each subject whose quads an import replaces (review, rating, and its claim known from the review
    ``<review IRI>-claim``, whether this batch makes one or not) → its graph;
    ``where`` each subject built → the record it came from, for messages; ``released`` each review's own
    ``<review IRI>-claim`` the batch no longer makes → its graph, deleted unless another review still reviews it.
    """

    quads: list[ox.Quad]
    reviews: list[str]
    claims: list[str]
    graphs: list[str]
    existing: frozenset[str]
    owned: dict[str, str]
    where: dict[str, str]
    released: dict[str, str] = dataclasses.field(default_factory=dict)

    def deletions(self) -> list[str]:
        """SPARQL update operations deleting what an earlier import of the same reviews wrote; to be run with the
        ``INSERT DATA`` of :attr:`quads` in one update, so that re-importing replaces. A claim known from a review
        that the review no longer reviews (:attr:`released`) is kept while any other review, of the store or of
        this batch, reviews it: another reviewer shares it; those deletions come last, after the reviews of the
        batch have lost their old ``itemReviewed``."""
        reviewed = {quad.object.value for quad in self.quads if quad.predicate.value == SCHEMA + "itemReviewed"}
        owned = [f"DELETE WHERE {{ GRAPH {ox.NamedNode(graph)} {{ {ox.NamedNode(subject)} ?p ?o }} }}"
                 for subject, graph in self.owned.items()]
        released = [
            f"DELETE {{ GRAPH {ox.NamedNode(graph)} {{ {ox.NamedNode(claim)} ?p ?o }} }} "
            f"WHERE {{ GRAPH {ox.NamedNode(graph)} {{ {ox.NamedNode(claim)} ?p ?o }} FILTER NOT EXISTS {{ "
            f"GRAPH ?any {{ ?other {ox.NamedNode(SCHEMA + 'itemReviewed')} {ox.NamedNode(claim)} }} "
            f"FILTER (?other != {ox.NamedNode(claim.removesuffix('-claim'))}) }} }}"
            for claim, graph in self.released.items() if claim not in reviewed
        ]
        return owned + released


def _literal(text: str, language: str | None) -> ox.Literal:
    return ox.Literal(text, language=language) if language else ox.Literal(text)


def _date_literal(date: str) -> ox.Literal:
    return ox.Literal(date, datatype=ox.NamedNode(XSD + ("dateTime" if "T" in date else "date")))


def _number_literal(number: Decimal) -> ox.Literal:
    """An xsd:integer for a number written without a fraction (``4``), else an xsd:decimal (``4.0``, ``3.5``)."""
    if number.as_tuple().exponent >= 0:
        return ox.Literal(str(int(number)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))


class _Batch:
    """The quads of a batch as they are built, and the problems found."""

    def __init__(self, known: KnownClaims, entities: Entities, iri_base: str) -> None:
        self.known, self.entities, self.iri_base = known, entities, iri_base
        self.quads: list[ox.Quad] = []
        self.found: list[str] = []
        self.owned: dict[str, str] = {}
        self.where: dict[str, str] = {}
        #: (normalised text, appearance URL) → the cg:ClaimFromReview this batch made of them.
        self.made: dict[tuple[str, str], str] = {}
        #: Every cg:ClaimFromReview this batch made.
        self.made_claims: set[str] = set()
        #: Each review's own ``<review IRI>-claim`` → the review's graph, made by this batch or not.
        self.own_claims: dict[str, str] = {}

    def add(self, graph: str, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), obj, ox.NamedNode(graph)))

    def entity(self, kinds: tuple[str, ...], name: str, same_as: tuple[str, ...], prop: str,
               problems: Problems) -> tuple[str | None, bool]:
        """The entity named ``name`` (or linked by ``same_as``) of the first of ``kinds`` that has one, and whether it
        is new: minted as the first of ``kinds`` when none has."""
        if not name:
            problems.add(prop, "missing: its name")
            return None, False
        for kind in kinds:
            found = self.entities.find(kind, name, same_as)
            if len(found) > 1:
                problems.add(prop, f"{name!r} names {len(found)} entities ({', '.join(found)}); give sameAs to tell which")
                return None, False
            if found:
                return found[0], False
        return self.entities.mint(kinds[0], name, self.iri_base, same_as), True


def reviewer_graph(iri_base: str, reviewer_slug: str, source: str | None = None) -> str:
    """The graph a reviewer's reviews are written in: ``<iri_base>graph/reviews/<reviewer slug>`` for those imported
    (``import-claimreview``, ``POST /reviews``), ``…/<reviewer slug>/<source slug>`` for those compiled from a
    source's claims file, so that loading the compiled files again (which replaces every graph they define) leaves
    the imported reviews be. Whatever reads a reviewer's reviews takes both (:func:`reviewer_of`)."""
    return f"{iri_base}{REVIEWS_GRAPH}{reviewer_slug}" + (f"/{source}" if source else "")


def reviewer_of(graph: str, iri_base: str) -> str | None:
    """The reviewer slug of a graph :func:`reviewer_graph` names (the first segment after ``graph/reviews/``);
    ``None`` for any other graph."""
    rest = graph.removeprefix(iri_base + REVIEWS_GRAPH)
    if rest == graph or not rest:
        return None
    return rest.partition("/")[0] or None


#: A claim known only from a review, by its IRI below the IRI base: the reviewer's slug, the review's key.
_REVIEW_CLAIM = re.compile(rf"{re.escape(REVIEW_FOLDER)}([^/]+)/([^/]+)-claim")


def build(reviews: Iterable[Review], known: KnownClaims, entities: Entities, iri_base: str,
          source: str | None = None) -> Built:
    """The quads of ``reviews`` (see common10.md, "The data model", and tests/fixtures/reviews.trig): each a
    schema:ClaimReview with its schema:Rating, in its reviewer's graph (:func:`reviewer_graph`, ``source`` the slug
    of the source whose claims file they are compiled from, ``None`` for an import); its
    reviewer the organisation of that name or sameAs in ``entities``, else a new one (its quads in the same graph);
    its claim the one its ``claim`` names, else the cg:Claim its text and appearance match, else a new
    cg:ClaimFromReview ``<review IRI>-claim`` (with a claimant found or created as the reviewer is). A ``claim``
    naming another review's claim ``<iri_base>id/review/<reviewer>/<key>-claim`` (an export's, whose reviewer shared
    the claim) that neither ``known`` nor the batch has is made from this record, in that reviewer's graph.

    ``entities`` learns the entities minted, so that a later call finds them.

    :raises ReviewError: listing every problem of the batch: a ``claim`` that is not an IRI, or is under
        ``iri_base`` and names no claim ``known`` has; a text that matches several claims; a reviewer or claimant
        name that names several entities; two records of the same review; for an import (``source`` ``None``),
        a review that a source's claims file compiles (the same IRI in another graph).
    """
    batch = _Batch(known, entities, iri_base)
    built_reviews: list[str] = []
    claims: list[str] = []
    graphs: dict[str, None] = {}
    first: dict[str, str] = {}
    for review in reviews:
        problems = Problems(review.where, batch.found)
        before = len(batch.found)
        reviewer, new_reviewer = batch.entity(("org",), review.reviewer.name, review.reviewer.same_as, "author", problems)
        text = review.claim_text or known.texts.get(review.claim or "", "")
        slug = reviewer.rpartition("/")[2] if reviewer else ""
        graph = reviewer_graph(iri_base, slug, source)
        iri = f"{iri_base}{REVIEW_FOLDER}{slug}/{review_key(review.url, text)}"
        if source is None and known.review_graphs.get(iri, set()) - {graph}:
            compiled = ", ".join(f"<{name}>" for name in sorted(known.review_graphs[iri] - {graph}))
            problems.add(None, f"the review <{iri}> is compiled from graph {compiled}; change it in that source's claims.yaml")
        own = iri + "-claim"
        named = _REVIEW_CLAIM.fullmatch(review.claim.removeprefix(iri_base)) if review.claim and review.claim.startswith(iri_base) else None
        if review.claim == own or (named and review.claim not in known.classes):
            # A review's own claim named again (an export of the review, imported anew) is made again, as the first
            # time; another review's claim the data lacks is made in its reviewer's graph, whichever record comes first.
            target = (own, graph) if review.claim == own else (review.claim, reviewer_graph(iri_base, named[1], source))
            claim = review.claim if review.claim in batch.made_claims else None
        else:
            target = (own, graph)
            claim = _claim_of(review, batch, problems, iri)
        if not text:
            problems.add("claimReviewed", "missing: the claim's text")
        if len(batch.found) > before or reviewer is None:
            continue
        if iri in first:
            problems.add(None, f"the same review (url {review.url}, the same claim) as {first[iri]}")
            continue
        first[iri] = review.where
        if new_reviewer:
            _write_entity(batch, graph, reviewer, "Organization", review.reviewer.name, review.where)
            if review.reviewer.url:
                batch.add(graph, reviewer, SCHEMA + "url", ox.NamedNode(review.reviewer.url))
            for link in review.reviewer.same_as:
                batch.add(graph, reviewer, SCHEMA + "sameAs", ox.NamedNode(link))
        if claim is None:
            claim = _claim_from_review(review, text, *target, batch, problems)
            if claim is None:
                continue
        _write_review(batch, review, iri, graph, claim, text, reviewer)
        built_reviews.append(iri)
        claims.append(claim)
        graphs[graph] = None
    if batch.found:
        raise ReviewError(batch.found)
    return Built(
        quads=batch.quads, reviews=built_reviews, claims=claims, graphs=list(graphs),
        existing=frozenset(iri for iri in built_reviews if iri in known.reviews), owned=batch.owned, where=batch.where,
        released={claim: graph for claim, graph in batch.own_claims.items() if claim not in batch.owned},
    )


def _claim_of(review: Review, batch: _Batch, problems: Problems, iri: str) -> str | None:
    """The claim ``review`` (whose IRI is ``iri``) is matched to, or ``None`` for one to be made from the review: a
    claim known from another review of the same text and appearance, made in this batch or found in the data,
    counts (the review's own ``<iri>-claim`` does not: it is made again)."""
    if review.claim is not None:
        if review.claim in batch.known.classes:
            return review.claim
        try:
            ox.NamedNode(review.claim)
        except ValueError:
            problems.add("itemReviewed", f"{review.claim!r} is not the IRI of a claim")
            return None
        if review.claim.startswith(batch.iri_base):
            problems.add("itemReviewed", f"<{review.claim}> is no claim of this dataset")
            return None
        if urlsplit(review.claim).scheme not in ("http", "https"):
            problems.add("itemReviewed", f"{review.claim!r} is not the IRI of a claim")
            return None
    if not review.claim_text:
        return None
    matches = batch.known.matching(review.claim_text, review.appearances)
    if len(matches) > 1:
        problems.add("claimReviewed", f"the text and appearance match {len(matches)} claims ({', '.join(matches)}); "
                                      "name the one reviewed in itemReviewed")
        return None
    if matches:
        return matches[0]
    text = normal_text(review.claim_text)
    made = [batch.made[text, page] for page in review.appearances if (text, page) in batch.made]
    # Of several (made before this rule existed), the first by IRI: they are the same claim.
    found = [claim for claim in batch.known.from_reviews(review.claim_text, review.appearances) if claim != iri + "-claim"]
    return (made or found or [None])[0]


def _write_entity(batch: _Batch, graph: str, iri: str, kind: str, name: str, where: str) -> None:
    batch.add(graph, iri, RDF + "type", ox.NamedNode(SCHEMA + kind))
    batch.add(graph, iri, SCHEMA + "name", ox.Literal(name))
    batch.where[iri] = where


def _claim_from_review(review: Review, text: str, claim: str, graph: str, batch: _Batch, problems: Problems) -> str | None:
    """The cg:ClaimFromReview ``claim`` (``<review IRI>-claim`` of the review it is known from) of a review whose
    claim the data does not have, its quads (and a new claimant's) added to ``batch`` in ``graph`` unless the
    batch made it already."""
    if claim in batch.made_claims:
        return claim
    claimant = None
    if review.claimant:
        kinds = ("org", "person") if review.claimant_kind == "org" else ("person", "org")
        claimant, new = batch.entity(kinds, review.claimant, review.claimant_same_as, "itemReviewed.author", problems)
        if claimant is None:
            return None
        if new:
            _write_entity(batch, graph, claimant, "Organization" if review.claimant_kind == "org" else "Person",
                          review.claimant, review.where)
            for link in review.claimant_same_as:
                batch.add(graph, claimant, SCHEMA + "sameAs", ox.NamedNode(link))
    batch.add(graph, claim, RDF + "type", ox.NamedNode(CG + "ClaimFromReview"))
    batch.add(graph, claim, SCHEMA + "text", ox.Literal(text))
    if claimant:
        batch.add(graph, claim, SCHEMA + "author", ox.NamedNode(claimant))
    for page in review.appearances:
        batch.add(graph, claim, SCHEMA + "appearance", ox.NamedNode(page))
    if review.claim_date:
        batch.add(graph, claim, SCHEMA + "datePublished", _date_literal(review.claim_date))
    batch.add(graph, claim, CG + "fromReview", ox.NamedNode(claim.removesuffix("-claim")))
    batch.made_claims.add(claim)
    batch.owned[claim] = graph
    batch.where[claim] = review.where
    for page in review.appearances:
        batch.made.setdefault((normal_text(text), page), claim)
    return claim


def _write_review(batch: _Batch, review: Review, iri: str, graph: str, claim: str, text: str, reviewer: str) -> None:
    rating = iri + "-rating"
    add = functools.partial(batch.add, graph)
    add(iri, RDF + "type", ox.NamedNode(SCHEMA + "ClaimReview"))
    add(iri, SCHEMA + "itemReviewed", ox.NamedNode(claim))
    add(iri, SCHEMA + "claimReviewed", ox.Literal(text))
    add(iri, SCHEMA + "reviewRating", ox.NamedNode(rating))
    if review.explanation:
        add(iri, SCHEMA + "reviewBody", _literal(review.explanation, review.language))
    add(iri, SCHEMA + "author", ox.NamedNode(reviewer))
    add(iri, SCHEMA + "url", ox.NamedNode(review.url))
    if review.title:
        add(iri, SCHEMA + "headline", _literal(review.title, review.language))
    if review.date:
        add(iri, SCHEMA + "datePublished", _date_literal(review.date))
    if review.language:
        add(iri, SCHEMA + "inLanguage", ox.Literal(review.language))
    add(rating, RDF + "type", ox.NamedNode(SCHEMA + "Rating"))
    if review.rating.label:
        add(rating, SCHEMA + "alternateName", _literal(review.rating.label, review.language))
    for prop, number in (("ratingValue", review.rating.value), ("bestRating", review.rating.best),
                         ("worstRating", review.rating.worst)):
        if number is not None:
            add(rating, SCHEMA + prop, _number_literal(number))
    for subject in (iri, rating):
        batch.owned[subject] = graph
        batch.where[subject] = review.where
    # An earlier import of this review may have made it a claim of its own, which this one no longer reviews.
    batch.own_claims[iri + "-claim"] = graph


# ---------------------------------------------------------------- validation


@functools.cache
def shapes(ontology_dir: Path) -> list[ox.Quad]:
    """The SHACL shapes of ``ontology_dir`` (``shapes.ttl``).

    :raises DataError: if the file cannot be read or parsed.
    """
    path = ontology_dir / "shapes.ttl"
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except OSError as error:
        raise DataError(f"{path}: cannot read: {error.strerror}") from error
    except SyntaxError as error:
        raise DataError(f"{path}: {error.msg}") from error


def _graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def validate(built: Built, known: KnownClaims, shape_quads: Iterable[ox.Quad]) -> None:
    """Check the quads of ``built`` with the shapes, together with what they link to (the classes of the claims
    reviewed); only what the batch built is checked, not the data around it.

    :raises ReviewError: listing each violation as ``<record>: <property>: <the shape's message>``.
    """
    built_subjects = {quad.subject.value for quad in built.quads}
    linked = {quad.object.value for quad in built.quads if isinstance(quad.object, ox.NamedNode)} - built_subjects
    context = [ox.Triple(ox.NamedNode(iri), ox.NamedNode(RDF + "type"), ox.NamedNode(known.classes[iri]))
               for iri in sorted(linked) if iri in known.classes]
    conforms, report, _ = pyshacl.validate(
        _graph([*(quad.triple for quad in built.quads), *context]),
        shacl_graph=_graph(quad.triple for quad in shape_quads),
        inference="none",
        focus_nodes=[rdflib.URIRef(iri) for iri in sorted(built_subjects)],
    )
    if conforms:
        return
    problems = set()
    for focus, path, message in report.query(
        """PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?path ?message WHERE {
            ?result a sh:ValidationResult ; sh:focusNode ?focus .
            OPTIONAL { ?result sh:resultMessage ?message } OPTIONAL { ?result sh:resultPath ?path }
        }"""
    ):
        prop = str(path).removeprefix(SCHEMA).removeprefix(CG) if isinstance(path, rdflib.URIRef) else None
        where = built.where.get(str(focus), str(focus))
        problems.add(f"{where}: <{focus}>{': ' + prop if prop else ''}: {message or 'does not conform to the shapes'}")
    raise ReviewError(sorted(problems) or ["the reviews do not conform to the shapes, and pyshacl named no node"])


def prepare(reviews: Iterable[Review], known_triples: Iterable[ox.Triple], entity_triples: Iterable[ox.Triple],
            shape_quads: Iterable[ox.Quad], iri_base: str, problems: Iterable[str] = ()) -> Built:
    """:func:`build` and :func:`validate` of ``reviews`` against the data whose :data:`QUERY` answer is
    ``known_triples`` and whose :data:`claimgraph.model.entities.QUERY` answer is ``entity_triples``: what the
    import command and ``POST /reviews`` run before their one update. ``problems`` are those already found in the
    batch (malformed records, :func:`read_claimreview`): the well-formed reviews are still matched, so that the
    error lists the problems of both.

    :raises ReviewError: with ``problems`` and those of :func:`build`, else those of :func:`validate`.
    """
    found = list(problems)
    known = KnownClaims(known_triples)
    try:
        built = build(reviews, known, Entities(entity_triples), iri_base)
    except ReviewError as error:
        raise ReviewError(found + error.problems) from error
    if found:
        raise ReviewError(found)
    validate(built, known, shape_quads)
    return built
