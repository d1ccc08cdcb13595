"""Bulk writes straight into an on-disk pyoxigraph store: opening it for one, and the one atomic write.

pyoxigraph's bulk loader (0.5) writes sorted table files beside the database and adds them all at its end, so one
:meth:`pyoxigraph.Store.bulk_load` or :meth:`pyoxigraph.Store.bulk_extend` call is all or nothing: when the input
does not parse, or the quads it reads stop with an error, nothing of them is in the store (tests/test_bulk_load.py
checks both). A load of many files is atomic when every file's quads come through one ``bulk_extend`` call.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.errors import StoreError
from claimgraph.store.embedded import EmbeddedStore, holds_lock


def exists(path: Path) -> bool:
    """Whether ``path`` holds a store."""
    return EmbeddedStore.exists(path)


def open_writable(path: Path) -> ox.Store:
    """The store at ``path`` opened read-write (created, with its parent folders, if missing).

    :raises StoreError: with ``held``, if another process holds it (RocksDB's lock is taken).
    :raises StoreError: if it cannot be opened for another reason.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as error:
        held = holds_lock(error)
        why = " (another process holds it for writing: a running `claimgraph serve`?)" if held else ""
        raise StoreError(f"cannot open the store at {path}{why}: {error}", held=held) from error


def is_held(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) says another process holds a store's lock."""
    while error is not None:
        if getattr(error, "held", False):
            return True
        error = error.__cause__
    return False


def is_empty(store: ox.Store) -> bool:
    """Whether ``store`` holds no quad (in any graph)."""
    return next(iter(store), None) is None


def first_quads(store: ox.Store, limit: int) -> list[ox.Quad] | None:
    """Every quad of ``store`` if it holds at most ``limit``; ``None`` if it holds more (read no further)."""
    found = list(itertools.islice(store, limit + 1))
    return found if len(found) <= limit else None


def holding(store: ox.Store, graphs: Iterable[ox.NamedNode | ox.BlankNode]) -> list[ox.NamedNode | ox.BlankNode]:
    """Those of ``graphs`` that ``store`` already has."""
    return [graph for graph in graphs if store.contains_named_graph(graph)]


def load_one(store: ox.Store, input: BinaryIO, format: ox.RdfFormat, graph: ox.NamedNode) -> None:
    """Parse ``input`` into ``store`` in one bulk load, its triples outside a named graph into ``graph``, blank nodes
    renamed: all of it, or (when it does not parse) nothing. Parsing and writing are pyoxigraph's own, so this is
    the fastest way in for one file.

    :raises SyntaxError: as pyoxigraph raises it, with the line and column; nothing is added.
    :raises StoreError: if reading ``input`` or writing the store fails.
    """
    try:
        store.bulk_load(input, format, to_graph=graph)
    except OSError as error:
        raise StoreError(f"the bulk load failed reading its input or writing the store: {error}") from error
    store.flush()


def write_all(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Add ``quads`` to ``store`` in one bulk write: all of them, or (when reading them raises) none.

    ``quads`` is read once, streaming; an error it raises passes unchanged, after the partial write is thrown away.

    :raises StoreError: if the store fails writing (e.g. the disk is full); nothing is added then either.
    """
    try:
        store.bulk_extend(quads)
    except OSError as error:
        raise StoreError(f"the bulk write failed; nothing was added: {error}") from error
    store.flush()
