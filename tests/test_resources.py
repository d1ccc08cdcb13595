"""Every IRI the dataset mints dereferences: HTML for browsers, RDF by content negotiation and by suffix, the ontology
page, /resource?iri= for any IRI of the store, and the HTML renderings of the VoID and service descriptions.

The expected graphs are computed here by rdflib from the curated files: a resource's concise bounded description
(with its evidence selectors), and the labels of the IRIs it links to.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import unquote
import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from conftest import CG, DATA, ONTOLOGY, TOKEN, body, copy_of, in_process, media_type, page, problem
from markupsafe import escape
from rdflib.namespace import RDF, RDFS, SKOS

BASE = "https://w3id.org/claimgraph/"
SCHEMA = rdflib.Namespace("http://schema.org/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
LABELS = (SCHEMA.name, RDFS.label, SKOS.prefLabel, SCHEMA.headline)
#: Media type → rdflib's name of the format.
RDFLIB = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
#: URL suffix → the media type it answers in.
SUFFIXES = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}


def _curated() -> rdflib.Graph:
    """The union of every curated graph: the ontology and every data file."""
    union = rdflib.Graph()
    union.parse(ONTOLOGY / "claimgraph.ttl", format="turtle")
    for path in sorted(DATA.rglob("*.trig")):
        dataset = rdflib.Dataset()
        dataset.parse(path, format="trig")
        for s, p, o, _ in dataset.quads():
            union.add((s, p, o))
    return union


CURATED = _curated()


def _kinds() -> dict[str, str]:
    """One IRI of every kind the data mints, by kind: the folder below the IRI base and the types of the resource."""
    found: dict[tuple, str] = {}
    for subject in sorted(set(CURATED.subjects())):
        if not isinstance(subject, rdflib.URIRef) or not str(subject).startswith(BASE):
            continue
        rest = str(subject)[len(BASE):]
        if rest.startswith("ontology"):
            continue
        folder = "/".join(rest.split("/")[:2]) if rest.startswith("id/") else rest.split("/")[0]
        types = tuple(sorted(str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in CURATED.objects(subject, RDF.type)))
        found.setdefault((folder.split("/")[-1] if "/" in folder else folder, types), str(subject))
    return {f"{folder}[{'+'.join(types)}]": iri for (folder, types), iri in sorted(found.items())}


KINDS = _kinds()


def expected(iri: str) -> rdflib.Graph:
    """The description of ``iri``: its CBD and its selectors' CBDs, and the labels of the IRIs they link to."""
    node = rdflib.URIRef(iri)
    graph = CURATED.cbd(node)
    for selector in list(graph.objects(node, OA.hasSelector)):
        graph += CURATED.cbd(selector)
    for linked in {o for o in graph.objects() if isinstance(o, rdflib.URIRef)}:
        for prop in LABELS:
            graph += [(linked, prop, label) for label in CURATED.objects(linked, prop)]
        if (linked, RDF.type, rdflib.URIRef(CG + "Claim")) in CURATED:
            graph += [(linked, SCHEMA.text, text) for text in CURATED.objects(linked, SCHEMA.text)]
    return graph


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):]


def parsed(response) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body(response), format=RDFLIB[media_type(response)])


def alternates(response) -> dict[str, str]:
    """The ``Link: <…>; rel="alternate"; type="…"`` headers of ``response``, as media type → URL."""
    found = {}
    for link in response.headers["Link"].split(", "):
        url, rel, kind = link.split("; ")
        assert rel == 'rel="alternate"'
        found[kind.removeprefix('type="').removesuffix('"')] = url.strip("<>")
    return found


# ---------------------------------------------------------------- the table: every kind × every representation


def test_the_data_mints_the_kinds_this_table_covers():
    folders = {name.split("[")[0] for name in KINDS}
    assert {"claim", "evidence", "figure", "source", "person", "place", "org", "event", "policy", "outcome", "measure",
            "policy-area", "graph", "kind", "unit"} <= folders


