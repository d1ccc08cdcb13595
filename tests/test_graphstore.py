"""The SPARQL 1.1 Graph Store HTTP Protocol at /store, over real HTTP: reads, writes, and the errors of each."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest
import rdflib
import rdflib.compare
import requests

from conftest import Server, running_server

ENTITIES = "https://w3id.org/claimgraph/graph/entities"
PROBLEM = "application/problem+json"
#: The RDF formats a graph is read in, as media type → rdflib parser name.
RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
ONE = "<http://example.org/s> <http://example.org/p> 1 , 2 ."
TWO = '<http://example.org/s> <http://example.org/p> "two" . <http://example.org/t> <http://example.org/p> <http://example.org/s> .'


def graph_of(response: requests.Response) -> rdflib.Graph:
    """The body of ``response`` parsed as the RDF format its Content-Type names."""
    media_type = response.headers["Content-Type"].split(";")[0]
    return rdflib.Graph().parse(data=response.content, format=RDFLIB[media_type])


def turtle(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def write(server: Server, method: str, body: str = "", *, media: str = "text/turtle", token: str | None = None, **params):
    """A write to /store with the update token (or ``token``), ``body`` sent as ``media``; ``default=""`` names the default graph."""
    headers = {"Authorization": f"Bearer {token or server.token}", "Content-Type": media}
    return requests.request(method, server.url + "/store", params=params, data=body.encode(), headers=headers)


def read(server: Server, graph: str, **params) -> requests.Response:
    return requests.get(server.url + "/store", params={"graph": graph, **params}, headers={"Accept": "application/n-triples"})


@pytest.fixture(scope="module")
def constructed(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> rdflib.Graph:
    """The entities graph as a SPARQL CONSTRUCT over /sparql gives it, from a server whose row cap exceeds the graph."""
    store = Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("uncapped") / "store"))
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}"
    with running_server(store) as uncapped:
        response = requests.post(uncapped.sparql(), data={"query": query}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and "X-SPARQL-MaxRows" not in response.headers
    return graph_of(response)


@pytest.fixture(scope="module")
def kept(server: Server):
    """A graph of this module's own holding ``TWO``, which every refused write must leave as it is."""
    iri = f"http://example.org/graphstore/kept-{uuid.uuid4()}"
    assert write(server, "PUT", TWO, graph=iri).status_code == 201
    yield iri
    write(server, "DELETE", graph=iri)


@pytest.fixture
def graph(server: Server):
    """The IRI of a graph of this test's own under http://example.org/, dropped afterwards."""
    iri = f"http://example.org/graphstore/{uuid.uuid4()}"
    yield iri
    write(server, "DELETE", graph=iri)


