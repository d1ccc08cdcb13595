"""Blueprint: downloads of the data at ``/export``: whole-dataset dumps, one dump per source graph, and the claims
as CSV and as schema.org ``Claim`` items.

Every download is made in a query worker and spooled (memory up to 4 MiB, then a temporary file) before it is
sent in chunks with its length, as every answer of the worker pool is: a slow client then holds no worker and
blocks no write, and the time limit never cuts a download already begun. Only JSON-LD (of the dataset or of a
source) is built in memory by the worker, since compacting needs the whole graph; the CSV and the schema.org items
are built here, in memory, from one SELECT answer.

Each download has a weak ETag, ``W/"<nonce>.<generation>"``: the store's generation changes with every write
through this service, and the nonce, drawn when the application starts, keeps a tag of an earlier run (whose
generations started again from 0) from matching; within one run the same content keeps its tag. The tag is weak
because equal content need not be equal bytes (JSON-LD is written by rdflib in an order that may differ between
worker processes). The generation is read before the store is, so a tag never claims newer content than it labels.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import hashlib
import io
import itertools
import json
from collections.abc import Callable
from typing import BinaryIO

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import NotFound

from claimgraph.model import claims
from claimgraph.rdf import formats
from claimgraph.store.base import Answer, Head, Query, Store, spool
from claimgraph.web import answers, description, protocol

blueprint = Blueprint("export", __name__)

#: The formats of the dumps: every RDF format of the table.
DUMP_FORMATS: tuple[formats.Format, ...] = formats.of_kind(formats.GRAPHS)
#: The formats whose dumps keep the named graphs. Every other one carries the union of the graphs as triples,
#: JSON-LD too (it could hold named graphs, but one graph is what its consumers read).
QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)

#: The union of the graphs, each triple once.
_UNION = "CONSTRUCT { ?s ?p ?o } WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"

CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"

#: Where another blueprint lists downloads of its own on ``/export`` (``app.extensions[LISTINGS]``): callables, each
#: answering entries shaped as :func:`listing`'s.
LISTINGS = "claimgraph.export.listings"


@dataclasses.dataclass(frozen=True)
class _ClaimExport:
    """One of the claims' own downloads: what the list says of it, and what writes it from the gathered claims."""

    title: str
    label: str
    media_type: str
    unit: str
    description: str
    write: Callable[[list[claims.Claim]], bytes]


#: The claims' own downloads, by extension.
_CLAIM_EXPORTS = {
    "csv": _ClaimExport(
        "The claims for spreadsheets", "CSV", CSV_MEDIA_TYPE, "rows",
        f"One row per claim; several values in a cell are joined with \"{claims.SEPARATOR}\".",
        lambda gathered: _csv(claims.csv_rows(gathered)),
    ),
    "jsonld": _ClaimExport(
        "The claims as schema.org items", "JSON-LD (schema.org Claim)", "application/ld+json", "items",
        "schema.org Claim items with appearance, author, datePublished and firstAppearance, ready to be reviewed.",
        lambda gathered: json.dumps(claims.schema_org(gathered), ensure_ascii=False, indent=2).encode("utf-8"),
    ),
}


def _by_extension(extension: str, what: str) -> formats.Format:
    """:raises NotFound: (404) listing the extensions there are, if ``extension`` is none of them."""
    found = next((row for row in DUMP_FORMATS if row.format.file_extension == extension), None)
    if found is None:
        offered = ", ".join(f".{row.format.file_extension}" for row in DUMP_FORMATS)
        raise NotFound(f"there is no {what} in the format {extension!r}; there are: {offered}")
    return found


def current_etag() -> str:
    """The tag of every download now (see the module): :func:`claimgraph.web.answers.generation_tag`."""
    return answers.generation_tag()


