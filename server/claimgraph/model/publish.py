"""The reviews as they are published: one schema.org ``ClaimReview`` per review, as Google's ClaimReview structured
data reads it (https://developers.google.com/search/docs/appearance/structured-data/factcheck), in a ``DataFeed``;
and the reviewed claims in the JSON shape of Google's Fact Check Tools API ``claims:search``
(https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search).

The caller runs :data:`REVIEWS`, :data:`FROM_REVIEW`, :data:`EVIDENCE` and :data:`claimgraph.model.claims.FACTS`
and hands their rows in; nothing here touches a store. A review's element is built from what the store says, and
the API's claims are built from the elements, so that the two never disagree.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

import pyoxigraph as ox

from claimgraph.model import claims, reviews
from claimgraph.rdf import vocabulary

SCHEMA = vocabulary.SCHEMA
_PREFIXES = f"PREFIX cg: <{vocabulary.CG}>\nPREFIX schema: <{SCHEMA}>\nPREFIX oa: <{vocabulary.OA}>\nPREFIX skos: <{vocabulary.SKOS}>\n"

#: One row per fact about a review, each branch binding ``?review``, ``?graph`` (the named graph holding its
#: ``a schema:ClaimReview``) and the variables of one kind of fact. ``?graph`` or ``?review`` may be bound by the
#: caller (``substitutions``) to read one reviewer's or one review's. ``?verdict`` is the rating's normalised verdict
#: (:func:`claimgraph.rdf.vocabulary.verdict_of`), ``?verdictLabel`` its label.
REVIEWS = _PREFIXES + f"""SELECT ?review ?graph ?claimReviewed ?item ?itemType ?rating ?label ?value ?best ?worst
       ?verdict ?verdictLabel ?body ?author ?authorName ?authorUrl ?authorSameAs ?authorType ?url ?headline ?date ?language
WHERE {{
  GRAPH ?graph {{ ?review a schema:ClaimReview }}
  # the empty group: a row for a review with no other fact, so that every review is gathered.
  {{ }}
  UNION {{ ?review schema:claimReviewed ?claimReviewed }}
  UNION {{ ?review schema:itemReviewed ?item
          OPTIONAL {{ ?item a ?itemType FILTER (?itemType IN (cg:Claim, cg:ClaimFromReview)) }} }}
  UNION {{ ?review schema:reviewRating ?rating
          OPTIONAL {{ ?rating schema:alternateName ?label }} OPTIONAL {{ ?rating schema:ratingValue ?value }}
          OPTIONAL {{ ?rating schema:bestRating ?best }} OPTIONAL {{ ?rating schema:worstRating ?worst }}
          {vocabulary.verdict_of("?rating")}
          OPTIONAL {{ ?verdict skos:prefLabel ?verdictLabel }} }}
  UNION {{ ?review schema:reviewBody ?body }}
  UNION {{ ?review schema:author ?author
          OPTIONAL {{ ?author schema:name ?authorName }} OPTIONAL {{ ?author schema:url ?authorUrl }}
          OPTIONAL {{ ?author a ?authorType FILTER (STRSTARTS(STR(?authorType), STR(schema:))) }} }}
  UNION {{ ?review schema:author/schema:sameAs ?authorSameAs }}
  UNION {{ ?review schema:url ?url }}
  UNION {{ ?review schema:headline ?headline }}
  UNION {{ ?review schema:datePublished ?date }}
  UNION {{ ?review schema:inLanguage ?language }}
}}"""

#: One row per fact about a claim known only from a review (``cg:ClaimFromReview``); ``?claim`` may be bound.
FROM_REVIEW = _PREFIXES + """SELECT ?claim ?text ?author ?authorName ?authorType ?authorSameAs ?appearance ?date ?review
WHERE {
  ?claim a cg:ClaimFromReview .
  { }
  UNION { ?claim schema:text ?text }
  UNION { ?claim schema:author ?author
          OPTIONAL { ?author schema:name ?authorName }
          OPTIONAL { ?author a ?authorType FILTER (STRSTARTS(STR(?authorType), STR(schema:))) } }
  UNION { ?claim schema:author/schema:sameAs ?authorSameAs }
  UNION { ?claim schema:appearance ?appearance }
  UNION { ?claim schema:datePublished ?date }
  UNION { ?claim cg:fromReview ?review }
}"""

#: The source each evidence span of a claim quotes; ``?claim`` may be bound.
EVIDENCE = _PREFIXES + "SELECT DISTINCT ?claim ?evidence ?source WHERE { ?claim a cg:Claim ; cg:evidence ?evidence . ?evidence oa:hasSource ?source }"

#: Each review and each named graph holding its ``a schema:ClaimReview`` (``?graph``, ``?review``): a reviewer's
#: reviews are those of all its graphs (:func:`claimgraph.model.reviewgraph.reviewer_of`).
REVIEWERS = _PREFIXES + "SELECT DISTINCT ?graph ?review WHERE { GRAPH ?graph { ?review a schema:ClaimReview } } ORDER BY ?graph"

#: What joins the words of a claim's evidence spans in the API's ``quote``, in the order of the source.
QUOTE_SEPARATOR = " … "

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclasses.dataclass
class Facts:
    """What the rows of a query say of one subject: the terms each variable was bound to."""

    key: str
    values: dict[str, set[Term]] = dataclasses.field(default_factory=lambda: defaultdict(set))

    def all(self, name: str) -> list[Term]:
        """The terms of ``name``, in a stable order (by their N-Triples form)."""
        return sorted(self.values.get(name, ()), key=str)

    def text(self, name: str) -> str | None:
        """The lexical form of the first term of ``name`` (:meth:`all`), ``None`` for none."""
        found = self.all(name)
        return found[0].value if found else None


def gather(rows: Iterable[Mapping[str, Term]], subject: str) -> dict[str, Facts]:
    """The subjects (the variable ``subject``) that ``rows`` tell of, ordered by IRI, each with its facts."""
    found: dict[str, Facts] = {}
    for row in rows:
        facts = found.setdefault(claims.key(row[subject]), Facts(claims.key(row[subject])))
        for name, term in row.items():
            facts.values[name].add(term)
    return {key: found[key] for key in sorted(found)}


def number(literal: Term) -> int | float | str:
    """A numeric literal as a JSON number (an integer when it is one); its text when it is no number."""
    try:
        value = Decimal(literal.value)
    except InvalidOperation:
        return literal.value
    return int(value) if value == value.to_integral_value() else float(value)


def rating_label(label: str | None, value: Term | None, best: Term | None, worst: Term | None) -> str:
    """The rating's text: the reviewer's own label, else what the number says and no more: "4 on a scale of 1 to
    5" (Google requires ``alternateName``, and shows it; a word such as "mostly true" would be claimgraph's, not
    the reviewer's)."""
    if label is not None:
        return label
    if value is None:
        return "no rating given"
    return reviews.scale_text(value.value, best.value if best is not None else None, worst.value if worst is not None else None)


