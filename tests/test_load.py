"""`claimgraph load`: validated first, atomic, idempotent, replacing each curated graph."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox

from claimgraph.store import EmbeddedStore
from conftest import isomorphic_datasets
from test_validate import BREAKS, CLAIMS_FILE, rewrite

POPULATION = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/mechelen-population"


def dump(store: Path) -> bytes:
    buffer = io.BytesIO()
    EmbeddedStore(store, read_only=True).dump(buffer, ox.RdfFormat.N_QUADS)
    return buffer.getvalue()


def test_load_fills_an_empty_store_with_every_curated_quad(cli, tmp_path, curated):
    result = cli("load")
    assert result.returncode == 0, result.stderr
    assert f"loaded {len(curated.quads)} quads" in result.stderr
    assert isomorphic_datasets(dump(tmp_path / "store"), ox.serialize(curated.quads, format=ox.RdfFormat.N_QUADS))


def test_loading_twice_gives_the_same_store(cli, tmp_path):
    assert cli("load").returncode == 0
    first = dump(tmp_path / "store")
    assert cli("load").returncode == 0
    assert sorted(dump(tmp_path / "store").splitlines()) == sorted(first.splitlines())


def test_a_file_that_does_not_parse_leaves_the_store_unchanged(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    (data_copy / CLAIMS_FILE).write_text((data_copy / CLAIMS_FILE).read_text(encoding="utf-8") + "\n<oops> .\n")
    result = cli("load", data_dir=data_copy)
    assert result.returncode == 1
    assert "claims/dw-2017-mechelen.trig:" in result.stderr and "the store was not changed" in result.stderr
    assert dump(tmp_path / "store") == before


def test_data_that_fails_validation_leaves_the_store_unchanged(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    case, file, update, subject, words = BREAKS[0]
    rewrite(data_copy / file, update)
    result = cli("load", data_dir=data_copy)
    assert result.returncode == 1
    assert f"<{subject}>" in result.stderr and words in result.stderr
    assert "the store was not changed" in result.stderr
    assert dump(tmp_path / "store") == before


def test_a_reload_replaces_a_graph_instead_of_adding_to_it(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    rewrite(data_copy / CLAIMS_FILE, f"DELETE WHERE {{ GRAPH ?g {{ <{POPULATION}> ?p ?o }} }}")
    result = cli("load", data_dir=data_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    answer = EmbeddedStore(tmp_path / "store", read_only=True).query(f"ASK {{ <{POPULATION}> ?p ?o }}")
    assert not answer


def test_load_if_empty_leaves_a_filled_store_alone(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    rewrite(data_copy / CLAIMS_FILE, f"DELETE WHERE {{ GRAPH ?g {{ <{POPULATION}> ?p ?o }} }}")
    result = cli("load", "--if-empty", data_dir=data_copy)
    assert result.returncode == 0
    assert "already holds data" in result.stderr
    assert dump(tmp_path / "store") == before
