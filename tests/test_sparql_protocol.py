"""The SPARQL 1.1 Protocol at /sparql and /update, over real HTTP: queries, conneg, errors, updates, limits, CORS, clients."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

from conftest import QUERIES, running_server

CG = "https://w3id.org/claimgraph/ontology#"
ENTITIES = "https://w3id.org/claimgraph/graph/entities"
SOURCE = "https://w3id.org/claimgraph/graph/dw-2017-mechelen"
MECHELEN = "https://w3id.org/claimgraph/id/place/mechelen"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")

CLAIMS = f"PREFIX cg: <{CG}> SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a cg:Claim }}"
CLAIMS_ASK = f"PREFIX cg: <{CG}> ASK {{ ?c a cg:Claim }}"
POLICIES = f"PREFIX cg: <{CG}> CONSTRUCT {{ ?p a cg:Policy }} WHERE {{ ?p a cg:Policy }}"
ALL_ROWS = "SELECT * WHERE { ?s ?p ?o }"
ALL_TRIPLES = "CONSTRUCT WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
BAD_QUERY = "SELECT * WHERE { ?s ?p }"
NOOP = "CLEAR SILENT GRAPH <http://example.org/protocol-test/never>"  # an update that changes nothing

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM = "application/x-www-form-urlencoded"
PROBLEM = "application/problem+json"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NO_ACCEPT = {"Accept": None}  # requests drops a header whose value is None


# ---------------------------------------------------------------- helpers


def ask_query(server, query: str, **kwargs) -> requests.Response:
    """GET /sparql with ``query`` and any further parameters or headers."""
    params = {"query": query, **kwargs.pop("params", {})}
    return requests.get(server.sparql(), params=params, timeout=30, **kwargs)


#: The three ways the protocol allows to send a query; each takes the server, the query and extra parameters.
SENDS = {
    "GET": lambda server, query, params: requests.get(server.sparql(), params={"query": query, **params}, timeout=30),
    "POST form": lambda server, query, params: requests.post(server.sparql(), data={"query": query, **params}, timeout=30),
    "POST direct": lambda server, query, params: requests.post(
        server.sparql(), params=params, data=query.encode(), headers={"Content-Type": QUERY_TYPE}, timeout=30
    ),
}

#: The two ways to send an update; each takes the server, the update, extra parameters and headers.
UPDATES = {
    "form": lambda server, update, params, headers: requests.post(
        server.url + "/update", data={"update": update, **params}, headers=headers, timeout=30
    ),
    "direct": lambda server, update, params, headers: requests.post(
        server.url + "/update", params=params, data=update.encode(), headers={"Content-Type": UPDATE_TYPE, **headers}, timeout=30
    ),
}


def bearer(server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token}"}


def write(server, update: str, **params: str) -> requests.Response:
    """POST ``update`` to /update as a form, with the update token."""
    return UPDATES["form"](server, update, params, bearer(server))


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def solutions(response: requests.Response) -> list[dict[str, str]]:
    """The rows of a SELECT answer in any results format, as variable → lexical value."""
    if media_type(response) == "text/csv":
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    found = ox.parse_query_results(response.content, ox.QueryResultsFormat.from_media_type(media_type(response)))
    names = [variable.value for variable in found.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in found]


def boolean(response: requests.Response) -> bool:
    """The answer of an ASK in any results format."""
    if media_type(response) == "text/csv":
        return response.content.decode().strip() == "true"
    return bool(ox.parse_query_results(response.content, ox.QueryResultsFormat.from_media_type(media_type(response))))


def triples(response: requests.Response) -> set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]]:
    """The triples of a graph answer in any RDF format (quads of the default graph become triples)."""
    found = ox.parse(response.content, ox.RdfFormat.from_media_type(media_type(response)))
    return {(quad.subject, quad.predicate, quad.object) for quad in found}


def typed(found: set, cls: str) -> set:
    return {s for s, p, o in found if p == ox.NamedNode(str(RDF.type)) and o == ox.NamedNode(cls)}


def problem(response: requests.Response) -> dict:
    assert media_type(response) == PROBLEM
    return json.loads(response.content)


def header_words(response: requests.Response, name: str) -> set[str]:
    return {word.strip().lower() for word in response.headers.get(name, "").split(",") if word.strip()}


def graph_exists(server, graph: str) -> bool:
    return boolean(ask_query(server, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))


def graph_triples(server, graph: str) -> set[tuple[str, str, str]]:
    rows = solutions(ask_query(server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
    return {(row["s"], row["p"], row["o"]) for row in rows}


@pytest.fixture
def graphs(server):
    """A maker of fresh graph IRIs under http://example.org/; every graph made is dropped after the test."""
    made: list[str] = []

    def make() -> str:
        made.append(f"http://example.org/protocol-test/{uuid.uuid4().hex}")
        return made[-1]

    yield make
    if made:
        write(server, " ; ".join(f"DROP SILENT GRAPH <{graph}>" for graph in made))


