"""Validation of the curated data and of broken copies of it, by :func:`validate` itself (each break named, with its
claim) and by the ``claimgraph validate`` command (exit status and messages)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from claimgraph.errors import DataError
from claimgraph.model import dataset
from claimgraph.model.validate import validate
from conftest import DATA, ONTOLOGY, rewrite

CLAIM = "https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/"
CLAIMS_FILE = Path("claims/dw-2017-mechelen.trig")
SOURCE_FILE = Path("sources/dw-2017-mechelen/source.trig")
# The claims of the seed source, for the updates below.
CLAIM_PREFIX = "PREFIX claim: <https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/>\n"

# (case, file to change, SPARQL update applied to it, claim or node named, words of the message)
BREAKS = [
    (
        "quote not in the text",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?q oa:exact ?e } } INSERT { GRAPH ?g { ?q oa:exact "the city's 90,000 inhabitants" } }
           WHERE { GRAPH ?g { claim:mechelen-population cg:evidence/oa:hasSelector ?q . ?q oa:exact ?e } }""",
        CLAIM + "mechelen-population",
        "the quote does not occur anywhere in the archived text",
    ),
    (
        "wrong offset",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?p oa:start ?s } } INSERT { GRAPH ?g { ?p oa:start ?moved } }
           WHERE { GRAPH ?g { claim:mechelen-population cg:evidence/oa:hasSelector ?p . ?p oa:start ?s BIND (?s + 1 AS ?moved) } }""",
        CLAIM + "mechelen-population",
        "the quote occurs at [2192, 2221)",
    ),
    (
        "offset that is not an integer",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?p oa:start ?s } } INSERT { GRAPH ?g { ?p oa:start 2192.5 } }
           WHERE { GRAPH ?g { claim:mechelen-population cg:evidence/oa:hasSelector ?p . ?p oa:start ?s } }""",
        CLAIM + "mechelen-population",
        "position selector needs exactly one oa:start, an xsd:integer of at least 0",
    ),
    (
        "prefix that does not match",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?q oa:prefix ?p } } INSERT { GRAPH ?g { ?q oa:prefix "Syria to fight. " } }
           WHERE { GRAPH ?g { claim:mechelen-population cg:evidence/oa:hasSelector ?q . ?q oa:prefix ?p } }""",
        CLAIM + "mechelen-population",
        "oa:prefix 'Syria to fight. ' does not match the text before offset 2192",
    ),
    (
        "missing source",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:mechelen-population schema:appearance ?source } }",
        CLAIM + "mechelen-population",
        "claim has no source (schema:appearance)",
    ),
    (
        "untyped figure",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?f schema:value ?v } } INSERT { GRAPH ?g { ?f schema:value "86,000" } }
           WHERE { GRAPH ?g { claim:mechelen-population cg:figure ?f . ?f schema:value ?v } }""",
        CLAIM + "mechelen-population",
        "figure's schema:value must be one xsd:integer or xsd:decimal literal",
    ),
    (
        "figure without unit",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?f schema:unitCode ?u } } WHERE { GRAPH ?g { claim:muslim-share cg:figure ?f . ?f schema:unitCode ?u } }""",
        CLAIM + "muslim-share",
        "figure needs exactly one unit (schema:unitCode)",
    ),
    (
        "claim without kind",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:mechelen-population cg:kind ?kind } }",
        CLAIM + "mechelen-population",
        "claim needs at least one kind (cg:kind)",
    ),
    (
        "claim without evidence",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:muslim-share cg:evidence ?e } }",
        CLAIM + "muslim-share",
        "claim needs at least one evidence anchor (cg:evidence)",
    ),
    (
        "evidence without position selector",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?e oa:hasSelector ?p } }
           WHERE { GRAPH ?g { claim:muslim-share cg:evidence ?e . ?e oa:hasSelector ?p . ?p a oa:TextPositionSelector } }""",
        CLAIM + "muslim-share",
        "evidence needs exactly one oa:TextPositionSelector",
    ),
    (
        "causal claim without effect",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:tax-income cg:effect ?effect } }",
        CLAIM + "tax-income",
        "causal claim needs a cause (cg:cause) and an effect (cg:effect)",
    ),
    (
        "unattributed claim with an author",
        CLAIMS_FILE,
        """INSERT { GRAPH ?g { claim:exemplary-model schema:author <https://w3id.org/claimgraph/id/person/adrian-breda> } }
           WHERE { GRAPH ?g { claim:exemplary-model a cg:Claim } }""",
        CLAIM + "exemplary-model",
        "unattributed claim must not have a schema:author",
    ),
    (
        "quoted claim without speaker",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:police-investment schema:author ?speaker } }",
        CLAIM + "police-investment",
        "needs exactly one schema:author",
    ),
    (
        "hedged claim without its hedging words",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:course-is-right cg:modalityExpression ?words } }",
        CLAIM + "course-is-right",
        "hedged claim needs the source's hedging words (cg:modalityExpression)",
    ),
    (
        "implied claim without a curator's note",
        CLAIMS_FILE,
        "DELETE WHERE { GRAPH ?g { claim:turnaround-language cg:curatorNote ?note } }",
        CLAIM + "turnaround-language",
        "implied claim needs a curator's note (cg:curatorNote)",
    ),
    (
        "exclusive bound stored as the inclusive schema:maxValue",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?f cg:maxExclusive ?v } } INSERT { GRAPH ?g { ?f schema:maxValue ?v } }
           WHERE { GRAPH ?g { claim:vlaams-belang-vote cg:figure ?f . ?f cg:maxExclusive ?v } }""",
        CLAIM + "vlaams-belang-vote",
        "a cg:LessThan figure has its exclusive bound as cg:maxExclusive",
    ),
    (
        "a number put on indefinite words",
        CLAIMS_FILE,
        "INSERT { GRAPH ?g { ?f schema:value 300 } } WHERE { GRAPH ?g { claim:families-persuaded cg:figure ?f } }",
        CLAIM + "families-persuaded",
        "a cg:Indefinite figure puts no number on the source's words",
    ),
    (
        "figure dated with xsd:gYear",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { ?f schema:observationDate ?d } } INSERT { GRAPH ?g { ?f schema:observationDate "2016"^^xsd:gYear } }
           WHERE { GRAPH ?g { claim:antwerp-arrests cg:figure ?f . ?f schema:observationDate ?d } }""",
        CLAIM + "antwerp-arrests",
        "a figure's schema:observationDate is one xsd:date",
    ),
    (
        "figure without a date",
        CLAIMS_FILE,
        "DELETE { GRAPH ?g { ?f schema:observationDate ?d } } WHERE { GRAPH ?g { claim:antwerp-arrests cg:figure ?f . ?f schema:observationDate ?d } }",
        CLAIM + "antwerp-arrests",
        "figure needs a schema:observationDate, an xsd:date with cg:datePrecision",
    ),
    (
        "a precise date for the unknown time before a change",
        CLAIMS_FILE,
        """INSERT { GRAPH ?g { ?before schema:observationDate "2017-09-27"^^xsd:date ; cg:datePrecision time:unitDay } }
           WHERE { GRAPH ?g { claim:staff-costs-reduced cg:figure ?after . ?after cg:changedFrom ?before } }""",
        CLAIM + "staff-costs-reduced",
        "the earlier value of a change (cg:BeforeChange) has no date",
    ),
    (
        "the earlier value of a change that no figure changed from",
        CLAIMS_FILE,
        "DELETE { GRAPH ?g { ?after cg:changedFrom ?before } } WHERE { GRAPH ?g { claim:staff-costs-reduced cg:figure ?after . ?after cg:changedFrom ?before } }",
        CLAIM + "staff-costs-reduced",
        "it is what a later, dated figure changed from (cg:changedFrom)",
    ),
    (
        "year-precision date that is not the year's first day",
        CLAIMS_FILE,
        """DELETE { GRAPH ?g { claim:fifteen-years-ago schema:temporalCoverage ?d } }
           INSERT { GRAPH ?g { claim:fifteen-years-ago schema:temporalCoverage "2002-09-27"^^xsd:date } }
           WHERE { GRAPH ?g { claim:fifteen-years-ago schema:temporalCoverage ?d } }""",
        CLAIM + "fifteen-years-ago",
        "a date known to the month, year or decade (cg:datePrecision) is recorded as its first day",
    ),
    (
        "wrong hash of the archived text",
        SOURCE_FILE,
        """DELETE { GRAPH ?g { ?a schema:sha256 ?h } } INSERT { GRAPH ?g { ?a schema:sha256 "0000000000000000000000000000000000000000000000000000000000000000" } }
           WHERE { GRAPH ?g { ?a schema:sha256 ?h } }""",
        "https://w3id.org/claimgraph/id/source/dw-2017-mechelen",
        "has SHA-256 bbc5f91ad350432a19b7b325dbadf77e628cd80678810a97593d946b349d9472, the data says 0000",
    ),
    (
        "source without publisher",
        SOURCE_FILE,
        "DELETE WHERE { GRAPH ?g { ?source schema:publisher ?publisher } }",
        "https://w3id.org/claimgraph/id/source/dw-2017-mechelen",
        "source needs a schema:publisher",
    ),
]


