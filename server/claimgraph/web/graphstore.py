"""Blueprint: the SPARQL 1.1 Graph Store HTTP Protocol at ``/store`` (``?graph=<iri>`` or ``?default``), and
the graphs the store itself creates at ``/store/<uuid>`` (direct identification: the graph's IRI is its URL).

The IRI of a graph the store creates never depends on the Host header of a later request: it is minted as
``<public_url>store/<uuid>`` when the ``public_url`` setting is given, else under the URL the creating request
was sent to (so a service behind a proxy, or with several names, must set ``public_url``). ``/store/<uuid>``
finds the graph by its uuid whatever host name it is reached by: with ``public_url`` the IRI is known; without,
it is the graph named ``http(s)://<any host>/store/<uuid>``, the one under the request's own host first.

Reads serialize the graph in a query worker (uncapped); writes become one SPARQL update each, built from
terms pyoxigraph wrote, so they are atomic like every other update.
"""

from __future__ import annotations

import urllib.parse
import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from claimgraph.errors import RequestError
from claimgraph.rdf import formats
from claimgraph.store.base import Query, insert_data
from claimgraph.store.workers import MARKER
from claimgraph.web import answers, protocol, textsearch
from claimgraph.web.services import services

blueprint = Blueprint("graphstore", __name__)

#: RDF formats a graph may be sent in, by their own media types only (not the loose ``text/plain`` or
#: ``application/json``): no dataset formats, but JSON-LD (its documents are mostly one graph).
_TRIPLE_FORMATS = {
    media: fmt for media, fmt in formats.RDF_INPUT_TYPES.items() if not fmt.supports_datasets or fmt == ox.RdfFormat.JSON_LD
}
#: The media type of a body of RDF files as parts (what an HTML form with file inputs sends; GSP §5.5).
MULTIPART = "multipart/form-data"
#: What a part of unknown type is sent as: its format is then told by its file name's extension.
_UNTYPED = ("", "application/octet-stream")


def _target(posted: uuid.UUID | None = None) -> ox.NamedNode | ox.DefaultGraph | None:
    """The graph the request names: ``?graph=<iri>``, ``?default``, a graph the store created (``posted``, from
    its URL ``/store/<uuid>``, which is its IRI), or none of them (``None``, the store itself).

    :raises ParamError: if more than one is given, or the IRI is not absolute.
    """
    params = protocol.url_parameters()
    named = protocol.graphs(params, "graph")
    if len(named) > 1:
        raise protocol.ParamError("graph", "given more than once")
    if named and "default" in params:
        raise protocol.ParamError("graph", "give either ?graph=<iri> or ?default, not both")
    if posted is not None:
        if named or "default" in params:
            raise protocol.ParamError("graph", "this URL names its own graph; give no ?graph=<iri> or ?default with it")
        return _posted(posted)
    if named:
        return named[0]
    return ox.DefaultGraph() if "default" in params else None


def _posted(posted: uuid.UUID) -> ox.NamedNode:
    """The IRI of the graph the store created at ``/store/<posted>``, whatever host the request names; the IRI to
    create it under if there is none (see the module's docstring)."""
    own = ox.NamedNode(protocol.external("graphstore.posted", posted=posted))
    if _exists(own):
        return own
    # Else by path, also when public_url is set: graphs created before it keep the host they were created under.
    path = url_for("graphstore.posted", posted=posted)
    rows = answers.store().select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRENDS(STR(?g), {ox.Literal(path)})) }} ORDER BY ?g"
    )
    found = [row["g"] for row in rows if _names_only(row["g"].value, path)]
    return found[0] if found else own


