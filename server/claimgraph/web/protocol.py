"""Reading SPARQL 1.1 Protocol requests: parameters from the URL and the body, strictly UTF-8, and who may write.

Every endpoint reads its parameters here, so that duplicate parameters, bad encodings, wrong
media types and bad graph IRIs get the same answer everywhere.
"""

from __future__ import annotations

import contextlib
import hmac
import socket
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Response, current_app, request, url_for
from gunicorn.http.errors import ParseException
from werkzeug.datastructures import MultiDict, WWWAuthenticate
from werkzeug.exceptions import Forbidden, RequestEntityTooLarge, RequestURITooLarge, Unauthorized, UnsupportedMediaType

from claimgraph.errors import ParamError, RequestError
from claimgraph.rdf import formats
from claimgraph.web.services import services

FORM = "application/x-www-form-urlencoded"

#: The longest request target (path and query string, as sent) answered; longer ones get a 414 problem document.
#: Below gunicorn's longest request line (8190 bytes, set in :mod:`claimgraph.web.wsgi`), so that the method and
#: the HTTP version fit beside it and the application, not gunicorn, answers.
MAX_URL_BYTES = 8000
#: How much of a request body left unread (e.g. past the size limit) is read and dropped before the answer is
#: sent, and for how long: a client that sends its whole body before reading the answer then reads it, instead of
#: a reset connection.
DISCARD_BYTES = 256 * 1024 * 1024
DISCARD_SECONDS = 5.0
_DISCARD_CHUNK = 1024 * 1024


def _decoded(raw: bytes, where: str) -> MultiDict:
    try:
        return MultiDict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"))
    except UnicodeDecodeError as error:
        raise RequestError(f"the {where} is not valid UTF-8 (byte {error.start}): percent-encode UTF-8") from error


def refuse_long_url() -> None:
    """Refuse a request whose target is longer than :data:`MAX_URL_BYTES` (run before every request).

    :raises RequestURITooLarge: (414) naming the bound, and that a query can be sent by POST instead.
    """
    # gunicorn gives the target as sent, a WSGI string of one character per byte; without it, the path as parsed.
    target = request.environ.get("RAW_URI") or request.full_path
    if len(target) > MAX_URL_BYTES:
        raise RequestURITooLarge(
            f"the URL has {len(target)} bytes; at most {MAX_URL_BYTES} are answered: send a long query or update by POST"
        )


def discard_body(response: Response) -> Response:
    """Read and drop what is left of the body of a refused request, and return ``response`` unchanged (run after
    every request).

    Most clients send their whole body before they read the answer, so a body left unread (the request was
    refused before it was read: 401, 403, 413, 415, …) would reach them as a reset connection instead of the
    answer. Bounded so that no client can hold a server thread with it: only error answers under gunicorn, only
    a body of declared length up to :data:`DISCARD_BYTES` or a chunked one cut there, and a watchdog that ends the
    reading after :data:`DISCARD_SECONDS` however slowly the client sends. A body already read costs nothing;
    a broken or malformed one ends the reading, and gunicorn then closes the connection after the answer.
    """
    sock = request.environ.get("gunicorn.socket")
    length = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if response.status_code < 400 or sock is None or not (length or chunked) or (length or 0) > DISCARD_BYTES:
        return response
    # Shutting the socket's reading side wakes a blocked read with an end of file; the answer can still be sent.
    watchdog = threading.Timer(DISCARD_SECONDS, _stop_reading, (sock,))
    watchdog.start()
    stream, left = request.environ["wsgi.input"], DISCARD_BYTES
    try:
        while left > 0 and (chunk := stream.read(min(_DISCARD_CHUNK, left))):
            left -= len(chunk)
    except (OSError, ParseException) as error:
        current_app.logger.info("the rest of a refused request body was not read: %s", error)
    finally:
        watchdog.cancel()
    return response


