"""The page of a review (``/id/review/<reviewer>/<key>``) and of a claim known only from a review: what they show,
the JSON-LD a review's page embeds (the export's element, with the schema.org ``@context``), and that no text of the
data can break out of that data block; the pages checked in the headless browser."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from browser import assert_page_is_sound
from claimgraph.rdf import vocabulary
from conftest import answered, body, in_process, page, select
from reviewed import FIXTURE, load, reviewed, reviews_of_fixture  # noqa: F401 (the fixture)

REVIEWS = reviews_of_fixture()
BASE = "https://w3id.org/claimgraph/"


class _Blocks(HTMLParser):
    """The text of every ``<script type="application/ld+json">`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        self._in = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._in:
            self.blocks.append("")

    def handle_endtag(self, tag):
        self._in = False

    def handle_data(self, data):
        if self._in:
            self.blocks[-1] += data


def json_ld_blocks(response) -> list[dict]:
    parser = _Blocks()
    parser.feed(body(response).decode("utf-8"))
    return [json.loads(block) for block in parser.blocks]


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix(BASE)


@pytest.fixture(scope="module")
def feed(reviewed):
    service, _ = reviewed
    return {element["@id"]: element for element in json.loads(body(answered(service.get("/export/claimreview.jsonld"))))["dataFeedElement"]}


@pytest.mark.parametrize("review", REVIEWS)
def test_a_review_page_embeds_the_exports_element(reviewed, feed, review):
    service, _ = reviewed
    response = answered(service.get(path_of(review), headers={"Accept": "text/html"}))
    [embedded] = json_ld_blocks(response)
    assert embedded == {"@context": "https://schema.org", **feed[review]}


@pytest.mark.parametrize("review", REVIEWS)
def test_a_review_page_shows_the_review(reviewed, review):
    service, store = reviewed
    [facts] = select(store, f"""SELECT ?claim ?reviewed ?url ?date ?name ?org ?verdict WHERE {{
        <{review}> schema:itemReviewed ?claim ; schema:claimReviewed ?reviewed ; schema:url ?url ; schema:datePublished ?date ;
            schema:author ?org ; schema:reviewRating ?rating . ?org schema:name ?name .
        {vocabulary.verdict_of("?rating", "?v")} ?v skos:prefLabel ?verdict }}""")
    label = select(store, f"SELECT ?label WHERE {{ <{review}> schema:reviewRating/schema:alternateName ?label }}")
    explanation = select(store, f"SELECT ?body WHERE {{ <{review}> schema:reviewBody ?body }}")
    shown = page(answered(service.get(path_of(review), headers={"Accept": "text/html"})))
    assert service.url + path_of(facts["claim"]) in shown.hrefs("a")
    assert service.url + path_of(facts["org"]) in shown.hrefs("a")
    assert facts["url"] in shown.hrefs("a")
    for text in [facts["reviewed"], facts["date"], facts["name"], facts["verdict"], *(row["label"] for row in label),
                 *(row["body"] for row in explanation)]:
        assert text in shown.text
    quotes = [row["exact"] for row in select(store, f"SELECT ?exact WHERE {{ <{facts['claim']}> cg:evidence/oa:hasSelector/oa:exact ?exact }}")]
    for words in quotes:
        assert words in shown.text
    known_only = bool(select(store, f"SELECT ?c WHERE {{ <{facts['claim']}> a cg:ClaimFromReview BIND (1 AS ?c) }}"))
    assert ("no archived source holds its words" in shown.text) is known_only
    assert bool(quotes) is not known_only


def test_a_claim_known_only_from_a_review_has_its_page(reviewed):
    service, store = reviewed
    [claim] = select(store, """SELECT ?c ?text ?name ?person ?page ?review WHERE { ?c a cg:ClaimFromReview ; schema:text ?text ;
        schema:author ?person ; schema:appearance ?page ; cg:fromReview ?review . ?person schema:name ?name }""")
    shown = page(answered(service.get(path_of(claim["c"]), headers={"Accept": "text/html"})))
    assert claim["text"] in shown.text and claim["name"] in shown.text
    assert "Known only from this review" in shown.text
    assert claim["page"] in shown.hrefs("a")
    assert service.url + path_of(claim["person"]) in shown.hrefs("a")
    reviewers = select(store, f"SELECT ?r WHERE {{ ?r schema:itemReviewed <{claim['c']}> }}")
    assert {service.url + path_of(row["r"]) for row in reviewers} <= set(shown.hrefs("a"))
    assert json_ld_blocks(answered(service.get(path_of(claim["c"]), headers={"Accept": "text/html"}))) == []


def test_the_embedded_json_cannot_close_its_element(tmp_path):
    hostile = "</script><script>alert('x')</script> & <!-- more"
    text = FIXTURE.read_text(encoding="utf-8").replace(
        '"No other city in Belgium has as much CCTV surveillance as Mechelen."', json.dumps(hostile))
    _, store = load(tmp_path, text)
    review = BASE + "id/review/example-fact-check/most-cctv"
    with in_process(store, workers=1) as service:
        response = answered(service.get(path_of(review), headers={"Accept": "text/html"}))
    html = body(response).decode("utf-8")
    start = html.index('<script type="application/ld+json"')
    block = html[html.index(">", start) + 1:html.index("</script>", start)]
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["claimReviewed"] == hostile
    assert "<script>alert" not in html


@pytest.mark.parametrize("iri", [REVIEWS[0], REVIEWS[-1], BASE + "id/review/example-fact-check/lowest-crime-claim"])
def test_the_pages_are_sound_in_the_browser(reviewed, visit, iri):
    service, _ = reviewed
    assert_page_is_sound(visit(service.url + path_of(iri)))


def test_a_review_with_nothing_but_its_type_still_has_a_page(tmp_path):
    _, store = load(tmp_path)
    review = BASE + "id/review/example-fact-check/bare"
    with in_process(store, workers=1) as service:
        update = f"INSERT DATA {{ GRAPH <{BASE}graph/reviews/example-fact-check> {{ <{review}> a <http://schema.org/ClaimReview> }} }}"
        answered(service.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {service.token}"}), 204)
        response = answered(service.get(path_of(review), headers={"Accept": "text/html"}))
        assert json_ld_blocks(response) == [{"@context": "https://schema.org", "@type": "ClaimReview", "@id": review}]
        feed = json.loads(body(answered(service.get("/export/claimreview/example-fact-check.jsonld"))))
        assert {"@type": "ClaimReview", "@id": review} in feed["dataFeedElement"]


@pytest.mark.parametrize("review", REVIEWS)
def test_a_review_pages_verdict_badge_is_named_by_the_verdicts_word(reviewed, review):
    service, store = reviewed
    [facts] = select(store, f"""SELECT ?v ?label WHERE {{ <{review}> schema:reviewRating ?rating .
        {vocabulary.verdict_of("?rating", "?v")} ?v skos:prefLabel ?label }}""")
    html = body(answered(service.get(path_of(review), headers={"Accept": "text/html"}))).decode("utf-8")
    assert f'<span class="verdict verdict-{vocabulary.VERDICT_WORDS[facts["v"]]}">{facts["label"]}</span>' in html
