"""The curated data against the article: it validates, every figure and quotation is there, exactly."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.model.validate import validate
from conftest import dump, isomorphic_datasets, select

# Every figure of the article, read off the article itself:
# (measure, what it is about, value, unit, the article's words). "<9" is an exclusive bound (cg:maxExclusive);
# "" is no number at all (cg:Indefinite).
ARTICLE_FIGURES = [
    ("population", "place/mechelen", "86000", "unit/person", "86,000"),
    ("residents-gone-to-fight-in-iraq-or-syria", "place/mechelen", "0", "unit/person", "none"),
    ("residents-gone-to-fight-in-iraq-or-syria", "place/vilvoorde", "28", "unit/person", "28"),
    ("residents-gone-to-fight-in-iraq-or-syria", "place/brussels", "200", "unit/person", "200"),
    ("size", "place/vilvoorde", "0.5", "unit/proportion", "only half the size"),
    ("children-with-immigrant-background-share", "place/mechelen", "0.5", "unit/proportion", "One in two"),
    ("muslim-population-share", "place/mechelen", "20", "unit/percent", "Twenty percent"),
    ("countries-of-origin", "place/mechelen", "138", "unit/country", "138"),
    ("vlaams-belang-vote-share", "place/mechelen", "<9", "unit/percent", "less than 9 percent"),
    ("students-with-immigrant-background-share", "org/busleyden-school", "80", "unit/percent", "Eighty percent"),
    ("refugee-students", "org/busleyden-school", "20", "unit/person", "20"),
    ("refugee-classes", "org/busleyden-school", "3", "unit/class", "three"),
    ("classroom-capacity", "org/busleyden-school", "35", "unit/person", "could easily fit 35"),
    ("students-present", "org/busleyden-school", "8", "unit/person", "only eight"),
    ("teachers-present", "org/busleyden-school", "1", "unit/person", "one"),
    ("class-size-limit", "org/busleyden-school", "12", "unit/person", "12 per class"),
    ("refugee-students-joining-regular-classes-after-one-year-share", "org/busleyden-school", "0.8", "unit/proportion", "Four out of five"),
    ("refugees-volunteered-to-take", "place/mechelen", "250", "unit/person", "250"),
    ("staff-cost-share-of-municipal-budget", "org/mechelen-municipality", "65", "unit/percent", "from 65"),
    ("staff-cost-share-of-municipal-budget", "org/mechelen-municipality", "39", "unit/percent", "to 39 percent"),
    ("age", "person/bart-somers", "53", "unit/year", "53-year-old"),
    ("re-elections", "person/bart-somers", "3", "unit/occasion", "three times"),
    ("terror-cell-members-arrested", "place/antwerp", "9", "unit/person", "nine"),
    ("age", "person/rafig", "15", "unit/year", "15-year-old"),
    ("time-since-fleeing", "person/rafig", "18", "unit/month", "18 months ago"),
    ("middle-class-families-persuaded", "place/mechelen", "", "unit/family", "a few hundred"),
]

ID = "https://w3id.org/claimgraph/id/"
CG = "https://w3id.org/claimgraph/ontology#"


def test_curated_data_has_no_problem(curated):
    assert validate(curated) == []


def test_claims_are_many_and_each_kind_is_used(data_store):
    claims = select(data_store, "SELECT DISTINCT ?claim WHERE { ?claim a cg:Claim }")
    assert len(claims) >= 40
    unused = select(data_store, "SELECT ?kind WHERE { ?kind a cg:ClaimKind FILTER NOT EXISTS { ?c cg:kind ?kind } }")
    assert unused == []


@pytest.mark.parametrize("measure, about, value, unit, stated", ARTICLE_FIGURES, ids=lambda v: str(v)[:30])
def test_every_figure_of_the_article_is_a_typed_figure(data_store, measure, about, value, unit, stated):
    rows = select(
        data_store,
        f"""SELECT ?figure ?value ?min ?max ?maxExclusive ?stated ?date ?basis WHERE {{
            ?figure a cg:Figure ; schema:variableMeasured <{ID}measure/{measure}> ;
                schema:observationAbout <{ID}{about}> ; schema:unitCode <https://w3id.org/claimgraph/{unit}> ;
                cg:statedAs ?stated ; cg:timeBasis ?basis .
            OPTIONAL {{ ?figure schema:observationDate ?date }}
            OPTIONAL {{ ?figure schema:value ?value }} OPTIONAL {{ ?figure schema:minValue ?min }}
            OPTIONAL {{ ?figure schema:maxValue ?max }} OPTIONAL {{ ?figure cg:maxExclusive ?maxExclusive }}
        }}""",
    )
    found = [row for row in rows if row["stated"] == stated]
    assert len(found) == 1, rows
    assert ("date" in found[0]) == (found[0]["basis"] != CG + "BeforeChange"), found[0]
    numbers = {key: Decimal(number) for key, number in found[0].items() if key in ("value", "min", "max", "maxExclusive")}
    if value.startswith("<"):
        assert numbers == {"maxExclusive": Decimal(value[1:])}
    elif value == "":
        assert numbers == {}
    else:
        assert numbers == {"value": Decimal(value)}


def test_the_figures_are_the_article_s_figures_and_no_more(data_store):
    figures = select(data_store, "SELECT ?figure WHERE { ?figure a cg:Figure }")
    assert len(figures) == len(ARTICLE_FIGURES)


def test_figure_values_are_typed_numbers(data_store):
    untyped = select(
        data_store,
        """SELECT ?figure ?v WHERE { ?figure a cg:Figure ; schema:value|schema:minValue|schema:maxValue|cg:maxExclusive ?v
             FILTER (DATATYPE(?v) NOT IN (xsd:integer, xsd:decimal)) }""",
    )
    assert untyped == []


def test_vague_proportions_keep_their_words(data_store):
    rows = select(
        data_store,
        """SELECT ?stated ?n ?d WHERE { ?f cg:statedAs ?stated ; cg:numerator ?n ; cg:denominator ?d }""",
    )
    assert {(row["stated"], row["n"], row["d"]) for row in rows} >= {("One in two", "1", "2"), ("Four out of five", "4", "5")}


def test_every_evidence_span_is_verbatim_at_its_offsets(data_store, article):
    rows = select(
        data_store,
        """SELECT ?evidence ?exact ?start ?end WHERE {
             ?evidence a cg:Evidence ; oa:hasSelector ?q , ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""",
    )
    assert len(rows) >= 40
    for row in rows:
        assert article[int(row["start"]) : int(row["end"])] == row["exact"], row["evidence"]


def test_every_direct_quotation_of_the_article_is_attributed_to_its_speaker(data_store, article):
    """Every word of each passage in double quotes (five words or more) lies in a schema:Quotation with a creator."""
    quotations = select(
        data_store,
        """SELECT ?start ?end ?speaker WHERE {
             ?evidence a schema:Quotation ; schema:creator ?speaker ; oa:hasSelector ?p .
             ?p oa:start ?start ; oa:end ?end }""",
    )
    spans = [(int(row["start"]), int(row["end"])) for row in quotations]
    passages = [m for m in re.finditer(r'"([^"]+)"', article) if len(m.group(1).split()) >= 5]
    assert len(passages) == 11
    for passage in passages:
        for word in re.finditer(r"\w+", passage.group(1)):
            at = passage.start(1) + word.start()
            assert any(start <= at < end for start, end in spans), (word.group(), passage.group(1))


def test_quoted_claims_name_their_speaker_and_unattributed_ones_name_nobody(data_store):
    rows = select(
        data_store,
        """SELECT ?claim ?attribution (COUNT(?author) AS ?authors) WHERE {
             ?claim cg:attribution ?attribution OPTIONAL { ?claim schema:author ?author } }
           GROUP BY ?claim ?attribution""",
    )
    for row in rows:
        expected = "0" if row["attribution"].endswith("Unattributed") else "1"
        assert row["authors"] == expected, row["claim"]
    assert {row["attribution"].rsplit("#", 1)[1] for row in rows} == {"QuotedSpeech", "ReportedSpeech", "Narration", "Unattributed"}


def test_every_time_expression_is_the_article_s_words_for_that_claim(data_store):
    """A dated claim or figure keeps its words for when, and they stand in the evidence of the claim."""
    rows = select(
        data_store,
        """SELECT ?node ?words ?exact WHERE {
             ?node cg:timeExpression ?words .
             ?claim cg:figure? ?node ; a cg:Claim ; cg:evidence/oa:hasSelector/oa:exact ?exact }""",
    )
    spans: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        spans.setdefault((row["node"], row["words"]), []).append(row["exact"].lower())
    assert len(spans) >= 10
    for (node, words), exacts in spans.items():
        assert any(words.lower() in exact for exact in exacts), node


def test_just_15_years_ago_is_dated_relative_to_publication_like_last_year(data_store):
    rows = select(
        data_store,
        """SELECT ?words ?date ?precision ?basis WHERE {
             ?claim schema:temporalCoverage ?date ; cg:datePrecision ?precision ; cg:timeBasis ?basis ; cg:timeExpression ?words }""",
    )
    dated = {row["words"]: (row["date"], row["precision"].rsplit("#", 1)[1], row["basis"].rsplit("#", 1)[1]) for row in rows}
    assert dated["Just 15 years ago"] == ("2002-01-01", "unitYear", "RelativeToPublication")
    assert dated["Last year"] == ("2016-01-01", "unitYear", "RelativeToPublication")
    assert dated["18 months ago"] == ("2016-03-01", "unitMonth", "RelativeToPublication")
    assert dated["In the 1990s"] == ("1990-01-01", "unitDecade", "StatedInText")
    assert dated["since 2001"] == ("2001-01-01", "unitYear", "SinceDate")


def test_hedged_claims_keep_the_hedging_words_of_their_evidence(data_store):
    rows = select(
        data_store,
        """SELECT ?claim ?hedge ?exact WHERE {
             ?claim cg:modality cg:Hedged ; cg:modalityExpression ?hedge ; cg:evidence/oa:hasSelector/oa:exact ?exact }""",
    )
    hedges: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        hedges.setdefault((row["claim"], row["hedge"]), []).append(row["exact"])
    assert {hedge for _, hedge in hedges} >= {"indicates", "could be seen as"}
    for (claim, hedge), spans in hedges.items():
        assert any(hedge in exact for exact in spans), claim


def test_the_comparison_of_cities_is_a_hedged_judgement_not_a_cause_of_outcomes(data_store):
    """"A comparison ... indicates that Somers' course is the right one": no outcome is named, so none is linked."""
    rows = select(
        data_store,
        f"""SELECT ?p ?o WHERE {{ <{ID}claim/dw-2017-mechelen/course-is-right> ?p ?o
             FILTER (?p IN (cg:cause, cg:effect, cg:kind, cg:modality, cg:modalityExpression)) }}""",
    )
    assert {(row["p"].rsplit("#", 1)[1], row["o"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]) for row in rows} == {
        ("kind", "comparative"), ("kind", "opinion"), ("modality", "Hedged"), ("modalityExpression", "indicates"),
    }  # fmt: skip


CLAIM = f"{ID}claim/dw-2017-mechelen/"


def claim_values(data_store, claim: str, prop: str) -> set[str]:
    return {row["o"] for row in select(data_store, f"SELECT ?o WHERE {{ <{CLAIM}{claim}> {prop} ?o }}")}


def test_the_left_leg_is_the_reporter_s_framing_of_somers_quoted_words(data_store):
    """'The "left" leg is his concept for integration:' has no speech verb; the quotation after it is Somers'."""
    assert claim_values(data_store, "left-leg-integration", "cg:attribution") == {CG + "Narration"}
    assert claim_values(data_store, "left-leg-integration", "schema:author") == {f"{ID}person/adrian-breda"}
    assert claim_values(data_store, "no-group-isolated", "cg:attribution") == {CG + "QuotedSpeech"}


def test_the_quotation_without_a_speaker_tag_is_given_to_somers_as_an_inference_noted_once(data_store, article):
    """The inference is about the quotation: one span holds the whole of it and the note; every claim on it cites that span."""
    start = article.index("The government said we didn't have to take anyone")
    end = article.index("would have killed me.") + len("would have killed me.")
    rows = select(
        data_store,
        """SELECT ?claim ?evidence ?speaker ?author ?start ?end ?note ?spanNote WHERE {
             ?claim cg:evidence ?evidence ; schema:author ?author . ?evidence a schema:Quotation ; schema:creator ?speaker ;
               oa:hasSelector/oa:start ?start ; oa:hasSelector/oa:end ?end .
             OPTIONAL { ?claim cg:curatorNote ?note } OPTIONAL { ?evidence cg:curatorNote ?spanNote } }""",
    )
    untagged = [row for row in rows if start <= int(row["start"]) < end]
    claims = {row["claim"].removeprefix(CLAIM) for row in untagged}
    assert claims == {"government-said-no-obligation", "took-them-anyway", "fifteen-years-ago"}
    assert {(row["speaker"], row["author"]) for row in untagged} == {(f"{ID}person/bart-somers",) * 2}
    assert all("note" not in row for row in untagged)
    noted = {(row["evidence"], row["start"], row["end"], row["spanNote"]) for row in untagged if "spanNote" in row}
    [(whole, whole_start, whole_end, note)] = noted
    assert (int(whole_start), int(whole_end)) == (start, end)
    assert "no speaker" in note and "inference" in note and "would have killed me" in note
    assert {row["claim"].removeprefix(CLAIM) for row in untagged if row["evidence"] == whole} == claims
    notes = select(data_store, "SELECT ?node WHERE { ?node cg:curatorNote ?note FILTER (CONTAINS(?note, \"no speaker\")) }")
    assert [row["node"] for row in notes] == [whole]


def test_rafig_is_not_placed_in_the_busleyden_refugee_classes(data_store):
    about = claim_values(data_store, "rafig-ordinary-lessons", "schema:about")
    assert about == {f"{ID}person/rafig"}


def test_the_investment_is_said_to_pay_off_but_its_outcomes_are_only_set_beside_it(data_store):
    """"But the investment is paying off." is the reporter's; that it pays off in income and poverty is implied."""
    assert claim_values(data_store, "investment-paying-off", "cg:modality") == {CG + "Stated"}
    assert claim_values(data_store, "investment-paying-off", "cg:effect") == set()
    link = "investment-behind-income-and-poverty"
    assert claim_values(data_store, link, "cg:modality") == {CG + "Implied"}
    assert claim_values(data_store, link, "cg:cause") == {f"{ID}policy/integration-programme"}
    assert claim_values(data_store, link, "cg:effect") == {f"{ID}outcome/income-rising-faster-than-average", f"{ID}outcome/poverty-rate-falling"}
    [note] = claim_values(data_store, link, "cg:curatorNote")
    assert "side by side" in note and "But the investment is paying off." in note
    assert claim_values(data_store, link, "cg:evidence") == claim_values(data_store, "investment-paying-off", "cg:evidence") | {
        f"{ID}evidence/dw-2017-mechelen/6463-6588"
    }


def test_the_tax_income_hangs_off_the_upswing_only_on_one_reading_and_is_nobody_s_in_particular(data_store):
    causes = claim_values(data_store, "tax-income", "cg:cause")
    assert causes == claim_values(data_store, "upswing-attracts-families", "cg:cause")
    assert f"{ID}outcome/high-income-families-moving-in" not in causes
    assert claim_values(data_store, "tax-income", "cg:modality") == {CG + "Implied"}
    [note] = claim_values(data_store, "tax-income", "cg:curatorNote")
    assert "whose tax income" in note and "a statement of its own" in note
    assert claim_values(data_store, "tax-income-effect", "cg:modality") == {CG + "Stated"}
    assert (claim_values(data_store, "tax-income-effect", "cg:cause"), claim_values(data_store, "tax-income-effect", "cg:kind")) == (
        set(), {"https://w3id.org/claimgraph/kind/descriptive"}
    )
    assert "whose tax income" in claim_values(data_store, "tax-income-effect", "cg:curatorNote").pop()


def test_somers_initiative_is_linked_to_both_readings_the_article_leaves_open(data_store):
    about = claim_values(data_store, "initiative-gone-down-well", "schema:about")
    assert {f"{ID}policy/security-and-integration-course", f"{ID}policy/school-mixing"} <= about
    [note] = claim_values(data_store, "initiative-gone-down-well", "cg:curatorNote")
    assert "leaves open" in note and "also" in note


def test_the_party_s_1990s_name_is_noted_from_outside_the_article(data_store, article):
    assert "Vlaams Blok" not in article
    [note] = claim_values(data_store, "far-right-bastion-1990s", "cg:curatorNote")
    assert "Vlaams Blok" in note and "2004" in note and "outside the article" in note
    assert "Vlaams Belang" in claim_values(data_store, "far-right-bastion-1990s", "schema:text").pop()


def test_the_buddy_system_s_scope_is_said_to_be_ambiguous(data_store):
    [note] = {row["note"] for row in select(data_store, f"SELECT ?note WHERE {{ <{ID}policy/buddy-system> cg:curatorNote ?note }}")}
    assert "ambiguous" in note
    assert claim_values(data_store, "buddy-system", "cg:curatorNote")


def test_causal_claims_link_a_policy_to_an_outcome(data_store):
    rows = select(
        data_store,
        """SELECT ?claim ?policy ?outcome WHERE {
             ?claim cg:kind kind:causal ; cg:cause ?policy ; cg:effect ?outcome .
             ?policy a cg:Policy . ?outcome a cg:Outcome }""",
    )
    assert len({row["claim"] for row in rows}) >= 5


def test_the_readme_counts_are_the_data_s(data_store):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    claims, figures, spans = re.search(r"(\d+) claims, (\d+) figures, (\d+) evidence spans", readme).groups()
    counted = {
        name: select(data_store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a cg:{name} }}")[0]["n"]
        for name in ("Claim", "Figure", "Evidence")
    }
    assert counted == {"Claim": claims, "Figure": figures, "Evidence": spans}


def test_store_keeps_the_files_exactly(curated, loaded_store):
    """Literals are written in canonical form, so what the store keeps is what the files say."""
    assert isomorphic_datasets(dump(loaded_store), ox.serialize(curated.quads, format=ox.RdfFormat.N_QUADS))
