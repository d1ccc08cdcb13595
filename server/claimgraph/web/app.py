"""The web service: ``create_app`` builds it from settings; nothing happens at import time.

claimgraph's errors (:mod:`claimgraph.errors`) and pyoxigraph's ``SyntaxError`` become HTTP statuses here and only
here (:data:`STATUS`); any other exception is a bug, answered 500. Every 5xx is logged with its cause. One JSON shape
(RFC 9457 problem details) for API clients, a readable page for browsers, never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import werkzeug.exceptions
import werkzeug.http
from flask import Flask, Response, current_app, render_template, request
from flask_cors import CORS
from gunicorn.http.errors import ParseException
from werkzeug.middleware.proxy_fix import ProxyFix

from claimgraph.config import Config
from claimgraph.errors import (
    Busy,
    EvaluationError,
    NotAcceptable,
    QueryError,
    QueryTimeout,
    RemoteAccessError,
    RequestError,
    ReviewError,
    StoreError,
)
from claimgraph.model import catalog, dataset
from claimgraph.model.text import normal_text
from claimgraph.rdf import formats
from claimgraph.store.cache import CachingStore
from claimgraph.store.executor import Executor
from claimgraph.search.fts import FullTextIndex
from claimgraph.web import headers, services


def create_app(config: Config | Mapping[str, object] | None = None) -> Flask:
    """The claimgraph web service over the store ``config`` names, with its query worker processes started and ready.

    :raises ValueError: if ``config`` is a mapping with an unknown setting or a bad value (the message names it).
    :raises CatalogError: if a canned query is malformed.
    :raises DataError: if the JSON-LD context cannot be read.
    :raises StoreError: if the store cannot be created or another process holds it (logged); no worker is left.
    The full-text index is built in the background from then on (the first search waits for it).
    """
    if not isinstance(config, Config):
        config = Config.load(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    canned = catalog.load(config.queries_dir)
    try:
        store = Executor(
            config.store,
            workers=config.workers,
            max_workers=config.max_workers,
            timeout=config.query_timeout,
            prefixes=dataset.prefixes(config.ontology_dir),
            context=dataset.context(config.ontology_dir),
        )
    except StoreError as error:
        app.logger.error("the store cannot be used: %s", error)
        raise
    try:
        # Keyed by the review matcher's normalised text, so that POST /reviews looks its claims up by text.
        index = FullTextIndex(store, text_key=normal_text)
    except BaseException:
        store.close()
        raise
    # Every reader of services().store goes through the cache; the index reads the store once per generation itself.
    cached = CachingStore(store, max_bytes=config.cache_bytes)
    services.install(app, services.Services(config=config, catalog=canned, store=cached, search=index))
    if config.cors_origins:
        # flask-cors answers preflights and adds its headers after every request, error answers included.
        CORS(
            app,
            origins=list(config.cors_origins),
            allow_headers=list(config.cors_headers),
            expose_headers=["Location", "X-SPARQL-MaxRows"],
        )

    from claimgraph.web import (
        claimreview, export, graphstore, metrics, pages, protocol, queries, resources, reviews, search, site, sparql,
    )

    app.before_request(protocol.refuse_long_url)
    app.after_request(protocol.discard_body)

    for blueprint in (pages.blueprint, sparql.blueprint, graphstore.blueprint, queries.blueprint, resources.blueprint,
                      export.blueprint, search.blueprint, reviews.blueprint, claimreview.blueprint, metrics.blueprint):
        app.register_blueprint(blueprint)
    site.install(app)
    app.register_error_handler(Exception, _error_response)
    app.after_request(_vary_on_origin if config.cors_origins else _vary)
    app.after_request(headers.security)
    if config.proxy_hops:
        # The proxies' X-Forwarded-* headers become the request's scheme, host, port, client and root path, so that
        # url_for, protocol.external and iris give the public URL; without the setting a client could forge them.
        hops = config.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    return app


#: claimgraph's errors and the HTTP status each becomes; the first that fits wins. Any other exception is a bug: 500.
STATUS: dict[type[Exception], int] = {
    RemoteAccessError: 403,
    RequestError: 400,
    ReviewError: 400,
    SyntaxError: 400,
    EvaluationError: 400,
    NotAcceptable: 406,
    QueryTimeout: 503,
    Busy: 503,
    StoreError: 503,
    QueryError: 500,
    # gunicorn's word for a malformed request body (a bad chunk): the client's fault, and the connection is closed.
    ParseException: 400,
}


def status_of(error: Exception) -> int:
    """The HTTP status ``error`` is answered with."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)


def _error_response(error: Exception) -> Response:
    """Any error as a problem document (JSON) or page (HTML), by what the client accepts; every 5xx is logged."""
    if isinstance(error, werkzeug.exceptions.HTTPException):
        status, detail = error.code or 500, error.description
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
    else:
        status, headers = status_of(error), {}
        if status == 500 and not isinstance(error, QueryError):
            detail = "internal error; it has been logged"
        else:
            detail = _detail(error)
    if status >= 500:
        current_app.logger.error("%s %s answered %d: %s", request.method, request.path, status, detail, exc_info=error)
    title = werkzeug.http.HTTP_STATUS_CODES.get(status, "Error")
    problem = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if getattr(error, "param", None):
        problem["parameter"] = error.param
    if getattr(error, "problems", None):
        problem["problems"] = error.problems
    if formats.negotiate(request.accept_mimetypes, [formats.PROBLEM_JSON, formats.JSON, formats.HTML]) == formats.HTML:
        return Response(render_template("error.html", problem=problem), status, headers, mimetype=formats.HTML)
    return Response(json.dumps(problem, ensure_ascii=False), status, headers, mimetype=formats.PROBLEM_JSON)


def _detail(error: Exception) -> str:
    if isinstance(error, SyntaxError):
        return f"syntax error: {error.msg}"
    if isinstance(error, QueryTimeout):
        return ("the request ran past the time limit and was stopped (an update stopped so is not applied); "
                "narrow it (LIMIT, more specific patterns) or ask the operator")
    if isinstance(error, NotAcceptable):
        if error.reason is not None:
            return error.reason
        return f"none of the media types in the Accept header can represent {error.answer}"
    if isinstance(error, EvaluationError):
        return f"the store refused the request: {error}"
    return str(error)


def _vary(response: Response) -> Response:
    response.vary.add("Accept")
    return response


def _vary_on_origin(response: Response) -> Response:
    """Also ``Vary: Origin``: CORS headers depend on it (flask-cors says so only for several origins)."""
    response.vary.add("Origin")
    return _vary(response)
