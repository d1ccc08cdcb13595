"""The web service: ``create_app`` builds it from settings; nothing happens at import time.

Library errors become HTTP errors here and only here: one JSON shape (RFC 9457 problem details)
for API clients, a readable page for browsers, never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import werkzeug.exceptions
import werkzeug.http
from flask import Flask, Response, current_app, render_template, request
from flask_cors import CORS

from claimgraph.model import catalog, dataset
from claimgraph.rdf import formats
from claimgraph.config import Config
from claimgraph.errors import Busy, NotAcceptable, QueryError, QueryTimeout, RemoteAccessError
from claimgraph.store.executor import Executor
from claimgraph.web import services


def create_app(config: Config | Mapping[str, object] | None = None) -> Flask:
    """The claimgraph web service over the store ``config`` names, with its query worker processes started.

    :raises ValueError: if ``config`` is a mapping with an unknown setting or a bad value.
    :raises CatalogError: if a canned query is malformed.
    :raises StoreError: if the store cannot be opened.
    """
    if not isinstance(config, Config):
        config = Config.load(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    store = Executor(config.store, workers=config.workers, timeout=config.query_timeout, prefixes=dataset.prefixes(config.ontology_dir))
    services.install(app, services.Services(config=config, catalog=catalog.load(config.queries_dir), store=store))
    if config.cors_origins:
        # flask-cors answers preflights and adds its headers after every request, error answers included.
        CORS(
            app,
            origins=list(config.cors_origins),
            allow_headers=list(config.cors_headers),
            expose_headers=["Location", "X-SPARQL-MaxRows"],
        )

    from claimgraph.web import graphstore, pages, protocol, queries, sparql

    app.before_request(protocol.refuse_long_url)
    app.after_request(protocol.discard_body)

    for blueprint in (pages.blueprint, sparql.blueprint, graphstore.blueprint, queries.blueprint):
        app.register_blueprint(blueprint)
    app.register_error_handler(Exception, _error_response)
    app.after_request(_vary_on_origin if config.cors_origins else _vary)
    return app


#: Library errors and the HTTP status each becomes; the first that fits wins.
_STATUS: dict[type[Exception], int] = {
    RemoteAccessError: 403,
    SyntaxError: 400,
    ValueError: 400,
    NotAcceptable: 406,
    QueryError: 500,
    Busy: 503,
    QueryTimeout: 503,
}


def _error_response(error: Exception) -> Response:
    """Any error as a problem document (JSON) or page (HTML), by what the client accepts."""
    if isinstance(error, werkzeug.exceptions.HTTPException):
        status, detail = error.code or 500, error.description
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
    else:
        status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 500)
        headers = {}
        if status == 500 and not isinstance(error, QueryError):
            current_app.logger.exception("unexpected error", exc_info=error)
            detail = "internal error; it has been logged"
        else:
            detail = _detail(error)
    title = werkzeug.http.HTTP_STATUS_CODES.get(status, "Error")
    problem = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if getattr(error, "param", None):
        problem["parameter"] = error.param
    if formats.negotiate(request.accept_mimetypes, [formats.PROBLEM_JSON, "application/json", formats.HTML]) == formats.HTML:
        return Response(render_template("error.html", problem=problem), status, headers, mimetype=formats.HTML)
    return Response(json.dumps(problem, ensure_ascii=False), status, headers, mimetype=formats.PROBLEM_JSON)


def _detail(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"syntax error: {error.msg}"
    if isinstance(error, QueryTimeout):
        return ("the request ran past the time limit and was stopped (an update stopped so is not applied); "
                "narrow it (LIMIT, more specific patterns) or ask the operator")
    if isinstance(error, NotAcceptable):
        return f"none of the media types in the Accept header can represent a {error.form} answer"
    return str(error)


def _vary(response: Response) -> Response:
    response.vary.add("Accept")
    return response


def _vary_on_origin(response: Response) -> Response:
    """Also ``Vary: Origin``: CORS headers depend on it (flask-cors says so only for several origins)."""
    response.vary.add("Origin")
    return _vary(response)
