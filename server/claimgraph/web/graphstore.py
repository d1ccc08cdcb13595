"""Blueprint: the SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (``?graph=<iri>`` or ``?default``).

Reads serialize the graph in a query worker (uncapped); writes become one SPARQL update each, built from
terms pyoxigraph wrote, so they are atomic like every other update.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import NotFound, UnsupportedMediaType

from claimgraph.rdf import formats
from claimgraph.web import answers, protocol
from claimgraph.store.executor import Query
from claimgraph.store.base import insert_data

blueprint = Blueprint("graphstore", __name__)

#: RDF formats a graph may be sent in: no dataset formats, but JSON-LD (its documents are mostly one graph).
_TRIPLE_FORMATS = {
    media: fmt for media, fmt in formats.RDF_INPUT_TYPES.items() if not fmt.supports_datasets or fmt == ox.RdfFormat.JSON_LD
}
#: Where graphs POSTed to the store itself are created.
NEW_GRAPHS = "https://w3id.org/claimgraph/graph/posted/"


def _target() -> ox.NamedNode | ox.DefaultGraph | None:
    """The graph the request names: ``?graph=<iri>``, ``?default``, or neither (``None``, the store itself).

    :raises ParamError: if both are given, or the IRI is not absolute.
    """
    params = protocol.url_parameters()
    named = protocol.graphs(params, "graph")
    if len(named) > 1:
        raise protocol.ParamError("graph", "given more than once")
    if named and "default" in params:
        raise protocol.ParamError("graph", "give either ?graph=<iri> or ?default, not both")
    if named:
        return named[0]
    return ox.DefaultGraph() if "default" in params else None


def _exists(graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    if isinstance(graph, ox.DefaultGraph):
        return True
    return answers.executor().ask("ASK { GRAPH ?g { } }", substitutions={"g": graph})


def _location(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    if isinstance(graph, ox.DefaultGraph):
        return url_for("graphstore.graph", default="", _external=True)
    return url_for("graphstore.graph", graph=graph.value, _external=True)


@blueprint.route("/store", methods=["GET", "HEAD"])
def graph() -> Response:
    """The triples of one graph, in the RDF format negotiated; 404 if there is no such graph."""
    target = _target()
    if target is None:
        raise protocol.ParamError("graph", "name a graph with ?graph=<iri>, or ?default")
    if not _exists(target):
        raise NotFound(f"there is no graph {target}")
    override = protocol.format_override(protocol.url_parameters())
    media_type = answers.negotiated(list(formats.RDF_MEDIA_TYPES), override, "GRAPH")
    if request.method == "HEAD":
        # No body and no length: GET's length is known only once the graph is serialized, and 0 would be false.
        return Response(iter(()), mimetype=media_type)
    job = Query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=(target,), named_graphs=(), results_as=None, graph_as=media_type)
    return answers.run(job, override=override)


@blueprint.route("/store", methods=["PUT", "POST", "DELETE"])
def write() -> Response:
    """PUT replaces a graph, POST adds to it (or, to the store itself, creates a new graph), DELETE drops it.

    201 with ``Location`` when a graph is created, 204 otherwise; 404 when DELETE names no graph.
    """
    protocol.require_writer()
    target = _target()
    if request.method == "DELETE":
        if target is None:
            raise protocol.ParamError("graph", "name the graph to delete with ?graph=<iri>, or ?default")
        if not _exists(target):
            raise NotFound(f"there is no graph {target}")
        answers.executor().update("DROP DEFAULT" if isinstance(target, ox.DefaultGraph) else f"DROP GRAPH {target}")
        return Response(status=204)
    created = target is None
    if created:
        if request.method != "POST":
            raise protocol.ParamError("graph", "name the graph to replace with ?graph=<iri>, or ?default")
        target = ox.NamedNode(NEW_GRAPHS + str(uuid.uuid4()))
    else:
        created = not _exists(target)
    triples = _body_triples(target)
    quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]
    operations = []
    if request.method == "PUT":
        operations.append("DROP SILENT DEFAULT" if isinstance(target, ox.DefaultGraph) else f"DROP SILENT GRAPH {target}")
    if isinstance(target, ox.NamedNode):
        operations.append(f"CREATE SILENT GRAPH {target}")  # a graph PUT or POSTed empty still exists
    if quads:
        operations.append(insert_data(quads))
    answers.executor().update(" ;\n".join(operations))
    if created:
        return Response(status=201, headers={"Location": _location(target)})
    return Response(status=204)


def _body_triples(target: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    """The triples of the request body, parsed in the format its Content-Type names.

    :raises UnsupportedMediaType: for a missing or unknown Content-Type, or a dataset format.
    :raises SyntaxError: with the parser's position, if the body does not parse.
    :raises ValueError: if a JSON-LD body names graphs.
    """
    if request.mimetype not in _TRIPLE_FORMATS:
        given = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(f"{given} is not a graph format accepted here; send one of: {', '.join(_TRIPLE_FORMATS)}")
    base = target.value if isinstance(target, ox.NamedNode) else None
    quads = list(ox.parse(protocol.body(), _TRIPLE_FORMATS[request.mimetype], base_iri=base))
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise ValueError(f"the body puts triples in the named graph {quad.graph_name}; send one graph's triples only")
    return quads
