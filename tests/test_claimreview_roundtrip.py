"""ClaimReview in, out and in again: the fixtures' feeds (with a claim two reviewers share, and Google's example) imported by ``claimgraph import-claimreview``, published
by the server's ``/export/claimreview.jsonld``, and that feed imported into a fresh store give the same reviews:
every reviewer's graph isomorphic to the first import's."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
import requests
from claimgraph.config import resource_dir
from conftest import running_server

FIXTURES = Path(__file__).parent / "fixtures" / "claimreview"
#: The fixtures' feeds, two reviewers of one claim the data lacks (the second's export names the first's
#: cg:ClaimFromReview), and Google's own example (no date, a claimant with sameAs).
IMPORTED = (FIXTURES / "good", FIXTURES / "shared", FIXTURES / "google" / "flat-earth.json")
REVIEWS_GRAPHS = "https://w3id.org/claimgraph/graph/reviews/"


def claimgraph(*arguments: str | Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "claimgraph", *map(str, arguments)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def loaded(where: Path) -> Path:
    """A store of the curated files, loaded by ``claimgraph load``."""
    data = Path(shutil.copytree(resource_dir("data"), where / "data"))
    store = where / "store"
    claimgraph("--store", store, "--data-dir", data, "load")
    return store


def reviewer_graphs(store: Path) -> dict[str, rdflib.Graph]:
    """Each reviewer's graph of the on-disk ``store``, as an rdflib graph."""
    found: dict[str, rdflib.Graph] = {}
    opened = ox.Store.read_only(str(store))
    for quad in opened:
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(REVIEWS_GRAPHS):
            graph = found.setdefault(quad.graph_name.value, rdflib.Graph())
            graph.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    return found


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple[dict[str, rdflib.Graph], dict[str, rdflib.Graph], dict]:
    first = loaded(tmp_path_factory.mktemp("first"))
    claimgraph("--store", first, "import-claimreview", *IMPORTED)
    with running_server(first) as server:
        answer = requests.get(server.url + "/export/claimreview.jsonld", timeout=30)
    assert answer.status_code == 200
    feed = tmp_path_factory.mktemp("feed") / "claimreview.jsonld"
    feed.write_bytes(answer.content)
    second = loaded(tmp_path_factory.mktemp("second"))
    claimgraph("--store", second, "import-claimreview", feed)
    return reviewer_graphs(first), reviewer_graphs(second), answer.json()


def test_the_feed_holds_every_imported_review(both):
    first, _, feed = both
    imported = sum(len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef("http://schema.org/ClaimReview")))) for graph in first.values())
    assert imported > 0
    assert len(feed["dataFeedElement"]) == imported


def test_importing_the_export_gives_the_same_reviewer_graphs(both):
    first, second, _ = both
    assert sorted(second) == sorted(first)
    for name, graph in first.items():
        assert rdflib.compare.isomorphic(second[name], graph), name