def fill(server, graph: str, *objects: str) -> None:
    """Put one triple per object into ``graph``."""
    data = " ".join(f'<http://example.org/s> <http://example.org/p> "{obj}" .' for obj in objects)
    assert write(server, f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}").status_code == 204


# ---------------------------------------------------------------- queries and the dataset


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_query_is_answered_by_every_transport(server, send):
    response = send(server, CLAIMS, {})
    assert response.status_code == 200
    assert solutions(response) == [{"n": "85"}]


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_default_graph_uri_sets_the_default_graph(server, send):
    response = send(server, CLAIMS, {"default-graph-uri": ENTITIES})
    assert solutions(response) == [{"n": "0"}]


@pytest.mark.parametrize(("graph", "claims"), [(ENTITIES, "0"), (SOURCE, "85")])
def test_the_querys_own_from_sets_the_default_graph(server, graph, claims):
    claims_from = CLAIMS.replace("WHERE", f"FROM <{graph}> WHERE", 1)
    assert solutions(requests.get(server.sparql(), params={"query": claims_from}, timeout=30)) == [{"n": claims}]


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_default_graph_uri_of_the_source_graph_finds_its_claims(server, send):
    assert solutions(send(server, CLAIMS, {"default-graph-uri": SOURCE})) == [{"n": "85"}]


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_named_graph_uri_restricts_graph_patterns(server, send):
    assert solutions(send(server, GRAPHS, {"named-graph-uri": ENTITIES})) == [{"g": ENTITIES}]


