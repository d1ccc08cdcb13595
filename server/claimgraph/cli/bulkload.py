"""``claimgraph load PATH…``: RDF files of any size, checked whole, then written in one bulk write.

Three steps, each timed: every file is read once and checked (syntax, literals) before the store is touched;
a small input (with a small store) is checked against the SHACL shapes; then the quads go into the store in one
bulk write, which adds all of them or none: one file is parsed again by pyoxigraph's bulk loader itself (the
fastest way), several are read again and streamed through one ``bulk_extend``, and a small input is written from
memory.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click
import pyoxigraph as ox
from tqdm import tqdm

from claimgraph.config import Config
from claimgraph.errors import DataError, StoreError
from claimgraph.model import bulk
from claimgraph.store import bulk as store_bulk

NOTHING = "nothing was loaded"


def held(config: Config) -> click.ClickException:
    """The error for a store another process holds, with how to send the data to a running server instead."""
    return click.ClickException(
        f"cannot open the store at {config.store}: a running claimgraph server (or another process) holds it; {NOTHING}. "
        "Send the data to the server instead, one graph per request, in a graph format (Turtle, N-Triples, RDF/XML, "
        "JSON-LD) of at most CLAIMGRAPH_MAX_REQUEST_BYTES, e.g. "
        f"curl -X POST --data-binary @file.ttl -H 'Content-Type: text/turtle' -H 'Authorization: Bearer TOKEN' "
        f"'http://{config.host}:{config.port}/store?graph=IRI' (TOKEN is the server's CLAIMGRAPH_UPDATE_TOKEN); "
        "or stop the server, load, and start it again"
    )


def run(config: Config, paths: Sequence[Path], *, if_empty: bool) -> None:
    """Load the RDF files of ``paths`` into the store of ``config``; a one-line summary on stderr.

    :raises click.ClickException: naming the file (and line) at fault, or the store's trouble; nothing is written then.
    """
    try:
        found = bulk.find(paths, config.iri_base)
    except DataError as error:
        raise click.ClickException(f"{error}; {NOTHING}") from error
    for note in found.notes:
        click.echo(note, err=True)
    created = not config.store.exists()
    store = _writable(config) if store_bulk.exists(config.store) else None
    if if_empty and store is not None and not store_bulk.is_empty(store):
        click.echo(f"store {config.store} already holds data; not loading", err=True)
        return

    started = time.perf_counter()
    with _progress("checking", found.size) as on_read:
        try:
            checked = bulk.check(found, on_read)
        except DataError as error:
            raise click.ClickException(f"{error}; {NOTHING}") from error
    check_seconds = time.perf_counter() - started

    started = time.perf_counter()
    shapes = _shapes(config, found, checked, store)
    shape_seconds = time.perf_counter() - started

    if store is None:
        store = _writable(config)
    existing = store_bulk.holding(store, checked.graphs)
    started = time.perf_counter()
    try:
        if checked.kept is not None:
            store_bulk.write_all(store, checked.kept)
        elif len(found.sources) == 1:
            source = found.sources[0]
            with _progress("loading", found.size, checked.triples) as on_read, bulk.reading(source), bulk.opened(source, on_read) as file:
                store_bulk.load_one(store, file, source.format, source.graph)
        else:
            with _progress("loading", found.size, checked.triples) as on_read:
                store_bulk.write_all(store, bulk.every_quad(found.sources, on_read))
    except (DataError, StoreError) as error:
        del store
        if created:
            shutil.rmtree(config.store, ignore_errors=True)
        raise click.ClickException(f"{error}; {NOTHING}") from error
    load_seconds = time.perf_counter() - started

    if existing:
        click.echo(f"added to {len(existing)} graph(s) that already held data, e.g. {existing[0]}", err=True)
    rate = checked.triples / load_seconds if load_seconds else 0.0
    click.echo(
        f"loaded {len(found.sources)} file(s): {checked.triples:,} triples in {len(checked.graphs)} graph(s) into {config.store}; "
        f"checked in {check_seconds:.2f} s, {shapes} in {shape_seconds:.2f} s, loaded in {load_seconds:.2f} s "
        f"({rate:,.0f} triples/s); the server builds its search index when it starts",
        err=True,
    )


def _writable(config: Config) -> ox.Store:
    try:
        return store_bulk.open_writable(config.store)
    except StoreError as error:
        if error.held:
            raise held(config) from error
        raise click.ClickException(f"{error}; {NOTHING}") from error


def _shapes(config: Config, found: bulk.Found, checked: bulk.Checked, store: ox.Store | None) -> str:
    """Check a small input against the SHACL shapes, with what the store holds; what was done, for the summary.

    :raises click.ClickException: after printing each problem, if there are any.
    """
    present = [] if store is None else store_bulk.first_quads(store, bulk.SHACL_LIMIT)
    if checked.kept is None or present is None or len(checked.kept) + len(present) > bulk.SHACL_LIMIT:
        return f"shapes not checked (more than {bulk.SHACL_LIMIT:,} triples with the store's)"
    try:
        problems = bulk.shape_problems(checked.kept, present, config.ontology_dir, found.sources[0].path)
    except DataError as error:
        raise click.ClickException(f"{error}; {NOTHING}") from error
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) with the shapes of {config.ontology_dir}; {NOTHING}")
    return "shapes checked"


@contextlib.contextmanager
def _progress(label: str, size: int, triples: int | None = None) -> Iterator[Callable[[int], None]]:
    """A function to report bytes read to: a progress bar on stderr when it is a terminal (bytes of ``size``, time
    left, and, when the number of ``triples`` is known, triples per second), else nothing."""
    with tqdm(total=size, desc=label, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr,
              disable=not sys.stderr.isatty(), leave=False) as bar:
        if bar.disable:
            yield lambda count: None
            return
        per_byte = (triples or 0) / size if size else 0.0

        def on_read(count: int) -> None:
            bar.update(count)
            if per_byte:
                elapsed = bar.format_dict["elapsed"]
                if elapsed:
                    bar.set_postfix_str(f"{bar.n * per_byte / elapsed:,.0f} triples/s", refresh=False)

        yield on_read
