"""The canned queries in queries/: each has its header, runs, and gives the answers the article supports."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from claimgraph.store import EmbeddedStore
from conftest import QUERIES

ID = "https://w3id.org/claimgraph/id/"


@pytest.fixture(scope="module")
def store(loaded_store) -> EmbeddedStore:
    return EmbeddedStore(loaded_store, read_only=True)


def run(store: EmbeddedStore, name: str, **params: str) -> list[dict[str, str]]:
    """Rows of a canned query, each parameter bound as an IRI."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    solutions = store.query(text, substitutions={ox.Variable(k): ox.NamedNode(v) for k, v in params.items()})
    names = [variable.value for variable in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_every_query_has_a_header_and_answers(store, path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#+ ")]
    assert header[0].startswith("#+ summary: ") and any(line.startswith("#+ description:") for line in header)
    assert run(store, path.stem)


def test_evidence_trail_of_one_claim(store):
    rows = run(store, "evidence-trail", claim=f"{ID}claim/dw-2017-mechelen/mechelen-population")
    assert rows == [
        {
            "claim": f"{ID}claim/dw-2017-mechelen/mechelen-population",
            "text": "Mechelen has 86,000 inhabitants.",
            "exact": "the city's 86,000 inhabitants",
            "start": "2192",
            "end": "2221",
            "source": f"{ID}source/dw-2017-mechelen",
            "url": "https://www.dw.com/en/belgian-city-of-mechelen-embraces-integration/a-40697578",
            "headline": "Belgian city embraces integration",
            "author": "Adrian Breda",
            "publisher": "Deutsche Welle",
            "published": "2017-09-27",
        }
    ]


def test_figures_lists_every_figure_with_unit_date_and_place(store):
    rows = run(store, "figures")
    figures = {row["figure"] for row in rows}
    assert len(figures) == len(list(store.query("SELECT ?f WHERE { ?f a <https://w3id.org/claimgraph/ontology#Figure> }")))
    population = next(row for row in rows if row["figure"].endswith("/mechelen-population"))
    assert (population["value"], population["unit"], population["about"], population["date"]) == ("86000", "persons", "Mechelen", "2017-09-27")
    vote = next(row for row in rows if row["figure"].endswith("/mechelen-vlaams-belang-vote"))
    assert ("value" not in vote, vote["maxValue"], vote["statedAs"]) == (True, "9", "less than 9 percent")


def test_policy_outcomes_for_school_mixing(store):
    rows = run(store, "policy-outcomes", policy=f"{ID}policy/school-mixing")
    assert [(row["outcomeName"], row["attribution"], row["speaker"]) for row in rows] == [
        ('No more "ghetto schools"', "narration", "Adrian Breda")
    ]
