"""The canned-query catalog: header parsing and its errors, typed parameters, and binding values as data."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pyoxigraph as ox
import pytest
from claimgraph.model import catalog, header, params

XSD = "http://www.w3.org/2001/XMLSchema#"
SELECT = "SELECT ?thing ?name WHERE { ?thing <http://schema.org/name> ?name }"
INJECTION = 'x" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> "c" } #'


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def as_header(yaml: str) -> str:
    """``yaml`` as ``#+`` header lines."""
    return "".join(f"#+ {line}\n" for line in yaml.split("\n"))


def query(tmp_path: Path, header: str, body: str = SELECT) -> catalog.CannedQuery:
    """The canned query of one file ``q.rq`` holding ``header`` (YAML, without the ``#+``) and ``body``."""
    write(tmp_path / "queries", "q.rq", as_header(header.strip("\n")) + body)
    return catalog.load(tmp_path / "queries")["q"]


P = "summary: s\nparams: "


#: A header, and what the error says after the file's name: the line, the JSON path of the value at fault, the problem.
@pytest.mark.parametrize(
    ("yaml", "problem"),
    [
        ("summary: [unclosed\ntags: x", "q.rq:2: header is not valid YAML"),
        ("- a list", "q.rq:1: header: must be a YAML mapping"),
        ("description: no summary", "q.rq:1: header: has no summary"),
        ("summary: ''", "q.rq:1: summary: must be one line of text"),
        ("summary: |\n  one line\n  and another", "q.rq:1: summary: must be one line of text"),
        ('summary: "one line\\nand another"', "q.rq:1: summary: must be one line of text"),
        ("summary: s\ntags: [a]\nsummary: t", "q.rq:3: header is not valid YAML: the key 'summary' is given twice (first on line 1)"),
        (P + "\n  - {name: name, type: string, type: iri}",
         "q.rq:3: header is not valid YAML: the key 'type' is given twice (first on line 3)"),
        ("summary: s\nexample:\n  params: {}\n  expect: {rows: 1}\n  expect: {rows: 2}",
         "q.rq:5: header is not valid YAML: the key 'expect' is given twice (first on line 4)"),
        ("summary: s\nparms: []", "q.rq:1: header: unknown key(s) parms; known: description, example, params, summary, tags"),
        ("summary: s\ntags: [1]", "q.rq:2: tags[0]: 1 is not of type 'string'"),
        (P + "[{name: name, type: number}]",
         "q.rq:2: params[0].type: 'number' is not one of ['iri', 'string', 'integer', 'decimal', 'date', 'enum']"),
        (P + "\n  - {name: ok, type: string}\n  - {name: name, type: iri2}", "q.rq:4: params[1].type: 'iri2' is not one of"),
        (P + "[{type: string}]", "q.rq:2: params[0]: 'name' is a required property"),
        (P + "[{name: name, type: enum}]", "q.rq:2: params[0]: an enum needs values"),
        (P + "[{name: name, type: enum, values: []}]", "q.rq:2: params[0].values: an enum needs values"),
        (P + "[{name: name, type: enum, values: 3}]", "params[0].values: values must be a list of words or a mapping of words to IRIs"),
        (P + "[{name: name, type: enum, values: {a: b c}}]", "q.rq:2: params[0].values.a: maps to 'b c', not an absolute IRI"),
        (P + "[{name: name, type: string, values: [a]}]", "q.rq:2: params[0]: values are for enum parameters only"),
        (P + "[{name: name, type: integer, default: ten}]", "q.rq:2: params[0].default: expected an integer, got 'ten'"),
        (P + "[{name: name, type: date, default: '2017-02-30'}]", "q.rq:2: params[0].default: expected a date as YYYY-MM-DD"),
        (P + "[{name: name, type: date, default: 2017-02-30}]", "header is not valid YAML: day is out of range"),
        (P + "\n  - name: name\n    type: date\n    default: 2020-02-30",
         "q.rq:5: header is not valid YAML: day is out of range for month ('2020-02-30')"),
        ("summary: s\nexample:\n  params:\n    since: 2020-02-30\n  expect: {rows: 0}",
         "q.rq:4: header is not valid YAML: day is out of range for month ('2020-02-30')"),
        (P + "[{name: name, type: string, default: [x]}]", "q.rq:2: params[0].default: ['x'] is not of type"),
        (P + "[{name: name, type: string, required: true, default: x}]", "q.rq:2: params[0]: a required parameter cannot have a default"),
        (P + "[{name: name, type: string, requird: true}]", "q.rq:2: params[0]: unknown key(s) requird"),
        (P + "[{name: the-name, type: string}]", "q.rq:2: params[0].name: 'the-name' is not a SPARQL variable name"),
        (P + "[{name: name, type: string}, {name: name, type: iri}]", "q.rq:2: params[1].name: parameter 'name' is declared twice"),
        (P + "[{name: format, type: string}]", "q.rq:2: params[0].name: the name is reserved by the web API"),
        (P + "[{name: p, type: iri}]", "q.rq:2: params[0].name: parameter 'p' is not a variable the query can bind"),
        ("summary: s\nexample: {params: {nope: 1}, expect: {rows: 0}}", "q.rq:2: example.params.nope: unknown parameter"),
        ("summary: s\nexample: {params: {a: [1]}, expect: {rows: 0}}", "q.rq:2: example.params.a: [1] is not of type"),
        ("summary: s\nexample: {params: {}, expect: {triples: 3}}", "q.rq:2: example.expect: expect for a SELECT query takes includes, rows"),
        ("summary: s\nexample: {params: {}, expect: {rows: many}}", "q.rq:2: example.expect.rows: must be a count"),
        ("summary: s\nexample:\n  expect:\n    rows: -1", "q.rq:4: example.expect.rows: must be a count"),
        ("summary: s\nexample: {params: {}}", "q.rq:2: example: expect for a SELECT query takes"),
        ("summary: s\nexample: [1]", "q.rq:2: example: must be a mapping with params and expect"),
    ],
)
def test_malformed_headers_are_refused_naming_file_and_problem(tmp_path, yaml, problem):
    path = write(tmp_path / "queries", "q.rq", as_header(yaml) + SELECT)
    with pytest.raises(catalog.CatalogError) as error:
        catalog.load(tmp_path / "queries")
    assert str(error.value).startswith(str(path)) and problem in str(error.value)


