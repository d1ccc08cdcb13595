"""Blueprint: every IRI of the dataset dereferences, as HTML for browsers and as RDF by content negotiation."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template

from claimgraph.rdf import formats
from claimgraph.store.base import Query
from claimgraph.web import answers, iris, protocol, views

blueprint = Blueprint("resources", __name__)


@blueprint.route("/id/<path:rest>")
def dataset_resource(rest: str) -> Response:
    """The resource ``<iri_base>id/<rest>``."""
    return _describe(ox.NamedNode(iris.iri_of(f"id/{rest}")))


@blueprint.route("/resource")
def resource() -> Response:
    """The resource whose IRI is the ``iri`` parameter, for clients that hold only the IRI.

    :raises ParamError: (400, naming ``iri``) if it is missing or not an IRI.
    """
    iri = protocol.single(protocol.url_parameters(), "iri", required=True)
    return _describe(protocol.named_node(iri, "iri"))


def _describe(iri: ox.NamedNode) -> Response:
    """The page of ``iri`` for browsers, its description in RDF otherwise; 404 if the store does not know it."""
    store = answers.store()
    if not store.ask(f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}"):
        abort(404, f"the store holds nothing about <{iri.value}>")
    media_type = answers.negotiated([formats.HTML, *formats.RDF_MEDIA_TYPES], None, None)
    if media_type == formats.HTML:
        page = views.page(iri)
        if page is None:
            rows = store.select(f"SELECT ?p ?o WHERE {{ {iri} ?p ?o }} ORDER BY ?p ?o")
            page = render_template("resource.html", iri=iri.value, rows=rows)
        return Response(page, mimetype=formats.HTML)
    return answers.run(Query(f"DESCRIBE {iri}", graph_as=media_type))
