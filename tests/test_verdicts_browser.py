"""Verdicts in a real browser (headless chromium): the claim page with its reviews is sound (keyboard, labels,
375 px, no console error, nothing blocked by the CSP), and the rating facet narrows the list by keyboard, with
JavaScript off as well as on."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from browser import assert_page_is_sound
from claimgraph.rdf import vocabulary
from conftest import copy_of, running_server
from test_verdicts import NOT_REVIEWED, graph, path, ratings, reviewed, reviewed_claims  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def site(reviewed, tmp_path_factory):  # noqa: F811 (the fixture imported above)
    data, store = reviewed
    with running_server(copy_of(store, tmp_path_factory.mktemp("browsed")), data_dir=data) as running:
        yield running


def test_the_claim_page_with_its_reviews_is_sound(site, visit, graph):  # noqa: F811
    disputed = [claim for claim in reviewed_claims(graph) if len(ratings(graph)[claim]) > 1]
    seen = visit(site.url + path(disputed[0]))
    assert_page_is_sound(seen)
    reviews = seen.page.locator("#reviews li.review")
    assert reviews.count() == len(seen.page.locator("#reviews .verdict").all()) > 1
    assert seen.page.locator("#reviews .disagreement").inner_text().startswith("The reviewers disagree:")
    for link in seen.page.locator("#reviews a.review-url").all():
        assert link.get_attribute("rel") == "external noopener"


def test_a_claim_page_without_reviews_is_sound_and_says_so(site, visit, graph):  # noqa: F811
    [unreviewed, *_] = sorted(claim for claim, found in ratings(graph).items() if found == {NOT_REVIEWED})
    seen = visit(site.url + path(unreviewed))
    assert_page_is_sound(seen)
    assert seen.page.locator("#reviews p").inner_text() == "No fact-checker's review of this claim is recorded."


@pytest.mark.parametrize("javascript", [True, False])
def test_the_rating_facet_narrows_the_list_by_keyboard(site, visit, graph, javascript):  # noqa: F811
    seen = visit(site.url + "/claims", javascript=javascript)
    assert_page_is_sound(seen)
    false = vocabulary.VERDICTS[2]
    expected = sorted(claim for claim, found in ratings(graph).items() if false in found)
    link = seen.page.locator('.facet[data-facet="rating"] a', has_text="false")
    link.focus()
    with seen.page.expect_navigation():
        seen.page.keyboard.press("Enter")
    address = urlsplit(seen.page.url)
    assert (address.path, parse_qs(address.query)) == ("/claims", {"rating": [false]})
    assert seen.page.locator(".summary").inner_text() == f"Claims 1–{len(expected)} of {len(expected)}"
    assert seen.page.locator('.facet[data-facet="rating"] [aria-current="true"]').inner_text() == "false"
    assert_page_is_sound(seen)
    # the search form keeps the verdict chosen: a search from here stays narrowed
    seen.page.locator("#q").focus()
    seen.page.keyboard.type("CCTV")
    with seen.page.expect_navigation():
        seen.page.keyboard.press("Enter")
    assert seen.page.locator('.facet[data-facet="rating"] .chosen').inner_text().startswith("false")
