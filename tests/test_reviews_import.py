"""Reviews in: the ClaimReview JSON-LD shapes fact-checkers publish, the YAML form, matching to the curated claims, the
quads of tests/fixtures/reviews.trig, the checks, and ``claimgraph import-claimreview`` into a store or a TriG file."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from claimgraph.errors import ReviewError
from claimgraph.model import catalog, entities, reviewgraph, reviews
from claimgraph.rdf import vocabulary
from claimgraph.store.base import insert_data
from conftest import ONTOLOGY, QUERIES, as_dataset, count, dump, isomorphic_datasets, select

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "claimreview" / "good"
MALFORMED = FIXTURES / "claimreview" / "malformed" / "feed.json"
REVIEWS_TRIG = FIXTURES / "reviews.trig"
BASE = "https://w3id.org/claimgraph/"
CLAIM = BASE + "id/claim/dw-2017-mechelen/"
ARTICLE_URL = "https://www.dw.com/en/belgian-city-of-mechelen-embraces-integration/a-40697578"
FROM_REVIEW = "https://w3id.org/claimgraph/ontology#ClaimFromReview"


def claimreview_objects(node: object) -> list[dict]:
    """The objects of a parsed JSON document whose @type names ClaimReview, however it is spelled."""
    if isinstance(node, list):
        return [found for item in node for found in claimreview_objects(item)]
    if not isinstance(node, dict):
        return []
    types = node.get("@type", [])
    own = [node] if any(str(kind).endswith("ClaimReview") for kind in (types if isinstance(types, list) else [types])) else []
    return own + [found for value in node.values() for found in claimreview_objects(value)]


def well_formed(document: object, where: str = "one.json") -> list[reviews.Review]:
    """The reviews of a document every record of which is well formed."""
    found, problems = reviews.read_claimreview(document, where)
    assert problems == []
    return found


def read(path: Path) -> list[reviews.Review]:
    return well_formed(reviews.read_json(path.read_bytes(), path.name), path.name)


@pytest.fixture(scope="module")
def known(curated) -> reviewgraph.KnownClaims:
    return reviewgraph.KnownClaims.of_quads(curated.quads)


@pytest.fixture
def index(curated) -> entities.Entities:
    return entities.Entities.of_quads(curated.quads)


def built(batch, known, index) -> reviewgraph.Built:
    return reviewgraph.build(batch, known, index, BASE)


# ---------------------------------------------------------------- the shapes of ClaimReview JSON-LD


@pytest.mark.parametrize("path", sorted(GOOD.iterdir()), ids=lambda path: path.name)
def test_every_claimreview_of_a_fixture_becomes_one_review(path):
    records = claimreview_objects(json.loads(path.read_text(encoding="utf-8")))
    found = read(path)
    assert [review.url for review in found] == [
        record["url"][0] if isinstance(record["url"], list) else record["url"] for record in records
    ]


MINIMAL = {
    "@type": "ClaimReview",
    "url": "https://factcheck.example.org/minimal",
    "claimReviewed": "Example City has more bicycles than residents.",
    "author": {"name": "Example Fact Check"},
    "reviewRating": {"alternateName": "False"},
    "datePublished": "2017-10-11",
}


@pytest.mark.parametrize("context", [
    "http://schema.org", "https://schema.org", "http://schema.org/", "https://schema.org/",
    {"@vocab": "http://schema.org/"}, {"@vocab": "https://schema.org/"}, ["https://schema.org", {"@language": "en"}],
])
@pytest.mark.parametrize("kind", ["ClaimReview", "schema:ClaimReview", "http://schema.org/ClaimReview",
                                  "https://schema.org/ClaimReview", ["ClaimReview"]])
def test_schema_org_is_read_however_written(context, kind):
    [review] = well_formed({**MINIMAL, "@context": context, "@type": kind})
    assert (review.url, review.rating.label, review.reviewer.name) == ("https://factcheck.example.org/minimal", "False", "Example Fact Check")


@pytest.mark.parametrize("document, problem", [
    ({**MINIMAL, "@context": "https://example.org/vocab"},
     'one.json: @context: "https://example.org/vocab" is not schema.org (give "https://schema.org")'),
    (MINIMAL, 'one.json: no @context: give "@context": "https://schema.org"'),
    ({"@context": "https://schema.org", "@type": "Article"},
     'one.json: @type "Article": not a ClaimReview, a DataFeed of them or an @graph'),
    ({"@context": "https://schema.org", "@graph": []}, "one.json: no ClaimReview in the document"),
])
def test_a_document_that_is_not_claimreview_is_refused_naming_why(document, problem):
    assert reviews.read_claimreview(document, "one.json") == ([], [problem])


def test_values_in_lists_prefixed_keys_and_value_objects_are_read():
    document = {
        "@context": "https://schema.org", "@type": "ClaimReview", "schema:url": ["https://factcheck.example.org/minimal"],
        "claimReviewed": [{"@value": "Example City has more bicycles than residents."}],
        "author": [{"name": ["Example Fact Check"], "sameAs": ["https://social.example.org/@efc"]}],
        "reviewRating": [{"ratingValue": "2", "bestRating": 5, "worstRating": "1"}],
        "reviewBody": {"@value": "Made up.", "@language": "en-GB"}, "datePublished": ["2017-10-11"],
    }
    [review] = well_formed(document)
    assert review.rating == reviews.Rating(value=Decimal(2), best=Decimal(5), worst=Decimal(1))
    assert (review.url, review.explanation, review.language) == ("https://factcheck.example.org/minimal", "Made up.", "en-GB")
    assert review.reviewer.same_as == ("https://social.example.org/@efc",)


def test_a_numeric_rating_without_its_scale_gets_schema_orgs_default_scale():
    [review] = well_formed({**MINIMAL, "@context": "https://schema.org", "reviewRating": {"ratingValue": 3}})
    assert review.rating == reviews.Rating(value=Decimal(3), best=reviews.DEFAULT_BEST, worst=reviews.DEFAULT_WORST)


def test_every_problem_of_a_malformed_feed_names_the_record_and_the_property():
    found, problems = reviews.read_claimreview(reviews.read_json(MALFORMED.read_bytes(), "feed.json"), "feed.json")
    assert [review.url for review in found] == ["https://factcheck.example.org/2017/mechelen-location",
                                                "https://factcheck.example.org/2017/unknown-claim-iri"]
    assert problems == [
        'feed.json: record 2 (https://factcheck.example.org/2017/bad-scale): datePublished: "last week" is not a date '
        "(YYYY-MM-DD) or date and time (YYYY-MM-DDThh:mm:ss, optionally with a time zone, Z or +hh:mm)",
        'feed.json: record 2 (https://factcheck.example.org/2017/bad-scale): reviewRating.bestRating: "five" is not a number',
        "feed.json: record 3: url: missing",
    ]


def test_json_that_does_not_parse_is_named_with_line_and_column():
    with pytest.raises(ReviewError) as raised:
        reviews.read_json(b'{\n  "@type": "ClaimReview",\n}', "broken.json")
    assert raised.value.problems == ["broken.json:3:1: not JSON: Expecting property name enclosed in double quotes"]


# ---------------------------------------------------------------- matching to the curated claims


@pytest.mark.parametrize("name, url, claim", [
    ("feed.json", "https://factcheck.example.org/2017/mechelen-cctv", "most-cctv"),  # itemReviewed names it
    ("feed.json", "https://factcheck.example.org/2017/mechelen-roundup", "poverty-falling"),  # claim text and URL
    ("list.jsonld", "https://verify.example.net/checks/41", "most-cctv"),  # the article's words, curly apostrophe
    ("list.jsonld", "https://verify.example.net/checks/42", "poverty-falling"),
    ("graph.jsonld", "https://truthmeter.example.org/ratings/somers-mayor", "somers-mayor"),
])
def test_a_review_is_matched_to_the_claim_it_names_or_whose_text_and_page_it_gives(known, index, name, url, claim):
    batch = read(GOOD / name)
    result = built(batch, known, index)
    assert CLAIM + claim in [found for review, found in zip(batch, result.claims) if review.url == url]


def test_a_review_of_a_claim_the_data_lacks_gets_a_claim_of_its_own(known, index, data_store):
    batch = read(GOOD / "graph.jsonld")
    result = built(batch, known, index)
    [(review, iri, claim)] = [(r, i, c) for r, i, c in zip(batch, result.reviews, result.claims) if c == i + "-claim"]
    store = ox.Store()
    store.extend(result.quads)
    [row] = select(store, f"""SELECT ?class ?text ?author ?name ?date ?from (COUNT(?page) AS ?pages) WHERE {{
        <{claim}> a ?class ; schema:text ?text ; schema:author ?author ; schema:datePublished ?date ; cg:fromReview ?from ;
            schema:appearance ?page . ?author a schema:Organization ; schema:name ?name }}
        GROUP BY ?class ?text ?author ?name ?date ?from""")
    assert row == {"class": FROM_REVIEW, "text": review.claim_text, "author": BASE + "id/org/example-council",
                   "name": "Example Council", "date": review.claim_date, "from": iri, "pages": str(len(review.appearances))}
    assert count(data_store, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{BASE}id/org/example-council> ?p ?o }}") == 0


def test_the_same_text_on_another_page_is_not_the_curated_claim(known, index):
    [review] = read(GOOD / "single.json")
    moved = dataclasses.replace(review, claim_text=known.texts[CLAIM + "poverty-falling"])
    result = built([moved], known, index)
    assert result.claims == [result.reviews[0] + "-claim"]
    assert built([dataclasses.replace(moved, appearances=(ARTICLE_URL,))], known, index).claims == [CLAIM + "poverty-falling"]


def test_a_claim_iri_of_the_dataset_that_names_no_claim_is_an_error_and_another_iri_is_not(known, index):
    [review] = read(GOOD / "single.json")
    with pytest.raises(ReviewError) as raised:
        built([dataclasses.replace(review, claim=CLAIM + "no-such-claim")], known, index)
    assert raised.value.problems == [f"{review.where}: itemReviewed: <{CLAIM}no-such-claim> is no claim of this dataset"]
    elsewhere = built([dataclasses.replace(review, claim="https://factcheck.example.org/claims/7")], known, index)
    assert elsewhere.claims == [elsewhere.reviews[0] + "-claim"]


def test_a_review_naming_its_own_claim_from_a_review_makes_it_again(curated, known):
    """An export names a claim known only from a review by its IRI; importing that anew gives the same quads."""
    [review] = read(GOOD / "single.json")
    first = built([review], known, entities.Entities.of_quads(curated.quads))
    [claim] = first.claims
    again = built([dataclasses.replace(review, claim=claim)], known, entities.Entities.of_quads(curated.quads))
    assert (again.reviews, again.claims, set(again.quads)) == (first.reviews, [claim], set(first.quads))


def test_a_reviewer_the_data_names_is_linked_not_created_again(known, index, data_store):
    [org] = [row["org"] for row in select(data_store, 'SELECT ?org WHERE { ?org schema:alternateName "DW" }')]
    [name] = [row["name"] for row in select(data_store, f"SELECT ?name WHERE {{ <{org}> schema:name ?name }}")]
    [review] = read(GOOD / "single.json")
    result = built([dataclasses.replace(review, reviewer=reviews.Reviewer(name=name.upper()))], known, index)
    slug = org.rpartition("/")[2]
    assert result.graphs == [BASE + "graph/reviews/" + slug]
    assert result.reviews[0].startswith(BASE + "id/review/" + slug + "/")
    assert [q.object.value for q in result.quads if q.predicate.value == vocabulary.SCHEMA + "author"
            and q.subject.value == result.reviews[0]] == [org]
    assert not [q for q in result.quads if q.subject.value == org]


def test_reviews_in_one_article_are_several_and_the_same_review_twice_is_an_error(known, index):
    batch = read(GOOD / "feed.json")
    roundup = [iri for review, iri in zip(batch, built(batch, known, index).reviews) if review.url.endswith("roundup")]
    assert len(roundup) == 2 and len(set(roundup)) == 2
    with pytest.raises(ReviewError) as raised:
        built([batch[0], dataclasses.replace(batch[0], where="again.json: record 1")], known, index)
    assert raised.value.problems == [f"again.json: record 1: the same review (url {batch[0].url}, the same claim) as {batch[0].where}"]


def test_building_again_gives_the_same_iris_and_quads(curated, known):
    batch = [review for path in sorted(GOOD.iterdir()) for review in read(path)]
    first = built(batch, known, entities.Entities.of_quads(curated.quads))
    second = built(batch, known, entities.Entities.of_quads(curated.quads))
    assert (first.reviews, set(first.quads)) == (second.reviews, set(second.quads))


# ---------------------------------------------------------------- the quads: exactly the shape of tests/fixtures/reviews.trig

FIXTURE_REVIEWS = """SELECT ?review ?claim ?fromReview ?text ?label ?value ?best ?worst ?body ?url ?title ?date ?language
        ?reviewer ?site ?claimant ?page ?claimDate WHERE {
    ?review a schema:ClaimReview ; schema:itemReviewed ?claim ; schema:claimReviewed ?text ; schema:reviewRating ?rating ;
        schema:url ?url ; schema:datePublished ?date ; schema:inLanguage ?language ; schema:author ?org .
    ?org schema:name ?reviewer ; schema:url ?site .
    OPTIONAL { ?rating schema:alternateName ?label } OPTIONAL { ?rating schema:ratingValue ?value ; schema:bestRating ?best ; schema:worstRating ?worst }
    OPTIONAL { ?review schema:reviewBody ?body } OPTIONAL { ?review schema:headline ?title }
    OPTIONAL { ?claim a cg:ClaimFromReview ; schema:appearance ?page ; schema:datePublished ?claimDate ; schema:author ?person .
               ?person schema:name ?claimant BIND (true AS ?fromReview) }
} ORDER BY ?review"""


def test_the_yaml_form_of_the_fixtures_reviews_builds_exactly_the_fixture(curated, known):
    """Each review of tests/fixtures/reviews.trig, written in the YAML form, builds the fixture's quads (the review
    IRIs aside: the fixture's keys are written by hand)."""
    fixture = ox.Store()
    fixture.load(path=str(REVIEWS_TRIG), format=ox.RdfFormat.TRIG)
    everything = curated.store()
    everything.load(path=str(REVIEWS_TRIG), format=ox.RdfFormat.TRIG)
    rows = select(everything, FIXTURE_REVIEWS)
    assert len(rows) == count(fixture, "SELECT (COUNT(*) AS ?n) WHERE { ?r a schema:ClaimReview }")
    items = []
    for row in rows:
        item = {"reviewer": {"name": row["reviewer"], "url": row["site"]}, "url": row["url"], "date": row["date"],
                "language": row["language"], "rating": {key: row[key] for key in ("label", "value", "best", "worst") if key in row},
                "claim-text": row["text"]}
        if "fromReview" in row:
            item.update({"appearance": [row["page"]], "claimant": row["claimant"], "claim-date": row["claimDate"]})
        else:
            item["claim"] = row["claim"]
        item.update({key: row[name] for key, name in (("explanation", "body"), ("title", "title")) if name in row})
        items.append(reviews.from_mapping(item, f"reviews.yaml: {row['review']}"))
    result = built(items, known, entities.Entities.of_quads(curated.quads))
    renamed = {}
    for row, iri in zip(rows, result.reviews):
        renamed.update({row["review"] + suffix: iri + suffix for suffix in ("", "-rating", "-claim")})

    def rename(term):
        return ox.NamedNode(renamed.get(term.value, term.value)) if isinstance(term, ox.NamedNode) else term

    expected = {ox.Quad(rename(q.subject), q.predicate, rename(q.object), q.graph_name) for q in fixture}
    assert set(result.quads) == expected