def test_named_graph_uri_alone_leaves_the_default_graph_empty(server):
    response = ask_query(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", params={"named-graph-uri": ENTITIES})
    assert solutions(response) == [{"n": "0"}]


def test_without_a_dataset_the_default_graph_is_the_union_of_named_graphs(server):
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert solutions(ask_query(server, union)) == solutions(ask_query(server, named))


# ---------------------------------------------------------------- content negotiation

#: Accept header → the results media type chosen for SELECT and ASK.
RESULT_ACCEPTS = [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/json"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    ("text/*, text/csv;q=0.1", "text/tab-separated-values"),
    ("application/*, application/sparql-results+json;q=0.2", "application/sparql-results+xml"),
    ("image/png, text/csv;q=0.3", "text/csv"),
    ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
    ("text/csv; charset=utf-8", "text/csv"),
    ("application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
]

#: Accept header → the RDF media type chosen for CONSTRUCT and DESCRIBE.
GRAPH_ACCEPTS = [
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("*/*", "text/turtle"),
    ("text/*", "text/turtle"),
    ("application/n-triples;q=0.5, application/trig", "application/trig"),
    ("application/*, application/ld+json;q=0.1", "application/n-triples"),
    ("application/sparql-results+json, application/rdf+xml;q=0.2", "application/rdf+xml"),
    ("text/turtle;q=0, */*", "application/n-triples"),
    ("text/turtle; charset=utf-8", "text/turtle"),
]


@pytest.mark.parametrize(("accept", "expected"), RESULT_ACCEPTS)
def test_select_is_negotiated(server, accept, expected):
    response = ask_query(server, CLAIMS, headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert solutions(response) == [{"n": "85"}]


@pytest.mark.parametrize(("accept", "expected"), RESULT_ACCEPTS)
def test_ask_is_negotiated(server, accept, expected):
    response = ask_query(server, CLAIMS_ASK, headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert boolean(response) is True


@pytest.mark.parametrize(("accept", "expected"), GRAPH_ACCEPTS)
def test_construct_is_negotiated(server, accept, expected):
    response = ask_query(server, POLICIES, headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert len(typed(triples(response), CG + "Policy")) == 13


@pytest.mark.parametrize(("accept", "expected"), GRAPH_ACCEPTS)
def test_describe_is_negotiated(server, accept, expected):
    response = ask_query(server, f"DESCRIBE <{MECHELEN}>", headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert typed(triples(response), "http://schema.org/City") == {ox.NamedNode(MECHELEN)}


#: ``format=`` value, query, media type answered; Accept asks for something else each time.
FORMAT_OVERRIDES = [
    ("json", CLAIMS, "application/sparql-results+json"),
    ("xml", CLAIMS, "application/sparql-results+xml"),
    ("csv", CLAIMS, "text/csv"),
    ("tsv", CLAIMS, "text/tab-separated-values"),
    ("turtle", POLICIES, "text/turtle"),
    ("ntriples", POLICIES, "application/n-triples"),
    ("jsonld", POLICIES, "application/ld+json"),
    ("rdfxml", POLICIES, "application/rdf+xml"),
    ("nquads", POLICIES, "application/n-quads"),
    ("trig", POLICIES, "application/trig"),
    ("json", POLICIES, "application/ld+json"),
    ("xml", POLICIES, "application/rdf+xml"),
]


@pytest.mark.parametrize(("name", "query", "expected"), FORMAT_OVERRIDES)
def test_format_parameter_overrides_accept(server, name, query, expected):
    response = ask_query(server, query, params={"format": name}, headers={"Accept": "image/png"})
    assert (response.status_code, media_type(response)) == (200, expected)


@pytest.mark.parametrize(("name", "query", "expected"), FORMAT_OVERRIDES)
def test_format_parameter_answer_parses(server, name, query, expected):
    response = ask_query(server, query, params={"format": name})
    if query == CLAIMS:
        assert solutions(response) == [{"n": "85"}]
    else:
        assert len(typed(triples(response), CG + "Policy")) == 13


@pytest.mark.parametrize(
    ("query", "expected"),
    [(CLAIMS, "application/sparql-results+json"), (CLAIMS_ASK, "application/sparql-results+json"), (POLICIES, "text/turtle")],
)
def test_without_accept_the_default_format_is_chosen(server, query, expected):
    response = ask_query(server, query, headers=NO_ACCEPT)
    assert (response.status_code, media_type(response)) == (200, expected)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (CLAIMS, "image/png"),
        (CLAIMS_ASK, "image/png"),
        (POLICIES, "image/png"),
        (POLICIES, "application/sparql-results+json"),
        (CLAIMS, "text/turtle"),
    ],
)
def test_nothing_acceptable_is_406(server, query, accept):
    response = ask_query(server, query, headers={"Accept": accept})
    assert response.status_code == 406
    assert problem(response)["status"] == 406


@pytest.mark.parametrize(("query", "name"), [(CLAIMS, "turtle"), (CLAIMS_ASK, "jsonld"), (POLICIES, "csv"), (POLICIES, "tsv"), (CLAIMS, "bogus")])
def test_format_unfit_for_the_query_is_400_naming_format(server, query, name):
    response = ask_query(server, query, params={"format": name})
    assert response.status_code == 400
    assert problem(response)["parameter"] == "format"


# ---------------------------------------------------------------- every response

#: Requests of every kind, each with the status it gets; ``token`` adds the update token.
PROBES = {
    "select": ("GET", "/sparql", {"params": {"query": CLAIMS}}, 200),
    "construct": ("GET", "/sparql", {"params": {"query": POLICIES}}, 200),
    "service description": ("GET", "/sparql", {}, 200),
    "query page": ("GET", "/sparql", {"headers": {"Accept": BROWSER}}, 200),
    "update": ("POST", "/update", {"data": {"update": NOOP}, "token": True}, 204),
    "preflight": ("OPTIONS", "/sparql", {"headers": {"Origin": "https://checker.example", "Access-Control-Request-Method": "POST"}}, 200),
    "syntax error": ("GET", "/sparql", {"params": {"query": BAD_QUERY}}, 400),
    "two queries": ("GET", "/sparql", {"params": [("query", CLAIMS), ("query", CLAIMS)]}, 400),
    "query in URL and body": ("POST", "/sparql", {"params": {"query": CLAIMS}, "data": CLAIMS, "headers": {"Content-Type": QUERY_TYPE}}, 400),
    "bad graph IRI": ("GET", "/sparql", {"params": {"query": CLAIMS, "default-graph-uri": "no iri"}}, 400),
    "unknown format": ("GET", "/sparql", {"params": {"query": CLAIMS, "format": "bogus"}}, 400),
    "query string not UTF-8": ("GET", "/sparql?query=%FF", {}, 400),
    "update syntax error": ("POST", "/update", {"data": {"update": "INSERT DATA {"}, "token": True}, 400),
    "no token": ("POST", "/update", {"data": {"update": NOOP}}, 401),
    "wrong token": ("POST", "/update", {"data": {"update": NOOP}, "headers": {"Authorization": "Bearer wrong"}}, 403),
    "remote SERVICE": ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}}, 403),
    "GET update": ("GET", "/update", {}, 405),
    "not acceptable": ("GET", "/sparql", {"params": {"query": CLAIMS}, "headers": {"Accept": "image/png"}}, 406),
    "too large": ("POST", "/sparql", {"data": {"query": CLAIMS + " " * 200_001}}, 413),
    "no content type": ("POST", "/sparql", {"data": CLAIMS.encode()}, 415),
}
ERRORS = {name: probe for name, probe in PROBES.items() if probe[3] >= 400}


def probe(server, method: str, path: str, options: dict) -> requests.Response:
    options = dict(options)
    if options.pop("token", False):
        options["headers"] = {**options.get("headers", {}), **bearer(server)}
    return requests.request(method, server.url + path, timeout=30, **options)


@pytest.mark.parametrize(("method", "path", "options", "status"), PROBES.values(), ids=PROBES.keys())
def test_every_response_varies_on_accept(server, method, path, options, status):
    response = probe(server, method, path, options)
    assert response.status_code == status
    assert "accept" in header_words(response, "Vary")


@pytest.mark.parametrize(("method", "path", "options", "status"), PROBES.values(), ids=PROBES.keys())
def test_no_response_shows_a_stack_trace(server, method, path, options, status):
    body = probe(server, method, path, options).text
    assert "Traceback" not in body
    assert 'File "' not in body


