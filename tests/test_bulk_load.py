"""``claimgraph load PATH…``: RDF files of every format pyoxigraph reads (``.gz`` too), loose triples into their
file's graph, everything checked before one atomic write, and a clear refusal when another process holds the store."""

from __future__ import annotations

import gc
import gzip
import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.cli import main
from claimgraph.store import bulk as store_bulk
from click.testing import CliRunner
from conftest import ONTOLOGY, dump, isomorphic_datasets

FILE_GRAPHS = "https://w3id.org/claimgraph/graph/file/"
EX = "http://example.org/"
S, P = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
NAMED = ox.NamedNode(EX + "graph")
#: A graph's worth of triples: an IRI, a typed and a language-tagged literal, and a blank node.
TRIPLES = [
    ox.Triple(S, P, ox.NamedNode(EX + "o")),
    ox.Triple(S, P, ox.Literal("42", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    ox.Triple(S, P, ox.Literal("Mechelen", language="nl")),
    ox.Triple(S, ox.NamedNode(EX + "knows"), ox.BlankNode("b")),
    ox.Triple(ox.BlankNode("b"), P, ox.Literal("anonymous")),
]
#: The triples again, some in the default graph and some in a named graph.
QUADS = [ox.Quad(*TRIPLES[0]), ox.Quad(*TRIPLES[1]), *(ox.Quad(*triple, NAMED) for triple in TRIPLES[2:])]


@pytest.fixture
def cli(tmp_path: Path):
    """Run ``claimgraph`` in this process (click's runner) on a private store."""

    def run(*args: str, store: Path | None = None):
        options = ["--store", str(store or tmp_path / "store"), "--ontology-dir", str(ONTOLOGY)]
        result = CliRunner().invoke(main, [*options, *args])
        # pyshacl leaves reference cycles holding the command's frames, the open store among their locals: the
        # store's lock is let go only when they are collected (a real command ends its process instead).
        gc.collect()
        return result

    return run


def written(path: Path, quads: list[ox.Quad], format: ox.RdfFormat) -> Path:
    """``path`` holding ``quads`` (their triples, for a format without datasets), gzip-compressed if it ends in .gz."""
    data = ox.serialize(quads if format.supports_datasets else [quad.triple for quad in quads], format=format)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def as_loaded(quads: list[ox.Quad], graph: str) -> bytes:
    """``quads`` as N-Quads, those of the default graph moved into ``graph``."""
    named = ox.NamedNode(graph)
    moved = [quad if quad.graph_name != ox.DefaultGraph() else ox.Quad(*quad.triple, named) for quad in quads]
    return ox.serialize(moved, format=ox.RdfFormat.N_QUADS)


def parsed_counts(path: Path, format: ox.RdfFormat, graph: str) -> Counter[str]:
    """Triples per graph of the file, counted by parsing it here (the default graph under ``graph``)."""
    with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as file:
        return Counter(graph if quad.graph_name == ox.DefaultGraph() else quad.graph_name.value for quad in ox.parse(file, format))


@pytest.mark.parametrize(
    "name, format",
    [
        ("data.nt", ox.RdfFormat.N_TRIPLES),
        ("data.nq", ox.RdfFormat.N_QUADS),
        ("data.ttl", ox.RdfFormat.TURTLE),
        ("data.trig", ox.RdfFormat.TRIG),
        ("data.rdf", ox.RdfFormat.RDF_XML),
        ("data.xml", ox.RdfFormat.RDF_XML),
        ("data.owl", ox.RdfFormat.RDF_XML),
        ("data.jsonld", ox.RdfFormat.JSON_LD),
        ("data.n3", ox.RdfFormat.N3),
        ("data.nq.gz", ox.RdfFormat.N_QUADS),
        ("data.ttl.gz", ox.RdfFormat.TURTLE),
    ],
)
def test_each_format_loads_with_loose_triples_in_the_files_graph(cli, tmp_path, name, format):
    source = written(tmp_path / "in" / name, QUADS, format)
    result = cli("load", str(source))
    assert result.exit_code == 0, result.output
    kept = QUADS if format.supports_datasets else [ox.Quad(*triple) for triple in TRIPLES]
    assert isomorphic_datasets(dump(tmp_path / "store"), as_loaded(kept, FILE_GRAPHS + "data"))
    graphs = 2 if format.supports_datasets else 1
    assert f"loaded 1 file(s): {len(TRIPLES)} triples in {graphs} graph(s)" in result.stderr


def test_loose_triples_land_in_the_files_graph_and_never_in_the_default_graph(cli, tmp_path):
    source = written(tmp_path / "Claims 2024 (draft).nq", QUADS, ox.RdfFormat.N_QUADS)
    assert cli("load", str(source)).exit_code == 0
    store = ox.Store.read_only(str(tmp_path / "store"))
    graphs = {quad.graph_name.value for quad in store.quads_for_pattern(S, P, ox.NamedNode(EX + "o"))}
    assert graphs == {FILE_GRAPHS + "claims-2024-draft"}
    assert list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())) == []


