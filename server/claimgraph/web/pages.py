"""Blueprint: the home page, the VoID description and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for

from claimgraph.rdf import formats
from claimgraph.web import answers, description, protocol
from claimgraph.web.services import services

blueprint = Blueprint("pages", __name__)


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
    names, else by content negotiation.

    :raises ParamError: (400, naming ``format``) if ``format=`` names no RDF format.
    """
    override = protocol.format_override(protocol.url_parameters())
    triples = description.void(
        answers.store(),
        dataset_iri=protocol.external("pages.void"),
        endpoint=protocol.external("sparql.query"),
        title="claimgraph: claims made in the news, traced to the words of their sources",
        dumps=[protocol.external("export.dataset", extension=row.format.file_extension) for row in formats.of_kind(formats.GRAPHS)],
    )
    return answers.triples_response(triples, override=override)


@blueprint.route("/healthz")
def health() -> Response:
    """200 and ``ok`` when a query worker answers a query over the store; 503 otherwise."""
    answers.store().ask("ASK { }")
    return Response("ok\n", mimetype="text/plain")
