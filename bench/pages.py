"""How long the workbench's pages take to answer: the median (and 90th percentile) of N requests each, against
``claimgraph serve`` (gunicorn) over a fresh store of the curated data, on this machine.

    .venv/bin/python bench/pages.py [--runs 50] [--output docs/benchmarks/pages.md]

The pages measured are found in the data (the first claim, source, person and place the store lists), so the
benchmark follows whatever the dataset holds. Each page is requested once before timing (the first answer pays
for caches and lazy imports); the times are wall-clock from request sent to body read, over loopback.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "http://schema.org/"
CG = "https://w3id.org/claimgraph/ontology#"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_of(url: str, where: str) -> str:
    """The first IRI (in IRI order) that the graph pattern ``where`` binds to ``?x``."""
    answer = requests.get(f"{url}/sparql", params={"query": f"SELECT ?x WHERE {{ {where} }} ORDER BY ?x LIMIT 1"},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    answer.raise_for_status()
    return answer.json()["results"]["bindings"][0]["x"]["value"]


def timed(session: requests.Session, url: str, headers: dict[str, str], runs: int) -> list[float]:
    """Seconds each of ``runs`` GETs of ``url`` took, after one untimed GET; every answer must be a 200."""
    session.get(url, headers=headers, timeout=60).raise_for_status()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = session.get(url, headers=headers, timeout=60)
        answer.content
        times.append(time.perf_counter() - start)
        answer.raise_for_status()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "pages.md")
    options = parser.parse_args()
    claimgraph = [sys.executable, "-m", "claimgraph"]
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "store"
        environ = {name: value for name, value in os.environ.items() if not name.startswith("CLAIMGRAPH_")}
        subprocess.run([*claimgraph, "--store", str(store), "load"], env=environ, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([*claimgraph, "--store", str(store), "serve", "--port", str(port)], env=environ,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/healthz", timeout=5).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            base = first_of(url, "?x a <https://w3id.org/claimgraph/ontology#Claim>").rsplit("/id/", 1)[0] + "/"
            html = {"Accept": "text/html"}
            pages = [
                ("claim page", first_of(url, f"?x a <{CG}Claim>"), html),
                ("source page", first_of(url, f"?x a <{SCHEMA}NewsArticle>"), html),
                ("person page", first_of(url, f"?x a <{SCHEMA}Person>"), html),
                ("place page", first_of(url, f"?x a <{SCHEMA}City>"), html),
                ("claim as Turtle", first_of(url, f"?x a <{CG}Claim>"), {"Accept": "text/turtle"}),
            ]
            rows = []
            with requests.Session() as session:
                for name, iri, headers in pages:
                    path = "/" + iri.removeprefix(base)
                    times = timed(session, url + path, headers, options.runs)
                    rows.append((name, path, times))
                for name, path in (("search page", "/search?q=refugees"), ("search JSON", "/search.json?q=refugees")):
                    if session.get(url + path, timeout=30).status_code == 200:
                        rows.append((name, path, timed(session, url + path, {}, options.runs)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [
        "# Page answer times",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/pages.py --runs {options.runs}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}: `claimgraph serve` "
        "(gunicorn, default settings) over the curated data, requests over loopback, one client at a time.",
        "",
        "| page | path | median ms | p90 ms | min ms |",
        "|---|---|---|---|---|",
    ]
    for name, path, times in rows:
        ordered = sorted(times)
        p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
        lines.append(f"| {name} | `{path}` | {statistics.median(times) * 1000:.1f} | {p90 * 1000:.1f} | {ordered[0] * 1000:.1f} |")
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
