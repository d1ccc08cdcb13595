"""Protocol and client gaps closed (issue 8), each over a real gunicorn server as clients send requests.

Relative IRIs resolved against the endpoint, multipart Graph Store writes, the Location of a graph the store
creates, a 413 that a client sending its body whole still reads, long GET queries, CORS on preflights and on
errors, loose media types for graphs, and an update the store cannot apply.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import flask
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
import requests
from claimgraph.config import Config
from claimgraph.errors import RequestError
from claimgraph.web import protocol, services
from claimgraph.web.app import create_app
from conftest import Server, running_server

#: The size limit of this module's server: the bodies sent below are many times larger.
LIMIT = 1024 * 1024
ORIGIN = "https://checker.example"
PROBLEM = "application/problem+json"
QUERY_TYPE = "application/sparql-query"
EX = "http://example.org/gaps/"
POLICIES = "PREFIX cg: <https://w3id.org/claimgraph/ontology#> CONSTRUCT { ?p a cg:Policy } WHERE { ?p a cg:Policy }"
DESCRIBE = "PREFIX cg: <https://w3id.org/claimgraph/ontology#> DESCRIBE ?p WHERE { ?p a cg:Policy } LIMIT 1"


@pytest.fixture(scope="module")
def gaps(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """A server of this module's own over a copy of the curated store: a 1 MiB body limit, CORS for one origin."""
    store = Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("gaps") / "store"))
    with running_server(store, max_request_bytes=str(LIMIT), cors_origins=ORIGIN) as running:
        yield running


