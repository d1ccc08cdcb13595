"""Safety by default, against the running server: time limit, remote access refused, parallel queries, durable writes.

No test sleeps for a guessed time or bounds how fast anything is: each waits for the condition it needs (a worker
busy, a process gone, the first byte of an answer) within a deadline derived from the configured time limit.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import copy_of, running_server, solutions, wait_until

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


def _cpu_seconds(server) -> dict[int, float]:
    """CPU seconds used so far by each process below the server, by pid."""
    used = {}
    for pid in _descendants(server.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


#: CPU seconds that tell a process at work on a query from an idle one.
BUSY = 0.1


def idle(server) -> dict[int, float]:
    """The CPU seconds of the server's processes, once none of them is at work (workers started, nothing running)."""

    def settled():
        before = _cpu_seconds(server)
        time.sleep(0.2)
        after = _cpu_seconds(server)
        return after if before.keys() == after.keys() and sum(after.values()) - sum(before.values()) < BUSY / 4 else None

    return wait_until(settled, 4 * server.config.query_timeout, "the server's processes are idle")


def busy_since(server, before: dict[int, float]) -> set[int]:
    """The processes below the server that have used a query's worth of CPU since ``before``."""
    return {pid for pid, used in _cpu_seconds(server).items() if used - before.get(pid, 0.0) >= BUSY}


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.fixture(scope="module")
def limited(loaded_store, tmp_path_factory):
    """A server of this module's own for the time-limit tests: they end its workers, which it replaces."""
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("limited"))) as running:
        yield running


def test_a_pathological_query_is_stopped_at_the_limit_while_a_cheap_one_answers(limited):
    limit = limited.config.query_timeout
    before = idle(limited)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        started = time.monotonic()
        slow = pool.submit(requests.get, limited.sparql(), params={"query": PATHOLOGICAL}, headers=JSON, timeout=60)
        [worker] = wait_until(lambda: busy_since(limited, before), limit, "a worker runs the pathological query")
        cheap = requests.get(limited.sparql(), params={"query": CHEAP}, headers=JSON, timeout=60)
        answered_meanwhile = not slow.done()
        answer = slow.result()
        took = time.monotonic() - started
    assert cheap.status_code == 200 and cheap.json()["boolean"] is True
    assert answered_meanwhile, "the cheap query waited for the pathological one"
    assert answer.status_code == 503
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert "time limit" in answer.json()["detail"]
    assert took >= limit, f"stopped after {took:.1f} s, before the {limit:g} s limit"
    wait_until(lambda: not alive(worker), limit, f"the worker {worker} that ran the query is ended")


def test_a_stopped_query_frees_the_cpu(limited):
    limit = limited.config.query_timeout
    before = idle(limited)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        slow = pool.submit(requests.get, limited.sparql(), params={"query": PATHOLOGICAL}, headers=JSON, timeout=60)
        [worker] = wait_until(lambda: busy_since(limited, before), limit, "a worker runs the pathological query")
        answer = slow.result()
    assert answer.status_code == 503
    wait_until(lambda: not alive(worker), limit, f"the worker {worker} that ran the query is ended")
    idle(limited)
    cheap = requests.get(limited.sparql(), params={"query": CHEAP}, headers=JSON, timeout=30)
    assert (cheap.status_code, cheap.json()["boolean"]) == (200, True)


def test_queries_run_in_parallel_across_workers(limited):
    """Two pathological queries at once each hold a worker of their own until both are stopped: neither waited."""
    limit = limited.config.query_timeout
    before = idle(limited)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        running = [pool.submit(requests.get, limited.sparql(), params={"query": PATHOLOGICAL}, headers=JSON, timeout=60)
                   for _ in range(limited.config.workers)]

        def every_worker_busy() -> set[int] | None:
            found = busy_since(limited, before)
            return found if len(found) == len(running) else None

        workers = wait_until(every_worker_busy, limit, "every worker runs a pathological query")
        both_at_once = not any(future.done() for future in running)
        answers = [future.result() for future in running]
    assert (len(running), both_at_once) == (2, True)
    assert [answer.status_code for answer in answers] == [503, 503]
    for worker in workers:
        wait_until(lambda: not alive(worker), limit, f"the worker {worker} is ended")


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
    assert answer.status_code == 200
    assert solutions(answer) == [{"o": "kept"}]


