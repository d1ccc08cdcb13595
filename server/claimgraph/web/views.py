"""The HTML pages of the dataset's own kinds of resource (claims, sources, people, places, organisations,
policies, outcomes): what a fact-checker reads, rather than a table of triples."""

from __future__ import annotations

import pyoxigraph as ox


def page(iri: ox.NamedNode) -> str | None:
    """The HTML page of ``iri`` when its type has a page of its own; ``None`` when the generic resource page is
    the one to show."""
    return None
