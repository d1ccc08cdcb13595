"""Browse and search: the full-text index, /search and /claims (HTML and JSON), kept in step with writes, and the
SPARQL search pattern at /sparql and in the canned query. Expectations are read from the data with rdflib."""

from __future__ import annotations

import concurrent.futures
import json
import re
from html.parser import HTMLParser

import pytest
import rdflib
from claimgraph.rdf.sparqltext import service_blocks
from claimgraph.rdf import vocabulary
from claimgraph.search.query import FACETS, NOT_REVIEWED
from conftest import DATA, PROBLEM, body, media_type, page, problem, solutions

CG = "https://w3id.org/claimgraph/ontology#"
SERVICE = f"{CG}search"
CLAIM = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/"
PREFIXES = f"PREFIX cg: <{CG}>\nPREFIX schema: <http://schema.org/>\nPREFIX oa: <http://www.w3.org/ns/oa#>\n"
NAME = "schema:name|schema:headline|<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"
#: The facets as rdflib reads them from the data: ?claim and its ?value (as queries/claims-about-city.rq for cities).
FACET_PATTERNS = {
    "city": "?claim schema:about|cg:cause|cg:effect ?s . "
            "?s (schema:location|schema:areaServed|schema:containedInPlace)* ?value . ?value a schema:City .",
    "policy": "?claim schema:about|cg:cause|cg:effect ?value . ?value a cg:Policy .",
    "outcome": "?claim schema:about|cg:cause|cg:effect ?value . ?value a cg:Outcome .",
    "speaker": "?claim schema:author ?value .",
    "kind": "?claim cg:kind ?value .",
    "voice": "?claim cg:attribution ?value .",
    "source": "?claim schema:appearance ?value .",
    "rating": f"{{ {vocabulary.reviews_of('?claim')} {vocabulary.verdict_of('?rating', '?value')} }} "
              f"UNION {{ FILTER NOT EXISTS {{ ?review schema:itemReviewed ?claim }} BIND (\"{NOT_REVIEWED}\" AS ?value) }}",
}
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def graph() -> rdflib.Dataset:
    """The curated data (every TriG file), its default graph the union of its graphs."""
    dataset = rdflib.Dataset(default_union=True)
    for path in sorted(DATA.rglob("*.trig")):
        dataset.parse(path, format="trig")
    return dataset


def rows(graph: rdflib.Dataset, sparql: str) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in graph.query(PREFIXES + sparql)]


def facet_values(graph: rdflib.Dataset, facet: str) -> dict[str, set[str]]:
    """Each claim's values of ``facet``."""
    found: dict[str, set[str]] = {}
    for row in rows(graph, f"SELECT DISTINCT ?claim ?value WHERE {{ ?claim a cg:Claim . {FACET_PATTERNS[facet]} }}"):
        found.setdefault(row["claim"], set()).add(row["value"])
    return found


def saying(graph: rdflib.Dataset, pattern: str) -> set[str]:
    """The claims whose own words or quotes match the regular expression ``pattern`` (case ignored)."""
    found = rows(graph, "SELECT ?claim ?text WHERE { ?claim a cg:Claim { ?claim schema:text ?text } UNION "
                       "{ ?claim cg:evidence/oa:hasSelector/oa:exact ?text } }")
    return {row["claim"] for row in found if re.search(pattern, row["text"], re.IGNORECASE)}


def named(graph: rdflib.Dataset, pattern: str) -> set[str]:
    """The claims whose subject, cause, effect, speaker or source has a name matching ``pattern``."""
    found = rows(graph, f"SELECT ?claim ?name WHERE {{ ?claim a cg:Claim ; "
                        f"schema:about|cg:cause|cg:effect|schema:author|schema:appearance ?x . ?x {NAME} ?name }}")
    return {row["claim"] for row in found if re.search(pattern, row["name"], re.IGNORECASE)}


def searched(service, status: int = 200, **params) -> dict:
    response = service.get("/search.json", params=params)
    assert response.status_code == status, body(response)[:500]
    return json.loads(body(response))


