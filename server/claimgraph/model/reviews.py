"""Fact-checkers' reviews of claims: the one record every way in (YAML, ClaimReview JSON-LD, ``POST /reviews``)
is turned into, its checks, how it is matched to a claim, and the quads it becomes, in its reviewer's graph.

Interface fixed by the lead; the bodies are the reviews helper's.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

REVIEWS_GRAPH = "graph/reviews/"  # + reviewer slug, below the IRI base
REVIEW_FOLDER = "id/review/"  # + reviewer slug + "/" + key, below the IRI base


@dataclasses.dataclass(frozen=True)
class Rating:
    """A rating on the reviewer's own scale: a label (``alternateName``), a number with its scale, or both."""

    label: str | None = None
    value: Decimal | None = None
    best: Decimal | None = None
    worst: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Reviewer:
    """The organisation that published a review."""

    name: str
    url: str | None = None
    same_as: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Review:
    """One review of one claim, from whichever way it came in.

    ``where`` names the record for error messages (``feed.json: record 3``, ``claims.yaml:41``). ``claim`` is the
    IRI of the claim it reviews when the record names one (``itemReviewed``); else the claim is found by
    ``claim_text`` and ``appearances``, or a :data:`claimgraph ontology cg:ClaimFromReview` is made.
    """

    where: str
    claim_text: str
    rating: Rating
    reviewer: Reviewer
    url: str
    date: str
    claim: str | None = None
    appearances: tuple[str, ...] = ()
    claimant: str | None = None
    claim_date: str | None = None
    explanation: str | None = None
    language: str | None = None
    title: str | None = None
