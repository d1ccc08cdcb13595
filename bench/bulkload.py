"""How long ``claimgraph load FILE`` takes beside ``oxigraph load`` (PyPI ``oxigraph``) on one generated N-Quads
file, each into a fresh store, on this machine.

    .venv/bin/pip install oxigraph        # the `oxigraph` binary, for the comparison
    .venv/bin/python bench/bulkload.py [--triples 1000000] [--runs 2] [--gzip]

The file has a third of its triples in the default graph (they go into the file's graph) and the rest in seven
named graphs; literals are plain, language-tagged and ``xsd:integer``. Each tool runs ``--runs`` times,
alternating, and the best time of each is compared: the machine is shared, so the best is the least disturbed.
claimgraph's own summary line (checked in … s, loaded in … s) is printed as it is.
"""

from __future__ import annotations

import argparse
import gzip
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

XSD_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"


def generate(path: Path, triples: int, compress: bool) -> None:
    """Write ``triples`` N-Quads statements to ``path`` (gzip-compressed when ``compress``)."""
    rng = random.Random(1)
    subjects = max(triples // 10, 1)
    with (gzip.open(path, "wt", compresslevel=1) if compress else path.open("w")) as out:
        for i in range(triples):
            kind = i % 4
            if kind == 0:
                obj = f'"value {i} {rng.random()}"'
            elif kind == 1:
                obj = f'"{i}"^^{XSD_INTEGER}'
            elif kind == 2:
                obj = f"<http://example.org/s/{rng.randrange(subjects)}>"
            else:
                obj = f'"label {i}"@en'
            graph = f" <http://example.org/g/{i % 7}>" if i % 3 else ""
            out.write(f"<http://example.org/s/{i // 10}> <http://example.org/p/{i % 13}> {obj}{graph} .\n")


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--gzip", action="store_true", help="compress the file (claimgraph reads .nq.gz; oxigraph gets it too)")
    options = parser.parse_args()
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    claimgraph = shutil.which("claimgraph", path=str(Path(sys.executable).parent)) or shutil.which("claimgraph")
    if oxigraph is None or claimgraph is None:
        sys.exit("needs the `oxigraph` and `claimgraph` commands (pip install oxigraph; pip install -e .)")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data = work / ("bench.nq.gz" if options.gzip else "bench.nq")
        started = time.perf_counter()
        generate(data, options.triples, options.gzip)
        print(f"generated {options.triples:,} triples, {data.stat().st_size / 1e6:,.1f} MB, in {time.perf_counter() - started:.1f} s")
        best = {"oxigraph load": float("inf"), "claimgraph load": float("inf")}
        for run in range(options.runs):
            for name, command in (
                ("oxigraph load", [oxigraph, "load", "--location", str(work / "ox"), "--file", str(data)]),
                ("claimgraph load", [claimgraph, "--store", str(work / "cg"), "load", str(data)]),
            ):
                shutil.rmtree(work / "ox", ignore_errors=True)
                shutil.rmtree(work / "cg", ignore_errors=True)
                seconds, last = timed(command)
                best[name] = min(best[name], seconds)
                print(f"run {run + 1}: {name}: {seconds:.2f} s" + (f"  [{last}]" if name == "claimgraph load" else ""))
        ratio = best["claimgraph load"] / best["oxigraph load"]
        print(f"best: oxigraph load {best['oxigraph load']:.2f} s, claimgraph load {best['claimgraph load']:.2f} s: {ratio:.2f}x")


if __name__ == "__main__":
    main()
