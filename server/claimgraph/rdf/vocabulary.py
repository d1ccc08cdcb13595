"""The terms of the data that code decides by, each decision in one place: which properties name a thing, what a
claim is about, and by which links a thing lies in a place.

The store (the search index), the model (the exports) and the web (the pages) all read them here, so that a claim
is found under the same city, and a thing shown under the same name, everywhere. ``queries/*.rq`` are files that
stand on their own and spell the same paths out; ``tests/test_queries.py`` checks them against the data.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import pyoxigraph as ox

#: claimgraph's ontology: its IRI (also the name of the store's graph that holds it) and the namespace of its terms.
#: Fixed, whatever IRI base a deployment mints its data under: the vocabulary is claimgraph's, not the data's.
ONTOLOGY = "https://w3id.org/claimgraph/ontology"
CG = ONTOLOGY + "#"
SCHEMA = "http://schema.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"

#: The properties that name a thing, the preferred first (see :func:`label_candidates` and :func:`best_label`, the
#: one choice of a thing's label); a claim, which has no name, is shown by its text.
LABELS = (SCHEMA + "name", RDFS + "label", SKOS + "prefLabel", SCHEMA + "headline")
CLAIM_TEXT = SCHEMA + "text"
#: What a claim speaks of: its subjects, and the cause and effect of a causal claim.
SUBJECTS = (SCHEMA + "about", CG + "cause", CG + "effect")
#: The links by which a thing lies in a place (a school in a city, a policy located there, a city in its region),
#: followed in any number to find every place a thing lies in.
WITHIN = (SCHEMA + "location", SCHEMA + "areaServed", SCHEMA + "containedInPlace")
#: The class of the places a claim is listed under as its city.
CITY = SCHEMA + "City"


def alternatives(properties: Iterable[str]) -> str:
    """A SPARQL property path matching any one of ``properties``: ``<a>|<b>|…``."""
    return "|".join(str(ox.NamedNode(iri)) for iri in properties)


def cities_of(claim: str, city: str = "?city") -> str:
    """A graph pattern binding ``city`` to each city that the claim ``claim`` (a variable or a serialized IRI) speaks
    of: a subject, cause or effect that is the city or lies in it by any chain of :data:`WITHIN` links."""
    return f"{claim} ({alternatives(SUBJECTS)})/({alternatives(WITHIN)})* {city} . {city} a {ox.NamedNode(CITY)} ."


def label_candidates(thing: str, label: str = "?label", rank: str = "?rank", prop: str | None = None) -> str:
    """A group graph pattern binding ``label`` to each literal that labels ``thing`` (a variable or a serialized
    IRI) by one of :data:`LABELS`, ``rank`` to that property's place in :data:`LABELS` and ``prop`` (default
    ``label`` + ``Property``) to the property; :func:`best_label` picks the one to show among them."""
    prop = prop or label + "Property"
    ranked = " ".join(f"({ox.NamedNode(iri)} {number})" for number, iri in enumerate(LABELS))
    return f"{{ VALUES ({prop} {rank}) {{ {ranked} }} {thing} {prop} {label} FILTER (isLiteral({label})) }}"


def label_rank(rank: int, label: ox.Literal) -> tuple[int, int, str]:
    """The order of labels, best first: by the rank of their property (:func:`label_candidates`), then English or
    untagged before other languages, then the least text."""
    language = label.language or ""
    return rank, 0 if language in ("", "en") or language.startswith("en-") else 1, label.value


def best_label(candidates: Iterable[tuple[int, ox.Literal]]) -> str | None:
    """The text of the best of ``candidates`` (rank and literal, as :func:`label_candidates` binds them) by
    :func:`label_rank`, ``None`` when there is none."""
    best = min((label_rank(rank, label) for rank, label in candidates), default=None)
    return best[2] if best is not None else None


def best_labels(candidates: Iterable[tuple[Hashable, int, ox.Literal]]) -> dict[Hashable, str]:
    """Thing → the text of its best label (:func:`best_label`), from ``candidates`` of (thing, rank, literal)."""
    best: dict[Hashable, tuple[int, int, str]] = {}
    for thing, rank, label in candidates:
        key = label_rank(rank, label)
        if thing not in best or key < best[thing]:
            best[thing] = key
    return {thing: key[2] for thing, key in best.items()}


#: The normalised verdicts (cg:verdicts), in the order pages and facets list them.
VERDICTS = (CG + "VerdictTrue", CG + "VerdictMixed", CG + "VerdictFalse", CG + "VerdictOther")
#: Each verdict's word (``true``, ``mixed``, ``false``, ``other``): what pages name its badge by.
VERDICT_WORDS = {verdict: verdict.removeprefix(CG + "Verdict").lower() for verdict in VERDICTS}
#: The graph the rating map is kept in (``data/rating-map.trig``); replacing it changes every verdict shown.
RATING_MAP_GRAPH = "https://w3id.org/claimgraph/graph/rating-map"


def reviews_of(claim: str, review: str = "?review", rating: str = "?rating") -> str:
    """A graph pattern binding ``review`` to each schema:ClaimReview of ``claim`` (a variable or a serialized IRI)
    and ``rating`` to its schema:reviewRating; with :func:`verdict_of` over ``rating``, the claim's verdicts."""
    return f"{review} a <{SCHEMA}ClaimReview> ; <{SCHEMA}itemReviewed> {claim} ; <{SCHEMA}reviewRating> {rating} ."


