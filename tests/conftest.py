"""Fixtures over the real curated files: the ontology, the data, and stores built from them."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from claimgraph import dataset
from claimgraph.config import resource_dir
from claimgraph.store import EmbeddedStore

ONTOLOGY = resource_dir("ontology")
DATA = resource_dir("data")
QUERIES = resource_dir("queries")
ARTICLE = DATA / "sources" / "dw-2017-mechelen" / "article.txt"


@pytest.fixture(scope="session")
def curated() -> dataset.Curated:
    return dataset.read(ONTOLOGY, DATA)


@pytest.fixture(scope="session")
def data_store(curated: dataset.Curated) -> ox.Store:
    """An in-memory store of the curated files, for asking the data questions."""
    return curated.store()


@pytest.fixture(scope="session")
def article() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the data directory, free to break."""
    return Path(shutil.copytree(DATA, tmp_path / "data"))


@pytest.fixture
def cli(tmp_path: Path):
    """Run the ``claimgraph`` command in its own process, with a private store unless told otherwise."""

    def run(
        *args: str, data_dir: Path = DATA, ontology_dir: Path = ONTOLOGY, store: Path | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess:
        options = ["--store", str(store or tmp_path / "store"), "--data-dir", str(data_dir), "--ontology-dir", str(ontology_dir)]
        return subprocess.run(
            [sys.executable, "-m", "claimgraph", *options, *args], input=stdin, capture_output=True, text=True, timeout=120
        )

    return run


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store loaded once by ``claimgraph load`` in its own process, shared by read-only tests."""
    store = tmp_path_factory.mktemp("loaded") / "store"
    subprocess.run([sys.executable, "-m", "claimgraph", "--store", str(store), "load"], check=True, capture_output=True)
    return store


def dump(store: Path) -> bytes:
    """The whole on-disk store at ``store`` as N-Quads."""
    buffer = io.BytesIO()
    EmbeddedStore(store, read_only=True).dump(buffer, ox.RdfFormat.N_QUADS)
    return buffer.getvalue()


def rewrite(path: Path, update: str) -> None:
    """Apply a SPARQL update (the project's prefixes declared) to one TriG file, in place."""
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG)
    before = set(store)
    store.update(dataset.sparql_prefixes(ONTOLOGY) + update)
    assert set(store) != before, "the change changed nothing"
    store.dump(str(path), ox.RdfFormat.TRIG)


def select(store: ox.Store, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of graphs, each as variable → lexical value."""
    solutions = store.query(dataset.sparql_prefixes(ONTOLOGY) + sparql, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in solutions]


def as_dataset(nquads: bytes) -> dict[str, rdflib.Graph]:
    """N-Quads as named graph → rdflib graph, for comparison with ``rdflib.compare.isomorphic``."""
    dataset_ = rdflib.Dataset()
    dataset_.parse(data=nquads, format="nquads")
    return {str(graph.identifier): graph for graph in dataset_.graphs() if len(graph)}


def isomorphic_datasets(left: bytes, right: bytes) -> bool:
    """Whether two N-Quads documents hold the same graphs, each isomorphic to its namesake."""
    a, b = as_dataset(left), as_dataset(right)
    return a.keys() == b.keys() and all(rdflib.compare.isomorphic(a[name], b[name]) for name in a)
