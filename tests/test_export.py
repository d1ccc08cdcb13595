"""Exports (/export): whole-dataset dumps, per-source dumps, the claims as CSV and as schema.org Claim items, and the
VoID description naming the dumps; every download through a real gunicorn server, with requests and with curl."""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
from pathlib import Path

import pandas
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
import requests
from claimgraph.rdf import formats
from werkzeug.http import parse_options_header

from conftest import (
    CG,
    TOKEN,
    answered,
    body,
    as_dataset,
    copy_of,
    dump,
    isomorphic_datasets,
    media_type,
    page,
    problem,
    running_server,
)

SCHEMA = rdflib.Namespace("http://schema.org/")
CG = "https://w3id.org/claimgraph/ontology#"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
QUAD_EXTENSIONS = ("nq", "trig")
TRIPLE_EXTENSIONS = ("ttl", "nt", "jsonld", "rdf")
EXTENSIONS = TRIPLE_EXTENSIONS + QUAD_EXTENSIONS
COLUMNS = ["claim", "text", "kind", "voice", "speaker", "speaker_iri", "city", "policy", "outcome",
           "quote", "start", "end", "source_url", "date_published"]
SEPARATOR = " | "
#: The terms of schema.org's published context (https://schema.org/docs/jsonldcontext.json) that the claims export
#: uses, given here as data: a parser with no network reads the export as a consumer that knows the context does.
SCHEMA_ORG_CONTEXT = {
    "@vocab": "http://schema.org/",
    "schema": "http://schema.org/",
    "url": {"@id": "schema:url", "@type": "@id"},
    "datePublished": {"@id": "schema:datePublished", "@type": "Date"},
}


@pytest.fixture(scope="module")
def exports(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """A server of this module's own over a copy of the curated store, which no test here writes to."""
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("exports"))) as running:
        yield running


@pytest.fixture(scope="module")
def curated_nquads(loaded_store: Path) -> bytes:
    return dump(loaded_store)


@pytest.fixture(scope="module")
def data(curated_nquads: bytes) -> rdflib.Dataset:
    """The curated data read by rdflib, its default graph the union of the named graphs."""
    found = rdflib.Dataset(default_union=True)
    found.parse(data=curated_nquads, format="nquads")
    return found


def rows(graph: rdflib.Graph, sparql: str) -> list[dict[str, str]]:
    prologue = f"PREFIX cg: <{CG}>\nPREFIX schema: <{SCHEMA}>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
    result = graph.query(prologue + sparql)
    return [{str(name): str(value) for name, value in row.asdict().items()} for row in result]


def union_graph(nquads: bytes) -> rdflib.Graph:
    """The union of the graphs of ``nquads``, each triple once."""
    triples = {(quad.subject, quad.predicate, quad.object) for quad in ox.parse(nquads, ox.RdfFormat.N_QUADS)}
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize([ox.Triple(*triple) for triple in triples], format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def parsed_graph(body: bytes, extension: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=body, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}[extension])
    return graph


def as_nquads(body: bytes, extension: str) -> bytes:
    return ox.serialize(ox.parse(body, ox.RdfFormat.from_extension(extension)), format=ox.RdfFormat.N_QUADS)


def source_graphs(data: rdflib.Dataset) -> list[str]:
    """The graphs holding claims or an archived source, as the data has them."""
    found = data.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {{ ?c a <{CG}Claim> }} UNION {{ ?s <{CG}archivedText> ?t }} }} }}"
    )
    return sorted(str(row.g) for row in found)


def filename(response) -> str:
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    return options["filename"]


# ---------------------------------------------------------------- the list


def test_the_list_names_every_export_with_its_media_type_and_size(exports, data, curated_nquads, claims):
    listed = answered(exports.get("/export", headers={"Accept": "application/json"})).json()
    by_name = {export["name"]: export for export in listed["exports"]}
    sources = [graph.rsplit("/", 1)[-1] for graph in source_graphs(data)]
    assert set(by_name) == {
        *(f"dataset.{extension}" for extension in EXTENSIONS),
        *(f"sources/{name}.{extension}" for name in sources for extension in EXTENSIONS),
        "claims.csv", "claims.jsonld",
    }
    assert by_name["dataset.nq"]["size"] == len(list(ox.parse(curated_nquads, ox.RdfFormat.N_QUADS)))
    assert by_name["dataset.ttl"]["size"] == len(union_graph(curated_nquads))
    assert by_name["claims.csv"]["size"] == claims
    assert listed["csv_separator"] == SEPARATOR
    for export in listed["exports"]:
        response = answered(requests.head(export["url"], timeout=30))
        assert parse_options_header(response.headers["Content-Type"])[0] == parse_options_header(export["media_type"])[0]