@pytest.mark.parametrize("number, literal", [
    (Decimal("4"), ox.Literal("4", datatype=ox.NamedNode(reviews.XSD + "integer"))),
    (Decimal("4.0"), ox.Literal("4.0", datatype=ox.NamedNode(reviews.XSD + "decimal"))),
    (Decimal("9.5"), ox.Literal("9.5", datatype=ox.NamedNode(reviews.XSD + "decimal"))),
])
def test_numbers_keep_the_form_they_are_given_in(known, index, number, literal):
    [review] = read(GOOD / "single.json")
    scaled = dataclasses.replace(review, rating=reviews.Rating(value=number, best=Decimal(10), worst=Decimal(0)))
    [value] = [q.object for q in built([scaled], known, index).quads if q.predicate.value == vocabulary.SCHEMA + "ratingValue"]
    assert value == literal


# ---------------------------------------------------------------- the YAML form


def test_a_yaml_review_with_its_dates_as_yaml_reads_them():
    import datetime

    review = reviews.from_mapping({
        "claim": CLAIM + "most-cctv", "reviewer": {"name": "Example Fact Check", "url": "https://factcheck.example.org/"},
        "rating": {"label": "Mostly true", "value": 4, "best": 5, "worst": 1}, "url": "https://factcheck.example.org/2017/mechelen-cctv",
        "date": datetime.date(2017, 10, 4), "language": "en", "title": "Does Mechelen have the most CCTV?",
    }, "claims.yaml:41")
    assert (review.date, review.rating.value, review.claim_text) == ("2017-10-04", Decimal(4), "")


