"""Canned queries in an app built in-process (``create_app`` and Flask's test client): pages, links, OpenAPI."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from claimgraph.model import catalog
from claimgraph.rdf import formats
from claimgraph.web import services
from claimgraph.web.app import create_app
from werkzeug.datastructures import MultiDict

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ORG = "https://w3id.org/claimgraph/id/org/deutsche-welle"

#: Parameters named as url_for's own keywords (``name``, ``endpoint``, ``_external``), and one of every type.
PEOPLE = """\
#+ summary: Things by name
#+ params:
#+   - {name: name, type: string, required: true}
#+   - {name: endpoint, type: iri}
#+   - {name: _external, type: integer, default: 3}
#+   - {name: since, type: date}
#+   - {name: share, type: decimal}
#+   - {name: kind, type: enum, values: {org: "https://schema.org/Organization"}}
SELECT ?endpoint ?name ?_external ?since ?share ?kind WHERE { ?endpoint <http://schema.org/name> ?name }
"""
GRAPH = """\
#+ summary: A thing's names
#+ params: [{name: name, type: string}]
CONSTRUCT { ?thing <http://schema.org/name> ?name } WHERE { ?thing <http://schema.org/name> ?name }
"""


@pytest.fixture(scope="module")
def queries_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("catalog")
    (directory / "people.rq").write_text(PEOPLE, encoding="utf-8")
    (directory / "names.rq").write_text(GRAPH, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def app(loaded_store: Path, queries_dir: Path):
    built = create_app({"store": loaded_store, "queries_dir": queries_dir, "workers": 1})
    yield built
    services.of(built).store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.mark.parametrize(
    "args",
    [
        {"name": "Deutsche Welle"},
        {"name": "Deutsche Welle", "endpoint": ORG},
        {"name": "Deutsche Welle", "_external": "5", "since": "2017-09-27", "share": "0.5", "kind": "org"},
    ],
)
def test_the_page_of_a_query_with_parameters_named_as_url_for_keywords(client, args):
    response = client.get("/queries/people", query_string=args, headers={"Accept": BROWSER})
    assert (response.status_code, response.mimetype) == (200, formats.HTML)
    html = response.get_data(as_text=True)
    for value in args.values():
        assert f'value="{value}"' in html or f"<option selected>{value}</option>" in html


def alternate(html: str) -> tuple[str, str]:
    """The type and the URL of the page's ``<link rel="alternate">``."""
    head = html.split('<link rel="alternate" ', 1)[1].split(">", 1)[0]
    attributes = dict(part.split("=", 1) for part in head.split())
    return attributes["type"].strip('"'), attributes["href"].strip('"').replace("&amp;", "&")


def test_the_alternate_link_runs_the_query_with_the_same_parameters(client):
    args = {"name": "Deutsche Welle", "endpoint": ORG, "_external": "5"}
    page = client.get("/queries/people", query_string=args, headers={"Accept": BROWSER})
    media_type, url = alternate(page.get_data(as_text=True))
    link = urlsplit(url)
    assert (link.path, MultiDict(parse_qs(link.query)).to_dict()) == ("/queries/people", {**args, "format": "json"})
    answer = client.get(url)
    assert (answer.status_code, answer.mimetype) == (200, media_type)
    assert [row["endpoint"]["value"] for row in answer.get_json()["results"]["bindings"]] == [ORG]


def test_the_alternate_link_of_a_graph_query_is_its_default_rdf_format(client):
    media_type, url = alternate(client.get("/queries/names", headers={"Accept": BROWSER}).get_data(as_text=True))
    assert (media_type, client.get(url).mimetype) == (formats.for_form("CONSTRUCT")[0].media_type, media_type)


@pytest.mark.parametrize(("name", "args", "form"), [("people", {"name": "x"}, "SELECT"), ("names", {}, "CONSTRUCT")])
def test_the_page_offers_every_format_of_the_form(client, name, args, form):
    response = client.get(f"/queries/{name}", query_string=args, headers={"Accept": BROWSER})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for row in formats.for_form(form):
        assert f'<option value="{row.name}">{row.label}</option>' in html


@pytest.fixture(scope="module")
def openapi(app) -> dict:
    response = app.test_client().get("/openapi.json")
    assert (response.status_code, response.mimetype) == (200, "application/json")
    return response.get_json()


def test_openapi_states_the_installed_version(openapi):
    assert openapi["info"]["version"] == importlib.metadata.version("claimgraph")


def test_openapi_parameter_schemas_are_those_of_the_type_table(openapi, queries_dir):
    parameters = {p["name"]: p["schema"] for p in openapi["paths"]["/queries/people"]["get"]["parameters"]}
    canned = catalog.load(queries_dir)["people"]
    assert parameters == {**{p.name: p.schema for p in canned.params},
                          formats.PARAMETER: {"type": "string", "enum": formats.names(formats.offers("SELECT"))}}
    assert (parameters["_external"], parameters["kind"]) == (
        {"type": "integer", "default": "3"}, {"type": "string", "enum": ["org"]})


@pytest.mark.parametrize(("name", "form"), [("people", "SELECT"), ("names", "CONSTRUCT")])
def test_openapi_answers_are_the_media_types_of_the_form(openapi, name, form):
    assert set(openapi["paths"][f"/queries/{name}"]["get"]["responses"]["200"]["content"]) == set(formats.offers(form))


@pytest.mark.parametrize(("accept", "rdf_format"), [("application/json", ox.RdfFormat.JSON_LD), ("text/plain", ox.RdfFormat.N_TRIPLES)])
def test_a_graph_answers_the_generic_types_clients_send(client, accept, rdf_format):
    response = client.get("/queries/names", query_string={"name": "Deutsche Welle"}, headers={"Accept": accept})
    assert (response.status_code, response.mimetype) == (200, accept)
    assert [triple.subject.value for triple in ox.parse(response.data, rdf_format)] == [ORG]


def test_a_select_keeps_sparql_json_for_application_json(client):
    response = client.get("/queries/people", query_string={"name": "Deutsche Welle"}, headers={"Accept": "application/json"})
    assert (response.status_code, response.mimetype) == (200, "application/json")
    assert [row["endpoint"]["value"] for row in response.get_json()["results"]["bindings"]] == [ORG]
