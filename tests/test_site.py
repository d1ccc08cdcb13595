"""What every page shares (base.html): the site navigation links each page of the site the application serves,
marks the page shown, and every page has the skip link, the main landmark and the footer."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from claimgraph.web import headers
from claimgraph.web.site import NAVIGATION
from conftest import answered

HTML = {"Accept": "text/html"}


class _Navigation(HTMLParser):
    """The links of ``<nav aria-label="Site">``: (href, text, aria-current); and the ids and landmarks seen."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[list[str | None]] = []
        self.landmarks: list[str] = []
        self.first_link: str | None = None
        self._in_nav = self._in_link = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.append(f"{tag}#{attributes['id']}" if "id" in attributes else tag)
        if tag == "a" and self.first_link is None:
            self.first_link = attributes.get("href")
        if tag == "nav" and attributes.get("aria-label") == "Site":
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self._in_link = True
            self.links.append([attributes.get("href"), "", attributes.get("aria-current")])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False
        elif tag == "a":
            self._in_link = False

    def handle_data(self, data):
        if self._in_link:
            self.links[-1][1] += data


def read(response) -> _Navigation:
    parser = _Navigation()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture(scope="module")
def served(app) -> set[str]:
    """The paths the application answers GET at."""
    return {rule.rule for rule in app.app.url_map.iter_rules() if "GET" in rule.methods}


def test_the_navigation_links_every_page_served_in_order_and_marks_home(app, served):
    """A page of the navigation that this application does not serve (a part not installed) gets no link."""
    links = read(answered(app.get("/", headers=HTML))).links
    assert links == [[path, label, "page" if path == "/" else None] for path, label in NAVIGATION if path in served]
    assert {"/", "/sparql", "/queries", "/.well-known/void"} <= {href for href, _, _ in links}


@pytest.mark.parametrize(("path", "status", "current"), [("/sparql", 200, "/sparql"), ("/queries", 200, "/queries"), ("/nowhere", 404, None)])
def test_every_page_has_the_skip_link_landmarks_and_marks_itself(app, path, status, current):
    page = read(answered(app.get(path, headers=HTML), status))
    assert page.first_link == "#main"
    assert page.landmarks == ["header", "nav", "main#main", "footer"]
    assert [href for href, _, marked in page.links if marked == "page"] == ([current] if current else [])


class _Icons(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.icons: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "icon":
            self.icons.append(attributes["href"])


@pytest.mark.parametrize("path", ["/", "/sparql", "/search", "/export", "/no/such/page"])
def test_every_page_names_its_icon_and_the_icon_answers(app, path):
    """Without an icon of its own a browser asks for /favicon.ico, which answers 404 (an error in its console)."""
    parsed = _Icons()
    parsed.feed(app.get(path, headers=HTML).get_data(as_text=True))
    assert parsed.icons == ["/static/favicon.svg"]
    icon = app.get(parsed.icons[0])
    assert (icon.status_code, icon.headers["Content-Type"]) == (200, "image/svg+xml; charset=utf-8")


@pytest.mark.parametrize(("path", "accept", "status"), [
    ("/", "text/html", 200), ("/search.json?q=refugees", "application/json", 200), ("/no/such/page", "application/json", 404),
])
def test_every_answer_carries_the_security_headers(app, path, accept, status):
    response = app.get(path, headers={"Accept": accept})
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == headers.CONTENT_SECURITY_POLICY
    assert (response.headers["X-Content-Type-Options"], response.headers["Referrer-Policy"]) == ("nosniff", "same-origin")
