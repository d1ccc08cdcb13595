"""Writes beside other writes and beside a server: writes that read first are one at a time, a CLI write to a store a
server holds is refused, and no acknowledged write is lost when every process of the server is killed."""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import threading

import pytest
import requests
from conftest import copy_of, running_server

CLAIM = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/most-cctv"
SCHEMA = "http://schema.org/"


def review(url: str, verdict: str) -> bytes:
    return json.dumps({
        "@context": "https://schema.org", "@type": "ClaimReview", "url": url, "datePublished": "2024-01-02",
        "claimReviewed": "Mechelen has more cameras", "author": {"name": "Example Fact Check"},
        "reviewRating": {"alternateName": verdict}, "itemReviewed": {"@type": "Claim", "@id": CLAIM},
    }).encode()


def at_once(calls: list) -> list:
    """The results of ``calls`` (functions of no argument), started together from threads of their own."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_the_same_review_sent_twice_at_once_is_one_review_created_then_replaced(own_server):
    headers = {"Content-Type": "application/ld+json", "Authorization": f"Bearer {own_server.token}"}
    urls = [f"https://factcheck.example.org/race/{n}" for n in range(4)]
    calls = [lambda url=url, verdict=verdict: own_server.post("/reviews", data=review(url, verdict), headers=headers)
             for url in urls for verdict in ("False", "True")]
    answers = at_once(calls)
    for url, pair in zip(urls, (answers[i:i + 2] for i in range(0, len(answers), 2))):
        assert sorted(answer.status_code for answer in pair) == [200, 201], url
        [iri] = {answer.json()["reviews"][0]["iri"] for answer in pair}
        rows = own_server.post("/sparql", headers={"Accept": "application/sparql-results+json"}, data={"query": (
            f"SELECT DISTINCT ?rating ?word WHERE {{ <{iri}> <{SCHEMA}reviewRating> ?rating ."
            f" ?rating <{SCHEMA}alternateName> ?word }}")}).json()["results"]["bindings"]
        # One rating, the one of whichever request came second: no mix of the two.
        assert len(rows) == 1, rows
        assert rows[0]["word"]["value"] in ("False", "True")


def test_a_new_graph_put_twice_at_once_is_created_once(own_server):
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {own_server.token}"}
    for n in range(4):
        graph = f"http://example.org/race/{n}"
        answers = at_once([
            lambda body=body: own_server.request("PUT", "/store", params={"graph": graph}, data=body, headers=headers)
            for body in (b"<http://example.org/s> <http://example.org/p> 1 .", b"<http://example.org/s> <http://example.org/p> 2 .")
        ])
        assert sorted(answer.status_code for answer in answers) == [201, 204], graph


def _claimgraph(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "claimgraph", *arguments], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command, why", [
    (["load"], ": a running claimgraph server (or another process) holds it; nothing was loaded."),
    (["import-claimreview", "tests/fixtures/claimreview/good/single.json"],
     " (another process holds it for writing: a running `claimgraph serve`?)"),
])
def test_a_cli_write_to_a_store_a_server_holds_is_refused_and_changes_nothing(own_server, command, why):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = own_server.get("/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"}).json()
    done = _claimgraph("--store", str(own_server.store), *command)
    assert done.returncode == 1
    assert f"cannot open the store at {own_server.store}{why}" in done.stderr
    after = own_server.get("/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"}).json()
    assert after == before


def test_no_acknowledged_write_is_lost_when_every_server_process_is_killed(loaded_store, tmp_path):
    store = copy_of(loaded_store, tmp_path)
    acknowledged: list[int] = []
    with running_server(store) as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        stop = threading.Event()

        def write() -> None:
            session = requests.Session()
            number = 0
            while not stop.is_set():
                update = f"INSERT DATA {{ GRAPH <http://example.org/stream> {{ <http://example.org/w/{number}> <http://example.org/n> {number} }} }}"
                try:
                    answer = session.post(server.url + "/update", data={"update": update}, headers=headers, timeout=10)
                except requests.ConnectionError:
                    return
                if answer.status_code == 204:
                    acknowledged.append(number)
                number += 1

        writer = threading.Thread(target=write)
        writer.start()
        while len(acknowledged) < 200:
            writer.join(0.05)
            assert writer.is_alive()
        os.killpg(server.process.pid, signal.SIGKILL)
        writer.join(30)
        stop.set()
        server.process.wait()
    with running_server(store) as again:
        rows = again.post("/sparql", headers={"Accept": "application/sparql-results+json"}, data={"query": (
            "SELECT ?n WHERE { GRAPH <http://example.org/stream> { ?w <http://example.org/n> ?n } }")}).json()
    kept = {int(row["n"]["value"]) for row in rows["results"]["bindings"]}
    assert set(acknowledged) <= kept
    assert len(acknowledged) >= 200
