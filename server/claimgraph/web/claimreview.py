"""Blueprint: the reviews published as schema.org ``ClaimReview``: the JSON-LD feeds at ``/export``, the pages of a
review and of a claim known only from a review, and the Fact Check Tools API's ``claims:search``.

``/export/claimreview.jsonld`` (every review) and ``/export/claimreview/<reviewer>.jsonld`` (one reviewer's: the
reviews of the graphs ``<iri_base>graph/reviews/<reviewer>``, imported, and ``…/<reviewer>/<source>``, compiled from
a source's claims file) are schema.org ``DataFeed`` documents of one
``ClaimReview`` per review (:func:`claimgraph.model.publish.claim_review`), downloaded as the other exports are
(weak ETag, 304, HEAD, ``Content-Disposition: attachment``) and listed on ``/export``.

A review's page embeds its element (the feed's, with the ``@context``) in a ``<script type="application/ld+json">``
data block, as publishers do for search engines: browsers do not run a data block, so the Content-Security-Policy's
``script-src 'self'`` lets it be; its JSON is written with ``<``, ``>``, ``&`` and ``'`` escaped (``\\u003c`` …,
Jinja's ``tojson``), so that no text of the data can close the element.

``GET /api/claims:search`` answers as Google's Fact Check Tools API does
(https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search), so that its clients
can point here. Parameters, each at most once: ``query`` (the search text, read as ``/search`` reads ``q``; needed
unless ``reviewPublisherSiteFilter`` is given), ``languageCode`` (BCP-47; its primary subtag is compared),
``reviewPublisherSiteFilter`` (a host name: the reviewer's site or a subdomain of it), ``maxAgeDays`` (the review's
or the claim's date, whichever is newer, within that many days of now), ``pageSize`` (1 to :data:`MAX_PAGE_SIZE`,
default :data:`PAGE_SIZE`), ``pageToken`` (a ``nextPageToken`` of an earlier answer to the same parameters),
``offset`` (where to start when there is no ``pageToken``); ``key`` (Google's API key) is accepted and ignored.
Any other parameter, or a bad value, is a 400 problem naming it. The answer: ``{"claims": [...], "nextPageToken":
"..."}``, each key left out when it has no value, as Google leaves them out (no claim found: ``{}``). Each claim has
two keys of claimgraph's own beside Google's: ``claimgraphIri`` and ``quote`` (the verified words of its source).
The text search is the application's full-text index, which holds the claims of sources (``cg:Claim``) and those
known only from a review (``cg:ClaimFromReview``): both are found by ``query``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template
from werkzeug.exceptions import NotFound

from claimgraph.errors import ParamError
from claimgraph.model import claims, publish, reviewgraph
from claimgraph.model.text import language_tag
from claimgraph.rdf import vocabulary
from claimgraph.rdf.sparqltext import tokens
from claimgraph.store.base import Answer, Store, Term
from claimgraph.web import answers, export, iris, protocol, textsearch
from claimgraph.web.nodes import PREFIXES
from claimgraph.web.search import MAX_OFFSET

blueprint = Blueprint("claimreview", __name__)

MEDIA_TYPE = "application/ld+json"
PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
MAX_AGE_DAYS = 1_000_000
#: the parameters of ``claims:search``: Google's, and its API key (accepted, not needed).
PARAMETERS = ("query", "languageCode", "reviewPublisherSiteFilter", "maxAgeDays", "pageSize", "pageToken", "offset", "key")
#: the most claims the text search hands over for one answer.
SEARCH_HITS = 10_000
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_TOKEN = re.compile(r"offset:([0-9]{1,9})")


@blueprint.record_once
def _list_exports(state) -> None:
    state.app.extensions.setdefault(export.LISTINGS, []).append(listing)


# ---------------------------------------------------------------- reading the reviews


def reviewers(store: Store) -> dict[str, tuple[list[ox.NamedNode], int]]:
    """Each reviewer holding reviews, by its slug: its graphs (``<iri_base>graph/reviews/<slug>`` for the reviews
    imported, ``…/<slug>/<source slug>`` for those compiled from a source's claims file,
    :func:`claimgraph.model.reviewgraph.reviewer_graph`) and how many reviews they hold together."""
    graphs: dict[str, dict[str, ox.NamedNode]] = defaultdict(dict)
    held: dict[str, set[str]] = defaultdict(set)
    for row in store.select(publish.REVIEWERS):
        slug = reviewgraph.reviewer_of(row["graph"].value, iris.iri_of(""))
        if slug is not None:
            graphs[slug][row["graph"].value] = row["graph"]
            held[slug].add(row["review"].value)
    return {slug: (list(graphs[slug].values()), len(held[slug])) for slug in sorted(graphs)}


def elements(
    store: Store, *, graphs: Iterable[ox.NamedNode] | None = None, review: ox.NamedNode | None = None,
    of_claims: Collection[str] | None = None,
) -> tuple[list[dict[str, object]], dict[str, list[str]]]:
    """The ``ClaimReview`` elements of every review, of those in ``graphs``, of ``review`` alone, or of the reviews
    of ``of_claims`` (IRIs), by review IRI; and the verified words (:func:`claimgraph.model.publish.verified_words`) of
    each claimgraph claim they review.

    :raises QueryTimeout, Busy, StoreError: as :meth:`Store.select`.
    """
    bound = {"review": review} if review is not None else {}
    reviews = None
    if of_claims is not None:
        found = {row["review"] for chunk in _chunks(of_claims) for row in store.select(
            PREFIXES + f"SELECT DISTINCT ?review WHERE {{ {_values('?claim', chunk)} ?review schema:itemReviewed ?claim ; "
                       "a schema:ClaimReview }")}
        # A blank node cannot be bound: a review so written is found among all.
        reviews = {term.value for term in found} if all(isinstance(term, ox.NamedNode) for term in found) else None
    if reviews is not None:
        rows = [row for chunk in _chunks(reviews) for row in store.select(_restricted(publish.REVIEWS, "?review", chunk))]
    elif graphs is None:
        rows = store.select(publish.REVIEWS, substitutions=bound)
    else:
        # One query per graph, each bound: a review held in several of them is gathered into one element.
        rows = [row for graph in graphs for row in store.select(publish.REVIEWS, substitutions={**bound, "graph": graph})]
    found = publish.gather(rows, "review")
    items, quotes = _reviewed(store, {facts.text("item") for facts in found.values()} - {None})
    return [publish.claim_review(facts, items.get(facts.text("item") or "")) for facts in found.values()], quotes


def _reviewed(store: Store, wanted: set[str]) -> tuple[dict[str, dict[str, object]], dict[str, list[str]]]:
    """The ``Claim`` items of the claims ``wanted`` (claimgraph's claims and those known only from a review), and
    the verified words of each claimgraph claim among them, by IRI."""
    if not wanted:
        return {}, {}
    # One claim is read alone; several are picked from all (one query each, whatever their number). A blank node
    # (an itemReviewed written through /update) is named differently in every answer: it is given by its key alone.
    [first, *others] = sorted(wanted)
    one = {"claim": ox.NamedNode(first)} if not others and not first.startswith("_:") else {}

    def select(query: str) -> list[dict[str, Term]]:
        # Several claims named by IRI are read by chunks of a VALUES block; a blank node among them, from all.
        if one or any(key.startswith("_:") for key in wanted):
            return store.select(query, substitutions=one)
        return [row for chunk in _chunks(wanted) for row in store.select(_restricted(query, "?claim", chunk))]

    sources = {row["evidence"].value: row["source"].value for row in select(publish.EVIDENCE)}
    items: dict[str, dict[str, object]] = {}
    quotes: dict[str, list[str]] = {}
    for claim in claims.gather(select(claims.FACTS)):
        if claim.key in wanted:
            items[claim.key] = publish.claim_item(claim, sources)
            quotes[claim.key] = publish.verified_words(claim)
    for key, facts in publish.gather(select(publish.FROM_REVIEW), "claim").items():
        if key in wanted:
            items[key] = publish.review_claim_item(facts)
    return items, quotes


#: IRIs per VALUES block.
_CHUNK = 1000


def _chunks(iris: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(iris)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start:start + _CHUNK]


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES {variable} {{ {' '.join(str(ox.NamedNode(iri)) for iri in iris)} }}"


def _restricted(sparql: str, variable: str, iris: Iterable[str]) -> str:
    """``sparql`` (a SELECT query) with a ``VALUES`` block of ``iris`` for ``variable`` opening every group of its
    WHERE clause: pyoxigraph evaluates each group on its own before joining them, so a block at the top alone would
    still read every subject. The braces of a ``VALUES`` block's own data open no group."""
    block = _values(variable, iris) + " "
    found = list(tokens(sparql))
    where = next(index for index, token in enumerate(found) if token.is_keyword("WHERE"))
    starts, data, depth = [], False, 0
    for token in found[where:]:
        if token.is_keyword("VALUES"):
            data = True
        elif token.text == "{" and data:
            depth += 1
        elif token.text == "}" and data:
            depth -= 1
            data = depth > 0
        elif token.text == "{":
            starts.append(token.start + 1)
    for start in reversed(starts):
        sparql = f"{sparql[:start]} {block}{sparql[start:]}"
    return sparql


# ---------------------------------------------------------------- the feeds


def _feed(filename: str, graphs: list[ox.NamedNode] | None) -> Response:
    tag = export.current_etag()

    def body() -> Answer:
        feed = publish.data_feed(elements(answers.store(), graphs=graphs)[0])
        data = json.dumps(feed, ensure_ascii=False, indent=2).encode("utf-8")
        return Answer("SELECT", MEDIA_TYPE, False, None, iter((data,)), len(data))

    return export.download(filename, MEDIA_TYPE, tag, body)


@blueprint.route("/export/claimreview.jsonld")
def feed() -> Response:
    """Every review as a schema.org ``DataFeed`` of ``ClaimReview`` elements (JSON-LD)."""
    return _feed("claimgraph-claimreview.jsonld", None)


@blueprint.route("/export/claimreview/<name>.jsonld")
def reviewer_feed(name: str) -> Response:
    """The reviews of one reviewer (its graphs: ``graph/reviews/<name>`` and ``graph/reviews/<name>/<source>``) as
    a ``DataFeed``.

    :raises NotFound: (404) naming the reviewers there are, if ``name`` is none of them.
    """
    known = reviewers(answers.store())
    if name not in known:
        raise NotFound(f"there is no reviewer {name!r}; there are: {', '.join(known) or 'none'}")
    return _feed(f"claimgraph-claimreview-{name}.jsonld", known[name][0])


def listing() -> list[dict[str, object]]:
    """The feeds, as entries of ``/export``'s list: none while the store holds no review (an empty feed is no
    download worth offering; its URL answers all the same)."""
    known = reviewers(answers.store())
    if not known:
        return []
    title = "The reviews as schema.org ClaimReview"
    description = ("A schema.org DataFeed of one ClaimReview per review, with every property Google's ClaimReview "
                   "documentation requires or recommends: all reviews, and each reviewer's.")
    entries = [("claimreview.jsonld", sum(count for _, count in known.values()), protocol.external("claimreview.feed"))]
    entries += [(f"claimreview/{name}.jsonld", count, protocol.external("claimreview.reviewer_feed", name=name))
                for name, (_, count) in known.items()]
    return [{"name": name, "title": title, "format": "JSON-LD (schema.org ClaimReview)", "media_type": MEDIA_TYPE,
             "size": size, "unit": "reviews", "url": url, "description": description} for name, size, url in entries]


# ---------------------------------------------------------------- the pages


def page(store: Store, iri: ox.NamedNode) -> str | None:
    """The page of a review (``schema:ClaimReview``) or of a claim known only from a review
    (``cg:ClaimFromReview``); ``None`` for anything else.

    :raises QueryTimeout, Busy, StoreError: as :meth:`Store.select`.
    """
    [kind] = store.select(PREFIXES + f"""SELECT ?review ?fromReview WHERE {{
  BIND (EXISTS {{ GRAPH ?graph {{ {iri} a schema:ClaimReview }} }} AS ?review)
  BIND (EXISTS {{ {iri} a cg:ClaimFromReview }} AS ?fromReview)
}}""")
    if kind["review"].value == "true":
        return review_page(store, iri)
    if kind["fromReview"].value == "true":
        return claim_from_review_page(store, iri)
    return None


def review_page(store: Store, iri: ox.NamedNode) -> str:
    """A review's page: the claim (linked to its page) and its verified quote, the rating (the reviewer's label and
    the normalised verdict), the reviewer, the date, the explanation and the link to the review itself, with the
    review's ``ClaimReview`` element embedded as JSON-LD."""
    facts = publish.gather(store.select(publish.REVIEWS, substitutions={"review": iri}), "review")[iri.value]
    [element], quotes = elements(store, review=iri)
    item = element.get("itemReviewed", {})
    claim_iri = item.get("@id")
    author = element.get("author", {})
    return render_template(
        "review.html",
        review=element,
        jsonld=publish.embedded(element),
        claim_url=iris.page_url(claim_iri) if claim_iri else None,
        claim_text=item.get("text"),
        from_review=facts.text("itemType") == vocabulary.CG + "ClaimFromReview",
        quotes=quotes.get(claim_iri, []),
        verdict=facts.text("verdictLabel"),
        verdict_url=iris.page_url(facts.text("verdict")) if facts.text("verdict") else None,
        verdict_word=vocabulary.VERDICT_WORDS.get(facts.text("verdict"), "other"),
        reviewer_url=iris.page_url(author["@id"]) if "@id" in author else None,
        review_href=iris.external(str(element.get("url", ""))),
        reviewer_href=iris.external(str(author.get("url", ""))),
    )


def claim_from_review_page(store: Store, iri: ox.NamedNode) -> str:
    """The page of a claim known only from a review: its text, claimant, where it appeared and its reviews."""
    facts = publish.gather(store.select(publish.FROM_REVIEW, substitutions={"claim": iri}), "claim")[iri.value]
    item = publish.review_claim_item(facts)
    rows = store.select(PREFIXES + f"SELECT DISTINCT ?review WHERE {{ ?review a schema:ClaimReview ; schema:itemReviewed {iri} }}")
    found = [element for row in rows for element in elements(store, review=row["review"])[0]]
    found.sort(key=lambda element: (str(element.get("datePublished", "")), element["@id"]))
    author = item.get("author", {})
    return render_template(
        "claim_from_review.html",
        claim=item,
        claimant_url=iris.page_url(author["@id"]) if "@id" in author else None,
        appearances=[(page_, iris.external(page_)) for page_ in (term.value for term in facts.all("appearance"))],
        reviews=[(element, iris.page_url(element["@id"])) for element in found],
    )


# ---------------------------------------------------------------- the Fact Check Tools API


def _integer(text: str | None, name: str, low: int, high: int, default: int | None) -> int | None:
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        raise ParamError(name, f"expected an integer from {low} to {high}, got {text!r}")
    return int(text)


def page_token(offset: int) -> str:
    """The opaque ``nextPageToken`` of the page starting at ``offset``."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset_of(token: str) -> int:
    """:raises ParamError: naming ``pageToken``, if ``token`` is no token this service gave."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    found = _TOKEN.fullmatch(text)
    if found is None or int(found[1]) > MAX_OFFSET:
        raise ParamError("pageToken", f"{token!r} is not a nextPageToken of this service; give one it answered, or none")
    return int(found[1])


@blueprint.route("/api/claims:search")
def claims_search() -> Response:
    """Reviewed claims in the shape of Google's Fact Check Tools API (see the module's docstring).

    :raises ParamError: (400, naming it) for an unknown or repeated parameter, a bad value, or neither ``query``
        nor ``reviewPublisherSiteFilter``.
    """
    params = protocol.url_parameters()
    for name in params:
        if name not in PARAMETERS:
            raise ParamError(name, f"unknown parameter; known parameters: {', '.join(PARAMETERS)}")
    args = {name: value for name in PARAMETERS if (value := protocol.single(params, name))}
    language, site = args.get("languageCode"), args.get("reviewPublisherSiteFilter")
    if language is not None and language_tag(language) is not None:
        raise ParamError("languageCode", f"expected a BCP-47 language code such as 'en' or 'en-US', got {language!r}")
    if site is not None:
        site = site.lower().removeprefix("www.")
        if not _HOST.fullmatch(site):
            raise ParamError("reviewPublisherSiteFilter", f"expected a site's host name such as 'example.org', got {args['reviewPublisherSiteFilter']!r}")
    if "query" not in args and site is None:
        raise ParamError("query", "missing: give the words to search for, or a reviewPublisherSiteFilter")
    days = _integer(args.get("maxAgeDays"), "maxAgeDays", 0, MAX_AGE_DAYS, None)
    size = _integer(args.get("pageSize"), "pageSize", 1, MAX_PAGE_SIZE, PAGE_SIZE)
    start = _offset_of(args["pageToken"]) if "pageToken" in args else _integer(args.get("offset"), "offset", 0, MAX_OFFSET, 0)
    order = None
    store = answers.store()
    if "query" in args:
        order = [iri for iri, _ in textsearch.index().matching(textsearch.match(args["query"], "query"), SEARCH_HITS)]
        # Only the reviews of the claims found are built: the others could not be answered.
        every, quotes = elements(store, of_claims=order)
    else:
        every, quotes = elements(store)
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days) if days is not None else None
    found = publish.api_claims(every, quotes, publish.Filters(language, site, since), order)
    answer: dict[str, object] = {}
    if found[start:start + size]:
        answer["claims"] = found[start:start + size]
    if start + size < len(found):
        answer["nextPageToken"] = page_token(start + size)
    return current_app.json.response(answer)
