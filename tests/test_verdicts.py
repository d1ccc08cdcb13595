"""Verdicts: the rating map and vocabulary.verdict_of (the one rule), the claim page's reviews, the rating facet of
/search and /claims, the canned queries of reviews, and a changed map read at once by a running server.

The reviews are tests/fixtures/reviews.trig (made up: two reviewers, four reviews, one disagreement, a numeric-only
rating, a claim known only from its review), added to a copy of data/; what the pages and queries must show is read
from those files with rdflib or pyoxigraph, not copied here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from claimgraph.model import catalog
from claimgraph.rdf import vocabulary
from flask import render_template
from conftest import DATA, ONTOLOGY, QUERIES, answered, body, copy_of, in_process, page, problem, running_server

REVIEWS_TRIG = "reviews/fixture.trig"

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


# ---------------------------------------------------------------- the data with the fixture's reviews


def reviewed_data(where: Path) -> Path:
    """A copy of data/ in ``where`` with the fixture's reviews added."""
    data = Path(shutil.copytree(DATA, where / "data"))
    (data / REVIEWS_TRIG).parent.mkdir()
    shutil.copy(FIXTURE, data / REVIEWS_TRIG)
    return data


def load(data: Path, store: Path) -> Path:
    """``store`` loaded from ``data`` by ``claimgraph load`` in its own process."""
    subprocess.run([sys.executable, "-m", "claimgraph", "--store", str(store), "--data-dir", str(data), "load"],
                   check=True, capture_output=True)
    return store


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> tuple[Path, Path]:
    """The data directory with the fixture's reviews and a store loaded from it."""
    where = tmp_path_factory.mktemp("reviewed")
    data = reviewed_data(where)
    return data, load(data, where / "store")


@pytest.fixture(scope="module")
def site(reviewed, tmp_path_factory):
    data, store = reviewed
    with in_process(copy_of(store, tmp_path_factory.mktemp("site")), data_dir=data) as running:
        yield running


@pytest.fixture(scope="module")
def graph(reviewed) -> rdflib.Dataset:
    """The ontology and the data with the reviews, its default graph the union of its graphs (for expectations)."""
    data, _ = reviewed
    dataset = rdflib.Dataset(default_union=True)
    for path in sorted(data.rglob("*.trig")):
        dataset.parse(path, format="trig")
    dataset.parse(ONTOLOGY / "claimgraph.ttl", format="turtle")
    return dataset


PREFIXES = f"PREFIX cg: <{vocabulary.CG}>\nPREFIX schema: <{vocabulary.SCHEMA}>\nPREFIX skos: <{vocabulary.SKOS}>\n"


def rows(graph: rdflib.Dataset, sparql: str) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in graph.query(PREFIXES + sparql)]


def expected_reviews(graph: rdflib.Dataset) -> dict[str, dict[str, str]]:
    """Each review of the fixture: its claim, rating label or numbers, reviewer's name, date, title, body, url and
    verdict, as rdflib reads them with :func:`vocabulary.verdict_of`."""
    found = rows(graph, f"""SELECT ?review ?claim ?label ?value ?worst ?best ?reviewer ?name ?date ?title ?body ?url ?verdict ?verdictLabel
WHERE {{ {vocabulary.reviews_of("?claim")} {vocabulary.verdict_of("?rating")}
  ?review schema:author ?reviewer ; schema:datePublished ?date ; schema:url ?url . ?reviewer schema:name ?name .
  ?verdict skos:prefLabel ?verdictLabel .
  OPTIONAL {{ ?rating schema:alternateName ?label }}
  OPTIONAL {{ ?rating schema:ratingValue ?value ; schema:worstRating ?worst ; schema:bestRating ?best }}
  OPTIONAL {{ ?review schema:headline ?title }} OPTIONAL {{ ?review schema:reviewBody ?body }} }}""")
    return {row["review"]: row for row in found}


def claim_of(review: dict[str, str]) -> str:
    return review["claim"].removeprefix("https://w3id.org/claimgraph")


