"""JSON-LD is compacted with the project's context the same way over HTTP (in the query worker) and on the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from claimgraph.model import dataset
from claimgraph.rdf import jsonld
from claimgraph.web import services
from claimgraph.web.app import create_app
from conftest import ONTOLOGY

CLAIM_TEXTS = ("CONSTRUCT { ?c <http://schema.org/text> ?t } "
               "WHERE { ?c a <https://w3id.org/claimgraph/ontology#Claim> ; <http://schema.org/text> ?t }")
ENTITIES = "https://w3id.org/claimgraph/graph/entities"
JSONLD = "application/ld+json"


@pytest.fixture(scope="module")
def client(loaded_store, tmp_path_factory):
    app = create_app({"store": Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("jsonld") / "store")), "workers": 1})
    yield app.test_client()
    services.of(app).store.close()


def _by_id(document: dict) -> dict:
    """``document`` with its top-level nodes in order of ``@id``, for comparing documents written in any order."""
    return {**document, "@graph": sorted(document["@graph"], key=lambda node: node["@id"])}


def _graph(data: str | bytes, format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=format)


def test_a_construct_answer_is_compacted_over_http_as_by_the_cli(client, cli, loaded_store):
    over_http = client.get("/sparql", query_string={"query": CLAIM_TEXTS}, headers={"Accept": JSONLD})
    on_cli = cli("query", CLAIM_TEXTS, "--format", "jsonld", store=loaded_store)
    assert over_http.status_code == 200 and over_http.mimetype == JSONLD
    assert on_cli.returncode == 0, on_cli.stderr
    assert over_http.json["@context"] == dataset.context(ONTOLOGY)
    assert _by_id(over_http.json) == _by_id(json.loads(on_cli.stdout))


def test_a_compacted_answer_holds_the_graph_of_the_ntriples_answer(client):
    compacted = client.get("/sparql", query_string={"query": CLAIM_TEXTS}, headers={"Accept": JSONLD})
    ntriples = client.get("/sparql", query_string={"query": CLAIM_TEXTS}, headers={"Accept": "application/n-triples"})
    assert (compacted.status_code, ntriples.status_code) == (200, 200)
    assert rdflib.compare.isomorphic(_graph(compacted.data, "json-ld"), _graph(ntriples.data, "nt"))


def test_a_graph_download_is_compacted_with_the_context_of_the_export(client, cli, loaded_store):
    downloaded = client.get("/store", query_string={"graph": ENTITIES}, headers={"Accept": JSONLD})
    exported = json.loads(cli("export", "--format", "jsonld", store=loaded_store).stdout)
    assert downloaded.status_code == 200
    assert downloaded.json["@context"] == exported["@context"] == dataset.context(ONTOLOGY)
    ntriples = client.get("/store", query_string={"graph": ENTITIES}, headers={"Accept": "application/n-triples"})
    assert rdflib.compare.isomorphic(_graph(downloaded.data, "json-ld"), _graph(ntriples.data, "nt"))


def test_compact_refuses_a_format_it_cannot_read():
    with pytest.raises(ValueError, match="N-Triples or N-Quads"):
        jsonld.compact(b"", ox.RdfFormat.TURTLE, {})
