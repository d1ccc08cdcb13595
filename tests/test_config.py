"""Settings: defaults, then CLAIMGRAPH_* variables, then explicit overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimgraph.config import Config


ROOT = Path(__file__).resolve().parents[1]


def test_defaults_in_a_checkout_are_the_checkout_files():
    """Edits to the checkout's files take effect at once: no stale copy is read instead."""
    config = Config.load(environ={})
    assert config.store == Path("var/store")
    assert (config.data_dir, config.ontology_dir, config.queries_dir) == (ROOT / "data", ROOT / "ontology", ROOT / "queries")


def test_empty_variables_count_as_unset():
    assert Config.load(environ={"CLAIMGRAPH_STORE": ""}).store == Path("var/store")


def test_environment_then_overrides():
    environ = {"CLAIMGRAPH_STORE": "a", "CLAIMGRAPH_DATA_DIR": "d"}
    config = Config.load({"store": Path("b"), "data_dir": None}, environ=environ)
    assert config.store == Path("b")
    assert config.data_dir == Path("d")


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="unknown setting 'stor'"):
        Config.load({"stor": "x"}, environ={})


def test_environment_reaches_the_command(loaded_store, tmp_path):
    environment = {**os.environ, "CLAIMGRAPH_STORE": str(loaded_store)}
    result = subprocess.run([sys.executable, "-m", "claimgraph", "stats"], cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"store {loaded_store}:" in result.stdout
