"""Errors become HTTP statuses in web/app.py alone, and every 5xx is logged with its cause (in-process app)."""

from __future__ import annotations

import logging
import os
import shutil
import signal
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.errors import (
    Busy,
    DataError,
    EvaluationError,
    NotAcceptable,
    ParamError,
    QueryError,
    QueryTimeout,
    RemoteAccessError,
    RequestError,
    StoreError,
)
from claimgraph.model import dataset
from claimgraph.rdf import jsonld
from claimgraph.web import services
from claimgraph.web.app import create_app

TOKEN = "errors-test-token"
PROBLEM = "application/problem+json"

#: an error raised by a handler, the status it is answered with, and whether the answer is logged.
RAISED = {
    "request": (RequestError("the body is not UTF-8"), 400, False),
    "param": (ParamError("limit", "not an integer"), 400, False),
    "syntax": (SyntaxError("error at 1:26: expected one of LATERAL"), 400, False),
    "evaluation": (EvaluationError("The graph <http://example.org/g> already exists"), 400, False),
    "remote": (RemoteAccessError("SERVICE <http://x/> refused"), 403, False),
    "unacceptable": (NotAcceptable("CONSTRUCT"), 406, False),
    "unacceptable ask": (NotAcceptable("ASK"), 406, False),
    "unacceptable graph": (NotAcceptable(None), 406, False),
    "timeout": (QueryTimeout(), 503, True),
    "busy": (Busy("all 1 query workers stayed busy"), 503, True),
    "store": (StoreError("cannot open the store at var/store"), 503, True),
    "query": (QueryError("the worker process ended unexpectedly"), 500, True),
    "data": (DataError("ontology/context.jsonld: no @context object"), 500, True),
    "bug": (ValueError("a bare ValueError is a bug"), 500, True),
}


def _app(store: Path, **settings):
    return create_app({"store": store, "workers": 1, "query_timeout": 10.0, "update_token": TOKEN, **settings})


@pytest.fixture(scope="module")
def app(loaded_store, tmp_path_factory):
    application = _app(Path(shutil.copytree(loaded_store, tmp_path_factory.mktemp("errors") / "store")))

    def fail(name: str):
        raise RAISED[name][0]

    application.add_url_rule("/raise/<name>", view_func=fail)
    yield application
    services.of(application).store.close()


@pytest.fixture
def client(app):
    return app.test_client()


def _logged(caplog, app, error: BaseException) -> list[logging.LogRecord]:
    return [record for record in caplog.records
            if record.name == app.logger.name and record.levelno == logging.ERROR and record.exc_info and record.exc_info[1] is error]


@pytest.mark.parametrize("name", RAISED)
def test_each_error_gets_its_status_and_every_5xx_is_logged_with_its_cause(app, client, caplog, name):
    error, status, logged = RAISED[name]
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    answer = client.get(f"/raise/{name}")
    assert answer.status_code == status
    assert answer.mimetype == PROBLEM
    assert answer.json["status"] == status
    assert len(_logged(caplog, app, error)) == (1 if logged else 0)


@pytest.mark.parametrize(
    "name, detail",
    [("syntax", "syntax error: error at 1:26: expected one of LATERAL"),
     ("unacceptable", "none of the media types in the Accept header can represent a CONSTRUCT answer"),
     ("unacceptable ask", "none of the media types in the Accept header can represent an ASK answer"),
     ("unacceptable graph", "none of the media types in the Accept header can represent an RDF graph"),
     ("evaluation", "the store refused the request: The graph <http://example.org/g> already exists"),
     ("query", "the worker process ended unexpectedly"),
     ("bug", "internal error; it has been logged")],
)
def test_the_detail_says_what_the_client_may_know(client, name, detail):
    assert client.get(f"/raise/{name}").json["detail"] == detail


def test_a_parameter_error_names_the_parameter(client):
    assert client.get("/raise/param").json["parameter"] == "limit"


@pytest.mark.parametrize(
    "update, message",
    [(f"CREATE GRAPH <{dataset.ONTOLOGY_GRAPH.value}>", "already exists"), ("DROP GRAPH <http://example.org/none>", "does not exist")],
)
def test_an_update_the_store_refuses_at_run_time_is_the_clients_fault(app, client, caplog, update, message):
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    answer = client.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 400
    assert answer.json["detail"].startswith("the store refused the request: ") and message in answer.json["detail"]
    assert [record for record in caplog.records if record.name == app.logger.name] == []


