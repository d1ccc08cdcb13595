"""The SPARQL 1.1 Protocol at /sparql and /update: the tables (queries, conneg, errors, updates, CORS) in process
through the test client; request size at the socket, whole answers and real clients against a real server."""

from __future__ import annotations

import base64
import json
import re
import uuid
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest
import rdflib
import requests
from conftest import (
    CG,
    QUERIES,
    SHARED,
    answered,
    body,
    boolean,
    copy_of,
    count,
    header_words,
    in_process,
    media_type,
    page,
    problem,
    solutions,
    triples,
)
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

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
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NO_ACCEPT = {"Accept": None}  # requests drops a header whose value is None


# ---------------------------------------------------------------- helpers


def ask_query(service, query: str, **kwargs):
    """GET /sparql with ``query`` and any further parameters or headers."""
    params = {"query": query, **kwargs.pop("params", {})}
    return service.get("/sparql", params=params, **kwargs)


#: The three ways the protocol allows to send a query; each takes the service, the query and extra parameters.
SENDS = {
    "GET": lambda service, query, params: service.get("/sparql", params={"query": query, **params}),
    "POST form": lambda service, query, params: service.post("/sparql", data={"query": query, **params}),
    "POST direct": lambda service, query, params: service.post(
        "/sparql", params=params, data=query.encode(), headers={"Content-Type": QUERY_TYPE}
    ),
}

#: The two ways to send an update; each takes the service, the update, extra parameters and headers.
UPDATES = {
    "form": lambda service, update, params, headers: service.post("/update", data={"update": update, **params}, headers=headers),
    "direct": lambda service, update, params, headers: service.post(
        "/update", params=params, data=update.encode(), headers={"Content-Type": UPDATE_TYPE, **headers}
    ),
}


def bearer(service) -> dict[str, str]:
    return {"Authorization": f"Bearer {service.token}"}


def write(service, update: str, **params: str):
    """POST ``update`` to /update as a form, with the update token."""
    return UPDATES["form"](service, update, params, bearer(service))


def typed(found: set, cls: str) -> set:
    return {s for s, p, o in found if p == ox.NamedNode(str(RDF.type)) and o == ox.NamedNode(cls)}


