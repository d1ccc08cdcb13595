"""Fixtures over the real curated files: the ontology, the data, stores built from them, and the service over them.

The service comes two ways. :class:`InProcess` is the application ``create_app`` builds, called through
Flask's test client in this process: fast, for the tables of the protocols (negotiation, parameters,
statuses). :class:`Server` is ``claimgraph serve`` (gunicorn) on a free local port: for what needs a real
server (time limits, request size at the socket, chunked bodies, real clients). Both answer
``service.request(method, path, params=, data=, headers=)``, so a table reads the same against either.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
import requests
from claimgraph.config import Config, resource_dir
from claimgraph.model import dataset
from claimgraph.store.embedded import EmbeddedStore
from claimgraph.web import services
from claimgraph.web.app import create_app
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header, parse_set_header

# The browser tests' fixtures (``browser``, ``visit``, ``screenshot``); see tests/browser.py.
from browser import _playwright, browser, pytest_terminal_summary, screenshot, visit  # noqa: F401

ONTOLOGY = resource_dir("ontology")
DATA = resource_dir("data")
QUERIES = resource_dir("queries")
ARTICLE = DATA / "sources" / "dw-2017-mechelen" / "article.txt"
CG = "https://w3id.org/claimgraph/ontology#"
PROBLEM = "application/problem+json"
TOKEN = "test-token-" + os.urandom(8).hex()

#: The settings of the shared services (``server`` and ``app``): a row cap, one CORS origin, a small body limit.
SHARED = {"max_rows": 50, "cors_origins": ("https://checker.example",), "max_request_bytes": 200_000}
#: The settings every test service starts from.
BASE = {"update_token": TOKEN, "query_timeout": 3.0, "workers": 2}


def _chosen(settings: Mapping[str, object]) -> dict[str, object]:
    """:data:`BASE` overridden by ``settings``, without those set to ``None``."""
    return {name: value for name, value in {**BASE, **settings}.items() if value is not None}


# ---------------------------------------------------------------- the curated files


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


@pytest.fixture(scope="session")
def claims(data_store: ox.Store) -> int:
    """The number of ``cg:Claim`` instances in the curated files, over the union of their graphs."""
    return count(data_store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }")


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


def select(store: ox.Store, sparql: str, **options) -> list[dict[str, str]]:
    """Rows of a SELECT (the project's prefixes declared), by default over the union of graphs, each as variable → lexical value."""
    options.setdefault("use_default_graph_as_union", "default_graph" not in options)
    solutions_ = store.query(dataset.sparql_prefixes(ONTOLOGY) + sparql, **options)
    names = [variable.value for variable in solutions_.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in solutions_]


def count(store: ox.Store, sparql: str, **options) -> int:
    """The single number a ``SELECT (COUNT(…) AS ?n)`` answers."""
    [row] = select(store, sparql, **options)
    return int(row["n"])


def as_dataset(nquads: bytes) -> dict[str, rdflib.Graph]:
    """N-Quads as named graph → rdflib graph, for comparison with ``rdflib.compare.isomorphic``."""
    dataset_ = rdflib.Dataset()
    dataset_.parse(data=nquads, format="nquads")
    return {str(graph.identifier): graph for graph in dataset_.graphs() if len(graph)}


def isomorphic_datasets(left: bytes, right: bytes) -> bool:
    """Whether two N-Quads documents hold the same graphs, each isomorphic to its namesake."""
    a, b = as_dataset(left), as_dataset(right)
    return a.keys() == b.keys() and all(rdflib.compare.isomorphic(a[name], b[name]) for name in a)


# ---------------------------------------------------------------- reading answers (from requests or the test client)


def answered(response, status: int = 200):
    """``response``, once its status is found to be ``status``."""
    assert response.status_code == status, body(response)[:500]
    return response


def body(response) -> bytes:
    """The body of a ``requests`` response or of a Flask test-client response."""
    return response.content if isinstance(response, requests.Response) else response.get_data()


def url_of(response) -> str:
    """The URL that was asked for."""
    return response.url if isinstance(response, requests.Response) else response.request.url


def media_type(response) -> str:
    """The media type of the Content-Type header, without parameters (``""`` when there is none)."""
    return parse_options_header(response.headers.get("Content-Type"))[0]


def solutions(response) -> list[dict[str, str]]:
    """The rows of a SELECT answer in any results format, as variable → lexical value."""
    if media_type(response) == "text/csv":
        return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))
    found = ox.parse_query_results(body(response), ox.QueryResultsFormat.from_media_type(media_type(response)))
    names = [variable.value for variable in found.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in found]


def boolean(response) -> bool:
    """The answer of an ASK in any results format."""
    if media_type(response) == "text/csv":
        return body(response).decode().strip() == "true"
    return bool(ox.parse_query_results(body(response), ox.QueryResultsFormat.from_media_type(media_type(response))))


def triples(response) -> set[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]]:
    """The triples of a graph answer in any RDF format (quads of the default graph become triples)."""
    found = ox.parse(body(response), ox.RdfFormat.from_media_type(media_type(response)))
    return {(quad.subject, quad.predicate, quad.object) for quad in found}


def problem(response) -> dict:
    """The problem document (RFC 9457) of an error answer; fails unless the answer is one."""
    assert media_type(response) == PROBLEM
    return json.loads(body(response))


def header_words(response, name: str) -> set[str]:
    """The comma-separated words of header ``name``, lower case."""
    return {word.lower() for word in parse_set_header(response.headers.get(name))}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if href:
            self.links.append((tag, href))

    def handle_data(self, data):
        self.text.append(data)