@pytest.mark.parametrize(("method", "path", "options", "status"), ERRORS.values(), ids=ERRORS.keys())
def test_errors_are_problem_documents(server, method, path, options, status):
    found = problem(probe(server, method, path, options))
    assert {"type", "title", "status", "detail"} <= found.keys()
    assert found["status"] == status


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_syntax_error_is_400_with_the_parsers_message(server, send):
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(BAD_QUERY)
    response = send(server, BAD_QUERY, {})
    assert response.status_code == 400
    detail = problem(response)["detail"]
    assert parser.value.msg in detail
    assert re.search(r"error at 1:\d+", detail)


#: Requests at fault in one parameter → that parameter's name.
PARAMETER_ERRORS = {
    "two queries": ("GET", "/sparql", {"params": [("query", CLAIMS), ("query", CLAIMS)]}, "query"),
    "two queries in a form": ("POST", "/sparql", {"data": [("query", CLAIMS), ("query", CLAIMS)]}, "query"),
    "query in URL and form": ("POST", "/sparql", {"params": {"query": CLAIMS}, "data": {"query": CLAIMS}}, "query"),
    "query in URL and body": ("POST", "/sparql", {"params": {"query": CLAIMS}, "data": CLAIMS, "headers": {"Content-Type": QUERY_TYPE}}, "query"),
    "POST without query": ("POST", "/sparql", {"data": {"format": "json"}}, "query"),
    "update sent to /sparql": ("GET", "/sparql", {"params": {"update": "CLEAR DEFAULT"}}, "update"),
    "two unknown formats": ("GET", "/sparql", {"params": [("query", CLAIMS), ("format", "pdf"), ("format", "image/png")]}, "format"),
    "bad default graph": ("GET", "/sparql", {"params": {"query": CLAIMS, "default-graph-uri": "no iri"}}, "default-graph-uri"),
    "bad named graph": ("GET", "/sparql", {"params": {"query": CLAIMS, "named-graph-uri": "no iri"}}, "named-graph-uri"),
    "two updates": ("POST", "/update", {"data": [("update", NOOP)] * 2, "token": True}, "update"),
    "update without update": ("POST", "/update", {"data": {"using-graph-uri": "http://example.org/a"}, "token": True}, "update"),
    "update in URL and body": (
        "POST", "/update", {"params": {"update": NOOP}, "data": NOOP, "headers": {"Content-Type": UPDATE_TYPE}, "token": True}, "update"
    ),
    "query sent to /update": ("POST", "/update", {"data": {"query": CLAIMS}, "token": True}, "query"),
    "bad using graph": ("POST", "/update", {"data": {"update": NOOP, "using-graph-uri": "no iri"}, "token": True}, "using-graph-uri"),
}


@pytest.mark.parametrize(("method", "path", "options", "name"), PARAMETER_ERRORS.values(), ids=PARAMETER_ERRORS.keys())
def test_parameter_at_fault_is_named(server, method, path, options, name):
    response = probe(server, method, path, options)
    assert response.status_code == 400
    assert problem(response)["parameter"] == name


def test_get_update_is_405_allowing_post(server):
    response = requests.get(server.url + "/update", timeout=30)
    assert response.status_code == 405
    assert "post" in header_words(response, "Allow")


@pytest.mark.parametrize("path", ["/sparql", "/update"])
def test_update_sent_by_get_never_runs(server, graphs, path):
    graph = graphs()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "via GET" }} }}'
    response = requests.get(server.url + path, params={"update": update}, headers=bearer(server), timeout=30)
    assert response.status_code >= 400
    assert not graph_exists(server, graph)


#: POSTs whose Content-Type the endpoint does not take (``token`` adds the update token).
WRONG_CONTENT_TYPES = {
    "query, none": ("/sparql", None, CLAIMS),
    "query, text/plain": ("/sparql", "text/plain", CLAIMS),
    "query, JSON": ("/sparql", "application/json", json.dumps({"query": CLAIMS})),
    "query, multipart": ("/sparql", "multipart/form-data; boundary=x", "--x--"),
    "query, sparql-update": ("/sparql", UPDATE_TYPE, CLAIMS),
    "query, Latin-1": ("/sparql", QUERY_TYPE + "; charset=iso-8859-1", CLAIMS),
    "update, none": ("/update", None, NOOP),
    "update, text/plain": ("/update", "text/plain", NOOP),
    "update, sparql-query": ("/update", QUERY_TYPE, NOOP),
}


@pytest.mark.parametrize(("path", "content_type", "body"), WRONG_CONTENT_TYPES.values(), ids=WRONG_CONTENT_TYPES.keys())
def test_post_with_wrong_or_missing_content_type_is_415(server, path, content_type, body):
    headers = {**bearer(server), **({"Content-Type": content_type} if content_type else {})}
    response = requests.post(server.url + path, data=body.encode(), headers=headers, timeout=30)
    assert response.status_code == 415
    assert problem(response)["status"] == 415