class _Reviews(HTMLParser):
    """The reviews listed in a page's ``#reviews`` section: per ``li.review``, its text and links (href, rel)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.reviews: list[dict] = []
        self.section: list[str] = []
        self.disagreement = ""
        self._in_disagreement = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id") == "reviews":
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        if not self.depth:
            return
        if tag == "li" and "review" in (attrs.get("class") or "").split():
            self.reviews.append({"verdict": attrs.get("data-verdict"), "text": [], "links": []})
        if tag == "p" and attrs.get("class") == "disagreement":
            self._in_disagreement = True
        if tag == "a" and self.reviews:
            self.reviews[-1]["links"].append((attrs.get("href"), attrs.get("rel"), attrs.get("class")))

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1
        if tag == "p":
            self._in_disagreement = False

    def handle_data(self, data):
        if self.depth:
            self.section.append(data)
            if self._in_disagreement:
                self.disagreement += data
            elif self.reviews:
                self.reviews[-1]["text"].append(data)


def reviews_shown(response) -> _Reviews:
    parser = _Reviews()
    parser.feed(body(response).decode("utf-8"))
    for review in parser.reviews:
        review["text"] = re.sub(r"\s+", " ", "".join(review["text"])).strip()
    return parser


# ---------------------------------------------------------------- the claim page


def path(iri: str) -> str:
    """The path of ``iri``'s page on the test service (the default IRI base)."""
    return iri.removeprefix("https://w3id.org/claimgraph")


def reviewed_claims(graph: rdflib.Dataset) -> list[str]:
    return sorted({row["claim"] for row in rows(graph, "SELECT ?claim WHERE { ?r a schema:ClaimReview ; schema:itemReviewed ?claim . ?claim a cg:Claim }")})


def test_the_claim_page_lists_every_review_of_the_claim_by_date(site, graph):
    expected = expected_reviews(graph)
    assert reviewed_claims(graph)
    for claim in reviewed_claims(graph):
        ours = sorted((review for review in expected.values() if review["claim"] == claim), key=lambda review: review["date"])
        shown = reviews_shown(answered(site.get(path(claim), headers={"Accept": "text/html"})))
        assert [review["verdict"] for review in shown.reviews] == [vocabulary.VERDICT_WORDS[review["verdict"]] for review in ours]
        for review, listed in zip(ours, shown.reviews):
            rating = f"“{review['label']}”" if "label" in review else feed_ratings(site)[review["review"]]
            assert listed["text"].startswith(f"{review['verdictLabel']} {rating}"), listed["text"]
            assert f" by {review['name']}, {review['date'][:10]}" in listed["text"]
            assert all(review[part] in listed["text"] for part in ("title", "body") if part in review)
            assert (review["url"], "external noopener", "review-url") in listed["links"]
            assert (path(review["review"]), None, "review-page") in listed["links"]
            assert (path(review["reviewer"]), None, None) in listed["links"]


def feed_ratings(site) -> dict[str, str]:
    """Each review's rating as the ClaimReview feed words it (``reviewRating.alternateName``), by review IRI."""
    feed = json.loads(body(answered(site.get("/export/claimreview.jsonld"))))
    return {element["@id"]: element["reviewRating"]["alternateName"] for element in feed["dataFeedElement"]}


def test_a_numeric_rating_is_shown_on_its_own_scale_in_the_feeds_words(site, graph):
    [numeric] = [review for review in expected_reviews(graph).values() if "label" not in review]
    shown = reviews_shown(answered(site.get(path(numeric["claim"]), headers={"Accept": "text/html"})))
    [listed] = [review for review in shown.reviews if (path(numeric["review"]), None, "review-page") in review["links"]]
    words = f"{numeric['value']} on a scale of {numeric['worst']} to {numeric['best']}"
    assert feed_ratings(site)[numeric["review"]] == words
    assert listed["text"].startswith(f"{numeric['verdictLabel']} {words} by ")


@pytest.mark.parametrize(("word", "label"), [("true", "vrai"), ("false", "false"), ("other", "other")])
def test_the_review_page_names_its_verdict_badge_by_the_verdicts_word(app, word, label):
    """The badge's class is the verdict's word (vocabulary.VERDICT_WORDS), whatever language its label is in."""
    with app.app.test_request_context("/"):
        html = render_template(
            "review.html", review={"@id": "https://example.org/review/1", "claimReviewed": "An example claim"}, jsonld={},
            verdict=label, verdict_word=word, verdict_url="/example-verdict",
        )
    assert re.findall(r'<dd class="review-verdict"><a href="/example-verdict"><span class="verdict verdict-(\w+)">([^<]*)</span></a>',
                      html) == [(word, label)]


