"""What the result cache saves: answer times of repeated canned queries and a claim page with the cache (hits),
without it (``CLAIMGRAPH_CACHE_BYTES=0``: every request runs its queries), and revalidated by ``If-None-Match``
(304), against ``claimgraph serve`` (gunicorn) over a fresh store of the curated data, on this machine.

    .venv/bin/python bench/cache.py [--runs 50] [--output docs/benchmarks/cache.md]

Each URL is requested once before timing, so with the cache every timed request is a hit; the hit count that
``/metrics`` reports is checked against that. Times are wall-clock from request sent to body read, over loopback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import requests
from pages import CG, first_of, free_port, timed
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[1]
RESULTS = {"Accept": "application/sparql-results+json"}
CANNED = ("figures", "claims-with-reviews", "disagreeing-reviews", "policy-outcomes")


@contextlib.contextmanager
def serving(store: Path, cache_bytes: int | None) -> Iterator[str]:
    """``claimgraph serve`` over ``store`` (``cache_bytes`` as its setting, ``None``: the default) until the block ends."""
    environ = {name: value for name, value in os.environ.items() if not name.startswith("CLAIMGRAPH_")}
    if cache_bytes is not None:
        environ["CLAIMGRAPH_CACHE_BYTES"] = str(cache_bytes)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "claimgraph", "--store", str(store), "serve", "--port", str(port)],
                              env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def hits(url: str) -> float:
    text = requests.get(url + "/metrics", timeout=30).text
    return next(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
                if sample.name == "claimgraph_cache_hits_total")


def revalidated(session: requests.Session, url: str, headers: dict[str, str], runs: int) -> list[float]:
    """Seconds each of ``runs`` conditional GETs of ``url`` took, sent with the ETag of a first GET; each must be a 304."""
    tag = session.get(url, headers=headers, timeout=60).headers["ETag"]
    conditional = {**headers, "If-None-Match": tag}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = session.get(url, headers=conditional, timeout=60)
        times.append(time.perf_counter() - start)
        if answer.status_code != 304:
            raise SystemExit(f"{url} answered {answer.status_code} to its own ETag")
    return times


def ms(times: list[float]) -> str:
    ordered = sorted(times)
    return f"{statistics.median(times) * 1000:.2f} | {ordered[max(0, round(0.9 * len(ordered)) - 1)] * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "cache.md")
    options = parser.parse_args()
    rows: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "store"
        environ = {name: value for name, value in os.environ.items() if not name.startswith("CLAIMGRAPH_")}
        subprocess.run([sys.executable, "-m", "claimgraph", "--store", str(store), "load"], env=environ, check=True,
                       capture_output=True)
        for mode, cache_bytes in (("miss", 0), ("hit", None)):
            with serving(store, cache_bytes) as url, requests.Session() as session:
                claim = first_of(url, f"?x a <{CG}Claim>")
                targets = [(f"/queries/{name}", RESULTS) for name in CANNED]
                targets.append(("/" + claim.removeprefix("https://w3id.org/claimgraph/"), {"Accept": "text/html"}))
                before = hits(url)
                for path, headers in targets:
                    rows.setdefault(path, {})[mode] = timed(session, url + path, headers, options.runs)
                if mode == "hit":
                    if hits(url) - before < len(targets) * options.runs:
                        raise SystemExit("fewer hits than timed requests: the cache did not answer them all")
                    for path, headers in targets[:-1]:
                        rows[path]["304"] = revalidated(session, url + path, headers, options.runs)
    lines = [
        "# Result cache: hit and miss answer times",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `bench/cache.py --runs {options.runs}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}: `claimgraph serve` "
        "(gunicorn) over the curated data, one client at a time over loopback. *miss*: `CLAIMGRAPH_CACHE_BYTES=0`, "
        "every request runs its queries in a worker; *hit*: the default cache, every timed request answered from "
        "memory; *304*: the same GET with `If-None-Match` of its ETag (canned queries only; pages have no ETag).",
        "",
        "| path | miss median ms | miss p90 ms | hit median ms | hit p90 ms | 304 median ms | 304 p90 ms | miss/hit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for path, times in rows.items():
        revalidation = ms(times["304"]) if "304" in times else "– | –"
        ratio = statistics.median(times["miss"]) / statistics.median(times["hit"])
        lines.append(f"| `{path}` | {ms(times['miss'])} | {ms(times['hit'])} | {revalidation} | {ratio:.1f}× |")
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
