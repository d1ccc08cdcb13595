"""`pip install .` (not editable) gives a claimgraph that carries its ontology and data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package built as a wheel and installed, without its dependencies, into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", str(work), str(ROOT)], check=True)
    (wheel,) = work.glob("claimgraph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "claimgraph/resources/ontology/shapes.ttl" in names
    assert "claimgraph/resources/data/sources/dw-2017-mechelen/article.txt" in names
    assert "claimgraph/resources/queries/evidence-trail.rq" in names
    target = work / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    return target


def run_installed(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120)


def test_installed_package_finds_its_own_resources(installed, tmp_path):
    result = run_installed(
        installed, "-c", "import claimgraph.config as c; print(c.__file__); print(c.Config.load().data_dir)", cwd=tmp_path
    )
    module, data_dir = result.stdout.split()
    assert Path(module).is_relative_to(installed)
    assert Path(data_dir) == installed / "claimgraph" / "resources" / "data"


def test_installed_package_validates_and_loads(installed, tmp_path):
    validated = run_installed(installed, "-m", "claimgraph", "validate", cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    loaded = run_installed(installed, "-m", "claimgraph", "load", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert (tmp_path / "var" / "store").is_dir()