def _types(terms: list[Term], default: str) -> str | list[str]:
    names = [term.value.removeprefix(SCHEMA) for term in terms] or [default]
    return claims.single(names)


def claim_review(review: Facts, item: Mapping[str, object] | None) -> dict[str, object]:
    """The schema.org ``ClaimReview`` of ``review`` (the :data:`REVIEWS` facts of one review), reviewing ``item``
    (:func:`claim_item` or :func:`review_claim_item`; ``None`` when the store holds no such claim, and then the
    item is given by its IRI alone).

    Google's required properties: ``claimReviewed``, ``reviewRating`` with ``alternateName`` (the reviewer's label,
    or :func:`rating_label`'s honest reading of a number), ``url``; its recommended ones: ``author`` (the reviewer,
    with ``name`` and ``url``), ``datePublished``, ``itemReviewed`` (a ``Claim``), and the rating's ``name`` (the
    same text as ``alternateName``), ``ratingValue``, ``bestRating``, ``worstRating`` where the reviewer gave
    numbers. Beside them ``headline``, ``reviewBody`` and ``inLanguage`` when the store has them, and ``@id``s: the
    review's, its rating's and its author's claimgraph IRIs. Texts are plain strings.
    """
    element: dict[str, object] = {"@type": "ClaimReview", "@id": review.key}
    for name, variable in (("url", "url"), ("claimReviewed", "claimReviewed")):
        if review.text(variable) is not None:
            element[name] = review.text(variable)
    item_iri = review.text("item")
    if item is not None:
        element["itemReviewed"] = dict(item)
    elif item_iri is not None:
        element["itemReviewed"] = {"@type": "Claim", "@id": item_iri}
    rating = review.text("rating")
    if rating is not None:
        value, best, worst = (next(iter(review.all(name)), None) for name in ("value", "best", "worst"))
        label = rating_label(review.text("label"), value, best, worst)
        given: dict[str, object] = {"@type": "Rating", "@id": rating, "alternateName": label, "name": label}
        for name, term in (("ratingValue", value), ("bestRating", best), ("worstRating", worst)):
            if term is not None:
                given[name] = number(term)
        element["reviewRating"] = given
    author = review.text("author")
    if author is not None:
        reviewer: dict[str, object] = {"@type": _types(review.all("authorType"), "Organization"), "@id": author}
        for name, variable in (("name", "authorName"), ("url", "authorUrl")):
            if review.text(variable) is not None:
                reviewer[name] = review.text(variable)
        same_as = sorted(term.value for term in review.all("authorSameAs"))
        if same_as:
            reviewer["sameAs"] = claims.single(same_as)
        element["author"] = reviewer
    for name, variable in (("datePublished", "date"), ("headline", "headline"), ("reviewBody", "body"), ("inLanguage", "language")):
        if review.text(variable) is not None:
            element[name] = review.text(variable)
    return element


