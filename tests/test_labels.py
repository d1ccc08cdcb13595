"""One label per thing (rdf/vocabulary.py ``label_candidates`` and ``best_label``): a thing written with several
names, in several languages and by several properties, is shown under the same one on its page, as the label of a
link to it, in /labels, in the search facets and in the claims CSV; a speaker with two names is one name beside one
IRI in the CSV; a city named only by rdfs:label is named in the CSV; an evidence span with two quote selectors is
one quote in the CSV.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import CG, TOKEN, answered, body
from test_views import HTML, parsed

SCHEMA = "http://schema.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
BASE = "https://w3id.org/claimgraph/id/"
GRAPH = BASE + "graph/test-labels"
CITY = BASE + "place/test-labels-city"
LABELLED_CITY = BASE + "place/test-labels-labelled-city"
SPEAKER = BASE + "person/test-labels-speaker"
CLAIM = BASE + "claim/test-labels/named"
OTHER = BASE + "claim/test-labels/labelled"
#: the names written: the English name is not the least one, nor the rdfs:label, so each rule of the choice counts.
NAMES = {"en": "Zebraford", "fr": "Aaville"}
RDFS_LABEL = "Bbtown"
SPEAKER_NAMES = ("Quentin Quagga", "Quinn Quagga")
LABELLED_CITY_LABEL = "Okapi Springs"
#: the one label of each: a schema:name before an rdfs:label, English before French, the least of equals.
EXPECTED = {CITY: NAMES["en"], SPEAKER: min(SPEAKER_NAMES), LABELLED_CITY: LABELLED_CITY_LABEL}
WORD = "wildebeestish"
EVIDENCE = BASE + "evidence/test-labels"
#: the texts of the two quote selectors of one evidence span, and the offsets of its one position selector.
QUOTES = ("two quoted words", "one quoted word")
OFFSETS = (10, 25)
OA = "http://www.w3.org/ns/oa#"


@pytest.fixture
def labelled(own_app):
    """``own_app`` with a claim about a city of two names and an rdfs:label, by a speaker of two names, and a claim
    about a city named by rdfs:label alone, written through /update into a graph of this module's own."""
    update = f"""PREFIX cg: <{CG}> PREFIX schema: <{SCHEMA}> PREFIX rdfs: <{RDFS}> PREFIX oa: <{OA}>
    INSERT DATA {{ GRAPH <{GRAPH}> {{
      <{CITY}> a schema:City ; schema:name "{NAMES['fr']}"@fr, "{NAMES['en']}"@en ; rdfs:label "{RDFS_LABEL}" .
      <{LABELLED_CITY}> a schema:City ; rdfs:label "{LABELLED_CITY_LABEL}" .
      <{SPEAKER}> a schema:Person ; schema:name "{SPEAKER_NAMES[1]}", "{SPEAKER_NAMES[0]}" .
      <{CLAIM}> a cg:Claim ; schema:text "A {WORD} claim about a city." ; schema:about <{CITY}> ; schema:author <{SPEAKER}> ;
        cg:evidence <{EVIDENCE}> .
      <{EVIDENCE}> oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{QUOTES[0]}" ],
        [ a oa:TextQuoteSelector ; oa:exact "{QUOTES[1]}" ], [ a oa:TextPositionSelector ; oa:start {OFFSETS[0]} ; oa:end {OFFSETS[1]} ] .
      <{OTHER}> a cg:Claim ; schema:text "Another {WORD} claim." ; schema:about <{LABELLED_CITY}> .
    }} }}"""
    answered(own_app.post("/update", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)
    return own_app


def _path(iri: str) -> str:
    return "/" + iri.removeprefix("https://w3id.org/claimgraph/")


def test_a_thing_is_shown_under_its_one_label_on_its_page_and_in_links_to_it(labelled):
    for iri in (CITY, SPEAKER, LABELLED_CITY):
        assert parsed(labelled.get(_path(iri), headers=HTML)).one("h1").text().strip() == EXPECTED[iri], iri
    claim = parsed(labelled.get(_path(CLAIM), headers=HTML))
    links = {(link.attrs["href"], link.text().strip()) for link in claim.all("a") if link.attrs.get("href") in (_path(CITY), _path(SPEAKER))}
    assert links == {(_path(CITY), EXPECTED[CITY]), (_path(SPEAKER), EXPECTED[SPEAKER])}


def test_labels_gives_the_one_label(labelled):
    response = answered(labelled.get("/labels", params=[("iri", iri) for iri in EXPECTED]))
    assert json.loads(body(response)) == EXPECTED


def test_the_search_facets_label_each_thing_by_its_one_label(labelled):
    answer = json.loads(body(answered(labelled.get("/search.json", params={"q": WORD}))))
    assert {value["value"] for value in answer["facets"]["city"]} == {CITY, LABELLED_CITY}
    assert {value["value"] for value in answer["facets"]["speaker"]} == {SPEAKER}
    assert {iri: answer["labels"][iri] for iri in EXPECTED} == EXPECTED


def test_the_csv_names_each_linked_thing_once_by_its_one_label(labelled):
    rows = csv.DictReader(io.StringIO(answered(labelled.get("/export/claims.csv")).get_data().decode("utf-8"), newline=""))
    found = {row["claim"]: row for row in rows if row["claim"] in (CLAIM, OTHER)}
    assert {name: found[CLAIM][name] for name in ("city", "speaker", "speaker_iri")} == {
        "city": EXPECTED[CITY], "speaker": EXPECTED[SPEAKER], "speaker_iri": SPEAKER,
    }
    assert found[OTHER]["city"] == LABELLED_CITY_LABEL


def test_the_csv_gives_one_quote_per_evidence_span_the_least_of_its_quote_selectors(labelled):
    rows = csv.DictReader(io.StringIO(answered(labelled.get("/export/claims.csv")).get_data().decode("utf-8"), newline=""))
    [row] = [row for row in rows if row["claim"] == CLAIM]
    assert (row["quote"], row["start"], row["end"]) == (min(QUOTES), str(OFFSETS[0]), str(OFFSETS[1]))
