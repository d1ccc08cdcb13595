"""Blueprint: the home page, the VoID description and the health check."""

from __future__ import annotations

import dataclasses

from flask import Blueprint, Response, current_app, render_template, request, url_for

from claimgraph.rdf import formats
from claimgraph.web import answers, description, metrics, protocol, terms
from claimgraph.web.services import services

blueprint = Blueprint("pages", __name__)

_TEXT = "text/plain"


@blueprint.route("/")
def home() -> str:
    """A page linking every endpoint, with what the store holds."""
    return render_template(
        "home.html",
        counts=description.graph_counts(answers.store()),
        catalog=services().catalog,
        writable=bool(services().config.update_token),
    )


@blueprint.route("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset, with triple and entity counts per graph: in the RDF format ``format=``
    names, else by content negotiation (RDF first; a page for browsers, which prefer HTML).

    :raises ParamError: (400, naming ``format``) if ``format=`` names no RDF format nor ``html``.
    :raises NotAcceptable: (406) if the client accepts neither RDF nor HTML.
    """
    triples = description.void(
        answers.store(),
        dataset_iri=protocol.external("pages.void"),
        endpoint=protocol.external("sparql.query"),
        title="claimgraph: claims made in the news, traced to the words of their sources",
        dumps=[protocol.external("export.dataset", extension=row.format.file_extension) for row in formats.of_kind(formats.GRAPHS)],
    )
    return _described(triples, "pages.void", "VoID description",
                      "The dataset as VoID describes it: its SPARQL endpoint, and each named graph with its counts.")


@blueprint.route("/service-description")
def service_description() -> Response:
    """The SPARQL 1.1 Service Description of ``/sparql`` (also answered by ``GET /sparql`` without a query, to RDF
    clients): RDF by ``format=`` or content negotiation, or a page for browsers.

    :raises ParamError, NotAcceptable: as :func:`void`.
    """
    triples = description.service(
        answers.store(),
        endpoint=protocol.external("sparql.query"),
        update_endpoint=protocol.external("sparql.update"),
        writable=bool(services().config.update_token),
    )
    return _described(triples, "pages.service_description", "Service description",
                      "What the SPARQL endpoint offers, as the SPARQL 1.1 Service Description vocabulary states it.")


def _described(triples: list, endpoint: str, title: str, summary: str) -> Response:
    """``triples`` (a description of the service or its data) as RDF, or rendered as a page for browsers."""
    store = answers.store()

    def page() -> str:
        names = terms.labels(store, terms.linked(triples))
        table = terms.Table(triples, names, store.prefixes, link=terms.term_url)
        nodes = [(table.value(node, frozenset()), table.rows(node)) for node in terms.roots(triples)]
        return render_template("rdf_description.html", title=title, summary=summary, nodes=nodes)

    return terms.respond([*formats.RDF_MEDIA_TYPES, formats.HTML], protocol.format_override(protocol.url_parameters()),
                         lambda name: url_for(endpoint, format=name), html=page, rdf=lambda: triples)


@blueprint.route("/healthz")
def health() -> Response:
    """200 and ``ok`` when a query worker answers a query over the store (past the result cache); 503 otherwise.

    A client that prefers JSON (``Accept: application/json``) gets ``{"status": "ok", "generation": …, "cache": …,
    "search": …}`` instead, with the cache's counters and hit rate (:func:`claimgraph.web.metrics.report`) and the
    search index's state (the generation it is current at, whether it is rebuilding, its last error).
    """
    store = answers.store()
    metrics.uncached(store).ask("ASK { }")
    if formats.negotiate(request.accept_mimetypes, [_TEXT, formats.JSON]) == formats.JSON:
        index = services().search.state()
        return current_app.json.response({"status": "ok", **metrics.report(store), "search": {
            **dataclasses.asdict(index), "current": index.current}})
    return Response("ok\n", mimetype=_TEXT)
