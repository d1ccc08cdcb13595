"""The curated data with the review fixture (``tests/fixtures/reviews.trig``) beside it, loaded into a store of its
own by ``claimgraph load``, for the tests of what is published of the reviews; and the fixture's facts, read
with pyoxigraph, for their expected values."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from claimgraph.config import resource_dir
from claimgraph.model import dataset

FIXTURE = Path(__file__).parent / "fixtures" / "reviews.trig"
SCHEMA = "http://schema.org/"
CG = "https://w3id.org/claimgraph/ontology#"


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
