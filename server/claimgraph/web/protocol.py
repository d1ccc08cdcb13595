"""Reading SPARQL 1.1 Protocol requests: parameters from the URL and the body, strictly UTF-8, and who may write.

Every endpoint reads its parameters here, so that duplicate parameters, bad encodings, wrong
media types and bad graph IRIs get the same answer everywhere.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable
from urllib.parse import parse_qsl

import pyoxigraph as ox
from flask import Response, current_app, request
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
DISCARD_SECONDS = 30.0
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
    """Read and drop what is left of the request body, within :data:`DISCARD_BYTES` and :data:`DISCARD_SECONDS`
    (run after every request, errors included), and return ``response`` unchanged.

    A body already read to its end costs nothing here. Reads go to the server's input stream itself, past
    werkzeug's size limit, which refuses to read an oversized body at all. Past either bound the answer is
    sent all the same, and the server may close the connection before the client reads it.
    """
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return response
    left, deadline = DISCARD_BYTES, time.monotonic() + DISCARD_SECONDS
    while left > 0 and time.monotonic() < deadline:
        chunk = stream.read(min(_DISCARD_CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
    return response


def unsupported(problem: str, accepted: Iterable[str]) -> UnsupportedMediaType:
    """The 415 for a body of a type not taken here: ``problem``, and the media types that are; the one such message."""
    return UnsupportedMediaType(f"{problem}; send one of: {', '.join(accepted)}")


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
    """The request body, whole.

    :raises RequestEntityTooLarge: (413) past the size limit, also for a chunked body, which
        werkzeug would otherwise cut at the limit without a word.
    """
    refuse_declared_too_large()
    data = request.get_data()
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
    found = []
    for value in params.getlist(name):
        try:
            found.append(ox.NamedNode(value))
        except ValueError as error:
            raise ParamError(name, f"{value!r} is not an absolute IRI ({error})") from error
    return tuple(found)


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