def test_the_list_page_links_every_download(exports):
    listed = answered(exports.get("/export", headers={"Accept": "application/json"})).json()
    found = page(answered(exports.get("/export", headers={"Accept": "text/html"})))
    assert set(found.hrefs("a")) >= {export["url"] for export in listed["exports"]}
    assert "claims.csv" in found.text


def test_the_list_is_refused_in_a_format_it_has_not(exports):
    response = answered(exports.get("/export", headers={"Accept": "text/turtle"}), 406)
    assert problem(response)["status"] == 406


def test_the_home_page_links_to_the_exports(exports):
    assert exports.url + "/export" in page(answered(exports.get("/", headers={"Accept": "text/html"}))).hrefs("a")


# ---------------------------------------------------------------- whole-dataset dumps


@pytest.mark.parametrize("extension", QUAD_EXTENSIONS)
def test_a_quad_dump_holds_every_named_graph(exports, curated_nquads, extension):
    response = answered(exports.get(f"/export/dataset.{extension}"))
    assert media_type(response) == ox.RdfFormat.from_extension(extension).media_type
    assert filename(response) == f"claimgraph-dataset.{extension}"
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert isomorphic_datasets(as_nquads(response.content, extension), curated_nquads)


@pytest.mark.parametrize("extension", TRIPLE_EXTENSIONS)
def test_a_triple_dump_holds_the_union_of_the_graphs(exports, curated_nquads, extension):
    response = answered(exports.get(f"/export/dataset.{extension}"))
    assert media_type(response) == ox.RdfFormat.from_extension(extension).media_type
    assert filename(response) == f"claimgraph-dataset.{extension}"
    assert rdflib.compare.isomorphic(parsed_graph(response.content, extension), union_graph(curated_nquads))


def test_the_dump_formats_are_those_of_the_format_table():
    assert {row.format.file_extension for row in formats.of_kind(formats.GRAPHS)} == set(EXTENSIONS)


def test_a_download_by_curl_has_its_headers_and_parses(exports, curated_nquads, tmp_path):
    target = tmp_path / "dataset.trig"
    done = subprocess.run(["curl", "-sS", "-D", "-", "-o", str(target), exports.url + "/export/dataset.trig"],
                          capture_output=True, text=True, timeout=60, check=True)
    status, *lines = done.stdout.strip().splitlines()
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    assert status.split()[1] == "200"
    assert parse_options_header(headers["content-type"])[0] == "application/trig"
    assert parse_options_header(headers["content-disposition"]) == ("attachment", {"filename": "claimgraph-dataset.trig"})
    assert headers["etag"].startswith('W/"')
    assert int(headers["content-length"]) == target.stat().st_size
    assert isomorphic_datasets(as_nquads(target.read_bytes(), "trig"), curated_nquads)


def test_a_client_holding_the_etag_gets_304_and_head_gets_the_headers(exports):
    first = answered(exports.get("/export/dataset.ttl"))
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = answered(exports.get("/export/dataset.ttl", headers={"If-None-Match": etag}), 304)
    assert (again.content, again.headers["ETag"]) == (b"", etag)
    head = answered(exports.request("HEAD", "/export/dataset.ttl"))
    assert (head.content, head.headers["ETag"], media_type(head)) == (b"", etag, "text/turtle")
    assert filename(head) == "claimgraph-dataset.ttl"


