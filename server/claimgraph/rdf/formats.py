"""The formats claimgraph reads and writes: one table, a row per format, and :func:`negotiate`.

Every other module asks here instead of naming formats itself: the service's content negotiation,
the ``format=`` parameter and URL suffixes, the CLI's ``--format``, the service description's
W3C format IRIs, the OpenAPI document and the HTML forms all read :data:`TABLE`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import dump_options_header, parse_options_header

W3C = "http://www.w3.org/ns/formats/"

#: The parameter (``format=``) that picks an answer's format over Accept; no canned query may have a parameter of this name.
PARAMETER = "format"


@dataclasses.dataclass(frozen=True)
class Format:
    """One representation the service reads or writes."""

    #: the format's name for people.
    label: str
    #: what pyoxigraph reads and writes it as; ``None`` for documents that are not RDF (HTML, JSON).
    format: ox.RdfFormat | ox.QueryResultsFormat | None
    #: the media types it is read and written as, the preferred first (the one a short name answers with).
    media_types: tuple[str, ...]
    #: the short names of ``format=``, URL suffixes and ``--format``, the usual one first.
    names: tuple[str, ...]
    #: its W3C format IRI (``http://www.w3.org/ns/formats/...``), for the service description.
    iri: str | None = None
    #: generic media types a client may ask for and get this format in, as clients that send them expect
    #: (``application/json`` for JSON-LD, ``text/plain`` for N-Triples); never read as this format, since
    #: they name no RDF syntax.
    answers_for: tuple[str, ...] = ()

    @property
    def media_type(self) -> str:
        """The preferred media type."""
        return self.media_types[0]

    @property
    def name(self) -> str:
        """The usual short name."""
        return self.names[0]


HTML = "text/html"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"

#: Every format, SPARQL results first, then RDF; within each, the service's default first.
#: The order is the order of preference when a client accepts several equally (``*/*``, ``text/*``).
TABLE: tuple[Format, ...] = (
    Format("SPARQL JSON", ox.QueryResultsFormat.JSON, ("application/sparql-results+json",), ("json", "srj"),
           W3C + "SPARQL_Results_JSON", answers_for=(JSON,)),
    Format("SPARQL XML", ox.QueryResultsFormat.XML, ("application/sparql-results+xml",), ("xml", "srx"),
           W3C + "SPARQL_Results_XML", answers_for=("application/xml",)),
    Format("CSV", ox.QueryResultsFormat.CSV, ("text/csv",), ("csv",), W3C + "SPARQL_Results_CSV"),
    Format("TSV", ox.QueryResultsFormat.TSV, ("text/tab-separated-values",), ("tsv",), W3C + "SPARQL_Results_TSV"),
    Format("Turtle", ox.RdfFormat.TURTLE, ("text/turtle",), ("turtle", "ttl"), W3C + "Turtle"),
    Format("N-Triples", ox.RdfFormat.N_TRIPLES, ("application/n-triples",), ("ntriples", "nt"), W3C + "N-Triples",
           answers_for=("text/plain",)),
    Format("JSON-LD", ox.RdfFormat.JSON_LD, ("application/ld+json",), ("jsonld", "json-ld", "json"), W3C + "JSON-LD",
           answers_for=(JSON,)),
    Format("RDF/XML", ox.RdfFormat.RDF_XML, ("application/rdf+xml",), ("rdfxml", "rdf", "rdf+xml", "xml"), W3C + "RDF_XML"),
    Format("N-Quads", ox.RdfFormat.N_QUADS, ("application/n-quads",), ("nquads", "nq"), W3C + "N-Quads"),
    Format("TriG", ox.RdfFormat.TRIG, ("application/trig",), ("trig",), W3C + "TriG"),
    Format("HTML", None, (HTML,), ("html",)),
    Format("JSON", None, (JSON,), ("json",)),
)

RESULTS = ox.QueryResultsFormat
GRAPHS = ox.RdfFormat


def of_kind(kind: type) -> tuple[Format, ...]:
    """The rows whose format is a ``kind`` (:data:`RESULTS` or :data:`GRAPHS`), in table order."""
    return tuple(row for row in TABLE if isinstance(row.format, kind))


def _answered(kind: type) -> dict[str, ox.RdfFormat | ox.QueryResultsFormat]:
    """Media type → format for answers of ``kind``: every preferred type first, so that wildcards choose one."""
    rows = of_kind(kind)
    found = {row.media_type: row.format for row in rows}
    for row in rows:
        for media_type in (*row.media_types[1:], *row.answers_for):
            found.setdefault(media_type, row.format)
    return found


#: Media types of SPARQL results (SELECT, ASK) the service answers in, the default first.
RESULT_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = _answered(RESULTS)

#: Media types of RDF graphs (CONSTRUCT, DESCRIBE, graph downloads) the service answers in, the default first.
RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = _answered(GRAPHS)

#: Media types the service reads RDF in: the formats' own, none of the generic types of ``answers_for``.
RDF_INPUT_TYPES: dict[str, ox.RdfFormat] = {media_type: row.format for row in of_kind(GRAPHS) for media_type in row.media_types}

#: Short name → the preferred media types of the formats so named, tried in table order against what is offered.
SHORT_NAMES: dict[str, tuple[str, ...]] = {
    name: tuple(row.media_type for row in TABLE if name in row.names) for name in dict.fromkeys(n for row in TABLE for n in row.names)
}

#: The W3C IRIs of the formats the service answers in.
W3C_IRIS: tuple[str, ...] = tuple(row.iri for row in TABLE if row.iri is not None)

#: Query form → the kind of format its answer takes.
_FORM_KINDS = {"SELECT": RESULTS, "ASK": RESULTS, "CONSTRUCT": GRAPHS, "DESCRIBE": GRAPHS}

#: The query forms whose answers are RDF graphs; the others (SELECT, ASK) answer in a SPARQL results format.
GRAPH_FORMS: frozenset[str] = frozenset(form for form, kind in _FORM_KINDS.items() if kind is GRAPHS)


def for_form(form: str) -> tuple[Format, ...]:
    """The formats an answer to a query of ``form`` takes: SPARQL results for ``SELECT`` and ``ASK``, RDF graphs for
    ``CONSTRUCT`` and ``DESCRIBE``.

    :raises KeyError: if ``form`` is none of the four.
    """
    return of_kind(_FORM_KINDS[form])


def _answers(form: str) -> dict[str, ox.RdfFormat | ox.QueryResultsFormat]:
    return RESULT_MEDIA_TYPES if _FORM_KINDS[form] is RESULTS else RDF_MEDIA_TYPES


def offers(form: str) -> list[str]:
    """The media types an answer to a query of ``form`` is offered in, the default first."""
    return list(_answers(form))


def names(offered: Iterable[str]) -> list[str]:
    """The short names that choose one of the media types ``offered``, sorted."""
    offered = set(offered)
    return sorted(name for name, media_types in SHORT_NAMES.items() if offered.intersection(media_types))


def use_one_of(problem: str, offered: Iterable[str]) -> str:
    """``problem``, and the short names there are for ``offered``: the one message for a format not to be had."""
    return f"{problem}; use one of: {', '.join(names(offered))}"


def known(name: str) -> bool:
    """Whether ``name`` is a short name of :data:`SHORT_NAMES` or a media type the service reads or answers in."""
    name = name.lower()
    return name in SHORT_NAMES or any(name in (*row.media_types, *row.answers_for) for row in TABLE)


def _chosen(name: str, offered: Sequence[str]) -> str | None:
    """The media type of ``offered`` that ``name``, a short name or a media type, chooses; ``None`` if none."""
    return next((media_type for media_type in SHORT_NAMES.get(name.lower(), (name.lower(),)) if media_type in offered), None)


def _named(form: str, what: str, name: str) -> ox.RdfFormat | ox.QueryResultsFormat:
    offered = offers(form)
    media_type = _chosen(name, offered)
    if media_type is None:
        raise ValueError(use_one_of(f"unknown {what} {name!r}", offered))
    return _answers(form)[media_type]


def rdf_format(name: str) -> ox.RdfFormat:
    """The RDF format that ``name`` (a short name or a media type, as ``format=`` takes them) stands for.

    :raises ValueError: naming the formats there are, if ``name`` is none of them.
    """
    return _named("CONSTRUCT", "RDF format", name)


def result_format(name: str) -> ox.QueryResultsFormat:
    """The SPARQL results format that ``name`` (a short name or a media type, as ``format=`` takes them) stands for.

    :raises ValueError: naming the formats there are, if ``name`` is none of them.
    """
    return _named("SELECT", "results format", name)


def _without_utf8(accept: MIMEAccept) -> MIMEAccept:
    """``accept`` with ``charset=utf-8`` dropped from its media ranges: every text the service sends is UTF-8."""
    ranges = []
    for value, quality in accept:
        media_type, options = parse_options_header(value)
        if options.get("charset", "").lower() in ("utf-8", "utf8"):
            del options["charset"]
        ranges.append((dump_options_header(media_type, options), quality))
    return MIMEAccept(ranges)


def negotiate(accept: MIMEAccept, offers: Sequence[str], override: str | None = None) -> str | None:
    """The media type to answer with: the one ``override`` names, else the best of ``offers`` for ``accept``.

    ``override`` is the value of a ``format=`` parameter or a URL suffix: a short name from
    :data:`SHORT_NAMES`, which chooses the preferred media type of a format so named, or a media type.
    With no Accept header the first offer is chosen; wildcards, q-values and specificity are weighed
    by werkzeug's :class:`MIMEAccept`; ``charset=utf-8`` in a range is ignored (every answer is UTF-8),
    other parameters must match.

    :returns: ``None`` when the client accepts none of ``offers`` (answer 406).
    :raises ValueError: if ``override`` names no format among ``offers``; the message lists the ones there are.
    """
    if override is not None:
        chosen = _chosen(override, offers)
        if chosen is not None:
            return chosen
        raise ValueError(use_one_of(f"unknown or unsuitable format {override!r} here", offers))
    if not accept.provided:
        return offers[0]
    return _without_utf8(accept).best_match(offers)
