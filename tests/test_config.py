"""Settings: defaults, then CLAIMGRAPH_* variables, then explicit overrides."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from claimgraph.config import Config
from claimgraph.web import services
from claimgraph.web.app import create_app
from conftest import QUERIES

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


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"queries_dir": 5}, "setting 'queries_dir': must be a path, got int 5"),
        ({"store": ""}, "setting 'store': must be a path, got an empty text"),
        ({"port": 70000}, "setting 'port': must be a port number (0 to 65535), got 70000"),
        ({"port": "eighty"}, "setting 'port': invalid literal for int() with base 10: 'eighty'"),
        ({"workers": 0}, "setting 'workers': must be a positive number, got 0"),
        ({"workers": True}, "setting 'workers': must be an integer, got bool True"),
        ({"max_rows": 2.5}, "setting 'max_rows': must be an integer, got float 2.5"),
        ({"query_timeout": -1}, "setting 'query_timeout': must be a positive number, got -1.0"),
        ({"query_timeout": "soon"}, "setting 'query_timeout': could not convert string to float: 'soon'"),
        ({"host": 127}, "setting 'host': must be a text, got int 127"),
        ({"update_token": b"secret"}, "setting 'update_token': must be a text, got bytes b'secret'"),
        ({"cors_origins": [1]}, "setting 'cors_origins': must be a list of non-empty texts, got (1,)"),
        ({"remote_allow": {"http://x/": True}}, "setting 'remote_allow': must be a list of texts, got dict {'http://x/': True}"),
        *[({"public_url": url}, "setting 'public_url': must be an absolute http or https URL with no query or fragment, "
                                f"e.g. https://claims.example.org/, got {url!r}")
          for url in ("claims.example.org", "ftp://claims.example.org/", "https:///store", "https://claims.example.org/?a=1",
                      "https://claims.example.org/#top")],
    ],
)
def test_a_bad_override_is_a_value_error_naming_the_setting(overrides, message):
    with pytest.raises(ValueError) as raised:
        Config.load(overrides, environ={})
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "overrides, name, expected",
    [
        ({"queries_dir": "some/dir"}, "queries_dir", Path("some/dir")),
        ({"port": "8080"}, "port", 8080),
        ({"query_timeout": 3}, "query_timeout", 3.0),
        ({"cors_origins": "https://a.example, https://b.example"}, "cors_origins", ("https://a.example", "https://b.example")),
        ({"remote_allow": ["http://x/"]}, "remote_allow", ("http://x/",)),
        ({"public_url": "https://claims.example.org/claimgraph/"}, "public_url", "https://claims.example.org/claimgraph/"),
    ],
)
def test_text_overrides_are_read_as_the_environment_is_and_others_take_the_settings_type(overrides, name, expected):
    value = getattr(Config.load(overrides, environ={}), name)
    assert value == expected and type(value) is type(expected)


def test_a_bad_variable_is_named():
    with pytest.raises(ValueError, match="^CLAIMGRAPH_WORKERS='-3': must be a positive number, got -3$"):
        Config.load(environ={"CLAIMGRAPH_WORKERS": "-3"})


def test_environment_reaches_the_command(loaded_store, tmp_path):
    environment = {**os.environ, "CLAIMGRAPH_STORE": str(loaded_store)}
    result = subprocess.run([sys.executable, "-m", "claimgraph", "stats"], cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"store {loaded_store}:" in result.stdout


def test_create_app_takes_paths_given_as_text(loaded_store, tmp_path):
    store = shutil.copytree(loaded_store, tmp_path / "store")
    app = create_app({"store": str(store), "queries_dir": str(QUERIES), "workers": "1"})
    try:
        answer = app.test_client().get("/queries", headers={"Accept": "application/json"})
        assert answer.status_code == 200
        assert sorted(query["name"] for query in answer.json) == sorted(path.stem for path in QUERIES.glob("*.rq"))
    finally:
        services.of(app).store.close()


def test_create_app_refuses_a_bad_override_before_starting_anything():
    with pytest.raises(ValueError, match="^setting 'queries_dir': must be a path, got int 5$"):
        create_app({"queries_dir": 5})


def test_the_public_url_is_read_from_the_environment_and_unset_by_default():
    assert Config.load(environ={}).public_url is None
    assert Config.load(environ={"CLAIMGRAPH_PUBLIC_URL": "http://claims.example.org:8080/"}).public_url == "http://claims.example.org:8080/"
