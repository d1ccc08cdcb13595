"""Blueprint: canned queries as a typed API — ``/queries``, ``/queries/<name>[.<suffix>]``, ``/openapi.json``.

Parameters are parsed and type-checked by the catalog and bound as RDF terms through pyoxigraph's
substitutions; the query text is never edited. Answers go through the same executor, negotiation
and row cap as ``/sparql``; ``.rq`` serves a query's source.
"""

from __future__ import annotations

import importlib.metadata
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import NotFound

from claimgraph.model.catalog import CannedQuery
from claimgraph.rdf import formats
from claimgraph.store.base import Query
from claimgraph.web import answers, protocol, textsearch
from claimgraph.web.services import services

blueprint = Blueprint("queries", __name__)


def _catalog() -> dict[str, CannedQuery]:
    return services().catalog


def _canned(name: str) -> CannedQuery:
    canned = _catalog().get(name)
    if canned is None:
        raise NotFound(f"there is no canned query {name!r}; see {url_for('queries.index')}")
    return canned


def describe(canned: CannedQuery) -> dict[str, object]:
    """What the JSON list says of one query."""
    return {
        "name": canned.name,
        "summary": canned.summary,
        "description": canned.description,
        "tags": list(canned.tags),
        "form": canned.form,
        "params": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default, "values": list(p.values),
             "description": p.description}
            for p in canned.params
        ],
        "example": canned.example,
        "url": url_for("queries.show", name=canned.name, _external=True),
        "source": url_for("queries.source", name=canned.name, _external=True),
    }


@blueprint.route("/queries")
def index() -> Response:
    """The canned queries: JSON for API clients, a page for browsers."""
    media_type = answers.negotiated([formats.JSON, formats.HTML], protocol.format_override(protocol.url_parameters()), "list")
    if media_type == formats.HTML:
        return Response(render_template("queries.html", catalog=_catalog()), mimetype=formats.HTML)
    return current_app.json.response([describe(canned) for canned in _catalog().values()])


@blueprint.route("/queries/<name>.rq")
def source(name: str) -> Response:
    """The query's file, header included."""
    return Response(_canned(name).text, mimetype="application/sparql-query")


@blueprint.route("/queries/<name>")
@blueprint.route("/queries/<name>.<suffix>")
def show(name: str, suffix: str | None = None) -> Response:
    """Run the query with the parameters of the URL; the suffix or ``format=`` overrides Accept.

    :raises ParamError: (400, naming the parameter) for an unknown parameter or a bad value.
    """
    canned = _canned(name)
    params = protocol.url_parameters()
    override = suffix if suffix is not None else protocol.format_override(params)
    args = {key: protocol.single(params, key) for key in params if key != formats.PARAMETER}
    substitutions = canned.bind(args)
    if override is None and answers.prefers_html():
        return Response(_page(canned, args), mimetype=formats.HTML)
    bound = {variable.value: term for variable, term in substitutions.items()}
    job = Query(
        textsearch.expand(canned.text, bound),
        substitutions=bound,
        max_rows=services().config.max_rows,
        **answers.wanted(override),
    )
    return answers.run(job, override=override)


def _page(canned: CannedQuery, args: dict[str, str]) -> str:
    """The query's page: its form, filled with ``args``, and a link to the answer in its default format.

    The link's query string is encoded here, never passed to ``url_for`` as keywords: a parameter
    may be called ``name``, ``endpoint`` or ``_external``, which ``url_for`` takes for its own.
    """
    answered = formats.for_form(canned.form)
    alternate = f"{url_for('queries.show', name=canned.name)}?{urlencode({**args, formats.PARAMETER: answered[0].name})}"
    return render_template("query.html", canned=canned, args=args, answered=answered, alternate=alternate,
                           parameter=formats.PARAMETER)


@blueprint.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of the canned-query API."""
    problem = {"description": "a bad parameter value, named in the problem's `parameter`",
               "content": {formats.PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    paths: dict[str, object] = {
        "/queries": {"get": {
            "operationId": "listQueries", "summary": "The canned queries",
            "responses": {"200": {"description": "every canned query with its parameters",
                                  "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                                              formats.HTML: {}}}},
        }},
    }
    for canned in _catalog().values():
        offered = formats.offers(canned.form)
        parameters = [
            {"name": p.name, "in": "query", "required": p.required, "description": p.description or p.expected, "schema": p.schema}
            for p in canned.params
        ]
        parameters.append({"name": formats.PARAMETER, "in": "query", "required": False,
                           "description": "the answer's format, overriding Accept",
                           "schema": {"type": "string", "enum": formats.names(offered)}})
        operation = {
            "operationId": canned.name.replace("-", "_"),
            "summary": canned.summary,
            "description": canned.description,
            "tags": list(canned.tags),
            "parameters": parameters,
            "responses": {
                "200": {"description": f"the {canned.form} answer; cut answers carry {answers.TRUNCATED_HEADER}",
                        "content": {media_type: {} for media_type in offered}},
                "400": problem,
                "406": {"description": "no acceptable representation"},
                "503": {"description": "the query ran past the time limit"},
            },
        }
        if canned.example is not None:
            operation["x-example"] = canned.example
        paths[f"/queries/{canned.name}"] = {"get": operation}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "claimgraph canned queries", "version": importlib.metadata.version("claimgraph"),
                 "description": "Typed, documented SPARQL queries over claims made in the news; "
                                "parameter values are bound as RDF terms, never pasted into query text."},
        "servers": [{"url": request.url_root.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": {"Problem": {
            "type": "object",
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"}, "parameter": {"type": "string"}},
            "required": ["title", "status", "detail"],
        }}},
    }
    return current_app.json.response(document)
