"""`claimgraph load`: validated first, atomic, idempotent, replacing each curated graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from claimgraph.store.embedded import EmbeddedStore
from conftest import dump, isomorphic_datasets, rewrite
from test_validate import BREAKS, CLAIM_PREFIX, CLAIMS_FILE

POPULATION = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/mechelen-population"


def test_load_fills_an_empty_store_with_every_curated_quad(cli, tmp_path, curated):
    result = cli("load")
    assert result.returncode == 0, result.stderr
    assert f"loaded {len(curated.quads)} quads" in result.stderr
    assert isomorphic_datasets(dump(tmp_path / "store"), ox.serialize(curated.quads, format=ox.RdfFormat.N_QUADS))


def test_load_if_empty_fills_an_empty_store(cli, tmp_path, curated):
    """What `make serve` does on a fresh clone."""
    result = cli("load", "--if-empty")
    assert result.returncode == 0, result.stderr
    assert len(dump(tmp_path / "store").splitlines()) == len(curated.quads)


def test_loading_twice_gives_the_same_store(cli, tmp_path):
    assert cli("load").returncode == 0
    first = dump(tmp_path / "store")
    assert cli("load").returncode == 0
    assert isomorphic_datasets(dump(tmp_path / "store"), first)


def test_a_file_that_does_not_parse_leaves_the_store_unchanged(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    (data_copy / CLAIMS_FILE).write_text((data_copy / CLAIMS_FILE).read_text(encoding="utf-8") + "\n<oops> .\n")
    result = cli("load", data_dir=data_copy)
    assert result.returncode == 1
    assert f"{data_copy / CLAIMS_FILE}:" in result.stderr and "the store was not changed" in result.stderr
    assert dump(tmp_path / "store") == before


def test_data_that_fails_validation_leaves_the_store_unchanged(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    case, file, update, subject, words = BREAKS[0]
    rewrite(data_copy / file, CLAIM_PREFIX + update)
    result = cli("load", data_dir=data_copy)
    assert result.returncode == 1
    assert f"<{subject}>" in result.stderr and words in result.stderr
    assert "the store was not changed" in result.stderr
    assert dump(tmp_path / "store") == before


def test_a_failed_first_load_creates_no_store(cli, tmp_path, data_copy):
    case, file, update, subject, words = BREAKS[0]
    rewrite(data_copy / file, CLAIM_PREFIX + update)
    assert cli("load", data_dir=data_copy).returncode == 1
    assert not (tmp_path / "store").exists()


def test_a_reload_replaces_a_graph_instead_of_adding_to_it(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    rewrite(data_copy / CLAIMS_FILE, f"DELETE WHERE {{ GRAPH ?g {{ <{POPULATION}> ?p ?o }} }}")
    result = cli("load", data_dir=data_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not EmbeddedStore(tmp_path / "store", read_only=True).ask(f"ASK {{ <{POPULATION}> ?p ?o }}")


def test_load_if_empty_leaves_a_filled_store_alone(cli, tmp_path, data_copy):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    rewrite(data_copy / CLAIMS_FILE, f"DELETE WHERE {{ GRAPH ?g {{ <{POPULATION}> ?p ?o }} }}")
    result = cli("load", "--if-empty", data_dir=data_copy)
    assert result.returncode == 0
    assert "already holds data" in result.stderr
    assert dump(tmp_path / "store") == before


def test_a_second_writer_gets_a_clear_error(cli, tmp_path):
    holder = EmbeddedStore(tmp_path / "store")
    result = cli("load")
    assert result.returncode == 1
    assert f"cannot open the store at {tmp_path / 'store'}" in result.stderr and "Traceback" not in result.stderr
    assert holder.is_empty()


def test_replacing_graphs_is_all_or_nothing(tmp_path):
    """One update drops and refills the graphs: when the refill cannot run, the old graph stays."""
    graph = ox.NamedNode("https://example.org/graph")
    old = ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("old"), graph)
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs([old])
    new = ox.Quad(old.subject, old.predicate, ox.Literal("new"), graph)
    unwritable = ox.Quad(old.subject, old.predicate, ox.Triple(old.subject, old.predicate, old.subject), graph)
    with pytest.raises(SyntaxError):
        store.replace_graphs([new, unwritable])
    assert store.select("SELECT ?o WHERE { ?s ?p ?o }") == [{"o": ox.Literal("old")}]


def test_replacing_graphs_refuses_the_default_graph(tmp_path):
    quad = ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("x"))
    with pytest.raises(ValueError, match="quad not in a named graph"):
        EmbeddedStore(tmp_path / "store").replace_graphs([quad])
