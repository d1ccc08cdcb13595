"""`claimgraph query`, `export` and `stats` against a loaded store, and their errors."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from claimgraph.store.embedded import EmbeddedStore
from conftest import dump, isomorphic_datasets

CLAIMS = "SELECT ?claim WHERE { ?claim a <https://w3id.org/claimgraph/ontology#Claim> }"


@pytest.fixture(scope="module")
def claim_count(loaded_store) -> int:
    return len(EmbeddedStore(loaded_store, read_only=True).select(CLAIMS))


@pytest.fixture(scope="module")
def nquads(loaded_store) -> bytes:
    return dump(loaded_store)


def test_query_prints_a_table_with_prefixed_iris(cli, loaded_store, claim_count):
    result = cli("query", CLAIMS + " ORDER BY ?claim", store=loaded_store)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "claim"
    assert "id:claim/dw-2017-mechelen/mechelen-population" in lines
    assert lines[-1] == f"({claim_count} rows)"


@pytest.mark.parametrize("format_name", ["json", "tsv", "xml"])
def test_query_writes_standard_result_formats(cli, loaded_store, claim_count, format_name):
    result = cli("query", CLAIMS, "--format", format_name, store=loaded_store)
    assert result.returncode == 0, result.stderr
    parsed = ox.parse_query_results(result.stdout.encode(), ox.QueryResultsFormat.from_extension(format_name))
    assert len(list(parsed)) == claim_count


def test_query_writes_csv(cli, loaded_store, claim_count):
    result = cli("query", CLAIMS, "--format", "csv", store=loaded_store)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == claim_count and rows[0]["claim"].startswith("https://w3id.org/claimgraph/id/claim/")


@pytest.mark.parametrize("subject, answer", [("place/mechelen", "true"), ("place/atlantis", "false")])
def test_query_reads_a_file_and_answers_ask(cli, loaded_store, tmp_path, subject, answer):
    query = tmp_path / "q.rq"
    query.write_text(f"ASK {{ <https://w3id.org/claimgraph/id/{subject}> ?p ?o }}")
    result = cli("query", "--file", str(query), store=loaded_store)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == answer


def test_query_construct_gives_turtle(cli, loaded_store):
    result = cli(
        "query",
        "CONSTRUCT { ?s <http://schema.org/name> ?n } WHERE { ?s a <http://schema.org/City> ; <http://schema.org/name> ?n }",
        store=loaded_store,
    )
    assert result.returncode == 0, result.stderr
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert rdflib.Literal("Mechelen", lang="en") in set(graph.objects())


def test_query_csv_has_the_claim_text(cli, loaded_store):
    result = cli(
        "query",
        "SELECT ?text WHERE { <https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/mechelen-population> <http://schema.org/text> ?text }",
        "--format",
        "csv",
        store=loaded_store,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [{"text": "Mechelen has 86,000 inhabitants."}]


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["query", "SELECT ?x WHERE { ?x ?y }"], 1, "query syntax error"),
        (["query", "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"], 1, "query failed"),
        (["query", CLAIMS, "--format", "turtle"], 2, "unknown results format 'turtle'"),
        (["query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"], 2, "unknown RDF format 'csv'"),
        (["query"], 2, "give the query as an argument or with --file"),
        (["export", "--format", "yaml"], 2, "unknown RDF format 'yaml'"),
        (["export", "--output", "no/such/folder/dump.nq"], 1, "no/such/folder/dump.nq"),
    ],
)
def test_bad_requests_get_a_clear_error(cli, loaded_store, args, status, message):
    result = cli(*args, store=loaded_store)
    assert result.returncode == status, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_query_reads_stdin(cli, loaded_store, claim_count):
    result = cli("query", "--file", "-", "--format", "json", store=loaded_store, stdin=CLAIMS)
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["results"]["bindings"]) == claim_count


def test_construct_as_jsonld_is_compacted(cli, loaded_store):
    result = cli(
        "query",
        "CONSTRUCT { ?c <http://schema.org/text> ?t } WHERE { ?c a <https://w3id.org/claimgraph/ontology#Claim> ; <http://schema.org/text> ?t }",
        "--format",
        "jsonld",
        store=loaded_store,
    )
    document = json.loads(result.stdout)
    assert "text" in document["@graph"][0]


def test_a_missing_store_is_named(cli, tmp_path):
    result = cli("stats", store=tmp_path / "nowhere")
    assert result.returncode == 1
    assert f"no store at {tmp_path / 'nowhere'}" in result.stderr
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("format_name", ["nquads", "trig", "jsonld"])
def test_export_then_load_gives_the_same_dataset(cli, loaded_store, nquads, tmp_path, format_name):
    out = tmp_path / f"dump.{format_name}"
    result = cli("export", "--format", format_name, "--output", str(out), store=loaded_store)
    assert result.returncode == 0, result.stderr
    fresh = ox.Store()
    fresh.load(path=str(out), format={"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}[format_name])
    assert isomorphic_datasets(ox.serialize(fresh, format=ox.RdfFormat.N_QUADS), nquads)


@pytest.mark.parametrize("format_name, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml")])
def test_export_without_named_graphs_gives_the_union(cli, loaded_store, nquads, format_name, rdflib_format):
    result = cli("export", "--format", format_name, store=loaded_store)
    exported = rdflib.Graph().parse(data=result.stdout, format=rdflib_format)
    union = rdflib.Graph()
    for graph in rdflib.Dataset().parse(data=nquads, format="nquads").graphs():
        union += graph
    assert rdflib.compare.isomorphic(exported, union)


def test_jsonld_export_reads_naturally(cli, loaded_store):
    document = json.loads(cli("export", "--format", "jsonld", store=loaded_store).stdout)
    assert document["@context"]["Claim"] == "cg:Claim"
    nodes = [node for graph in document["@graph"] for node in graph.get("@graph", [])]
    claim = next(node for node in nodes if node["@id"].endswith("claim/dw-2017-mechelen/mechelen-population"))
    assert claim["@type"] == "Claim" and claim["text"]["@value"] == "Mechelen has 86,000 inhabitants."


def test_turtle_export_uses_the_project_prefixes(cli, loaded_store):
    result = cli("export", "--format", "turtle", store=loaded_store)
    assert "@prefix cg: <https://w3id.org/claimgraph/ontology#> ." in result.stdout


def test_stats_counts_graphs_and_classes(cli, loaded_store, claim_count, nquads):
    result = cli("stats", store=loaded_store)
    assert result.returncode == 0, result.stderr
    graphs = {quad.graph_name for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS)}
    assert f"{len(nquads.splitlines())} quads in {len(graphs)} named graphs" in result.stdout
    assert any(line.split() == [str(claim_count), "cg:Claim"] for line in result.stdout.splitlines())


def test_serve_without_a_store_says_to_load_first(cli, tmp_path):
    result = cli("serve", "--port", "1", store=tmp_path / "missing")
    assert result.returncode == 1
    assert "no store at" in result.stderr and "claimgraph load" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "missing").exists()
