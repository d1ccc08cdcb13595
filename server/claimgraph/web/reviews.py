"""Blueprint: ``POST /reviews``, fact-checkers' reviews sent as schema.org ClaimReview JSON-LD to a running server.

The same reading, matching and validation as ``claimgraph import-claimreview`` (:mod:`claimgraph.model.reviews`),
the update token as ``/update`` asks, and one update: a batch with any problem changes nothing.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from claimgraph.model import entities, reviewgraph, reviews
from claimgraph.rdf import formats
from claimgraph.store.base import insert_data
from claimgraph.web import answers, iris, protocol, textsearch
from claimgraph.web.services import services

blueprint = Blueprint("reviews", __name__)

#: The media types of a body of reviews.
ACCEPTED = ("application/ld+json", formats.JSON)
#: How the body is named in the problems of its records (``request body: record 2 (…): url: missing``).
BODY = "request body"


def _candidates(found: list[reviews.Review]) -> set[str] | None:
    """The only claims ``found`` can be matched to: those whose text (or one of whose quotes) is a review's
    ``claimReviewed``, looked up in the search index, and those a review names; ``None`` (every claim is read) while
    the index lags behind the store, which a write behind the service's back leaves it until its rebuild ends."""
    index = textsearch.index()
    if not index.state().current:
        return None
    named = set()
    for review in found:
        if review.claim is not None:
            try:
                named.add(ox.NamedNode(review.claim).value)
            except ValueError:
                continue  # not an IRI: build() names the problem
    return index.claims_with_text(review.claim_text for review in found if review.claim_text) | named


@blueprint.route("/reviews", methods=["POST"])
def post() -> Response:
    """Import the reviews of a ClaimReview JSON-LD body (one ClaimReview, a list, an ``@graph`` or a ``DataFeed``).

    ``{"reviews": [{"iri", "claim", "url"}], "created": n, "updated": m}`` (``url`` the review's page on this server,
    ``claim`` the IRI of the claim it reviews) and ``Location``: the page of the first review; 201 when the batch
    created a review, 200 when it only replaced reviews imported before (the same URL and claim).

    :raises Unauthorized, Forbidden: (401, 403) without the update token, as :func:`protocol.require_writer`.
    :raises UnsupportedMediaType: (415) for a body that is not JSON-LD or JSON, or not UTF-8.
    :raises RequestEntityTooLarge: (413) past the size limit.
    :raises ReviewError: (400) listing every problem of every record; nothing is changed.
    """
    protocol.require_writer()
    if request.mimetype not in ACCEPTED:
        raise protocol.unsupported(f"{request.mimetype or 'no Content-Type'} is not accepted here", ACCEPTED)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not accepted; send UTF-8")
    data = protocol.body()
    found, problems = reviews.read_claimreview(reviews.read_json(data, BODY), BODY)
    config = services().config
    store = answers.store()
    with textsearch.index().following():
        with services().deciding:
            built = reviewgraph.prepare(
                found, store.construct(reviewgraph.known_query(_candidates(found))), store.construct(entities.QUERY),
                reviewgraph.shapes(config.ontology_dir), config.iri_base, problems,
            )
            store.update(" ;\n".join([*built.deletions(), insert_data(built.quads)]))
        # Before the answer: the graphs the batch wrote to or deleted from, for the search index to follow.
        textsearch.index().written({*built.graphs, *built.owned.values(), *built.released.values(),
                                    *(quad.graph_name.value for quad in built.quads)})
    current_app.logger.info("POST /reviews: %d review(s) imported in %s", len(built.reviews), ", ".join(built.graphs))
    pages = [iris.page_url(iri) for iri in built.reviews]
    response = jsonify(
        reviews=[{"iri": iri, "claim": claim, "url": page} for iri, claim, page in zip(built.reviews, built.claims, pages)],
        created=len(built.reviews) - len(built.existing),
        updated=len(built.existing),
    )
    response.status_code = 201 if len(built.reviews) > len(built.existing) else 200
    response.headers["Location"] = pages[0]
    return response
