"""Behind a reverse proxy at a sub-path: with ``proxy_hops`` set, the X-Forwarded-* headers make every link, form,
redirect, ``Location``, published endpoint and IRI mapping point at the public URL; without it they are ignored."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import threading
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from browser import assert_page_is_sound
from claimgraph.config import Config
from claimgraph.model import catalog
from claimgraph.web import iris, protocol
from conftest import QUERIES, TOKEN, answered, copy_of, in_process, running_server, select, triples
from flask import request, request_started, url_for

PUBLIC = "https://claims.example.org/checker"
FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "claims.example.org",
    "X-Forwarded-Prefix": "/checker",
}
HTML = {"Accept": "text/html"}
#: What a browser accepts: a page first, anything else (RDF, JSON) when there is no page.
BROWSER = {"Accept": "text/html, */*;q=0.8"}
VOID_ENDPOINT = ox.NamedNode("http://rdfs.org/ns/void#sparqlEndpoint")
IRI_BASE = "https://w3id.org/claimgraph/"


@pytest.fixture(scope="module")
def canned() -> str:
    """The name of a canned query that runs with no parameter given."""
    return next(name for name, query in sorted(catalog.load(QUERIES).items()) if not any(p.required for p in query.params))


class _Targets(HTMLParser):
    """Every URL an HTML page points at: ``href``, ``src``, ``action`` and ``formaction`` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [(tag, value) for name, value in attrs if name in ("href", "src", "action", "formaction") and value]


def targets(html: str) -> list[tuple[str, str]]:
    parser = _Targets()
    parser.feed(html)
    return parser.urls


def here(url: str) -> bool:
    """Whether ``url``, as written in a page, needs no request to the service: a fragment of the page itself, or
    a ``data:`` URL."""
    return url.startswith("#") or urlsplit(url).scheme == "data"


def ours(url: str) -> bool:
    """Whether ``url``, as written in a page, is a link to the service itself at its public URL: a path under the
    public prefix, or an absolute URL under the public URL."""
    return url.startswith(urlsplit(PUBLIC).path + "/") or url.startswith(PUBLIC + "/")


def public(url: str, server) -> bool:
    """Whether ``url``, as written in a page of ``server``, works for a reader behind the proxy: :func:`here`,
    :func:`ours`, or an absolute URL of another site (a vocabulary's IRI, a source's URL) that is neither the
    public host outside the prefix nor the service's own address behind the proxy."""
    parts = urlsplit(url)
    if here(url) or ours(url):
        return True
    return bool(parts.scheme) and parts.netloc not in (urlsplit(PUBLIC).netloc, urlsplit(server.url).netloc)


def below(url: str) -> str:
    """The path and query (below the service's root, as the proxy forwards it) of a public URL or path."""
    parts = urlsplit(url)
    path = parts.path.removeprefix(urlsplit(PUBLIC).path)
    return path + ("?" + parts.query if parts.query else "")


@pytest.fixture(scope="module")
def proxied(loaded_store, tmp_path_factory):
    """A server trusting one proxy in front of it, over a copy of the curated store."""
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("proxied")), proxy_hops=1) as running:
        yield running


@pytest.fixture(scope="module")
def pages(data_store, canned) -> dict[str, int]:
    """The pages checked, each with its status: home, the query page, the canned queries, one canned query, a
    place of the data, and two kinds of 404."""
    [row] = select(data_store, "SELECT ?city WHERE { ?city a schema:City } ORDER BY ?city LIMIT 1")
    return {
        "/": 200,
        "/sparql": 200,
        "/queries": 200,
        f"/queries/{canned}": 200,
        "/" + row["city"].removeprefix(IRI_BASE): 200,
        "/no/such/page": 404,
        "/id/place/nowhere-in-the-data": 404,
    }


def test_the_setting_is_off_by_default_and_read_from_the_environment():
    assert Config.load({}, environ={}).proxy_hops == 0
    assert Config.load({}, environ={"CLAIMGRAPH_PROXY_HOPS": "2"}).proxy_hops == 2