def found(service, q: str, **params) -> list[str]:
    return [hit["iri"] for hit in searched(service, q=q, limit="100", **params)["results"]]


# ---------------------------------------------------------------- what the terms of the issue find


@pytest.mark.parametrize(
    ("q", "pattern", "first"),
    [
        # Of the claims on refugees, this one speaks of them twice in its own words (the refugee classes and their
        # aim for the refugees) and is about the classes for refugees, the article's longest passage on refugees.
        ("refugees", r"\brefugee", "aim-regular-classes"),
        # The article's one statement on poverty: Mechelen is the only Belgian city where the poverty rate is
        # falling; the causal claim that the investment led to it says more besides.
        ("poverty", r"\bpoverty", "poverty-falling"),
        # The only claim whose own words say CCTV (no other city in Belgium has as much CCTV surveillance); the
        # "right leg" claim is found by the CCTV policy it is about.
        ("CCTV", r"\bcctv", "most-cctv"),
        # The one claim about Vilvoorde itself (its size, half Mechelen's); the others use it as the home of the
        # fighters who left or of an imam active there.
        ("Vilvoorde", r"\bvilvoorde", "vilvoorde-half-size"),
        # The claim that states the buddy system (every refugee is assigned a buddy); the next says why it matters.
        ("buddy", r"\bbuddy", "buddy-system"),
    ],
)
def test_a_term_finds_every_claim_saying_or_naming_it_and_the_expected_one_first(app, graph, q, pattern, first):
    results = found(app, q)
    assert results[0] == CLAIM + first
    assert set(results) == saying(graph, pattern) | named(graph, pattern)


def test_claims_saying_the_word_rank_before_claims_that_only_name_it(app, graph):
    """Claim texts weigh most: every claim whose own words say "refugee" comes before those found only otherwise."""
    texts = {row["claim"]: row["text"] for row in rows(graph, "SELECT ?claim ?text WHERE { ?claim schema:text ?text }")}
    says = [bool(re.search(r"\brefugee", texts[iri], re.IGNORECASE)) for iri in found(app, "refugees")]
    assert says == sorted(says, reverse=True) and says[0] and not says[-1]


def test_the_entities_named_by_the_term_are_found_too(app, graph):
    entities = searched(app, q="buddy")["entities"]
    expected = {row["x"] for row in rows(graph, f"SELECT ?x ?name WHERE {{ ?x {NAME} ?name ; a cg:Policy }}")
                if "buddy" in row["name"].lower()}
    assert {entity["iri"] for entity in entities} == expected
    assert entities[0]["highlighted"] == "A <mark>buddy</mark> for every refugee"
    assert entities[0]["url"] == "/id/policy/buddy-system"


# ---------------------------------------------------------------- query syntax


def test_a_phrase_finds_the_words_in_that_order_only(app, graph):
    assert set(found(app, '"poverty rate"')) == saying(graph, r"poverty rate") | named(graph, r"poverty rate")
    assert found(app, '"rate poverty"') == []


def test_a_prefix_finds_every_word_it_begins(app, graph):
    assert found(app, "budd") == []
    assert set(found(app, "budd*")) == set(found(app, "buddy"))
    assert set(found(app, "refug*")) == saying(graph, r"\brefug") | named(graph, r"\brefug")


def test_or_finds_either(app):
    assert set(found(app, "CCTV OR buddy")) == set(found(app, "CCTV")) | set(found(app, "buddy"))
    assert set(found(app, "CCTV buddy")) == set(found(app, "CCTV")) & set(found(app, "buddy"))


@pytest.mark.parametrize(
    ("q", "reads_as"),
    [('"poverty rate', '"poverty rate"'), ("AND poverty", "and poverty"), ("poverty *", "poverty"),
     ("NEAR(poverty rate)", '"near poverty" rate'), ("poverty:rate", '"poverty rate"'), ("poverty NOT rate", "poverty not rate"),
     ("OR", "or"), ("poverty OR", "poverty or")],
)
def test_text_that_is_no_fts5_syntax_is_read_as_plain_words(app, q, reads_as):
    assert found(app, q) == found(app, reads_as)