@pytest.mark.parametrize(
    ("yaml", "problem"),
    [
        ("summary: |\n  one line\n  and another", "1: summary: must be one line of text"),
        ("summary: s\ntags: [a]\nsummary: t", "3: header is not valid YAML: the key 'summary' is given twice (first on line 1)"),
        (P + "\n  - name: name\n    type: date\n    default: 2020-02-30",
         "5: header is not valid YAML: day is out of range for month ('2020-02-30')"),
    ],
)
def test_a_header_error_is_the_file_the_line_and_the_problem_exactly(tmp_path, yaml, problem):
    path = write(tmp_path / "queries", "q.rq", as_header(yaml) + SELECT)
    with pytest.raises(catalog.CatalogError) as error:
        catalog.load(tmp_path / "queries")
    assert str(error.value) == f"{path}:{problem}"


def test_a_one_line_summary_folded_over_lines_by_yaml_is_one_line(tmp_path):
    assert query(tmp_path, "summary: one line\n  folded by YAML").summary == "one line folded by YAML"


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("q.rq", SELECT, "no '#+' YAML header"),
        ("q.rq", as_header("summary: s") + "SELECT ?x WHERE { ?x }", "query does not parse"),
        ("q.rq", as_header(P + "[{name: p, type: iri}]") + "SELECT ?o WHERE { ?p ?q ?o }", "parameter 'p' is not a variable"),
        ("Bad_Name.rq", as_header("summary: s") + SELECT, "query names are kebab-case"),
    ],
)
def test_malformed_query_files_are_refused_naming_file_and_problem(tmp_path, name, text, problem):
    path = write(tmp_path / "queries", name, text)
    with pytest.raises(catalog.CatalogError) as error:
        catalog.load(tmp_path / "queries")
    assert str(error.value).startswith(str(path)) and problem in str(error.value)


def test_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(catalog.CatalogError, match="not a directory"):
        catalog.load(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("body", "form"),
    [
        (SELECT, "SELECT"),
        ("ASK { ?s ?p ?o }", "ASK"),
        ("# DESCRIBE, in a comment\nPREFIX ex: <http://example.org/#>\nCONSTRUCT WHERE { ?s ex:p ?o }", "CONSTRUCT"),
        ("BASE <http://example.org/>\nprefix ex: <#>\ndescribe ex:thing", "DESCRIBE"),
    ],
)
def test_the_form_is_told_from_the_parsed_query(tmp_path, body, form):
    assert query(tmp_path, "summary: s", body).form == form


def test_the_catalog_is_keyed_by_file_stem_in_order(tmp_path):
    for name in ("b-query.rq", "a-query.rq", "notes.txt"):
        write(tmp_path, name, "#+ summary: s\n" + SELECT)
    loaded = catalog.load(tmp_path)
    assert list(loaded) == ["a-query", "b-query"]
    assert (loaded["a-query"].path, loaded["a-query"].text) == (tmp_path / "a-query.rq", "#+ summary: s\n" + SELECT)