def problems_of(data_dir: Path, ontology_dir: Path = ONTOLOGY) -> list[str]:
    """The problems :func:`validate` finds in the files, each as the CLI prints it."""
    return [str(problem) for problem in validate(dataset.read(ontology_dir, data_dir))]


def test_curated_data_validates(curated):
    assert validate(curated) == []


def test_the_command_says_the_curated_data_is_valid(cli):
    result = cli("validate")
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stderr


@pytest.mark.parametrize("case, file, update, subject, words", BREAKS, ids=[b[0] for b in BREAKS])
def test_each_break_is_reported_with_its_claim(data_copy, case, file, update, subject, words):
    rewrite(data_copy / file, CLAIM_PREFIX + update)
    problems = validate(dataset.read(ONTOLOGY, data_copy))
    assert any(problem.subject == subject and words in problem.message for problem in problems), problems


def test_the_command_prints_each_problem_and_fails(cli, data_copy):
    case, file, update, subject, words = BREAKS[0]
    rewrite(data_copy / file, CLAIM_PREFIX + update)
    result = cli("validate", data_dir=data_copy)
    assert result.returncode == 1
    assert result.stdout.splitlines() == problems_of(data_copy)
    assert any(line.startswith(f"<{subject}>") and words in line for line in result.stdout.splitlines()), result.stdout
    assert f"{len(result.stdout.splitlines())} problem(s) in {data_copy}" in result.stderr