def test_the_etag_changes_with_a_write_and_not_otherwise(own_server):
    etag = answered(own_server.get("/export/dataset.nq")).headers["ETag"]
    assert answered(own_server.get("/export/dataset.nq")).headers["ETag"] == etag
    answered(own_server.get("/export/dataset.nq", headers={"If-None-Match": etag}), 304)
    insert = 'INSERT DATA { GRAPH <urn:test:export> { <urn:test:s> <urn:test:p> "written" } }'
    answered(own_server.post("/update", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)
    after = answered(own_server.get("/export/dataset.nq", headers={"If-None-Match": etag}))
    assert after.headers["ETag"] != etag
    assert "urn:test:export" in as_dataset(after.content)
    answered(own_server.get("/export/dataset.nq", headers={"If-None-Match": after.headers["ETag"]}), 304)
    assert answered(own_server.get("/export/claims.csv", headers={"If-None-Match": etag})).headers["ETag"] == after.headers["ETag"]


def test_an_etag_of_an_earlier_run_does_not_match(loaded_store, tmp_path):
    store = copy_of(loaded_store, tmp_path)
    with running_server(store) as first:
        etag = answered(first.get("/export/dataset.ttl")).headers["ETag"]
    with running_server(store) as second:
        assert answered(second.get("/export/dataset.ttl", headers={"If-None-Match": etag})).headers["ETag"] != etag


@pytest.mark.parametrize(("path", "offered"), [
    ("/export/dataset.xyz", [f".{extension}" for extension in EXTENSIONS]),
    ("/export/claims.xml", [".csv", ".jsonld"]),
])
def test_an_unknown_extension_is_404_naming_the_ones_offered(exports, path, offered):
    detail = problem(answered(exports.get(path), 404))["detail"]
    assert all(extension in detail for extension in offered)


def test_an_unknown_source_is_404_naming_the_sources(exports, data):
    detail = problem(answered(exports.get("/export/sources/no-such-source.ttl"), 404))["detail"]
    assert all(graph.rsplit("/", 1)[-1] in detail for graph in source_graphs(data))


# ---------------------------------------------------------------- per-source dumps


@pytest.mark.parametrize("extension", EXTENSIONS)
def test_a_source_dump_holds_the_source_graph(exports, data, curated_nquads, extension):
    everything = as_dataset(curated_nquads)
    for graph in source_graphs(data):
        name = graph.rsplit("/", 1)[-1]
        response = answered(exports.get(f"/export/sources/{name}.{extension}"))
        assert filename(response) == f"claimgraph-{name}.{extension}"
        assert media_type(response) == ox.RdfFormat.from_extension(extension).media_type
        if extension in QUAD_EXTENSIONS:
            found = as_dataset(as_nquads(response.content, extension))
            assert list(found) == [graph]
            assert rdflib.compare.isomorphic(found[graph], everything[graph])
        else:
            assert rdflib.compare.isomorphic(parsed_graph(response.content, extension), everything[graph])


# ---------------------------------------------------------------- the claims as CSV


def test_pandas_reads_the_claims_csv(exports, claims):
    frame = pandas.read_csv(exports.url + "/export/claims.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == COLUMNS
    assert len(frame) == claims


def csv_rows(exports) -> list[dict[str, str]]:
    response = answered(exports.get("/export/claims.csv"))
    assert parse_options_header(response.headers["Content-Type"]) == ("text/csv", {"charset": "utf-8", "header": "present"})
    assert filename(response) == "claimgraph-claims.csv"
    found = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline="")))
    # RFC 4180: every record, the header's too, ends in CRLF (the data's own line breaks, inside quoted fields, are LF).
    assert response.content.count(b"\r\n") == len(found) + 1
    assert response.content.endswith(b"\r\n")
    return found


def by_claim(found: list[dict[str, str]], value: str) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for row in found:
        grouped.setdefault(row["claim"], set()).add(row[value])
    return grouped


def cells(row: dict[str, str], column: str) -> set[str]:
    return set(row[column].split(SEPARATOR)) if row[column] else set()


