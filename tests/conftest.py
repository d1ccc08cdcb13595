"""Fixtures over the real curated files: the ontology, the data, and stores built from them."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
import requests

from claimgraph.model import dataset
from claimgraph.config import resource_dir
from claimgraph.store.embedded import EmbeddedStore

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class Server:
    """A ``claimgraph serve`` process on a free local port."""

    url: str
    store: Path
    token: str
    process: subprocess.Popen

    def sparql(self) -> str:
        return self.url + "/sparql"


@contextlib.contextmanager
def running_server(store: Path, **settings: str):
    """Run ``claimgraph serve`` over ``store`` (with ``CLAIMGRAPH_<NAME>`` settings) until the block ends."""
    port = free_port()
    environ = {**os.environ, "CLAIMGRAPH_UPDATE_TOKEN": TOKEN, "CLAIMGRAPH_QUERY_TIMEOUT": "3", "CLAIMGRAPH_WORKERS": "2"}
    environ.update({f"CLAIMGRAPH_{name.upper()}": value for name, value in settings.items()})
    log = store.parent / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "claimgraph", "--store", str(store), "serve", "--port", str(port)],
            env=environ, stdout=output, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield Server(url, store, environ["CLAIMGRAPH_UPDATE_TOKEN"], process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


TOKEN = "test-token-" + os.urandom(8).hex()


@pytest.fixture(scope="session")
def server(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """One server over a copy of the curated store for the whole session: row cap 50, CORS for one origin.

    Tests that write must use graphs of their own and leave the curated graphs alone.
    """
    store = Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("served") / "store"))
    with running_server(store, max_rows="50", cors_origins="https://checker.example", max_request_bytes="200000") as running:
        yield running


@pytest.fixture
def own_server(loaded_store: Path, tmp_path: Path) -> Server:
    """A server of its own over a fresh copy of the curated store, for tests that change it or stop its workers."""
    store = Path(shutil.copytree(loaded_store, tmp_path / "store"))
    with running_server(store) as running:
        yield running
