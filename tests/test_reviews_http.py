"""``POST /reviews`` against a real server: ClaimReview JSON-LD in, the update token, the statuses and bodies, and the
store unchanged by any refused request."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from claimgraph.model import reviews
from conftest import PROBLEM, copy_of, media_type, problem, running_server
from test_reviews_import import GOOD, MALFORMED, claimreview_objects

LIMIT = 200_000
#: A review of a curated claim with no date (Google recommends one and does not require it), made up.
UNDATED = json.dumps({
    "@context": "https://schema.org", "@type": "ClaimReview", "url": "https://factcheck.example.org/undated",
    "claimReviewed": "Mechelen has more cameras", "author": {"name": "Example Fact Check"},
    "reviewRating": {"alternateName": "False"},
    "itemReviewed": {"@type": "Claim", "@id": "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/most-cctv"},
})


@pytest.fixture(scope="module")
def served(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """A server of this module's own over a copy of the curated store, with a small body limit."""
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("reviews-http")), max_request_bytes=LIMIT) as running:
        yield running


def post(service, body: bytes, *, media: str = "application/ld+json", token: str | None = None) -> requests.Response:
    headers = {"Content-Type": media, "Accept": "application/json"}
    if token != "":
        headers["Authorization"] = f"Bearer {token or service.token}"
    return service.post("/reviews", data=body, headers=headers)


