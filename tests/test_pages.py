"""The home page, the VoID description and the health check, in process through the test client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
from conftest import body, media_type, page, solutions
from rdflib.namespace import RDF, VOID

SD_NAME = rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name")
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RDFLIB = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


def home_links(service) -> list[str]:
    """Every link of the home page (``a`` and ``link``), as absolute URLs."""
    response = service.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return page(response).hrefs("a", "link")


def select(service, query: str) -> list[dict[str, str]]:
    response = service.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert "X-SPARQL-MaxRows" not in response.headers
    return solutions(response)


def void(service, accept: str | None = None) -> tuple[rdflib.Graph, rdflib.URIRef]:
    """The VoID description parsed, and its dataset (the void:Dataset that has a SPARQL endpoint)."""
    response = service.get("/.well-known/void", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=body(response), format=RDFLIB[media_type(response)])
    [dataset] = set(graph.subjects(VOID.sparqlEndpoint, None))
    return graph, dataset


def subsets(graph: rdflib.Graph, dataset: rdflib.URIRef) -> dict[str, tuple[int, int]]:
    """Per subset of ``dataset``: its graph name → (void:triples, void:entities)."""
    return {
        str(graph.value(subset, SD_NAME)): (graph.value(subset, VOID.triples).toPython(), graph.value(subset, VOID.entities).toPython())
        for subset in graph.objects(dataset, VOID.subset)
    }


def counted(service) -> dict[str, tuple[int, int]]:
    """Per named graph, counted over /sparql: graph → (triples, distinct subjects)."""
    return {row["g"]: (int(row["triples"]), int(row["entities"])) for row in select(service, PER_GRAPH)}


@pytest.mark.parametrize("path", ["/sparql", "/queries", "/openapi.json", "/.well-known/void", "/healthz", "/store"])
def test_home_links_every_endpoint(app, path):
    assert path in {urlsplit(link).path for link in home_links(app)}


def test_every_link_on_home_answers_200(app):
    links = home_links(app)
    assert {link: app.get(link).status_code for link in links} == dict.fromkeys(links, 200)


def test_home_links_the_store_for_every_named_graph(app):
    linked = [urlsplit(link) for link in home_links(app)]
    assert {graph for link in linked if link.path == "/store" for graph in parse_qs(link.query).get("graph", [])} == set(counted(app))


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [(None, "text/turtle"), ("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
     ("application/rdf+xml", "application/rdf+xml")],
)
def test_void_is_rdf_by_negotiation(app, accept, wanted):
    response = app.get("/.well-known/void", headers={"Accept": accept} if accept else {})
    assert (response.status_code, media_type(response)) == (200, wanted)
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(("name", "wanted"), [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml")])
def test_void_answers_in_the_format_named_over_accept(app, name, wanted):
    response = app.get("/.well-known/void", params={"format": name}, headers={"Accept": "text/turtle;q=0.1"})
    assert (response.status_code, media_type(response)) == (200, wanted)
    graph = rdflib.Graph().parse(data=body(response), format=RDFLIB[wanted])
    assert graph.value(predicate=VOID.sparqlEndpoint, object=rdflib.URIRef(app.sparql())) == rdflib.URIRef(app.url + "/.well-known/void")


@pytest.mark.parametrize("name", ["csv", "bogus"])
def test_void_refuses_a_format_that_is_not_rdf_naming_format(app, name):
    response = app.get("/.well-known/void", params={"format": name})
    assert (response.status_code, response.json["parameter"]) == (400, "format")
    assert response.json["detail"] == (f"parameter 'format': unknown or unsuitable format {name!r} here; "
                                       "use one of: html, json, json-ld, jsonld, nq, nquads, nt, ntriples, rdf, rdf+xml, rdfxml, trig, ttl, turtle, xml")


@pytest.mark.parametrize("accept", list(RDFLIB))
def test_void_describes_a_dataset_with_its_sparql_endpoint(app, accept):
    graph, dataset = void(app, accept)
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(app.sparql())


def test_void_total_triples_is_the_number_of_quads(app):
    graph, dataset = void(app)
    [row] = select(app, QUADS)
    assert graph.value(dataset, VOID.triples).toPython() == int(row["n"])


def test_void_has_one_subset_per_named_graph_with_its_counts(app):
    assert subsets(*void(app)) == counted(app)


def test_void_subsets_are_datasets(app):
    graph, dataset = void(app)
    assert all((subset, RDF.type, VOID.Dataset) in graph for subset in graph.objects(dataset, VOID.subset))


def test_healthz_is_ok(app):
    response = app.get("/healthz")
    assert (response.status_code, response.text.strip()) == (200, "ok")


def test_void_counts_follow_a_write(own_app):
    before = subsets(*void(own_app))
    graph = "http://example.org/pages/new"
    turtle = "<http://example.org/s> <http://example.org/p> 1 , 2 . <http://example.org/t> <http://example.org/p> 3 ."
    response = own_app.request("PUT", "/store", params={"graph": graph}, data=turtle,
                               headers={"Authorization": f"Bearer {own_app.token}", "Content-Type": "text/turtle"})
    assert response.status_code == 201
    assert subsets(*void(own_app)) == {**before, graph: (3, 2)}