def test_the_header_is_read_into_the_query(tmp_path):
    loaded = query(
        tmp_path,
        """
summary: Things by name
description: Every named thing.
tags: [names]
params:
  - {name: name, type: string, description: the name}
  - {name: thing, type: enum, values: {dw: "https://w3id.org/claimgraph/id/org/deutsche-welle"}}
  - {name: since, type: date, default: 2017-09-27}
example:
  params: {name: Deutsche Welle, since: 2001-01-01}
  expect: {rows: 1, includes: [{thing: "https://w3id.org/claimgraph/id/org/deutsche-welle"}]}
""",
        "SELECT ?thing ?name ?since WHERE { ?thing <http://schema.org/name> ?name }",
    )
    assert (loaded.summary, loaded.description, loaded.tags) == ("Things by name", "Every named thing.", ("names",))
    assert loaded.params == (
        catalog.Param("name", "string", description="the name"),
        catalog.Param("thing", "enum", values=("dw",), iris=("https://w3id.org/claimgraph/id/org/deutsche-welle",)),
        catalog.Param("since", "date", default="2017-09-27"),
    )
    assert loaded.example["params"] == {"name": "Deutsche Welle", "since": "2001-01-01"}


INTEGER, DECIMAL, DATE = (ox.NamedNode(XSD + name) for name in ("integer", "decimal", "date"))


@pytest.mark.parametrize(
    ("type_", "text", "term"),
    [
        ("iri", "https://w3id.org/claimgraph/id/place/mechelen", ox.NamedNode("https://w3id.org/claimgraph/id/place/mechelen")),
        ("iri", "urn:isbn:0451450523", ox.NamedNode("urn:isbn:0451450523")),
        ("string", 'He said "{x}" } ; DROP ALL ; #', ox.Literal('He said "{x}" } ; DROP ALL ; #')),
        ("string", "", ox.Literal("")),
        ("integer", "+007", ox.Literal("7", datatype=INTEGER)),
        ("integer", "-0", ox.Literal("0", datatype=INTEGER)),
        ("decimal", "0.50", ox.Literal("0.5", datatype=DECIMAL)),
        ("decimal", "100", ox.Literal("100", datatype=DECIMAL)),
        ("decimal", "-.5", ox.Literal("-0.5", datatype=DECIMAL)),
        ("date", "2017-09-27", ox.Literal("2017-09-27", datatype=DATE)),
        ("enum", "statistical", ox.NamedNode("https://w3id.org/claimgraph/kind/statistical")),
    ],
)
def test_values_become_typed_terms(type_, text, term):
    iris = ("https://w3id.org/claimgraph/kind/statistical",) if type_ == "enum" else ()
    assert catalog.Param("p", type_, values=("statistical",) if iris else (), iris=iris).parse(text) == term


@pytest.mark.parametrize(
    ("type_", "words", "schema"),
    [
        ("iri", "an absolute IRI", {"type": "string", "format": "iri"}),
        ("string", "a string", {"type": "string"}),
        ("integer", "an integer", {"type": "integer"}),
        ("decimal", "a decimal number", {"type": "number"}),
        ("date", "a date as YYYY-MM-DD", {"type": "string", "format": "date"}),
        ("enum", "one of statistical, causal", {"type": "string", "enum": ["statistical", "causal"]}),
    ],
)
def test_each_type_has_its_words_and_json_schema(type_, words, schema):
    param = catalog.Param("p", type_, values=("statistical", "causal") if type_ == "enum" else ())
    assert (param.expected, param.schema) == (words, schema)


@pytest.mark.parametrize("schema", [header.SCHEMA, *header.EXPECT.values()])
def test_the_header_schemas_are_json_schemas(schema):
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_header_schema_takes_the_types_of_the_type_table():
    assert header.SCHEMA["properties"]["params"]["items"]["properties"]["type"]["enum"] == list(params.TYPES)


def test_a_default_is_part_of_the_schema():
    assert catalog.Param("p", "integer", default="10").schema == {"type": "integer", "default": "10"}


def test_an_enum_of_words_binds_string_literals():
    assert catalog.Param("p", "enum", values=("yes", "no")).parse("no") == ox.Literal("no")


