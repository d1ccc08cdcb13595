"""The reviews exported as schema.org ClaimReview (``/export/claimreview.jsonld``, one feed per reviewer), checked
property by property against Google's list, and read back with rdflib against the store.

Google's ClaimReview structured-data documentation
(https://developers.google.com/search/docs/appearance/structured-data/factcheck; its table also quoted by Full Fact
at https://fullfact.github.io/markup-investigation/docs/notes/01-basic-usage/) lists:

- ``ClaimReview``: required ``claimReviewed`` (Text), ``reviewRating`` (Rating), ``url`` (URL); recommended
  ``author`` (Organization or Person, with ``name`` and ``url``), ``datePublished`` (Date), ``itemReviewed`` (Claim).
- ``Claim`` (the ``itemReviewed``): recommended ``appearance`` (URL or CreativeWork), ``author`` (Organization or
  Person), ``datePublished`` (Date), ``firstAppearance`` (URL or CreativeWork).
- ``Rating`` (the ``reviewRating``): required ``alternateName`` (Text); recommended ``bestRating``, ``name``,
  ``ratingValue``, ``worstRating``.

Google reads JSON-LD whose ``@context`` is schema.org's. The document is parsed here with a local context standing
for schema.org's (its ``@vocab`` and the IRI-valued ``url``), so no test reaches the network.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pyoxigraph as ox
import pytest
import rdflib
from conftest import answered, body, page, problem, running_server, select
from reviewed import FIXTURE, SCHEMA, load, reviewed, reviews_of_fixture  # noqa: F401 (the fixture)
from test_reviews_import import GOOD

#: What the tests read schema.org's context as: its vocabulary, and ``url`` an IRI.
LOCAL_CONTEXT = {"@vocab": SCHEMA, "url": {"@id": SCHEMA + "url", "@type": "@id"}}
REQUIRED = ("claimReviewed", "reviewRating", "url")
RECOMMENDED = ("author", "datePublished", "itemReviewed")
CLAIM_RECOMMENDED = ("appearance", "author", "datePublished", "firstAppearance")
REVIEWS = reviews_of_fixture()


@pytest.fixture(scope="module")
def feed(reviewed):
    service, _ = reviewed
    return json.loads(body(answered(service.get("/export/claimreview.jsonld"))))


def element_of(feed, review: str) -> dict:
    [found] = [element for element in feed["dataFeedElement"] if element["@id"] == review]
    return found


def facts(store: ox.Store, review: str) -> dict[str, str]:
    """What the store says of a review: property local name → lexical value (one each in the fixture)."""
    rows = select(store, f"SELECT ?p ?o WHERE {{ <{review}> ?p ?o }}")
    return {row["p"].removeprefix(SCHEMA): row["o"] for row in rows}


def rating(store: ox.Store, review: str) -> dict[str, str]:
    rows = select(store, f"SELECT ?p ?o WHERE {{ <{review}> schema:reviewRating ?r . ?r ?p ?o }}")
    return {row["p"].removeprefix(SCHEMA): row["o"] for row in rows}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def test_the_feed_is_a_schema_org_data_feed_of_every_review(feed):
    assert feed["@context"] == "https://schema.org"
    assert feed["@type"] == "DataFeed"
    assert sorted(element["@id"] for element in feed["dataFeedElement"]) == REVIEWS
    assert {element["@type"] for element in feed["dataFeedElement"]} == {"ClaimReview"}


@pytest.mark.parametrize("review", REVIEWS)
@pytest.mark.parametrize("name", REQUIRED + RECOMMENDED)
def test_every_required_and_recommended_property_is_there(feed, review, name):
    assert name in element_of(feed, review)


@pytest.mark.parametrize("review", REVIEWS)
def test_the_review_properties_are_the_stores(feed, reviewed, review):
    _, store = reviewed
    element, stored = element_of(feed, review), facts(store, review)
    assert element["claimReviewed"] == stored["claimReviewed"]
    assert element["url"] == stored["url"]
    assert element["datePublished"] == stored["datePublished"]
    assert element["inLanguage"] == stored["inLanguage"]
    [author] = select(store, f"SELECT ?name ?url WHERE {{ <{review}> schema:author ?a . ?a schema:name ?name ; schema:url ?url }}")
    assert (element["author"]["name"], element["author"]["url"]) == (author["name"], author["url"])
    assert element["author"]["@type"] == "Organization"


@pytest.mark.parametrize("review", REVIEWS)
def test_the_rating_has_its_label_or_says_its_number_honestly(feed, reviewed, review):
    _, store = reviewed
    given, stored = element_of(feed, review)["reviewRating"], rating(store, review)
    assert given["@type"] == "Rating"
    if "alternateName" in stored:
        assert given["alternateName"] == stored["alternateName"]
    else:
        assert given["alternateName"] == f"{stored['ratingValue']} on a scale of {stored['worstRating']} to {stored['bestRating']}"
    assert given["name"] == given["alternateName"]
    for name in ("ratingValue", "bestRating", "worstRating"):
        if name in stored:
            assert Decimal(str(given[name])) == Decimal(stored[name])
        else:
            assert name not in given


@pytest.mark.parametrize("review", REVIEWS)
@pytest.mark.parametrize("name", CLAIM_RECOMMENDED)
def test_the_claim_reviewed_has_every_recommended_property(feed, review, name):
    item = element_of(feed, review)["itemReviewed"]
    assert item["@type"] == "Claim"
    assert name in item
    if name in ("appearance", "firstAppearance"):
        assert all(work["url"].startswith("https://") for work in as_list(item[name]))
    if name == "author":
        assert item["author"]["name"] and item["author"]["@type"] in ("Person", "Organization")


@pytest.mark.parametrize("review", REVIEWS)
def test_the_claim_reviewed_is_the_stores_claim_with_its_source(feed, reviewed, review):
    _, store = reviewed
    item = element_of(feed, review)["itemReviewed"]
    [claim] = select(store, f"""SELECT ?claim ?text ?speaker ?name ?kind WHERE {{ <{review}> schema:itemReviewed ?claim .
        ?claim a ?kind ; schema:text ?text ; schema:author ?speaker . ?speaker schema:name ?name
        FILTER (?kind IN (cg:Claim, cg:ClaimFromReview)) }}""")
    assert (item["@id"], item["text"], item["author"]["@id"], item["author"]["name"]) == (
        claim["claim"], claim["text"], claim["speaker"], claim["name"])
    if claim["kind"].endswith("#Claim"):
        [source] = select(store, f"""SELECT ?url ?date WHERE {{ <{claim['claim']}> schema:appearance ?s .
            ?s schema:url ?url ; schema:datePublished ?date }}""")
        assert as_list(item["appearance"])[0]["url"] == source["url"]
        assert item["firstAppearance"]["url"] == source["url"]
        assert item["datePublished"] == source["date"]
        quotes = {row["exact"] for row in select(store, f"SELECT ?exact WHERE {{ <{claim['claim']}> cg:evidence/oa:hasSelector/oa:exact ?exact }}")}
        given = {part["text"] for work in as_list(item["appearance"]) for part in work.get("hasPart", ())}
        assert given == quotes
        assert {part["@type"] for work in as_list(item["appearance"]) for part in work["hasPart"]} == {"Quotation"}
    else:
        [known] = select(store, f"SELECT ?page ?date WHERE {{ <{claim['claim']}> schema:appearance ?page ; schema:datePublished ?date }}")
        assert item["appearance"] == {"@type": "CreativeWork", "url": known["page"]}
        assert item["firstAppearance"] == item["appearance"]
        assert item["datePublished"] == known["date"]


def test_read_as_rdf_the_feed_says_what_the_store_says_of_each_review(feed, reviewed):
    """Every statement the store makes of a review and of its rating is in the feed read as JSON-LD (values
    compared by their text: the feed's are plain strings, as schema.org consumers read them)."""
    _, store = reviewed
    graph = rdflib.Graph().parse(data=json.dumps({**feed, "@context": LOCAL_CONTEXT}), format="json-ld")
    read = {(str(s), str(p), str(o)) for s, p, o in graph}
    assert (REVIEWS[0], "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", SCHEMA + "ClaimReview") in read
    for review in REVIEWS:
        rows = select(store, f"""SELECT ?s ?p ?o WHERE {{ {{ BIND (<{review}> AS ?s) ?s ?p ?o }}
            UNION {{ <{review}> schema:reviewRating ?s . ?s ?p ?o }} }}""")
        stored = {(row["s"], row["p"], row["o"]) for row in rows}
        assert stored <= read, stored - read


def test_one_reviewers_feed_holds_the_reviews_of_its_graph(reviewed, feed):
    service, store = reviewed
    name = "sample-verify"
    graph = f"https://w3id.org/claimgraph/graph/reviews/{name}"
    expected = sorted(row["r"] for row in select(store, f"SELECT ?r WHERE {{ GRAPH <{graph}> {{ ?r a schema:ClaimReview }} }}"))
    own = json.loads(body(answered(service.get(f"/export/claimreview/{name}.jsonld"))))
    assert (own["@context"], own["@type"]) == ("https://schema.org", "DataFeed")
    assert [element["@id"] for element in own["dataFeedElement"]] == expected
    assert own["dataFeedElement"] == [element_of(feed, review) for review in expected]


def test_a_reviewers_feed_and_the_export_list_take_its_compiled_and_imported_graphs_together(tmp_path):
    """Reviews compiled from a source's claims file (graph ``graph/reviews/<reviewer>/<source>``) and reviews
    imported (``graph/reviews/<reviewer>``) are one reviewer's: one feed, one entry of /export."""
    base = "https://w3id.org/claimgraph/graph/reviews/"
    text = FIXTURE.read_text(encoding="utf-8").replace(f"<{base}sample-verify>", f"<{base}sample-verify/example-source>")
    data, store = load(tmp_path, text)
    subprocess.run([sys.executable, "-m", "claimgraph", "--store", str(store), "--data-dir", str(data), "import-claimreview", str(GOOD)],
                   check=True, capture_output=True)
    stored = ox.Store()
    stored.bulk_extend(ox.parse(path=str(data / "reviews" / "reviews.trig"), format=ox.RdfFormat.TRIG))
    compiled = {row["r"] for row in select(stored, f"SELECT ?r WHERE {{ GRAPH <{base}sample-verify/example-source> {{ ?r a schema:ClaimReview }} }}")}
    with running_server(store) as service:
        everything = json.loads(body(answered(service.get("/export/claimreview.jsonld"))))["dataFeedElement"]
        expected = sorted(element["@id"] for element in everything if element["author"]["name"] == "Sample Verify")
        assert compiled < set(expected)
        own = json.loads(body(answered(service.get("/export/claimreview/sample-verify.jsonld"))))
        assert [element["@id"] for element in own["dataFeedElement"]] == expected
        listed = answered(service.get("/export", headers={"Accept": "application/json"})).json()["exports"]
        sizes = {entry["name"]: entry["size"] for entry in listed if entry["name"].startswith("claimreview/")}
        reviewers = {element["author"]["@id"].rpartition("/")[2] for element in everything}
        assert sizes.keys() == {f"claimreview/{reviewer}.jsonld" for reviewer in reviewers}
        assert sizes["claimreview/sample-verify.jsonld"] == len(expected)


def test_an_unknown_reviewer_is_404_naming_the_reviewers(reviewed):
    service, _ = reviewed
    found = problem(answered(service.get("/export/claimreview/nobody.jsonld"), 404))
    assert found["detail"] == "there is no reviewer 'nobody'; there are: example-fact-check, sample-verify"


@pytest.mark.parametrize("path", ["/export/claimreview.jsonld", "/export/claimreview/example-fact-check.jsonld"])
def test_the_feeds_download_as_the_other_exports(reviewed, path):
    service, _ = reviewed
    got = answered(service.get(path))
    assert got.headers["Content-Type"] == "application/ld+json"
    tag = got.headers["ETag"]
    assert tag.startswith('W/"')
    assert got.headers["Content-Disposition"] == f"attachment; filename=claimgraph-{path.removeprefix('/export/').replace('/', '-')}"
    assert got.headers["Cache-Control"] == "no-cache"
    again = service.get(path, headers={"If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")
    head = answered(service.request("HEAD", path))
    assert (head.content, head.headers["ETag"], head.headers["Content-Disposition"]) == (
        b"", tag, got.headers["Content-Disposition"])


def test_export_lists_the_feeds(reviewed):
    service, store = reviewed
    listed = {entry["name"]: entry for entry in json.loads(body(answered(service.get("/export", params={"format": "json"}))))["exports"]}
    counts = {row["g"].rsplit("/", 1)[-1]: int(row["n"]) for row in select(
        store, "SELECT ?g (COUNT(?r) AS ?n) WHERE { GRAPH ?g { ?r a schema:ClaimReview } } GROUP BY ?g")}
    assert listed["claimreview.jsonld"]["size"] == sum(counts.values())
    assert listed["claimreview.jsonld"]["url"] == service.url + "/export/claimreview.jsonld"
    for name, count in counts.items():
        entry = listed[f"claimreview/{name}.jsonld"]
        assert (entry["size"], entry["unit"], entry["media_type"]) == (count, "reviews", "application/ld+json")
    html = page(answered(service.get("/export", headers={"Accept": "text/html"})))
    assert service.url + "/export/claimreview.jsonld" in html.hrefs("a")
    assert {service.url + f"/export/claimreview/{name}.jsonld" for name in counts} <= set(html.hrefs("a"))