def graph_exists(service, graph: str) -> bool:
    return boolean(answered(ask_query(service, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))


def graph_triples(service, graph: str) -> set[tuple[str, str, str]]:
    rows = solutions(answered(ask_query(service, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))
    return {(row["s"], row["p"], row["o"]) for row in rows}


@pytest.fixture(scope="module")
def writable(loaded_store, tmp_path_factory):
    """The application over a store of this module's own (one worker, so that each write restarts one), free to change."""
    with in_process(copy_of(loaded_store, tmp_path_factory.mktemp("writable")), workers=1) as running:
        yield running


@pytest.fixture
def graphs():
    """A maker of fresh graph IRIs under http://example.org/, for graphs of the test's own."""
    return lambda: f"http://example.org/protocol-test/{uuid.uuid4().hex}"


def fill(service, graph: str, *objects: str) -> None:
    """Put one triple per object into ``graph``."""
    data = " ".join(f'<http://example.org/s> <http://example.org/p> "{obj}" .' for obj in objects)
    answered(write(service, f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}"), 204)


@pytest.fixture(scope="module")
def policies(data_store) -> int:
    """The number of ``cg:Policy`` instances in the curated data."""
    return count(data_store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a cg:Policy }")


def claims_in(data_store, graph: str) -> int:
    """The number of ``cg:Claim`` instances in one named graph of the curated data."""
    return count(data_store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }", default_graph=ox.NamedNode(graph))


# ---------------------------------------------------------------- queries and the dataset


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_query_is_answered_by_every_transport(app, claims, send):
    response = send(app, CLAIMS, {})
    assert response.status_code == 200
    assert solutions(response) == [{"n": str(claims)}]


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_default_graph_uri_sets_the_default_graph(app, data_store, send):
    response = answered(send(app, CLAIMS, {"default-graph-uri": ENTITIES}))
    assert solutions(response) == [{"n": str(claims_in(data_store, ENTITIES))}]


@pytest.mark.parametrize("graph", [ENTITIES, SOURCE])
def test_the_querys_own_from_sets_the_default_graph(app, data_store, graph):
    claims_from = CLAIMS.replace("WHERE", f"FROM <{graph}> WHERE", 1)
    assert solutions(answered(app.get("/sparql", params={"query": claims_from}))) == [{"n": str(claims_in(data_store, graph))}]


def test_the_entities_graph_holds_no_claims_and_the_source_graph_some(data_store):
    """The graphs the dataset tests use tell a right default graph from a wrong one."""
    assert (claims_in(data_store, ENTITIES), claims_in(data_store, SOURCE) > 0) == (0, True)


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_default_graph_uri_of_the_source_graph_finds_its_claims(app, data_store, send):
    assert solutions(answered(send(app, CLAIMS, {"default-graph-uri": SOURCE}))) == [{"n": str(claims_in(data_store, SOURCE))}]


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_named_graph_uri_restricts_graph_patterns(app, send):
    assert solutions(answered(send(app, GRAPHS, {"named-graph-uri": ENTITIES}))) == [{"g": ENTITIES}]


def test_named_graph_uri_alone_leaves_the_default_graph_empty(app):
    response = ask_query(app, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", params={"named-graph-uri": ENTITIES})
    assert solutions(answered(response)) == [{"n": "0"}]


def test_without_a_dataset_the_default_graph_is_the_union_of_named_graphs(app):
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert solutions(answered(ask_query(app, union))) == solutions(answered(ask_query(app, named)))


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
def test_select_is_negotiated(app, claims, accept, expected):
    response = ask_query(app, CLAIMS, headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert solutions(response) == [{"n": str(claims)}]


@pytest.mark.parametrize(("accept", "expected"), RESULT_ACCEPTS)
def test_ask_is_negotiated(app, accept, expected):
    response = ask_query(app, CLAIMS_ASK, headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert boolean(response) is True


@pytest.mark.parametrize(("accept", "expected"), GRAPH_ACCEPTS)
def test_construct_is_negotiated(app, policies, accept, expected):
    response = ask_query(app, POLICIES, headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, expected)
    assert len(typed(triples(response), CG + "Policy")) == policies


@pytest.mark.parametrize(("accept", "expected"), GRAPH_ACCEPTS)
def test_describe_is_negotiated(app, accept, expected):
    response = ask_query(app, f"DESCRIBE <{MECHELEN}>", headers={"Accept": accept})
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
def test_format_parameter_overrides_accept(app, name, query, expected):
    response = ask_query(app, query, params={"format": name}, headers={"Accept": "image/png"})
    assert (response.status_code, media_type(response)) == (200, expected)


@pytest.mark.parametrize(("name", "query", "expected"), FORMAT_OVERRIDES)
def test_format_parameter_answer_parses(app, claims, policies, name, query, expected):
    response = answered(ask_query(app, query, params={"format": name}))
    if query == CLAIMS:
        assert solutions(response) == [{"n": str(claims)}]
    else:
        assert len(typed(triples(response), CG + "Policy")) == policies


@pytest.mark.parametrize(
    ("query", "expected"),
    [(CLAIMS, "application/sparql-results+json"), (CLAIMS_ASK, "application/sparql-results+json"), (POLICIES, "text/turtle")],
)
def test_without_accept_the_default_format_is_chosen(app, query, expected):
    response = ask_query(app, query, headers=NO_ACCEPT)
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
def test_nothing_acceptable_is_406(app, query, accept):
    response = ask_query(app, query, headers={"Accept": accept})
    assert response.status_code == 406
    assert problem(response)["status"] == 406


@pytest.mark.parametrize(("query", "name"), [(CLAIMS, "turtle"), (CLAIMS_ASK, "jsonld"), (POLICIES, "csv"), (POLICIES, "tsv"), (CLAIMS, "bogus")])
def test_format_unfit_for_the_query_is_400_naming_format(app, query, name):
    response = ask_query(app, query, params={"format": name})
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
ERRORS = {name: probe for name, probe in PROBES.items() if probe[3] in range(400, 600)}


def probe(service, method: str, path: str, options: dict):
    options = dict(options)
    if options.pop("token", False):
        options["headers"] = {**options.get("headers", {}), **bearer(service)}
    return service.request(method, path, **options)


@pytest.mark.parametrize(("method", "path", "options", "status"), PROBES.values(), ids=PROBES.keys())
def test_every_response_varies_on_accept(app, method, path, options, status):
    response = probe(app, method, path, options)
    assert response.status_code == status
    assert "accept" in header_words(response, "Vary")


@pytest.mark.parametrize(("method", "path", "options", "status"), PROBES.values(), ids=PROBES.keys())
def test_no_response_shows_a_stack_trace(app, method, path, options, status):
    response = answered(probe(app, method, path, options), status)
    assert "Traceback" not in response.text
    assert 'File "' not in response.text


@pytest.mark.parametrize(("method", "path", "options", "status"), ERRORS.values(), ids=ERRORS.keys())
def test_errors_are_problem_documents(app, method, path, options, status):
    found = problem(answered(probe(app, method, path, options), status))
    assert {"type", "title", "status", "detail"} <= found.keys()
    assert found["status"] == status


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("send", SENDS.values(), ids=SENDS.keys())
def test_syntax_error_is_400_with_the_parsers_message(app, send):
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(BAD_QUERY)
    response = send(app, BAD_QUERY, {})
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
def test_parameter_at_fault_is_named(app, method, path, options, name):
    response = probe(app, method, path, options)
    assert response.status_code == 400
    assert problem(response)["parameter"] == name


def test_get_update_is_405_allowing_post(app):
    response = app.get("/update")
    assert response.status_code == 405
    assert "post" in header_words(response, "Allow")


@pytest.mark.parametrize(("path", "status"), [("/sparql", 400), ("/update", 405)])
def test_update_sent_by_get_never_runs(writable, graphs, path, status):
    graph = graphs()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "via GET" }} }}'
    response = writable.get(path, params={"update": update}, headers=bearer(writable))
    assert response.status_code == status
    assert not graph_exists(writable, graph)


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


@pytest.mark.parametrize(("path", "content_type", "body_text"), WRONG_CONTENT_TYPES.values(), ids=WRONG_CONTENT_TYPES.keys())
def test_post_with_wrong_or_missing_content_type_is_415(app, path, content_type, body_text):
    headers = {**bearer(app), **({"Content-Type": content_type} if content_type else {})}
    response = app.post(path, data=body_text.encode(), headers=headers)
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


@pytest.mark.parametrize(("path", "query", "sent", "content_type"), NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_bytes_that_are_not_utf8_are_400(app, path, query, sent, content_type):
    headers = {**bearer(app), **({"Content-Type": content_type} if content_type else {})}
    method = "POST" if sent is not None else "GET"
    response = app.request(method, path + query, data=sent, headers=headers)
    assert response.status_code == 400
    assert problem(response)["status"] == 400


@pytest.mark.parametrize("name", ["two queries", "query in URL and body", "GET update", "no content type", "too large", "no token"])
def test_browser_gets_an_html_error_page(app, name):
    method, path, options, status = PROBES[name]
    headers = {**options.get("headers", {}), "Accept": BROWSER}
    response = probe(app, method, path, {**options, "headers": headers})
    assert response.status_code == status
    assert str(status) in page(response).text


@pytest.mark.parametrize("accept", ["application/json", "application/problem+json", "*/*", None])
def test_api_client_gets_a_problem_document(app, accept):
    response = ask_query(app, BAD_QUERY, headers={"Accept": accept})
    assert response.status_code == 400
    assert problem(response)["status"] == 400


# ---------------------------------------------------------------- service description and query page

#: Accept → media type of the service description.
DESCRIPTION_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml"]


def description(service, accept: str) -> rdflib.Graph:
    response = service.get("/sparql", headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, accept)
    return rdflib.Graph().parse(data=body(response), format=accept)


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_names_the_endpoint(app, accept):
    graph = description(app, accept)
    endpoint = rdflib.URIRef(app.sparql())
    assert set(graph.subjects(RDF.type, SD.Service)) == {endpoint}
    assert endpoint in set(graph.objects(endpoint, SD.endpoint))


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_states_sparql_11_query_and_update(app, accept):
    languages = set(description(app, accept).objects(rdflib.URIRef(app.sparql()), SD.supportedLanguage))
    assert languages == {SD.SPARQL11Query, SD.SPARQL11Update}


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_lists_result_formats(app, accept):
    listed = set(description(app, accept).objects(rdflib.URIRef(app.sparql()), SD.resultFormat))
    names = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
             "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"]
    assert {FORMATS[name] for name in names} <= listed


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_service_description_counts_the_named_graphs(app, accept):
    graph = description(app, accept)
    described = {
        str(graph.value(named, SD.name)): int(graph.value(graph.value(named, SD.graph), VOID.triples))
        for dataset in graph.objects(rdflib.URIRef(app.sparql()), SD.defaultDataset)
        for named in graph.objects(dataset, SD.namedGraph)
    }
    counted = solutions(answered(ask_query(app, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")))
    assert described == {row["g"]: int(row["n"]) for row in counted}


@pytest.mark.parametrize(("name", "expected"), [("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml")])
def test_service_description_follows_format_parameter(app, name, expected):
    response = app.get("/sparql", params={"format": name}, headers={"Accept": BROWSER})
    assert (response.status_code, media_type(response)) == (200, expected)


def test_service_description_without_accept_is_turtle(app):
    response = app.get("/sparql", headers=NO_ACCEPT)
    assert (response.status_code, media_type(response)) == (200, "text/turtle")


def test_browser_gets_the_query_page_listing_canned_queries(app):
    response = app.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert {urljoin(app.url, f"/queries/{path.stem}") for path in QUERIES.glob("*.rq")} <= set(page(response).hrefs())


# ---------------------------------------------------------------- updates


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
def test_update_is_applied_and_answered_204(writable, graphs, send):
    graph = graphs()
    response = send(writable, f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }}', {}, bearer(writable))
    assert (response.status_code, body(response)) == (204, b"")
    assert graph_triples(writable, graph) == {("http://example.org/s", "http://example.org/p", "x")}


USING_PARAMETERS = {
    "using-graph-uri sets the default graph": ("using-graph-uri", "{ ?s ?p ?o }"),
    "using-named-graph-uri restricts GRAPH": ("using-named-graph-uri", "{ GRAPH ?g { ?s ?p ?o } }"),
}


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
@pytest.mark.parametrize(("parameter", "where"), USING_PARAMETERS.values(), ids=USING_PARAMETERS.keys())
def test_using_parameters_set_the_where_dataset(writable, graphs, send, parameter, where):
    source, other, copy = graphs(), graphs(), graphs()
    fill(writable, source, "a", "b")
    fill(writable, other, "c")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE " + where
    assert send(writable, update, {parameter: source}, bearer(writable)).status_code == 204
    assert graph_triples(writable, copy) == graph_triples(writable, source)


def test_using_graph_uri_applies_to_every_operation(writable, graphs):
    source, first, second = graphs(), graphs(), graphs()
    fill(writable, source, "a", "b")
    update = " ; ".join(f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}" for copy in (first, second))
    assert write(writable, update, **{"using-graph-uri": source}).status_code == 204
    assert graph_triples(writable, first) == graph_triples(writable, second) == graph_triples(writable, source)


def test_using_named_graph_uri_alone_leaves_the_where_default_graph_empty(writable, graphs):
    source, copy = graphs(), graphs()
    fill(writable, source, "a")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert write(writable, update, **{"using-named-graph-uri": source}).status_code == 204
    assert not graph_exists(writable, copy)


@pytest.mark.parametrize(
    ("clause", "parameter"),
    [("USING <{source}>", "using-graph-uri"), ("USING NAMED <{source}>", "using-named-graph-uri"), ("USING <{source}>", "using-named-graph-uri")],
)
def test_using_parameter_and_using_clause_together_are_400(writable, graphs, clause, parameter):
    source, copy = graphs(), graphs()
    fill(writable, source, "a")
    update = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} {clause.format(source=source)} WHERE {{ ?s ?p ?o }}"
    assert write(writable, update, **{parameter: source}).status_code == 400


def test_using_parameter_and_with_clause_together_are_400(writable, graphs):
    source, copy = graphs(), graphs()
    fill(writable, source, "a")
    update = f"WITH <{source}> INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert write(writable, update, **{"using-graph-uri": source}).status_code == 400


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
def test_update_syntax_error_is_400_with_the_parsers_message(writable, graphs, send):
    graph = graphs()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }} ; INSERT DATA {{'
    with pytest.raises(SyntaxError) as parser:
        ox.Store().update(update)
    response = send(writable, update, {}, bearer(writable))
    assert response.status_code == 400
    assert parser.value.msg in problem(response)["detail"]


def test_update_with_syntax_error_changes_nothing(writable, graphs):
    graph = graphs()
    response = write(writable, f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }} ; INSERT DATA {{')
    assert response.status_code == 400
    assert not graph_exists(writable, graph)


def test_update_failing_in_a_later_operation_changes_nothing(writable, graphs):
    """CREATE GRAPH of a graph that exists fails when the update runs, after the first operation was applied."""
    existing, fresh = graphs(), graphs()
    fill(writable, existing, "there")
    update = f'INSERT DATA {{ GRAPH <{fresh}> {{ <http://example.org/s> <http://example.org/p> "x" }} }} ; CREATE GRAPH <{existing}>'
    assert write(writable, update).status_code == 400
    assert not graph_exists(writable, fresh)


# ---------------------------------------------------------------- who may write


@pytest.fixture(scope="module")
def read_only(loaded_store, tmp_path_factory):
    """The application with no update token configured: writes are off."""
    with in_process(copy_of(loaded_store, tmp_path_factory.mktemp("read-only")), update_token=None, workers=1) as running:
        yield running


@pytest.mark.parametrize("send", UPDATES.values(), ids=UPDATES.keys())
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer anything"}], ids=["no token", "a token"])
def test_without_a_configured_token_writes_are_403(read_only, send, headers):
    update = 'INSERT DATA { GRAPH <http://example.org/protocol-test/off> { <http://example.org/s> <http://example.org/p> "x" } }'
    assert send(read_only, update, {}, headers).status_code == 403
    assert not graph_exists(read_only, "http://example.org/protocol-test/off")


def test_without_a_configured_token_the_description_offers_no_update(read_only):
    languages = set(description(read_only, "text/turtle").objects(rdflib.URIRef(read_only.sparql()), SD.supportedLanguage))
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


def authorization(service, value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if value.startswith("basic:"):
        return {"Authorization": "Basic " + base64.b64encode(f"user:{service.token}".encode()).decode()}
    return {"Authorization": value.format(token=service.token)}


@pytest.mark.parametrize(("value", "status"), AUTHORIZATIONS.values(), ids=AUTHORIZATIONS.keys())
def test_update_authorization(writable, graphs, value, status):
    graph = graphs()
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> "x" }} }}'
    response = UPDATES["form"](writable, update, {}, authorization(writable, value))
    assert response.status_code == status
    assert graph_exists(writable, graph) == (status == 204)


@pytest.mark.parametrize("name", [name for name, (_, status) in AUTHORIZATIONS.items() if status == 401])
def test_unauthorized_update_challenges_for_a_bearer_token(app, name):
    value, status = AUTHORIZATIONS[name]
    response = UPDATES["form"](app, NOOP, {}, authorization(app, value))
    assert response.status_code == status
    assert response.headers.get("WWW-Authenticate", "").lower().startswith("bearer")


# ---------------------------------------------------------------- row cap and streaming


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_select_is_cut_at_the_row_cap_and_says_so(app, accept):
    cap = app.config.max_rows
    response = answered(ask_query(app, ALL_ROWS, headers={"Accept": accept}))
    assert len(solutions(response)) == cap
    assert response.headers.get("X-SPARQL-MaxRows") == str(cap)


@pytest.mark.parametrize("accept", [accept for accept, _ in GRAPH_ACCEPTS[:6]])
def test_construct_is_cut_at_the_row_cap_and_says_so(app, accept):
    cap = app.config.max_rows
    response = answered(ask_query(app, ALL_TRIPLES, headers={"Accept": accept}))
    assert len(triples(response)) == cap
    assert response.headers.get("X-SPARQL-MaxRows") == str(cap)


def test_the_store_holds_more_than_the_row_cap(app, data_store):
    """The cap tests above ask for every quad: there must be more than the cap for them to mean anything."""
    assert len(data_store) > app.config.max_rows


@pytest.mark.parametrize("query", [CLAIMS, CLAIMS_ASK, POLICIES, "SELECT * WHERE { ?s ?p ?o } LIMIT {cap}"])
def test_answer_within_the_cap_is_not_marked(app, query):
    response = ask_query(app, query.replace("{cap}", str(app.config.max_rows)))
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
def test_select_answer_keeps_every_kind_of_term(app, term):
    query = f"SELECT ?v WHERE {{ BIND({term} AS ?v) }}"
    response = ask_query(app, query)
    assert response.status_code == 200
    found = ox.parse_query_results(body(response), ox.QueryResultsFormat.JSON)
    assert [tuple(row) for row in found] == [tuple(row) for row in ox.Store().query(query)]


@pytest.mark.parametrize("query", [ALL_ROWS, ALL_TRIPLES])
def test_answer_is_complete_and_states_its_length(server, query):
    """Answers are spooled whole before the head is sent, so a 200 is never cut short."""
    with requests.get(server.sparql(), params={"query": query}, stream=True, timeout=30) as response:
        assert response.status_code == 200
        received = b"".join(response.iter_content(4096))
        assert int(response.headers["Content-Length"]) == len(received) > 0


# ---------------------------------------------------------------- request size at the socket


def large(limit: int) -> dict[str, tuple[str, str, str]]:
    """Bodies just over ``limit`` bytes, to each endpoint and in each encoding."""
    return {
        "query form": ("/sparql", FORM, "query=" + "ASK {}" + " " * (limit + 1)),
        "query direct": ("/sparql", QUERY_TYPE, "ASK {}" + " " * (limit + 1)),
        "update form": ("/update", FORM, "update=" + NOOP + " " * (limit + 1)),
        "update direct": ("/update", UPDATE_TYPE, NOOP + " " * (limit + 1)),
    }


LARGE = list(large(0))


@pytest.mark.parametrize("name", LARGE)
def test_body_over_the_limit_is_413(server, name):
    path, content_type, sent = large(server.config.max_request_bytes)[name]
    headers = {"Content-Type": content_type, **bearer(server)}
    response = requests.post(server.url + path, data=sent.encode(), headers=headers, timeout=30)
    assert response.status_code == 413
    assert problem(response)["status"] == 413


@pytest.mark.parametrize("name", LARGE)
def test_chunked_body_over_the_limit_is_413(server, name):
    path, content_type, sent = large(server.config.max_request_bytes)[name]
    headers = {"Content-Type": content_type, **bearer(server)}
    response = requests.post(server.url + path, data=chunks(sent.encode()), headers=headers, timeout=30)
    assert response.status_code == 413


def test_chunked_update_over_the_limit_changes_nothing(server, graphs):
    first, second = graphs(), graphs()
    head = f'INSERT DATA {{ GRAPH <{first}> {{ <http://example.org/s> <http://example.org/p> "1" }} }}'
    tail = f' ; INSERT DATA {{ GRAPH <{second}> {{ <http://example.org/s> <http://example.org/p> "2" }} }}'
    sent = (head + " " * (server.config.max_request_bytes - len(head)) + tail).encode()
    response = requests.post(server.url + "/update", data=chunks(sent), headers={"Content-Type": UPDATE_TYPE, **bearer(server)}, timeout=30)
    assert response.status_code == 413
    assert not graph_exists(server, first)


def chunks(sent: bytes):
    """``sent`` as a generator, which requests sends with ``Transfer-Encoding: chunked`` and no Content-Length."""
    for start in range(0, len(sent), 10_000):
        yield sent[start : start + 10_000]


def test_body_within_the_limit_is_answered(server, claims):
    padding = " " * (3 * server.config.max_request_bytes // 4)
    response = answered(requests.post(server.sparql(), data={"query": CLAIMS + padding}, timeout=30))
    assert solutions(response) == [{"n": str(claims)}]


# ---------------------------------------------------------------- CORS

ALLOWED_ORIGIN = SHARED["cors_origins"][0]


def preflight(service, path: str, origin: str):
    headers = {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
    return service.request("OPTIONS", path, headers=headers)


@pytest.mark.parametrize("path", ["/sparql", "/update"])
def test_preflight_from_the_allowed_origin_is_allowed(app, path):
    response = answered(preflight(app, path, ALLOWED_ORIGIN))
    assert response.headers.get("Access-Control-Allow-Origin") == ALLOWED_ORIGIN
    assert {"authorization", "content-type"} <= header_words(response, "Access-Control-Allow-Headers")
    assert "post" in header_words(response, "Access-Control-Allow-Methods")


@pytest.mark.parametrize("path", ["/sparql", "/update"])
def test_preflight_from_another_origin_is_not_allowed(app, path):
    assert "Access-Control-Allow-Origin" not in answered(preflight(app, path, "https://elsewhere.example")).headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [(ALLOWED_ORIGIN, ALLOWED_ORIGIN), ("https://elsewhere.example", None), ("https://checker.example.evil.example", None), ("null", None)],
)
def test_cross_origin_query_is_allowed_for_the_configured_origin_only(app, origin, allowed):
    response = answered(ask_query(app, CLAIMS, headers={"Origin": origin}))
    assert response.headers.get("Access-Control-Allow-Origin") == allowed


def test_cors_answers_vary_on_origin(app):
    response = answered(ask_query(app, CLAIMS, headers={"Origin": ALLOWED_ORIGIN}))
    assert "origin" in header_words(response, "Vary")


def test_cross_origin_clients_may_read_the_row_cap_header(app):
    response = answered(ask_query(app, ALL_ROWS, headers={"Origin": ALLOWED_ORIGIN}))
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
def test_sparqlwrapper_select_json(server, claims, transport):
    rows = wrapper(server, CLAIMS, JSON, transport).queryAndConvert()["results"]["bindings"]
    assert [row["n"]["value"] for row in rows] == [str(claims)]


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_select_xml(server, claims, transport):
    document = wrapper(server, CLAIMS, XML, transport).queryAndConvert()
    values = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert values == [str(claims)]


@pytest.mark.parametrize(("return_format", "head"), [(CSV, "n"), (TSV, "?n")])
@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_select_csv_and_tsv(server, claims, transport, return_format, head):
    assert wrapper(server, CLAIMS, return_format, transport).queryAndConvert().decode("utf-8").split() == [head, str(claims)]


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_ask_json(server, transport):
    assert wrapper(server, CLAIMS_ASK, JSON, transport).queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_ask_xml(server, transport):
    document = wrapper(server, CLAIMS_ASK, XML, transport).queryAndConvert()
    assert [node.firstChild.data for node in document.getElementsByTagName("boolean")] == ["true"]


@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_construct_turtle(server, policies, transport):
    turtle = wrapper(server, POLICIES, TURTLE, transport).queryAndConvert()
    graph = rdflib.Graph().parse(data=turtle, format="turtle")
    assert len(set(graph.subjects(RDF.type, rdflib.URIRef(CG + "Policy")))) == policies


@pytest.mark.parametrize("return_format", [XML, RDFXML, JSONLD])
@pytest.mark.parametrize("transport", WRAPPER_METHODS.values(), ids=WRAPPER_METHODS.keys())
def test_sparqlwrapper_construct_graph(server, policies, transport, return_format):
    graph = wrapper(server, POLICIES, return_format, transport).queryAndConvert()
    assert isinstance(graph, rdflib.Graph)
    assert len(set(graph.subjects(RDF.type, rdflib.URIRef(CG + "Policy")))) == policies


#: rdflib views of the endpoint; a Dataset must ask for the union, else rdflib names its own default graph
#: (``default-graph-uri=urn:x-rdflib:default``), which the endpoint rightly treats as an empty graph.
VIEWS = {"Graph": rdflib.Graph, "Dataset": lambda store: rdflib.Dataset(store, default_union=True)}


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_select(server, claims, make, method):
    graph = make(SPARQLStore(query_endpoint=server.sparql(), method=method))
    assert [int(row.n) for row in graph.query(CLAIMS)] == [claims]


@pytest.mark.parametrize("make", VIEWS.values(), ids=VIEWS.keys())
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_construct(server, policies, make, method):
    graph = make(SPARQLStore(query_endpoint=server.sparql(), method=method))
    built = graph.query(POLICIES).graph
    assert len(set(built.subjects(RDF.type, rdflib.URIRef(CG + "Policy")))) == policies
