"""Safety by default, against the running server: time limit, remote access refused, parallel queries, durable writes."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import running_server

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def test_a_pathological_query_is_stopped_at_the_limit_while_a_cheap_one_answers(own_server):
    with concurrent.futures.ThreadPoolExecutor() as pool:
        started = time.monotonic()
        slow = pool.submit(requests.get, own_server.sparql(), params={"query": PATHOLOGICAL}, headers=JSON, timeout=60)
        time.sleep(0.5)
        cheap_started = time.monotonic()
        cheap = requests.get(own_server.sparql(), params={"query": CHEAP}, headers=JSON, timeout=60)
        cheap_took = time.monotonic() - cheap_started
        answer = slow.result()
        slow_took = time.monotonic() - started
    assert cheap.status_code == 200 and cheap.json()["boolean"] is True
    assert cheap_took < 2.0, f"the cheap query waited {cheap_took:.1f} s behind the pathological one"
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "time limit" in answer.json()["detail"]
    assert 3.0 <= slow_took < 8.0, f"stopped after {slow_took:.1f} s with a 3 s limit"


def test_a_stopped_query_frees_the_cpu(own_server):
    answer = requests.get(own_server.sparql(), params={"query": PATHOLOGICAL}, headers=JSON, timeout=60)
    assert answer.status_code == 503
    time.sleep(0.5)  # the replacement worker starts up
    processes = _descendants(own_server.process.pid)
    before = _cpu_seconds(processes)
    time.sleep(2.0)
    used = _cpu_seconds(processes) - before
    assert used < 0.5, f"the server's processes used {used:.2f} s of CPU in 2 s after the query was stopped"
    assert requests.get(own_server.sparql(), params={"query": CHEAP}, headers=JSON, timeout=30).json()["boolean"] is True


def test_queries_run_in_parallel_across_workers(own_server):
    """Two pathological queries at once both reach the limit at about the same time: neither waited for the other."""
    with concurrent.futures.ThreadPoolExecutor() as pool:
        started = time.monotonic()
        answers = list(pool.map(
            lambda _: requests.get(own_server.sparql(), params={"query": PATHOLOGICAL}, headers=JSON, timeout=60), range(2)
        ))
        took = time.monotonic() - started
    assert [answer.status_code for answer in answers] == [503, 503]
    assert took < 5.5, f"two queries on two workers took {took:.1f} s with a 3 s limit"


def test_an_acknowledged_update_survives_a_restart(own_server):
    update = "INSERT DATA { GRAPH <http://example.org/durable> { <http://example.org/s> <http://example.org/p> 'kept' } }"
    written = requests.post(
        own_server.url + "/update", data={"update": update}, headers={"Authorization": f"Bearer {own_server.token}"}, timeout=30
    )
    assert written.status_code == 204
    own_server.process.kill()
    own_server.process.wait()
    with running_server(own_server.store) as again:
        answer = requests.get(again.sparql(), params={"query": "SELECT ?o { GRAPH <http://example.org/durable> { ?s ?p ?o } }"},
                              headers=JSON, timeout=30)
    assert [row["o"]["value"] for row in answer.json()["results"]["bindings"]] == ["kept"]


class Listener:
    """A TCP listener on a free local port that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.socket.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


REMOTE_QUERIES = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "select * where { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SeRvIcE#comment\n<{url}> { ?s ?p ?o } }",
    "PREFIX remote: <{url}> SELECT * WHERE { SERVICE remote: { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(<{url}> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { ?x ?y ?z . SERVICE <{url}> { ?s ?p ?o } } } }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { FILTER(?a<?b) SERVICE<{url}>{ ?s ?p ?o } }",
]

REMOTE_UPDATES = [
    "LOAD <{url}>",
    "load silent <{url}> into graph <http://example.org/loaded>",
    "INSERT { GRAPH <http://example.org/x> { ?s ?p ?o } } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", REMOTE_QUERIES)
def test_service_is_refused_and_nothing_is_fetched(server, listener, query):
    url = f"http://127.0.0.1:{listener.port}/sparql"
    answer = requests.post(server.sparql(), data={"query": query.replace("{url}", url)}, headers=JSON, timeout=30)
    time.sleep(0.3)
    assert answer.status_code == 403, answer.text
    assert "refused" in answer.json()["detail"]
    assert listener.connections == 0


@pytest.mark.parametrize("update", REMOTE_UPDATES)
def test_load_and_service_in_updates_are_refused_and_nothing_is_fetched(server, listener, update):
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    answer = requests.post(server.url + "/update", data={"update": update.replace("{url}", url)},
                           headers={"Authorization": f"Bearer {server.token}"}, timeout=30)
    time.sleep(0.3)
    assert answer.status_code == 403, answer.text
    assert listener.connections == 0


def test_the_words_service_and_load_in_strings_iris_and_names_are_not_refused(server):
    query = 'SELECT ?service ("SERVICE <http://127.0.0.1:9/>" AS ?text) WHERE { BIND(<http://example.org/LOAD> AS ?service) } # SERVICE <x>'
    answer = requests.get(server.sparql(), params={"query": query}, headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"]["bindings"][0]["text"]["value"] == "SERVICE <http://127.0.0.1:9/>"


def test_an_allow_listed_endpoint_is_reached(loaded_store, tmp_path, listener):
    """The refusal is what keeps the store from connecting: allow the listener and the connection arrives."""
    url = f"http://127.0.0.1:{listener.port}/sparql"
    store = Path(shutil.copytree(loaded_store, tmp_path / "store"))
    with running_server(store, remote_allow=url) as allowing:
        answer = requests.get(allowing.sparql(), params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
                              headers=JSON, timeout=30)
        refused = requests.get(allowing.sparql(), params={"query": f"SELECT * WHERE {{ SERVICE <{url}x> {{ ?s ?p ?o }} }}"},
                               headers=JSON, timeout=30)
    assert answer.status_code != 403
    assert listener.connections >= 1
    assert refused.status_code == 403


def test_a_client_that_stops_reading_holds_up_neither_writes_nor_queries(own_server):
    """The answer is taken whole from its worker before it is sent, so a stalled reader holds no worker and no lock."""
    big = ("INSERT { GRAPH <http://example.org/big> { ?a ?x ?text } } WHERE { GRAPH <https://w3id.org/claimgraph/graph/entities> "
           "{ ?a ?x ?y } { SELECT ?w WHERE { GRAPH <https://w3id.org/claimgraph/ontology> { ?b ?z ?w } } LIMIT 100 } "
           "BIND(CONCAT(STR(?y), STR(?w)) AS ?text) }")
    made = requests.post(own_server.url + "/update", data={"update": big}, headers={"Authorization": f"Bearer {own_server.token}"}, timeout=20)
    assert made.status_code == 204
    host, port = own_server.url.removeprefix("http://").split(":")
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((host, int(port)))
    path = "/store?graph=http://example.org/big"
    stalled.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/n-triples\r\n\r\n".encode())
    try:
        time.sleep(1.0)
        update = "INSERT DATA { GRAPH <http://example.org/meanwhile> { <http://example.org/s> <http://example.org/p> 1 } }"
        written = requests.post(own_server.url + "/update", data={"update": update},
                                headers={"Authorization": f"Bearer {own_server.token}"}, timeout=20)
        assert written.status_code == 204
        answer = requests.get(own_server.sparql(), params={"query": "ASK { GRAPH <http://example.org/meanwhile> { ?s ?p ?o } }"},
                              headers=JSON, timeout=20)
        assert answer.json()["boolean"] is True
    finally:
        stalled.close()