@pytest.mark.parametrize("q", ["*", '"', '""', "- ( ) :"])
def test_text_without_a_word_is_400_naming_q(app, q):
    response = app.get("/search.json", params={"q": q})
    assert (response.status_code, problem(response)["parameter"]) == (400, "q")


# ---------------------------------------------------------------- the answers


def test_json_has_the_documented_shape(app):
    answer = searched(app, q="buddy", limit="1")
    assert set(answer) == {"query", "total", "offset", "limit", "results", "facets", "entities", "labels"}
    assert (answer["query"], answer["total"], answer["offset"], answer["limit"]) == ("buddy", 2, 0, 1)
    [hit] = answer["results"]
    assert set(hit) == {"iri", "url", "text", "highlighted", "snippet", "score", "from_review", *FACETS}
    assert hit["url"] == "/id/claim/dw-2017-mechelen/buddy-system"
    assert hit["highlighted"] == ("On their first day every refugee is assigned a &#34;<mark>buddy</mark>&#34; who helps him "
                                  "or her get to grips with their new environment.")
    assert "<mark>buddy</mark>" in hit["snippet"]
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert set(answer["facets"]) == set(FACETS)
    assert answer["labels"][hit["speaker"][0]] == "Adrian Breda"


def test_accept_json_gets_the_json_of_the_json_url(app):
    by_accept = app.get("/search", params={"q": "poverty"}, headers=JSON)
    assert (by_accept.status_code, media_type(by_accept)) == (200, "application/json")
    assert json.loads(body(by_accept)) == searched(app, q="poverty")
    assert "Accept" in by_accept.headers["Vary"]


def test_the_page_has_a_labelled_search_form_and_links_to_each_claim_page(app):
    response = app.get("/search", params={"q": "buddy"}, headers=HTML)
    assert (response.status_code, media_type(response)) == (200, "text/html")
    html = body(response).decode()
    assert re.search(r'<form role="search"[^>]*action="/search"', html)
    assert '<label for="q">' in html and re.search(r'<input id="q" type="search" name="q" value="buddy"', html)
    links = re.findall(r'<li class="result">\s*<a class="claim" href="([^"]+)">(.*?)</a>', html)
    assert [href for href, _ in links] == [f"/id/claim/dw-2017-mechelen/{name}" for name in ("buddy-system", "buddy-system-effect")]
    assert "<mark>buddy</mark>" in links[0][1]


def test_a_page_without_q_is_the_empty_form_and_json_without_q_is_400(app):
    response = app.get("/search", headers=HTML)
    assert response.status_code == 200
    html = body(response).decode()
    assert 'role="search"' in html and 'class="results"' not in html
    missing = app.get("/search.json")
    assert (missing.status_code, problem(missing)["parameter"]) == (400, "q")


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/search.json", {"q": "buddy", "limit": "0"}, "limit"),
        ("/search.json", {"q": "buddy", "limit": "101"}, "limit"),
        ("/claims.json", {"limit": "ten"}, "limit"),
        ("/claims.json", {"offset": "-1"}, "offset"),
        ("/claims.json", {"offset": "1.5"}, "offset"),
        ("/claims.json", {"offset": "100001"}, "offset"),
        ("/search.json", [("q", "buddy"), ("q", "CCTV")], "q"),
        ("/claims.json", {"city": "vilvoorde"}, "city"),
        ("/claims.json", {"voice": "Narration"}, "voice"),
        ("/claims.json", {"q": "buddy"}, "q"),
        ("/search.json", {"q": "buddy", "page": "2"}, "page"),
        ("/search", {"q": "buddy", "limit": "0"}, "limit"),
    ],
)
def test_a_bad_parameter_is_400_naming_it(app, path, params, parameter):
    response = app.get(path, params=params, headers={"Accept": "application/json, text/html;q=0.5"})
    assert (response.status_code, media_type(response)) == (400, PROBLEM)
    assert problem(response)["parameter"] == parameter


