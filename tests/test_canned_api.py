"""The canned queries as a typed API: /queries, /queries/<name>[.<suffix>], /openapi.json, in process through the test client."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from claimgraph.config import resource_dir
from claimgraph.model import catalog
from claimgraph.rdf import formats
from conftest import PROBLEM, body, copy_of, in_process, media_type, page, problem, solutions

CATALOG = catalog.load(resource_dir("queries"))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ANY_ANSWER = "application/sparql-results+json, text/turtle;q=0.9"
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def example(name: str) -> dict[str, str]:
    """The parameters of the query's header example, as a caller sends them."""
    return {key: str(value) for key, value in CATALOG[name].example["params"].items()}


def expected_size(name: str) -> int:
    expect = CATALOG[name].example["expect"]
    return expect.get("rows", expect.get("triples"))


def answer(response) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """The body parsed back into what pyoxigraph's ``Store.query`` returns, for :meth:`CannedQuery.check`."""
    if media_type(response) in formats.RESULT_MEDIA_TYPES:
        return ox.parse_query_results(body(response), formats.RESULT_MEDIA_TYPES[media_type(response)])
    store = ox.Store()
    store.load(body(response), formats.RDF_MEDIA_TYPES[media_type(response)])
    return store.query("CONSTRUCT WHERE { ?s ?p ?o }")


def size(response) -> int:
    return len(list(answer(response)))


def run(service, name: str, params: dict[str, str], *, suffix: str = "", accept: str = ANY_ANSWER):
    return service.get(f"/queries/{name}{suffix}", params=params, headers={"Accept": accept})