def test_an_owner_that_died_is_replaced_and_the_update_applied(loaded_store, tmp_path):
    store = Path(shutil.copytree(loaded_store, tmp_path / "store"))
    app = _app(store)
    try:
        pool = services.of(app).store.inner
        os.kill(pool.owner_pid, signal.SIGKILL)
        update = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
        answer = app.test_client().post("/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 204
        assert pool.ask("ASK { GRAPH <http://example.org/g> { ?s ?p 1 } }") is True
    finally:
        services.of(app).store.close()


def test_a_store_gone_from_under_a_dead_owner_answers_503_and_is_logged(loaded_store, tmp_path, caplog):
    """The new owner must not create an empty store where the data was: the update is refused, and logged."""
    store = Path(shutil.copytree(loaded_store, tmp_path / "store"))
    app = _app(store)
    try:
        caplog.set_level(logging.ERROR, logger=app.logger.name)
        pool = services.of(app).store.inner
        os.kill(pool.owner_pid, signal.SIGKILL)
        store.rename(tmp_path / "moved")
        update = "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }"
        answer = app.test_client().post("/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 503
        assert answer.json["detail"] == f"no store at {store}: run `claimgraph load` first (or set CLAIMGRAPH_STORE)"
        assert not store.exists()
        [record] = [record for record in caplog.records if record.name == app.logger.name]
        assert isinstance(record.exc_info[1], StoreError)
    finally:
        services.of(app).store.close()


def test_create_app_over_a_locked_store_fails_with_the_store_error_logged(loaded_store, tmp_path, caplog):
    store = Path(shutil.copytree(loaded_store, tmp_path / "store"))
    holder = ox.Store(str(store))
    caplog.set_level(logging.ERROR)
    with pytest.raises(StoreError, match=f"cannot open the store at {store}"):
        _app(store)
    del holder
    assert any(record.levelno == logging.ERROR and f"cannot open the store at {store}" in record.getMessage() for record in caplog.records)


#: a CONSTRUCT whose answer nests blank nodes deeper than rdflib's JSON-LD compaction can recurse.
DEEP = ("CONSTRUCT { <http://example.org/s> <http://example.org/p> _:b0 . "
        + " . ".join(f"_:b{n} <http://example.org/p> _:b{n + 1}" for n in range(1500)) + " } WHERE {}")
TRIPLE_TERM = ("CONSTRUCT { <http://example.org/s> <http://example.org/says> "
               "<<( <http://example.org/s> <http://example.org/p> <http://example.org/o> )>> } WHERE {}")


def test_a_recursion_error_answering_a_query_is_a_bug_answered_500_and_logged(app, client, caplog):
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    answer = client.post("/sparql", data=DEEP, headers={"Content-Type": "application/sparql-query", "Accept": "application/ld+json"})
    assert (answer.status_code, answer.json["detail"]) == (500, "internal error; it has been logged")
    [record] = [record for record in caplog.records if record.name == app.logger.name]
    assert type(record.exc_info[1]) is RecursionError


def test_a_triple_term_answer_asked_as_json_ld_is_406_naming_why(app, client, caplog):
    caplog.set_level(logging.ERROR, logger=app.logger.name)
    answer = client.get("/sparql", query_string={"query": TRIPLE_TERM}, headers={"Accept": "application/ld+json"})
    assert (answer.status_code, answer.json["detail"]) == (406, jsonld.TRIPLE_TERMS)
    assert [record for record in caplog.records if record.name == app.logger.name] == []


def test_a_triple_term_answer_asked_as_json_ld_by_format_is_400_naming_format(client):
    answer = client.get("/sparql", query_string={"query": TRIPLE_TERM, "format": "jsonld"})
    assert (answer.status_code, answer.json["parameter"], answer.json["detail"]) == (400, "format", f"parameter 'format': {jsonld.TRIPLE_TERMS}")


def test_a_triple_term_answer_is_given_in_turtle(client):
    answer = client.get("/sparql", query_string={"query": TRIPLE_TERM}, headers={"Accept": "text/turtle"})
    said = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.NamedNode("http://example.org/o"))
    assert (answer.status_code, [quad.triple for quad in ox.parse(answer.data, ox.RdfFormat.TURTLE)]) == (
        200, [ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/says"), said)])


@pytest.mark.parametrize(
    "path, params, detail",
    [("/sparql", {"query": "ASK {}"}, "an ASK answer"),
     ("/sparql", {"query": "SELECT * WHERE {}"}, "a SELECT answer"),
     ("/sparql", {"query": "DESCRIBE <http://example.org/x>"}, "a DESCRIBE answer"),
     ("/store", {"default": ""}, "an RDF graph"),
     ("/.well-known/void", {}, "an RDF graph")],
)
def test_a_406_names_what_is_answered(client, path, params, detail):
    answer = client.get(path, query_string=params, headers={"Accept": "image/png"})
    assert (answer.status_code, answer.json["detail"]) == (406, f"none of the media types in the Accept header can represent {detail}")