def bearer(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def graph_iri() -> str:
    return f"{EX}{uuid.uuid4()}"


def ask(server: Server, query: str) -> bool:
    response = requests.post(server.sparql(), data={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200
    return response.json()["boolean"]


def stored(server: Server, graph: str) -> set[ox.Triple]:
    """The triples of ``graph``, read back through the Graph Store Protocol as N-Triples."""
    response = requests.get(server.url + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200
    return {quad.triple for quad in ox.parse(response.content, ox.RdfFormat.N_TRIPLES)}


def triples_of(response: requests.Response, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(response.content, fmt)}


# ---------------------------------------------------------------- relative IRIs resolve against the endpoint

RELATIVE_CONSTRUCT = "CONSTRUCT { <s> <p> 1 } WHERE {}"


@pytest.mark.parametrize(
    "send",
    [
        lambda url, q, h: requests.get(url, params={"query": q}, headers=h, timeout=30),
        lambda url, q, h: requests.post(url, data={"query": q}, headers=h, timeout=30),
        lambda url, q, h: requests.post(url, data=q.encode(), headers={**h, "Content-Type": QUERY_TYPE}, timeout=30),
    ],
    ids=["GET", "POST form", "POST direct"],
)
def test_relative_iris_of_a_query_resolve_against_the_endpoint(gaps, send):
    response = send(gaps.sparql(), RELATIVE_CONSTRUCT, {"Accept": "application/n-triples"})
    assert response.status_code == 200
    one = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert triples_of(response, ox.RdfFormat.N_TRIPLES) == {ox.Triple(ox.NamedNode(gaps.url + "/s"), ox.NamedNode(gaps.url + "/p"), one)}


def test_relative_iris_of_a_select_resolve_against_the_endpoint(gaps):
    response = requests.get(gaps.sparql(), params={"query": "SELECT ?x WHERE { BIND(<a/b?c> AS ?x) }"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == [{"x": {"type": "uri", "value": gaps.url + "/a/b?c"}}]


def test_relative_iris_of_an_update_resolve_against_the_endpoint(gaps):
    name = f"graph-{uuid.uuid4()}"
    response = requests.post(gaps.url + "/update", data={"update": f"INSERT DATA {{ GRAPH <{name}> {{ <s> <p> <o> }} }}"}, headers=bearer(gaps), timeout=30)
    assert response.status_code == 204
    base = gaps.url + "/"
    assert stored(gaps, base + name) == {ox.Triple(ox.NamedNode(base + "s"), ox.NamedNode(base + "p"), ox.NamedNode(base + "o"))}


def test_relative_iris_of_a_graph_store_body_still_resolve_against_the_graph(gaps):
    graph = f"{EX}dir/{uuid.uuid4()}"
    headers = {**bearer(gaps), "Content-Type": "text/turtle"}
    assert requests.put(gaps.url + "/store", params={"graph": graph}, data=b"<s> <p> <o> .", headers=headers, timeout=30).status_code == 201
    assert stored(gaps, graph) == {ox.Triple(ox.NamedNode(f"{EX}dir/s"), ox.NamedNode(f"{EX}dir/p"), ox.NamedNode(f"{EX}dir/o"))}


# ---------------------------------------------------------------- multipart/form-data Graph Store writes

TURTLE_PART = b"@prefix ex: <http://example.org/gaps/> . ex:a ex:p _:b . _:b ex:q 1 ."
NTRIPLES_PART = b'<http://example.org/gaps/a> <http://example.org/gaps/p> _:b .\n_:b <http://example.org/gaps/q> "2" .\n'
RDFXML_PART = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/gaps/">'
    b'<rdf:Description rdf:about="http://example.org/gaps/c"><ex:p>three</ex:p></rdf:Description></rdf:RDF>'
)


def multipart(server: Server, method: str, files: list, **params) -> requests.Response:
    return requests.request(method, server.url + "/store", params=params, files=files, headers=bearer(server), timeout=30)


def test_multipart_post_adds_every_part_each_in_its_own_format(gaps):
    graph = graph_iri()
    files = [
        ("first", ("one.ttl", TURTLE_PART, "text/turtle")),
        ("second", ("two.data", NTRIPLES_PART, "application/n-triples")),
        ("third", ("three.rdf", RDFXML_PART, "application/octet-stream")),
    ]
    response = multipart(gaps, "POST", files, graph=graph)
    assert response.status_code == 201
    expected = rdflib.Graph()
    expected.parse(data=TURTLE_PART, format="turtle")
    expected.parse(data=NTRIPLES_PART, format="nt")
    expected.parse(data=RDFXML_PART, format="xml")
    got = rdflib.Graph().parse(data=requests.get(gaps.url + "/store", params={"graph": graph}, headers={"Accept": "text/turtle"}).text, format="turtle")
    # Each file's blank node _:b is its own: five triples, two blank nodes.
    assert len(got) == 5
    assert rdflib.compare.isomorphic(got, expected)


def test_multipart_part_with_no_type_is_read_by_its_file_name_extension(gaps):
    graph = graph_iri()
    response = multipart(gaps, "POST", [("file", ("data.nt", NTRIPLES_PART, None))], graph=graph)
    assert response.status_code == 201
    assert len(stored(gaps, graph)) == 2


def test_multipart_put_replaces_the_graph(gaps):
    graph = graph_iri()
    assert multipart(gaps, "PUT", [("file", ("a.ttl", TURTLE_PART, "text/turtle"))], graph=graph).status_code == 201
    assert multipart(gaps, "PUT", [("file", ("c.rdf", RDFXML_PART, "application/rdf+xml"))], graph=graph).status_code == 204
    assert stored(gaps, graph) == {ox.Triple(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "p"), ox.Literal("three"))}


def test_multipart_with_a_bad_part_is_400_naming_it_and_changes_nothing(gaps):
    graph = graph_iri()
    assert multipart(gaps, "PUT", [("file", ("c.rdf", RDFXML_PART, "application/rdf+xml"))], graph=graph).status_code == 201
    before = stored(gaps, graph)
    files = [("good", ("a.ttl", TURTLE_PART, "text/turtle")), ("bad", ("broken.ttl", b"<http://example.org/s> <http://example.org/p> .", "text/turtle"))]
    response = multipart(gaps, "POST", files, graph=graph)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["detail"].startswith("part 'bad' (broken.ttl) does not parse: ")
    assert stored(gaps, graph) == before


def test_multipart_part_of_no_graph_format_is_415_naming_it(gaps):
    graph = graph_iri()
    response = multipart(gaps, "POST", [("file", ("a.ttl", TURTLE_PART, "text/turtle")), ("picture", ("p.png", b"\x89PNG", "image/png"))], graph=graph)
    assert response.status_code == 415
    assert response.json()["detail"].startswith("part 'picture' (p.png) is image/png, not a graph format")
    assert requests.get(gaps.url + "/store", params={"graph": graph}, timeout=30).status_code == 404


def test_multipart_text_field_is_400_naming_it(gaps):
    response = requests.post(gaps.url + "/store", params={"graph": graph_iri()}, data={"note": "hello"}, files=[("file", ("a.ttl", TURTLE_PART, "text/turtle"))], headers=bearer(gaps), timeout=30)
    assert response.status_code == 400
    assert response.json()["detail"] == "part 'note' is not a file; send each graph as a file part"


# ---------------------------------------------------------------- the Location of a graph the store creates


def test_post_to_the_store_gives_the_new_graphs_iri_as_location_and_serves_it(gaps):
    response = requests.post(gaps.url + "/store", data=TURTLE_PART, headers={**bearer(gaps), "Content-Type": "text/turtle"}, timeout=30)
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith(gaps.url + "/store/")
    # The Location is the graph's IRI: SPARQL finds the triples in the graph of that name ...
    assert ask(gaps, f"ASK {{ GRAPH <{location}> {{ <{EX}a> <{EX}p> ?b . ?b <{EX}q> 1 }} }}") is True
    # ... and a client that follows it reads the graph (rdflib fetches it, negotiating an RDF format).
    assert rdflib.compare.isomorphic(rdflib.Graph().parse(location), rdflib.Graph().parse(data=TURTLE_PART, format="turtle"))


def test_graph_created_by_the_store_is_written_and_deleted_at_its_location(gaps):
    location = requests.post(gaps.url + "/store", data=TURTLE_PART, headers={**bearer(gaps), "Content-Type": "text/turtle"}, timeout=30).headers["Location"]
    replaced = requests.put(location, data=RDFXML_PART, headers={**bearer(gaps), "Content-Type": "application/rdf+xml"}, timeout=30)
    assert replaced.status_code == 204
    assert stored(gaps, location) == {ox.Triple(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "p"), ox.Literal("three"))}
    assert requests.delete(location, headers=bearer(gaps), timeout=30).status_code == 204
    assert requests.get(location, timeout=30).status_code == 404


def test_multipart_post_to_the_store_creates_a_graph_at_its_location(gaps):
    response = multipart(gaps, "POST", [("file", ("data.nt", NTRIPLES_PART, "application/n-triples"))])
    assert response.status_code == 201
    assert len(stored(gaps, response.headers["Location"])) == 2


def _turtle_post(server: Server, host: str | None = None) -> requests.Response:
    headers = {**bearer(server), "Content-Type": "text/turtle", **({"Host": host} if host else {})}
    return requests.post(server.url + "/store", data=TURTLE_PART, headers=headers, timeout=30)


def _read_at(server: Server, path: str, host: str) -> requests.Response:
    return requests.get(server.url + path, headers={"Host": host, "Accept": "application/n-triples"}, timeout=30)


def test_a_graph_the_store_created_is_found_at_its_path_under_any_host_name(gaps):
    created = _turtle_post(gaps)
    assert created.status_code == 201
    location = created.headers["Location"]
    path = urllib.parse.urlsplit(location).path
    port = urllib.parse.urlsplit(gaps.url).port
    posted = triples_of(requests.get(location, headers={"Accept": "application/n-triples"}, timeout=30), ox.RdfFormat.N_TRIPLES)
    for host in (f"localhost:{port}", "attacker.example"):
        response = _read_at(gaps, path, host)
        assert (response.status_code, len(triples_of(response, ox.RdfFormat.N_TRIPLES))) == (200, len(posted))
    # A write through another host name changes the same graph, the one named by the Location.
    replaced = requests.put(gaps.url + path, data=RDFXML_PART, timeout=30,
                            headers={**bearer(gaps), "Content-Type": "application/rdf+xml", "Host": f"localhost:{port}"})
    assert replaced.status_code == 204
    assert stored(gaps, location) == {ox.Triple(ox.NamedNode(EX + "c"), ox.NamedNode(EX + "p"), ox.Literal("three"))}
    assert requests.delete(gaps.url + path, headers={**bearer(gaps), "Host": "attacker.example"}, timeout=30).status_code == 204
    assert ask(gaps, f"ASK {{ GRAPH <{location}> {{ }} }}") is False


PUBLIC = "https://claims.example.org/"


@pytest.fixture(scope="module")
def public(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """A server of this module's own whose ``public_url`` is :data:`PUBLIC`."""
    store = Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("public") / "store"))
    with running_server(store, public_url=PUBLIC, workers=1) as running:
        yield running


@pytest.mark.parametrize("host", [None, "attacker.example"], ids=["own host", "another host"])
def test_with_a_public_url_a_created_graph_is_named_under_it_whatever_the_host(public, host):
    created = _turtle_post(public, host)
    assert created.status_code == 201
    location = created.headers["Location"]
    assert re.fullmatch(re.escape(PUBLIC) + r"store/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", location)
    assert ask(public, f"ASK {{ GRAPH <{location}> {{ <{EX}a> <{EX}p> ?b . ?b <{EX}q> 1 }} }}") is True
    path = urllib.parse.urlsplit(location).path
    for reader in ("claims.example.org", "other.example"):
        response = _read_at(public, path, reader)
        assert (response.status_code, len(triples_of(response, ox.RdfFormat.N_TRIPLES))) == (200, 2)


def test_with_a_public_url_a_named_graph_is_located_under_it(public):
    graph = graph_iri()
    created = requests.put(public.url + "/store", params={"graph": graph}, data=TURTLE_PART, timeout=30,
                           headers={**bearer(public), "Content-Type": "text/turtle", "Host": "attacker.example"})
    location = urllib.parse.urlsplit(created.headers["Location"])
    assert (created.status_code, f"{location.scheme}://{location.netloc}{location.path}", urllib.parse.parse_qs(location.query)) == (
        201, f"{PUBLIC}store", {"graph": [graph]})


@pytest.mark.parametrize("host", [None, "attacker.example"], ids=["own host", "another host"])
def test_with_a_public_url_relative_iris_resolve_under_it_whatever_the_host(public, host):
    """Relative IRIs of updates and queries resolve against the endpoint under ``public_url``, not the Host sent."""
    name = uuid.uuid4().hex
    headers = {**bearer(public), **({"Host": host} if host else {})}
    written = requests.post(public.url + "/update", data={"update": f"INSERT DATA {{ GRAPH <g-{name}> {{ <s> <p> 1 }} }}"},
                            headers=headers, timeout=30)
    assert written.status_code == 204
    assert ask(public, f"ASK {{ GRAPH <{PUBLIC}g-{name}> {{ <{PUBLIC}s> <{PUBLIC}p> 1 }} }}") is True
    answer = requests.get(public.sparql(), params={"query": "SELECT (<s> AS ?s) WHERE {}"},
                          headers={**headers, "Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.json()["results"]["bindings"] == [{"s": {"type": "uri", "value": f"{PUBLIC}s"}}]


def test_with_a_public_url_the_service_description_names_its_endpoints_under_it(public):
    described = requests.get(public.sparql(), headers={"Accept": "application/n-triples", "Host": "attacker.example"}, timeout=30)
    endpoints = {t.object.value for t in ox.parse(described.content, ox.RdfFormat.N_TRIPLES)
                 if t.predicate == ox.NamedNode("http://www.w3.org/ns/sparql-service-description#endpoint")}
    assert (described.status_code, endpoints) == (200, {f"{PUBLIC}sparql", f"{PUBLIC}update"})


def test_a_201_has_no_content_type_and_no_body(gaps):
    created = _turtle_post(gaps)
    assert (created.status_code, created.headers.get("Content-Type"), created.content) == (201, None, b"")


def test_graph_url_with_a_graph_parameter_is_400(gaps):
    response = requests.get(f"{gaps.url}/store/{uuid.uuid4()}", params={"graph": EX + "g"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["parameter"] == "graph"


# ---------------------------------------------------------------- a body past the limit, sent whole

BIG = 64 * 1024 * 1024


#: Paced bodies come in pieces of this size with this pause between: a client on a real network, whose body is
#: still arriving after the server has decided to refuse it (and longer than the server's socket buffers bridge).
PIECE, PAUSE = 16 * 1024 * 1024, 0.2


class PacedBody:
    """A body of ``size`` bytes, ``head`` first, then spaces, handed over a piece at a time with a pause between."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head, self.left, self.size = head, size - len(head), size

    def __len__(self) -> int:
        return self.size

    def read(self, _: int = -1) -> bytes:
        if self.head:
            head, self.head = self.head, b""
            return head
        if self.left <= 0:
            return b""
        time.sleep(PAUSE)
        chunk = b" " * min(PIECE, self.left)
        self.left -= len(chunk)
        return chunk


def too_large(length: int) -> dict:
    return {"type": "about:blank", "title": "Request Entity Too Large", "status": 413, "detail": f"the request body has {length} bytes; the limit is {LIMIT} bytes"}


@pytest.mark.parametrize("paced", [False, True], ids=["at once", "paced"])
def test_a_64_mib_body_sent_whole_gets_the_413_problem_document(gaps, paced):
    body = PacedBody(b"ASK {}", BIG) if paced else b"ASK {}" + b" " * (BIG - 6)
    headers = {"Content-Type": QUERY_TYPE, "Origin": ORIGIN}
    response = requests.post(gaps.sparql(), data=body, headers=headers, timeout=120)
    assert response.status_code == 413
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json() == too_large(BIG)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_a_64_mib_body_sent_whole_by_urllib_gets_the_413_problem_document(gaps):
    """urllib (SPARQLWrapper's transport) sends the whole body before it reads a byte, and fails on a closed socket."""
    request = urllib.request.Request(gaps.sparql(), data=PacedBody(b"ASK {}", BIG), headers={"Content-Type": QUERY_TYPE, "Content-Length": str(BIG)})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=120)
    assert refused.value.code == 413
    assert json.loads(refused.value.read()) == too_large(BIG)


def test_a_64_mib_update_sent_whole_gets_the_413_and_changes_nothing(gaps):
    graph = graph_iri()
    head = f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> 1 }} }}".encode()
    response = requests.post(gaps.url + "/update", data=PacedBody(head, BIG), headers={**bearer(gaps), "Content-Type": "application/sparql-update"}, timeout=120)
    assert response.json() == too_large(BIG)
    assert ask(gaps, f"ASK {{ GRAPH <{graph}> {{ }} }}") is False


def test_a_chunked_body_past_the_limit_sent_whole_gets_the_413(gaps):
    def chunks():
        yield b"ASK {}"
        for _ in range(BIG // PIECE):
            time.sleep(PAUSE)
            yield b" " * PIECE

    response = requests.post(gaps.sparql(), data=chunks(), headers={"Content-Type": QUERY_TYPE}, timeout=120)
    assert response.status_code == 413
    assert response.json()["status"] == 413


# ---------------------------------------------------------------- long GET queries

def query_target(length: int) -> str:
    """A GET of an ASK query whose request target (path and query string) is ``length`` bytes, padded by a comment."""
    target = "/sparql?query=" + urllib.parse.quote("ASK {} #", safe="")
    return target + "x" * (length - len(target))


@pytest.mark.parametrize("length", [4095, 6000, protocol.MAX_URL_BYTES])
def test_long_get_query_within_the_bound_is_answered(gaps, length):
    target = query_target(length)
    assert len(target) == length
    response = requests.get(gaps.url + target, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200
    assert response.json()["boolean"] is True


@pytest.mark.parametrize("length", [protocol.MAX_URL_BYTES + 1, 8150])
def test_get_past_the_bound_is_a_414_problem_document_with_cors(gaps, length):
    response = requests.get(gaps.url + query_target(length), headers={"Origin": ORIGIN}, timeout=30)
    assert response.status_code == 414
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "about:blank",
        "title": "Request URI Too Long",
        "status": 414,
        "detail": f"the URL has {length} bytes; at most {protocol.MAX_URL_BYTES} are answered: send a long query or update by POST",
    }
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


# ---------------------------------------------------------------- CORS

def preflight(server: Server, path: str, headers: str) -> requests.Response:
    request = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": headers}
    return requests.options(server.url + path, headers=request, timeout=30)


def allowed_headers(response: requests.Response) -> set[str]:
    return {word.strip().lower() for word in response.headers.get("Access-Control-Allow-Headers", "").split(",") if word.strip()}


@pytest.mark.parametrize("path", ["/sparql", "/update", "/store"])
def test_preflight_allows_the_headers_browser_clients_send(gaps, path):
    response = preflight(gaps, path, "x-requested-with, content-type, authorization, cache-control")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert allowed_headers(response) == {"x-requested-with", "content-type", "authorization", "cache-control"}


def test_preflight_leaves_out_a_header_not_configured(gaps):
    assert allowed_headers(preflight(gaps, "/sparql", "x-requested-with, x-secret")) == {"x-requested-with"}


def test_allowed_headers_are_read_from_the_environment():
    assert Config.load(environ={"CLAIMGRAPH_CORS_HEADERS": "X-Custom, Accept"}).cors_headers == ("X-Custom", "Accept")


@pytest.mark.parametrize(("setting", "allowed"), [(("X-Custom",), {"x-custom"}), (("*",), {"x-custom", "x-requested-with"})])
def test_preflight_allows_the_configured_headers(tmp_path, setting, allowed):
    app = create_app({"store": tmp_path / "store", "workers": 1, "cors_origins": (ORIGIN,), "cors_headers": setting})
    try:
        request = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-custom, x-requested-with"}
        response = app.test_client().options("/sparql", headers=request)
    finally:
        services.of(app).store.close()
    assert response.status_code == 200
    assert {word.strip().lower() for word in response.headers["Access-Control-Allow-Headers"].split(",")} == allowed


#: Requests each answered with an error status.
ERRORS = {
    400: ("GET", "/sparql", {"params": {"query": "SELECT * WHERE {"}}),
    404: ("GET", "/store", {"params": {"graph": EX + "missing"}}),
    406: ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}),
    413: ("POST", "/sparql", {"data": b"ASK {}" + b" " * LIMIT, "headers": {"Content-Type": QUERY_TYPE}}),
    414: ("GET", query_target(protocol.MAX_URL_BYTES + 100), {}),
    415: ("POST", "/sparql", {"data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}),
    # A query that outlives the server's time limit (3 s): a product of the whole store with itself, twice.
    503: ("GET", "/sparql", {"params": {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}}),
}


@pytest.mark.parametrize(("method", "path", "options", "status"), [(*probe, status) for status, probe in ERRORS.items()], ids=[str(s) for s in ERRORS])
def test_error_answers_carry_the_cors_headers(gaps, method, path, options, status):
    options = {**options, "headers": {**options.get("headers", {}), "Origin": ORIGIN}}
    response = requests.request(method, gaps.url + path, timeout=60, **options)
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "origin" in {word.strip().lower() for word in response.headers["Vary"].split(",")}


# ---------------------------------------------------------------- graphs asked for as JSON or plain text

@pytest.mark.parametrize("query", [POLICIES, DESCRIBE], ids=["CONSTRUCT", "DESCRIBE"])
@pytest.mark.parametrize(("accept", "fmt"), [("application/json", ox.RdfFormat.JSON_LD), ("text/plain", ox.RdfFormat.N_TRIPLES)])
def test_graph_answers_in_json_are_json_ld_and_in_plain_text_n_triples(gaps, query, accept, fmt):
    response = requests.get(gaps.sparql(), params={"query": query}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    reference = requests.get(gaps.sparql(), params={"query": query}, headers={"Accept": "application/n-triples"}, timeout=30)
    assert triples_of(response, fmt) == triples_of(reference, ox.RdfFormat.N_TRIPLES)


def test_select_in_json_is_still_sparql_results(gaps):
    response = requests.get(gaps.sparql(), params={"query": "SELECT ?x WHERE { VALUES ?x { 1 } }"}, headers={"Accept": "application/json"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "1"}}]}}


@pytest.mark.parametrize("media", ["text/plain", "application/json"])
def test_graph_bodies_are_still_refused_in_the_loose_media_types(gaps, media):
    response = requests.put(gaps.url + "/store", params={"graph": graph_iri()}, data=NTRIPLES_PART, headers={**bearer(gaps), "Content-Type": media}, timeout=30)
    assert response.status_code == 415


# ---------------------------------------------------------------- updates the store cannot apply; 204s


def update(server: Server, text: str) -> requests.Response:
    return requests.post(server.url + "/update", data={"update": text}, headers=bearer(server), timeout=30)


def test_update_the_store_cannot_apply_is_400_with_its_message_and_changes_nothing(gaps):
    existing, fresh = graph_iri(), graph_iri()
    assert update(gaps, f"CREATE GRAPH <{existing}>").status_code == 204
    response = update(gaps, f"CREATE GRAPH <{fresh}> ; CREATE GRAPH <{existing}>")
    assert response.status_code == 400
    assert response.json() == {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": f"the store refused the request: The graph <{existing}> already exists"}
    assert ask(gaps, f"ASK {{ GRAPH <{fresh}> {{ }} }}") is False


def test_no_204_has_a_content_type(gaps):
    graph = graph_iri()
    store, turtle = gaps.url + "/store", {**bearer(gaps), "Content-Type": "text/turtle"}
    answers = [
        update(gaps, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> 1 }} }}"),
        requests.post(gaps.url + "/update", data=f"CLEAR GRAPH <{graph}>".encode(), headers={**bearer(gaps), "Content-Type": "application/sparql-update"}, timeout=30),
        requests.put(store, params={"graph": graph}, data=TURTLE_PART, headers=turtle, timeout=30),
        requests.post(store, params={"graph": graph}, data=TURTLE_PART, headers=turtle, timeout=30),
        requests.delete(store, params={"graph": graph}, headers=bearer(gaps), timeout=30),
    ]
    assert [(answer.status_code, answer.headers.get("Content-Type"), answer.content) for answer in answers] == [(204, None, b"")] * len(answers)


# ---------------------------------------------------------------- client faults are RequestError


@pytest.mark.parametrize("url", ["/sparql?query=%FF", "/store?graph=%C3"])
def test_a_url_not_in_utf8_is_a_request_error(url):
    with flask.Flask(__name__).test_request_context(url):
        with pytest.raises(RequestError, match=r"the query string is not valid UTF-8 \(byte \d+\)"):
            protocol.url_parameters()


def test_a_json_ld_body_naming_graphs_is_400(gaps):
    body = json.dumps({"@id": EX + "g", "@graph": [{"@id": EX + "s", EX + "p": "x"}]})
    response = requests.put(gaps.url + "/store", params={"graph": graph_iri()}, data=body, headers={**bearer(gaps), "Content-Type": "application/ld+json"}, timeout=30)
    assert response.status_code == 400
    assert response.json()["detail"] == f"the body puts triples in the named graph <{EX}g>; send one graph's triples only"
