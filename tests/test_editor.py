"""The query editor of ``/sparql``: YASGUI vendored, its settings in data- attributes, the prefixes and labels it
reads from this server, the plain form without JavaScript, and the editor in a real headless browser."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode, urlsplit
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.model import dataset
from claimgraph.web import headers
from claimgraph.web import editor
from browser import assert_page_is_sound, run_canned_query
from conftest import ONTOLOGY, QUERIES, answered, body, media_type, problem, select, solutions

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
STATIC = Path(editor.__file__).parent / "static"


class _Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text of each ``textarea``."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.textareas: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        if tag == "textarea":
            self._in = dict(attrs)["name"]
            self.textareas[self._in] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._in = None

    def handle_data(self, data):
        if self._in is not None:
            self.textareas[self._in] += data

    def find(self, tag: str, **wanted: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag and all(attrs.get(k) == v for k, v in wanted.items())]


def elements(response) -> _Elements:
    assert media_type(response) == "text/html"
    parsed = _Elements()
    parsed.feed(body(response).decode("utf-8"))
    return parsed


def editor_page(app, **options):
    return answered(app.get("/sparql", headers={"Accept": BROWSER}, **options))


# ---------------------------------------------------------------- the page


def test_page_hands_the_editor_its_settings_in_data_attributes(app):
    [div] = elements(editor_page(app)).find("div", id="editor")
    assert {name: value for name, value in div.items() if name.startswith("data-")} == {
        "data-endpoint": "/sparql",
        "data-prefixes-url": "/prefixes",
        "data-labels-url": "/labels",
        "data-labels-max": str(editor.MAX_LABELS),
        "data-resource-url": "/resource",
    }


def test_settings_follow_the_script_root(app):
    response = app.app.test_client().get("/sparql", base_url="http://localhost/behind/proxy", headers={"Accept": BROWSER})
    [div] = elements(answered(response)).find("div", id="editor")
    assert (div["data-endpoint"], div["data-prefixes-url"], div["data-labels-url"], div["data-resource-url"]) == (
        "/behind/proxy/sparql", "/behind/proxy/prefixes", "/behind/proxy/labels", "/behind/proxy/resource")


def test_page_loads_yasgui_and_the_editor_from_this_server(app):
    parsed = elements(editor_page(app))
    assert [attrs["src"] for attrs in parsed.find("script")] == [
        "/static/yasgui/yasgui.min.js", "/static/editor.js"]
    assert all(attrs.get("defer") == "" for attrs in parsed.find("script"))
    assert "/static/yasgui/yasgui.min.css" in [attrs["href"] for attrs in parsed.find("link", rel="stylesheet")]


@pytest.mark.parametrize("params", [{}, {"query": "ASK {}"}], ids=["the service's page", "a query's page"])
def test_the_editor_page_allows_only_yasgui_s_hashed_style_elements(app, params):
    response = answered(app.get("/sparql", params=params, headers={"Accept": BROWSER}))
    assert elements(response).find("div", id="editor")
    policy = response.headers["Content-Security-Policy"]
    assert policy == editor.CONTENT_SECURITY_POLICY
    assert policy.startswith(headers.CONTENT_SECURITY_POLICY + "; style-src-elem 'self' 'sha256-")
    assert "unsafe" not in policy


@pytest.mark.parametrize(("path", "accept"), [("/sparql", "text/turtle"), ("/queries", BROWSER)])
def test_other_answers_keep_the_site_s_policy(app, path, accept):
    response = answered(app.get(path, headers={"Accept": accept}))
    assert response.headers["Content-Security-Policy"] == headers.CONTENT_SECURITY_POLICY


def test_a_query_in_the_url_opens_in_the_page(app):
    text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    parsed = elements(answered(app.get("/sparql", params={"query": text}, headers={"Accept": BROWSER})))
    assert parsed.textareas["query"] == text


def test_without_javascript_the_plain_form_runs_the_default_query(app, claims):
    parsed = elements(editor_page(app))
    assert parsed.find("form", id="query-form", method="get", action="/sparql")
    assert parsed.find("button", type="submit")
    default = parsed.textareas["query"]
    declared = {f"PREFIX {name}: <{iri}>" for name, iri in dataset.prefixes(ONTOLOGY).items()}
    assert declared <= set(default.splitlines())
    ran = answered(app.get("/sparql", params={"query": default, "format": "json"}, headers={"Accept": BROWSER}))
    assert media_type(ran) == "application/sparql-results+json"
    assert len(solutions(ran)) == min(10, claims)


def test_gallery_lists_every_canned_query_with_its_page_and_its_text(app):
    parsed = elements(editor_page(app))
    names = sorted(path.stem for path in QUERIES.glob("*.rq"))
    buttons = parsed.find("button", type="button")
    assert [attrs["data-name"] for attrs in buttons] == names
    assert all(attrs.get("hidden") == "" for attrs in buttons)
    links = {attrs["href"] for attrs in parsed.find("a")}
    assert {f"/queries/{name}" for name in names} <= links
    for attrs in buttons:
        source = answered(app.get(attrs["data-source"]))
        assert body(source).decode("utf-8") == (QUERIES / f"{attrs['data-name']}.rq").read_text(encoding="utf-8")


# ---------------------------------------------------------------- /prefixes and /labels


def test_prefixes_are_the_dataset_s_in_prefix_cc_shape(app):
    response = answered(app.get("/prefixes"))
    assert media_type(response) == "application/json"
    assert json.loads(body(response)) == dataset.prefixes(ONTOLOGY)


def names_of(data_store: ox.Store) -> dict[str, str]:
    """Each resource with exactly one schema:name and no rdfs:label or skos:prefLabel, → that name."""
    rows = select(data_store, """SELECT ?s (SAMPLE(?name) AS ?n) WHERE {
        ?s schema:name ?name FILTER NOT EXISTS { ?s rdfs:label|skos:prefLabel ?other } } GROUP BY ?s HAVING (COUNT(?name) = 1)""")
    return {row["s"]: row["n"] for row in rows}


def test_labels_names_the_iris_that_have_a_label(app, data_store):
    named = dict(sorted(names_of(data_store).items())[:3])
    unnamed = "http://example.org/nothing-known"
    response = answered(app.get("/labels", params=[("iri", iri) for iri in [*named, unnamed]]))
    assert media_type(response) == "application/json"
    assert json.loads(body(response)) == named


def test_labels_are_the_ones_the_pages_show(app, data_store):
    """A claim is labelled by its text, an ontology term by its rdfs:label: the labels of :func:`terms.labels`."""
    [claim] = select(data_store, "SELECT ?s ?label WHERE { ?s a cg:Claim ; schema:text ?label } ORDER BY ?s LIMIT 1")
    [term] = select(data_store, """SELECT ?s ?label WHERE { GRAPH <https://w3id.org/claimgraph/ontology> {
        ?s a owl:Class ; rdfs:label ?label FILTER (LANG(?label) IN ("", "en")) } } ORDER BY ?s LIMIT 1""")
    response = answered(app.get("/labels", params=[("iri", claim["s"]), ("iri", term["s"])]))
    assert json.loads(body(response)) == {claim["s"]: claim["label"], term["s"]: term["label"]}


def test_labels_of_many_iris_come_by_post(app, data_store):
    named = names_of(data_store)
    response = answered(app.post("/labels", data=[("iri", iri) for iri in named]))
    assert json.loads(body(response)) == named


def test_labels_without_iris_is_an_empty_object(app):
    assert json.loads(body(answered(app.get("/labels")))) == {}


@pytest.mark.parametrize("iris", [["not an iri"], [f"http://example.org/{n}" for n in range(editor.MAX_LABELS + 1)]],
                         ids=["not an IRI", "too many"])
def test_labels_refuse_bad_iris_naming_the_parameter(app, iris):
    response = answered(app.post("/labels", data=[("iri", iri) for iri in iris]), 400)
    assert problem(response)["parameter"] == "iri"


def test_labels_refuse_a_body_that_is_not_a_form(app):
    response = answered(app.post("/labels", data='{"iri": []}', headers={"Content-Type": "application/json"}), 415)
    assert problem(response)["status"] == 415


# ---------------------------------------------------------------- the vendored files


@pytest.mark.parametrize(("path", "types"), [
    ("yasgui/yasgui.min.js", {"text/javascript", "application/javascript"}),
    ("editor.js", {"text/javascript", "application/javascript"}),
    ("yasgui/yasgui.min.css", {"text/css"}),
])
def test_static_files_are_served_with_their_types(app, path, types):
    response = answered(app.get(f"/static/{path}"))
    assert media_type(response) in types
    assert body(response) == (STATIC / path).read_bytes()


def test_yasgui_is_vendored_with_its_version_and_licence():
    readme = (STATIC / "yasgui" / "README.md").read_text(encoding="utf-8")
    assert "`@zazuko/yasgui`" in readme and "| version | 4.6.2 |" in readme and "MIT" in readme
    assert (STATIC / "yasgui" / "LICENSE").read_text(encoding="utf-8").startswith("The MIT License (MIT)")


# ---------------------------------------------------------------- in a real browser

CANNED = "claims-about-city"


def test_editor_runs_a_canned_query_and_links_labelled_iris_to_their_pages(visit, server):
    seen = visit(server.url + "/sparql")
    page = seen.page
    text = (QUERIES / f"{CANNED}.rq").read_text(encoding="utf-8")
    rows = run_canned_query(page, text, CANNED)
    assert page.locator("#query-form").is_hidden()
    page.wait_for_selector(".tabPanel.active .yasr a.iri.labelled")

    expected = solutions(answered(server.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})))
    assert rows.count() == min(len(expected), 50)

    base = server.config.iri_base
    first = next(iri for iri in expected[0].values() if iri.startswith(base + "id/"))
    labels = json.loads(body(answered(server.get("/labels", params={"iri": first}))))
    assert first in labels
    link = page.locator(f".tabPanel.active .yasr a.iri[title='{first}']").first
    assert link.get_attribute("href") == "/resource?" + urlencode({"iri": first}, quote_via=quote)
    assert link.inner_text() == labels[first]
    # /resource sends the IRI to its own page.
    assert urlsplit(server.get(link.get_attribute("href"), allow_redirects=False).headers["Location"]).path == "/" + first.removeprefix(base)

    # Dragging a column's grip makes YASGUI's column resizer add its cursor <style>, which the page's policy allows.
    grip = page.locator(".tabPanel.active .grip-handle .grip-resizable").first.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(grip["x"] + 40, grip["y"] + grip["height"] / 2, steps=4)
    assert page.evaluate("[...document.head.querySelectorAll('style')].some(s => s.textContent.startsWith('*{cursor:'))")
    page.mouse.up()

    assert_page_is_sound(seen)