def test_every_problem_of_a_yaml_review_is_named():
    with pytest.raises(ReviewError) as raised:
        reviews.from_mapping({"claim": "most-cctv", "reviewer": {"name": "Example Fact Check", "site": "x"},
                              "rating": {"value": "five"}, "date": "2017-13-01", "verdict": "true"}, "claims.yaml:41")
    assert raised.value.problems == [
        "claims.yaml:41: unknown key verdict; the keys are " + ", ".join(reviews.YAML_KEYS),
        "claims.yaml:41: url: missing",
        "claims.yaml:41: reviewer: unknown key site; the keys are name, url, sameAs",
        'claims.yaml:41: rating.value: "five" is not a number',
        "claims.yaml:41: rating: needs the reviewer's label (alternateName) or a number on the reviewer's scale (ratingValue)",
        'claims.yaml:41: date: "2017-13-01" is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDThh:mm:ss, optionally with a time zone, Z or +hh:mm)',
    ]


def test_a_yaml_claim_id_left_unresolved_is_refused_by_build(known, index):
    review = reviews.from_mapping({"claim": "most-cctv", "reviewer": {"name": "Example Fact Check"}, "rating": {"label": "True"},
                                   "url": "https://factcheck.example.org/x", "date": "2017-10-04"}, "claims.yaml:41")
    with pytest.raises(ReviewError) as raised:
        built([review], known, index)
    assert raised.value.problems == [
        "claims.yaml:41: itemReviewed: 'most-cctv' is not the IRI of a claim",
        "claims.yaml:41: claimReviewed: missing: the claim's text",
    ]