def everything(service) -> set[tuple[str, ...]]:
    """Every quad of the store, as the SPARQL endpoint gives them."""
    response = service.post("/sparql", data={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200 and "X-SPARQL-MaxRows" not in response.headers
    rows = response.json()["results"]["bindings"]
    return {tuple(json.dumps(row[name], sort_keys=True) for name in ("g", "s", "p", "o")) for row in rows}


@pytest.mark.parametrize("token, status", [("", 401), ("not-the-token", 403)])
def test_without_the_update_token_nothing_is_imported(served, token, status):
    before = everything(served)
    response = post(served, (GOOD / "single.json").read_bytes(), token=token)
    assert response.status_code == status
    assert media_type(response) == PROBLEM
    assert everything(served) == before


def test_a_body_not_json_ld_or_json_is_415_with_the_one_message(served):
    response = post(served, (GOOD / "single.json").read_bytes(), media="text/turtle")
    assert response.status_code == 415
    assert problem(response)["detail"] == "text/turtle is not accepted here; send one of: application/ld+json, application/json"


def test_a_body_past_the_limit_is_413(served):
    response = post(served, b" " * (LIMIT + 1))
    assert response.status_code == 413
    assert problem(response)["detail"] == f"the request body has {LIMIT + 1} bytes; the limit is {LIMIT} bytes"


def test_a_malformed_batch_is_400_listing_every_problem_and_the_store_is_unchanged(served):
    before = everything(served)
    response = post(served, MALFORMED.read_bytes())
    assert response.status_code == 400
    _, malformed = reviews.read_claimreview(reviews.read_json(MALFORMED.read_bytes(), "request body"), "request body")
    unknown = ("request body: record 4 (https://factcheck.example.org/2017/unknown-claim-iri): itemReviewed: "
               "<https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/no-such-claim> is no claim of this dataset")
    assert problem(response)["problems"] == [*malformed, unknown]
    assert everything(served) == before


def test_a_body_that_is_not_json_is_400_with_its_line(served):
    response = post(served, b'{"@context": "https://schema.org",\n "@type": }', media="application/json")
    assert response.status_code == 400
    assert problem(response)["problems"] == ["request body:2:11: not JSON: Expecting value"]


@pytest.mark.parametrize("name, media", [("feed.json", "application/ld+json"), ("list.jsonld", "application/json")])
def test_reviews_are_created_then_updated_and_their_pages_served(served, name, media):
    body = (GOOD / name).read_bytes()
    records = len(claimreview_objects(json.loads(body)))
    created = post(served, body, media=media)
    assert created.status_code == 201, created.text
    answer = created.json()
    assert (answer["created"], answer["updated"], len(answer["reviews"])) == (records, 0, records)
    assert created.headers["Location"] == answer["reviews"][0]["url"]
    first = answer["reviews"][0]
    assert first["url"] == "/" + first["iri"].removeprefix(served.config.iri_base)
    page = served.get(created.headers["Location"], headers={"Accept": "text/html"})
    assert page.status_code == 200
    stored = served.post("/sparql", data={"query": f"SELECT ?claim WHERE {{ <{first['iri']}> <http://schema.org/itemReviewed> ?claim }}"},
                         headers={"Accept": "application/sparql-results+json"})
    assert [row["claim"]["value"] for row in stored.json()["results"]["bindings"]] == [first["claim"]]
    before = everything(served)
    again = post(served, body, media=media)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["updated"]) == (0, records)
    assert again.json()["reviews"] == answer["reviews"]
    assert everything(served) == before


NESTED = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("body, problems", [
    (NESTED, ["request body: not read: its arrays and objects are nested too deeply"]),
    (b"[" * (reviews.MAX_DEPTH + 1) + b"{}" + b"]" * (reviews.MAX_DEPTH + 1),
     ["request body: item 1" + "[1]" * reviews.MAX_DEPTH + f": nested more than {reviews.MAX_DEPTH} levels deep "
      "(lists, @graph, dataFeedElement); not read"]),
], ids=["past-the-parser", "past-the-walk"])
def test_a_body_nested_too_deeply_is_400_naming_it_and_the_store_is_unchanged(served, body, problems):
    before = everything(served)
    response = post(served, body)
    assert response.status_code == 400
    assert problem(response)["problems"] == problems
    assert everything(served) == before


def test_googles_example_is_imported_and_published_without_a_date(served):
    """Google's own ClaimReview example has no datePublished: it is imported, and its page, the feed and
    claims:search leave the date out."""
    google = Path(__file__).parent / "fixtures" / "claimreview" / "google" / "flat-earth.json"
    document = json.loads(google.read_text(encoding="utf-8"))
    created = post(served, google.read_bytes())
    assert created.status_code == 201, created.text
    [review] = created.json()["reviews"]
    assert served.get(review["url"], headers={"Accept": "text/html"}).status_code == 200
    claim_page = served.get("/" + review["claim"].removeprefix(served.config.iri_base), headers={"Accept": "text/html"})
    assert claim_page.status_code == 200
    feed = served.get("/export/claimreview.jsonld")
    assert feed.status_code == 200
    [element] = [element for element in feed.json()["dataFeedElement"] if element["@id"] == review["iri"]]
    assert "datePublished" not in element
    assert element["itemReviewed"]["author"]["sameAs"] == document["itemReviewed"]["author"]["sameAs"]
    found = served.get("/api/claims:search", params={"query": document["claimReviewed"]})
    assert found.status_code == 200
    [claim] = [claim for claim in found.json()["claims"] if claim["claimgraphIri"] == review["claim"]]
    assert [set(given) for given in claim["claimReview"]] == [{"publisher", "url", "textualRating"}]
    site = urlsplit(document["url"]).hostname
    [publisher] = [given["publisher"] for given in claim["claimReview"]]
    assert publisher == {"name": document["author"]["name"], "site": site}
    by_site = served.get("/api/claims:search", params={"query": document["claimReviewed"], "reviewPublisherSiteFilter": site})
    assert [claim["claimgraphIri"] for claim in by_site.json()["claims"]] == [review["claim"]]


def test_a_curated_claims_page_shows_a_review_without_a_date(served):
    created = post(served, UNDATED.encode())
    assert created.status_code == 201, created.text
    [review] = created.json()["reviews"]
    claim_page = served.get("/" + review["claim"].removeprefix(served.config.iri_base), headers={"Accept": "text/html"})
    assert claim_page.status_code == 200
    assert review["url"] in claim_page.text



BAD = {"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://factcheck.example.org/bad",
       "claimReviewed": "Example City has more bicycles", "author": {"name": "Example Fact Check"},
       "reviewRating": {"alternateName": "False"}}
SITELESS = {key: value for key, value in BAD.items() if key != "author"} | {"url": "https://factcheck.example.org:99999/x"}
HUGE = BAD | {"reviewRating": {"alternateName": "False", "ratingValue": "1e5000"}}


@pytest.mark.parametrize("record, detail", [
    (SITELESS, 'url: "https://factcheck.example.org:99999/x" names no site for the review\'s author (Port out of range 0-65535)'),
    (HUGE, 'reviewRating.ratingValue: "1e5000" is too large a number (beyond 1e30 or 1e-30 in size)'),
])
def test_a_bad_site_or_a_huge_number_is_400_naming_it_and_the_store_is_unchanged(served, record, detail):
    before = everything(served)
    response = post(served, json.dumps(record).encode())
    assert response.status_code == 400
    assert problem(response)["problems"] == [f"request body: record 1 ({record['url']}): {detail}"]
    assert everything(served) == before