@pytest.mark.parametrize("iri", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize("wanted", list(RDFLIB))
def test_every_kind_answers_its_description_by_negotiation(app, iri, wanted):
    response = app.get(path_of(iri), headers={"Accept": wanted})
    assert (response.status_code, media_type(response)) == (200, wanted)
    assert "accept" in {word.strip().lower() for word in response.headers["Vary"].split(",")}
    assert rdflib.compare.isomorphic(parsed(response), expected(iri))


@pytest.mark.parametrize("iri", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize("suffix", list(SUFFIXES))
def test_every_kind_answers_at_its_suffix_urls_over_accept(app, iri, suffix):
    response = app.get(f"{path_of(iri)}.{suffix}", headers={"Accept": "text/html"})
    assert (response.status_code, media_type(response)) == (200, SUFFIXES[suffix])
    assert rdflib.compare.isomorphic(parsed(response), expected(iri))


@pytest.mark.parametrize("iri", KINDS.values(), ids=KINDS.keys())
def test_every_kind_has_a_page_naming_its_alternates(app, iri):
    response = app.get(path_of(iri), headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert (response.status_code, media_type(response)) == (200, "text/html")
    links = {f"{path_of(iri)}.{suffix}": media for suffix, media in SUFFIXES.items()}
    assert alternates(response) == {media: url for url, media in links.items()}
    assert set(page(response).hrefs("link")) >= {"http://localhost" + url for url in links}


@pytest.mark.parametrize("name", ["claim", "person", "place"])
@pytest.mark.parametrize("wanted", list(RDFLIB))
def test_a_claim_person_and_place_over_gunicorn(server, name, wanted):
    iri = next(iri for kind, iri in KINDS.items() if kind.startswith(name + "["))
    response = server.get(path_of(iri), headers={"Accept": wanted})
    assert (response.status_code, media_type(response)) == (200, wanted)
    assert rdflib.compare.isomorphic(parsed(response), expected(iri))


@pytest.mark.parametrize("name", ["json-ld", "jsonld"])
def test_format_parameter_chooses_over_accept(app, name):
    iri = KINDS[next(kind for kind in KINDS if kind.startswith("claim["))]
    response = app.get(path_of(iri), params={"format": name}, headers={"Accept": "text/html"})
    assert (response.status_code, media_type(response)) == (200, "application/ld+json")
    assert rdflib.compare.isomorphic(parsed(response), expected(iri))


def test_json_ld_is_compacted_with_the_project_context(app):
    iri = KINDS[next(kind for kind in KINDS if kind.startswith("claim["))]
    document = app.get(path_of(iri) + ".jsonld").json
    assert document["@context"]["cg"] == CG
    [claim] = [node for node in document["@graph"] if node["@id"] == iri]
    assert (claim["@type"], claim["text"]["@value"]) == ("Claim", str(CURATED.value(rdflib.URIRef(iri), SCHEMA.text)))


def test_the_generic_page_shows_properties_compacted_and_linked(app):
    """A figure has no page of its own kind (views.page gives none): the generic page shows it."""
    figure = next(iri for kind, iri in KINDS.items() if kind.startswith("figure["))
    about = CURATED.value(rdflib.URIRef(figure), SCHEMA.observationAbout)
    response = app.get(path_of(figure), headers={"Accept": "text/html"})
    html = page(response)
    assert "schema:value" in html.text
    assert "http://localhost" + path_of(str(about)) in html.hrefs("a")
    assert str(CURATED.value(about, SCHEMA.name)) in html.text
    assert "http://localhost/ontology#Figure" in html.hrefs("a")


# ---------------------------------------------------------------- errors


def test_an_unknown_iri_is_404(app):
    response = app.get("/id/claim/no-such-claim", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert problem(response)["detail"] == f"the store holds nothing about <{BASE}id/claim/no-such-claim>"


def test_an_unknown_iri_with_a_suffix_is_404_naming_the_iri_without_it(app):
    response = app.get("/id/claim/no-such-claim.ttl", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert problem(response)["detail"] == f"the store holds nothing about <{BASE}id/claim/no-such-claim>"


def test_an_unknown_iri_by_resource_is_404(app):
    response = app.get("/resource", params={"iri": "http://example.org/nothing-here"}, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert problem(response)["detail"] == "the store holds nothing about <http://example.org/nothing-here>"


def test_nothing_acceptable_is_406(app):
    iri = next(iter(KINDS.values()))
    response = app.get(path_of(iri), headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert problem(response)["detail"] == "none of the media types in the Accept header can represent an RDF graph"


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({}, "parameter 'iri': missing"),
        ([("iri", "http://example.org/a"), ("iri", "http://example.org/b")], "parameter 'iri': given 2 times; give it once"),
    ],
)
def test_a_bad_iri_parameter_is_400_naming_it(app, params, detail):
    response = app.get("/resource", params=params, headers={"Accept": "application/json"})
    assert (response.status_code, problem(response)["parameter"], problem(response)["detail"]) == (400, "iri", detail)


def test_a_relative_iri_is_400_with_the_parser_message(app):
    try:
        ox.NamedNode("not an iri")
    except ValueError as error:
        reason = str(error)
    response = app.get("/resource", params={"iri": "not an iri"}, headers={"Accept": "application/json"})
    assert (response.status_code, problem(response)["parameter"]) == (400, "iri")
    assert problem(response)["detail"] == f"parameter 'iri': 'not an iri' is not an absolute IRI ({reason})"


def test_a_suffix_and_a_format_parameter_together_are_400(app):
    iri = next(iter(KINDS.values()))
    response = app.get(path_of(iri) + ".ttl", params={"format": "nt"}, headers={"Accept": "application/json"})
    assert (response.status_code, problem(response)["parameter"]) == (400, "format")
    assert problem(response)["detail"] == "parameter 'format': the URL's suffix .ttl names the format already; give one of them"


def test_an_unknown_format_is_400_naming_format(app):
    iri = next(iter(KINDS.values()))
    response = app.get(path_of(iri), params={"format": "csv"}, headers={"Accept": "application/json"})
    assert (response.status_code, problem(response)["parameter"]) == (400, "format")
    assert problem(response)["detail"].startswith("parameter 'format': unknown or unsuitable format 'csv' here; use one of: ")


# ---------------------------------------------------------------- /resource?iri=


@pytest.mark.parametrize("script_name", ["", "/sub/path"])
def test_resource_redirects_an_iri_of_the_base_to_its_own_path(app, script_name):
    iri = next(iri for kind, iri in KINDS.items() if kind.startswith("claim["))
    response = app.app.test_client().get("/resource", query_string={"iri": iri}, environ_overrides={"SCRIPT_NAME": script_name})
    assert (response.status_code, response.headers["Location"]) == (303, script_name + path_of(iri))


def test_links_of_a_page_under_a_sub_path_keep_it(app):
    iri = next(iri for kind, iri in KINDS.items() if kind.startswith("place["))
    response = app.app.test_client().get(path_of(iri), headers={"Accept": "text/html"}, environ_overrides={"SCRIPT_NAME": "/sub"})
    assert response.status_code == 200
    assert alternates(response) == {media: f"/sub{path_of(iri)}.{suffix}" for suffix, media in SUFFIXES.items()}


def test_resource_keeps_the_format_in_its_redirect(app):
    iri = next(iri for kind, iri in KINDS.items() if kind.startswith("person["))
    response = app.get("/resource", params={"iri": iri, "format": "ttl"})
    assert (response.status_code, response.headers["Location"]) == (303, path_of(iri) + "?format=ttl")


def test_resource_redirects_an_ontology_term_to_its_anchor(app):
    response = app.get("/resource", params={"iri": CG + "Claim"})
    assert (response.status_code, response.headers["Location"]) == (303, "/ontology#Claim")


def test_resource_answers_an_iri_written_through_update(server):
    thing, graph = "http://example.org/x", "http://example.org/test-resources"
    place = next(iri for kind, iri in KINDS.items() if kind.startswith("place["))
    name = "A thing <script>alert(1)</script> written by a test"
    update = (f"INSERT DATA {{ GRAPH <{graph}> {{ <{thing}> <http://schema.org/name> {ox.Literal(name)} ; "
              f"<http://schema.org/about> <{place}> }} }}")
    written = server.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert written.status_code == 204
    try:
        html = server.get("/resource", params={"iri": thing}, headers={"Accept": "text/html"})
        assert (html.status_code, media_type(html)) == (200, "text/html")
        assert f"<h1>{escape(name)}</h1>" in html.text
        assert "<script>" not in html.text
        assert server.url + path_of(place) in page(html).hrefs("a")
        for wanted_type, url in alternates(html).items():
            alternate = server.get(url, headers={"Accept": "text/html"})
            assert (alternate.status_code, media_type(alternate)) == (200, wanted_type)
        turtle = server.get("/resource", params={"iri": thing}, headers={"Accept": "text/turtle"})
        assert (turtle.status_code, media_type(turtle)) == (200, "text/turtle")
        wanted = rdflib.Graph()
        wanted.add((rdflib.URIRef(thing), SCHEMA.name, rdflib.Literal(name)))
        wanted.add((rdflib.URIRef(thing), SCHEMA.about, rdflib.URIRef(place)))
        wanted += [(rdflib.URIRef(place), SCHEMA.name, name) for name in CURATED.objects(rdflib.URIRef(place), SCHEMA.name)]
        assert rdflib.compare.isomorphic(parsed(turtle), wanted)
    finally:
        dropped = server.post("/update", data={"update": f"DROP GRAPH <{graph}>"}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert dropped.status_code == 204


def test_a_page_counts_what_refers_to_it(app):
    """The concept most claims are of a kind of (the generic page: concepts have no page of their own kind)."""
    concept = max((o for o in CURATED.objects() if isinstance(o, rdflib.URIRef) and str(o).startswith(BASE + "kind/")),
                  key=lambda o: len(set(CURATED.subject_predicates(o))))
    links = len({(s, p) for s, p in CURATED.subject_predicates(concept) if isinstance(s, rdflib.URIRef)})
    response = app.get("/resource", params={"iri": str(concept), "format": "html"})
    assert response.status_code == 303
    html = app.get(response.headers["Location"], headers={"Accept": "text/html"})
    assert f"{links} links to this resource." in " ".join(page(html).text.split())


def test_a_page_caps_what_refers_to_it_and_counts_it(own_app):
    referrers = 60
    insert = " ".join(f"<urn:claimgraph:test:r{n}> <http://example.org/p> <http://example.org/target> ." for n in range(referrers))
    written = own_app.post("/update", data={"update": f"INSERT DATA {{ GRAPH <http://example.org/g> {{ {insert} }} }}"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert written.status_code == 204
    html = own_app.get("/resource", params={"iri": "http://example.org/target"}, headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert f"The first 50 of {referrers} links to this resource." in " ".join(page(html).text.split())


# ---------------------------------------------------------------- the ontology


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        if "id" in dict(attrs):
            self.ids.append(dict(attrs)["id"])


def test_every_ontology_term_of_the_data_has_its_anchor_on_the_ontology_page(app):
    response = app.get("/ontology", headers={"Accept": "text/html"})
    assert (response.status_code, media_type(response)) == (200, "text/html")
    parser = _Ids()
    parser.feed(body(response).decode())
    terms = {str(term)[len(CG):] for triple in CURATED for term in triple if str(term).startswith(CG) and str(term) != CG}
    assert terms <= set(parser.ids)
    assert len(parser.ids) == len(set(parser.ids))


@pytest.mark.parametrize("wanted", list(RDFLIB))
def test_the_ontology_is_its_graph_by_negotiation(app, wanted):
    response = app.get("/ontology", headers={"Accept": wanted})
    assert (response.status_code, media_type(response)) == (200, wanted)
    assert rdflib.compare.isomorphic(parsed(response), rdflib.Graph().parse(ONTOLOGY / "claimgraph.ttl"))


@pytest.mark.parametrize("suffix", list(SUFFIXES))
def test_the_ontology_is_its_graph_at_its_suffix_urls(app, suffix):
    response = app.get(f"/ontology.{suffix}", headers={"Accept": "text/html"})
    assert (response.status_code, media_type(response)) == (200, SUFFIXES[suffix])
    assert rdflib.compare.isomorphic(parsed(response), rdflib.Graph().parse(ONTOLOGY / "claimgraph.ttl"))


def test_the_ontology_page_lists_domains_ranges_and_concepts(app):
    html = page(app.get("/ontology", headers={"Accept": "text/html"}))
    ontology = rdflib.Graph().parse(ONTOLOGY / "claimgraph.ttl")
    for prop in ontology.subjects(RDFS.range, None):
        assert str(ontology.value(prop, RDFS.comment)) in html.text
    schemes = defaultdict(set)
    for concept, scheme in ontology.subject_objects(SKOS.inScheme):
        schemes[scheme].add(concept)
    for concepts in schemes.values():
        for concept in concepts:
            assert "http://localhost" + path_of(str(concept)) in html.hrefs("a")


def test_an_unknown_ontology_suffix_is_404(app):
    assert app.get("/ontology.exe", headers={"Accept": "application/json"}).status_code == 404


# ---------------------------------------------------------------- VoID and the service description


def test_void_has_a_page_for_browsers(app):
    response = app.get("/.well-known/void", headers={"Accept": "text/html,*/*;q=0.8"})
    assert (response.status_code, media_type(response)) == (200, "text/html")
    graphs = set()
    for path in DATA.rglob("*.trig"):
        graphs |= {str(graph.identifier) for graph in rdflib.Dataset().parse(path, format="trig").graphs() if len(graph)}
    assert {"http://localhost" + path_of(graph) for graph in graphs} <= set(page(response).hrefs("a"))
    assert alternates(response)["text/turtle"] == "/.well-known/void?format=ttl"


def test_void_is_still_turtle_for_any_client(app):
    response = app.get("/.well-known/void", headers={"Accept": "*/*"})
    assert (response.status_code, media_type(response)) == (200, "text/turtle")


def test_the_service_description_has_a_page_and_the_rdf_of_sparql(app):
    html = app.get("/service-description", headers={"Accept": "text/html"})
    assert (html.status_code, media_type(html)) == (200, "text/html")
    assert app.sparql() in page(html).hrefs("a")
    turtle = app.get("/service-description", headers={"Accept": "text/turtle"})
    from_sparql = app.get("/sparql", headers={"Accept": "text/turtle"})
    assert (turtle.status_code, from_sparql.status_code) == (200, 200)
    assert rdflib.compare.isomorphic(parsed(turtle), parsed(from_sparql))



def test_an_iri_ending_in_a_suffix_is_served_when_only_the_whole_path_is_known(app):
    iri, graph = BASE + "id/test-resources/notes.ttl", "http://example.org/test-resources-suffix"
    authorization = {"Authorization": f"Bearer {TOKEN}"}
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <{iri}> <http://schema.org/name> \"notes\" }} }}"
    assert app.post("/update", data={"update": update}, headers=authorization).status_code == 204
    try:
        response = app.get("/id/test-resources/notes.ttl", headers={"Accept": "application/n-triples"})
        assert (response.status_code, media_type(response)) == (200, "application/n-triples")
        assert set(parsed(response)) == {(rdflib.URIRef(iri), SCHEMA.name, rdflib.Literal("notes"))}
    finally:
        assert app.post("/update", data={"update": f"DROP GRAPH <{graph}>"}, headers=authorization).status_code == 204


# ---------------------------------------------------------------- IRIs a path cannot give back, other IRI bases, unsafe links


@pytest.fixture(scope="module")
def elsewhere(loaded_store, tmp_path_factory):
    """A service whose IRI base is not the curated data's: the data's IRIs have no paths of their own there."""
    with in_process(copy_of(loaded_store, tmp_path_factory.mktemp("elsewhere")), iri_base="https://example.org/cg/", workers=1) as running:
        yield running


def written(service, triples: str) -> None:
    response = service.post("/update", data={"update": f"INSERT DATA {{ GRAPH <urn:claimgraph:test:g> {{ {triples} }} }}"},
                            headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204


def test_under_another_iri_base_the_vocabulary_search_and_ontology_still_answer(app, elsewhere):
    """The ontology is claimgraph's whatever base a deployment mints data under: search finds the same claims and
    the ontology page answers; the curated IRIs, not under that base, answer at /resource without a redirect."""
    def total(service, path, **params):
        return json.loads(body(service.get(path, params=params)))["total"]

    assert total(elsewhere, "/search.json", q="refugees") == total(app, "/search.json", q="refugees")
    assert total(elsewhere, "/claims.json") == len(set(CURATED.subjects(RDF.type, rdflib.URIRef(CG + "Claim"))))
    assert elsewhere.get("/ontology", headers={"Accept": "text/turtle"}).status_code == 200
    claim = next(iri for kind, iri in KINDS.items() if kind.startswith("claim["))
    assert elsewhere.get(path_of(claim), headers={"Accept": "text/turtle"}).status_code == 404
    served = elsewhere.get("/resource", params={"iri": claim}, headers={"Accept": "text/turtle"})
    assert (served.status_code, media_type(served)) == (200, "text/turtle")
    assert rdflib.compare.isomorphic(parsed(served), expected(claim))


def test_under_another_iri_base_its_own_iris_have_their_paths(elsewhere):
    written(elsewhere, '<https://example.org/cg/id/thing/x> <http://schema.org/name> "X" .')
    assert elsewhere.get("/id/thing/x", headers={"Accept": "text/turtle"}).status_code == 200
    redirected = elsewhere.get("/resource", params={"iri": "https://example.org/cg/id/thing/x"})
    assert (redirected.status_code, redirected.headers["Location"]) == (303, "/id/thing/x")


@pytest.mark.parametrize("rest", ["a%2Fb", "q?x=1", "h#frag", "d/../e", "two//slashes", "x.ttl", "y.jsonld"])
def test_an_iri_no_path_gives_back_is_answered_at_resource(own_app, rest):
    iri = f"{BASE}id/thing/{rest}"
    written(own_app, f'{ox.NamedNode(iri)} <http://schema.org/name> "odd" .')
    response = own_app.get("/resource", params={"iri": iri}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert (rdflib.URIRef(iri), SCHEMA.name, rdflib.Literal("odd")) in parsed(response)


@pytest.mark.parametrize("rest", ["José", "a+b", "a;b", "semi(x)", "a'b", "v1.2", "deep/er/path"])
def test_an_iri_a_path_gives_back_is_sent_to_its_path(own_app, rest):
    iri = f"{BASE}id/thing/{rest}"
    written(own_app, f'{ox.NamedNode(iri)} <http://schema.org/name> "fine" .')
    redirected = own_app.get("/resource", params={"iri": iri})
    assert redirected.status_code == 303
    assert unquote(redirected.headers["Location"]) == f"/id/thing/{rest}"
    response = own_app.get(f"/id/thing/{rest}", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert (rdflib.URIRef(iri), SCHEMA.name, rdflib.Literal("fine")) in parsed(response)


def test_resource_answers_404_before_any_redirect(app):
    response = app.get("/resource", params={"iri": f"{BASE}id/claim/nothing-of-the-kind"}, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert problem(response)["detail"] == f"the store holds nothing about <{BASE}id/claim/nothing-of-the-kind>"


def test_no_page_links_an_iri_that_is_not_http(own_app):
    """A predicate or a source URL such as ``javascript:…`` from the data is shown, never linked as it is."""
    source = f"{BASE}id/source/test-unsafe"
    written(own_app, f"""<urn:claimgraph:test:thing> <javascript:alert(1)//> "x" .
        <{source}> a <http://schema.org/NewsArticle> ; <http://schema.org/headline> "Unsafe" ;
          <http://schema.org/url> <javascript:alert(4)> .""")
    for path, params in (("/resource", {"iri": "urn:claimgraph:test:thing"}), (path_of(source), {})):
        response = own_app.get(path, params=params, headers={"Accept": "text/html"})
        assert response.status_code == 200
        hrefs = page(response).hrefs("a")
        assert [href for href in hrefs if href.startswith("//") or not href.startswith(("/", "http://", "https://", "#"))] == [], path
        attributes = re.findall(r'(?:href|src|cite|action)="([^"]*)"', body(response).decode())
        assert [value for value in attributes if value.strip().lower().startswith("javascript:")] == [], path
    assert "javascript:alert(4)" in page(own_app.get(path_of(source), headers={"Accept": "text/html"})).text
