"""The full-text search of claims: what a search is and finds (:mod:`~claimgraph.search.query`) and the SQLite FTS5
index that answers it (:mod:`~claimgraph.search.fts`). Domain code over a :class:`~claimgraph.store.base.Store`:
it may import ``store.base`` and ``rdf``; ``store`` never imports it."""