def claim_item(claim: claims.Claim, sources: Mapping[str, str]) -> dict[str, object]:
    """A claimgraph claim as the ``Claim`` a review's ``itemReviewed`` is: the schema.org item of
    :func:`claimgraph.model.claims.schema_org` (``@id`` its IRI, ``text``, ``author``, ``appearance``,
    ``firstAppearance``, ``datePublished``), each appearance holding, as ``hasPart``, a ``Quotation`` whose ``text``
    is the exact words of an evidence span in it: the words claimgraph verified at their offsets in the archived
    text. ``sources`` maps each evidence span of the claim to the source it quotes (:data:`EVIDENCE`); a span of a
    source the claim does not give as an appearance adds that source as one."""
    [item] = claims.schema_org([claim])["@graph"]
    appearances = item.get("appearance", [])
    works = {work["@id"]: work for work in (appearances if isinstance(appearances, list) else [appearances])}
    for span in claim.things("evidence"):
        words = span.first("quote")
        source = sources.get(span.key)
        if not words or source is None:
            continue
        work = works.setdefault(source, {"@id": source})
        work.setdefault("hasPart", []).append({"@type": "Quotation", "text": words})
    if works:
        item["appearance"] = claims.single(list(works.values()))
        first = item.get("firstAppearance")
        if isinstance(first, dict) and first["@id"] in works:
            item["firstAppearance"] = works[first["@id"]]
    return item


def verified_words(claim: claims.Claim) -> list[str]:
    """The exact words of each of the claim's evidence spans, in the order of the source."""
    return [span.first("quote") for span in claim.things("evidence") if span.first("quote")]


def review_claim_item(claim: Facts) -> dict[str, object]:
    """A claim known only from a review (the :data:`FROM_REVIEW` facts of one) as a schema.org ``Claim``: ``@id``
    its IRI, ``text``, ``author`` (the claimant, typed as the data types it, with its name and ``sameAs``), ``appearance`` (each
    web page it appeared in, as a ``CreativeWork`` with that ``url``), ``datePublished``, and ``firstAppearance``
    when it has one appearance only (the review does not say which of several came first)."""
    item: dict[str, object] = {"@type": "Claim", "@id": claim.key}
    if claim.text("text") is not None:
        item["text"] = claim.text("text")
    author = claim.text("author")
    if author is not None:
        person: dict[str, object] = {"@type": _types(claim.all("authorType"), "Person"), "@id": author}
        if claim.text("authorName") is not None:
            person["name"] = claim.text("authorName")
        same_as = sorted(term.value for term in claim.all("authorSameAs"))
        if same_as:
            person["sameAs"] = claims.single(same_as)
        item["author"] = person
    works = [{"@type": "CreativeWork", "url": page.value} for page in claim.all("appearance")]
    if works:
        item["appearance"] = claims.single(works)
        if len(works) == 1:
            item["firstAppearance"] = works[0]
    if claim.text("date") is not None:
        item["datePublished"] = claim.text("date")
    return item


def data_feed(elements: list[dict[str, object]]) -> dict[str, object]:
    """The elements as a schema.org ``DataFeed`` (``dataFeedElement``), with the schema.org ``@context``."""
    return {"@context": claims.SCHEMA_ORG_CONTEXT, "@type": "DataFeed", "dataFeedElement": elements}


def embedded(element: Mapping[str, object]) -> dict[str, object]:
    """One element as the document a review's page embeds: the same element, with the schema.org ``@context``."""
    return {"@context": claims.SCHEMA_ORG_CONTEXT, **element}


# ---------------------------------------------------------------- the Fact Check Tools API


def moment(text: str) -> datetime.datetime | None:
    """An ``xsd:date`` (the start of its day, UTC) or ``xsd:dateTime`` (UTC when it names no zone) as an aware
    datetime; ``None`` when it is neither."""
    try:
        found = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=datetime.UTC)


def timestamp(text: str) -> str:
    """A date or date-time as the API writes its ``Timestamp`` fields: RFC 3339 in UTC, ``2017-10-04T00:00:00Z``;
    a text that is neither is given as it is."""
    found = moment(text)
    return found.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if found is not None else text