def download(filename: str, media_type: str, etag: str, body: Callable[[], Answer]) -> Response:
    """The download ``filename``: 304 when the client holds ``etag`` already, headers alone for HEAD, else the
    answer that ``body`` makes, sent as an attachment."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        del response.headers["Content-Type"]
    elif request.method == "HEAD":
        # No length: it is known only once the download is made.
        response = Response(iter(()), content_type=media_type)
    else:
        response = answers.respond(body())
        response.content_type = media_type
    response.set_etag(etag, weak=True)
    # Stored copies are checked against the ETag before each use: the data changes with every write.
    response.cache_control.no_cache = True
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


def _spooled(media_type: str, write: Callable[[BinaryIO], None]) -> Answer:
    """The RDF that ``write`` writes, spooled, as an answer (of a CONSTRUCT: a graph no query of the client's made)."""
    body = spool()
    try:
        write(body)
    except BaseException:
        body.close()
        raise
    return Answer.spooled(Head("CONSTRUCT", media_type), body)


def _dataset(row: formats.Format) -> Answer:
    store = answers.store()
    if row.format in QUAD_FORMATS or not row.format.supports_datasets:
        return _spooled(row.media_type, lambda output: store.dump(output, row.format))
    return store.query(Query(_UNION, results_as=None, graph_as=row.media_type))


@blueprint.route("/export/dataset.<extension>")
def dataset(extension: str) -> Response:
    """The whole dataset in the format of ``extension``: the named graphs in N-Quads and TriG, their union as
    triples in the other formats.

    :raises NotFound: (404) listing the extensions there are.
    :raises QueryTimeout, Busy, StoreError: (503) if the store cannot be dumped within the time limit.
    """
    row = _by_extension(extension, "dump of the dataset")
    etag = current_etag()
    return download(f"claimgraph-dataset.{extension}", row.media_type, etag, lambda: _dataset(row))


def source_graphs(store: Store) -> dict[str, ox.NamedNode]:
    """The graphs of the sources (those holding claims or an archived source) by the name their dumps take: the
    last segment of the graph's IRI, and, where two graphs share one, a hash of the IRI after it."""
    graphs = [row["graph"] for row in store.select(claims.SOURCE_GRAPHS)]
    names = [_last_segment(graph.value) for graph in graphs]
    return {
        name if names.count(name) == 1 else f"{name}-{hashlib.sha256(graph.value.encode()).hexdigest()[:8]}": graph
        for name, graph in zip(names, graphs)
    }


def _last_segment(iri: str) -> str:
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1] or "graph"


def _graph(graph: ox.NamedNode, media_type: str) -> Answer:
    return answers.store().query(
        Query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=(graph,), named_graphs=(), results_as=None, graph_as=media_type)
    )


def _source(graph: ox.NamedNode, row: formats.Format) -> Answer:
    """The triples of ``graph``; in N-Quads and TriG as that named graph."""
    store = answers.store()
    if row.format not in QUAD_FORMATS:
        return _graph(graph, row.media_type)
    triples = spool()
    with triples:
        for chunk in _graph(graph, ox.RdfFormat.N_TRIPLES.media_type).chunks:
            triples.write(chunk)
        triples.seek(0)
        quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(triples, ox.RdfFormat.N_TRIPLES))
        return _spooled(row.media_type, lambda output: ox.serialize(quads, output, row.format, prefixes=dict(store.prefixes)))


@blueprint.route("/export/sources/<filename>")
def source(filename: str) -> Response:
    """The named graph of one source (its claims, evidence and description) as ``<name>.<extension>``.

    :raises NotFound: (404) if there is no such source (listing the sources) or no such format (listing the formats).
    """
    name, _, extension = filename.rpartition(".")
    etag = current_etag()
    graphs = source_graphs(answers.store())
    if name not in graphs:
        raise NotFound(f"there is no source {name or filename!r}; there are: {', '.join(graphs) or 'none'}")
    row = _by_extension(extension, f"dump of the source {name!r}")
    return download(f"claimgraph-{name}.{extension}", row.media_type, etag, lambda: _source(graphs[name], row))