def test_missing_archived_text_is_reported(data_copy):
    (data_copy / "sources/dw-2017-mechelen/article.txt").unlink()
    assert "<https://w3id.org/claimgraph/id/source/dw-2017-mechelen> archived text sources/dw-2017-mechelen/article.txt cannot be read" in (
        " ".join(problems_of(data_copy))
    )


def test_syntax_error_names_file_and_line(data_copy):
    path = data_copy / "entities.trig"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[40] = lines[40] + ' "unterminated'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(f"{path}:41:")):
        dataset.read(ONTOLOGY, data_copy)


def test_triples_outside_a_named_graph_are_refused(data_copy):
    (data_copy / "stray.trig").write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    with pytest.raises(DataError, match=re.escape(f"{data_copy / 'stray.trig'}: triple outside a named graph")):
        dataset.read(ONTOLOGY, data_copy)


def test_missing_shapes_are_named(tmp_path):
    ontology = Path(shutil.copytree(ONTOLOGY, tmp_path / "ontology"))
    (ontology / "shapes.ttl").unlink()
    with pytest.raises(DataError, match=re.escape(f"{ontology / 'shapes.ttl'}: cannot read")):
        dataset.read(ontology, DATA)


def test_the_command_names_missing_shapes_without_a_traceback(cli, tmp_path):
    ontology = Path(shutil.copytree(ONTOLOGY, tmp_path / "ontology"))
    (ontology / "shapes.ttl").unlink()
    result = cli("validate", ontology_dir=ontology)
    assert result.returncode == 1
    assert f"{ontology / 'shapes.ttl'}: cannot read" in result.stderr and "Traceback" not in result.stderr


def test_archived_text_outside_the_data_directory_is_refused(data_copy):
    rewrite(data_copy / SOURCE_FILE, """DELETE { GRAPH ?g { ?a cg:localPath ?p } } INSERT { GRAPH ?g { ?a cg:localPath "../../etc/passwd" } }
        WHERE { GRAPH ?g { ?a cg:localPath ?p } }""")
    assert "archived text path '../../etc/passwd' leads outside the data directory" in " ".join(problems_of(data_copy))