def verdict_of(rating: str, verdict: str = "?verdict", tag: str = "v") -> str:
    """Graph patterns binding ``verdict`` to the normalised verdict of the schema:Rating ``rating`` (a variable or a
    serialized IRI), read from the rating map at query time: the cg:RatingMapping naming its label (schema:alternateName,
    compared without regard to case or language tag); else, for a numeric rating, the cg:NumericRatingMapping whose
    range holds its place on its own scale, (value - worst) / (best - worst), from cg:minFraction inclusive up to
    cg:maxFraction exclusive (a maxFraction of 1 holds the best rating); else cg:VerdictOther. The helper variables end
    in ``tag``, so that two ratings can be placed in one query.

    This is the one statement of the rule: pages, facets, the Fact Check Tools API and the exports use it, and each
    canned query that shows verdicts spells out the same patterns (``tests/test_queries.py`` checks that they agree)."""
    label, mapped, by_label = f"?label_{tag}", f"?map_{tag}", f"?byLabel_{tag}"
    value, best, worst, place = f"?value_{tag}", f"?best_{tag}", f"?worst_{tag}", f"?place_{tag}"
    low, high, by_number = f"?low_{tag}", f"?high_{tag}", f"?byNumber_{tag}"
    s, c = SCHEMA, CG
    return (
        f"OPTIONAL {{ {rating} <{s}alternateName> {label} . {mapped} a <{c}RatingMapping> ; <{c}ratingLabel> ?mapLabel_{tag} ;"
        f" <{c}verdict> {by_label} . FILTER (LCASE(STR({label})) = LCASE(STR(?mapLabel_{tag}))) }}\n"
        f"OPTIONAL {{ {rating} <{s}ratingValue> {value} ; <{s}bestRating> {best} ; <{s}worstRating> {worst} ."
        f" BIND (({value} - {worst}) / ({best} - {worst}) AS {place})"
        f" ?numeric_{tag} a <{c}NumericRatingMapping> ; <{c}minFraction> {low} ; <{c}maxFraction> {high} ; <{c}verdict> {by_number} ."
        f" FILTER ({place} >= {low} && ({place} < {high} || ({high} = 1 && {place} = 1))) }}\n"
        f"BIND (COALESCE({by_label}, {by_number}, <{c}VerdictOther>) AS {verdict})"
    )