# ---------------------------------------------------------------- the shapes


def test_a_rating_past_its_scale_is_refused_by_the_shapes(curated, known):
    [review] = read(GOOD / "single.json")
    past = dataclasses.replace(review, rating=reviews.Rating(value=Decimal(7), best=Decimal(5), worst=Decimal(1)))
    store = curated.store()
    with pytest.raises(ReviewError) as raised:
        reviewgraph.prepare([past], store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                        store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)
    [rating] = [iri + "-rating" for iri in built([past], known, entities.Entities.of_quads(curated.quads)).reviews]
    assert raised.value.problems == [
        f"{review.where}: <{rating}>: ratingValue: a rating's schema:ratingValue is at most its schema:bestRating"
    ]


def test_the_fixtures_reviews_pass_the_shapes(curated):
    batch = [review for path in sorted(GOOD.iterdir()) for review in read(path)]
    store = curated.store()
    result = reviewgraph.prepare(batch, store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                             store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)
    assert len(result.reviews) == len(batch)


# ---------------------------------------------------------------- claimgraph import-claimreview


def fixture_records() -> int:
    return sum(len(claimreview_objects(json.loads(path.read_text(encoding="utf-8")))) for path in GOOD.iterdir())


def test_import_writes_every_review_in_its_reviewers_graph_and_again_changes_nothing(cli, tmp_path):
    assert cli("load").returncode == 0
    before = as_dataset(dump(tmp_path / "store"))
    imported = cli("import-claimreview", str(GOOD))
    assert imported.returncode == 0, imported.stderr
    records = fixture_records()
    assert imported.stderr == f"imported {records} review(s) ({records} new, 0 replaced) in 3 reviewer graph(s) into {tmp_path / 'store'}\n"
    first = dump(tmp_path / "store")
    after = as_dataset(first)
    assert sorted(after.keys() - before.keys()) == [
        BASE + "graph/reviews/" + slug for slug in ("example-fact-check", "example-truth-meter", "sample-verify")
    ]
    assert all(rdflib.compare.isomorphic(before[name], after[name]) for name in before)
    stored = ox.Store()
    stored.load(first, format=ox.RdfFormat.N_QUADS)
    assert count(stored, "SELECT (COUNT(?r) AS ?n) WHERE { ?r a schema:ClaimReview }") == records
    again = cli("import-claimreview", str(GOOD))
    assert again.stderr == f"imported {records} review(s) (0 new, {records} replaced) in 3 reviewer graph(s) into {tmp_path / 'store'}\n"
    assert isomorphic_datasets(dump(tmp_path / "store"), first)


