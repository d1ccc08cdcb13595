"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: reads, writes and the errors of each, in process through the
test client; HEAD and the body limit (what the wire shows) against a real server."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import rdflib
import rdflib.compare
import requests
from conftest import PROBLEM, body, copy_of, in_process, media_type, problem

ENTITIES = "https://w3id.org/claimgraph/graph/entities"
#: The RDF formats a graph is read in, as media type → rdflib parser name.
RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
ONE = "<http://example.org/s> <http://example.org/p> 1 , 2 ."
TWO = '<http://example.org/s> <http://example.org/p> "two" . <http://example.org/t> <http://example.org/p> <http://example.org/s> .'


def graph_of(response) -> rdflib.Graph:
    """The body of ``response`` parsed as the RDF format its Content-Type names."""
    return rdflib.Graph().parse(data=body(response), format=RDFLIB[media_type(response)])


def turtle(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def write(service, method: str, text: str = "", *, media: str = "text/turtle", token: str | None = None, **params):
    """A write to /store with the update token (or ``token``), ``text`` sent as ``media``; ``default=""`` names the default graph."""
    headers = {"Authorization": f"Bearer {token or service.token}", "Content-Type": media}
    return service.request(method, "/store", params=params, data=text.encode(), headers=headers)


def read(service, graph: str, **params):
    return service.get("/store", params={"graph": graph, **params}, headers={"Accept": "application/n-triples"})


@pytest.fixture(scope="module")
def writable(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """The application over a store of this module's own (one worker, so that each write restarts one), free to change."""
    with in_process(copy_of(loaded_store, tmp_path_factory.mktemp("graphstore")), workers=1) as running:
        yield running


@pytest.fixture(scope="module")
def constructed(uncapped) -> rdflib.Graph:
    """The entities graph as a SPARQL CONSTRUCT over /sparql gives it, with a row cap that exceeds the graph."""
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}"
    response = uncapped.post("/sparql", data={"query": query}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and "X-SPARQL-MaxRows" not in response.headers
    return graph_of(response)


@pytest.fixture(scope="module")
def kept(writable):
    """A graph of this module's own holding ``TWO``, which every refused write must leave as it is."""
    iri = f"http://example.org/graphstore/kept-{uuid.uuid4()}"
    assert write(writable, "PUT", TWO, graph=iri).status_code == 201
    return iri


@pytest.fixture
def graph():
    """The IRI of a graph of this test's own under http://example.org/."""
    return f"http://example.org/graphstore/{uuid.uuid4()}"


@pytest.mark.parametrize("media", list(RDFLIB))
def test_get_by_accept_gives_the_graph_as_construct_does(app, constructed, media):
    response = app.get("/store", params={"graph": ENTITIES}, headers={"Accept": media})
    assert response.status_code == 200
    assert media_type(response) == media
    assert rdflib.compare.isomorphic(graph_of(response), constructed)


@pytest.mark.parametrize(
    ("name", "media"),
    [("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml")],
)
def test_get_by_format_gives_the_graph_as_construct_does(app, constructed, name, media):
    response = app.get("/store", params={"graph": ENTITIES, "format": name}, headers={"Accept": "text/turtle"})
    assert (response.status_code, media_type(response)) == (200, media)
    assert rdflib.compare.isomorphic(graph_of(response), constructed)


@pytest.mark.parametrize(
    ("params", "accept", "status"),
    [({}, None, 200), ({"format": "nt"}, None, 200), ({"format": "jsonld"}, "text/turtle", 200), ({}, "application/rdf+xml", 200),
     ({"format": "csv"}, None, 400), ({"format": "bogus"}, None, 400), ({}, "text/csv", 406)],
)
def test_head_gives_the_status_and_headers_of_get_without_a_body(server, params, accept, status):
    url, query, headers = server.url + "/store", {"graph": ENTITIES, **params}, {"Accept": accept} if accept else {}
    head, get = requests.head(url, params=query, headers=headers), requests.get(url, params=query, headers=headers)
    assert (head.status_code, head.headers["Content-Type"]) == (get.status_code, get.headers["Content-Type"])
    assert head.status_code == status
    assert head.content == b""


def test_head_states_no_length_other_than_that_of_get(server):
    """RFC 9110 §8.6: a Content-Length in answer to HEAD must be the length GET would send."""
    url, query = server.url + "/store", {"graph": ENTITIES}
    head, get = requests.head(url, params=query), requests.get(url, params=query)
    assert (head.status_code, get.status_code) == (200, 200)
    assert head.headers.get("Content-Length", str(len(get.content))) == str(len(get.content))


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE"])
def test_missing_graph_is_404_problem(app, graph, method):
    response = app.request(method, "/store", params={"graph": graph}, headers={"Authorization": f"Bearer {app.token}"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    if method != "HEAD":
        assert problem(response)["status"] == 404


def test_put_creates_a_graph_found_at_its_location(writable, graph):
    response = write(writable, "PUT", ONE, graph=graph)
    assert response.status_code == 201
    found = writable.get(response.headers["Location"], headers={"Accept": "text/turtle"})
    assert found.status_code == 200
    assert rdflib.compare.isomorphic(graph_of(found), turtle(ONE))


@pytest.mark.parametrize("suffix", ["?a=1&b=2", "#part", "/caf%C3%A9", "/é", "/a%20b"])
def test_location_names_graphs_whose_iri_needs_escaping(writable, graph, suffix):
    response = write(writable, "PUT", ONE, graph=graph + suffix)
    assert response.status_code == 201
    found = writable.get(response.headers["Location"], headers={"Accept": "text/turtle"})
    assert found.status_code == 200
    assert rdflib.compare.isomorphic(graph_of(found), turtle(ONE))


@pytest.mark.parametrize("media", ["text/turtle", "text/turtle; charset=utf-8", "application/n-triples", "application/rdf+xml"])
def test_put_takes_every_graph_format(writable, graph, media):
    text = turtle(TWO).serialize(format={"text/turtle": "turtle", **RDFLIB}[media.split(";")[0]])
    assert write(writable, "PUT", text, media=media, graph=graph).status_code == 201
    assert rdflib.compare.isomorphic(graph_of(read(writable, graph)), turtle(TWO))


def test_put_of_a_body_past_the_size_limit_is_413(server, graph):
    line = '<http://example.org/s> <http://example.org/p> "{n:0>60}" .\n'
    text = "".join(line.format(n=n) for n in range(server.config.max_request_bytes // len(line.format(n=0)) + 1))
    assert len(text.encode()) > server.config.max_request_bytes
    assert write(server, "PUT", text, graph=graph).status_code == 413
    assert read(server, graph).status_code == 404


def test_put_replaces_an_existing_graph(writable, graph):
    assert write(writable, "PUT", ONE, graph=graph).status_code == 201
    assert write(writable, "PUT", TWO, graph=graph).status_code == 204
    assert rdflib.compare.isomorphic(graph_of(read(writable, graph)), turtle(TWO))


@pytest.mark.parametrize("existing", [False, True])
def test_put_of_an_empty_body_leaves_an_empty_graph(writable, graph, existing):
    if existing:
        assert write(writable, "PUT", ONE, graph=graph).status_code == 201
    assert write(writable, "PUT", "", graph=graph).status_code == (204 if existing else 201)
    response = read(writable, graph)
    assert response.status_code == 200 and len(graph_of(response)) == 0


def test_post_merges_into_an_existing_graph(writable, graph):
    assert write(writable, "PUT", ONE, graph=graph).status_code == 201
    assert write(writable, "POST", TWO, graph=graph).status_code == 204
    assert rdflib.compare.isomorphic(graph_of(read(writable, graph)), turtle(ONE) + turtle(TWO))


def test_post_creates_a_missing_graph_found_at_its_location(writable, graph):
    response = write(writable, "POST", TWO, graph=graph)
    assert response.status_code == 201
    found = writable.get(response.headers["Location"], headers={"Accept": "text/turtle"})
    assert found.status_code == 200
    assert rdflib.compare.isomorphic(graph_of(found), turtle(TWO))


def test_post_to_the_store_creates_a_new_graph_found_at_its_location(writable):
    response = write(writable, "POST", TWO)
    assert response.status_code == 201
    found = writable.get(response.headers["Location"], headers={"Accept": "text/turtle"})
    assert found.status_code == 200
    assert rdflib.compare.isomorphic(graph_of(found), turtle(TWO))


def test_delete_drops_the_graph(writable, graph):
    assert write(writable, "PUT", ONE, graph=graph).status_code == 201
    assert write(writable, "DELETE", graph=graph).status_code == 204
    assert read(writable, graph).status_code == 404


def test_default_graph_is_replaced_and_read(own_app):
    """The curated store keeps everything in named graphs: its default graph is empty, and a PUT fills it."""
    assert own_app.get("/store?default", headers={"Accept": "text/turtle"}).status_code == 200
    assert write(own_app, "PUT", ONE, default="").status_code == 204
    response = own_app.get("/store?default", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and rdflib.compare.isomorphic(graph_of(response), turtle(ONE))


def test_blank_nodes_of_a_put_body_are_stored(writable, graph):
    text = "<http://example.org/s> <http://example.org/p> [ <http://example.org/q> _:b ] . _:b <http://example.org/r> 1 ."
    assert write(writable, "PUT", text, graph=graph).status_code == 201
    stored = graph_of(read(writable, graph))
    assert rdflib.compare.isomorphic(stored, turtle(text))


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize(("authorization", "status"), [(None, 401), ("Bearer wrong-token", 403), ("Basic dXNlcjpwYXNz", 401)])
def test_writes_need_the_update_token(writable, kept, method, authorization, status):
    headers = {"Content-Type": "text/turtle", **({"Authorization": authorization} if authorization else {})}
    response = writable.request(method, "/store", params={"graph": kept}, data=ONE, headers=headers)
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    assert rdflib.compare.isomorphic(graph_of(read(writable, kept)), turtle(TWO))


def test_a_write_without_token_is_told_how_to_authenticate(app, graph):
    response = app.request("PUT", "/store", params={"graph": graph}, data=ONE, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize("media", ["application/trig", "application/n-quads", "text/plain", "application/json", ""])
def test_put_refuses_content_types_that_are_not_graph_formats(app, graph, media):
    response = write(app, "PUT", ONE, media=media, graph=graph)
    assert response.status_code == 415
    assert read(app, graph).status_code == 404


@pytest.mark.parametrize(
    ("media", "text", "line"),
    [
        ("text/turtle", '<http://example.org/s> <http://example.org/p> "unterminated .', 1),
        ("text/turtle", "@prefix ex: <http://example.org/> .\nex:s ex:p ex:o .\nex:s undeclared:p ex:o .", 3),
        ("application/n-triples", '<http://example.org/s> <http://example.org/p> "x" .\n<http://example.org/s> <http://example.org/p> .', 2),
    ],
)
def test_unparsable_body_is_400_with_the_parsers_position(app, graph, media, text, line):
    response = write(app, "PUT", text, media=media, graph=graph)
    assert response.status_code == 400
    assert re.search(rf"\bline {line}\b.*\bcolumns?\b", problem(response)["detail"])


@pytest.mark.parametrize(
    ("method", "media", "text"),
    [
        ("PUT", "text/turtle", f"{ONE}\n<http://example.org/s> <http://example.org/p> ."),
        ("POST", "text/turtle", f"{TWO}\n<http://example.org/s> <http://example.org/p> ."),
        ("PUT", "application/n-triples", "<http://example.org/s> <http://example.org/p> <relative> ."),
        ("PUT", "application/rdf+xml", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'),
    ],
)
def test_unparsable_body_leaves_the_graph_unchanged(writable, kept, method, media, text):
    assert write(writable, method, text, media=media, graph=kept).status_code == 400
    assert rdflib.compare.isomorphic(graph_of(read(writable, kept)), turtle(TWO))


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize(
    "query",
    [
        "graph=http://example.org/g&default",
        "graph=relative",
        "graph=",
        "graph=http://example.org/a&graph=http://example.org/b",
        "graph=http://example.org/g%3E%20%7D%20%3B%20DROP%20ALL%20%3B%20INSERT%20DATA%20%7B%20GRAPH%20%3Chttp://example.org/x",
    ],
)
def test_bad_graph_parameter_is_400_naming_it(app, method, query):
    headers = {"Authorization": f"Bearer {app.token}", "Content-Type": "text/turtle"}
    response = app.request(method, f"/store?{query}", data=ONE, headers=headers)
    assert response.status_code == 400
    assert problem(response)["parameter"] == "graph"