def count_quads(service) -> int:
    response = service.get("/sparql", params={"query": COUNT_QUADS}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    [row] = solutions(response)
    return int(row["n"])


def links(response) -> set[str]:
    """The paths of the links (``a`` elements) of an HTML page, resolved against its URL."""
    return {urlsplit(url).path for url in page(response).hrefs("a")}


STRING_QUERY = """\
#+ summary: People by name
#+ params:
#+   - {name: name, type: string, required: true}
#+ example:
#+   params: {name: Rafig}
#+   expect: {rows: 1}
PREFIX schema: <http://schema.org/>
SELECT ?name ?person WHERE { ?person a schema:Person ; schema:name ?name }
"""


@pytest.fixture(scope="module")
def string_app(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """The application with a catalog holding a query with a string parameter (the curated catalog has none)."""
    root = tmp_path_factory.mktemp("strings")
    (root / "queries").mkdir()
    (root / "queries" / "people-by-name.rq").write_text(STRING_QUERY, encoding="utf-8")
    with in_process(copy_of(loaded_store, root), queries_dir=root / "queries", workers=1) as running:
        yield running


# --- the list of queries


@pytest.mark.parametrize("accept", [None, "application/json"])
def test_list_is_json_naming_every_query(app, accept):
    response = app.get("/queries", headers={"Accept": accept} if accept else {})
    assert (response.status_code, media_type(response)) == (200, "application/json")
    assert [entry["name"] for entry in response.json] == sorted(path.stem for path in resource_dir("queries").glob("*.rq"))


@pytest.mark.parametrize("name", list(CATALOG))
def test_list_entry_gives_summary_params_and_source(app, name):
    listed = app.get("/queries")
    assert listed.status_code == 200
    [entry] = [entry for entry in listed.json if entry["name"] == name]
    canned = CATALOG[name]
    assert entry["summary"] == canned.summary
    assert [(p["name"], p["type"], p["required"]) for p in entry["params"]] == [(p.name, p.type, p.required) for p in canned.params]
    source = app.get(entry["source"])
    assert (source.status_code, source.text) == (200, canned.path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("accept", ["text/html", BROWSER])
def test_list_is_a_page_for_browsers_linking_each_source(app, accept):
    response = app.get("/queries", headers={"Accept": accept})
    assert (response.status_code, media_type(response)) == (200, "text/html")
    assert {f"/queries/{name}.rq" for name in CATALOG} <= links(response)


@pytest.mark.parametrize("value", ["csv", "bogus"])
def test_list_in_a_format_it_cannot_take_is_400_naming_format(app, value):
    response = app.get("/queries", params={"format": value})
    assert (response.status_code, response.headers["Content-Type"]) == (400, PROBLEM)
    assert problem(response).get("parameter") == "format"


@pytest.mark.parametrize("name", list(CATALOG))
def test_source_is_the_query_file(app, name):
    response = app.get(f"/queries/{name}.rq")
    assert (response.status_code, media_type(response)) == (200, "application/sparql-query")
    assert response.text == (resource_dir("queries") / f"{name}.rq").read_text(encoding="utf-8")


# --- running the queries


@pytest.mark.parametrize("name", list(CATALOG))
def test_every_query_answers_its_example_over_http(uncapped, name):
    response = run(uncapped, name, example(name))
    assert response.status_code == 200
    assert CATALOG[name].check(answer(response)) == []


@pytest.mark.parametrize("via", ["suffix", "format"])
@pytest.mark.parametrize(
    ("name", "short", "wanted"),
    [
        ("figures", "json", "application/sparql-results+json"),
        ("figures", "xml", "application/sparql-results+xml"),
        ("figures", "tsv", "text/tab-separated-values"),
        ("source-graph", "ttl", "text/turtle"),
        ("source-graph", "nt", "application/n-triples"),
        ("source-graph", "jsonld", "application/ld+json"),
        ("source-graph", "rdfxml", "application/rdf+xml"),
    ],
)
def test_suffix_or_format_gives_that_format(uncapped, name, short, wanted, via):
    if via == "suffix":
        response = run(uncapped, name, example(name), suffix=f".{short}", accept="text/csv")
    else:
        response = run(uncapped, name, {**example(name), "format": short}, accept="text/csv")
    assert (response.status_code, media_type(response)) == (200, wanted)
    assert CATALOG[name].check(answer(response)) == []


@pytest.mark.parametrize("how", [{"suffix": ".csv"}, {"params": {"format": "csv"}}])
def test_csv_holds_the_rows_of_the_json_answer(uncapped, how):
    response = run(uncapped, "figures", how.get("params", {}), suffix=how.get("suffix", ""))
    assert (response.status_code, media_type(response)) == (200, "text/csv")
    assert response.status_code == 200
    as_json = run(uncapped, "figures", {}, suffix=".json").json
    rows = [{var: row.get(var, {}).get("value", "") for var in as_json["head"]["vars"]} for row in as_json["results"]["bindings"]]
    assert list(csv.DictReader(io.StringIO(response.text))) == rows


@pytest.mark.parametrize(
    ("name", "suffix", "params"),
    [
        ("figures", ".ttl", {}),
        ("figures", "", {"format": "ttl"}),
        ("figures", ".jsonld", {}),
        ("source-graph", ".csv", example("source-graph")),
        ("source-graph", "", {**example("source-graph"), "format": "tsv"}),
        ("figures", ".pdf", {}),
    ],
)
def test_a_format_the_form_cannot_take_is_400_naming_format(app, name, suffix, params):
    response = run(app, name, params, suffix=suffix)
    assert response.status_code == 400
    assert problem(response)["parameter"] == "format"


@pytest.mark.parametrize("path", ["/queries/no-such-query", "/queries/no-such-query.csv", "/queries/no-such-query.rq"])
def test_unknown_query_is_404(app, path):
    response = app.get(path)
    assert (response.status_code, response.headers["Content-Type"]) == (404, PROBLEM)


BART = "https://w3id.org/claimgraph/id/person/bart-somers"


@pytest.mark.parametrize(
    ("name", "params", "parameter"),
    [
        ("claims-by-kind", {"kind": "Statistical"}, "kind"),
        ("claims-by-kind", {"kind": "https://w3id.org/claimgraph/kind/statistical"}, "kind"),
        ("claims-by-kind", {}, "kind"),
        ("claims-by-speaker", {}, "person"),
        ("claims-by-speaker", {"person": "bart-somers"}, "person"),
        ("claims-by-speaker", {"person": "<https://w3id.org/claimgraph/id/person/bart-somers>"}, "person"),
        ("evidence-trail", {"claim": "/id/claim/x"}, "claim"),
        ("figures", {"limit": "10"}, "limit"),
        ("claims-by-kind", {"kind": "causal", "speaker": BART}, "speaker"),
        ("claims-by-kind", {"kind": ["causal", "policy"]}, "kind"),
    ],
)
def test_bad_parameter_is_400_naming_it(app, name, params, parameter):
    response = run(app, name, params)
    assert (response.status_code, response.headers["Content-Type"]) == (400, PROBLEM)
    assert problem(response)["parameter"] == parameter


@pytest.mark.parametrize(
    ("name", "params", "parameter"),
    [
        ("claims-by-speaker", {"person": f"{BART}> }} UNION {{ ?s ?p ?o"}, "person"),
        ("claims-by-speaker", {"person": f"{BART}> . ?person ?p ?o . #"}, "person"),
        ("evidence-trail", {"claim": 'https://example.org/x" } ; DROP ALL ; {'}, "claim"),
        ("claims-by-kind", {"kind": 'statistical" } UNION { ?s ?p ?o } #'}, "kind"),
        ("claims-by-kind", {"kind": "statistical> } UNION { ?s ?p ?o"}, "kind"),
    ],
)
def test_injection_through_a_parameter_is_refused(app, name, params, parameter):
    before = count_quads(app)
    response = run(app, name, params)
    assert (response.status_code, problem(response)["parameter"]) == (400, parameter)
    assert count_quads(app) == before


def test_an_iri_full_of_sparql_punctuation_is_bound_as_data(app):
    response = run(app, "claims-by-speaker", {"person": f"{BART}?x=';DROP(ALL);*#'),(?s"})
    assert response.status_code == 200 and size(response) == 0


@pytest.mark.parametrize(
    ("value", "rows"),
    [
        ("Rafig", 1),
        ('Rafig" } UNION { ?person ?p ?name } #', 0),
        ("Rafig' . ?person ?p ?name . #", 0),
        ('Rafig"@en . } ; DROP ALL ; INSERT DATA { <http://example.org/s> <http://example.org/p> "x"', 0),
        ('\\" } #', 0),
    ],
)
def test_a_string_parameter_is_bound_as_data(string_app, value, rows):
    before = count_quads(string_app)
    response = run(string_app, "people-by-name", {"name": value})
    assert (response.status_code, size(response)) == (200, rows)
    assert count_quads(string_app) == before


# --- the row cap


@pytest.mark.parametrize("name", list(CATALOG))
def test_row_cap_applies_to_canned_queries(app, name):
    cap = app.config.max_rows
    response = run(app, name, example(name))
    assert response.status_code == 200
    if expected_size(name) > cap:
        assert (response.headers.get("X-SPARQL-MaxRows"), size(response)) == (str(cap), cap)
    else:
        assert "X-SPARQL-MaxRows" not in response.headers
        assert CATALOG[name].check(answer(response)) == []


def test_the_catalog_has_an_answer_past_the_cap(app):
    assert any(expected_size(name) > app.config.max_rows for name in CATALOG)


@pytest.mark.parametrize("suffix", [".json", ".xml", ".tsv", ".csv"])
def test_a_capped_answer_is_the_first_rows_of_the_whole(app, uncapped, suffix):
    cap = app.config.max_rows
    capped = run(app, "single-source-claims", {}, suffix=suffix)
    whole = run(uncapped, "single-source-claims", {}, suffix=suffix)
    assert (capped.status_code, whole.status_code, capped.headers.get("X-SPARQL-MaxRows")) == (200, 200, str(cap))
    if suffix == ".csv":
        assert capped.text.splitlines() == whole.text.splitlines()[: cap + 1]
    else:
        assert list(answer(capped)) == list(answer(whole))[:cap]


# --- OpenAPI


@pytest.fixture(scope="module")
def openapi(app) -> dict:
    response = app.get("/openapi.json")
    assert (response.status_code, media_type(response)) == (200, "application/json")
    return response.json


def test_openapi_is_version_3_1(openapi):
    assert openapi["openapi"] == "3.1.0"
    assert isinstance(openapi["info"]["title"], str) and isinstance(openapi["info"]["version"], str)


@pytest.mark.parametrize("name", list(CATALOG))
def test_openapi_describes_each_query_and_its_parameters(openapi, name):
    parameters = {p["name"]: p for p in openapi["paths"][f"/queries/{name}"]["get"]["parameters"]}
    assert set(parameters) == {p.name for p in CATALOG[name].params} | {"format"}
    for param in CATALOG[name].params:
        assert (parameters[param.name]["in"], parameters[param.name]["required"]) == ("query", param.required)
        if param.type == "enum":
            assert parameters[param.name]["schema"]["enum"] == list(param.values)


def test_openapi_operations_are_well_formed(openapi):
    operations = [op for path in openapi["paths"].values() for op in path.values()]
    assert all(path.startswith("/") for path in openapi["paths"])
    assert len({op["operationId"] for op in operations}) == len(operations)
    assert all(op["responses"] and all(code.isdigit() for code in op["responses"]) for op in operations)
    assert all({"name", "in", "schema"} <= set(p) for op in operations for p in op.get("parameters", []))


def test_openapi_references_resolve(openapi):
    refs = []

    def collect(node):
        if isinstance(node, dict):
            refs.extend(value for key, value in node.items() if key == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(openapi)
    for ref in refs:
        target = openapi
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
    assert refs


@pytest.mark.parametrize("name", list(CATALOG))
def test_openapi_server_url_answers_each_path_with_its_example(app, openapi, name):
    operation = openapi["paths"][f"/queries/{name}"]["get"]
    params = {key: str(value) for key, value in operation["x-example"]["params"].items()}
    response = app.get(openapi["servers"][0]["url"] + f"/queries/{name}", params=params, headers={"Accept": ANY_ANSWER})
    assert response.status_code == 200
    assert media_type(response) in operation["responses"]["200"]["content"]
