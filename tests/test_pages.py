"""The home page, the VoID description and the health check, over real HTTP."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import rdflib
import requests
from rdflib.namespace import RDF, VOID

from conftest import Server

SD_NAME = rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#name")
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RDFLIB = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link") and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def home_links(server: Server) -> list[str]:
    """Every link of the home page (``a`` and ``link``), as absolute URLs."""
    response = requests.get(server.url + "/", headers={"Accept": "text/html"})
    assert response.headers["Content-Type"].startswith("text/html")
    parser = _Links()
    parser.feed(response.text)
    return [urljoin(response.url, href) for href in parser.hrefs]


def select(server: Server, query: str) -> list[dict[str, str]]:
    response = requests.get(server.sparql(), params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert "X-SPARQL-MaxRows" not in response.headers
    return [{var: term["value"] for var, term in row.items()} for row in response.json()["results"]["bindings"]]


def void(server: Server, accept: str | None = None) -> tuple[rdflib.Graph, rdflib.URIRef]:
    """The VoID description parsed, and its dataset (the void:Dataset that has a SPARQL endpoint)."""
    response = requests.get(server.url + "/.well-known/void", headers={"Accept": accept} if accept else {})
    graph = rdflib.Graph().parse(data=response.content, format=RDFLIB[response.headers["Content-Type"].split(";")[0]])
    [dataset] = set(graph.subjects(VOID.sparqlEndpoint, None))
    return graph, dataset


def subsets(graph: rdflib.Graph, dataset: rdflib.URIRef) -> dict[str, tuple[int, int]]:
    """Per subset of ``dataset``: its graph name → (void:triples, void:entities)."""
    return {
        str(graph.value(subset, SD_NAME)): (graph.value(subset, VOID.triples).toPython(), graph.value(subset, VOID.entities).toPython())
        for subset in graph.objects(dataset, VOID.subset)
    }


def counted(server: Server) -> dict[str, tuple[int, int]]:
    """Per named graph, counted over /sparql: graph → (triples, distinct subjects)."""
    return {row["g"]: (int(row["triples"]), int(row["entities"])) for row in select(server, PER_GRAPH)}


@pytest.mark.parametrize("path", ["/sparql", "/queries", "/openapi.json", "/.well-known/void", "/healthz", "/store"])
def test_home_links_every_endpoint(server, path):
    assert path in {urlsplit(link).path for link in home_links(server)}


def test_every_link_on_home_answers_200(server):
    statuses = {link: requests.get(link).status_code for link in home_links(server)}
    assert {link: status for link, status in statuses.items() if status != 200} == {}


def test_home_links_the_store_for_every_named_graph(server):
    linked = [urlsplit(link) for link in home_links(server)]
    assert {graph for link in linked if link.path == "/store" for graph in parse_qs(link.query).get("graph", [])} == set(counted(server))


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [(None, "text/turtle"), ("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
     ("application/rdf+xml", "application/rdf+xml")],
)
def test_void_is_rdf_by_negotiation(server, accept, wanted):
    response = requests.get(server.url + "/.well-known/void", headers={"Accept": accept} if accept else {})
    assert response.headers["Content-Type"].split(";")[0] == wanted
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept", list(RDFLIB))
def test_void_describes_a_dataset_with_its_sparql_endpoint(server, accept):
    graph, dataset = void(server, accept)
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(server.sparql())


def test_void_total_triples_is_the_number_of_quads(server):
    graph, dataset = void(server)
    [row] = select(server, QUADS)
    assert graph.value(dataset, VOID.triples).toPython() == int(row["n"])


def test_void_has_one_subset_per_named_graph_with_its_counts(server):
    assert subsets(*void(server)) == counted(server)


def test_void_subsets_are_datasets(server):
    graph, dataset = void(server)
    assert all((subset, RDF.type, VOID.Dataset) in graph for subset in graph.objects(dataset, VOID.subset))


def test_healthz_is_ok(server):
    response = requests.get(server.url + "/healthz")
    assert (response.status_code, response.text.strip()) == (200, "ok")


def test_void_counts_follow_a_write(own_server):
    before = subsets(*void(own_server))
    graph = "http://example.org/pages/new"
    body = "<http://example.org/s> <http://example.org/p> 1 , 2 . <http://example.org/t> <http://example.org/p> 3 ."
    response = requests.put(own_server.url + "/store", params={"graph": graph}, data=body,
                            headers={"Authorization": f"Bearer {own_server.token}", "Content-Type": "text/turtle"})
    assert response.status_code == 201
    assert subsets(*void(own_server)) == {**before, graph: (3, 2)}