def test_import_of_a_changed_review_replaces_it(cli, tmp_path):
    assert cli("load").returncode == 0
    assert cli("import-claimreview", str(GOOD / "single.json")).returncode == 0
    changed = json.loads((GOOD / "single.json").read_text(encoding="utf-8"))
    changed["reviewRating"] = {"@type": "Rating", "alternateName": "Mostly false", "ratingValue": 2, "bestRating": 5, "worstRating": 1}
    (tmp_path / "changed.json").write_text(json.dumps(changed), encoding="utf-8")
    result = cli("import-claimreview", str(tmp_path / "changed.json"))
    assert result.returncode == 0, result.stderr
    store = ox.Store()
    store.load(dump(tmp_path / "store"), format=ox.RdfFormat.N_QUADS)
    rows = select(store, "SELECT ?label ?value WHERE { ?r a schema:ClaimReview ; schema:reviewRating ?rating . "
                         "?rating schema:alternateName ?label OPTIONAL { ?rating schema:ratingValue ?value } }")
    assert rows == [{"label": "Mostly false", "value": "2"}]


def test_a_malformed_record_rejects_the_whole_batch_and_the_store_is_unchanged(cli, tmp_path):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    result = cli("import-claimreview", str(GOOD), str(MALFORMED))
    assert result.returncode == 1
    _, problems = reviews.read_claimreview(reviews.read_json(MALFORMED.read_bytes(), str(MALFORMED)), str(MALFORMED))
    unknown = f"{MALFORMED}: record 4 (https://factcheck.example.org/2017/unknown-claim-iri): itemReviewed: <{CLAIM}no-such-claim> is no claim of this dataset"
    assert result.stderr == (f"Error: {len(problems) + 1} problems in the reviews; nothing was imported:\n"
                             + "".join(line + "\n" for line in [*problems, unknown]) + "the store was not changed\n")
    assert dump(tmp_path / "store") == before


