"""claimgraph side by side with ``oxigraph serve``: for each data size, generate the data, load it into both, serve
both, run every workload on each (the systems alternated), and write the raw results as JSON.

    .venv/bin/python bench/harness.py --sizes 100000 1000000 [--duration 10] [--output docs/benchmarks/results.json]

Then ``bench/report.py`` turns the JSON into ``docs/performance.md`` and the plots (``make bench`` runs both).
Data and stores live under ``var/bench/<size>/`` (never committed); a data file already generated for the size
and seed is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import psutil

import driver
import generate
import systems
import workloads
from driver import Group

ROOT = Path(__file__).resolve().parents[1]
CONCURRENCY = (1, 8, 32)
HEAVY_IN_FLIGHT = (4, 16)
#: Files of this many triples or more are written gzip-compressed.
GZIP_FROM = 5_000_000


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def data_for(size: int, seed: int, directory: Path) -> tuple[Path, dict, float | None]:
    """The N-Quads file, its sidecar and the seconds it took to generate (``None`` when reused)."""
    file = directory / ("data.nq.gz" if size >= GZIP_FROM else "data.nq")
    sidecar = file.with_name(file.name + ".json")
    if sidecar.exists() and file.exists():
        found = json.loads(sidecar.read_text(encoding="utf-8"))
        if found["seed"] == seed:
            return file, found, None
    start = time.perf_counter()
    generate.generate(file, size, seed, sidecar, texts=directory / "texts")
    return file, json.loads(sidecar.read_text(encoding="utf-8")), time.perf_counter() - start


def answer_size(server: systems.Server, request: driver.Request) -> tuple[int, int | None]:
    """The status and the number of rows (SELECT) or triples (graph answers) of one request."""
    call = urllib.request.Request(f"http://127.0.0.1:{server.port}{request.path}", data=request.body,
                                  headers=dict(request.headers), method=request.method)
    try:
        with urllib.request.urlopen(call, timeout=300) as answer:
            body = answer.read()
            if answer.headers.get_content_type() == workloads.SELECT_JSON:
                return answer.status, len(json.loads(body)["results"]["bindings"])
            if answer.headers.get_content_type() == "application/json":
                return answer.status, json.loads(body).get("total")
            return answer.status, len([line for line in body.splitlines() if line.strip()])
    except urllib.error.HTTPError as error:
        return error.code, None
    except json.JSONDecodeError:
        # A 200 cut short (Oxigraph's server stops a streamed answer at its time limit): not answered.
        return driver.CUT, None


def same_answers(servers: dict[str, systems.Server], mixes: dict[str, dict[str, tuple]]) -> list[dict]:
    """For the first request of each name in each mix: the row counts of both systems, and whether they agree."""
    checks = []
    for mix, requests in mixes.items():
        seen = set()
        for cg_request, ox_request in zip(requests["claimgraph"], requests["oxigraph"]):
            if cg_request.name in seen:
                continue
            seen.add(cg_request.name)
            cg_status, cg_rows = answer_size(servers["claimgraph"], cg_request)
            ox_status, ox_rows = answer_size(servers["oxigraph"], ox_request)
            checks.append({"mix": mix, "query": cg_request.name, "claimgraph": [cg_status, cg_rows],
                           "oxigraph": [ox_status, ox_rows], "same": cg_status == ox_status and cg_rows == ox_rows})
    return checks


def measure(server: systems.Server, groups: list[Group], duration: float) -> dict:
    server.watch.mark()
    found = driver.run(server.port, groups, duration)
    found["server"] = server.watch.span()
    return found


def alternately(servers: dict[str, systems.Server], step: int, work) -> dict:
    """``work(name, server)`` for each system, claimgraph first on even steps, Oxigraph first on odd ones."""
    names = ["claimgraph", "oxigraph"] if step % 2 == 0 else ["oxigraph", "claimgraph"]
    return {name: work(name, servers[name]) for name in names}


def run_size(size: int, seed: int, duration: float, timeout_s: int, keep_stores: bool = False) -> dict:
    directory = ROOT / "var" / "bench" / str(size)
    file, sidecar, generated = data_for(size, seed, directory)
    log(f"{size}: {sidecar['triples']} triples in {file}")
    result: dict = {"triples": sidecar["triples"], "file": str(file.relative_to(ROOT)), "file_bytes": file.stat().st_size,
                    "generate_s": generated}
    if keep_stores and (directory / "claimgraph").is_dir() and (directory / "oxigraph").is_dir():
        # Stores loaded by an earlier run of this size, for a run of the workloads alone: no load time is measured.
        result["load"] = {name: {"seconds": float("nan"), "how": "loaded before, not timed"} for name in ("claimgraph", "oxigraph")}
    else:
        loads = {"claimgraph": systems.load_claimgraph(file, directory / "claimgraph"),
                 "oxigraph": systems.load_oxigraph(file, directory / "oxigraph")}
        result["load"] = {name: {"seconds": loaded.seconds, "how": loaded.how} for name, loaded in loads.items()}
    log(f"loaded: {result['load']}")
    servers = {"claimgraph": systems.serve_claimgraph(directory / "claimgraph", directory / "texts", timeout_s),
               "oxigraph": systems.serve_oxigraph(directory / "oxigraph", timeout_s)}
    result["startup_s"] = {name: server.started_s for name, server in servers.items()}
    try:
        result.update(_workloads(servers, sidecar, seed, duration, timeout_s))
    finally:
        for server in servers.values():
            server.stop()
    return result


def _workloads(servers: dict[str, systems.Server], sidecar: dict, seed: int, duration: float, timeout_s: int) -> dict:
    result: dict = {}
    ad_hoc, canned = workloads.ad_hoc(sidecar, seed), workloads.canned(sidecar, seed)
    result["checks"] = same_answers(servers, {"ad-hoc": ad_hoc, "canned": canned})
    log(f"answers differ: {[c for c in result['checks'] if not c['same']]}")
    step = 0
    for mix, requests in (("ad_hoc", ad_hoc), ("canned", canned)):
        result[mix] = {}
        for clients in CONCURRENCY:
            result[mix][clients] = alternately(servers, step, lambda name, server: measure(
                server, [Group("mix", requests[name], clients)], duration))
            step += 1
            log(f"{mix} x{clients}: " + ", ".join(f"{n} {r['mix']['qps']:.0f} q/s" for n, r in result[mix][clients].items()))
    start = time.perf_counter()
    status, hits = answer_size(servers["claimgraph"], workloads.text_search(sidecar, seed, 1)["claimgraph"][0])
    result["first_search_s"] = time.perf_counter() - start
    result["pages"] = {name: measure(servers["claimgraph"], [Group(name, requests, 1)], duration / 2)[name]
                       for name, requests in workloads.pages(sidecar, seed).items()}
    log("pages: " + ", ".join(f"{n} {r['p50_ms']:.1f} ms" for n, r in result["pages"].items()))
    searches = workloads.text_search(sidecar, seed)
    result["text_search"] = alternately(servers, step, lambda name, server: measure(
        server, [Group("search", searches[name], 1)], duration))
    step += 1
    words = [sidecar["words"][rank] for rank in (0, 9, 49, len(sidecar["words"]) - 1)]
    result["search_matches"] = {word: {
        "claimgraph": answer_size(servers["claimgraph"], driver.Request(
            "s", "GET", "/search.json?" + urllib.parse.urlencode({"q": word}), None, (("Accept", "application/json"),)))[1],
        "oxigraph": answer_size(servers["oxigraph"], workloads.sparql("oxigraph", "s", workloads.regex_query(word)))[1],
    } for word in words}
    log(f"search matches: {result['search_matches']}")
    cheap = {name: tuple(r for r in ad_hoc[name] if r.name == "evidence-trail") for name in servers}
    result["isolation"] = {}
    for in_flight in HEAVY_IN_FLIGHT:
        result["isolation"][in_flight] = alternately(servers, step, lambda name, server: measure(
            server, [Group("heavy", workloads.heavy(name, 200), in_flight), Group("cheap", cheap[name], 1)],
            max(duration, timeout_s + 5)))
        step += 1
        time.sleep(timeout_s)
        log(f"isolation x{in_flight}: " + ", ".join(f"{n} cheap p50 {r['cheap']['p50_ms']:.1f} ms"
                                                    for n, r in result["isolation"][in_flight].items()))
    result["writes"] = {}
    first = 0
    for label, claims, count, readers in (("small", 1, 30_000, 0), ("small_with_readers", 1, 30_000, 8),
                                          ("batched", 50, 800, 0)):
        first += count

        def work(name: str, server: systems.Server, claims=claims, count=count, readers=readers, first=first):
            groups = [Group("write", workloads.writes(name, first, count, claims, server.update_headers), 1, True)]
            if readers:
                groups.append(Group("readers", ad_hoc[name], readers))
            found = measure(server, groups, duration)
            found["write"]["triples_per_s"] = found["write"]["qps"] * claims * workloads.TRIPLES_PER_CLAIM
            return found

        result["writes"][label] = alternately(servers, step, work)
        step += 1
        log(f"writes {label}: " + ", ".join(f"{n} {r['write']['qps']:.0f}/s {r['write']['errors']}"
                                            for n, r in result["writes"][label].items()))
    return result


def environment(command: str) -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    oxigraph = subprocess.run([str(systems.BIN / "oxigraph"), "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": command,
        "versions": {"claimgraph": metadata.version("claimgraph"), "pyoxigraph": metadata.version("pyoxigraph"),
                     "oxigraph": oxigraph, "python": platform.python_version()},
        "machine": {"cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
                    "cpu": cpu, "system": f"{platform.system()} {platform.release()}"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each timed run [10]")
    # claimgraph builds its full-text index at start with queries under this limit: at 1M triples 5 s is too short
    # for them (the worker fails to boot), 10 s just enough on a quiet machine.
    parser.add_argument("--timeout", type=int, default=10, help="query time limit of both servers, seconds [10, claimgraph's default]")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks" / "results.json")
    parser.add_argument("--keep-stores", action="store_true",
                        help="reuse the stores an earlier run of the same size loaded (no load time measured)")
    options = parser.parse_args()
    command = "bench/harness.py " + shlex.join(sys.argv[1:])
    results = {**environment(command), "duration_s": options.duration, "timeout_s": options.timeout,
               "cut_status": driver.CUT,
               "concurrency": CONCURRENCY, "sizes": {}}
    for size in options.sizes:
        results["sizes"][str(size)] = run_size(size, options.seed, options.duration, options.timeout, options.keep_stores)
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {options.output}")


if __name__ == "__main__":
    main()
