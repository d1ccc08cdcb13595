"""The embedded on-disk Oxigraph store, the first implementation of :class:`~claimgraph.store.base.Store`."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from claimgraph.store.base import Store
from claimgraph.errors import StoreError


class EmbeddedStore(Store):
    """An on-disk Oxigraph store in this process.

    Opened read-write it holds the store's lock: a second writer is refused. Opened ``read_only``
    it sees the store as it was when opened; pyoxigraph leaves reading beside a writing process
    undefined, so read-only openers must not overlap a load.
    """

    def __init__(self, path: Path, *, read_only: bool = False, create: bool = True) -> None:
        """Open (or, when ``create``, create) the store at ``path``.

        :raises StoreError: if there is no store at ``path`` and ``create`` is false, or it cannot be opened.
        """
        if not create and not self.exists(path):
            raise StoreError(f"no store at {path}: run `claimgraph load` first (or set CLAIMGRAPH_STORE)")
        try:
            if not read_only:
                path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
        except OSError as error:
            raise StoreError(f"cannot open the store at {path}: {error}") from error
        self.path = path

    @staticmethod
    def exists(path: Path) -> bool:
        """Whether ``path`` holds a store (RocksDB keeps its ``CURRENT`` file in every database directory)."""
        return (path / "CURRENT").is_file()

    def query(self, sparql, *, substitutions=None, default_graph=None, named_graphs=None, union_default_graph=True, base_iri=None):
        if default_graph is None and named_graphs is None:
            return self._store.query(
                sparql, substitutions=substitutions, use_default_graph_as_union=union_default_graph, base_iri=base_iri
            )
        return self._store.query(
            sparql, substitutions=substitutions, default_graph=list(default_graph or []), named_graphs=list(named_graphs or []),
            base_iri=base_iri,
        )

    def update(self, sparql, *, base_iri=None):
        self._store.update(sparql, base_iri=base_iri)
        self._store.flush()

    def dump(self, output, format, *, prefixes=None):
        if format.supports_datasets:
            self._store.dump(output, format, prefixes=prefixes)
            return
        triples = self._store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }", use_default_graph_as_union=True
        )
        ox.serialize(triples, output, format, prefixes=prefixes)


def open_store(path: Path, *, writable: bool) -> Store:
    """The store at ``path``: opened for writing (created if missing), or read-only (it must exist).

    :raises StoreError: if there is no store to read, or it cannot be opened (e.g. another process writes to it).
    """
    return EmbeddedStore(path, read_only=not writable, create=writable)