def test_a_bad_parameter_gets_a_page_for_browsers(app):
    response = app.get("/claims", params={"limit": "0"}, headers=HTML)
    assert (response.status_code, media_type(response)) == (400, "text/html")
    assert "limit" in page(response).text


# ---------------------------------------------------------------- browsing and facets


def test_claims_lists_every_claim_by_source_then_position(app, graph, claims):
    listed = []
    for offset in range(0, claims, 30):
        answer = json.loads(body(app.get("/claims.json", params={"limit": "30", "offset": str(offset)})))
        assert (answer["total"], answer["offset"], answer["limit"]) == (claims, offset, 30)
        listed += [hit["iri"] for hit in answer["results"]]
    assert len(listed) == len(set(listed)) == claims
    starts = {}
    for row in rows(graph, "SELECT ?claim ?start WHERE { ?claim cg:evidence/oa:hasSelector/oa:start ?start }"):
        starts[row["claim"]] = min(starts.get(row["claim"], 10**9), int(row["start"]))
    sources = {row["claim"]: row["source"] for row in rows(graph, "SELECT ?claim ?source WHERE { ?claim schema:appearance ?source }")}
    assert listed == sorted(listed, key=lambda iri: (sources[iri], starts[iri], iri))


@pytest.mark.parametrize("facet", FACETS)
def test_facet_counts_of_all_claims_are_those_of_the_data(app, graph, facet):
    counts = {}
    for values in facet_values(graph, facet).values():
        for value in values:
            counts[value] = counts.get(value, 0) + 1
    answer = json.loads(body(app.get("/claims.json")))
    assert {value["value"]: value["count"] for value in answer["facets"][facet]} == counts


def test_facet_counts_of_a_search_are_over_every_claim_found(app, graph):
    hits = set(found(app, "refugees"))
    answer = searched(app, q="refugees", limit="1")
    for facet in FACETS:
        counts = {}
        for claim, values in facet_values(graph, facet).items():
            for value in values if claim in hits else ():
                counts[value] = counts.get(value, 0) + 1
        assert {value["value"]: value["count"] for value in answer["facets"][facet]} == counts, facet


@pytest.mark.parametrize(
    ("filters"),
    [
        {"city": "https://w3id.org/claimgraph/id/place/vilvoorde"},
        {"city": "https://w3id.org/claimgraph/id/place/mechelen", "voice": f"{CG}QuotedSpeech"},
        {"policy": "https://w3id.org/claimgraph/id/policy/school-mixing", "kind": "https://w3id.org/claimgraph/kind/causal"},
        {"outcome": "https://w3id.org/claimgraph/id/outcome/poverty-rate-falling"},
        {"speaker": "https://w3id.org/claimgraph/id/person/rafig", "source": "https://w3id.org/claimgraph/id/source/dw-2017-mechelen"},
        {"city": "https://example.org/nowhere"},
    ],
)
def test_filters_keep_the_claims_with_every_value_asked_for(app, graph, filters):
    expected = None
    for facet, value in filters.items():
        having = {claim for claim, values in facet_values(graph, facet).items() if value in values}
        expected = having if expected is None else expected & having
    answer = json.loads(body(app.get("/claims.json", params={**filters, "limit": "100"})))
    assert {hit["iri"] for hit in answer["results"]} == expected
    assert answer["total"] == len(expected)
    searched_too = {hit["iri"] for hit in searched(app, q="Mechelen OR refugees OR Vilvoorde", limit="100", **filters)["results"]}
    assert searched_too <= expected


def test_the_city_facet_follows_places_contained_in_the_city(app, graph):
    """A claim about the Busleyden school (located in Mechelen) is a claim about Mechelen."""
    school = {row["claim"] for row in rows(graph, "SELECT ?claim WHERE { ?claim schema:about <https://w3id.org/claimgraph/id/org/busleyden-school> }")}
    assert school
    mechelen = found(app, "Busleyden", city="https://w3id.org/claimgraph/id/place/mechelen")
    assert school <= set(mechelen)