def test_the_csv_has_one_row_per_claim_with_the_data_values(exports, data):
    found = csv_rows(exports)
    claims = {row["c"] for row in rows(data, "SELECT ?c WHERE { ?c a cg:Claim }")}
    assert [row["claim"] for row in found] == sorted(claims)
    texts = by_claim(rows(data, "SELECT ?claim ?text WHERE { ?claim a cg:Claim ; schema:text ?text }"), "text")
    speakers = by_claim(rows(data, "SELECT ?claim ?s WHERE { ?claim a cg:Claim ; schema:author ?s }"), "s")
    names = by_claim(rows(data, "SELECT ?claim ?n WHERE { ?claim a cg:Claim ; schema:author/schema:name ?n }"), "n")
    cities = by_claim(rows(data, """SELECT ?claim ?n WHERE { ?claim a cg:Claim ; schema:about|cg:cause|cg:effect ?s .
        ?s (schema:location|schema:areaServed|schema:containedInPlace)* ?city . ?city a schema:City ; schema:name ?n }"""), "n")
    policies = by_claim(rows(data, "SELECT ?claim ?n WHERE { ?claim schema:about ?p . ?p a cg:Policy ; schema:name ?n }"), "n")
    outcomes = by_claim(rows(data, "SELECT ?claim ?n WHERE { ?claim schema:about ?o . ?o a cg:Outcome ; schema:name ?n }"), "n")
    urls = by_claim(rows(data, "SELECT ?claim ?u WHERE { ?claim a cg:Claim ; schema:appearance/schema:url ?u }"), "u")
    dates = by_claim(rows(data, "SELECT ?claim ?d WHERE { ?claim a cg:Claim ; schema:appearance/schema:datePublished ?d }"), "d")
    voices = by_claim(rows(data, """SELECT ?claim ?l WHERE { ?claim a cg:Claim ; cg:attribution ?v .
        ?v <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"""), "l")
    kinds = by_claim(rows(data, """SELECT ?claim ?l WHERE { ?claim a cg:Claim ; cg:kind ?k .
        ?k <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"""), "l")
    for row in found:
        claim = row["claim"]
        assert cells(row, "text") == texts[claim]
        assert cells(row, "speaker_iri") == speakers.get(claim, set())
        assert cells(row, "speaker") == names.get(claim, set())
        assert cells(row, "city") == cities.get(claim, set())
        assert cells(row, "policy") == policies.get(claim, set())
        assert cells(row, "outcome") == outcomes.get(claim, set())
        assert cells(row, "source_url") == urls[claim]
        assert cells(row, "date_published") == dates[claim]
        assert cells(row, "voice") == voices[claim]
        assert cells(row, "kind") == kinds[claim]


def test_the_csv_lists_every_evidence_span_of_a_claim_in_order(exports, data):
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for span in rows(data, """SELECT ?claim ?exact ?start ?end WHERE { ?claim a cg:Claim ; cg:evidence ?e .
            ?e oa:hasSelector/oa:exact ?exact ; oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end }"""):
        spans.setdefault(span["claim"], []).append((int(span["start"]), int(span["end"]), span["exact"]))
    assert any(len(found) > 1 for found in spans.values()), "the data has a claim resting on two spans"
    for row in csv_rows(exports):
        expected = sorted(spans[row["claim"]])
        assert row["start"].split(SEPARATOR) == [str(start) for start, _, _ in expected]
        assert row["end"].split(SEPARATOR) == [str(end) for _, end, _ in expected]
        assert row["quote"].split(SEPARATOR) == [exact for _, _, exact in expected]


def test_a_source_written_through_update_is_exported_with_its_claim(own_app):
    graph_a, graph_b = "http://example.org/a/extra", "http://example.org/b/extra"
    insert = f"""PREFIX cg: <{CG}> PREFIX schema: <{SCHEMA}>
    INSERT DATA {{
      GRAPH <{graph_a}> {{ <urn:test:claim> a cg:Claim ; schema:text "Written <through> /update." ;
                           schema:appearance <urn:test:source> . <urn:test:source> cg:archivedText <urn:test:text> }}
      GRAPH <{graph_b}> {{ <urn:test:other> a cg:Claim }}
    }}"""
    answered(own_app.post("/update", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)
    listed = answered(own_app.get("/export", headers={"Accept": "application/json"})).json["exports"]
    extra = sorted(export["name"] for export in listed if export["name"].startswith("sources/extra-") and export["name"].endswith(".nt"))
    assert len(extra) == 2
    dumped = {}
    for name in extra:
        found = as_dataset(as_nquads(answered(own_app.get(f"/export/{name.removesuffix('.nt')}.nq")).get_data(), "nq"))
        dumped.update({graph: len(triples) for graph, triples in found.items()})
    assert dumped == {graph_a: 4, graph_b: 1}
    found = list(csv.DictReader(io.StringIO(answered(own_app.get("/export/claims.csv")).get_data().decode("utf-8"), newline="")))
    assert [row["text"] for row in found if row["claim"] == "urn:test:claim"] == ["Written <through> /update."]


# ---------------------------------------------------------------- the claims as schema.org items


def test_the_claims_are_schema_org_claim_items(exports, data, claims):
    response = answered(exports.get("/export/claims.jsonld"))
    assert media_type(response) == "application/ld+json"
    document = response.json()
    assert document["@context"] == "https://schema.org"
    local = copy.deepcopy(document)
    local["@context"] = SCHEMA_ORG_CONTEXT
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(local), format="json-ld")
    items = set(graph.subjects(rdflib.RDF.type, SCHEMA.Claim))
    assert len(items) == claims == len(document["@graph"])
    for claim in items:
        [text] = graph.objects(claim, SCHEMA.text)
        assert str(text) in {str(value) for value in data.objects(claim, SCHEMA.text)}
        assert set(graph.objects(claim, SCHEMA.author)) == set(data.objects(claim, SCHEMA.author))
        for author in graph.objects(claim, SCHEMA.author):
            assert set(map(str, graph.objects(author, SCHEMA.name))) == set(map(str, data.objects(author, SCHEMA.name)))
        appearances = set(graph.objects(claim, SCHEMA.appearance))
        assert appearances == set(data.objects(claim, SCHEMA.appearance))
        [first] = graph.objects(claim, SCHEMA.firstAppearance)
        assert first in appearances
        for work in appearances:
            assert set(graph.objects(work, SCHEMA.url)) == set(data.objects(work, SCHEMA.url))
            assert set(map(str, graph.objects(work, SCHEMA.headline))) == set(map(str, data.objects(work, SCHEMA.headline)))
            assert {str(date) for date in graph.objects(work, SCHEMA.datePublished)} == {
                str(date) for date in data.objects(work, SCHEMA.datePublished)}
            assert set(graph.objects(work, rdflib.RDF.type)) == {
                kind for kind in data.objects(work, rdflib.RDF.type) if str(kind).startswith(str(SCHEMA))}
        [published] = graph.objects(claim, SCHEMA.datePublished)
        assert str(published) in {str(date) for date in data.objects(first, SCHEMA.datePublished)}


