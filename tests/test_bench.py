"""The benchmark's data generator (bench/generate.py) at about 10,000 triples: the same seed gives the same bytes, the
count it gives is the file's, every quote is its archived text at its offsets, the data passes claimgraph's shapes,
and a generated claim answers the canned evidence-trail query and has its pages on a claimgraph server."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.model.dataset import Curated
from claimgraph.model.validate import validate

from conftest import ONTOLOGY, answered, running_server, select

ROOT = Path(__file__).resolve().parents[1]
SIZE = 10_000


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _generator()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, dict, Path]:
    """The file, the count the generator gave, the sidecar and the data directory of the archived texts."""
    directory = tmp_path_factory.mktemp("generated")
    file = directory / "data.nq"
    count = generate.generate(file, SIZE, seed=7, texts=directory / "texts")
    return file, count, json.loads((directory / "data.nq.json").read_text(encoding="utf-8")), directory / "texts"


@pytest.fixture(scope="module")
def store(generated) -> ox.Store:
    file = generated[0]
    loaded = ox.Store()
    loaded.bulk_load(path=str(file), format=ox.RdfFormat.N_QUADS)
    return loaded


def test_same_seed_same_bytes(generated, tmp_path: Path) -> None:
    twin = tmp_path / "twin.nq"
    assert generate.generate(twin, SIZE, seed=7) == generated[1]
    assert twin.read_bytes() == generated[0].read_bytes()


def test_same_seed_same_gzip_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "first.nq.gz", tmp_path / "second.nq.gz"
    generate.generate(first, SIZE, seed=7)
    generate.generate(second, SIZE, seed=7)
    assert first.read_bytes() == second.read_bytes()


def test_another_seed_other_bytes(generated, tmp_path: Path) -> None:
    other = tmp_path / "other.nq"
    generate.generate(other, SIZE, seed=8)
    assert other.read_bytes() != generated[0].read_bytes()


def test_count_is_exact(generated, store: ox.Store) -> None:
    file, count, sidecar, _ = generated
    assert count == len(file.read_bytes().splitlines()) == len(store) == sidecar["triples"]
    assert SIZE <= count < SIZE + 2_000


def test_too_small_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=f"at least {generate.MIN_TRIPLES}"):
        generate.generate(tmp_path / "x.nq", generate.MIN_TRIPLES - 1)


def test_quotes_are_the_text_at_their_offsets(generated, store: ox.Store) -> None:
    texts = generated[3]
    rows = select(store, """
        SELECT ?path ?exact ?prefix ?suffix ?start ?end WHERE {
          ?evidence oa:hasSource/cg:archivedText/cg:localPath ?path ;
                    oa:hasSelector [ oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix ] ,
                                   [ oa:start ?start ; oa:end ?end ] }""")
    claims = select(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }")
    assert len(rows) == int(claims[0]["n"]) > 100
    for row in rows:
        text = (texts / row["path"]).read_text(encoding="utf-8")
        start, end = int(row["start"]), int(row["end"])
        assert text[start:end] == row["exact"]
        assert text[max(0, start - generate.CONTEXT):start] == row["prefix"]
        assert text[end:end + generate.CONTEXT] == row["suffix"]


def test_shapes_and_quotes_pass_validation(generated) -> None:
    file, _, _, texts = generated
    quads = list(ox.parse(path=str(file), format=ox.RdfFormat.N_QUADS))
    shapes = list(ox.parse(path=str(ONTOLOGY / "shapes.ttl")))
    assert validate(Curated(quads=quads, shapes=shapes, ontology_dir=ONTOLOGY, data_dir=texts)) == []


def test_evidence_trail_answers_for_a_generated_claim(generated, store: ox.Store) -> None:
    claim = generated[2]["claims"][0]
    text = (ROOT / "queries" / "evidence-trail.rq").read_text(encoding="utf-8")
    [row] = list(store.query(text, substitutions={ox.Variable("claim"): ox.NamedNode(claim)}, use_default_graph_as_union=True))
    assert row["claim"].value == claim
    assert row["exact"].value + "." == row["text"].value
    assert row["modality"].value in ("stated", "hedged")
    assert row["source"].value == claim.replace("/id/claim/", "/id/source/").rsplit("/", 1)[0]


def test_generated_pages_render(generated, tmp_path: Path) -> None:
    file, _, sidecar, texts = generated
    on_disk = ox.Store(str(tmp_path / "store"))
    on_disk.bulk_load(path=str(file), format=ox.RdfFormat.N_QUADS)
    on_disk.flush()
    del on_disk
    with running_server(tmp_path / "store", data_dir=texts) as server:
        for iri in (sidecar["claims"][0], sidecar["sources"][0], sidecar["cities"][0]):
            page = answered(server.request("GET", "/" + iri.removeprefix(sidecar["base"]), headers={"Accept": "text/html"}))
            assert "is not on this server" not in page.text
