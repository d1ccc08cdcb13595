"""Time the full-text index at scale: a full build, and following one write incrementally.

The store is the curated data with its source's claims graph copied ``--copies`` times under new IRIs (each copy's
claims, evidence, figures and source renamed; the entities they speak of shared, as real sources share cities and
people), in an embedded store in this process. Usage::

    .venv/bin/python bench/search_index.py --copies 575      # about 50,000 claims
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from claimgraph.model.text import normal_text
from claimgraph.search.fts import FullTextIndex
from claimgraph.search.query import Match
from claimgraph.store.embedded import EmbeddedStore

SOURCE = "dw-2017-mechelen"
GRAPH = f"https://w3id.org/claimgraph/graph/{SOURCE}"
CG = "https://w3id.org/claimgraph/ontology#"


def _timed(what: str, action):
    start = time.perf_counter()
    result = action()
    print(f"{what}: {time.perf_counter() - start:.3f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=575)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "store"
        subprocess.run([sys.executable, "-m", "claimgraph", "--store", str(path), "load"], check=True, capture_output=True)
        raw = ox.Store(str(path))
        graph = ox.serialize(raw.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH)), format=ox.RdfFormat.N_QUADS).decode()

        start = time.perf_counter()
        for copy in range(args.copies):
            raw.bulk_extend(ox.parse(graph.replace(SOURCE, f"{SOURCE}-copy{copy}"), ox.RdfFormat.N_QUADS))
        raw.flush()
        print(f"generating {args.copies} copies: {time.perf_counter() - start:.3f} s", flush=True)
        del raw  # pyoxigraph has no close(): the lock goes with the object, for EmbeddedStore to take
        store = EmbeddedStore(path)
        [claims] = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{CG}Claim> }}")
        print(f"claims: {claims['n'].value}, quads: {store.stats().quads}", flush=True)
        index = _timed("full build", lambda: FullTextIndex(store, text_key=normal_text))
        one = f"https://example.org/bench/{time.time_ns()}"
        store.update(f'INSERT DATA {{ GRAPH <{one}> {{ <{one}#c> a <{CG}Claim> ; <http://schema.org/text> "A bench qzxw claim." }} }}')
        _timed("written: a new graph of one claim", lambda: index.written({one}))
        print(f"  claims re-read: {index.reindexed}; found: {index.search(Match.parse('qzxw'), limit=5).total}")
        copy = f"{GRAPH}-copy{args.copies // 2}"
        store.update(f"DELETE {{ GRAPH <{copy}> {{ ?c <http://schema.org/text> ?t }} }} INSERT {{ GRAPH <{copy}> {{ ?c "
                     f"<http://schema.org/text> \"edited qzxy\" }} }} WHERE {{ GRAPH <{copy}> {{ ?c a <{CG}Claim> ; <http://schema.org/text> ?t }} }}")
        _timed("written: one source's graph, every claim's text edited", lambda: index.written({copy}))
        print(f"  claims re-read: {index.reindexed}; found: {index.search(Match.parse('qzxy'), limit=5).total}")
        _timed("full rebuild (refresh)", index.refresh)
        store.close()


if __name__ == "__main__":
    main()