@dataclasses.dataclass(frozen=True)
class Page:
    """An HTML answer read: its links (element name, URL resolved against the page's URL) and its text."""

    links: tuple[tuple[str, str], ...]
    text: str

    def hrefs(self, *tags: str) -> list[str]:
        """The URLs of the links of elements ``tags`` (all elements when none are named)."""
        return [url for tag, url in self.links if not tags or tag in tags]


def page(response) -> Page:
    """An HTML answer read; fails unless the answer is HTML."""
    assert media_type(response) == "text/html"
    parser = _Page()
    parser.feed(body(response).decode("utf-8"))
    base = url_of(response)
    return Page(tuple((tag, urljoin(base, href)) for tag, href in parser.links), " ".join(parser.text))


# ---------------------------------------------------------------- waiting for a condition


def wait_until(condition: Callable[[], object], within: float, what: str):
    """Poll ``condition`` until it gives a true value, which is returned; fail after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so after {within:g} s")
        time.sleep(0.05)
    return found


# ---------------------------------------------------------------- the service in this process


def copy_of(store: Path, where: Path) -> Path:
    """A copy of the on-disk ``store`` in the new directory ``where``, for a service of its own."""
    return Path(shutil.copytree(store, where / "store"))


class Service:
    """What :class:`InProcess` and :class:`Server` share: ``url``, ``config`` and :meth:`request` (as ``requests.request``)."""

    url: str
    config: Config

    @property
    def token(self) -> str:
        return self.config.update_token

    def sparql(self) -> str:
        return self.url + "/sparql"

    def get(self, path: str, **options):
        return self.request("GET", path, **options)

    def post(self, path: str, **options):
        return self.request("POST", path, **options)


@dataclasses.dataclass
class InProcess(Service):
    """The application :func:`create_app` builds, called in this process through Flask's test client.

    :meth:`request` takes what ``requests.request`` takes (``params`` and ``data`` as a mapping or a list of
    pairs, a ``data`` mapping sent as a form) and sends ``Accept: */*`` unless told otherwise, as requests does.
    """

    app: object
    url: str = "http://localhost"

    @property
    def config(self) -> Config:
        return services.of(self.app).config

    def request(self, method: str, path: str, *, params=None, data=None, headers: Mapping[str, str | None] | None = None):
        sent = {"Accept": "*/*", **(headers or {})}
        if isinstance(data, (Mapping, list)):
            data = MultiDict(data)
        elif isinstance(data, str):
            data = data.encode()
        return self.app.test_client().open(
            path,
            method=method,
            query_string=MultiDict(params) if params else None,
            data=data,
            headers={name: value for name, value in sent.items() if value is not None},
        )


@contextlib.contextmanager
def in_process(store: Path, **settings: object):
    """The application over ``store`` with :data:`BASE` and ``settings`` (``None``: left unset); its workers end with the block."""
    app = create_app({"store": store, **_chosen(settings)})
    try:
        yield InProcess(app)
    finally:
        services.of(app).store.close()


@pytest.fixture(scope="session")
def app(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> InProcess:
    """The application in this process over a copy of the curated store, with the shared settings (:data:`SHARED`).

    Tests that write must use graphs of their own and leave the curated graphs alone.
    """
    with in_process(copy_of(loaded_store, tmp_path_factory.mktemp("in-process")), **SHARED) as running:
        yield running


@pytest.fixture
def own_app(loaded_store: Path, tmp_path: Path) -> InProcess:
    """An application of its own over a fresh copy of the curated store (one worker), for tests that change it."""
    with in_process(copy_of(loaded_store, tmp_path), workers=1) as running:
        yield running


# ---------------------------------------------------------------- the service under gunicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclasses.dataclass
class Server(Service):
    """A ``claimgraph serve`` process on a free local port, and the settings it runs with."""

    url: str
    store: Path
    config: Config
    process: subprocess.Popen

    def request(self, method: str, path: str, **options) -> requests.Response:
        return requests.request(method, self.url + path, timeout=30, **options)


def _environment_text(value: object) -> str:
    return " ".join(value) if isinstance(value, tuple) else str(value)


@contextlib.contextmanager
def running_server(store: Path, **settings: object):
    """Run ``claimgraph serve`` over ``store`` with :data:`BASE` and ``settings`` (as ``CLAIMGRAPH_*``; ``None``: left unset)
    until the block ends."""
    port = free_port()
    environ = {name: value for name, value in os.environ.items() if not name.startswith("CLAIMGRAPH_")}
    environ.update({f"CLAIMGRAPH_{name.upper()}": _environment_text(value) for name, value in _chosen(settings).items()})
    config = Config.load({"store": store, "port": port}, environ=environ)
    log = store.parent / f"server-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "claimgraph", "--store", str(store), "serve", "--port", str(port)],
            # A session of its own: a test may end the server with every process it started (os.killpg).
            env=environ, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            return requests.get(url + "/healthz", timeout=5).status_code == 200
        # A server still starting on a busy machine may answer slowly: not healthy yet, until the deadline.
        except (requests.ConnectionError, requests.Timeout):
            return False

    try:
        wait_until(healthy, 60, f"the server answers /healthz (log: {log})")
        yield Server(url, store, config, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """One server over a copy of the curated store for the whole session, with the shared settings (:data:`SHARED`).

    Tests that write must use graphs of their own and leave the curated graphs alone.
    """
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("served")), **SHARED) as running:
        yield running


@pytest.fixture(scope="session")
def uncapped(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> InProcess:
    """The application in this process over the curated store with the default row cap, which exceeds every example's answer."""
    with in_process(copy_of(loaded_store, tmp_path_factory.mktemp("uncapped")), workers=1) as running:
        yield running


@pytest.fixture
def own_server(loaded_store: Path, tmp_path: Path) -> Server:
    """A server of its own over a fresh copy of the curated store, for tests that change it or stop its workers."""
    with running_server(copy_of(loaded_store, tmp_path)) as running:
        yield running
