"""``GET /api/claims:search``: the JSON shape of Google's Fact Check Tools API ``claims:search``
(https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims/search and the ``Claim``
resource at https://developers.google.com/fact-check/tools/api/reference/rest/v1alpha1/claims).

Google's parameters: ``query`` (required unless ``reviewPublisherSiteFilter`` is given), ``languageCode``,
``reviewPublisherSiteFilter``, ``maxAgeDays`` (age by the claim's or the review's date, whichever is newer),
``pageSize`` (default 10), ``pageToken``, ``offset`` (only without ``pageToken``). Its answer: ``claims[]`` of
{``text``, ``claimant``, ``claimDate``, ``claimReview[]`` of {``publisher`` {``name``, ``site``}, ``url``,
``title``, ``reviewDate``, ``textualRating``, ``languageCode``}}, and ``nextPageToken``; keys without a value are
left out. claimgraph adds ``claimgraphIri`` and ``quote`` to each claim.
"""

from __future__ import annotations

import datetime
import json
from urllib.parse import urlsplit

import pytest
from conftest import answered, body, problem, select
from reviewed import reviewed  # noqa: F401 (the fixture)

CLAIM_KEYS = {"text", "claimant", "claimDate", "claimReview", "claimgraphIri", "quote"}
REVIEW_KEYS = {"publisher", "url", "title", "reviewDate", "textualRating", "languageCode"}
PATH = "/api/claims:search"


def search(service, **params) -> dict:
    return json.loads(body(answered(service.get(PATH, params=params))))


def reviews(store) -> list[dict[str, str]]:
    """Each review of the store with its claim, reviewer and dates."""
    return select(store, """SELECT ?review ?claim ?url ?date ?language ?site ?claimDate WHERE {
        ?review a schema:ClaimReview ; schema:itemReviewed ?claim ; schema:url ?url ; schema:datePublished ?date ;
            schema:inLanguage ?language ; schema:author/schema:url ?site .
        OPTIONAL { ?claim schema:datePublished ?claimDate }
        OPTIONAL { ?claim schema:appearance/schema:datePublished ?claimDate } }""")


def moment(text: str) -> datetime.datetime:
    found = datetime.datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=datetime.UTC)


def everything(service) -> list[dict]:
    return search(service, reviewPublisherSiteFilter="example.org", pageSize="100")["claims"] + search(
        service, reviewPublisherSiteFilter="example.net", pageSize="100")["claims"]


def test_a_query_finds_the_reviewed_claim_with_every_review_in_googles_shape(reviewed):
    service, store = reviewed
    [claim] = search(service, query="CCTV surveillance")["claims"]
    iri = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/most-cctv"
    assert set(claim) == CLAIM_KEYS
    assert claim["claimgraphIri"] == iri
    [facts] = select(store, f"""SELECT ?text ?name ?date ?exact WHERE {{ <{iri}> schema:text ?text ; schema:author/schema:name ?name ;
        schema:appearance/schema:datePublished ?date ; cg:evidence/oa:hasSelector/oa:exact ?exact }}""")
    assert (claim["text"], claim["claimant"], claim["claimDate"], claim["quote"]) == (
        facts["text"], facts["name"], facts["date"] + "T00:00:00Z", facts["exact"])
    expected = sorted((row for row in reviews(store) if row["claim"] == iri), key=lambda row: row["date"])
    assert [review["url"] for review in claim["claimReview"]] == [row["url"] for row in expected]
    for review, row in zip(claim["claimReview"], expected):
        assert set(review) <= REVIEW_KEYS and {"publisher", "url", "reviewDate", "textualRating", "languageCode"} <= set(review)
        assert review["publisher"]["site"] == urlsplit(row["site"]).hostname
        assert review["reviewDate"] == moment(row["date"]).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert review["languageCode"] == row["language"]
    [labels] = [select(store, f"SELECT ?label WHERE {{ <{row['review']}> schema:reviewRating/schema:alternateName ?label }}") for row in expected[:1]]
    assert claim["claimReview"][0]["textualRating"] == labels[0]["label"]