def test_disagreeing_reviews_are_flagged_and_agreeing_ones_are_not(site, graph):
    expected = expected_reviews(graph)
    for claim in reviewed_claims(graph):
        verdicts = [label for verdict, label in zip(vocabulary.VERDICTS, ("true", "mixed", "false", "other"))
                    if verdict in {review["verdict"] for review in expected.values() if review["claim"] == claim}]
        shown = reviews_shown(answered(site.get(path(claim), headers={"Accept": "text/html"})))
        if len(verdicts) > 1:
            assert re.sub(r"\s+", " ", shown.disagreement).strip() == f"The reviewers disagree: {', '.join(verdicts)}."
        else:
            assert shown.disagreement == ""
    assert any(len({r["verdict"] for r in expected.values() if r["claim"] == claim}) > 1 for claim in reviewed_claims(graph))


def test_a_claim_without_reviews_says_so(site, graph):
    [unreviewed, *_] = sorted({row["claim"] for row in rows(graph, "SELECT ?claim WHERE { ?claim a cg:Claim "
                                                                   "FILTER NOT EXISTS { ?r schema:itemReviewed ?claim } }")})
    shown = reviews_shown(answered(site.get(path(unreviewed), headers={"Accept": "text/html"})))
    assert (shown.reviews, re.sub(r"\s+", " ", "".join(shown.section)).strip()) == (
        [], "Reviews No fact-checker's review of this claim is recorded.")



# ---------------------------------------------------------------- the rating facet of /search and /claims

NOT_REVIEWED = "unreviewed"


def listed_claims(graph: rdflib.Dataset) -> set[str]:
    """What /claims lists: the claims of archived sources and the claims known only from a review."""
    return {row["claim"] for row in rows(graph, "SELECT ?claim WHERE { { ?claim a cg:Claim } UNION { ?claim a cg:ClaimFromReview } }")}


def ratings(graph: rdflib.Dataset) -> dict[str, set[str]]:
    """Each listed claim's values of the rating facet: the verdicts of its reviews, or "unreviewed"."""
    found: dict[str, set[str]] = {claim: set() for claim in listed_claims(graph)}
    for row in rows(graph, f"SELECT DISTINCT ?claim ?verdict WHERE {{ {vocabulary.reviews_of('?claim')} {vocabulary.verdict_of('?rating')} }}"):
        found[row["claim"]].add(row["verdict"])
    return {claim: verdicts or {NOT_REVIEWED} for claim, verdicts in found.items()}