def test_a_negative_number_of_proxies_is_refused_naming_the_setting():
    with pytest.raises(ValueError, match=r"^setting 'proxy_hops': must be 0 or more, got -1$"):
        Config.load({"proxy_hops": -1}, environ={})


def test_every_link_and_form_of_every_page_points_under_the_public_url(proxied, pages):
    for path, status in pages.items():
        response = answered(proxied.get(path, headers={**FORWARDED, **HTML}), status)
        found = targets(response.text)
        assert len(found) > 5, path
        assert [url for _, url in found if not public(url, proxied)] == [], path


def test_the_endpoints_a_page_shows_are_public(proxied):
    text = answered(proxied.get("/", headers={**FORWARDED, **HTML})).text
    assert f"<code>{PUBLIC}/sparql</code>" in text
    assert f"<code>{PUBLIC}/update</code>" in text


def test_every_link_answers_through_the_proxy_and_every_redirect_stays_public(proxied, pages):
    """Follow each link of each page to the service (as the proxy would forward it) without following redirects."""
    seen: dict[str, int] = {}
    for path in pages:
        for _, url in targets(proxied.get(path, headers={**FORWARDED, **HTML}).text):
            if not ours(url) or below(url) in seen:
                continue
            answer = proxied.get(below(url), headers={**FORWARDED, **BROWSER}, allow_redirects=False)
            seen[below(url)] = answer.status_code
            if 300 <= answer.status_code < 400:
                assert answer.headers["Location"].startswith(PUBLIC + "/"), url
    # A canned query's page may answer 400 until its required parameters are given; no link may be missing.
    assert {url: status for url, status in seen.items() if status == 404 or status >= 500} == {}