# ---------------------------------------------------------------- VoID


def test_void_names_every_dump_and_the_endpoint(exports):
    response = answered(exports.get("/.well-known/void", headers={"Accept": "text/turtle"}))
    graph = rdflib.Graph()
    graph.parse(data=response.content, format="turtle")
    dataset = rdflib.URIRef(exports.url + "/.well-known/void")
    assert set(graph.objects(dataset, VOID.dataDump)) == {
        rdflib.URIRef(f"{exports.url}/export/dataset.{extension}") for extension in EXTENSIONS}
    assert set(graph.objects(dataset, VOID.sparqlEndpoint)) == {rdflib.URIRef(exports.url + "/sparql")}
    for dump_url in graph.objects(dataset, VOID.dataDump):
        answered(requests.head(str(dump_url), timeout=30))


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_starts_with_a_quote(own_app, start):
    claim = "urn:claimgraph:test:formula"
    text = f'{start}HYPERLINK("http://attacker.example/","click")'
    insert = (f"INSERT DATA {{ GRAPH <urn:claimgraph:test:g> {{ <{claim}> a <{CG}Claim> ; "
              f"<http://schema.org/text> {ox.Literal(text)} }} }}")
    answered(own_app.post("/update", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)
    rows = csv.DictReader(io.StringIO(body(answered(own_app.get("/export/claims.csv"))).decode("utf-8")))
    [row] = [row for row in rows if row["claim"] == claim]
    assert row["text"] == "'" + text


def test_the_source_columns_give_one_url_and_one_date_per_source(own_app):
    """A claim in two sources, one with two URLs and the other with two dates: one value per source, in step."""
    claim, first, second = "urn:claimgraph:test:two-sources", "urn:claimgraph:test:source-1", "urn:claimgraph:test:source-2"
    insert = f"""INSERT DATA {{ GRAPH <urn:claimgraph:test:g> {{
        <{claim}> a <{CG}Claim> ; <http://schema.org/text> "said twice" ;
          <http://schema.org/appearance> <{first}> , <{second}> .
        <{first}> <http://schema.org/url> <http://a.example/1> , <http://a.example/2> ;
          <http://schema.org/datePublished> "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
        <{second}> <http://schema.org/url> <http://b.example/> ;
          <http://schema.org/datePublished> "2021-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ,
            "2021-02-02"^^<http://www.w3.org/2001/XMLSchema#date> . }} }}"""
    answered(own_app.post("/update", data={"update": insert}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)
    rows = csv.DictReader(io.StringIO(body(answered(own_app.get("/export/claims.csv"))).decode("utf-8")))
    [row] = [row for row in rows if row["claim"] == claim]
    # Sources in IRI order; of several values of one source, the least (the same on every export).
    assert (row["source_url"], row["date_published"]) == ("http://a.example/1 | http://b.example/", "2020-01-01 | 2021-01-01")
