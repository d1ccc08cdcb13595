"""Verdicts: the rating map and vocabulary.verdict_of (the one rule), the claim page's reviews, the rating facet of
/search and /claims, the canned queries of reviews, and a changed map read at once by a running server.

The reviews are tests/fixtures/reviews.trig (made up: two reviewers, four reviews, one disagreement, a numeric-only
rating, a claim known only from its review), added to a copy of data/; what the pages and queries must show is read
from those files with rdflib or pyoxigraph, not copied here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.rdf import vocabulary
from conftest import DATA

FIXTURE = Path(__file__).parent / "fixtures" / "reviews.trig"
RATING_MAP = DATA / "rating-map.trig"
TRUE, MIXED, FALSE, OTHER = vocabulary.VERDICTS
RATING = "https://example.org/rating"


def verdicts(store: ox.Store, rating: str = RATING) -> list[str]:
    """The verdicts that :func:`vocabulary.verdict_of` gives the rating ``rating`` in ``store``."""
    found = store.query(f"SELECT ?verdict WHERE {{ {vocabulary.verdict_of(str(ox.NamedNode(rating)))} }}",
                        use_default_graph_as_union=True)
    return [row["verdict"].value for row in found]


@pytest.fixture(scope="module")
def rating_map() -> ox.Store:
    store = ox.Store()
    store.load(path=str(RATING_MAP), format=ox.RdfFormat.TRIG)
    return store


def rated(rating_map: ox.Store, label: ox.Literal | None, numbers: tuple | None) -> ox.Store:
    """The rating map and one rating with ``label`` and ``numbers`` (value, worst, best)."""
    store = ox.Store()
    store.extend(rating_map)
    subject, schema = ox.NamedNode(RATING), vocabulary.SCHEMA
    store.add(ox.Quad(subject, ox.NamedNode(vocabulary.RDF + "type"), ox.NamedNode(schema + "Rating")))
    if label is not None:
        store.add(ox.Quad(subject, ox.NamedNode(schema + "alternateName"), label))
    if numbers is not None:
        for name, number in zip(("ratingValue", "worstRating", "bestRating"), numbers):
            store.add(ox.Quad(subject, ox.NamedNode(schema + name), ox.Literal(str(number), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#" + ("decimal" if isinstance(number, float) else "integer")))))
    return store


@pytest.mark.parametrize(
    ("label", "numbers", "verdict"),
    [
        # labels, in any case and language
        (ox.Literal("True"), None, TRUE),
        (ox.Literal("TRUE"), None, TRUE),
        (ox.Literal("correct", language="en"), None, TRUE),
        (ox.Literal("Mostly True", language="en"), None, MIXED),
        (ox.Literal("mostly false"), None, MIXED),
        (ox.Literal("Half-True"), None, MIXED),
        (ox.Literal("Barely true"), None, MIXED),
        (ox.Literal("Misleading", language="en-GB"), None, MIXED),
        (ox.Literal("False"), None, FALSE),
        (ox.Literal("Pants on Fire!"), None, FALSE),
        (ox.Literal("incorrect", language="fr"), None, FALSE),
        (ox.Literal("Unproven"), None, OTHER),
        (ox.Literal("Satire"), None, OTHER),
        # a label the map does not name, on a rating without numbers
        (ox.Literal("Sort of, in a way"), None, OTHER),
        # numbers on a scale of 1 to 5
        (None, (1, 1, 5), FALSE), (None, (2, 1, 5), FALSE), (None, (3, 1, 5), MIXED), (None, (4, 1, 5), TRUE),
        (None, (5, 1, 5), TRUE), (None, (2.5, 1, 5), MIXED),
        # of 0 to 10
        (None, (0, 0, 10), FALSE), (None, (3, 0, 10), FALSE), (None, (4, 0, 10), MIXED), (None, (6, 0, 10), MIXED),
        (None, (7, 0, 10), TRUE), (None, (10, 0, 10), TRUE),
        # of 1 to 3
        (None, (1, 1, 3), FALSE), (None, (2, 1, 3), MIXED), (None, (3, 1, 3), TRUE),
        # a label the map names overrides the number; one it does not name leaves the number to decide
        (ox.Literal("False"), (5, 1, 5), FALSE),
        (ox.Literal("Mostly true"), (1, 1, 5), MIXED),
        (ox.Literal("Unproven"), (5, 1, 5), OTHER),
        (ox.Literal("Sort of, in a way"), (5, 1, 5), TRUE),
        (ox.Literal("Sort of, in a way"), (1, 0, 10), FALSE),
    ],
)
def test_verdict_of_a_rating(rating_map, label, numbers, verdict):
    assert verdicts(rated(rating_map, label, numbers)) == [verdict]


def test_a_rating_on_no_scale_is_other(rating_map):
    store = rated(rating_map, None, None)
    store.add(ox.Quad(ox.NamedNode(RATING), ox.NamedNode(vocabulary.SCHEMA + "ratingValue"), ox.Literal("3", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))))
    assert verdicts(store) == [OTHER]


def test_the_map_names_each_label_once_and_every_verdict(rating_map):
    rows = list(rating_map.query(
        "SELECT ?label ?verdict WHERE { GRAPH ?g { ?m <https://w3id.org/claimgraph/ontology#ratingLabel> ?label ; "
        "<https://w3id.org/claimgraph/ontology#verdict> ?verdict } }"))
    labels = [row["label"].value.lower() for row in rows]
    assert len(labels) == len(set(labels))
    assert {row["verdict"].value for row in rows} == set(vocabulary.VERDICTS)


def test_two_ratings_are_placed_in_one_query(rating_map):
    store = rated(rating_map, ox.Literal("False"), None)
    other = ox.NamedNode("https://example.org/other-rating")
    store.add(ox.Quad(other, ox.NamedNode(vocabulary.SCHEMA + "alternateName"), ox.Literal("True")))
    found = store.query(
        f"SELECT ?a ?b WHERE {{ {vocabulary.verdict_of(str(ox.NamedNode(RATING)), '?a', 'one')}\n"
        f"{vocabulary.verdict_of(str(other), '?b', 'two')} }}", use_default_graph_as_union=True)
    assert [(row["a"].value, row["b"].value) for row in found] == [(FALSE, TRUE)]