def _stop_reading(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the connection may be closed already
        sock.shutdown(socket.SHUT_RD)


def unsupported(problem: str, accepted: Iterable[str]) -> UnsupportedMediaType:
    """The 415 for a body of a type not taken here: ``problem``, and the media types that are; the one such message."""
    return UnsupportedMediaType(f"{problem}; send one of: {', '.join(accepted)}")


def external(endpoint: str | None = None, **values: object) -> str:
    """The absolute URL of ``endpoint`` (``url_for`` names and values), or of the request's own path: under the
    ``public_url`` setting when it is set, else under the host the request names. Everything the service writes
    into the store or publishes about itself (minted graph IRIs, base IRIs, service descriptions) is built here,
    so that with ``public_url`` set no client's Host header reaches them.
    """
    path = url_for(endpoint, **values) if endpoint is not None else request.script_root + request.path
    public = services().config.public_url
    if public is None:
        return request.host_url.rstrip("/") + path
    return public.rstrip("/") + path.removeprefix(request.script_root)


def url_parameters() -> MultiDict:
    """The parameters of the URL's query string.

    :raises RequestError: if they are not UTF-8.
    """
    return _decoded(request.query_string, "query string")


def parameters(*, body_types: tuple[str, ...] = ()) -> tuple[MultiDict, str | None]:
    """The request's parameters (URL, then a form body), and the body itself when its type is one of ``body_types``.

    :raises UnsupportedMediaType: (415) for a POST whose Content-Type is missing, not a form, not
        one of ``body_types``, or declares a charset other than UTF-8.
    :raises RequestError: if the URL or the body is not UTF-8.
    """
    params = url_parameters()
    if request.method != "POST":
        return params, None
    accepted = (FORM, *body_types)
    if request.mimetype not in accepted:
        raise unsupported(f"{request.mimetype or 'no Content-Type'} is not accepted here", accepted)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not accepted; send UTF-8")
    if request.mimetype == FORM:
        params.update(_decoded(body(), "request body"))
        return params, None
    try:
        return params, body().decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(f"the request body is not valid UTF-8 (byte {error.start})") from error


def body() -> bytes:
    """The request body, whole, and kept: form and multipart parsing read it from here afterwards.

    :raises RequestEntityTooLarge: (413) past the size limit, also for a chunked body, which
        werkzeug would otherwise cut at the limit without a word.
    :raises RequestError: if the body ended before the length its Content-Length declares (the client's
        connection broke): gunicorn hands over the part that came, and applying it would apply half an update.
    """
    refuse_declared_too_large()
    data = request.get_data(cache=True)
    if request.content_length is not None and len(data) != request.content_length:
        raise RequestError(
            f"the request body ended after {len(data)} of the {request.content_length} bytes its Content-Length "
            "declares; nothing was applied"
        )
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(data) >= limit:
        raise RequestEntityTooLarge(f"a chunked request body of {limit} bytes or more is refused; the limit is below {limit} bytes")
    return data


def refuse_declared_too_large() -> None:
    """Refuse a body whose declared length (``Content-Length``) is past the size limit, before reading any of it.

    :raises RequestEntityTooLarge: (413) giving the length and the limit.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and limit is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the request body has {request.content_length} bytes; the limit is {limit} bytes")


def format_override(params: MultiDict) -> str | None:
    """The format that ``format=`` names: the first of its values that names a known format.

    Some clients (SPARQLWrapper) send a short name and a media type together.

    :raises ParamError: if it is given and no value names a known format.
    """
    values = params.getlist("format")
    if len(values) <= 1:
        return values[0] if values else None
    for value in values:
        if formats.known(value):
            return value
    raise ParamError("format", f"none of {', '.join(map(repr, values))} names a known format")


def single(params: MultiDict, name: str, *, required: bool = False) -> str | None:
    """The one value of ``name``.

    :raises ParamError: if it is given more than once, or is required and missing.
    """
    values = params.getlist(name)
    if len(values) > 1:
        raise ParamError(name, f"given {len(values)} times; give it once")
    if required and not values:
        raise ParamError(name, "missing")
    return values[0] if values else None


def graphs(params: MultiDict, name: str) -> tuple[ox.NamedNode, ...]:
    """The IRIs given as ``name`` (e.g. ``default-graph-uri``), each checked.

    :raises ParamError: naming the parameter, for a value that is not an absolute IRI.
    """
    return tuple(named_node(value, name) for value in params.getlist(name))


def named_node(value: str, name: str) -> ox.NamedNode:
    """The IRI ``value`` that the parameter ``name`` gave.

    :raises ParamError: naming the parameter, if ``value`` is not an absolute IRI.
    """
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise ParamError(name, f"{value!r} is not an absolute IRI ({error})") from error


def no_content() -> Response:
    """A 204: no body, hence no ``Content-Type`` either (werkzeug would send its default one)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def require_writer() -> None:
    """Let the request write only with the configured bearer token (compared in constant time).

    :raises Forbidden: (403) when writes are off (no token configured) or the token is wrong.
    :raises Unauthorized: (401) when no bearer token is given.
    """
    token = services().config.update_token
    if not token:
        raise Forbidden("writes are disabled on this service: the operator has set no update token (CLAIMGRAPH_UPDATE_TOKEN)")
    given = request.authorization
    if given is None or given.type != "bearer" or not given.token:
        raise Unauthorized("writes need 'Authorization: Bearer <token>'", www_authenticate=WWWAuthenticate("bearer", {"realm": "claimgraph"}))
    if not hmac.compare_digest(given.token.encode(), token.encode()):
        raise Forbidden("the bearer token is not the update token")