def test_import_to_a_trig_file_writes_what_the_store_gets_and_it_validates_with_the_data(cli, tmp_path, data_copy):
    output = data_copy / "reviews" / "imported.trig"
    output.parent.mkdir()
    result = cli("import-claimreview", str(GOOD), "--output", str(output), data_dir=data_copy)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "store").exists()
    assert cli("validate", data_dir=data_copy).returncode == 0
    assert cli("load").returncode == 0
    assert cli("import-claimreview", str(GOOD)).returncode == 0
    stored = as_dataset(dump(tmp_path / "store"))
    written = rdflib.Dataset()
    written.parse(output, format="trig")
    graphs = {str(graph.identifier): graph for graph in written.graphs() if len(graph)}
    assert graphs.keys() == {name for name in stored if "/graph/reviews/" in name}
    assert all(rdflib.compare.isomorphic(graphs[name], stored[name]) for name in graphs)


def test_a_directory_without_claimreview_files_is_a_usage_error(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("import-claimreview", str(tmp_path / "empty"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"Error: no *.json or *.jsonld file in {tmp_path / 'empty'}"


def test_a_review_whose_claim_changed_replaces_its_claim_from_the_review_too(cli, tmp_path):
    """Reviewed first as a claim of its own, then as a curated claim: the claim made from the first import goes."""
    unknown = {**MINIMAL, "@context": "https://schema.org"}
    curated = {**unknown, "itemReviewed": {"@type": "Claim", "@id": CLAIM + "most-cctv"}}
    for name, document in (("unknown.json", unknown), ("curated.json", curated)):
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    assert cli("load").returncode == 0
    assert cli("import-claimreview", str(tmp_path / "unknown.json")).returncode == 0
    again = cli("import-claimreview", str(tmp_path / "curated.json"))
    assert again.stderr == f"imported 1 review(s) (0 new, 1 replaced) in 1 reviewer graph(s) into {tmp_path / 'store'}\n"
    alone = tmp_path / "alone"
    assert cli("load", store=alone).returncode == 0
    assert cli("import-claimreview", str(tmp_path / "curated.json"), store=alone).returncode == 0
    assert isomorphic_datasets(dump(tmp_path / "store"), dump(alone))


def test_a_file_nested_too_deeply_is_one_error_and_the_store_is_unchanged(cli, tmp_path):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    nested = tmp_path / "nested.json"
    nested.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    result = cli("import-claimreview", str(nested))
    assert (result.returncode, result.stderr) == (1, "Error: 1 problem in the reviews; nothing was imported:\n"
                                                     f"{nested}: not read: its arrays and objects are nested too deeply\n"
                                                     "the store was not changed\n")
    assert dump(tmp_path / "store") == before


# ---------------------------------------------------------------- Google's own example: author and date recommended, not required

GOOGLE = FIXTURES / "claimreview" / "google" / "flat-earth.json"


def test_googles_example_is_read_without_a_date_and_keeps_the_claimants_same_as(curated):
    document = json.loads(GOOGLE.read_text(encoding="utf-8"))
    [review] = read(GOOGLE)
    item = document["itemReviewed"]
    assert (review.date, review.reviewer.name, review.reviewer.url) == (None, document["author"]["name"], None)
    assert (review.claimant, review.claimant_kind, review.claimant_same_as) == (
        item["author"]["name"], "org", (item["author"]["sameAs"],))
    assert review.appearances == (item["appearance"]["url"],)
    store = curated.store()
    result = reviewgraph.prepare([review], store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                                 store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)
    written = ox.Store()
    written.extend(result.quads)
    [iri] = result.reviews
    assert count(written, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{iri}> schema:datePublished ?date }}") == 0
    assert select(written, f"SELECT ?same WHERE {{ <{iri}-claim> schema:author/schema:sameAs ?same }}") == [
        {"same": item["author"]["sameAs"]}]


def test_a_review_without_author_is_the_sites_that_published_it(curated):
    document = {key: value for key, value in json.loads(GOOGLE.read_text(encoding="utf-8")).items() if key != "author"}
    [review] = reviews.read_claimreview(document, "google.json")[0]
    assert review.reviewer == reviews.Reviewer(name="example.com", url="https://example.com/")
    store = curated.store()
    result = reviewgraph.prepare([review], store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                                 store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)
    assert result.graphs == [BASE + "graph/reviews/example-com"]
    written = ox.Store()
    written.extend(result.quads)
    assert select(written, "SELECT ?name ?site WHERE { ?r a schema:ClaimReview ; schema:author ?org . "
                           "?org a schema:Organization ; schema:name ?name ; schema:url ?site }") == [
        {"name": "example.com", "site": "https://example.com/"}]


# ---------------------------------------------------------------- two reviewers, one claim known only from their reviews


def test_two_reviewers_of_one_unknown_claim_review_one_claim_and_their_disagreement_is_listed(curated):
    """The second review (in the same batch, and in a later import) of the text and page of a claim the first one
    made reviews that claim, so that disagreeing-reviews pairs them."""
    def record(reviewer: str, label: str) -> dict:
        return {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": "Example Town’s river  is the longest",
                "url": f"https://{reviewer.lower().replace(' ', '')}.example.org/river", "author": {"name": reviewer},
                "reviewRating": {"alternateName": label}, "datePublished": "2024-01-02",
                "itemReviewed": {"@type": "Claim", "appearance": "https://news.example.org/river"}}

    first, second = record("Example Fact Check", "True"), {**record("Sample Verify", "False"),
                                                          "claimReviewed": "example town's river is the longest"}
    store = curated.store()

    def prepared(documents: list[dict]) -> reviewgraph.Built:
        batch = [review for document in documents for review in well_formed(document, "river.json")]
        return reviewgraph.prepare(batch, store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                                   store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)

    together = prepared([first, second])
    assert together.claims == [together.reviews[0] + "-claim"] * 2
    store.extend(prepared([first]).quads)
    later = prepared([second])
    store.extend(later.quads)
    assert later.claims == together.claims[:1]
    query = catalog.load(QUERIES)["disagreeing-reviews"]
    rows = [{name: row[name].value for name in ("claim", "review", "otherReview")}
            for row in store.query(query.text, use_default_graph_as_union=True, substitutions=query.bind({}))]
    assert rows == [{"claim": together.claims[0], "review": min(together.reviews), "otherReview": max(together.reviews)}]


def test_a_claimants_same_as_finds_the_claimant_whatever_its_name(known, index):
    item = {"@type": "Claim", "appearance": "https://news.example.org/a",
            "author": {"@type": "Organization", "name": "Square World Society", "sameAs": "https://example.org/square"}}
    documents = [{**MINIMAL, "@context": "https://schema.org", "url": f"https://factcheck.example.org/{len(name)}",
                  "itemReviewed": {**item, "author": {**item["author"], "name": name}}}
                 for name in ("Square World Society", "The Square World Society")]
    batch = [review for document in documents for review in well_formed(document)]
    result = built(batch, known, index)
    written = ox.Store()
    written.extend(result.quads)
    assert select(written, "SELECT DISTINCT ?claimant ?same WHERE { ?c a cg:ClaimFromReview ; schema:author ?claimant . "
                           "?claimant schema:sameAs ?same }") == [
        {"claimant": BASE + "id/org/square-world-society", "same": "https://example.org/square"}]


@pytest.mark.parametrize("date", ["2017-10-06T09:30:00", "2017-10-06T09:30:00Z", "2017-10-06T09:30:00+02:00"])
def test_a_date_and_time_is_taken_with_or_without_its_time_zone(date):
    [review] = well_formed({**MINIMAL, "@context": "https://schema.org", "datePublished": date})
    assert review.date == date


# ---------------------------------------------------------------- second review: compiled reviews, shared claims, bounds


def test_importing_a_review_a_source_compiles_is_refused_naming_its_graph(curated):
    document = {**MINIMAL, "@context": "https://schema.org"}
    store = curated.store()
    compiled = reviewgraph.build(well_formed(document), reviewgraph.KnownClaims.of_quads(store),
                                 entities.Entities(store.query(entities.QUERY, use_default_graph_as_union=True)), BASE,
                                 source="dw-2017-mechelen")
    store.extend(compiled.quads)
    [iri] = compiled.reviews
    with pytest.raises(ReviewError) as raised:
        reviewgraph.prepare(well_formed(document), store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                            store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)
    assert raised.value.problems == [
        f"one.json: record 1 ({document['url']}): the review <{iri}> is compiled from graph <{compiled.graphs[0]}>; "
        "change it in that source's claims.yaml"]


def test_a_claim_known_from_a_review_another_review_shares_outlives_the_replacement_of_its_review(curated):
    unknown = {**MINIMAL, "@context": "https://schema.org",
               "itemReviewed": {"@type": "Claim", "appearance": "https://news.example.org/bicycles"}}
    shared = {**unknown, "url": "https://sampleverify.example.org/bicycles", "author": {"name": "Sample Verify"}}
    curated_claim = {**unknown, "itemReviewed": {"@type": "Claim", "@id": CLAIM + "most-cctv"}}
    store = curated.store()

    def imported(document: dict) -> reviewgraph.Built:
        built = reviewgraph.prepare(well_formed(document), store.query(reviewgraph.QUERY, use_default_graph_as_union=True),
                                    store.query(entities.QUERY, use_default_graph_as_union=True), reviewgraph.shapes(ONTOLOGY), BASE)
        store.update(" ;\n".join([*built.deletions(), insert_data(built.quads)]))
        return built

    [claim] = imported(unknown).claims
    assert imported(shared).claims == [claim]
    assert imported(curated_claim).claims == [CLAIM + "most-cctv"]
    assert select(store, "SELECT ?text ?page WHERE { ?r schema:author/schema:name 'Sample Verify' ; schema:itemReviewed ?c . "
                         "?c a cg:ClaimFromReview ; schema:text ?text ; schema:appearance ?page }") == [
        {"text": unknown["claimReviewed"], "page": unknown["itemReviewed"]["appearance"]}]


@pytest.mark.parametrize("url, reviewer", [
    ("https://[::1]/x", reviews.Reviewer(name="::1", url="https://[::1]/")),
    ("https://factcheck.example.org:8443/x", reviews.Reviewer(name="factcheck.example.org", url="https://factcheck.example.org:8443/")),
])
def test_the_site_of_a_review_without_author_keeps_its_brackets_and_port(url, reviewer):
    problems: list[str] = []
    assert reviews.site_reviewer(url, reviews.Problems("one.json", problems)) == reviewer
    assert problems == []


def test_a_long_value_is_shown_cut_in_its_problem():
    value = "x" * 500
    _, problems = reviews.read_claimreview({**MINIMAL, "@context": "https://schema.org", "reviewRating": value}, "one.json")
    assert problems == [f"one.json: record 1 ({MINIMAL['url']}): reviewRating: "
                        f"{json.dumps(value)[:reviews.SHOWN_LENGTH]}… is not a Rating object"]


@pytest.mark.parametrize("value, size", [("1e5000", "large"), ("1e-5000", "small"), (Decimal("1E+31"), "large")])
def test_a_number_past_the_bound_is_refused(value, size):
    _, problems = reviews.read_claimreview(
        {**MINIMAL, "@context": "https://schema.org", "reviewRating": {"alternateName": "False", "ratingValue": value}}, "one.json")
    assert problems == [f"one.json: record 1 ({MINIMAL['url']}): reviewRating.ratingValue: {reviews._shown(value)} is too "
                        f"{size} a number (beyond 1e{reviews.MAX_EXPONENT} or 1e-{reviews.MAX_EXPONENT} in size)"]


def test_a_huge_rating_is_one_line_of_the_command_and_the_store_is_unchanged(cli, tmp_path):
    assert cli("load").returncode == 0
    before = dump(tmp_path / "store")
    huge = tmp_path / "huge.json"
    huge.write_text('{"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://factcheck.example.org/huge", '
                    '"claimReviewed": "Example City has more bicycles", "author": {"name": "Example Fact Check"}, '
                    '"reviewRating": {"alternateName": "False", "ratingValue": 1' + "0" * 5000 + '}}', encoding="utf-8")
    result = cli("import-claimreview", str(huge))
    assert (result.returncode, result.stderr) == (1, "Error: 1 problem in the reviews; nothing was imported:\n"
                                                     f"{huge}: record 1 (https://factcheck.example.org/huge): reviewRating.ratingValue: "
                                                     f"1{'0' * (reviews.SHOWN_LENGTH - 1)}… is too large a number "
                                                     f"(beyond 1e{reviews.MAX_EXPONENT} or 1e-{reviews.MAX_EXPONENT} in size)\n"
                                                     "the store was not changed\n")
    assert dump(tmp_path / "store") == before
