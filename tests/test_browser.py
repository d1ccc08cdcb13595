"""The pages in a real browser (headless chromium): sound for everyone (keyboard, labels, 375 px, no console error,
nothing blocked by the CSP, nothing from other hosts), readable without JavaScript, and data text kept inert."""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from browser import HEIGHT, NARROW, WIDE, assert_page_is_sound, png_size
from conftest import CG, TOKEN, answered, select

SCHEMA = "http://schema.org/"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
IRI_BASE = "https://w3id.org/claimgraph/"


@pytest.fixture(scope="module")
def city(data_store: ox.Store) -> tuple[str, str]:
    """A city of the data: its path on the server and its name."""
    row = select(data_store, "SELECT ?city ?name WHERE { ?city a schema:City ; schema:name ?name } ORDER BY ?city LIMIT 1")[0]
    assert row["city"].startswith(IRI_BASE)
    return "/" + row["city"].removeprefix(IRI_BASE), row["name"]


@pytest.mark.parametrize("path", ["/", "/sparql", "/queries"])
def test_the_page_is_sound(server, visit, path):
    assert_page_is_sound(visit(server.url + path))


def test_a_resource_page_is_sound_and_shows_its_name(server, visit, city):
    path, name = city
    seen = visit(server.url + path)
    assert_page_is_sound(seen)
    assert name in seen.page.inner_text("main")


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [("/no/such/page", 404, "404 Not Found"), ("/id/place/nowhere-in-the-data", 404, "404 Not Found"), ("/resource", 400, "400 Bad Request")],
)
def test_an_error_page_is_sound(server, visit, path, status, title):
    seen = visit(server.url + path)
    assert_page_is_sound(seen, status=status)
    assert seen.page.inner_text("h1") == title
    seen.page.get_by_role("link", name="Back to the home page").click()
    seen.page.wait_for_url(server.url + "/")


def test_the_skip_link_moves_focus_to_the_content(server, visit):
    seen = visit(server.url + "/")
    seen.page.keyboard.press("Tab")
    seen.page.keyboard.press("Enter")
    assert seen.page.evaluate("document.activeElement.id") == "main"


def test_a_wide_table_scrolls_inside_its_wrapper_at_375_px(server, visit):
    seen = visit(server.url + "/", width=NARROW)
    # A cell wider than any screen, in the home page's own table: the wrapper scrolls, the page does not.
    box, content, page_width, screen = seen.page.evaluate(
        """(() => {
          const box = document.querySelector(".table-scroll"), cell = box.querySelector("td"), wide = document.createElement("span");
          wide.textContent = "x"; wide.style.display = "inline-block"; wide.style.width = "2000px"; cell.append(wide);
          return [box.clientWidth, box.scrollWidth, document.scrollingElement.scrollWidth, window.innerWidth];
        })()"""
    )
    assert content > 2000 > box
    assert page_width == screen == NARROW


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_home_screenshot(server, visit, screenshot, width):
    seen = visit(server.url + "/", width=width)
    path = screenshot(seen.page, "home" if width == WIDE else f"home-{width}", width=width)
    assert png_size(path) == (width, HEIGHT)
    assert path.stat().st_size < 200_000


@pytest.mark.parametrize("which", ["home", "resource"])
def test_readable_without_javascript(server, visit, city, which):
    path, name = city
    seen = visit(server.url + ("/" if which == "home" else path), javascript=False)
    assert seen.response.status == 200
    text = seen.page.inner_text("main")
    assert (name if which == "resource" else "Graphs") in text
    assert seen.page.evaluate("getComputedStyle(document.querySelector('.site-header nav ul')).display") == "flex"


@pytest.fixture(scope="module")
def hostile(loaded_store, tmp_path_factory):
    """A server of this module's own holding a claim whose text and name are markup meant to run, and its path."""
    from conftest import copy_of, running_server

    iri = IRI_BASE + "id/claim/markup-in-its-text"
    claim = ox.NamedNode(iri)
    update = (
        f"INSERT DATA {{ GRAPH <urn:claimgraph:test:hostile> {{ {claim} a {ox.NamedNode(CG + 'Claim')} ;"
        f" {ox.NamedNode(SCHEMA + 'text')} {ox.Literal(HOSTILE)} ; {ox.NamedNode(SCHEMA + 'name')} {ox.Literal(HOSTILE)} }} }}"
    )
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("hostile"))) as running:
        answered(running.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)
        yield running, "/id/claim/markup-in-its-text", iri


@pytest.mark.parametrize("how", ["path", "iri"])
def test_markup_in_the_data_is_shown_as_text_and_stays_inert(hostile, visit, how):
    running, path, iri = hostile
    seen = visit(running.url + (path if how == "path" else "/resource?" + urlencode({"iri": iri})))
    assert seen.response.status == 200
    assert seen.response.headers["content-security-policy"].startswith("default-src 'self'")
    assert HOSTILE in seen.page.inner_text("main")
    assert seen.page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.page.locator("main script, main img[onerror]").count() == 0
    assert seen.foreign == []