#: What a spreadsheet reads as the start of a formula in a cell: such a cell is given with a ``'`` before it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv(rows: list[dict[str, str]]) -> bytes:
    """RFC 4180: a header row, CRLF line ends, fields quoted where they need it, UTF-8. A cell that a spreadsheet
    would run as a formula (it starts with one of :data:`FORMULA_START`: text written through ``/update`` may) starts
    with ``'`` instead, which spreadsheets read as "text follows" and do not show (OWASP's advice on CSV injection)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=claims.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({name: "'" + value if value.startswith(FORMULA_START) else value for name, value in row.items()}
                     for row in rows)
    return text.getvalue().encode("utf-8")


@blueprint.route("/export/claims.<extension>")
def claim_export(extension: str) -> Response:
    """Every claim: as CSV (``.csv``, one row per claim) or as schema.org ``Claim`` items (``.jsonld``).

    :raises NotFound: (404) listing the extensions there are.
    """
    if extension not in _CLAIM_EXPORTS:
        raise NotFound(f"there is no claims export in the format {extension!r}; there are: "
                       + ", ".join(f".{name}" for name in _CLAIM_EXPORTS))
    export = _CLAIM_EXPORTS[extension]
    etag = current_etag()

    def body() -> Answer:
        data = export.write(claims.gather(answers.store().select(claims.FACTS)))
        return Answer("SELECT", export.media_type, False, None, iter((data,)), len(data))

    return download(f"claimgraph-claims.{extension}", export.media_type, etag, body)


@functools.lru_cache(maxsize=4)
def _sizes(store: Store, generation: int) -> dict[str, int]:
    return {name: int(store.select(sparql)[0]["n"].value) for name, sparql in (("triples", _TRIPLES), ("claims", claims.COUNT))}


def listing() -> list[dict[str, object]]:
    """Every export: name, title, format, media type, size (triples, quads, rows or items), absolute URL, description."""
    store = answers.store()
    counts = description.graph_counts(store)
    sizes = _sizes(store, store.generation)
    quads = sum(count["triples"] for count in counts)
    found = []
    for row in DUMP_FORMATS:
        in_quads = row.format in QUAD_FORMATS
        found.append({
            "name": f"dataset.{row.format.file_extension}", "format": row.label,
            "title": "The whole dataset with its named graphs" if in_quads else "The whole dataset as one graph",
            "media_type": row.media_type, "size": quads if in_quads else sizes["triples"], "unit": "quads" if in_quads else "triples",
            "url": protocol.external("export.dataset", extension=row.format.file_extension),
            "description": "Every named graph, as the store keeps it." if in_quads else "The union of the graphs, each triple once.",
        })
    per_graph = {count["graph"]: count["triples"] for count in counts}
    for name, graph in source_graphs(store).items():
        for row in DUMP_FORMATS:
            found.append({
                "name": f"sources/{name}.{row.format.file_extension}", "title": f"The source {name}", "format": row.label,
                "media_type": row.media_type, "size": per_graph.get(graph.value, 0), "unit": "triples",
                "url": protocol.external("export.source", filename=f"{name}.{row.format.file_extension}"),
                "description": f"The graph <{graph.value}>: the source, its claims and their evidence.",
            })
    for extension, export in _CLAIM_EXPORTS.items():
        found.append({
            "name": f"claims.{extension}", "title": export.title, "format": export.label, "media_type": export.media_type,
            "size": sizes["claims"], "unit": export.unit, "url": protocol.external("export.claim_export", extension=extension),
            "description": export.description,
        })
    for more in current_app.extensions.get(LISTINGS, ()):
        found.extend(more())
    return found


@blueprint.route("/export")
def index() -> Response:
    """Every export with its format, media type, size and link: a page for browsers, JSON otherwise.

    :raises NotAcceptable: (406) if the client accepts neither.
    """
    media_type = answers.negotiated([formats.HTML, formats.JSON], protocol.format_override(protocol.url_parameters()), "list")
    found = listing()
    if media_type == formats.HTML:
        # Downloads of the same data in several formats are listed together, in the order of the list.
        groups = [(key, list(downloads)) for key, downloads in itertools.groupby(found, lambda e: (e["title"], e["description"]))]
        page = render_template("export.html", groups=groups, columns=claims.COLUMNS, separator=claims.SEPARATOR)
        return Response(page, mimetype=formats.HTML)
    return current_app.json.response({"exports": found, "csv_columns": list(claims.COLUMNS), "csv_separator": claims.SEPARATOR})