def counted(values: dict[str, set[str]], among: set[str] | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for claim, found in values.items():
        for value in found if among is None or claim in among else ():
            counts[value] = counts.get(value, 0) + 1
    return counts


def listing(service, path: str = "/claims.json", **params) -> dict:
    return json.loads(body(answered(service.get(path, params={"limit": "100", **params}))))


def test_the_rating_facet_counts_every_verdict_of_every_claim(site, graph):
    answer = listing(site)
    expected = counted(ratings(graph))
    assert [(value["value"], value["count"]) for value in answer["facets"]["rating"]] == [
        (value, expected[value]) for value in (*vocabulary.VERDICTS, NOT_REVIEWED) if value in expected]
    assert {value["value"]: value["label"] for value in answer["facets"]["rating"]} == {
        **{verdict: word for verdict, word in vocabulary.VERDICT_WORDS.items() if verdict in expected}, NOT_REVIEWED: "not reviewed"}
    # the claim two reviewers disagree on counts under both verdicts
    assert sum(value["count"] for value in answer["facets"]["rating"]) == answer["total"] + sum(
        len(found) - 1 for found in ratings(graph).values())
    assert sum(value["count"] for value in answer["facets"]["rating"]) > answer["total"]


@pytest.mark.parametrize("value", [*vocabulary.VERDICTS, NOT_REVIEWED])
def test_the_rating_filter_keeps_the_claims_with_that_verdict(site, graph, value):
    expected = {claim for claim, found in ratings(graph).items() if value in found}
    answer = listing(site, rating=value)
    assert ({hit["iri"] for hit in answer["results"]}, answer["total"]) == (expected, len(expected))
    assert all(value in hit["rating"] for hit in answer["results"])
    order = [*vocabulary.VERDICTS, NOT_REVIEWED]
    assert all(hit["rating"] == sorted(hit["rating"], key=order.index) for hit in answer["results"])


def test_a_search_counts_the_verdicts_of_the_claims_it_finds(site, graph):
    answer = listing(site, "/search.json", q="CCTV")
    found = {hit["iri"] for hit in answer["results"]}
    assert {value["value"]: value["count"] for value in answer["facets"]["rating"]} == counted(ratings(graph), found)
    narrowed = listing(site, "/search.json", q="CCTV", rating=vocabulary.VERDICTS[2])
    assert {hit["iri"] for hit in narrowed["results"]} == {claim for claim in found if vocabulary.VERDICTS[2] in ratings(graph)[claim]}


def test_review_explanations_and_titles_are_searched(site, graph):
    [(claim, body_text)] = [(row["claim"], row["body"]) for row in rows(
        graph, "SELECT ?claim ?body WHERE { ?r schema:itemReviewed ?claim ; schema:reviewBody ?body FILTER CONTAINS(?body, 'Antwerp') }")]
    answer = listing(site, "/search.json", q="Antwerp")
    [hit] = [hit for hit in answer["results"] if hit["iri"] == claim]
    assert "<mark>Antwerp</mark>" in hit["snippet"]
    # the snippet is the stretch of the review column: the explanation, found by its word
    assert body_text in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    [(titled, title)] = [(row["claim"], row["title"]) for row in rows(graph, "SELECT ?claim ?title WHERE { ?r schema:itemReviewed ?claim ; schema:headline ?title }")]
    assert titled in {hit["iri"] for hit in listing(site, "/search.json", q=f'"{title.rstrip("?")}"')["results"]}


def test_a_claim_known_only_from_a_review_is_listed_last_and_marked(site, graph):
    from_review = {row["claim"]: row["review"] for row in rows(graph, "SELECT ?claim ?review WHERE { ?claim a cg:ClaimFromReview ; cg:fromReview ?review }")}
    answer = listing(site)
    assert answer["total"] == len(listed_claims(graph))
    marked = {hit["iri"]: hit["from_review"] for hit in answer["results"] if hit["from_review"] is not None}
    assert marked == from_review
    assert [hit["iri"] for hit in answer["results"]][-len(from_review):] == sorted(from_review)
    [hit] = [hit for hit in answer["results"] if hit["iri"] in from_review]
    assert hit["source"] == []
    html = page(answered(site.get("/claims", params={"rating": vocabulary.VERDICTS[2]}, headers={"Accept": "text/html"})))
    assert html.text.count("Known from a review, no archived source") == len(
        [claim for claim in from_review if vocabulary.VERDICTS[2] in ratings(graph)[claim]])


def test_the_claims_page_shows_the_rating_facet_with_links_and_badges(site, graph):
    response = answered(site.get("/claims", params={"limit": "100"}, headers={"Accept": "text/html"}))
    text = body(response).decode()
    facet = text[text.index('data-facet="rating"'):text.index("</section>", text.index('data-facet="rating"'))]
    expected = counted(ratings(graph))
    for value in (*vocabulary.VERDICTS, NOT_REVIEWED):
        if value in expected:
            label = vocabulary.VERDICT_WORDS.get(value, "not reviewed")
            assert re.search(rf'<a href="/claims\?limit=100&amp;rating=[^"]+">{label}</a> <span class="count">{expected[value]}</span>', facet), label
    badges = re.findall(r'<span class="verdict verdict-(\w+)">', text)
    assert len(badges) == sum(len(found) for found in ratings(graph).values() if NOT_REVIEWED not in found)


@pytest.mark.parametrize("value", ["true", "https://w3id.org/claimgraph/ontology#VerdictMaybe", "not reviewed"])
def test_a_rating_that_is_no_verdict_is_refused_naming_the_parameter(site, value):
    response = site.get("/claims.json", params={"rating": value})
    found = problem(response)
    assert (response.status_code, found["parameter"], found["detail"]) == (
        400, "rating", f"parameter 'rating': expected one of {', '.join((*vocabulary.VERDICTS, NOT_REVIEWED))}, got {value!r}")


# ---------------------------------------------------------------- the map and the reviews changed on a running server


def remapped(label: str, verdict: str) -> str:
    """The rating map of data/rating-map.trig with ``label`` moved to the mapping of ``verdict``, as N-Triples."""
    store = ox.Store()
    store.load(path=str(RATING_MAP), format=ox.RdfFormat.TRIG)
    store.update(f"""DELETE {{ GRAPH ?g {{ ?m <{vocabulary.CG}ratingLabel> ?label }} }}
INSERT {{ GRAPH ?g {{ ?target <{vocabulary.CG}ratingLabel> ?label }} }}
WHERE {{ GRAPH ?g {{ ?m <{vocabulary.CG}ratingLabel> ?label FILTER (LCASE(STR(?label)) = {ox.Literal(label.lower())})
                    ?target <{vocabulary.CG}verdict> {ox.NamedNode(verdict)} ; a <{vocabulary.CG}RatingMapping> }} }}""")
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(vocabulary.RATING_MAP_GRAPH)).decode()