class _Links(HTMLParser):
    """The links of the facet lists of a page: (facet, text, href), and the clear links."""

    def __init__(self) -> None:
        super().__init__()
        self.facet, self.href, self.links, self.clear = None, None, [], {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-facet" in attrs:
            self.facet = attrs["data-facet"]
        if tag == "a" and self.facet:
            self.href = attrs["href"]
            if attrs.get("class") == "clear":
                self.clear[self.facet] = attrs["href"]

    def handle_data(self, data):
        if self.href and self.facet and data.strip():
            self.links.append((self.facet, data.strip(), self.href))
            self.href = None


def test_the_page_narrows_by_a_facet_shown_by_label_and_clears_it(app):
    start = app.get("/claims", headers=HTML)
    parser = _Links()
    parser.feed(body(start).decode())
    [(_, text, href)] = [link for link in parser.links if link[0] == "city" and link[1] == "Vilvoorde"]
    narrowed = app.get(href, headers=HTML)
    assert narrowed.status_code == 200
    expected = json.loads(body(app.get("/claims.json", params={"city": "https://w3id.org/claimgraph/id/place/vilvoorde"})))
    html = body(narrowed).decode()
    assert re.findall(r'<a class="claim" href="([^"]+)"', html) == [hit["url"] for hit in expected["results"]]
    parser = _Links()
    parser.feed(html)
    assert app.get(parser.clear["city"], headers=HTML).get_data() == body(start)


def test_pages_link_to_the_next_and_previous_page(app, claims):
    html = body(app.get("/claims", params={"limit": "40", "offset": "40"}, headers=HTML)).decode()
    assert re.search(r'<a rel="prev" href="/claims\?limit=40">', html)
    assert (re.search(r'<a rel="next" href="/claims\?limit=40&amp;offset=80">', html) is not None) == (claims > 80)


# ---------------------------------------------------------------- kept in step with writes


def _update(service, sparql: str) -> None:
    response = service.post("/update", data=PREFIXES + sparql,
                            headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {service.token}"})
    assert response.status_code == 204, body(response)[:300]


def test_a_claim_written_by_update_is_found_by_the_next_request_and_gone_once_deleted(server):
    graph = "https://example.org/test-search/update"
    text = 'An inserted claim <script>alert("qwzxv")</script> & friends'
    try:
        _update(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#claim> a cg:Claim ; schema:text {json.dumps(text)} }} }}')
        [hit] = searched(server, q="qwzxv")["results"]
        assert hit["iri"] == f"{graph}#claim"
        assert hit["highlighted"] == ("An inserted claim &lt;script&gt;alert(&#34;<mark>qwzxv</mark>&#34;)&lt;/script&gt; "
                                      "&amp; friends")
        page_html = server.get("/search", params={"q": "qwzxv"}, headers=HTML).text
        assert "<script>" not in page_html and "&lt;script&gt;alert(&#34;<mark>qwzxv</mark>&#34;)" in page_html
        assert select_search(server, "qwzxv") == {f"{graph}#claim"}
    finally:
        _update(server, f"DROP SILENT GRAPH <{graph}>")
    assert searched(server, q="qwzxv")["results"] == []
    assert select_search(server, "qwzxv") == set()


def test_a_claim_written_through_the_graph_store_is_found_by_the_next_request(server):
    graph = "https://example.org/test-search/store"
    auth = {"Authorization": f"Bearer {server.token}", "Content-Type": "text/turtle"}
    turtle = f'<{graph}#one> a <{CG}Claim> ; <http://schema.org/text> "The first vwxqj claim." .'
    try:
        created = server.request("PUT", "/store", params={"graph": graph}, data=turtle, headers=auth)
        assert created.status_code == 201
        assert found(server, "vwxqj") == [f"{graph}#one"]
        more = f'<{graph}#two> a <{CG}Claim> ; <http://schema.org/text> "A second vwxqj claim, vwxqj twice." .'
        assert server.post("/store", params={"graph": graph}, data=more, headers=auth).status_code == 204
        assert found(server, "vwxqj") == [f"{graph}#two", f"{graph}#one"]
    finally:
        deleted = server.request("DELETE", "/store", params={"graph": graph}, headers={"Authorization": f"Bearer {server.token}"})
    assert deleted.status_code == 204
    assert found(server, "vwxqj") == []


# ---------------------------------------------------------------- from SPARQL


def select_search(service, q: str) -> set[str]:
    query = f"SELECT ?claim WHERE {{ SERVICE <{SERVICE}> {{ ?claim <{CG}matches> {json.dumps(q)} }} }}"
    response = service.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, body(response)[:300]
    return {row["claim"] for row in solutions(response)}


@pytest.mark.parametrize("q", ["refugees", "poverty", "CCTV", "Vilvoorde", "buddy", '"poverty rate"', "refug* OR CCTV"])
def test_the_sparql_pattern_and_the_canned_query_find_what_search_finds(app, q):
    expected = {hit["iri"]: hit["score"] for hit in searched(app, q=q, limit="100")["results"]}
    query = PREFIXES + f"SELECT ?claim ?score WHERE {{ SERVICE cg:search {{ ?claim cg:matches {json.dumps(q)} ; cg:score ?score . }} }}"
    response = app.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert {row["claim"]: float(row["score"]) for row in solutions(response)} == expected
    canned = app.get("/queries/search", params={"text": q}, headers={"Accept": "application/sparql-results+json"})
    assert canned.status_code == 200
    answer = solutions(canned)
    assert {row["claim"]: float(row["score"]) for row in answer} == expected
    assert [row["claim"] for row in answer] == sorted(expected, key=lambda iri: (-expected[iri], iri))
    assert {row["text"] for row in answer} == {q}


def test_the_pattern_joins_with_the_rest_of_the_query(app, graph):
    """Every claim about Vilvoorde is found by its name, so the join keeps exactly the data's comparative ones."""
    where = ("?claim schema:about <https://w3id.org/claimgraph/id/place/vilvoorde> ; schema:text ?text . "
             "?claim cg:kind <https://w3id.org/claimgraph/kind/comparative>")
    query = PREFIXES + f"SELECT ?text WHERE {{ SERVICE SILENT cg:search {{ ?claim cg:matches 'Vilvoorde' }} {where} }} ORDER BY ?text"
    response = app.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    expected = sorted(row["text"] for row in rows(graph, f"SELECT ?text WHERE {{ {where} }}"))
    assert len(expected) == 3
    assert [row["text"] for row in solutions(response)] == expected


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }",
        f"SELECT * WHERE {{ SERVICE <{SERVICE}x> {{ ?c <{CG}matches> 'buddy' }} }}",
        f"SELECT * WHERE {{ SERVICE <{SERVICE}> {{ ?c <{CG}matches> 'buddy' }} SERVICE <http://example.org/sparql> {{ ?c ?p ?o }} }}",
        f"PREFIX cg: <{CG}x> SELECT * WHERE {{ SERVICE cg:search {{ ?c cg:matches 'buddy' }} }}",
        f"BASE <{CG}> SELECT * WHERE {{ SERVICE <search> {{ ?c <matches> 'buddy' }} }}",
    ],
)
def test_a_service_to_any_other_iri_is_still_refused(app, query):
    response = app.get("/sparql", params={"query": query})
    assert (response.status_code, media_type(response)) == (403, PROBLEM)