def _names_only(iri: str, path: str) -> bool:
    """Whether ``iri`` is ``http(s)://<host>`` followed by ``path`` and nothing else."""
    parts = urllib.parse.urlsplit(iri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.path == path and not parts.query and not parts.fragment


def _exists(graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    if isinstance(graph, ox.DefaultGraph):
        return True
    if graph.value.startswith(MARKER):
        return False  # the store's own record of its last write, an empty graph: no graph of anybody's
    return answers.store().ask("ASK { GRAPH ?g { } }", substitutions={"g": graph})


def _location(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    if isinstance(graph, ox.DefaultGraph):
        return protocol.external("graphstore.graph", default="")
    return protocol.external("graphstore.graph", graph=graph.value)


@blueprint.route("/store", methods=["GET", "HEAD"])
@blueprint.route("/store/<uuid:posted>", methods=["GET", "HEAD"], endpoint="posted")
def graph(posted: uuid.UUID | None = None) -> Response:
    """The triples of one graph, in the RDF format negotiated; 404 if there is no such graph."""
    target = _target(posted)
    if target is None:
        raise protocol.ParamError("graph", "name a graph with ?graph=<iri>, or ?default")
    if not _exists(target):
        raise NotFound(f"there is no graph {target}")
    override = protocol.format_override(protocol.url_parameters())
    media_type = answers.negotiated(list(formats.RDF_MEDIA_TYPES), override, None)
    if request.method == "HEAD":
        # No body and no length: GET's length is known only once the graph is serialized, and 0 would be false.
        return Response(iter(()), mimetype=media_type)
    job = Query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=(target,), named_graphs=(), results_as=None, graph_as=media_type)
    return answers.run(job, override=override)


@blueprint.route("/store", methods=["PUT", "POST", "DELETE"])
@blueprint.route("/store/<uuid:posted>", methods=["PUT", "POST", "DELETE"], endpoint="posted_write")
def write(posted: uuid.UUID | None = None) -> Response:
    """PUT replaces a graph, POST adds to it (or, to the store itself, creates a new graph), DELETE drops it.

    The body is one graph in an RDF format, or RDF files as the parts of a ``multipart/form-data`` body, all
    added in one update. 201 when a graph is created, with ``Location`` and no body (nor ``Content-Type``): for a
    graph the store itself creates that is its IRI, ``<public_url or the request's URL>store/<uuid>``, where it is
    read, replaced and dropped under any host name; 204 otherwise; 404 when DELETE names no graph.
    """
    protocol.require_writer()
    target = _target(posted)
    if request.method == "DELETE":
        if target is None:
            raise protocol.ParamError("graph", "name the graph to delete with ?graph=<iri>, or ?default")
        with textsearch.index().following():
            with services().deciding:
                if not _exists(target):
                    raise NotFound(f"there is no graph {target}")
                answers.store().update("DROP DEFAULT" if isinstance(target, ox.DefaultGraph) else f"DROP GRAPH {target}")
            _written(target)
        return protocol.no_content()
    minted = target is None
    if minted:
        if request.method != "POST":
            raise protocol.ParamError("graph", "name the graph to replace with ?graph=<iri>, or ?default")
        target = ox.NamedNode(protocol.external("graphstore.posted", posted=uuid.uuid4()))
    quads = [ox.Quad(t.subject, t.predicate, t.object, target) for t in _body_triples(target)]
    operations = []
    if request.method == "PUT":
        operations.append("DROP SILENT DEFAULT" if isinstance(target, ox.DefaultGraph) else f"DROP SILENT GRAPH {target}")
    if isinstance(target, ox.NamedNode):
        operations.append(f"CREATE SILENT GRAPH {target}")  # a graph PUT or POSTed empty still exists
    if quads:
        operations.append(insert_data(quads))
    # Whether the graph is new decides 201 or 204: no other write may create it between the look and the write.
    with textsearch.index().following():
        with services().deciding:
            created = minted or not _exists(target)
            answers.store().update(" ;\n".join(operations))
        _written(target)
    if created:
        location = target.value if minted or posted is not None else _location(target)
        response = Response(status=201, headers={"Location": location})
        del response.headers["Content-Type"]  # no body, so no type (werkzeug would send its default text/html)
        return response
    return protocol.no_content()


def _written(target: ox.NamedNode | ox.DefaultGraph) -> None:
    """Tell the full-text index the graph written, before the answer is sent; the default graph is seen by no
    query (theirs is the union of the named graphs), so it changes no row."""
    textsearch.index().written({target.value} if isinstance(target, ox.NamedNode) else set())


def _body_triples(target: ox.NamedNode | ox.DefaultGraph) -> list[ox.Quad]:
    """The triples of the request body: one graph in the format its Content-Type names, or the RDF files that
    are the parts of a multipart body, each in the format of its own Content-Type (or, when that is missing or
    ``application/octet-stream``, of its file name's extension). Relative IRIs resolve against ``target``'s IRI.

    :raises UnsupportedMediaType: for a missing or unknown Content-Type (of the body, or of a part, named), or
        a dataset format.
    :raises SyntaxError: with the parser's position, if the body does not parse.
    :raises RequestError: naming the part, if a part does not parse or is not a file; if a JSON-LD body names graphs.
    :raises RequestEntityTooLarge: past the size limit.
    """
    base = target.value if isinstance(target, ox.NamedNode) else None
    if request.mimetype != MULTIPART:
        if request.mimetype not in _TRIPLE_FORMATS:
            raise protocol.unsupported(f"{request.mimetype or 'no Content-Type'} is not a graph format accepted here", [*_TRIPLE_FORMATS, MULTIPART])
        return _graph_only(ox.parse(protocol.body(), _TRIPLE_FORMATS[request.mimetype], base_iri=base, rename_blank_nodes=True))
    protocol.body()  # read whole and checked first: the parts are then parsed from it
    if request.form:
        name = next(iter(request.form))
        raise RequestError(f"part {name!r} is not a file; send each graph as a file part")
    triples = []
    for name, part in request.files.items(multi=True):
        if not part.filename and not part.stream.read(1):
            continue  # a file input left empty: browsers send it with no file name and no content
        part.stream.seek(0)
        label = f"part {name!r} ({part.filename})" if part.filename else f"part {name!r}"
        try:
            triples.extend(_graph_only(ox.parse(part.stream.read(), _part_format(part, label), base_iri=base, rename_blank_nodes=True)))
        except SyntaxError as error:
            raise RequestError(f"{label} does not parse: {error.msg}") from error
        except RequestError as error:
            raise RequestError(f"{label}: {error}") from error
    return triples


def _part_format(part: FileStorage, label: str) -> ox.RdfFormat:
    """The RDF format of one part of a multipart body.

    :raises UnsupportedMediaType: naming the part, if its type, or its extension when it has no type, is no graph format.
    """
    if part.mimetype not in _UNTYPED:
        if part.mimetype in _TRIPLE_FORMATS:
            return _TRIPLE_FORMATS[part.mimetype]
        raise protocol.unsupported(f"{label} is {part.mimetype}, not a graph format", _TRIPLE_FORMATS)
    extension = part.filename.rpartition(".")[2] if part.filename and "." in part.filename else ""
    found = ox.RdfFormat.from_extension(extension) if extension else None
    if found is None or found not in _TRIPLE_FORMATS.values():
        raise protocol.unsupported(f"{label} has no graph format as its type ({part.mimetype or 'none'}) or file name extension", _TRIPLE_FORMATS)
    return found


def _graph_only(quads) -> list[ox.Quad]:
    """``quads`` as parsed, all in the default graph (one graph's triples).

    :raises RequestError: if any is in a named graph (JSON-LD can name graphs).
    """
    quads = list(quads)
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise RequestError(f"the body puts triples in the named graph {quad.graph_name}; send one graph's triples only")
    return quads