@pytest.fixture
def served(reviewed, tmp_path):
    data, store = reviewed
    with running_server(copy_of(store, tmp_path), data_dir=data) as running:
        yield running


def written(service, method: str, path: str, **options):
    return service.request(method, path, headers={"Authorization": f"Bearer {service.token}", **options.pop("headers", {})}, **options)


def ratings_in(store: ox.Store) -> dict[str, set[str]]:
    """Each reviewed claim's verdicts in ``store`` (:func:`vocabulary.verdict_of`)."""
    found: dict[str, set[str]] = {}
    for row in store.query(f"SELECT DISTINCT ?claim ?verdict WHERE {{ {vocabulary.reviews_of('?claim')} {vocabulary.verdict_of('?rating')} }}",
                           use_default_graph_as_union=True):
        found.setdefault(row["claim"].value, set()).add(row["verdict"].value)
    return found


#: A change of the map by SPARQL update: the label "false" becomes other.
FALSE_IS_OTHER = f"""
DELETE DATA {{ GRAPH <{vocabulary.RATING_MAP_GRAPH}> {{ <https://w3id.org/claimgraph/id/rating-map/false> <{vocabulary.CG}ratingLabel> "false" }} }} ;
INSERT DATA {{ GRAPH <{vocabulary.RATING_MAP_GRAPH}> {{ <https://w3id.org/claimgraph/id/rating-map/other> <{vocabulary.CG}ratingLabel> "false" }} }}"""


def test_a_changed_rating_map_changes_the_verdicts_shown_at_once(served, reviewed, graph):
    data, _ = reviewed
    expected = ox.Store()
    for trig in sorted(data.rglob("*.trig")):
        expected.load(path=str(trig), format=ox.RdfFormat.TRIG)
    [review] = [review for review in expected_reviews(graph).values()
                if review.get("label", "").lower() == "mostly true" and review["claim"] in reviewed_claims(graph)]
    before = reviews_shown(answered(served.get(path(review["claim"]), headers={"Accept": "text/html"})))
    assert "mixed" in [listed["verdict"] for listed in before.reviews]
    true_before = listing(served, rating=vocabulary.VERDICTS[0])["total"]

    # the Graph Store: the map replaced by one where "mostly true" is true
    new_map = remapped("mostly true", vocabulary.VERDICTS[0])
    response = written(served, "PUT", "/store", params={"graph": vocabulary.RATING_MAP_GRAPH},
                       data=new_map.encode(), headers={"Content-Type": "application/n-triples"})
    assert response.status_code == 204
    after = reviews_shown(answered(served.get(path(review["claim"]), headers={"Accept": "text/html"})))
    [listed] = [listed for listed in after.reviews if (path(review["review"]), None, "review-page") in listed["links"]]
    assert listed["verdict"] == "true"
    assert listing(served, rating=vocabulary.VERDICTS[0])["total"] == true_before + 1

    # a SPARQL update to the map is read at once too
    expected.update(f"DROP GRAPH <{vocabulary.RATING_MAP_GRAPH}>")
    expected.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(vocabulary.RATING_MAP_GRAPH))
                    for t in ox.parse(new_map.encode(), ox.RdfFormat.N_TRIPLES))
    before_update = ratings_in(expected)
    expected.update(FALSE_IS_OTHER)
    assert ratings_in(expected) != before_update
    assert written(served, "POST", "/update", data={"update": FALSE_IS_OTHER}).status_code == 204
    for verdict in vocabulary.VERDICTS:
        assert {hit["iri"] for hit in listing(served, rating=verdict)["results"]} == {
            claim for claim, found in ratings_in(expected).items() if verdict in found}, verdict