#: Requests carrying bytes that are not UTF-8.
NOT_UTF8 = {
    "form body": ("/sparql", "", b"query=%FF", FORM),
    "direct body": ("/sparql", "", b"ASK { } # \xff", QUERY_TYPE),
    "query string": ("/sparql", "?query=%FF", None, None),
    "query string, other parameter": ("/sparql", "?query=ASK%7B%7D&default-graph-uri=http://example.org/%FF", None, None),
    "update form body": ("/update", "", b"update=%FF", FORM),
    "update direct body": ("/update", "", b"CLEAR SILENT GRAPH <http://example.org/\xff>", UPDATE_TYPE),
}


@pytest.mark.parametrize(("path", "query", "body", "content_type"), NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_bytes_that_are_not_utf8_are_400(server, path, query, body, content_type):
    headers = {**bearer(server), **({"Content-Type": content_type} if content_type else {})}
    method = "POST" if body is not None else "GET"
    response = requests.request(method, server.url + path + query, data=body, headers=headers, timeout=30)
    assert response.status_code == 400
    assert problem(response)["status"] == 400


class _Links(HTMLParser):
    """The hrefs and the text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs.update(value for name, value in attrs if name == "href" and value)

    def handle_data(self, data):
        self.text.append(data)


def page(response: requests.Response) -> _Links:
    assert media_type(response) == "text/html"
    parsed = _Links()
    parsed.feed(response.text)
    return parsed


@pytest.mark.parametrize("name", ["two queries", "query in URL and body", "GET update", "no content type", "too large", "no token"])
def test_browser_gets_an_html_error_page(server, name):
    method, path, options, status = PROBES[name]
    headers = {**options.get("headers", {}), "Accept": BROWSER}
    response = probe(server, method, path, {**options, "headers": headers})
    assert response.status_code == status
    assert str(status) in " ".join(page(response).text)


@pytest.mark.parametrize("accept", ["application/json", "application/problem+json", "*/*", None])
def test_api_client_gets_a_problem_document(server, accept):
    response = ask_query(server, BAD_QUERY, headers={"Accept": accept})
    assert response.status_code == 400
    assert problem(response)["status"] == 400


# ---------------------------------------------------------------- service description and query page

#: Accept → media type of the service description.
DESCRIPTION_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml"]


def description(server, accept: str) -> rdflib.Graph:
    response = requests.get(server.sparql(), headers={"Accept": accept}, timeout=30)
    assert (response.status_code, media_type(response)) == (200, accept)
    return rdflib.Graph().parse(data=response.content, format=accept)


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_names_the_endpoint(server, accept):
    graph = description(server, accept)
    endpoint = rdflib.URIRef(server.sparql())
    assert set(graph.subjects(RDF.type, SD.Service)) == {endpoint}
    assert endpoint in set(graph.objects(endpoint, SD.endpoint))


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_states_sparql_11_query_and_update(server, accept):
    languages = set(description(server, accept).objects(rdflib.URIRef(server.sparql()), SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query, SD.SPARQL11Update}


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_lists_result_formats(server, accept):
    listed = set(description(server, accept).objects(rdflib.URIRef(server.sparql()), SD.resultFormat))
    names = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
             "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"]
    assert {FORMATS[name] for name in names} <= listed


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_counts_the_named_graphs(server, accept):
    graph = description(server, accept)
    described = {
        str(graph.value(named, SD.name)): int(graph.value(graph.value(named, SD.graph), VOID.triples))
        for dataset in graph.objects(rdflib.URIRef(server.sparql()), SD.defaultDataset)
        for named in graph.objects(dataset, SD.namedGraph)
    }
    counted = solutions(ask_query(server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"))
    assert described == {row["g"]: int(row["n"]) for row in counted}


@pytest.mark.parametrize(("name", "expected"), [("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml")])
def test_service_description_follows_format_parameter(server, name, expected):
    response = requests.get(server.sparql(), params={"format": name}, headers={"Accept": BROWSER}, timeout=30)
    assert (response.status_code, media_type(response)) == (200, expected)


def test_service_description_without_accept_is_turtle(server):
    response = requests.get(server.sparql(), headers=NO_ACCEPT, timeout=30)
    assert (response.status_code, media_type(response)) == (200, "text/turtle")


def test_browser_gets_the_query_page_listing_canned_queries(server):
    response = requests.get(server.sparql(), headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200
    assert {f"/queries/{path.stem}" for path in QUERIES.glob("*.rq")} <= page(response).hrefs


# ---------------------------------------------------------------- updates


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
def test_update_is_applied_and_answered_204(server, graphs, send):
    graph = graphs()
    response = send(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }}', {}, bearer(server))
    assert (response.status_code, response.content) == (204, b"")
    assert graph_triples(server, graph) == {("http://example.org/s", "http://example.org/p", "x")}


USING_PARAMETERS = {
    "using-graph-uri sets the default graph": ("using-graph-uri", "{ ?s ?p ?o }"),
    "using-named-graph-uri restricts GRAPH": ("using-named-graph-uri", "{ GRAPH ?g { ?s ?p ?o } }"),
}


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
@pytest.mark.parametrize(("parameter", "where"), USING_PARAMETERS.values(), ids=USING_PARAMETERS.keys())
def test_using_parameters_set_the_where_dataset(server, graphs, send, parameter, where):
    source, other, copy = graphs(), graphs(), graphs()
    fill(server, source, "a", "b")
    fill(server, other, "c")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE " + where
    assert send(server, update, {parameter: source}, bearer(server)).status_code == 204
    assert graph_triples(server, copy) == graph_triples(server, source)


def test_using_graph_uri_applies_to_every_operation(server, graphs):
    source, first, second = graphs(), graphs(), graphs()
    fill(server, source, "a", "b")
    update = " ; ".join(f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}" for copy in (first, second))
    assert write(server, update, **{"using-graph-uri": source}).status_code == 204
    assert graph_triples(server, first) == graph_triples(server, second) == graph_triples(server, source)


def test_using_named_graph_uri_alone_leaves_the_where_default_graph_empty(server, graphs):
    source, copy = graphs(), graphs()
    fill(server, source, "a")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert write(server, update, **{"using-named-graph-uri": source}).status_code == 204
    assert not graph_exists(server, copy)


@pytest.mark.parametrize(
    ("clause", "parameter"),
    [("USING <{source}>", "using-graph-uri"), ("USING NAMED <{source}>", "using-named-graph-uri"), ("USING <{source}>", "using-named-graph-uri")],
)
def test_using_parameter_and_using_clause_together_are_400(server, graphs, clause, parameter):
    source, copy = graphs(), graphs()
    fill(server, source, "a")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} {clause.format(source=source)} WHERE {{ ?s ?p ?o }}"
    assert write(server, update, **{parameter: source}).status_code == 400


def test_using_parameter_and_with_clause_together_are_400(server, graphs):
    source, copy = graphs(), graphs()
    fill(server, source, "a")
    update = f"WITH <{source}> INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert write(server, update, **{"using-graph-uri": source}).status_code == 400


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
def test_update_syntax_error_is_400_with_the_parsers_message(server, graphs, send):
    graph = graphs()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }} ; INSERT DATA {{'
    with pytest.raises(SyntaxError) as parser:
        ox.Store().update(update)
    response = send(server, update, {}, bearer(server))
    assert response.status_code == 400
    assert parser.value.msg in problem(response)["detail"]


def test_update_with_syntax_error_changes_nothing(server, graphs):
    graph = graphs()
    write(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }} ; INSERT DATA {{')
    assert not graph_exists(server, graph)


def test_update_failing_in_a_later_operation_changes_nothing(server, graphs):
    existing, fresh = graphs(), graphs()
    fill(server, existing, "there")
    update = f'INSERT DATA {{ GRAPH <{fresh}> {{ <http://example.org/s> <http://example.org/p> "x" }} }} ; CREATE GRAPH <{existing}>'
    assert write(server, update).status_code >= 400
    assert not graph_exists(server, fresh)


# ---------------------------------------------------------------- who may write


@pytest.fixture(scope="module")
def read_only_server(loaded_store, tmp_path_factory):
    """A server with no update token configured: writes are off."""
    store = Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("read-only") / "store"))
    with running_server(store, update_token="") as running:
        yield running


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer anything"}], ids=["no token", "a token"])
def test_without_a_configured_token_writes_are_403(read_only_server, send, headers):
    update = 'INSERT DATA { GRAPH <http://example.org/protocol-test/off> { <http://example.org/s> <http://example.org/p> "x" } }'
    assert send(read_only_server, update, {}, headers).status_code == 403
    assert not graph_exists(read_only_server, "http://example.org/protocol-test/off")


def test_without_a_configured_token_the_description_offers_no_update(read_only_server):
    languages = set(description(read_only_server, "text/turtle").objects(rdflib.URIRef(read_only_server.sparql()), SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query}


#: Authorization header (``{token}`` is the update token) → status.
AUTHORIZATIONS = {
    "none": (None, 401),
    "empty bearer": ("Bearer ", 401),
    "basic": ("Basic dXNlcjpwYXNz", 401),
    "basic with the token as password": ("basic:{token}", 401),
    "wrong bearer": ("Bearer wrong-token", 403),
    "token with a suffix": ("Bearer {token}x", 403),
    "right bearer": ("Bearer {token}", 204),
}


def authorization(server, value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if value.startswith("basic:"):
        return {"Authorization": "Basic " + base64.b64encode(f"user:{server.token}".encode()).decode()}
    return {"Authorization": value.format(token=server.token)}


@pytest.mark.parametrize(("value", "status"), AUTHORIZATIONS.values(), ids=AUTHORIZATIONS.keys())
def test_update_authorization(server, graphs, value, status):
    graph = graphs()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }}'
    response = UPDATES["form"](server, update, {}, authorization(server, value))
    assert response.status_code == status
    assert graph_exists(server, graph) == (status == 204)


@pytest.mark.parametrize("name", [name for name, (_, status) in AUTHORIZATIONS.items() if status == 401])
def test_unauthorized_update_challenges_for_a_bearer_token(server, name):
    value, _ = AUTHORIZATIONS[name]
    response = UPDATES["form"](server, NOOP, {}, authorization(server, value))
    assert response.headers.get("WWW-Authenticate", "").lower().startswith("bearer")


# ---------------------------------------------------------------- row cap and streaming


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_select_is_cut_at_the_row_cap_and_says_so(server, accept):
    response = ask_query(server, ALL_ROWS, headers={"Accept": accept})
    assert len(solutions(response)) == 50
    assert response.headers.get("X-SPARQL-MaxRows") == "50"


@pytest.mark.parametrize("accept", [accept for accept, _ in GRAPH_ACCEPTS[:6]])
def test_construct_is_cut_at_the_row_cap_and_says_so(server, accept):
    response = ask_query(server, ALL_TRIPLES, headers={"Accept": accept})
    assert len(triples(response)) == 50
    assert response.headers.get("X-SPARQL-MaxRows") == "50"


@pytest.mark.parametrize("query", [CLAIMS, CLAIMS_ASK, POLICIES, "SELECT * WHERE { ?s ?p ?o } LIMIT 50"])
def test_answer_within_the_cap_is_not_marked(server, query):
    response = ask_query(server, query)
    assert response.status_code == 200
    assert "X-SPARQL-MaxRows" not in response.headers


#: Expressions of every kind of RDF term a SELECT can bind (answers pass through the row cap's re-serialization).
TERMS = {
    "IRI": "<http://example.org/i>",
    "integer": "42",
    "typed literal": '"x"^^<http://example.org/dt>',
    "language tag, tab, new line": '"tab\\there\\nnew line"@en',
    "quote and comma": '"quote \\" and , comma"',
    "unbound": "?nothing",
    "triple term": "<<( <http://example.org/s> <http://example.org/p> <http://example.org/o> )>>",
}


@pytest.mark.parametrize("term", TERMS.values(), ids=TERMS.keys())
def test_select_answer_keeps_every_kind_of_term(server, term):
    query = f"SELECT ?v WHERE {{ BIND({term} AS ?v) }}"
    response = ask_query(server, query)
    assert response.status_code == 200
    found = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
    assert [tuple(row) for row in found] == [tuple(row) for row in ox.Store().query(query)]


@pytest.mark.parametrize("query", [ALL_ROWS, ALL_TRIPLES])
def test_answer_is_complete_and_states_its_length(server, query):
    """Answers are spooled whole before the head is sent, so a 200 is never cut short."""
    with requests.get(server.sparql(), params={"query": query}, stream=True, timeout=30) as response:
        body = b"".join(response.iter_content(4096))
        assert int(response.headers["Content-Length"]) == len(body) > 0


# ---------------------------------------------------------------- request size


#: Bodies just over the 200000-byte limit, to each endpoint and in each encoding.
LARGE = {
    "query form": ("/sparql", FORM, "query=" + "ASK {}" + " " * 200_001),
    "query direct": ("/sparql", QUERY_TYPE, "ASK {}" + " " * 200_001),
    "update form": ("/update", FORM, "update=" + NOOP + " " * 200_001),
    "update direct": ("/update", UPDATE_TYPE, NOOP + " " * 200_001),
}


@pytest.mark.parametrize(("path", "content_type", "body"), LARGE.values(), ids=LARGE.keys())
def test_body_over_the_limit_is_413(server, path, content_type, body):
    headers = {"Content-Type": content_type, **bearer(server)}
    response = requests.post(server.url + path, data=body.encode(), headers=headers, timeout=30)
    assert response.status_code == 413
    assert problem(response)["status"] == 413


@pytest.mark.parametrize(("path", "content_type", "body"), LARGE.values(), ids=LARGE.keys())
def test_chunked_body_over_the_limit_is_413(server, path, content_type, body):
    headers = {"Content-Type": content_type, **bearer(server)}
    response = requests.post(server.url + path, data=chunks(body.encode()), headers=headers, timeout=30)
    assert response.status_code == 413


def test_chunked_update_over_the_limit_changes_nothing(server, graphs):
    first, second = graphs(), graphs()
    head = f'INSERT DATA {{ GRAPH <{first}> {{ <http://example.org/s> <http://example.org/p> "1" }} }}'
    tail = f' ; INSERT DATA {{ GRAPH <{second}> {{ <http://example.org/s> <http://example.org/p> "2" }} }}'
    body = (head + " " * (200_000 - len(head)) + tail).encode()
    requests.post(server.url + "/update", data=chunks(body), headers={"Content-Type": UPDATE_TYPE, **bearer(server)}, timeout=30)
    assert not graph_exists(server, first)


def chunks(body: bytes):
    """``body`` as a generator, which requests sends with ``Transfer-Encoding: chunked`` and no Content-Length."""
    for start in range(0, len(body), 10_000):
        yield body[start : start + 10_000]


def test_body_within_the_limit_is_answered(server):
    response = requests.post(server.sparql(), data={"query": CLAIMS + " " * 150_000}, timeout=30)
    assert solutions(response) == [{"n": "85"}]


# ---------------------------------------------------------------- CORS

ALLOWED_ORIGIN = "https://checker.example"


def preflight(server, path: str, origin: str) -> requests.Response:
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
    return requests.options(server.url + path, headers=headers, timeout=30)


@pytest.mark.parametrize("path", ["/sparql", "/update"])
def test_preflight_from_the_allowed_origin_is_allowed(server, path):
    response = preflight(server, path, ALLOWED_ORIGIN)
    assert response.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    assert {"authorization", "content-type"} <= header_words(response, "Access-Control-Allow-Headers")
    assert "post" in header_words(response, "Access-Control-Allow-Methods")


@pytest.mark.parametrize("path", ["/sparql", "/update"])
def test_preflight_from_another_origin_is_not_allowed(server, path):
    assert "Access-Control-Allow-Origin" not in preflight(server, path, "https://elsewhere.example").headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [(ALLOWED_ORIGIN, ALLOWED_ORIGIN), ("https://elsewhere.example", None), ("https://checker.example.evil.example", None), ("null", None)],
)
def test_cross_origin_query_is_allowed_for_the_configured_origin_only(server, origin, allowed):
    response = ask_query(server, CLAIMS, headers={"Origin": origin})
    assert response.headers.get("Access-Control-Allow-Origin") == allowed


def test_cors_answers_vary_on_origin(server):
    response = ask_query(server, CLAIMS, headers={"Origin": ALLOWED_ORIGIN})
    assert "origin" in header_words(response, "Vary")


def test_cross_origin_clients_may_read_the_row_cap_header(server):
    response = ask_query(server, ALL_ROWS, headers={"Origin": ALLOWED_ORIGIN})
    assert "x-sparql-maxrows" in header_words(response, "Access-Control-Expose-Headers")


# ---------------------------------------------------------------- real clients

#: SPARQLWrapper's ways of sending a query.
WRAPPER_METHODS = {"GET": (GET, URLENCODED), "POST form": (POST, URLENCODED), "POST direct": (POST, POSTDIRECTLY)}


def wrapper(server, query: str, return_format: str, transport: tuple[str, str]) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql())
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(transport[0])
    client.setRequestMethod(transport[1])
    return client


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_select_json(server, transport):
    rows = wrapper(server, CLAIMS, JSON, transport).queryAndConvert()["results"]["bindings"]
    assert [row["n"]["value"] for row in rows] == ["85"]


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_select_xml(server, transport):
    document = wrapper(server, CLAIMS, XML, transport).queryAndConvert()
    values = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert values == ["85"]


@pytest.mark.parametrize(("return_format", "expected"), [(CSV, ["n", "85"]), (TSV, ["?n", "85"])])
@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_select_csv_and_tsv(server, transport, return_format, expected):
    assert wrapper(server, CLAIMS, return_format, transport).queryAndConvert().decode("utf-8").split() == expected


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_ask_json(server, transport):
    assert wrapper(server, CLAIMS_ASK, JSON, transport).queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_ask_xml(server, transport):
    document = wrapper(server, CLAIMS_ASK, XML, transport).queryAndConvert()
    assert [node.firstChild.data for node in document.getElementsByTagName("boolean")] == ["true"]


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_construct_turtle(server, transport):
    body = wrapper(server, POLICIES, TURTLE, transport).queryAndConvert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(set(graph.subjects(RDF.type, rdflib.URIRef(CG + "Policy")))) == 13


@pytest.mark.parametrize("return_format", [XML, RDFXML, JSONLD])
@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_construct_graph(server, transport, return_format):
    graph = wrapper(server, POLICIES, return_format, transport).queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert len(set(graph.subjects(RDF.type, rdflib.URIRef(CG + "Policy")))) == 13


#: rdflib views of the endpoint; a Dataset must ask for the union, else rdflib names its own default graph
#: (``default-graph-uri=urn:x-rdflib:default``), which the endpoint rightly treats as an empty graph.
VIEWS = {"Graph": rdflib.Graph, "Dataset": lambda store: rdflib.Dataset(store, default_union=True)}


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_select(server, make, method):
    graph = make(SPARQLStore(query_endpoint=server.sparql(), method=method))
    assert [int(row.n) for row in graph.query(CLAIMS)] == [85]


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_construct(server, make, method):
    graph = make(SPARQLStore(query_endpoint=server.sparql(), method=method))
    built = graph.query(POLICIES).graph
    assert len(set(built.subjects(RDF.type, rdflib.URIRef(CG + "Policy")))) == 13
