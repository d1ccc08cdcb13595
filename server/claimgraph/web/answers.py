"""From an HTTP request to a running query and back: the formats a client wants, and the answer sent back.

Shared by every endpoint that answers with query results (the SPARQL endpoint, canned queries,
graph downloads), so that negotiation, the row cap and the truncation notice behave the same everywhere.
"""

from __future__ import annotations

import io

import pyoxigraph as ox
from flask import Response, request

from claimgraph.errors import NotAcceptable, ParamError
from claimgraph.rdf import formats, jsonld
from claimgraph.store.base import Answer, Query, Store
from claimgraph.web.services import services

#: The header that states a cut answer and the cap that cut it (as Virtuoso does).
TRUNCATED_HEADER = "X-SPARQL-MaxRows"


def store() -> Store:
    """The application's store (the worker pool that :func:`~claimgraph.web.app.create_app` started)."""
    return services().store


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
    try:
        answer = store().query(job)
    except NotAcceptable as error:
        if override is not None:
            raise ParamError("format", error.reason or f"{override!r} cannot represent {error.answer}") from error
        raise
    return respond(answer)


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