def test_a_review_written_to_a_running_server_shows_at_once(served, graph):
    [claim, *_] = sorted(claim for claim, found in ratings(graph).items() if found == {NOT_REVIEWED} and claim.startswith(
        "https://w3id.org/claimgraph/id/claim/"))
    review = "https://w3id.org/claimgraph/id/review/example-fact-check/written-now"
    response = written(served, "POST", "/update", data={"update": f"""PREFIX schema: <{vocabulary.SCHEMA}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA {{ GRAPH <https://w3id.org/claimgraph/graph/reviews/example-fact-check> {{
  <{review}> a schema:ClaimReview ; schema:itemReviewed <{claim}> ; schema:claimReviewed "made up for a test" ;
    schema:reviewRating <{review}-rating> ; schema:author <https://w3id.org/claimgraph/id/org/example-fact-check> ;
    schema:url <https://factcheck.example.org/written-now> ; schema:datePublished "2020-01-02"^^xsd:date .
  <{review}-rating> a schema:Rating ; schema:alternateName "Pants on fire" . }} }}"""})
    assert response.status_code == 204
    assert claim in {hit["iri"] for hit in listing(served, rating=vocabulary.VERDICTS[2])["results"]}
    assert claim not in {hit["iri"] for hit in listing(served, rating=NOT_REVIEWED)["results"]}
    shown = reviews_shown(answered(served.get(path(claim), headers={"Accept": "text/html"})))
    assert [(listed["verdict"], listed["text"]) for listed in shown.reviews] == [
        ("false", "false “Pants on fire” by Example Fact Check, 2020-01-02 Read the review · the review's record here")]


# ---------------------------------------------------------------- the canned queries of reviews

SCHEMA_NS = rdflib.Namespace(vocabulary.SCHEMA)
CG_NS = rdflib.Namespace(vocabulary.CG)


def python_verdict(graph: rdflib.Dataset, rating: rdflib.term.Node) -> str:
    """The verdict of ``rating`` by the rule of the rating map, computed in Python from the map's triples: the
    label's mapping (case ignored), else the numeric mapping whose range holds the rating's place on its scale,
    else other. The oracle of the canned queries and of :func:`vocabulary.verdict_of`."""
    by_label = {str(label).lower(): str(verdict) for mapping in graph.subjects(rdflib.RDF.type, CG_NS.RatingMapping)
                for label in graph.objects(mapping, CG_NS.ratingLabel) for verdict in graph.objects(mapping, CG_NS.verdict)}
    label = graph.value(rating, SCHEMA_NS.alternateName)
    if label is not None and str(label).lower() in by_label:
        return by_label[str(label).lower()]
    value, worst, best = (graph.value(rating, SCHEMA_NS[name]) for name in ("ratingValue", "worstRating", "bestRating"))
    if None not in (value, worst, best):
        place = (value.toPython() - worst.toPython()) / (best.toPython() - worst.toPython())
        for mapping in graph.subjects(rdflib.RDF.type, CG_NS.NumericRatingMapping):
            low, high = (graph.value(mapping, CG_NS[name]).toPython() for name in ("minFraction", "maxFraction"))
            if low <= place < high or high == place == 1:
                return str(graph.value(mapping, CG_NS.verdict))
    return vocabulary.VERDICTS[3]


def python_reviews(graph: rdflib.Dataset) -> dict[str, tuple[str, str]]:
    """Each review: the claim it reviews and its verdict (:func:`python_verdict`)."""
    return {str(review): (str(graph.value(review, SCHEMA_NS.itemReviewed)), python_verdict(graph, graph.value(review, SCHEMA_NS.reviewRating)))
            for review in graph.subjects(rdflib.RDF.type, SCHEMA_NS.ClaimReview)}