def test_a_graph_the_store_mints_is_named_and_located_under_the_public_url(proxied):
    body = "<urn:claimgraph:test:s> <urn:claimgraph:test:p> <urn:claimgraph:test:o> ."
    headers = {**FORWARDED, "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
    created = answered(proxied.post("/store", data=body, headers=headers), 201)
    location = created.headers["Location"]
    assert location.startswith(PUBLIC + "/store/")
    uuid.UUID(location.removeprefix(PUBLIC + "/store/"))
    # The graph is named by its public IRI, and found at its path as the proxy forwards it.
    named = answered(proxied.get("/store", params={"graph": location}, headers={"Accept": "application/n-triples"}))
    at_path = answered(proxied.get(below(location), headers={**FORWARDED, "Accept": "application/n-triples"}))
    assert triples(named) == triples(at_path) == {
        (ox.NamedNode("urn:claimgraph:test:s"), ox.NamedNode("urn:claimgraph:test:p"), ox.NamedNode("urn:claimgraph:test:o"))
    }


def test_a_graph_put_anew_is_located_under_the_public_url(proxied):
    graph = f"urn:claimgraph:test:{uuid.uuid4()}"
    headers = {**FORWARDED, "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    created = answered(proxied.request("PUT", "/store", params={"graph": graph}, data="<urn:a> <urn:b> <urn:c> .", headers=headers), 201)
    location = urlsplit(created.headers["Location"])
    assert (f"{location.scheme}://{location.netloc}{location.path}", parse_qs(location.query)) == (PUBLIC + "/store", {"graph": [graph]})


def test_void_names_the_public_endpoint(proxied):
    response = answered(proxied.get("/.well-known/void", headers={**FORWARDED, "Accept": "application/n-triples"}))
    assert {o.value for _, p, o in triples(response) if p == VOID_ENDPOINT} == {PUBLIC + "/sparql"}


@contextlib.contextmanager
def seen_in_a_request(service, headers: dict[str, str]):
    """What :mod:`claimgraph.web.iris`, ``url_for``, :func:`protocol.external` and the client address give inside
    a real request (through the application's WSGI middleware) sent with ``headers``."""
    seen: dict[str, str] = {}

    def look(sender, **extra) -> None:
        seen.update(
            local_path=iris.local_path(IRI_BASE + "id/place/somewhere"),
            page_url=iris.page_url("urn:claimgraph:test:elsewhere"),
            home=url_for("pages.home", _external=True),
            external=protocol.external("sparql.query"),
            client=request.remote_addr,
        )

    with request_started.connected_to(look, service.app):
        answered(service.get("/healthz", headers=headers))
        yield seen


def test_the_iri_mapping_gives_public_urls_behind_the_proxy(loaded_store, tmp_path):
    with in_process(copy_of(loaded_store, tmp_path), proxy_hops=1, workers=1) as service:
        with seen_in_a_request(service, FORWARDED) as seen:
            assert seen == {
                "local_path": "/checker/id/place/somewhere",
                "page_url": "/checker/resource?iri=urn:claimgraph:test:elsewhere",
                "home": PUBLIC + "/",
                "external": PUBLIC + "/sparql",
                "client": "203.0.113.7",
            }


def test_without_the_setting_forwarded_headers_are_ignored(app):
    with seen_in_a_request(app, FORWARDED) as seen:
        assert seen == {
            "local_path": "/id/place/somewhere",
            "page_url": "/resource?iri=urn:claimgraph:test:elsewhere",
            "home": "http://localhost/",
            "external": "http://localhost/sparql",
            "client": "127.0.0.1",
        }


def test_without_the_setting_a_server_ignores_them_in_pages_and_locations(server):
    text = answered(server.get("/", headers={**FORWARDED, **HTML})).text
    assert [url for _, url in targets(text) if url.startswith("/checker") or "claims.example.org" in url] == []
    assert f"<code>{server.url}/sparql</code>" in text
    headers = {**FORWARDED, "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
    created = answered(server.post("/store", data="<urn:a> <urn:b> <urn:c> .", headers=headers), 201)
    location = created.headers["Location"]
    assert location.startswith(server.url + "/store/")
    answered(server.request("DELETE", urlsplit(location).path, headers={"Authorization": f"Bearer {TOKEN}"}), 204)


class _Proxy(http.server.ThreadingHTTPServer):
    """A reverse proxy as an operator would set one up: ``/checker/…`` here is ``/…`` on the service, with the
    X-Forwarded-* headers of the request as it arrived."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        super().__init__(("127.0.0.1", 0), _Forward)


class _Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        if not self.path.startswith("/checker/"):
            self.send_error(404, "only /checker/ is served here")
            return
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in ("host", "connection")}
        headers.update({
            "X-Forwarded-For": self.client_address[0],
            "X-Forwarded-Proto": "http",
            "X-Forwarded-Host": self.headers["Host"],
            "X-Forwarded-Prefix": "/checker",
        })
        connection.request("GET", self.path.removeprefix("/checker"), headers=headers)
        answer = connection.getresponse()
        content = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("connection", "transfer-encoding", "content-length", "server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        connection.close()

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        """Quiet: the service logs its own requests."""


@pytest.fixture(scope="module")
def proxy(proxied):
    """The reverse proxy in front of the ``proxied`` server: its public URL, ``http://127.0.0.1:<port>/checker``."""
    running = _Proxy(proxied.url)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{running.server_address[1]}/checker"
    finally:
        running.shutdown()
        running.server_close()


def test_a_browser_uses_the_site_through_the_proxy(proxy, visit, canned):
    seen = visit(proxy + "/")
    assert_page_is_sound(seen)
    assert seen.page.evaluate("getComputedStyle(document.querySelector('.site-header nav ul')).display") == "flex"
    seen.page.get_by_role("navigation", name="Site").get_by_role("link", name="Canned queries").click()
    seen.page.wait_for_url(proxy + "/queries")
    seen.page.get_by_role("link", name=canned, exact=True).click()
    seen.page.wait_for_url(proxy + f"/queries/{canned}")
    with seen.page.expect_navigation():
        seen.page.get_by_role("button", name="Run").click()
    assert urlsplit(seen.page.url).path == f"/checker/queries/{canned}"
    assert seen.foreign == []
    assert seen.console_errors == []
