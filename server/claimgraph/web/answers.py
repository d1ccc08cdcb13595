"""From an HTTP request to a running query and back: the formats a client wants, and the answer sent back.

Shared by every endpoint that answers with query results (the SPARQL endpoint, canned queries,
graph downloads), so that negotiation, the row cap and the truncation notice behave the same everywhere.

A query answered to a GET (or HEAD) has a weak ETag, ``W/"<nonce>.<generation>.<job>"``: :func:`generation_tag`
(the one the exports use too) and a hash of the job (:func:`~claimgraph.store.cache.job_key`: the query, its
bindings, the dataset, the media types negotiated, the row cap), so the same query asked in another format has
another tag. A client that sends it back in ``If-None-Match`` gets 304 and no body, without the query being run,
until the next write. Queries whose answer changes from run to run (``NOW()``, ``RAND()``, ``SERVICE``; see
:func:`~claimgraph.store.cache.cacheable`) have no tag.
"""

from __future__ import annotations

import io
import secrets

import pyoxigraph as ox
from flask import Response, current_app, request

from claimgraph.errors import NotAcceptable, ParamError
from claimgraph.rdf import formats, jsonld
from claimgraph.store.base import Answer, Query, Store
from claimgraph.store.cache import cacheable, job_key
from claimgraph.web.services import services

#: The header that states a cut answer and the cap that cut it (as Virtuoso does).
TRUNCATED_HEADER = "X-SPARQL-MaxRows"


#: Where the application keeps the nonce of this run (``app.extensions``).
_NONCE = "claimgraph.nonce"


def store() -> Store:
    """The application's store (the worker pool that :func:`~claimgraph.web.app.create_app` started, behind its cache)."""
    return services().store


def generation_tag() -> str:
    """``<nonce>.<generation>``: what the data is now. The store's generation changes with every write through this
    service; the nonce, drawn once per application, keeps a tag of an earlier run (whose generations started again
    from 0) from matching. Read it before the store, so that a tag never claims newer content than it labels."""
    nonce = current_app.extensions.setdefault(_NONCE, secrets.token_hex(8))
    return f"{nonce}.{store().generation}"


def wanted(override: str | None) -> dict[str, str | None]:
    """The media types to answer in, per query form, from ``override`` (``format=`` or suffix) or the Accept header.

    :raises ParamError: if ``override`` names no format of either form.
    """
    choice = {}
    for key, offers in (("results_as", list(formats.RESULT_MEDIA_TYPES)), ("graph_as", list(formats.RDF_MEDIA_TYPES))):
        try:
            choice[key] = formats.negotiate(request.accept_mimetypes, offers, override)
        except ValueError:
            choice[key] = None
    if override is not None and not any(choice.values()):
        raise ParamError("format", formats.use_one_of(f"unknown format {override!r}", [*formats.RESULT_MEDIA_TYPES, *formats.RDF_MEDIA_TYPES]))
    return choice


def prefers_html() -> bool:
    """Whether the client (a browser) asks for HTML over every results and RDF format."""
    offers = [*formats.RESULT_MEDIA_TYPES, *formats.RDF_MEDIA_TYPES, formats.HTML]
    return request.accept_mimetypes.provided and formats.negotiate(request.accept_mimetypes, offers) == formats.HTML


def run(job: Query, *, override: str | None = None) -> Response:
    """Run ``job`` and send its answer.

    :raises ParamError: if ``override`` was given and does not fit the query's form, or cannot represent this answer.
    :raises NotAcceptable: if the Accept header allows no representation of the answer, or the format it chose
        cannot represent this answer (JSON-LD and RDF 1.2 triple terms) (406).
    :raises SyntaxError, EvaluationError, QueryTimeout, Busy, StoreError, QueryError: as :meth:`Store.query` does.
    """
    etag = f"{generation_tag()}.{job_key(job)}" if request.method in ("GET", "HEAD") and cacheable(job) else None
    # "*" would match any answer, even an error's: only a tag this service gave is answered 304 without running the query.
    if etag is not None and not request.if_none_match.star_tag and request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        del response.headers["Content-Type"]
    else:
        try:
            answer = store().query(job)
        except NotAcceptable as error:
            if override is not None:
                raise ParamError("format", error.reason or f"{override!r} cannot represent {error.answer}") from error
            raise
        response = respond(answer)
    if etag is not None:
        response.set_etag(etag, weak=True)
        # Stored copies are checked against the ETag before each use: the data changes with every write.
        response.cache_control.no_cache = True
    return response


def respond(answer: Answer) -> Response:
    """A response sending ``answer``'s complete, spooled body in chunks, with its length."""
    headers = {TRUNCATED_HEADER: str(answer.count)} if answer.truncated else {}
    headers["Content-Length"] = str(answer.length)
    return Response(answer.chunks, headers=headers, mimetype=answer.media_type)


def negotiated(offers: list[str], override: str | None, form: str | None) -> str:
    """The media type of ``offers`` to answer in, for ``override`` or the Accept header.

    :param form: the query form answered, or ``None`` for an RDF graph no query of the client's made.
    :raises ParamError: if ``override`` names none of ``offers``.
    :raises NotAcceptable: (406, naming what is answered) if the client accepts none of them.
    """
    try:
        media_type = formats.negotiate(request.accept_mimetypes, offers, override)
    except ValueError as error:
        raise ParamError("format", str(error)) from error
    if media_type is None:
        raise NotAcceptable(form)
    return media_type


def triples_response(triples: list, *, html: str | None = None, override: str | None = None) -> Response:
    """``triples`` in the RDF format the client prefers; browsers get ``html`` instead when it is given.

    :raises ParamError: if ``override`` names no RDF format.
    """
    media_type = negotiated([*formats.RDF_MEDIA_TYPES, *([formats.HTML] if html is not None else [])], override, None)
    if media_type == formats.HTML:
        return Response(html, mimetype=formats.HTML)
    body = io.BytesIO()
    writer = store()
    jsonld.write(triples, body, ox.RdfFormat.from_media_type(media_type), prefixes=writer.prefixes, context=writer.context)
    return Response(body.getvalue(), mimetype=media_type)
