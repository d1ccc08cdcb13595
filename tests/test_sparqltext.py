"""The lexical view of SPARQL: the form, FROM, what counts as SERVICE or LOAD, and where USING clauses go."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from claimgraph.errors import RemoteAccessError, RequestError
from claimgraph.rdf.sparqltext import add_using, refuse_remote, scan

ALLOWED = "http://allowed.example/sparql"


@pytest.mark.parametrize(
    ("text", "form", "sets_dataset"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False),
        ("ask { ?s ?p ?o }", "ASK", False),
        ("# DESCRIBE, in a comment\nPREFIX ex: <http://example.org/#>\nCONSTRUCT WHERE { ?s ex:p ?o }", "CONSTRUCT", False),
        ("BASE <http://example.org/>\nprefix ex: <#>\ndescribe ex:thing", "DESCRIBE", False),
        ("PREFIX select: <http://x/> SELECT ?ask WHERE { ?ask select:construct 'DESCRIBE' }", "SELECT", False),
        ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", "SELECT", True),
        ("SELECT * from named <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", True),
        ("SELECT * WHERE { ?s ?p 'FROM <http://g>' } # FROM <http://h>", "SELECT", False),
        ("PREFIX from: <http://x/> SELECT * WHERE { ?s from:p ?o }", "SELECT", False),
        ("SELECT * WHERE { ?s ?p ?o", "SELECT", False),
        ("WHERE { ?s ?p ?o }", None, False),
    ],
)
def test_scan_tells_the_form_and_whether_the_query_sets_its_dataset(text, form, sets_dataset):
    scanned = scan(text)
    assert (scanned.form, scanned.sets_dataset) == (form, sets_dataset)


@pytest.mark.parametrize(
    ("text", "remote"),
    [
        ("SELECT * { SERVICE <http://a/> { } SERVICE SILENT ?e { } }", [("SERVICE", "<http://a/>"), ("SERVICE", "?e")]),
        ("load silent <http://a/> ; LOAD <http://b/> INTO GRAPH <http://g>", [("LOAD", "<http://a/>"), ("LOAD", "<http://b/>")]),
        ("SELECT * { ?s ?p 'SERVICE <http://a/>' }", []),
        ("SELECT * { SERVICE", [("SERVICE", None)]),
    ],
)
def test_scan_finds_each_service_and_load_with_its_target(text, remote):
    assert [(keyword, None if target is None else target.text) for keyword, target in scan(text).remote] == remote


@pytest.mark.parametrize(
    ("update", "wheres", "refused"),
    [
        ("INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", 1, None),
        ("INSERT DATA { <http://a> <http://b> 'WHERE' }", 0, None),
        ("DELETE { ?s ?p ?o } WHERE { { SELECT * WHERE { ?s ?p ?o } } } ; INSERT { ?s ?p 1 } where { ?s ?p ?o }", 2, None),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", 1, "its own WITH"),
        ("DELETE WHERE { ?s ?p ?o }", 1, "DELETE WHERE"),
    ],
)
def test_scan_finds_where_using_goes_and_why_it_cannot(update, wheres, refused):
    """``wheres``: how many DELETE/INSERT … WHERE operations, each WHERE at the top level, outside strings."""
    scanned = scan(update)
    assert len(scanned.where_starts) == wheres
    for start in scanned.where_starts:
        assert update[start : start + 5].upper() == "WHERE" and update[:start].count("{") == update[:start].count("}")
    assert (scanned.using_refused is None) == (refused is None)
    if refused is not None:
        assert refused in scanned.using_refused


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * { service SILENT <http://evil.example/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o .SERVICE <http://evil.example/> { } }",
        "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
        "PREFIX e: <http://allowed.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "SELECT * { <http://x/'\\u0041> ?p ?o . SERVICE <http://evil.example/> { } <http://y/'> ?p ?o }",
        "LOAD <http://evil.example/data.ttl>",
        "LOAD SILENT <http://evil.example/data.ttl> INTO GRAPH <http://g>",
        "SELECT * { SERVICE",
        # a name character the scanner might not know must not let "\#" start a comment, nor "\'" a string
        "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\u00b7\\# AS ?z) SERVICE <http://evil.example/> { ?x ?y ?z }\n}",
        "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\u0301\\' AS ?z) SERVICE <http://evil.example/> { } BIND('x' AS ?w) }",
        "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\u203f\\# AS ?z) SERVICE <http://evil.example/> { }\n}",
        "PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a\u20ac\\# AS ?z) SERVICE <http://evil.example/> { }\n}",
        "PREFIX ex: <http://e/> INSERT DATA { ex:c\u00b7\\# <http://p> 1 }\n; LOAD <http://evil.example/>",
    ],
)
def test_remote_access_is_refused(text):
    with pytest.raises(RemoteAccessError, match="refused"):
        refuse_remote(text, [ALLOWED])


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}",
        f"SELECT * {{ SERVICE SILENT <{ALLOWED}> {{ ?s ?p ?o }} }}",
        'SELECT * { ?s ?p "SERVICE <http://evil.example/>" }',
        "SELECT * { ?s ?p '''LOAD\n<http://evil.example/>''' }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://evil.example/>",
        "PREFIX service: <http://x/> SELECT ?load { ?load service:load <http://x/SERVICE> }",
    ],
)
def test_what_is_not_remote_access_passes(text):
    refuse_remote(text, [ALLOWED])


USING = ["http://example.org/g"]


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ("INSERT { GRAPH <http://t> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
         "INSERT { GRAPH <http://t> { ?s ?p ?o } } USING <http://example.org/g> WHERE { ?s ?p ?o }"),
        ("DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { { SELECT * WHERE { ?s ?p ?o } } } ; INSERT DATA { <http://a> <http://b> 1 }",
         "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } USING <http://example.org/g> WHERE { { SELECT * WHERE { ?s ?p ?o } } } ; "
         "INSERT DATA { <http://a> <http://b> 1 }"),
        ("INSERT DATA { <http://a> <http://b> 'WHERE' }", "INSERT DATA { <http://a> <http://b> 'WHERE' }"),
    ],
)
def test_using_is_added_to_each_modify_operation(update, expected):
    written = add_using(update, USING, [])
    assert written == expected
    ox.Store().update(written)


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "its own WITH"),
        ("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }", "its own USING"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ],
)
def test_using_cannot_be_added(update, message):
    with pytest.raises(RequestError, match=message):
        add_using(update, USING, [])


def test_using_named_is_added_after_using():
    written = add_using("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", ["http://a"], ["http://b"])
    assert "USING <http://a> USING NAMED <http://b> WHERE" in written
