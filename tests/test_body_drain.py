"""The unread body of a refused request is drained within bounds: refused clients read their answer, and clients
that stall or send a broken body hold no server thread for long and break nothing for others."""

from __future__ import annotations

import socket

import requests
from conftest import PROBLEM

from claimgraph.web import protocol, wsgi


def _stalled(server, path: str, length: int) -> socket.socket:
    """A connection that sends a request head declaring ``length`` bytes of body, and then nothing."""
    host, port = server.url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)))
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-update\r\n"
            f"Content-Length: {length}\r\n\r\n")
    connection.sendall(head.encode())
    return connection


def _status_line(connection: socket.socket, wait: float) -> bytes:
    connection.settimeout(wait)
    received = b""
    while b"\r\n" not in received:
        data = connection.recv(4096)
        if not data:
            break
        received += data
    return received.split(b"\r\n", 1)[0]


def test_clients_that_stall_in_a_refused_body_are_answered_and_free_the_server(own_server):
    """As many stalled writers as the server has threads: each gets its 401 once the drain's bound ends the wait,
    and the server then answers everyone else."""
    stalled = [_stalled(own_server, "/update", 1_000_000) for _ in range(wsgi.threads(own_server.config))]
    try:
        for connection in stalled:
            assert _status_line(connection, 4 * protocol.DISCARD_SECONDS) == b"HTTP/1.1 401 UNAUTHORIZED"
        assert requests.get(own_server.url + "/healthz", timeout=4 * protocol.DISCARD_SECONDS).status_code == 200
    finally:
        for connection in stalled:
            connection.close()


def test_a_malformed_chunked_body_is_400_and_breaks_nothing_else(own_server):
    host, port = own_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            f"POST /sparql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/sparql-query\r\n"
            "Transfer-Encoding: chunked\r\n\r\nzz\r\nASK {}\r\n0\r\n\r\n".encode()
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 BAD REQUEST"
    assert f"Content-Type: {PROBLEM}".encode() in head.split(b"\r\n")
    assert b'"status": 400' in body
    assert requests.get(own_server.url + "/healthz", timeout=30).status_code == 200



def _cut(server, method: str, path: str, content_type: str, body: bytes, sent: int) -> bytes:
    """Send a request declaring all of ``body`` but only its first ``sent`` bytes, then end the sending side, as a
    client whose connection breaks does; the status line of the answer."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        head = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\n"
                f"Authorization: Bearer {server.token}\r\nContent-Length: {len(body)}\r\n\r\n")
        connection.sendall(head.encode() + body[:sent])
        connection.shutdown(socket.SHUT_WR)
        return _status_line(connection, 30)


def _triples(server, graph: str) -> int:
    answer = requests.get(server.sparql(), params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_an_update_cut_short_by_a_broken_connection_is_refused_and_changes_nothing(own_server):
    graph = "http://example.org/drain/cut-update"
    made = requests.post(own_server.url + "/update", data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> 1 }} }}"},
                         headers={"Authorization": f"Bearer {own_server.token}"}, timeout=30)
    assert made.status_code == 204
    update = f"CLEAR GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> 2 }} }}".encode()
    cut = update.index(b";") + 2
    assert _cut(own_server, "POST", "/update", "application/sparql-update", update, cut) == b"HTTP/1.1 400 BAD REQUEST"
    form = b"update=" + update.replace(b" ", b"+").replace(b";", b"%3B")
    assert _cut(own_server, "POST", "/update", "application/x-www-form-urlencoded", form, form.index(b"%3B") + 4) == b"HTTP/1.1 400 BAD REQUEST"
    assert _triples(own_server, graph) == 1


def test_a_graph_cut_short_by_a_broken_connection_is_refused_and_changes_nothing(own_server):
    graph = "http://example.org/drain/cut-put"
    turtle = b"<urn:a> <urn:b> 1 .\n<urn:a> <urn:b> 2 .\n<urn:a> <urn:b> 3 .\n"
    status = _cut(own_server, "PUT", f"/store?graph={graph}", "text/turtle", turtle, turtle.index(b"\n") + 1)
    assert status == b"HTTP/1.1 400 BAD REQUEST"
    assert _triples(own_server, graph) == 0
