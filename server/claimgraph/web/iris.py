"""Where the dataset's IRIs are served: the one mapping between IRIs and this server's URLs.

An IRI below the ``iri_base`` setting in one of the minted folders (:data:`FOLDERS`: ``id/``, ``graph/``,
``kind/``, ``unit/``) is served at the same path below the service's root
(``https://w3id.org/claimgraph/id/claim/x`` at ``/id/claim/x``); the ontology IRI ``<iri_base>ontology`` and its
terms ``<iri_base>ontology#Term`` at ``/ontology`` (``/ontology#Term``, the term's anchor on the ontology page);
any other IRI the store holds is served by ``/resource?iri=<IRI>``.
"""

from __future__ import annotations

from flask import request, url_for

from claimgraph.web.services import services

#: The folders below the IRI base whose IRIs are served at their own path, each by the resources blueprint.
FOLDERS = ("id", "graph", "kind", "unit")
#: The path, below the IRI base, of the ontology (its terms are ``ontology#Term``).
ONTOLOGY = "ontology"


def ontology_iri() -> str:
    """The IRI of the ontology: ``<iri_base>ontology``, also the name of the store's graph that holds it."""
    return services().config.iri_base + ONTOLOGY


def term_name(iri: str) -> str | None:
    """The local name of an ontology term (``Claim`` for ``<iri_base>ontology#Claim``), the ``id`` of its anchor on
    the ontology page; ``None`` if ``iri`` is no term of the ontology."""
    namespace = ontology_iri() + "#"
    return iri[len(namespace):] or None if iri.startswith(namespace) else None


def local_path(iri: str) -> str | None:
    """The path (below the service's root, fragment kept) that serves ``iri``, or ``None`` if no route of this
    server serves it at its own path (it is not below the IRI base, or not in a folder of :data:`FOLDERS`, or not
    the ontology or one of its terms)."""
    base = services().config.iri_base
    if not iri.startswith(base):
        return None
    rest = iri[len(base):]
    folder, slash, name = rest.partition("/")
    served = (folder in FOLDERS and slash and name) or rest == ONTOLOGY or rest.startswith(ONTOLOGY + "#")
    return request.script_root + "/" + rest if served else None


def page_url(iri: str) -> str:
    """The URL of the page of ``iri`` on this server: its own path when it has one (:func:`local_path`), else
    ``/resource?iri=<IRI>``."""
    return local_path(iri) or url_for("resources.resource", iri=iri)


def iri_of(path: str) -> str:
    """The IRI that the path ``path`` (below the service's root, without a leading ``/``) serves."""
    return services().config.iri_base + path
