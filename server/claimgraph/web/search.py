"""Blueprint: full-text search of the claims (``/search``) and the list of all claims (``/claims``), filtered by facets.

Both answer HTML to browsers and JSON to clients that ask for it (``Accept: application/json``, or the ``.json``
URL: ``/search.json``, ``/claims.json``), from the application's index (:mod:`claimgraph.search.fts`), which
follows every write of the service before its answer is sent, so a write is found by the next request.

Parameters (each at most once; an empty value counts as not given; any other parameter is a 400 naming it):
``q`` the search text (words, ``"phrases"``, ``prefix*``, ``OR``; ``/search`` only); ``city``, ``policy``,
``outcome``, ``speaker``, ``kind``, ``voice``, ``source`` an IRI each, keeping the claims with that facet value;
``rating`` a verdict (the IRI of ``cg:VerdictTrue``, ``cg:VerdictMixed``, ``cg:VerdictFalse`` or ``cg:VerdictOther``)
keeping the claims a review gives that verdict, or ``unreviewed`` keeping those no one has reviewed;
``limit`` (1 to :data:`MAX_LIMIT`, default :data:`LIMIT`) and ``offset`` (0 to :data:`MAX_OFFSET`) the page.
Without ``q``, ``/search`` answers browsers with its empty form and JSON clients with a 400 naming ``q``.
Facet counts are over every claim found, not only the page shown.

JSON: ``{query, total, offset, limit, results: [{iri, url, text, highlighted, snippet, score, from_review, rating,
city, policy, outcome, speaker, kind, voice, source}], facets: {facet: [{value, label, count}]}, entities: [{iri, url, label,
highlighted, types, claims, score}], labels: {iri: label}}``. ``highlighted`` (the claim's words) and ``snippet``
(the best-matching stretch of its words, quotes or names) are HTML: the text escaped, each match in ``<mark>``;
``score`` is higher for a better match (``null`` in ``/claims``); facet fields are lists of IRIs; ``url`` is the
page of the IRI on this server. ``from_review`` is ``null`` for a claim of an archived source, and for a claim known
only from a fact-checker's review (no archived source, no verified words) the IRI of that review (``""`` if it names
none); such claims are listed after the others.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup, escape

from claimgraph.errors import ParamError
from claimgraph.rdf import formats, vocabulary
from claimgraph.search.query import FACETS, NOT_REVIEWED, RATINGS, Marked, Results
from claimgraph.web import answers, iris, protocol, textsearch
from claimgraph.web.nodes import local_name

blueprint = Blueprint("search", __name__)

LIMIT = 20
MAX_LIMIT = 100
#: the furthest a client may page into a list of claims: ``offset`` here, and ``offset``/``pageToken`` of the Fact
#: Check Tools API's ``claims:search`` (:mod:`claimgraph.web.claimreview`).
MAX_OFFSET = 100_000
#: entities shown beside the claims found.
ENTITIES = 8
#: the heading of each facet.
FACET_TITLES = {"rating": "Verdict", "city": "City", "policy": "Policy", "outcome": "Outcome", "speaker": "Speaker", "kind": "Kind",
                "voice": "Voice", "source": "Source"}


@blueprint.route("/search")
@blueprint.route("/search.json", endpoint="search_json")
def search() -> Response:
    """Claims whose words, quotes or names match ``q`` (best first), and the entities whose names do.

    :raises ParamError: (400, naming it) for an unknown, repeated or bad parameter; for a missing ``q`` in JSON.
    """
    args = _arguments(("q",))
    as_json = _wants_json()
    text = args.get("q")
    if text is None:
        if as_json:
            raise ParamError("q", "missing: give the words to search for")
        return _page("search.html", None, args)
    results = textsearch.index().search(
        textsearch.match(text, "q"), _facets(args), limit=_limit(args), offset=_offset(args), entities=ENTITIES
    )
    return _json(results) if as_json else _page("search.html", results, args)


@blueprint.route("/claims")
@blueprint.route("/claims.json", endpoint="claims_json")
def claims() -> Response:
    """Every claim (by source, then position in it) with the facet values asked for.

    :raises ParamError: (400, naming it) for an unknown, repeated or bad parameter.
    """
    args = _arguments(())
    results = textsearch.index().search(None, _facets(args), limit=_limit(args), offset=_offset(args))
    return _json(results) if _wants_json() else _page("claims.html", results, args)


def _wants_json() -> bool:
    """Whether to answer JSON: the ``.json`` URL, or Accept preferring it to HTML.

    :raises NotAcceptable: (406) if Accept takes neither.
    """
    if request.endpoint.endswith("_json"):
        return True
    return answers.negotiated([formats.HTML, formats.JSON], None, "list") == formats.JSON


def _arguments(extra: tuple[str, ...]) -> dict[str, str]:
    """The request's parameters, each given once; empty ones left out.

    :raises ParamError: for a parameter not known here, or one given more than once.
    """
    params = protocol.url_parameters()
    known = (*extra, *FACETS, "limit", "offset")
    for name in params:
        if name not in known:
            raise ParamError(name, f"unknown parameter; known parameters: {', '.join(known)}")
    values = {name: protocol.single(params, name) for name in known}
    return {name: value for name, value in values.items() if value}


def _facets(args: dict[str, str]) -> dict[str, str]:
    """The facet values asked for, each checked to be an IRI (``rating``: a verdict's or ``unreviewed``).

    :raises ParamError: naming the facet, for a value that is not an absolute IRI, or a ``rating`` not among them.
    """
    chosen = {name: protocol.named_node(args[name], name).value for name in FACETS if name in args and name != "rating"}
    if "rating" in args:
        if args["rating"] not in RATINGS:
            raise ParamError("rating", f"expected one of {', '.join(RATINGS)}, got {args['rating']!r}")
        chosen["rating"] = args["rating"]
    return chosen


def _bounded(args: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    text = args.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        raise ParamError(name, f"expected an integer from {low} to {high}, got {text!r}")
    return int(text)


def _limit(args: dict[str, str]) -> int:
    return _bounded(args, "limit", LIMIT, 1, MAX_LIMIT)


def _offset(args: dict[str, str]) -> int:
    return _bounded(args, "offset", 0, 0, MAX_OFFSET)


def html(marked: Marked) -> Markup:
    """``marked`` as HTML: each stretch escaped, then the matches wrapped in ``<mark>``; lines joined by `` · ``."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(text) if hit else escape(text)
        for text, hit in ((text.replace("\n", " · "), hit) for text, hit in marked)
    )


