"""The YAML form says everything the curated data says: ``claimgraph export-yaml`` of the curated source, compiled by
``claimgraph compile``, gives back the graph of data/claims/dw-2017-mechelen.trig (``rdflib.compare.isomorphic``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
import rdflib.compare
import yaml
from claimgraph.cli import main
from click.testing import CliRunner
from conftest import DATA, ONTOLOGY, rewrite

SLUG = "dw-2017-mechelen"
GRAPH = rdflib.URIRef(f"https://w3id.org/claimgraph/graph/{SLUG}")
CLAIM = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/"
#: The order of a claim's keys in the export (docs/authoring.md's table).
CLAIM_KEYS = ["id", "text", "kind", "voice", "modality", "hedge", "speaker", "about", "cause", "effect", "when", "note", "figures", "quotes"]


def claimgraph(data_dir: Path, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "--ontology-dir", str(ONTOLOGY), *args])


def claims_graph(path: Path) -> rdflib.Graph:
    found = rdflib.Dataset()
    found.parse(path, format="trig")
    return found.graph(GRAPH)


@pytest.fixture(scope="module")
def exported() -> str:
    done = claimgraph(DATA, "export-yaml", SLUG)
    assert done.exit_code == 0, done.output
    return done.stdout


def test_compiling_the_export_gives_back_the_curated_graph(data_copy, exported):
    (data_copy / "sources" / SLUG / "claims.yaml").write_text(exported, encoding="utf-8")
    done = claimgraph(data_copy, "compile")
    assert done.exit_code == 0, done.output
    curated, compiled = claims_graph(DATA / "claims" / f"{SLUG}.trig"), claims_graph(data_copy / "claims" / f"{SLUG}.trig")
    assert len(compiled) == len(curated)
    assert rdflib.compare.isomorphic(compiled, curated)


def test_the_export_holds_every_claim_and_figure(exported, data_store):
    document = yaml.safe_load(exported)
    claims = {row[0].value for row in data_store.query(f"SELECT ?c WHERE {{ GRAPH <{GRAPH}> {{ ?c a <https://w3id.org/claimgraph/ontology#Claim> }} }}")}
    figures = {row[0].value for row in data_store.query(f"SELECT ?f WHERE {{ GRAPH <{GRAPH}> {{ ?f a <https://w3id.org/claimgraph/ontology#Figure> }} }}")}
    assert (document["source"], document["language"]) == (SLUG, "en")
    assert {CLAIM + claim["id"] for claim in document["claims"]} == claims
    assert len(document["figures"]) == len(figures)


def test_the_export_is_readable(exported):
    document = yaml.safe_load(exported)
    for claim in document["claims"]:
        keys = list(claim)
        assert keys == [key for key in CLAIM_KEYS if key in keys], claim["id"]
    most_cctv = exported.split("- id: most-cctv\n", 1)[1].split("\n- id: ", 1)[0]
    assert "  kind: [comparative, policy]\n" in most_cctv
    assert "  about: [place/belgium, place/mechelen, policy/cctv-surveillance]\n" in most_cctv
    # a long quote is a folded block scalar, not one long quoted line
    since_2001 = exported.split("- id: somers-fight-since-2001\n", 1)[1].split("\n- id: ", 1)[0]
    assert "  - words: >-\n      This is where the mayor of Mechelen, Bart Somers, has been waging" in since_2001
    assert max(len(line) for line in exported.splitlines()) <= 120
    # claims come in the order of their words in the text
    assert [claim["id"] for claim in document["claims"]][:2] == ["suspects-from-belgium", "mechelen-embraced-integration"]


def test_a_triple_the_form_cannot_say_is_an_error(data_copy):
    rewrite(data_copy / "claims" / f"{SLUG}.trig", f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{CLAIM}most-cctv> schema:keywords \"cctv\" }} }}")
    done = claimgraph(data_copy, "export-yaml", SLUG)
    assert done.exit_code == 1
    assert f"export-yaml: the YAML form cannot say 1 triple(s) of graph <{GRAPH}>:" in done.output
    assert f'<{CLAIM}most-cctv> <http://schema.org/keywords> "cctv"' in done.output


def test_an_unknown_source_is_an_error():
    done = claimgraph(DATA, "export-yaml", "no-such-source")
    assert done.exit_code == 1
    assert "export-yaml: no source 'no-such-source': the curated data has no <https://w3id.org/claimgraph/id/source/no-such-source>" in done.output


def test_a_changed_archive_is_an_error(data_copy):
    article = data_copy / "sources" / SLUG / "article.txt"
    article.write_bytes(article.read_bytes() + b"\n")
    done = claimgraph(data_copy, "export-yaml", SLUG)
    assert done.exit_code == 1
    assert "the text on disk has SHA-256" in done.output