def test_a_folder_is_searched_recursively_and_a_name_taken_twice_is_made_unique(cli, tmp_path):
    folder = tmp_path / "in"
    first = written(folder / "a" / "people.ttl", QUADS[:2], ox.RdfFormat.TURTLE)
    second = written(folder / "b" / "deeper" / "people.nt.gz", QUADS[2:3], ox.RdfFormat.N_TRIPLES)
    (folder / "notes.txt").write_text("not RDF, skipped")
    result = cli("load", str(folder))
    assert result.exit_code == 0, result.output
    assert f"skipped 1 file(s) with no RDF extension: {folder / 'notes.txt'}" in result.stderr
    assert f"{second}: graph name 'people' is taken by an earlier file; its triples go into graph/file/people-2" in result.stderr
    expected = as_loaded(QUADS[:2], FILE_GRAPHS + "people") + as_loaded([ox.Quad(*QUADS[2].triple)], FILE_GRAPHS + "people-2")
    assert isomorphic_datasets(dump(tmp_path / "store"), expected)
    assert first.exists()


def test_blank_nodes_of_two_files_stay_apart(cli, tmp_path):
    one = written(tmp_path / "one.nt", [ox.Quad(ox.BlankNode("b"), P, ox.Literal("one"))], ox.RdfFormat.N_TRIPLES)
    two = written(tmp_path / "two.nt", [ox.Quad(ox.BlankNode("b"), P, ox.Literal("two"))], ox.RdfFormat.N_TRIPLES)
    assert cli("load", str(one), str(two)).exit_code == 0
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len({quad.subject for quad in store}) == 2


@pytest.mark.parametrize("filled", [False, True], ids=["new store", "filled store"])
def test_a_syntax_error_in_the_second_of_three_files_writes_nothing(cli, tmp_path, filled):
    before = b""
    if filled:
        assert cli("load", str(written(tmp_path / "earlier.trig", QUADS, ox.RdfFormat.TRIG))).exit_code == 0
        before = dump(tmp_path / "store")
    first = written(tmp_path / "in" / "1.nt", QUADS, ox.RdfFormat.N_TRIPLES)
    second = tmp_path / "in" / "2.ttl"
    second.write_text(f"<{EX}a> <{EX}b> <{EX}c> .\n\n<{EX}a> <{EX}b> .\n")
    third = written(tmp_path / "in" / "3.nq", QUADS, ox.RdfFormat.N_QUADS)
    result = cli("load", str(first), str(second), str(third))
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(str(second))}:3:\d+: .*; nothing was loaded", result.stderr), result.stderr
    if filled:
        assert dump(tmp_path / "store") == before
    else:
        assert not (tmp_path / "store").exists()