def test_the_search_service_is_not_answered_in_updates(server):
    update = f"INSERT {{ GRAPH <https://example.org/g> {{ ?c a ?c }} }} WHERE {{ SERVICE <{SERVICE}> {{ ?c <{CG}matches> 'buddy' }} }}"
    response = server.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {server.token}"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "pattern",
    [
        "{ ?c cg:score ?s }",
        "{ ?c cg:matches ?q }",
        "{ ?c cg:matches 42 }",
        "{ ?c cg:matches 'buddy' ; cg:score 1 }",
        "{ ?c cg:matches 'buddy' ; cg:score ?c }",
        "{ ?c cg:matches 'buddy' ; cg:matches 'CCTV' }",
        "{ ?c cg:matches 'buddy' ; schema:text ?t }",
        "{ ?c cg:matches 'buddy' , 'CCTV' }",
        "{ <https://example.org/c> cg:matches 'buddy' }",
        "{ ?c cg:matches '*' }",
        "{ ?c cg:matches 'buddy' { ?c ?p ?o } }",
        "{ ?c cg:matches 'buddy' ",
    ],
)
def test_a_malformed_search_pattern_is_400(app, pattern):
    query = PREFIXES + f"SELECT * WHERE {{ SERVICE cg:search {pattern} }}"
    response = app.get("/sparql", params={"query": query})
    assert (response.status_code, media_type(response)) == (400, PROBLEM), body(response)[:300]
    assert "parameter" not in problem(response)