@pytest.mark.parametrize("media_type", list(RDFLIB))
def test_get_by_accept_gives_the_graph_as_construct_does(server, constructed, media_type):
    response = requests.get(server.url + "/store", params={"graph": ENTITIES}, headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert rdflib.compare.isomorphic(graph_of(response), constructed)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml")],
)
def test_get_by_format_gives_the_graph_as_construct_does(server, constructed, name, media_type):
    response = requests.get(server.url + "/store", params={"graph": ENTITIES, "format": name}, headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert rdflib.compare.isomorphic(graph_of(response), constructed)


@pytest.mark.parametrize(
    ("params", "accept"),
    [({}, None), ({"format": "nt"}, None), ({"format": "jsonld"}, "text/turtle"), ({}, "application/rdf+xml"),
     ({"format": "csv"}, None), ({"format": "bogus"}, None), ({}, "text/csv")],
)
def test_head_gives_the_status_and_headers_of_get_without_a_body(server, params, accept):
    url, query, headers = server.url + "/store", {"graph": ENTITIES, **params}, {"Accept": accept} if accept else {}
    head, get = requests.head(url, params=query, headers=headers), requests.get(url, params=query, headers=headers)
    assert (head.status_code, head.headers["Content-Type"]) == (get.status_code, get.headers["Content-Type"])
    assert head.content == b""


def test_head_states_no_length_other_than_that_of_get(server):
    """RFC 9110 §8.6: a Content-Length in answer to HEAD must be the length GET would send."""
    url, query = server.url + "/store", {"graph": ENTITIES}
    head, get = requests.head(url, params=query), requests.get(url, params=query)
    assert head.headers.get("Content-Length", str(len(get.content))) == str(len(get.content))


@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE"])
def test_missing_graph_is_404_problem(server, graph, method):
    response = requests.request(method, server.url + "/store", params={"graph": graph}, headers={"Authorization": f"Bearer {server.token}"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM
    if method != "HEAD":
        assert response.json()["status"] == 404


def test_put_creates_a_graph_found_at_its_location(server, graph):
    response = write(server, "PUT", ONE, graph=graph)
    assert response.status_code == 201
    assert rdflib.compare.isomorphic(graph_of(requests.get(response.headers["Location"], headers={"Accept": "text/turtle"})), turtle(ONE))


@pytest.mark.parametrize("suffix", ["?a=1&b=2", "#part", "/caf%C3%A9", "/é", "/a%20b"])
def test_location_names_graphs_whose_iri_needs_escaping(server, graph, suffix):
    iri = graph + suffix
    location = write(server, "PUT", ONE, graph=iri).headers["Location"]
    try:
        assert rdflib.compare.isomorphic(graph_of(requests.get(location, headers={"Accept": "text/turtle"})), turtle(ONE))
    finally:
        write(server, "DELETE", graph=iri)


@pytest.mark.parametrize("media", ["text/turtle", "text/turtle; charset=utf-8", "application/n-triples", "application/rdf+xml"])
def test_put_takes_every_graph_format(server, graph, media):
    body = turtle(TWO).serialize(format={"text/turtle": "turtle", **RDFLIB}[media.split(";")[0]])
    assert write(server, "PUT", body, media=media, graph=graph).status_code == 201
    assert rdflib.compare.isomorphic(graph_of(read(server, graph)), turtle(TWO))


def test_put_of_a_body_past_the_size_limit_is_413(server, graph):
    body = "".join(f'<http://example.org/s> <http://example.org/p> "{n:0>60}" .\n' for n in range(4000))
    assert write(server, "PUT", body, graph=graph).status_code == 413
    assert read(server, graph).status_code == 404


def test_put_replaces_an_existing_graph(server, graph):
    write(server, "PUT", ONE, graph=graph)
    assert write(server, "PUT", TWO, graph=graph).status_code == 204
    assert rdflib.compare.isomorphic(graph_of(read(server, graph)), turtle(TWO))


@pytest.mark.parametrize("existing", [False, True])
def test_put_of_an_empty_body_leaves_an_empty_graph(server, graph, existing):
    if existing:
        write(server, "PUT", ONE, graph=graph)
    assert write(server, "PUT", "", graph=graph).status_code == (204 if existing else 201)
    response = read(server, graph)
    assert response.status_code == 200 and len(graph_of(response)) == 0


def test_post_merges_into_an_existing_graph(server, graph):
    write(server, "PUT", ONE, graph=graph)
    assert write(server, "POST", TWO, graph=graph).status_code == 204
    assert rdflib.compare.isomorphic(graph_of(read(server, graph)), turtle(ONE) + turtle(TWO))


def test_post_creates_a_missing_graph_found_at_its_location(server, graph):
    response = write(server, "POST", TWO, graph=graph)
    assert response.status_code == 201
    assert rdflib.compare.isomorphic(graph_of(requests.get(response.headers["Location"], headers={"Accept": "text/turtle"})), turtle(TWO))


def test_post_to_the_store_creates_a_new_graph_found_at_its_location(own_server):
    response = write(own_server, "POST", TWO)
    assert response.status_code == 201
    assert rdflib.compare.isomorphic(graph_of(requests.get(response.headers["Location"], headers={"Accept": "text/turtle"})), turtle(TWO))


def test_delete_drops_the_graph(server, graph):
    write(server, "PUT", ONE, graph=graph)
    assert write(server, "DELETE", graph=graph).status_code == 204
    assert read(server, graph).status_code == 404


def test_default_graph_is_replaced_and_read(own_server):
    assert write(own_server, "PUT", ONE, default="").status_code in (201, 204)
    response = requests.get(own_server.url + "/store?default", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and rdflib.compare.isomorphic(graph_of(response), turtle(ONE))


def test_blank_nodes_of_a_put_body_are_stored(server, graph):
    body = "<http://example.org/s> <http://example.org/p> [ <http://example.org/q> _:b ] . _:b <http://example.org/r> 1 ."
    write(server, "PUT", body, graph=graph)
    stored = graph_of(read(server, graph))
    assert rdflib.compare.isomorphic(stored, turtle(body))


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
@pytest.mark.parametrize(("authorization", "status"), [(None, 401), ("Bearer wrong-token", 403), ("Basic dXNlcjpwYXNz", 401)])
def test_writes_need_the_update_token(server, kept, method, authorization, status):
    headers = {"Content-Type": "text/turtle", **({"Authorization": authorization} if authorization else {})}
    response = requests.request(method, server.url + "/store", params={"graph": kept}, data=ONE, headers=headers)
    assert response.status_code == status
    assert response.headers["Content-Type"] == PROBLEM
    assert rdflib.compare.isomorphic(graph_of(read(server, kept)), turtle(TWO))


def test_a_write_without_token_is_told_how_to_authenticate(server, graph):
    response = requests.put(server.url + "/store", params={"graph": graph}, data=ONE, headers={"Content-Type": "text/turtle"})
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize("media", ["application/trig", "application/n-quads", "text/plain", "application/json", ""])
def test_put_refuses_content_types_that_are_not_graph_formats(server, graph, media):
    response = write(server, "PUT", ONE, media=media, graph=graph)
    assert response.status_code == 415
    assert read(server, graph).status_code == 404


@pytest.mark.parametrize(
    ("media", "body", "line"),
    [
        ("text/turtle", '<http://example.org/s> <http://example.org/p> "unterminated .', 1),
        ("text/turtle", "@prefix ex: <http://example.org/> .\nex:s ex:p ex:o .\nex:s undeclared:p ex:o .", 3),
        ("application/n-triples", '<http://example.org/s> <http://example.org/p> "x" .\n<http://example.org/s> <http://example.org/p> .', 2),
    ],
)
def test_unparsable_body_is_400_with_the_parsers_position(server, graph, media, body, line):
    response = write(server, "PUT", body, media=media, graph=graph)
    assert response.status_code == 400
    assert re.search(rf"\bline {line}\b.*\bcolumns?\b", response.json()["detail"])


@pytest.mark.parametrize(
    ("method", "media", "body"),
    [
        ("PUT", "text/turtle", f"{ONE}\n<http://example.org/s> <http://example.org/p> ."),
        ("POST", "text/turtle", f"{TWO}\n<http://example.org/s> <http://example.org/p> ."),
        ("PUT", "application/n-triples", "<http://example.org/s> <http://example.org/p> <relative> ."),
        ("PUT", "application/rdf+xml", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'),
    ],
)
def test_unparsable_body_leaves_the_graph_unchanged(server, kept, method, media, body):
    assert write(server, method, body, media=media, graph=kept).status_code == 400
    assert rdflib.compare.isomorphic(graph_of(read(server, kept)), turtle(TWO))


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
def test_bad_graph_parameter_is_400_naming_it(server, method, query):
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "text/turtle"}
    response = requests.request(method, f"{server.url}/store?{query}", data=ONE, headers=headers)
    assert response.status_code == 400
    assert response.json()["parameter"] == "graph"