def test_an_ill_typed_literal_is_refused_with_its_statement(cli, tmp_path):
    source = tmp_path / "figures.nt"
    source.write_text(f'<{EX}a> <{EX}b> "1" .\n<{EX}a> <{EX}b> "many"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    result = cli("load", str(source))
    assert result.exit_code == 1
    assert f'{source}: statement 2: "many"^^<http://www.w3.org/2001/XMLSchema#integer> is not a valid integer' in result.stderr
    assert not (tmp_path / "store").exists()


def test_a_small_input_is_checked_against_the_shapes(cli, tmp_path):
    claim = "https://w3id.org/claimgraph/id/claim/test/without-text"
    source = tmp_path / "claims.ttl"
    source.write_text(f"<{claim}> a <https://w3id.org/claimgraph/ontology#Claim> .\n")
    result = cli("load", str(source))
    assert result.exit_code == 1
    assert f"<{claim}> schema:text: claim has no text (schema:text)" in result.stderr.splitlines()
    assert "nothing was loaded" in result.stderr and not (tmp_path / "store").exists()


def test_a_file_with_no_rdf_extension_is_refused_by_name(cli, tmp_path):
    source = tmp_path / "data.csv"
    source.write_text("a,b\n")
    result = cli("load", str(source))
    assert result.exit_code == 1
    assert f"{source}: not an RDF file by its extension" in result.stderr


def test_if_empty_leaves_a_filled_store_alone(cli, tmp_path):
    assert cli("load", str(written(tmp_path / "earlier.trig", QUADS, ox.RdfFormat.TRIG))).exit_code == 0
    before = dump(tmp_path / "store")
    result = cli("load", "--if-empty", str(written(tmp_path / "more.nt", QUADS, ox.RdfFormat.N_TRIPLES)))
    assert result.exit_code == 0 and "already holds data; not loading" in result.stderr
    assert dump(tmp_path / "store") == before


def test_stats_after_a_load_counts_what_the_file_holds(cli, tmp_path):
    source = tmp_path / "generated.nq.gz"
    lines = [f'<{EX}s{i}> <{EX}p{i % 3}> "{i}"{f" <{EX}g{i % 7}>" if i % 5 else ""} .\n' for i in range(3000)]
    source.write_bytes(gzip.compress("".join(lines).encode()))
    counts = parsed_counts(source, ox.RdfFormat.N_QUADS, FILE_GRAPHS + "generated")
    assert cli("load", str(source)).exit_code == 0
    result = cli("stats")
    assert result.exit_code == 0, result.output
    assert f"{sum(counts.values())} quads in {len(counts)} named graphs" in result.stdout
    listed = re.findall(r"^\s+(\d+)\s+(\S+)$", result.stdout.split("instances per class:")[0], re.MULTILINE)
    assert {graph: int(count) for count, graph in listed} == counts


def test_a_store_held_by_another_process_is_refused_with_the_way_to_send_data(cli, tmp_path):
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('held', flush=True); sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline() == "held\n"
        for args in (("load", str(written(tmp_path / "data.ttl", QUADS, ox.RdfFormat.TURTLE))), ("load",)):
            result = cli(*args)
            assert result.exit_code == 1
            assert f"cannot open the store at {store}: a running claimgraph server (or another process) holds it" in result.stderr
            assert "curl -X POST --data-binary @file.ttl -H 'Content-Type: text/turtle' -H 'Authorization: Bearer TOKEN'" in result.stderr
            assert "http://127.0.0.1:8000/store?graph=IRI" in result.stderr
    finally:
        holder.communicate("")
    assert len(ox.Store.read_only(str(store))) == 0


def test_one_bulk_write_adds_nothing_when_its_quads_stop_with_an_error(tmp_path):
    """What makes a load of several files atomic: pyoxigraph's bulk loader adds its table files at its end."""
    store = ox.Store(str(tmp_path / "store"))

    def quads():
        yield from QUADS
        raise ValueError("the third file does not parse")

    with pytest.raises(ValueError, match="the third file"):
        store_bulk.write_all(store, quads())
    assert len(store) == 0


def test_one_bulk_load_adds_nothing_when_its_file_does_not_parse(tmp_path):
    store = ox.Store(str(tmp_path / "store"))
    data = ox.serialize([quad.triple for quad in QUADS], format=ox.RdfFormat.N_TRIPLES) + b"<broken> .\n"
    with pytest.raises(SyntaxError):
        store_bulk.load_one(store, io.BytesIO(data), ox.RdfFormat.N_TRIPLES, NAMED)
    assert len(store) == 0
