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

