"""A feed of fact-checkers' reviews of generated claims, as schema.org ClaimReview JSON-LD (a DataFeed), for timing
``claimgraph import-claimreview`` and ``POST /reviews``.

    .venv/bin/python bench/feed.py --reviews 10000 --sidecar var/bench/1000000/data.nq.json -o var/bench/feed.json

Each review names one of the sidecar's sample claims by its IRI (``itemReviewed``), with its own URL, one of a few
reviewers, a date and a rating word; the same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

REVIEWERS = ("Fact Watch", "Verify Desk", "Claim Check", "Truth Meter", "Second Look")
WORDS = ("True", "Mostly true", "Half true", "Mostly false", "False", "Misleading")


def feed(claims: list[str], count: int, seed: int) -> dict:
    """A DataFeed of ``count`` ClaimReviews of ``claims``, drawn with ``seed``."""
    chosen = random.Random(seed)
    items = []
    for number in range(count):
        reviewer = chosen.choice(REVIEWERS)
        site = reviewer.lower().replace(" ", "-")
        items.append({
            "@type": "ClaimReview",
            "url": f"https://{site}.example.org/reviews/{number:06d}",
            "datePublished": (date(2020, 1, 1) + timedelta(days=chosen.randrange(1500))).isoformat(),
            "author": {"@type": "Organization", "name": reviewer, "url": f"https://{site}.example.org/"},
            "claimReviewed": f"Generated claim reviewed by {reviewer}, review {number}",
            "reviewRating": {"@type": "Rating", "alternateName": chosen.choice(WORDS)},
            "itemReviewed": {"@type": "Claim", "@id": chosen.choice(claims)},
        })
    return {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=int, required=True, help="how many reviews")
    parser.add_argument("--sidecar", type=Path, required=True, help="the generator's JSON sample file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True)
    arguments = parser.parse_args()
    claims = json.loads(arguments.sidecar.read_text(encoding="utf-8"))["claims"]
    arguments.output.write_text(json.dumps(feed(claims, arguments.reviews, arguments.seed)), encoding="utf-8")
    print(arguments.reviews)


if __name__ == "__main__":
    main()