#: What a facet value that is no IRI is shown as.
VALUE_LABELS = {NOT_REVIEWED: "not reviewed"}


def label(results: Results, iri: str) -> str:
    """The label of ``iri``, or the last part of it when it has none."""
    return results.labels.get(iri) or VALUE_LABELS.get(iri) or local_name(iri)


def _json(results: Results) -> Response:
    return current_app.json.response({
        "query": results.query,
        "total": results.total,
        "offset": results.offset,
        "limit": results.limit,
        "results": [
            {"iri": hit.iri, "url": iris.page_url(hit.iri), "text": hit.text, "highlighted": str(html(hit.marked)),
             "snippet": str(html(hit.snippet)), "score": hit.score, "from_review": hit.from_review,
             **{name: list(hit.facets[name]) for name in FACETS}}
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": value.value, "label": label(results, value.value), "count": value.count} for value in values]
            for name, values in results.facets.items()
        },
        "entities": [
            {"iri": entity.iri, "url": iris.page_url(entity.iri), "label": label(results, entity.iri),
             "highlighted": str(html(entity.marked)), "types": list(entity.types), "claims": entity.claims,
             "score": entity.score}
            for entity in results.entities
        ],
        "labels": dict(results.labels),
    })


def _page(template: str, results: Results | None, args: dict[str, str]) -> Response:
    endpoint = request.endpoint.removesuffix("_json")

    def link(**changes: str | None) -> str:
        """This page's URL with ``changes`` made to its parameters (``None`` removes one); a new filter starts at
        the first page."""
        changed = {**args, **changes}
        if any(name in FACETS for name in changes):
            changed.pop("offset", None)
        return url_for(endpoint, **{name: value for name, value in changed.items() if value is not None})

    body = render_template(
        template, results=results, args=args, facets=FACETS, titles=FACET_TITLES, html=html, link=link,
        label=(lambda iri: label(results, iri)) if results is not None else str, page_url=iris.page_url,
        verdict_words=vocabulary.VERDICT_WORDS,
    )
    return Response(body, mimetype=formats.HTML)