def site_of(url: str | None) -> str | None:
    """The host of ``url``, lower case, without a leading ``www.``: the reviewer's site as the API names it; ``None``
    for no URL or one with no host that can be read (data written by hand)."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


@dataclasses.dataclass(frozen=True)
class Filters:
    """What ``claims:search`` narrows the reviews by: their language (its primary subtag; Google does not consider
    the region), their publisher's site (the site or a subdomain of it), and a least date (the review's or its
    claim's date, whichever is newer, must be on or after it)."""

    language: str | None = None
    site: str | None = None
    since: datetime.datetime | None = None

    def keep(self, review: Mapping[str, object], claim_date: str | None) -> bool:
        if self.language is not None:
            given = str(review.get("inLanguage", "")).split("-")[0].lower()
            if given != self.language.split("-")[0].lower():
                return False
        if self.site is not None:
            site = publisher_site(review)
            if site is None or not (site == self.site or site.endswith("." + self.site)):
                return False
        if self.since is not None:
            dates = [found for found in (moment(str(review.get("datePublished", ""))), moment(claim_date or "")) if found]
            if not dates or max(dates) < self.since:
                return False
        return True


def publisher_site(element: Mapping[str, object]) -> str | None:
    """The site of the publisher of a review element: its author's site, else the host of the review's URL."""
    return site_of(_author(element).get("url")) or site_of(_first_text(element.get("url")))


def _author(element: Mapping[str, object]) -> Mapping[str, object]:
    author = element.get("author")
    return author if isinstance(author, dict) else {}


def _first_text(value: object) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value is not None else None


def api_review(element: Mapping[str, object]) -> dict[str, object]:
    """A review element (:func:`claim_review`) as the API's ``ClaimReview``: ``publisher`` {``name``, ``site``},
    ``url``, ``title``, ``reviewDate``, ``textualRating``, ``languageCode``; a key with no value is left out, as
    Google leaves it out."""
    author = _author(element)
    publisher = {name: value for name, value in (("name", author.get("name")), ("site", publisher_site(element))) if value}
    rating = element.get("reviewRating")
    found = {
        "publisher": publisher or None,
        "url": element.get("url"),
        "title": element.get("headline"),
        "reviewDate": timestamp(str(element["datePublished"])) if "datePublished" in element else None,
        "textualRating": rating.get("alternateName") if isinstance(rating, dict) else None,
        "languageCode": element.get("inLanguage"),
    }
    return {name: value for name, value in found.items() if value is not None}


def api_claims(
    elements: Iterable[Mapping[str, object]], quotes: Mapping[str, list[str]], filters: Filters, order: list[str] | None = None
) -> list[dict[str, object]]:
    """The reviewed claims in the API's ``Claim`` shape (``text``, ``claimant``, ``claimDate``, ``claimReview[]``),
    each with two keys of claimgraph's own beside Google's: ``claimgraphIri`` (the claim's IRI) and ``quote`` (the
    verified words of its source, from ``quotes`` (:func:`verified_words`), its spans joined by
    :data:`QUOTE_SEPARATOR`; absent for a claim known only from a review).

    Only the reviews that ``filters`` keep are given, and only the claims with at least one such review, as Google
    gives only reviewed claims. ``order`` (the claims a text search found, best first) keeps those claims in that
    order; without it, the claims are ordered by their newest review, newest first, then by IRI."""
    by_claim: dict[str, list[Mapping[str, object]]] = defaultdict(list)
    items: dict[str, Mapping[str, object]] = {}
    for element in elements:
        item = element.get("itemReviewed")
        if isinstance(item, dict) and "@id" in item:
            items[item["@id"]] = item
            if filters.keep(element, _first_text(item.get("datePublished"))):
                by_claim[item["@id"]].append(element)
    if order is not None:
        chosen = [iri for iri in order if iri in by_claim]
    else:
        newest = {iri: max(timestamp(str(review.get("datePublished", ""))) for review in reviews) for iri, reviews in by_claim.items()}
        chosen = sorted(sorted(by_claim), key=lambda iri: newest[iri], reverse=True)
    found = []
    for iri in chosen:
        item = items[iri]
        author = _author(item)
        date = _first_text(item.get("datePublished"))
        reviews = sorted(by_claim[iri], key=lambda review: (str(review.get("datePublished", "")), str(review["@id"])))
        claim = {
            "text": _first_text(item.get("text")),
            "claimant": author.get("name"),
            "claimDate": timestamp(date) if date else None,
            "claimReview": [api_review(review) for review in reviews],
            "claimgraphIri": iri,
            "quote": QUOTE_SEPARATOR.join(quotes[iri]) if quotes.get(iri) else None,
        }
        found.append({name: value for name, value in claim.items() if value is not None})
    return found