def test_a_claim_no_one_reviewed_is_not_answered(reviewed):
    service, store = reviewed
    [unreviewed] = select(store, """SELECT ?text WHERE { ?c a cg:Claim ; schema:text ?text
        FILTER NOT EXISTS { ?r schema:itemReviewed ?c } } ORDER BY ?c LIMIT 1""")
    assert search(service, query=f'"{unreviewed["text"]}"') == {}


@pytest.mark.parametrize("site, reviewer", [
    ("example.org", "https://factcheck.example.org/"), ("factcheck.example.org", "https://factcheck.example.org/"),
    ("www.verify.example.net", "https://verify.example.net/"), ("VERIFY.example.net", "https://verify.example.net/"),
])
def test_the_site_filter_keeps_one_reviewers_reviews(reviewed, site, reviewer):
    service, store = reviewed
    expected = {row["claim"] for row in reviews(store) if row["site"] == reviewer}
    found = search(service, reviewPublisherSiteFilter=site, pageSize="100")["claims"]
    assert {claim["claimgraphIri"] for claim in found} == expected
    assert {review["publisher"]["site"] for claim in found for review in claim["claimReview"]} == {urlsplit(reviewer).hostname}


def test_a_site_no_reviewer_has_answers_nothing(reviewed):
    service, _ = reviewed
    assert search(service, reviewPublisherSiteFilter="example.com") == {}


def test_the_query_and_the_site_filter_together(reviewed):
    service, _ = reviewed
    [claim] = search(service, query="CCTV", reviewPublisherSiteFilter="verify.example.net")["claims"]
    assert [review["publisher"]["name"] for review in claim["claimReview"]] == ["Sample Verify"]


@pytest.mark.parametrize("code, kept", [("en", True), ("en-US", True), ("EN", True), ("de", False), ("nl-BE", False)])
def test_the_language_code_compares_the_language_not_the_region(reviewed, code, kept):
    service, store = reviewed
    languages = {row["language"] for row in reviews(store)}
    assert languages == {"en"}
    answer = search(service, reviewPublisherSiteFilter="example.net", languageCode=code)
    assert ("claims" in answer) is kept


def test_max_age_days_counts_from_the_newer_of_claim_and_review_date(reviewed):
    service, store = reviewed
    now = datetime.datetime.now(datetime.UTC)
    newest: dict[str, datetime.datetime] = {}
    for row in reviews(store):
        if "verify.example.net" in row["site"]:
            dates = [moment(row["date"])] + ([moment(row["claimDate"])] if "claimDate" in row else [])
            newest[row["claim"]] = max([newest.get(row["claim"], max(dates)), *dates])
    ages = sorted((now - date).days for date in newest.values())
    assert len(ages) == 2 and ages[0] < ages[1]
    within = search(service, reviewPublisherSiteFilter="example.net", maxAgeDays=str(ages[0] + 1))["claims"]
    assert [claim["claimgraphIri"] for claim in within] == [min(newest, key=lambda claim: now - newest[claim])]
    assert len(search(service, reviewPublisherSiteFilter="example.net", maxAgeDays=str(ages[1] + 1))["claims"]) == 2
    assert search(service, reviewPublisherSiteFilter="example.net", maxAgeDays="1") == {}


def test_paging_with_page_tokens_reaches_every_claim_once(reviewed):
    service, store = reviewed
    whole = search(service, reviewPublisherSiteFilter="example.org", pageSize="100")
    assert "nextPageToken" not in whole
    claimed = {row["claim"] for row in reviews(store) if "factcheck.example.org" in row["site"]}
    assert {claim["claimgraphIri"] for claim in whole["claims"]} == claimed
    pages, token = [], None
    while True:
        params = {"reviewPublisherSiteFilter": "example.org", "pageSize": "1", **({"pageToken": token} if token else {})}
        answer = search(service, **params)
        pages.append(answer["claims"])
        token = answer.get("nextPageToken")
        if token is None:
            break
    assert [len(one) for one in pages] == [1] * len(claimed)
    assert [claim for one in pages for claim in one] == whole["claims"]