#: What the listener answers to a SPARQL request: one row.
REMOTE_ROW = {"s": "http://example.org/remote/s", "p": "http://example.org/remote/p", "o": "http://example.org/remote/o"}


class Listener:
    """A TCP listener on a free local port that records every connection made to it.

    With ``answer`` it answers each HTTP request with a SPARQL JSON result of :data:`REMOTE_ROW`, as an endpoint
    would; otherwise it closes each connection at once.
    """

    def __init__(self, answer: bool = False) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.answer = answer
        # accept() wakes this often to see whether the listener is closed.
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
            with connection:
                if self.answer:
                    self._respond(connection)

    def _respond(self, connection: socket.socket) -> None:
        connection.settimeout(10)
        request = b""
        while b"\r\n\r\n" not in request and (part := connection.recv(4096)):
            request += part
        if not request:
            return
        head, _, rest = request.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
        while len(rest) < length and (part := connection.recv(4096)):
            rest += part
        document = json.dumps({"head": {"vars": list(REMOTE_ROW)},
                               "results": {"bindings": [{name: {"type": "uri", "value": value} for name, value in REMOTE_ROW.items()}]}})
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n"
                           + f"Content-Length: {len(document)}\r\n\r\n{document}".encode())

    def made_since_start(self) -> int:
        """The connections made so far by others: a connection of our own is counted after every earlier one."""
        mine = self.connections + 1
        with socket.create_connection(("127.0.0.1", self.port)):
            pass
        wait_until(lambda: self.connections >= mine, 10, "the listener counts our own connection")
        self.connections -= 1
        return self.connections

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


@pytest.fixture
def endpoint():
    found = Listener(answer=True)
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
    assert answer.status_code == 403, answer.text
    assert "refused" in answer.json()["detail"]
    assert listener.made_since_start() == 0


@pytest.mark.parametrize("update", REMOTE_UPDATES)
def test_load_and_service_in_updates_are_refused_and_nothing_is_fetched(server, listener, update):
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    answer = requests.post(server.url + "/update", data={"update": update.replace("{url}", url)},
                           headers={"Authorization": f"Bearer {server.token}"}, timeout=30)
    assert answer.status_code == 403, answer.text
    assert listener.made_since_start() == 0


def test_the_words_service_and_load_in_strings_iris_and_names_are_not_refused(server):
    query = 'SELECT ?service ("SERVICE <http://127.0.0.1:9/>" AS ?text) WHERE { BIND(<http://example.org/LOAD> AS ?service) } # SERVICE <x>'
    answer = requests.get(server.sparql(), params={"query": query}, headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    assert [row["text"] for row in solutions(answer)] == ["SERVICE <http://127.0.0.1:9/>"]


def test_an_allow_listed_endpoint_is_reached(loaded_store, tmp_path, endpoint):
    """The refusal is what keeps the store from connecting: allow the endpoint and its answer arrives."""
    url = f"http://127.0.0.1:{endpoint.port}/sparql"
    with running_server(copy_of(loaded_store, tmp_path), remote_allow=url) as allowing:
        answer = requests.get(allowing.sparql(), params={"query": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"},
                              headers=JSON, timeout=30)
        reached = endpoint.made_since_start()
        refused = requests.get(allowing.sparql(), params={"query": f"SELECT * WHERE {{ SERVICE <{url}x> {{ ?s ?p ?o }} }}"},
                               headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    assert solutions(answer) == [REMOTE_ROW]
    assert reached == 1
    assert refused.status_code == 403
    assert endpoint.made_since_start() == 1


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
        # The first bytes of the answer arrive once the server has the whole answer and is sending it.
        stalled.settimeout(own_server.config.query_timeout * 2)
        assert stalled.recv(1, socket.MSG_PEEK) == b"H"
        update = "INSERT DATA { GRAPH <http://example.org/meanwhile> { <http://example.org/s> <http://example.org/p> 1 } }"
        written = requests.post(own_server.url + "/update", data={"update": update},
                                headers={"Authorization": f"Bearer {own_server.token}"}, timeout=20)
        assert written.status_code == 204
        answer = requests.get(own_server.sparql(), params={"query": "ASK { GRAPH <http://example.org/meanwhile> { ?s ?p ?o } }"},
                              headers=JSON, timeout=20)
        assert (answer.status_code, answer.json()["boolean"]) == (200, True)
    finally:
        stalled.close()