@pytest.fixture(scope="module")
def reviewed_store(reviewed) -> ox.Store:
    """The ontology and the data with the reviews in an in-memory store, as the service's store holds them."""
    data, _ = reviewed
    store = ox.Store()
    for trig in sorted(data.rglob("*.trig")):
        store.load(path=str(trig), format=ox.RdfFormat.TRIG)
    store.load(path=str(ONTOLOGY / "claimgraph.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(vocabulary.ONTOLOGY))
    return store


@pytest.fixture(scope="module")
def canned():
    return catalog.load(QUERIES)


def canned_rows(store: ox.Store, query) -> list[dict[str, str]]:
    found = store.query(query.text, use_default_graph_as_union=True, substitutions=query.bind({}))
    names = [variable.value for variable in found.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in found]


def test_the_python_rule_and_verdict_of_agree_on_every_review(graph, reviewed_store):
    by_query = {row["review"].value: row["verdict"].value for row in reviewed_store.query(
        f"SELECT ?review ?verdict WHERE {{ {vocabulary.reviews_of('?claim')} {vocabulary.verdict_of('?rating')} }}",
        use_default_graph_as_union=True)}
    assert by_query == {review: verdict for review, (_, verdict) in python_reviews(graph).items()}


def test_claims_with_reviews_lists_every_review_with_its_verdict(graph, reviewed_store, canned):
    found = canned_rows(reviewed_store, canned["claims-with-reviews"])
    assert {(row["review"], row["claim"], row["verdict"]) for row in found} == {
        (review, claim, verdict) for review, (claim, verdict) in python_reviews(graph).items()}
    assert len(found) == len(python_reviews(graph))
    for row in found:
        review = rdflib.URIRef(row["review"])
        rating = graph.value(review, SCHEMA_NS.reviewRating)
        date = graph.value(review, SCHEMA_NS.datePublished)
        # rdflib writes a date-time in its normal form: compared as literals, each read by rdflib
        assert rdflib.Literal(row["date"], datatype=date.datatype) == date
        assert (row.get("ratingLabel"), row.get("ratingValue"), row["reviewerName"], row["url"], row["text"],
                row["verdictLabel"], row["isKnownFromReview"]) == (
            str(graph.value(rating, SCHEMA_NS.alternateName)) if graph.value(rating, SCHEMA_NS.alternateName) else None,
            str(graph.value(rating, SCHEMA_NS.ratingValue)) if graph.value(rating, SCHEMA_NS.ratingValue) is not None else None,
            str(graph.value(graph.value(review, SCHEMA_NS.author), SCHEMA_NS.name)), str(graph.value(review, SCHEMA_NS.url)), str(graph.value(rdflib.URIRef(row["claim"]), SCHEMA_NS.text)),
            vocabulary.VERDICT_WORDS[row["verdict"]],
            str((rdflib.URIRef(row["claim"]), rdflib.RDF.type, CG_NS.ClaimFromReview) in graph).lower())


def test_unreviewed_claims_are_the_claims_no_review_names(graph, reviewed_store, canned):
    reviewed_claims_ = {claim for claim, _ in python_reviews(graph).values()}
    claims = {str(claim) for claim in graph.subjects(rdflib.RDF.type, CG_NS.Claim)}
    found = canned_rows(reviewed_store, canned["unreviewed-claims"])
    assert {row["claim"] for row in found} == claims - reviewed_claims_
    assert len(found) == len(claims - reviewed_claims_) < len(claims)


def test_disagreeing_reviews_are_the_pairs_of_reviews_of_a_claim_whose_verdicts_differ(graph, reviewed_store, canned):
    reviews = python_reviews(graph)
    expected = {(a, b) for a, (claim_a, verdict_a) in reviews.items() for b, (claim_b, verdict_b) in reviews.items()
                if a < b and claim_a == claim_b and verdict_a != verdict_b}
    found = canned_rows(reviewed_store, canned["disagreeing-reviews"])
    assert {(row["review"], row["otherReview"]) for row in found} == expected != set()
    assert len(found) == len(expected)
    assert all((row["verdict"], row["otherVerdict"]) == (reviews[row["review"]][1], reviews[row["otherReview"]][1]) for row in found)


@pytest.mark.parametrize(("name", "ratings_"), [
    ("claims-with-reviews", [("?rating", "?verdict", "v")]),
    ("disagreeing-reviews", [("?rating", "?verdict", "v"), ("?otherRating", "?otherVerdict", "other")]),
])
def test_the_queries_spell_out_verdict_of(canned, name, ratings_):
    words = " ".join(canned[name].text.split())
    for rating, verdict, tag in ratings_:
        assert " ".join(vocabulary.verdict_of(rating, verdict, tag).split()) in words
