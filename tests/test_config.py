"""Settings: defaults, then CLAIMGRAPH_* variables, then explicit overrides."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimgraph.config import Config


def test_defaults_point_at_the_curated_files():
    config = Config.load(environ={})
    assert config.store == Path("var/store")
    assert (config.data_dir / "entities.trig").is_file()
    assert (config.ontology_dir / "shapes.ttl").is_file()


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