def test_the_canned_query_without_a_word_is_400_naming_text(app):
    response = app.get("/queries/search", params={"text": "*"}, headers={"Accept": "application/sparql-results+json"})
    assert (response.status_code, problem(response)["parameter"]) == (400, "text")
    missing = app.get("/queries/search", headers={"Accept": "application/sparql-results+json"})
    assert (missing.status_code, problem(missing)["parameter"]) == (400, "text")


def test_the_pattern_in_a_string_or_a_comment_is_left_alone(app):
    text = f"SERVICE <{SERVICE}> {{ ?c <{CG}matches> 'buddy' }}"
    query = f"# {text}\nSELECT ?x WHERE {{ BIND({json.dumps(text)} AS ?x) }}"
    response = app.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert solutions(response) == [{"x": text}]


def test_the_pattern_text_reads_sparql_escapes(app):
    query = f"SELECT ?c WHERE {{ SERVICE <{SERVICE}> {{ ?c <{CG}matches> \"\\u0062uddy\" }} }}"
    response = app.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert {row["c"] for row in solutions(response)} == set(found(app, "buddy"))


def test_service_blocks_are_found_by_full_iri_and_declared_prefix_only():
    query = (f"PREFIX s: <{CG}> PREFIX t: <http://example.org/>\n# SERVICE s:search {{ }}\n"
             f"SELECT * {{ SERVICE s:search {{ ?a s:matches 'x' }} SERVICE t:search {{ }} "
             f"SERVICE silent <{SERVICE}> {{ ?b s:matches \"}}\" }} }}")
    blocks = service_blocks(query, SERVICE)
    assert [query[block.start : block.end] for block in blocks] == [
        "SERVICE s:search { ?a s:matches 'x' }", f'SERVICE silent <{SERVICE}> {{ ?b s:matches "}}" }}',
    ]
    assert [token.text for token in blocks[1].body] == ["?b", "s:matches", '"}"']


def test_concurrent_searches_over_gunicorns_threads_answer_as_one_at_a_time(server):
    """The index's one connection is shared by the request threads under a lock; a write between rounds of
    concurrent searches makes them wait for one rebuild, and then every one of them sees it."""
    terms = ["refugees", "poverty", "CCTV", "Vilvoorde", "buddy", "refug*", '"poverty rate"', "Mechelen"] * 3
    alone = {term: found(server, term) for term in set(terms)}
    graph = "https://example.org/test-search/concurrent"
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(lambda term: found(server, term), terms)) == [alone[term] for term in terms]
        try:
            _update(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#c> a cg:Claim ; schema:text "Poverty, CCTV, buddy." }} }}')
            after = list(pool.map(lambda term: found(server, term), ["poverty", "CCTV", "buddy"] * 4))
        finally:
            _update(server, f"DROP SILENT GRAPH <{graph}>")
    assert all(f"{graph}#c" in hits for hits in after)
