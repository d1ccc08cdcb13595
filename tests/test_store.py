"""The Store interface, one table of behaviours run over both implementations: the embedded store and the worker pool.

Real stores copied from the loaded curated store into ``tmp_path``; expected values are read from the curated data.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from claimgraph.errors import EvaluationError, NotAcceptable, StoreError
from claimgraph.model import dataset
from claimgraph.rdf import jsonld
from claimgraph.store.base import Query, Store
from claimgraph.store.embedded import EmbeddedStore
from claimgraph.store.executor import Executor
from conftest import ONTOLOGY, dump, isomorphic_datasets, select

CG = "https://w3id.org/claimgraph/ontology#"
CLAIMS = f"SELECT ?claim WHERE {{ ?claim a <{CG}Claim> }} ORDER BY ?claim"
CLAIM_TEXTS = f"CONSTRUCT {{ ?c <http://schema.org/text> ?t }} WHERE {{ ?c a <{CG}Claim> ; <http://schema.org/text> ?t }}"
NT = "application/n-triples"
JSONLD = "application/ld+json"
GRAPH = ox.NamedNode("http://example.org/test-graph")


def _open(kind: str, path: Path) -> Store:
    settings = {"prefixes": dataset.prefixes(ONTOLOGY), "context": dataset.context(ONTOLOGY)}
    if kind == "embedded":
        return EmbeddedStore(path, **settings)
    return Executor(path, workers=1, timeout=30, **settings)


@pytest.fixture(scope="module", params=["embedded", "pool"])
def reading(request, loaded_store, tmp_path_factory) -> Store:
    """A store over a copy of the loaded store, shared by the tests that only read."""
    path = Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp(request.param) / "store"))
    with _open(request.param, path) as store:
        yield store


@pytest.fixture(params=["embedded", "pool"])
def writing(request, loaded_store, tmp_path) -> Store:
    """A store of its own over a fresh copy of the loaded store, free to change."""
    with _open(request.param, Path(shutil.copytree(loaded_store, tmp_path / "store"))) as store:
        yield store


@pytest.fixture(scope="module")
def claims(data_store) -> list[str]:
    return [row["claim"] for row in select(data_store, CLAIMS)]


def test_select_gives_the_rows_of_the_data(reading, claims):
    assert [row["claim"].value for row in reading.select(CLAIMS)] == claims


@pytest.mark.parametrize("subject, expected", [("place/mechelen", True), ("place/atlantis", False)])
def test_ask(reading, subject, expected):
    assert reading.ask(f"ASK {{ <https://w3id.org/claimgraph/id/{subject}> ?p ?o }}") is expected


def test_substitutions_bind_a_projected_variable(reading, claims):
    rows = reading.select("SELECT ?claim ?t WHERE { ?claim <http://schema.org/text> ?t }", substitutions={"claim": ox.NamedNode(claims[0])})
    assert [row["claim"].value for row in rows] == [claims[0]]


@pytest.mark.parametrize(
    "sparql, form",
    [(CLAIMS, "SELECT"), ("ASK { ?s ?p ?o }", "ASK"), (CLAIM_TEXTS, "CONSTRUCT"),
     ("DESCRIBE <https://w3id.org/claimgraph/id/place/mechelen>", "DESCRIBE")],
)
def test_the_answer_names_the_form_as_the_catalog_does(reading, sparql, form):
    answer = reading.query(Query(sparql))
    assert (answer.form, answer.truncated, answer.count) == (form, False, None)
    assert answer.length == len(answer.body())


@pytest.mark.parametrize(
    "job, form",
    [(Query(CLAIMS, results_as=None), "SELECT"), (Query("ASK {}", results_as=None), "ASK"),
     (Query(CLAIM_TEXTS, graph_as=None), "CONSTRUCT"), (Query("DESCRIBE <http://example.org/x>", graph_as=None), "DESCRIBE")],
)
def test_an_unacceptable_answer_names_its_form(reading, job, form):
    with pytest.raises(NotAcceptable) as raised:
        reading.query(job)
    assert raised.value.form == form


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                        "text/tab-separated-values"])
def test_a_capped_select_keeps_the_first_rows_in_every_format(reading, claims, media_type):
    answer = reading.query(Query(CLAIMS, results_as=media_type, max_rows=2))
    assert (answer.truncated, answer.count, answer.media_type) == (True, 2, media_type)
    if media_type == "text/csv":  # lossy, so pyoxigraph does not read it back
        kept = [row["claim"] for row in csv.DictReader(io.StringIO(answer.body().decode()))]
    else:
        kept = [row["claim"].value for row in ox.parse_query_results(answer.body(), ox.QueryResultsFormat.from_media_type(media_type))]
    assert kept == claims[:2]


def test_a_cap_above_the_rows_cuts_nothing(reading, claims):
    answer = reading.query(Query(CLAIMS, max_rows=len(claims)))
    assert (answer.truncated, answer.count) == (False, len(claims))
    assert len(json.loads(answer.body())["results"]["bindings"]) == len(claims)


def test_a_capped_graph_keeps_that_many_triples(reading, claims):
    answer = reading.query(Query(CLAIM_TEXTS, graph_as=NT, max_rows=1))
    assert (answer.form, answer.truncated, answer.count) == ("CONSTRUCT", len(claims) > 1, 1)
    assert len(list(ox.parse(answer.body(), ox.RdfFormat.N_TRIPLES))) == 1


def test_a_syntax_error_keeps_its_position(reading):
    with pytest.raises(SyntaxError) as raised:
        reading.query(Query("SELECT ?x WHERE { ?x ?y }"))
    assert raised.value.msg.startswith("error at 1:26:")


def test_relative_iris_resolve_against_the_base_iri(reading):
    answer = reading.query(Query("CONSTRUCT { <s> <p> 1 } WHERE {}", graph_as=NT, base_iri="http://example.org/base/"))
    [triple] = ox.parse(answer.body(), ox.RdfFormat.N_TRIPLES)
    assert (triple.subject, triple.predicate) == (ox.NamedNode("http://example.org/base/s"), ox.NamedNode("http://example.org/base/p"))


def test_jsonld_answers_are_compacted_and_hold_the_same_graph(reading):
    compacted = json.loads(reading.query(Query(CLAIM_TEXTS, graph_as=JSONLD)).body())
    assert compacted["@context"] == dataset.context(ONTOLOGY)
    as_jsonld = rdflib.Graph().parse(data=json.dumps(compacted), format="json-ld")
    as_ntriples = rdflib.Graph().parse(data=reading.query(Query(CLAIM_TEXTS, graph_as=NT)).body(), format="nt")
    assert rdflib.compare.isomorphic(as_jsonld, as_ntriples)


def test_dump_holds_every_quad(reading, loaded_store):
    output = io.BytesIO()
    reading.dump(output, ox.RdfFormat.N_QUADS)
    assert isomorphic_datasets(output.getvalue(), dump(loaded_store))


def test_a_jsonld_dump_is_compacted(reading, loaded_store):
    output = io.BytesIO()
    reading.dump(output, ox.RdfFormat.JSON_LD)
    assert json.loads(output.getvalue())["@context"] == dataset.context(ONTOLOGY)
    back = ox.serialize(ox.parse(output.getvalue(), ox.RdfFormat.JSON_LD), format=ox.RdfFormat.N_QUADS)
    assert isomorphic_datasets(back, dump(loaded_store))


def test_stats_count_the_data(reading, loaded_store, claims):
    found = reading.stats()
    assert found.quads == len(dump(loaded_store).splitlines())
    assert found.classes[CG + "Claim"] == len(claims)
    assert not reading.is_empty()


def test_an_update_is_seen_and_starts_a_generation(writing):
    before = writing.generation
    writing.update(f"INSERT DATA {{ GRAPH {GRAPH} {{ <http://example.org/s> <http://example.org/p> 'x' }} }}")
    assert writing.generation != before
    assert writing.select(f"SELECT ?o WHERE {{ GRAPH {GRAPH} {{ ?s ?p ?o }} }}") == [{"o": ox.Literal("x")}]


def test_relative_iris_of_an_update_resolve_against_the_base_iri(writing):
    writing.update("INSERT DATA { GRAPH <g> { <s> <p> 1 } }", base_iri="http://example.org/base/")
    assert writing.ask("ASK { GRAPH <http://example.org/base/g> { <http://example.org/base/s> ?p 1 } }") is True


@pytest.mark.parametrize(
    "update, message",
    [(f"CREATE GRAPH <{dataset.ONTOLOGY_GRAPH.value}>", "already exists"), ("DROP GRAPH <http://example.org/none>", "does not exist")],
)
def test_an_update_the_store_refuses_at_run_time_is_an_evaluation_error_and_changes_nothing(writing, loaded_store, update, message):
    with pytest.raises(EvaluationError, match=message):
        writing.update(update)
    output = io.BytesIO()
    writing.dump(output, ox.RdfFormat.N_QUADS)
    assert isomorphic_datasets(output.getvalue(), dump(loaded_store))


def test_replace_graphs_makes_a_graph_hold_exactly_the_quads(writing):
    quads = [ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(str(n)), GRAPH) for n in range(2)]
    writing.replace_graphs(quads)
    writing.replace_graphs(quads[:1])
    assert writing.select(f"SELECT ?o WHERE {{ GRAPH {GRAPH} {{ ?s ?p ?o }} }}") == [{"o": ox.Literal("0")}]


def test_a_read_only_store_refuses_updates(loaded_store, tmp_path):
    store = EmbeddedStore(Path(shutil.copytree(loaded_store, tmp_path / "store")), read_only=True)
    with pytest.raises(StoreError, match="is open read-only; nothing was changed"):
        store.update("CLEAR ALL")
    assert not store.is_empty()


def test_a_closed_store_answers_nothing(loaded_store, tmp_path):
    store = EmbeddedStore(Path(shutil.copytree(loaded_store, tmp_path / "store")))
    store.close()
    with pytest.raises(StoreError, match="is closed"):
        store.ask("ASK {}")


#: a CONSTRUCT whose answer nests blank nodes deeper than rdflib's JSON-LD compaction can recurse.
DEEP = ("CONSTRUCT { <http://example.org/s> <http://example.org/p> _:b0 . "
        + " . ".join(f"_:b{n} <http://example.org/p> _:b{n + 1}" for n in range(1500)) + " } WHERE {}")
#: a CONSTRUCT whose one triple has an RDF 1.2 triple term as its object.
TRIPLE_TERM = ("CONSTRUCT { <http://example.org/s> <http://example.org/says> "
               "<<( <http://example.org/s> <http://example.org/p> <http://example.org/o> )>> } WHERE {}")


def test_a_recursion_error_is_a_bug_not_the_requests_fault(reading):
    with pytest.raises(RecursionError):
        reading.query(Query(DEEP, graph_as=JSONLD))


@pytest.mark.parametrize("max_rows", [None, 10])
def test_a_triple_term_has_no_jsonld_representation(reading, max_rows):
    with pytest.raises(NotAcceptable) as raised:
        reading.query(Query(TRIPLE_TERM, graph_as=JSONLD, max_rows=max_rows))
    assert (raised.value.form, raised.value.reason) == (None, jsonld.TRIPLE_TERMS)


def test_a_triple_term_is_answered_in_turtle(reading):
    answer = reading.query(Query(TRIPLE_TERM, graph_as="text/turtle"))
    said = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/o"))
    assert list(ox.parse(answer.body(), ox.RdfFormat.TURTLE)) == [
        ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/says"), said, ox.DefaultGraph())]
