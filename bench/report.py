"""``docs/performance.md`` and the plots in ``docs/benchmarks/`` from the harness's raw results.

    .venv/bin/python bench/report.py [--results docs/benchmarks/results.json] [--output docs/performance.md]

Every ratio is claimgraph / Oxigraph, both measured in the same run with the systems alternated.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen before pyplot is imported)

ROOT = Path(__file__).resolve().parents[1]
SYSTEMS = ("claimgraph", "oxigraph")


def number(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def ratio(mine: float | None, theirs: float | None) -> float | None:
    if mine is None or theirs is None or theirs == 0 or math.isnan(mine) or math.isnan(theirs):
        return None
    return mine / theirs


def row(label: str, values: dict[str, float | None], digits: int = 1) -> str:
    found = ratio(values.get("claimgraph"), values.get("oxigraph"))
    shown = f"{found:.2f}x" if found is not None else "–"
    return f"| {label} | {number(values.get('claimgraph'), digits)} | {number(values.get('oxigraph'), digits)} | {shown} |"


def heavy_ended(run: dict) -> str:
    statuses = ", ".join(f"{count}× {status}" for status, count in run["heavy"]["statuses"].get("heavy", {}).items())
    times = run["heavy"]["all_times_ms"].get("heavy", [])
    return f"{statuses}; median {number(statistics.median(times) / 1000 if times else None, 1)} s"


def size_section(size: str, found: dict, timeout: int) -> list[str]:
    lines = [f"## {int(size):,} triples ({found['triples']:,} generated)", "",
             "| figure | claimgraph | oxigraph | ratio |", "|---|---|---|---|"]
    load = found["load"]
    lines.append(row(f"load, s (claimgraph: {load['claimgraph']['how']})", {n: load[n]["seconds"] for n in SYSTEMS}))
    lines.append(row("server start until it answers, s", found["startup_s"]))
    for mix, name in (("ad_hoc", "ad-hoc mix"), ("canned", "canned mix")):
        for clients, runs in found[mix].items():
            title = f"{name}, {clients} client" + ("" if clients == "1" else "s")
            mixed = {n: runs[n]["mix"] for n in SYSTEMS}
            lines.append(row(f"{title}: queries/s", {n: mixed[n]["qps"] for n in SYSTEMS}))
            for key in ("p50_ms", "p95_ms", "p99_ms"):
                lines.append(row(f"{title}: {key.replace('_ms', '')} ms", {n: mixed[n][key] for n in SYSTEMS}))
            lines.append(row(f"{title}: peak RSS MiB", {n: runs[n]["server"]["peak_rss_mib"] for n in SYSTEMS}, 0))
            lines.append(row(f"{title}: peak PSS MiB", {n: runs[n]["server"]["peak_pss_mib"] for n in SYSTEMS}, 0))
            lines.append(row(f"{title}: server CPU s", {n: runs[n]["server"]["server_cpu_s"] for n in SYSTEMS}))
            lines.append(row(f"{title}: driver CPU s", {n: mixed[n]["driver_cpu_s"] for n in SYSTEMS}))
            errors = {n: mixed[n]["errors"] for n in SYSTEMS if mixed[n]["errors"]}
            if errors:
                lines.append(f"| {title}: errors by status | {errors.get('claimgraph', '–')} | {errors.get('oxigraph', '–')} | |")
    search = found["text_search"]
    lines.append(row("text search (claimgraph /search.json, Oxigraph REGEX): p50 ms", {n: search[n]["search"]["p50_ms"] for n in SYSTEMS}))
    lines.append(row("text search: queries/s", {n: search[n]["search"]["qps"] for n in SYSTEMS}))
    for in_flight, runs in found["isolation"].items():
        lines.append(row(f"cheap query, {in_flight} heavy in flight: p50 ms", {n: runs[n]["cheap"]["p50_ms"] for n in SYSTEMS}))
        lines.append(row(f"cheap query, {in_flight} heavy in flight: p95 ms", {n: runs[n]["cheap"]["p95_ms"] for n in SYSTEMS}))
        lines.append(f"| cheap query, {in_flight} heavy in flight: answered / errors | {runs['claimgraph']['cheap']['ok']} / "
                     f"{runs['claimgraph']['cheap']['errors'] or 0} | {runs['oxigraph']['cheap']['ok']} / {runs['oxigraph']['cheap']['errors'] or 0} | |")
        lines.append(f"| heavy queries ({in_flight}) ended | {heavy_ended(runs['claimgraph'])} | {heavy_ended(runs['oxigraph'])} | |")
    writes = found["writes"]
    for label, title in (("small", "small writes alone"), ("small_with_readers", "small writes, 8 readers")):
        lines.append(row(f"{title}: writes/s", {n: writes[label][n]["write"]["qps"] for n in SYSTEMS}))
        lines.append(row(f"{title}: p50 ms", {n: writes[label][n]["write"]["p50_ms"] for n in SYSTEMS}))
    lines.append(row("readers' queries/s beside the writes", {n: writes["small_with_readers"][n]["readers"]["qps"] for n in SYSTEMS}))
    lines.append(row("batched writes (1,000 triples each): triples/s", {n: writes["batched"][n]["write"]["triples_per_s"] for n in SYSTEMS}, 0))
    lines.append("")
    lines.append("claimgraph's pages, one client (p50 / p95 ms): " + "; ".join(
        f"{name} {number(page['p50_ms'])} / {number(page['p95_ms'])}" for name, page in found["pages"].items())
        + f". The first search of the run (after the mixes; it builds the full-text index when it is not built yet) "
        f"took {number(found['first_search_s'], 2)} s.")
    lines.append("")
    lines.append("Matches of a word (claimgraph's `/search` total: claims matched by stem in their words, quotes and "
                 "names; Oxigraph: claims whose text matches `REGEX(word, \"i\")`): " + "; ".join(
                     f"{word} {counts['claimgraph']} / {counts['oxigraph']}" for word, counts in found["search_matches"].items()) + ".")
    differ = [check for check in found["checks"] if not check["same"]]
    lines.append("")
    lines.append(f"Answers compared (status and rows/triples of one instance of each query of both mixes): "
                 f"{len(found['checks']) - len(differ)} of {len(found['checks'])} the same"
                 + ("; differing: " + "; ".join(f"{c['mix']} {c['query']} claimgraph {c['claimgraph']}, oxigraph {c['oxigraph']}"
                                                for c in differ) if differ else "") + ".")
    lines.append("")
    return lines


def targets(results: dict) -> list[str]:
    """The targets, each with the figures it is read from and pass / miss, per size."""
    lines = ["## Targets", "", "| target | size | measured | verdict |", "|---|---|---|---|"]

    def add(name: str, size: str, measured: float | None, passes: bool | None, shown: str) -> None:
        verdict = "–" if passes is None else ("pass" if passes else "**miss**")
        lines.append(f"| {name} | {int(size):,} | {shown if measured is not None else 'not measured'} | {verdict} |")

    def check(name, size, value, test, fmt):
        add(name, size, value, None if value is None else test(value), fmt.format(value) if value is not None else "")

    for size, found in results["sizes"].items():
        at8 = {n: found["ad_hoc"]["8"][n] for n in SYSTEMS}
        check("ad-hoc mix, 8 clients: throughput ≥ 1.0x", size, ratio(at8["claimgraph"]["mix"]["qps"], at8["oxigraph"]["mix"]["qps"]), lambda v: v >= 1.0, "{:.2f}x")
        check("ad-hoc mix, 8 clients: p50 ≤ 2x", size, ratio(at8["claimgraph"]["mix"]["p50_ms"], at8["oxigraph"]["mix"]["p50_ms"]), lambda v: v <= 2.0, "{:.2f}x")
        check("ad-hoc mix, 8 clients: p99 ≤ 1.0x", size, ratio(at8["claimgraph"]["mix"]["p99_ms"], at8["oxigraph"]["mix"]["p99_ms"]), lambda v: v <= 1.0, "{:.2f}x")
        check("ad-hoc mix, 8 clients: peak RSS ≤ 2x", size, ratio(at8["claimgraph"]["server"]["peak_rss_mib"], at8["oxigraph"]["server"]["peak_rss_mib"]), lambda v: v <= 2.0, "{:.2f}x")
        trail1 = found["ad_hoc"]["1"]["claimgraph"]["mix"]["per_query"].get("evidence-trail", {}).get("p50_ms")
        trail8 = at8["claimgraph"]["mix"]["per_query"].get("evidence-trail", {}).get("p50_ms")
        check("evidence trail p50 ≤ 2 ms, 1 client", size, trail1, lambda v: v <= 2.0, "{:.1f} ms")
        check("evidence trail p50 ≤ 10 ms, 8 clients on the mix", size, trail8, lambda v: v <= 10.0, "{:.1f} ms")
        for in_flight, runs in found["isolation"].items():
            cheap = runs["claimgraph"]["cheap"]
            name = f"cheap query median < 100 ms, {in_flight} heavy in flight"
            failed = cheap["requests"] - cheap["ok"]
            if failed:
                add(name, size, 0, False, f"{cheap['ok']} of {cheap['requests']} answered (p50 {number(cheap['p50_ms'])} ms), "
                                          f"the others failed: {cheap['errors']}")
            else:
                check(name, size, cheap["p50_ms"], lambda v: v < 100, "{:.1f} ms")
        canned = {n: found["canned"]["8"][n]["mix"]["qps"] for n in SYSTEMS}
        check("canned mix, 8 clients: throughput ≥ 3x", size, ratio(canned["claimgraph"], canned["oxigraph"]), lambda v: v >= 3.0, "{:.2f}x")
        search = ratio(found["text_search"]["oxigraph"]["search"]["p50_ms"], found["text_search"]["claimgraph"]["search"]["p50_ms"])
        check("text search ≥ 20x faster than REGEX (p50, Oxigraph / claimgraph)", size, search, lambda v: v >= 20.0, "{:.1f}x")
        writes = found["writes"]
        check("small writes with 8 readers ≥ 0.5x", size, ratio(writes["small_with_readers"]["claimgraph"]["write"]["qps"],
                                                              writes["small_with_readers"]["oxigraph"]["write"]["qps"]), lambda v: v >= 0.5, "{:.2f}x")
        check("batched writes ≥ 5x Oxigraph's small-write rate, triples/s", size,
              ratio(writes["batched"]["claimgraph"]["write"]["triples_per_s"], writes["small"]["oxigraph"]["write"]["triples_per_s"]),
              lambda v: v >= 5.0, "{:.2f}x")
        if int(size) >= 1_000_000:
            check("claim page p50 ≤ 30 ms (1M)", size, found["pages"]["claim page"]["p50_ms"], lambda v: v <= 30.0, "{:.1f} ms")
        if int(size) >= 20_000_000:
            check("20M load ≤ 1.3x `oxigraph load`", size, ratio(found["load"]["claimgraph"]["seconds"], found["load"]["oxigraph"]["seconds"]), lambda v: v <= 1.3, "{:.2f}x")
    if not any(int(size) >= 20_000_000 for size in results["sizes"]):
        lines.append("| 20M load ≤ 1.3x `oxigraph load` | 20,000,000 | not run (`BENCH_SIZES=\"… 20000000\"`) | – |")
    lines.append("")
    return lines


def plots(results: dict, directory: Path) -> list[str]:
    """Latency against concurrency, load time against size, write rates; the file names written."""
    directory.mkdir(parents=True, exist_ok=True)
    sizes = list(results["sizes"])
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, mix in zip(axes, ("ad_hoc", "canned")):
        for size, line in zip(sizes, ("-", "--", ":", "-.")):
            runs = results["sizes"][size][mix]
            clients = [int(c) for c in runs]
            for system, color in zip(SYSTEMS, ("C0", "C1")):
                axis.plot(clients, [runs[c][system]["mix"]["p50_ms"] for c in runs], line, marker="o", color=color,
                          label=f"{system} p50, {int(size):,}")
                axis.plot(clients, [runs[c][system]["mix"]["p99_ms"] for c in runs], line, marker="^", color=color,
                          alpha=0.45, label=f"{system} p99, {int(size):,}")
        axis.set(xscale="log", yscale="log", xlabel="concurrent clients", ylabel="latency, ms", title=mix.replace("_", "-") + " mix")
        axis.set_xticks([1, 8, 32], ["1", "8", "32"])
        axis.legend(fontsize=6)
    figure.tight_layout()
    figure.savefig(directory / "latency.png", dpi=110)
    plt.close(figure)
    figure, axis = plt.subplots(figsize=(5.5, 4))
    triples = [results["sizes"][s]["triples"] for s in sizes]
    for system in SYSTEMS:
        axis.plot(triples, [results["sizes"][s]["load"][system]["seconds"] for s in sizes], "-o", label=system)
    axis.set(xscale="log", yscale="log", xlabel="triples", ylabel="load time, s", title="bulk load")
    axis.legend()
    figure.tight_layout()
    figure.savefig(directory / "load.png", dpi=110)
    plt.close(figure)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    labels = ("small", "small_with_readers", "batched")
    for axis, (key, title) in zip(axes, (("qps", "writes/s"), ("triples_per_s", "triples/s"))):
        width = 0.8 / (len(sizes) * 2)
        for n, (size, system) in enumerate((s, y) for s in sizes for y in SYSTEMS):
            values = [results["sizes"][size]["writes"][label][system]["write"][key] for label in labels]
            axis.bar([i + n * width for i in range(len(labels))], values, width, label=f"{system}, {int(size):,}")
        axis.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))], [label.replace("_", " ") for label in labels])
        axis.set(yscale="log", ylabel=title, title=f"writes: {title}")
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(directory / "writes.png", dpi=110)
    plt.close(figure)
    return ["latency.png", "load.png", "writes.png"]


def render(results: dict, results_path: Path, output: Path, before: dict | None = None,
           analysis: Path | None = None) -> None:
    """Write ``output`` (Markdown) and the plots beside ``results_path``; with ``before``, an earlier version's results
    beside these; with ``analysis``, that hand-written page after the targets."""
    images = plots(results, results_path.parent)
    versions, machine = results["versions"], results["machine"]
    relative = results_path.parent.relative_to(output.parent)
    lines = [
        "# Performance: claimgraph beside `oxigraph serve`", "",
        f"Measured {results['date']} with `{results['command']}` (then `bench/report.py`), "
        f"{results['duration_s']:g} s per timed run, query time limit {results['timeout_s']} s on both servers "
        "(`CLAIMGRAPH_QUERY_TIMEOUT`, `oxigraph serve --timeout-s`).", "",
        f"- versions: claimgraph {versions['claimgraph']}, pyoxigraph {versions['pyoxigraph']}, {versions['oxigraph']}, "
        f"Python {versions['python']}",
        f"- machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, {machine['system']}; "
        "shared with other work while measured, so compare the ratios (same run, systems alternated), not the "
        "absolute numbers across runs", "",
        "How: `bench/generate.py` writes a seeded claims graph in claimgraph's ontology (one graph per source, quotes "
        "at their offsets in synthetic archived texts, Zipf-skewed cities, speakers and words); both systems load the "
        "same N-Quads file (claimgraph `claimgraph --store DIR load FILE`; Oxigraph `oxigraph load`) and serve it on loopback (claimgraph `claimgraph serve`, "
        "Oxigraph `oxigraph serve --union-default-graph`, read-write). The driver (`bench/driver.py`) runs clients "
        "as threads in up to 4 processes per group, each with a keep-alive `http.client` connection; its own CPU "
        "seconds are in the tables. Memory is the whole server process tree (psutil), RSS and PSS. The ratio is "
        "claimgraph / Oxigraph (for times, lower is better for claimgraph; for rates, higher)."
        + (f" An answer cut short counts as status `{results['cut_status']}`, not as answered: Oxigraph answers a query its "
           "time limit stops with 200 and ends the body with an error message." if "cut_status" in results else
           " In this run an answer with status 200 counted as answered even when cut short: Oxigraph answers a query "
           "its time limit stops with 200 and ends the body with an error message, so its heavy queries show 200 "
           "at about the limit."), "",
        "Workloads: the ad-hoc mix (evidence trail of a claim, DESCRIBE of a claim, CONSTRUCT of a source's graph, "
        "claims about a city with their speakers, claims per city and per speaker, a CONTAINS filter on claim text, a "
        "full count; parameters drawn Zipf from the generator's sidecar) and the canned mix (claimgraph's "
        "`/queries/<name>?param=value` against the same query file with the value bound by `VALUES` on Oxigraph) at "
        "1, 8 and 32 clients; text search (`/search.json?q=word` against `REGEX(?text, word, \"i\")`); heavy-query "
        "isolation (4 and 16 clients looping a cross join with aggregation while one client runs the evidence trail); "
        "small writes (`INSERT DATA` of one claim, 20 triples, distinct each time) alone and beside 8 readers of the "
        "ad-hoc mix, and batched writes of 50 claims (1,000 triples) per request.", "",
    ]
    lines += targets(results)
    if before is not None:
        lines += before_after(before, results)
    if analysis is not None and analysis.is_file():
        lines += [analysis.read_text(encoding="utf-8"), ""]
    for size, found in results["sizes"].items():
        lines += size_section(size, found, results["timeout_s"])
    lines += ["## Plots", ""] + [f"![{name}]({relative / name})" for name in images] + [
        "", f"Raw results: [`{relative / results_path.name}`]({relative / results_path.name}).", ""]
    output.write_text("\n".join(lines), encoding="utf-8")


#: The figures of claimgraph compared before and after a change: label, how to read it from one size's results.
BEFORE_AFTER = (
    ("load, s", lambda f: f["load"]["claimgraph"]["seconds"]),
    ("server start until it answers, s", lambda f: f["startup_s"]["claimgraph"]),
    ("ad-hoc mix, 8 clients: queries/s", lambda f: f["ad_hoc"]["8"]["claimgraph"]["mix"]["qps"]),
    ("ad-hoc mix, 8 clients: p50 ms", lambda f: f["ad_hoc"]["8"]["claimgraph"]["mix"]["p50_ms"]),
    ("ad-hoc mix, 8 clients: p99 ms", lambda f: f["ad_hoc"]["8"]["claimgraph"]["mix"]["p99_ms"]),
    ("ad-hoc mix, 8 clients: peak RSS MiB", lambda f: f["ad_hoc"]["8"]["claimgraph"]["server"]["peak_rss_mib"]),
    ("evidence trail, 1 client: p50 ms", lambda f: f["ad_hoc"]["1"]["claimgraph"]["mix"]["per_query"]["evidence-trail"]["p50_ms"]),
    ("evidence trail, 8 clients on the mix: p50 ms", lambda f: f["ad_hoc"]["8"]["claimgraph"]["mix"]["per_query"]["evidence-trail"]["p50_ms"]),
    ("canned mix, 8 clients: queries/s", lambda f: f["canned"]["8"]["claimgraph"]["mix"]["qps"]),
    ("cheap query, 4 heavy in flight: p50 ms", lambda f: f["isolation"]["4"]["claimgraph"]["cheap"]["p50_ms"]),
    ("cheap query, 4 heavy in flight: answered", lambda f: f["isolation"]["4"]["claimgraph"]["cheap"]["ok"]),
    ("cheap query, 16 heavy in flight: p50 ms", lambda f: f["isolation"]["16"]["claimgraph"]["cheap"]["p50_ms"]),
    ("cheap query, 16 heavy in flight: answered", lambda f: f["isolation"]["16"]["claimgraph"]["cheap"]["ok"]),
    ("small writes alone: writes/s", lambda f: f["writes"]["small"]["claimgraph"]["write"]["qps"]),
    ("small writes, 8 readers: writes/s", lambda f: f["writes"]["small_with_readers"]["claimgraph"]["write"]["qps"]),
    ("batched writes: triples/s", lambda f: f["writes"]["batched"]["claimgraph"]["write"]["triples_per_s"]),
    ("text search: p50 ms", lambda f: f["text_search"]["claimgraph"]["search"]["p50_ms"]),
    ("claim page, 1 client: p50 ms", lambda f: f["pages"]["claim page"]["p50_ms"]),
)


def before_after(before: dict, after: dict) -> list[str]:
    """claimgraph's figures in ``before`` (results of an earlier version) beside ``after``'s, for the sizes in both."""
    lines = ["## Before and after", "",
             f"claimgraph as it was ({before['date']}, `{before['command']}`, query time limit {before['timeout_s']} s) "
             f"and as it is (this run, {after['timeout_s']} s), measured by the same harness on the same data.", ""]
    for size in [size for size in after["sizes"] if size in before["sizes"]]:
        lines += [f"### {int(size):,} triples", "", "| figure | before | after |", "|---|---|---|"]
        for label, read in BEFORE_AFTER:
            values = []
            for found in (before["sizes"][size], after["sizes"][size]):
                try:
                    values.append(f"{read(found):,.1f}")
                except (KeyError, TypeError, ValueError):
                    values.append("–")
            lines.append(f"| {label} | {values[0]} | {values[1]} |")
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=ROOT / "docs" / "benchmarks" / "results.json")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--before", type=Path, default=ROOT / "docs" / "benchmarks" / "before.json",
                        help="results of an earlier version, shown beside these (if the file exists)")
    parser.add_argument("--analysis", type=Path, default=ROOT / "docs" / "benchmarks" / "analysis.md",
                        help="what limits the targets missed and what was tried, written by hand (if the file exists)")
    options = parser.parse_args()
    before = json.loads(options.before.read_text(encoding="utf-8")) if options.before.is_file() else None
    render(json.loads(options.results.read_text(encoding="utf-8")), options.results.resolve(), options.output.resolve(),
           before, options.analysis)
    print(options.output)


if __name__ == "__main__":
    main()
