"""Blueprint: the SPARQL 1.1 Protocol — queries at ``/sparql``, updates at ``/update``, and the service description."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from claimgraph.rdf import formats, vocabulary
from claimgraph.rdf.sparqltext import add_using, refuse_remote, scan
from claimgraph.search.updates import affected_graphs, changed_nodes
from claimgraph.store.base import Query
from claimgraph.web import answers, description, editor, protocol, textsearch
from claimgraph.web.services import services

blueprint = Blueprint("sparql", __name__)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@blueprint.route("/sparql", methods=["GET", "POST"])
def query() -> Response:
    """Run a query given as ``query=`` (GET or form POST) or as an ``application/sparql-query`` body.

    Relative IRIs in it resolve against this endpoint's URL. Without a query, GET answers with the service
    description, or the query page for browsers.
    """
    params, body = protocol.parameters(body_types=(QUERY_TYPE,))
    if "update" in params:
        raise protocol.ParamError("update", "updates are sent by POST to /update, never to /sparql")
    text = protocol.single(params, "query")
    if body is not None:
        if text is not None:
            raise protocol.ParamError("query", "given both in the URL and as the request body; give it once")
        text = body
    override = protocol.format_override(params)
    if text is None:
        if request.method == "POST":
            raise protocol.ParamError("query", "missing")
        return _service_description(override)
    if override is None and answers.prefers_html():
        return _editor_response(Response(_page(text), mimetype=formats.HTML))
    # The search service is answered from the index before the store sees the query; every other SERVICE is refused.
    text = textsearch.expand(text)
    scanned = scan(text)
    scanned.refuse_remote(services().config.remote_allow)
    default_graph = protocol.graphs(params, "default-graph-uri")
    named_graphs = protocol.graphs(params, "named-graph-uri")
    dataset = default_graph or named_graphs
    job = Query(
        text,
        default_graph=default_graph if dataset else None,
        named_graphs=named_graphs if dataset else None,
        max_rows=services().config.max_rows,
        # A query's own FROM / FROM NAMED set its dataset when the protocol's parameters do not.
        union_default_graph=not scanned.sets_dataset,
        # Relative IRIs resolve against the endpoint's URL, as the SPARQL 1.1 Protocol tests expect.
        base_iri=protocol.external(),
        **answers.wanted(override),
    )
    return answers.run(job, override=override)


@blueprint.route("/prefixes")
def prefixes() -> Response:
    """The dataset's namespace prefixes as a JSON object, prefix → namespace IRI (prefix.cc's shape), for the
    editor's prefix autocompletion."""
    return jsonify(dict(services().store.prefixes))


@blueprint.route("/labels", methods=["GET", "POST"])
def labels() -> Response:
    """The labels of the IRIs given as ``iri`` (repeated; in the URL, or in a form body for many) as a JSON object
    IRI → label (see :func:`editor.labels`); an IRI without a label is left out.

    :raises ParamError: (400, naming ``iri``) for a value that is not an absolute IRI, or too many IRIs.
    :raises UnsupportedMediaType: (415) for a POST body that is not a form.
    """
    params, _ = protocol.parameters()
    return jsonify(editor.labels(protocol.named_node(value, "iri") for value in params.getlist("iri")))


@blueprint.route("/update", methods=["POST"])
def update() -> Response:
    """Apply an update given as ``update=`` (form POST) or as an ``application/sparql-update`` body; 204 when done.

    Relative IRIs in it resolve against this endpoint's URL. An update the store cannot apply (e.g. ``CREATE
    GRAPH`` of a graph that exists) is the client's: 400 with the store's message, nothing changed. The full-text
    index follows the graphs the update names (:func:`affected_graphs`) before the answer is sent.
    """
    protocol.require_writer()
    params, body = protocol.parameters(body_types=(UPDATE_TYPE,))
    if "query" in params:
        raise protocol.ParamError("query", "queries are sent to /sparql; /update takes 'update'")
    text = protocol.single(params, "update", required=body is None)
    if body is not None:
        if text is not None:
            raise protocol.ParamError("update", "given both in the URL and as the request body; give it once")
        text = body
    refuse_remote(text, services().config.remote_allow)
    using = [node.value for node in protocol.graphs(params, "using-graph-uri")]
    using_named = [node.value for node in protocol.graphs(params, "using-named-graph-uri")]
    text = add_using(text, using, using_named)
    base = protocol.external()
    with textsearch.index().following():
        answers.store().update(text, base_iri=base)
        # Before the 204: a search made after it finds the write.
        graphs = affected_graphs(text, base)
        # The rating map is read as a whole by every reviewed claim's row: a write to it is followed graph-wide.
        nodes = changed_nodes(text, base) if graphs is not None and vocabulary.RATING_MAP_GRAPH not in graphs else None
        textsearch.index().written(graphs, nodes)
    return protocol.no_content()


def _page(text: str = "") -> str:
    return render_template("sparql.html", query=text or editor.default_query(), catalog=services().catalog,
                           results=formats.for_form("SELECT"), graphs=formats.for_form("CONSTRUCT"),
                           settings=editor.settings())


def _service_description(override: str | None) -> Response:
    config = services().config
    triples = description.service(
        answers.store(),
        endpoint=protocol.external("sparql.query"),
        update_endpoint=protocol.external("sparql.update"),
        writable=bool(config.update_token),
    )
    return _editor_response(answers.triples_response(triples, html=_page() if override is None else None, override=override))


def _editor_response(response: Response) -> Response:
    """``response``, with the editor's Content-Security-Policy when it is the editor page."""
    if response.mimetype == formats.HTML:
        response.headers["Content-Security-Policy"] = editor.CONTENT_SECURITY_POLICY
    return response