@pytest.mark.parametrize(
    ("type_", "text", "message"),
    [
        ("integer", "abc", "parameter 'p': expected an integer, got 'abc'"),
        ("integer", "1.5", "expected an integer, got '1.5'"),
        ("integer", " 5", "expected an integer, got ' 5'"),
        ("integer", "1_000", "expected an integer"),
        ("integer", "\u0663", "expected an integer"),
        ("integer", "5\n", "expected an integer"),
        ("decimal", "1e3", "parameter 'p': expected a decimal number, got '1e3'"),
        ("decimal", "1,5", "expected a decimal number"),
        ("decimal", "NaN", "expected a decimal number"),
        ("date", "2017-02-30", "parameter 'p': expected a date as YYYY-MM-DD, got '2017-02-30'"),
        ("date", "20170927", "expected a date as YYYY-MM-DD"),
        ("date", "2017-W39-3", "expected a date as YYYY-MM-DD"),
        ("date", "27/09/2017", "expected a date as YYYY-MM-DD"),
        ("iri", "mechelen", "parameter 'p': expected an absolute IRI, got 'mechelen'"),
        ("iri", "/id/place/mechelen", "expected an absolute IRI"),
        ("iri", "http://x> } ; DROP ALL ; #", "expected an absolute IRI, got 'http://x> } ; DROP ALL ; #'"),
        ("iri", "http://example.org/a b", "expected an absolute IRI"),
        ("iri", "<http://example.org/a>", "expected an absolute IRI"),
        ("iri", 'http://example.org/"a"', "expected an absolute IRI"),
        ("iri", "http://example.org/{a}|^`\\", "expected an absolute IRI"),
        ("enum", "statistics", "parameter 'p': expected one of statistical, causal, got 'statistics'"),
    ],
)
def test_values_not_of_their_type_are_refused_naming_parameter_and_type(type_, text, message):
    param = catalog.Param("p", type_, values=("statistical", "causal") if type_ == "enum" else ())
    with pytest.raises(catalog.ParamError) as error:
        param.parse(text)
    assert error.value.param == "p" and message in str(error.value)


@pytest.fixture
def things(tmp_path) -> catalog.CannedQuery:
    return query(
        tmp_path,
        """
summary: Things by name
params:
  - {name: name, type: string, required: true}
  - {name: thing, type: iri}
  - {name: limit, type: integer, default: 10}
""",
        "SELECT ?thing ?name ?limit WHERE { ?thing <http://schema.org/name> ?name }",
    )


@pytest.mark.parametrize(
    ("args", "param", "message"),
    [
        ({"name": "x", "nmae": "x"}, "nmae", "unknown parameter; known parameters: name, thing, limit"),
        ({"thing": "http://example.org/x"}, "name", "parameter 'name': required, expected a string"),
        ({"name": "", "limit": "3"}, "name", "required"),
        ({"name": "x", "limit": "ten"}, "limit", "parameter 'limit': expected an integer, got 'ten'"),
        ({"name": "x", "thing": "x"}, "thing", "expected an absolute IRI"),
    ],
)
def test_binding_refuses_unknown_missing_and_bad_values(things, args, param, message):
    with pytest.raises(catalog.ParamError) as error:
        things.bind(args)
    assert error.value.param == param and message in str(error.value)


def test_a_query_without_parameters_says_so(tmp_path):
    with pytest.raises(catalog.ParamError, match="'x': unknown parameter; this query takes no parameters"):
        query(tmp_path, "summary: s").bind({"x": "1"})


@pytest.mark.parametrize(
    ("args", "bound"),
    [
        ({"name": "x"}, {"name": "x", "limit": "10"}),
        ({"name": "x", "limit": "3", "thing": ""}, {"name": "x", "limit": "3"}),
        ({"name": "x", "limit": "", "thing": "urn:x"}, {"name": "x", "limit": "10", "thing": "urn:x"}),
    ],
)
def test_defaults_apply_and_optional_parameters_stay_unbound(things, args, bound):
    terms = {"name": ox.Literal, "limit": lambda text: ox.Literal(text, datatype=INTEGER), "thing": ox.NamedNode}
    assert things.bind(args) == {ox.Variable(name): terms[name](text) for name, text in bound.items()}


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("Deutsche Welle", [("https://w3id.org/claimgraph/id/org/deutsche-welle", "Deutsche Welle")]),
        (INJECTION, []),
        ('Deutsche Welle" || true || "', []),
    ],
)
def test_a_string_value_is_bound_as_data_never_as_query_text(things, data_store, name, rows):
    before = len(data_store)
    solutions = data_store.query(things.text, use_default_graph_as_union=True, substitutions=things.bind({"name": name}))
    assert [(row["thing"].value, row["name"].value) for row in solutions] == rows
    assert len(data_store) == before


def test_a_string_value_comes_back_verbatim(tmp_path):
    echo = query(tmp_path, "summary: s\nparams: [{name: text, type: string}]", "SELECT ?text WHERE {}")
    [row] = ox.Store().query(echo.text, substitutions=echo.bind({"text": INJECTION}))
    assert row["text"] == ox.Literal(INJECTION)


def test_check_reports_an_answer_that_differs_from_the_example(tmp_path, data_store):
    loaded = query(
        tmp_path,
        """
summary: s
params: [{name: name, type: string}]
example: {params: {name: Deutsche Welle}, expect: {rows: 2, includes: [{name: Deutsche Welle}, {name: DW}]}}
""",
    )
    result = data_store.query(loaded.text, use_default_graph_as_union=True, substitutions=loaded.bind({"name": "Deutsche Welle"}))
    assert loaded.check(result) == ["expected 2 rows, got 1", "no row with {'name': 'DW'}"]
