"""RDF about the service and its data: the SPARQL 1.1 Service Description and the VoID description.

Counts come from the store through the :class:`~claimgraph.store.base.Store` interface, once per store generation (every write starts a new one).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pyoxigraph as ox

from claimgraph.rdf import formats
from claimgraph.store.base import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


_COUNTS = """
SELECT ?graph (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?class) AS ?classes)
WHERE { GRAPH ?graph { ?s ?p ?o BIND(IF(?p = rdf:type, ?o, ?unbound) AS ?class) } }
GROUP BY ?graph ORDER BY ?graph
""".replace("rdf:type", str(RDF_TYPE))


def graph_counts(store: Store) -> list[dict[str, object]]:
    """Per named graph: its IRI, triples, distinct subjects (entities) and classes used; cached per store generation.

    :raises QueryTimeout: if counting outlives the time limit (a store far beyond what one query can count).
    """
    return _cached_counts(store, store.generation)


@functools.lru_cache(maxsize=4)
def _cached_counts(store: Store, generation: int) -> list[dict[str, object]]:
    return [
        {"graph": row["graph"].value, "triples": int(row["triples"].value), "entities": int(row["subjects"].value),
         "classes": int(row["classes"].value)}
        for row in store.select(_COUNTS)
    ]


def _triple(subject, predicate: str, obj) -> ox.Triple:
    return ox.Triple(subject, ox.NamedNode(predicate), obj)


def void(store: Store, *, dataset_iri: str, endpoint: str, title: str, dumps: Iterable[str] = ()) -> list[ox.Triple]:
    """The VoID description: the whole dataset with its SPARQL endpoint and a ``void:dataDump`` per URL of ``dumps``
    (the whole-dataset downloads), and one subset per named graph with triple and entity counts."""
    dataset = ox.NamedNode(dataset_iri)
    counts = graph_counts(store)
    triples = [
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
        _triple(dataset, DCTERMS + "title", ox.Literal(title)),
        _triple(dataset, VOID + "sparqlEndpoint", ox.NamedNode(endpoint)),
        _triple(dataset, VOID + "triples", ox.Literal(sum(c["triples"] for c in counts))),
    ]
    triples += [_triple(dataset, VOID + "dataDump", ox.NamedNode(url)) for url in dumps]
    for count in counts:
        subset = ox.BlankNode()
        triples += [
            _triple(dataset, VOID + "subset", subset),
            ox.Triple(subset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
            _triple(subset, SD + "name", ox.NamedNode(count["graph"])),
            _triple(subset, VOID + "triples", ox.Literal(count["triples"])),
            _triple(subset, VOID + "entities", ox.Literal(count["entities"])),
            _triple(subset, VOID + "classes", ox.Literal(count["classes"])),
        ]
    return triples


def service(store: Store, *, endpoint: str, update_endpoint: str, writable: bool) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    node = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(node, RDF_TYPE, ox.NamedNode(SD + "Service")),
        _triple(node, SD + "endpoint", node),
        _triple(node, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query")),
        _triple(node, SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph")),
        _triple(node, SD + "defaultEntailmentRegime", ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
    ]
    if writable:
        triples.append(_triple(node, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Update")))
        triples.append(_triple(node, SD + "endpoint", ox.NamedNode(update_endpoint)))
    triples += [_triple(node, SD + "resultFormat", ox.NamedNode(iri)) for iri in formats.W3C_IRIS]
    dataset, default = ox.BlankNode(), ox.BlankNode()
    counts = graph_counts(store)
    triples += [
        _triple(node, SD + "defaultDataset", dataset),
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(SD + "Dataset")),
        _triple(dataset, SD + "defaultGraph", default),
        ox.Triple(default, RDF_TYPE, ox.NamedNode(SD + "Graph")),
        _triple(default, VOID + "triples", ox.Literal(sum(c["triples"] for c in counts))),
    ]
    for count in counts:
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            _triple(dataset, SD + "namedGraph", named),
            ox.Triple(named, RDF_TYPE, ox.NamedNode(SD + "NamedGraph")),
            _triple(named, SD + "name", ox.NamedNode(count["graph"])),
            _triple(named, SD + "graph", graph),
            ox.Triple(graph, RDF_TYPE, ox.NamedNode(SD + "Graph")),
            _triple(graph, VOID + "triples", ox.Literal(count["triples"])),
        ]
    return triples
