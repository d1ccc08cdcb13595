"""The format table and ``negotiate``: Accept headers, ``format=`` overrides and short names, as tables."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from claimgraph.rdf import formats
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

RESULTS = formats.offers("SELECT")
GRAPHS = formats.offers("CONSTRUCT")
LIST = [formats.JSON, formats.HTML]

SRJ, SRX = "application/sparql-results+json", "application/sparql-results+xml"
CSV, TSV = "text/csv", "text/tab-separated-values"
TURTLE, NTRIPLES, JSONLD, RDFXML = "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"


def accept(header: str | None) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


#: Accept header, what is offered, the media type chosen (None: nothing acceptable, 406).
ACCEPTS = [
    (None, RESULTS, SRJ),
    (None, GRAPHS, TURTLE),
    ("", GRAPHS, TURTLE),
    (SRJ, RESULTS, SRJ),
    ("*/*", RESULTS, SRJ),
    ("*/*", GRAPHS, TURTLE),
    ("text/*", RESULTS, CSV),
    ("text/*", GRAPHS, TURTLE),
    ("application/*", GRAPHS, NTRIPLES),
    # q-values
    ("text/csv;q=0.5, application/sparql-results+xml", RESULTS, SRX),
    ("*/*;q=0.1, text/tab-separated-values", RESULTS, TSV),
    ("text/*, text/csv;q=0.1", RESULTS, TSV),
    ("application/*, application/sparql-results+json;q=0.2", RESULTS, SRX),
    ("application/sparql-results+json;q=0, */*", RESULTS, SRX),
    ("text/turtle;q=0, */*", GRAPHS, NTRIPLES),
    ("application/n-triples;q=0.5, application/trig", GRAPHS, "application/trig"),
    ("text/csv;q=2, text/tab-separated-values;q=0.5", RESULTS, TSV),
    # the generic types clients send: SPARQL JSON for results, JSON-LD and N-Triples for graphs
    ("application/json", RESULTS, formats.JSON),
    ("application/json", GRAPHS, formats.JSON),
    ("text/plain", GRAPHS, "text/plain"),
    ("application/xml", RESULTS, "application/xml"),
    ("application/json;q=0.5, text/turtle", GRAPHS, TURTLE),
    # charset=utf-8 is what every answer is; any other charset, and other parameters, must match
    ("text/csv; charset=utf-8", RESULTS, CSV),
    ('text/csv;charset="UTF-8"', RESULTS, CSV),
    ("text/turtle; Charset=utf8", GRAPHS, TURTLE),
    ("text/csv; charset=iso-8859-1", RESULTS, None),
    ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', GRAPHS, None),
    ("text/turtle; charset=utf-8; version=2", GRAPHS, None),
    # nothing acceptable
    ("image/png", RESULTS, None),
    ("text/plain", RESULTS, None),
    (SRJ, GRAPHS, None),
    (TURTLE, RESULTS, None),
    ("not a media type", RESULTS, None),
]


@pytest.mark.parametrize(("header", "offers", "expected"), ACCEPTS)
def test_negotiate_weighs_the_accept_header(header, offers, expected):
    assert formats.negotiate(accept(header), offers) == expected


#: ``format=`` value (or suffix), what is offered, the media type chosen; Accept asks for something else each time.
OVERRIDES = [
    ("json", RESULTS, SRJ),
    ("json", GRAPHS, JSONLD),
    ("json", LIST, formats.JSON),
    ("srj", RESULTS, SRJ),
    ("xml", RESULTS, SRX),
    ("xml", GRAPHS, RDFXML),
    ("srx", RESULTS, SRX),
    ("csv", RESULTS, CSV),
    ("tsv", RESULTS, TSV),
    ("turtle", GRAPHS, TURTLE),
    ("ttl", GRAPHS, TURTLE),
    ("TTL", GRAPHS, TURTLE),
    ("ntriples", GRAPHS, NTRIPLES),
    ("nt", GRAPHS, NTRIPLES),
    ("jsonld", GRAPHS, JSONLD),
    ("json-ld", GRAPHS, JSONLD),
    ("rdfxml", GRAPHS, RDFXML),
    ("rdf", GRAPHS, RDFXML),
    ("rdf+xml", GRAPHS, RDFXML),
    ("nquads", GRAPHS, "application/n-quads"),
    ("nq", GRAPHS, "application/n-quads"),
    ("trig", GRAPHS, "application/trig"),
    ("html", [*GRAPHS, formats.HTML], formats.HTML),
    ("text/turtle", GRAPHS, TURTLE),
    ("application/json", RESULTS, formats.JSON),
    ("text/plain", GRAPHS, "text/plain"),
]


@pytest.mark.parametrize(("name", "offers", "expected"), OVERRIDES)
def test_an_override_wins_over_accept(name, offers, expected):
    assert formats.negotiate(accept("image/png"), offers, name) == expected


@pytest.mark.parametrize(
    ("name", "offers", "names"),
    [
        ("srj", GRAPHS, "json, json-ld, jsonld, nq, nquads, nt, ntriples, rdf, rdf+xml, rdfxml, trig, ttl, turtle, xml"),
        ("turtle", RESULTS, "csv, json, srj, srx, tsv, xml"),
        ("bogus", LIST, "html, json"),
        ("html", RESULTS, "csv, json, srj, srx, tsv, xml"),
    ],
)
def test_an_override_that_fits_no_offer_is_refused_naming_those_that_do(name, offers, names):
    with pytest.raises(ValueError) as error:
        formats.negotiate(accept(None), offers, name)
    assert str(error.value) == f"unknown or unsuitable format {name!r} here; use one of: {names}"


def test_every_short_name_of_before_still_names_a_format():
    before = ["json", "srj", "xml", "srx", "csv", "tsv", "turtle", "ttl", "ntriples", "nt", "jsonld", "json-ld",
              "rdfxml", "rdf", "rdf+xml", "nquads", "nq", "trig", "html"]
    assert set(before) <= set(formats.SHORT_NAMES)


@pytest.mark.parametrize("row", [row for row in formats.TABLE if row.format is not None], ids=lambda row: row.label)
def test_each_row_prefers_the_media_type_pyoxigraph_gives_its_format(row):
    assert parse_options_header(row.format.media_type)[0] == row.media_type
    assert row.iri.startswith(formats.W3C)


def test_generic_types_are_answered_but_never_read_as_rdf():
    assert (formats.RDF_MEDIA_TYPES["application/json"], formats.RDF_MEDIA_TYPES["text/plain"]) == (
        ox.RdfFormat.JSON_LD, ox.RdfFormat.N_TRIPLES)
    assert formats.RESULT_MEDIA_TYPES["application/json"] == ox.QueryResultsFormat.JSON
    assert list(formats.RDF_INPUT_TYPES) == [TURTLE, NTRIPLES, JSONLD, RDFXML, "application/n-quads", "application/trig"]


@pytest.mark.parametrize(
    ("form", "names"),
    [("SELECT", ["json", "xml", "csv", "tsv"]), ("ASK", ["json", "xml", "csv", "tsv"]),
     ("CONSTRUCT", ["turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"]),
     ("DESCRIBE", ["turtle", "ntriples", "jsonld", "rdfxml", "nquads", "trig"])],
)
def test_each_form_has_its_formats(form, names):
    assert [row.name for row in formats.for_form(form)] == names


@pytest.mark.parametrize(
    ("lookup", "name", "expected"),
    [
        (formats.rdf_format, "json", ox.RdfFormat.JSON_LD),
        (formats.rdf_format, "xml", ox.RdfFormat.RDF_XML),
        (formats.rdf_format, "ttl", ox.RdfFormat.TURTLE),
        (formats.rdf_format, "application/n-quads", ox.RdfFormat.N_QUADS),
        (formats.result_format, "json", ox.QueryResultsFormat.JSON),
        (formats.result_format, "srx", ox.QueryResultsFormat.XML),
        (formats.result_format, "TSV", ox.QueryResultsFormat.TSV),
    ],
)
def test_names_mean_on_the_command_line_what_they_mean_over_http(lookup, name, expected):
    assert lookup(name) == expected


@pytest.mark.parametrize(
    ("lookup", "name", "message"),
    [
        (formats.rdf_format, "csv", "unknown RDF format 'csv'; use one of: json, json-ld, jsonld, nq"),
        (formats.rdf_format, "html", "unknown RDF format 'html'"),
        (formats.result_format, "turtle", "unknown results format 'turtle'; use one of: csv, json, srj, srx, tsv, xml"),
    ],
)
def test_a_name_of_no_such_format_is_refused_naming_those_there_are(lookup, name, message):
    with pytest.raises(ValueError, match=message):
        lookup(name)


@pytest.mark.parametrize(("name", "known"), [("json", True), ("JSON", True), ("text/plain", True), (formats.HTML, True),
                                             ("application/n-quads", True), ("pdf", False), ("image/png", False)])
def test_known_names_short_names_and_media_types(name, known):
    assert formats.known(name) is known
