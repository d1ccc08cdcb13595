"""A fact-checker's first minute, in a real browser, with no step needing SPARQL: the home page, a search, a claim
with its quote highlighted and in view, the claim's city, the source with every span marked, a marked span back to
its claim, a canned query in the editor, and an export downloaded.

Every expected value is read from the running service's own JSON and RDF or from the data files. With
``CLAIMGRAPH_TEST_SCREENSHOTS=docs/screenshots`` the test saves the README's pictures of the claim page, the source
page and the editor.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from browser import assert_page_is_sound, run_canned_query
from conftest import ARTICLE, QUERIES, answered, select

SCHEMA = "http://schema.org/"
#: A term a reader of the article would search for first.
TERM = "refugees"


def path_of(page) -> str:
    return urlsplit(page.url).path


def in_view(page, selector: str) -> bool:
    """Whether the element ``selector`` finds lies, at least partly, in the viewport."""
    return page.eval_on_selector(
        selector, "el => { const box = el.getBoundingClientRect(); return box.bottom > 0 && box.top < window.innerHeight; }"
    )


@pytest.fixture(scope="module")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


def test_search_claim_quote_city_source_span_editor_export(server, visit, screenshot, data_store, article):
    seen = visit(server.url + "/")
    assert_page_is_sound(seen)
    page = seen.page

    # Search from the home page's form.
    hits = answered(server.get("/search.json", params={"q": TERM})).json()
    assert hits["total"] > 0
    page.fill("input#q", TERM)
    page.press("input#q", "Enter")
    page.wait_for_url("**/search?*")
    links = page.locator("ol.results li.result a.claim")
    assert links.count() == min(hits["total"], hits["limit"])
    top = hits["results"][0]
    assert links.first.get_attribute("href") == top["url"]
    assert TERM.rstrip("s") in links.first.locator("mark").first.inner_text().lower()

    # The claim: its text, and the source's words marked at their stored offsets, in view.
    links.first.click()
    page.wait_for_url(f"**{top['url']}")
    assert page.inner_text("h1.claim-text") == top["text"]
    spans = select(data_store, f"""SELECT ?start ?end WHERE {{ <{top['iri']}> cg:evidence/oa:hasSelector ?position .
        ?position oa:start ?start ; oa:end ?end }} ORDER BY ?start""")
    first = page.locator("mark.evidence[id]").first
    assert first.inner_text() == article[int(spans[0]["start"]):int(spans[0]["end"])]
    assert in_view(page, "mark.evidence[id]")
    assert_page_is_sound(seen)
    screenshot(page, "claim")

    # Its city: the city it speaks of (a subject, or what a subject lies in), opened from the claim's facts.
    cities = select(data_store, f"""SELECT DISTINCT ?city ?name WHERE {{ <{top['iri']}> schema:about|cg:cause|cg:effect ?x .
        ?x (schema:location|schema:areaServed|schema:containedInPlace)* ?city . ?city a schema:City ; schema:name ?name }}
        ORDER BY ?city""")
    assert cities, f"{top['iri']} is about no city"
    city = cities[0]
    claim_url = page.url
    page.click(f".claim-city a[href='{urlsplit(server.url + '/' + city['city'].removeprefix(server.config.iri_base)).path}']")
    page.wait_for_load_state()
    assert page.inner_text("h1") == city["name"]
    assert_page_is_sound(seen)

    # The source: its whole text, every span marked; a marked span leads back to a claim resting on it.
    page.goto(claim_url)
    page.click("a.source-link")
    page.wait_for_load_state()
    [source] = select(data_store, f"SELECT ?headline WHERE {{ <{top['iri']}> schema:appearance/schema:headline ?headline }}")
    assert page.inner_text("h1") == source["headline"]
    marks = page.locator(".source-text mark.span a.claim-ref")
    assert marks.count() > 0
    assert_page_is_sound(seen)
    page.eval_on_selector(".source-text sup.span-claims", "el => el.scrollIntoView({block: 'start'})")
    screenshot(page, "source")
    target = marks.first
    title = target.get_attribute("title")
    target.click()
    page.wait_for_load_state()
    assert page.inner_text("h1.claim-text") == title
    assert in_view(page, "mark.evidence[id]")

    # A canned query from the editor's gallery, and its result table.
    page.goto(server.url + "/sparql")
    name = "claims-about-city"
    rows = run_canned_query(page, (QUERIES / f"{name}.rq").read_text(encoding="utf-8"), name)
    assert rows.count() > 0
    screenshot(page, "editor")

    # An export, downloaded from the list of exports: one row per claim.
    page.goto(server.url + "/export")
    with page.expect_download() as download:
        page.click("#export-claims-csv")
    saved = download.value.path()
    table = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"), newline="")))
    claims = select(data_store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a cg:Claim }")[0]["n"]
    assert len(table) == int(claims)
    assert download.value.suggested_filename == "claimgraph-claims.csv"
    assert seen.foreign == []
