"""The curated data with the review fixture (``tests/fixtures/reviews.trig``) beside it, loaded into a store of its
own by ``claimgraph load``, for the tests of what is published of the reviews; and the fixture's facts, read
with pyoxigraph, for their expected values.

Fixture (import it into a test module): ``reviewed``, a server over that store for the module, with the in-memory
store of the same files: ``(server, store)``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.config import resource_dir
from claimgraph.model import dataset
from conftest import running_server

FIXTURE = Path(__file__).parent / "fixtures" / "reviews.trig"
SCHEMA = "http://schema.org/"


def data_with_reviews(where: Path, fixture_text: str | None = None) -> Path:
    """A copy of ``data/`` in ``where`` with the review fixture (or ``fixture_text`` in its place) added."""
    data = Path(shutil.copytree(resource_dir("data"), where / "data"))
    (data / "reviews").mkdir()
    (data / "reviews" / "reviews.trig").write_text(fixture_text or FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    return data


def load(where: Path, fixture_text: str | None = None) -> tuple[Path, Path]:
    """The data directory (:func:`data_with_reviews`) and the store ``claimgraph load`` built from it, in ``where``."""
    data = data_with_reviews(where, fixture_text)
    store = where / "store"
    subprocess.run([sys.executable, "-m", "claimgraph", "--store", str(store), "--data-dir", str(data), "load"],
                   check=True, capture_output=True)
    return data, store


def memory_store(data: Path) -> ox.Store:
    """The curated files of ``data`` in an in-memory store, to read expected values from."""
    return dataset.read(resource_dir("ontology"), data).store()


def reviews_of_fixture() -> list[str]:
    """The IRIs of the fixture's reviews, in order."""
    found = {quad.subject.value for quad in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
             if quad.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and quad.object.value == SCHEMA + "ClaimReview"}
    return sorted(found)


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    data, store = load(tmp_path_factory.mktemp("reviewed"))
    with running_server(store) as running:
        yield running, memory_store(data)