def test_offset_starts_the_page_and_is_ignored_with_a_page_token(reviewed):
    service, _ = reviewed
    whole = search(service, reviewPublisherSiteFilter="example.org")["claims"]
    assert search(service, reviewPublisherSiteFilter="example.org", offset="1")["claims"] == whole[1:]
    first = search(service, reviewPublisherSiteFilter="example.org", pageSize="1")
    second = search(service, reviewPublisherSiteFilter="example.org", pageSize="1", offset="0", pageToken=first["nextPageToken"])
    assert second["claims"] == whole[1:2]


def test_page_size_defaults_to_ten(reviewed):
    service, _ = reviewed
    assert len(everything(service)) < 10
    assert "nextPageToken" not in search(service, reviewPublisherSiteFilter="example.net")


def test_googles_api_key_is_accepted_and_ignored(reviewed):
    service, _ = reviewed
    assert search(service, query="CCTV", key="any-key") == search(service, query="CCTV")


def test_a_claim_known_only_from_a_review_has_no_quote(reviewed):
    service, store = reviewed
    [known] = select(store, "SELECT ?c ?text WHERE { ?c a cg:ClaimFromReview ; schema:text ?text }")
    [claim] = [claim for claim in everything(service) if claim["claimgraphIri"] == known["c"]]
    assert claim["text"] == known["text"]
    assert set(claim) == CLAIM_KEYS - {"quote"}


def test_a_numeric_only_rating_is_given_as_its_number_on_its_scale(reviewed):
    service, store = reviewed
    [numeric] = select(store, """SELECT ?url ?value ?best ?worst WHERE { ?r schema:url ?url ; schema:reviewRating ?rating .
        ?rating schema:ratingValue ?value ; schema:bestRating ?best ; schema:worstRating ?worst
        FILTER NOT EXISTS { ?rating schema:alternateName ?label } }""")
    [review] = [review for claim in everything(service) for review in claim["claimReview"] if review["url"] == numeric["url"]]
    assert review["textualRating"] == f"{numeric['value']} on a scale of {numeric['worst']} to {numeric['best']}"
    assert "title" not in review


@pytest.mark.parametrize("params, parameter", [
    ({}, "query"),
    ({"languageCode": "en"}, "query"),
    ({"query": "CCTV", "pageSize": "0"}, "pageSize"),
    ({"query": "CCTV", "pageSize": "101"}, "pageSize"),
    ({"query": "CCTV", "pageSize": "ten"}, "pageSize"),
    ({"query": "CCTV", "maxAgeDays": "-1"}, "maxAgeDays"),
    ({"query": "CCTV", "offset": "x"}, "offset"),
    ({"query": "CCTV", "pageToken": "not-a-token"}, "pageToken"),
    ({"query": "CCTV", "pageToken": "b2Zmc2V0Oi0x"}, "pageToken"),
    ({"query": "CCTV", "languageCode": "12"}, "languageCode"),
    ({"reviewPublisherSiteFilter": "https://example.org/"}, "reviewPublisherSiteFilter"),
    ({"query": "***"}, "query"),
    ({"query": "CCTV", "limit": "5"}, "limit"),
    ({"query": ["CCTV", "crime"]}, "query"),
])
def test_a_bad_parameter_is_400_naming_it(reviewed, params, parameter):
    service, _ = reviewed
    found = problem(answered(service.get(PATH, params=params), 400))
    assert found["parameter"] == parameter
    assert found["detail"].startswith(f"parameter {parameter!r}: ")
