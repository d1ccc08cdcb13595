"""`claimgraph compile`: a source's claims in YAML into TriG, with every quote found and every fault named by file,
line and claim; nothing written unless everything compiles and validates.

The source is made up (tests/fixtures/authoring/example-2026-harbour): a text written for these tests, its
metadata and its claims file. Counts, offsets and lines are read from those files, never copied.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from claimgraph.errors import AuthoringError
from claimgraph.model import dataset
from claimgraph.model.authoring import anchor, compiler, terms
from claimgraph.model.entities import KINDS, slug
from claimgraph.model.validate import validate
from claimgraph.store.embedded import EmbeddedStore
from conftest import CG, DATA, ONTOLOGY, count

FIXTURE = Path(__file__).parent / "fixtures" / "authoring" / "example-2026-harbour"
SLUG = FIXTURE.name
BASE = "https://w3id.org/claimgraph/"
GRAPH = f"{BASE}graph/{SLUG}"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
TEXT = (FIXTURE / "article.txt").read_text(encoding="utf-8")
CLAIMS_YAML = (FIXTURE / "claims.yaml").read_text(encoding="utf-8")


def with_source(data_dir: Path) -> Path:
    """Put the made-up source into ``data_dir``; the path of its claims file."""
    shutil.copytree(FIXTURE, data_dir / "sources" / SLUG)
    return data_dir / "sources" / SLUG / "claims.yaml"


@pytest.fixture(scope="module")
def harbour_data(tmp_path_factory) -> Path:
    """A data directory with the made-up source beside the curated one, shared by tests that do not change it."""
    data_dir = Path(shutil.copytree(DATA, tmp_path_factory.mktemp("harbour") / "data"))
    with_source(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def harbour_curated(harbour_data) -> dataset.Curated:
    return dataset.read(ONTOLOGY, harbour_data)


@pytest.fixture(scope="module")
def compiled(harbour_data, harbour_curated) -> compiler.Compiled:
    return compiler.compile_source(harbour_data / "sources" / SLUG / "claims.yaml", harbour_curated, BASE)


def store_of(quads) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def objects(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {quad.object.value for quad in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)}


def evidence_of(store: ox.Store, claim: str) -> list[tuple[int, int]]:
    found = []
    for evidence in objects(store, f"{BASE}id/claim/{SLUG}/{claim}", CG + "evidence"):
        start = objects(store, evidence + "-position", OA + "start").pop()
        end = objects(store, evidence + "-position", OA + "end").pop()
        found.append((int(start), int(end)))
    return sorted(found)


# ---------------------------------------------------------------- what a good file gives


def test_every_claim_and_figure_of_the_file_is_compiled(compiled):
    document = yaml.safe_load(CLAIMS_YAML)
    store = store_of(compiled.quads)
    claims = {quad.subject.value for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(CG + "Claim"))}
    figures = {quad.subject.value for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(CG + "Figure"))}
    assert claims == {f"{BASE}id/claim/{SLUG}/{claim['id']}" for claim in document["claims"]}
    assert figures == {f"{BASE}id/figure/{SLUG}/{figure['id']}" for figure in document["figures"]}
    assert compiled.output == compiled.yaml_path.parents[2] / "claims" / f"{SLUG}.trig"


def test_quotes_are_anchored_where_the_words_stand(compiled):
    store = store_of(compiled.quads)
    words = "the works paid for themselves"
    first = TEXT.index(words)
    second = TEXT.index(words, first + 1)
    assert evidence_of(store, "works-paid-for-themselves")[-1] == (first, first + len(words))  # occurrence: 1
    only_on_paper = "the works paid for themselves only on paper"
    assert evidence_of(store, "only-on-paper") == [(second, second + len(words)), (second, second + len(only_on_paper))]  # after:


def test_selectors_keep_32_code_points_of_context(compiled):
    store = store_of(compiled.quads)
    (start, end), *_ = evidence_of(store, "never-busier")
    selector = f"{BASE}id/evidence/{SLUG}/{start}-{end}-quote"
    assert objects(store, selector, OA + "exact") == {TEXT[start:end]}
    assert objects(store, selector, OA + "prefix") == {TEXT[start - 32 : start]}
    assert objects(store, selector, OA + "suffix") == {TEXT[end : end + 32]}


def test_a_quotation_is_the_speakers(compiled):
    store = store_of(compiled.quads)
    for start, end in evidence_of(store, "never-busier"):
        evidence = f"{BASE}id/evidence/{SLUG}/{start}-{end}"
        assert objects(store, evidence, RDF_TYPE) == {CG + "Evidence", SCHEMA + "Quotation"}
        assert objects(store, evidence, SCHEMA + "creator") == {f"{BASE}id/person/piet-example"}


def test_entities_are_matched_or_created(compiled, harbour_curated):
    store = store_of(compiled.quads)
    new = {quad.subject.value for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(BASE + "graph/entities"))}
    document = yaml.safe_load(CLAIMS_YAML)
    listed = {f"{BASE}id/{kind}/{slug(entry[kind])}" for entry in document["entities"] for kind in entry if kind in KINDS}
    assert listed <= new
    existing = {quad.subject.value for quad in harbour_curated.quads}
    assert not new & existing
    about = objects(store, f"{BASE}id/claim/{SLUG}/never-busier", SCHEMA + "about")
    assert about == {f"{BASE}id/place/port-example", f"{BASE}id/place/belgium"}  # {place: Belgium} is the curated one
    assert objects(store, f"{BASE}id/claim/{SLUG}/only-on-paper", SCHEMA + "about") == {f"{BASE}id/place/port-example"}  # by sameAs
    assert objects(store, f"{BASE}id/claim/{SLUG}/works-paid-for-themselves", SCHEMA + "author") == {f"{BASE}id/org/port-example-town-council"}


def test_the_graph_is_described_in_meta(compiled):
    meta = [quad for quad in compiled.quads if quad.graph_name == ox.NamedNode(BASE + "graph/meta")]
    store = store_of(meta)
    source = f"{BASE}id/source/{SLUG}"
    assert objects(store, BASE + "id/dataset", "http://purl.org/dc/terms/hasPart") == {GRAPH}
    assert objects(store, GRAPH, "http://purl.org/dc/terms/source") == {source}
    assert objects(store, GRAPH, "http://www.w3.org/ns/prov#wasDerivedFrom") == {source}


def test_the_compiled_source_is_valid_with_the_curated_data(compiled, harbour_curated):
    assert validate(dataclasses.replace(harbour_curated, quads=harbour_curated.quads + compiled.quads)) == []


def test_the_example_in_the_documentation_compiles(harbour_curated, tmp_path):
    documentation = (Path(__file__).parents[1] / "docs" / "authoring.md").read_text(encoding="utf-8")
    example = documentation.split("## A complete small example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text(example, encoding="utf-8")
    result = compiler.compile_source(claims_file, harbour_curated, BASE)
    store = store_of(result.quads)
    assert count(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }") == len(yaml.safe_load(example)["claims"])


def test_files_compiled_together_share_the_entities_they_create(data_copy):
    first = with_source(data_copy)
    second_dir = data_copy / "sources" / f"{SLUG}-again"
    second_dir.mkdir()
    (second_dir / "article.txt").write_bytes((FIXTURE / "article.txt").read_bytes())
    metadata = (FIXTURE / "source.trig").read_text(encoding="utf-8")
    (second_dir / "source.trig").write_text(metadata.replace(SLUG, f"{SLUG}-again").replace("example.org/2026/03/harbour", "example.org/2026/03/again"), encoding="utf-8")
    second = second_dir / "claims.yaml"
    second.write_text(
        f"source: {SLUG}-again\nclaims:\n  - id: busier\n    text: The harbour has never been busier.\n    kind: comparative\n"
        "    voice: quoted\n    modality: stated\n    speaker: {person: Piet Example}\n    about: [place/port-example]\n"
        "    quotes: [\"We have never been busier,\"]\n",
        encoding="utf-8",
    )
    results = compiler.compile_all([first, second], ONTOLOGY, data_copy, BASE)
    store = store_of(results[1].quads)
    assert objects(store, f"{BASE}id/claim/{SLUG}-again/busier", SCHEMA + "author") == {f"{BASE}id/person/piet-example"}
    assert objects(store, f"{BASE}id/claim/{SLUG}-again/busier", SCHEMA + "about") == {f"{BASE}id/place/port-example"}
    entities = ox.NamedNode(BASE + "graph/entities")
    assert [quad for quad in results[1].quads if quad.graph_name == entities] == []


# ---------------------------------------------------------------- the command


def test_compile_writes_the_trig_deterministically_and_it_loads(cli, tmp_path, data_copy, compiled, harbour_data, harbour_curated):
    with_source(data_copy)
    output = data_copy / "claims" / f"{SLUG}.trig"
    first = cli("compile", data_dir=data_copy)
    assert first.returncode == 0, first.stderr
    written = output.read_bytes()
    assert written.startswith(b"# Compiled by `claimgraph compile` from sources/example-2026-harbour/claims.yaml")
    namespaces = dataset.prefixes(ONTOLOGY)
    again = compiler.compile_source(harbour_data / "sources" / SLUG / "claims.yaml", harbour_curated, BASE)
    assert compiler.render(again, namespaces, BASE) == compiler.render(compiled, namespaces, BASE) == written
    loaded = cli("load", data_dir=data_copy, store=tmp_path / "store")
    assert loaded.returncode == 0, loaded.stderr
    store = EmbeddedStore(tmp_path / "store", read_only=True)
    claims = len(yaml.safe_load(CLAIMS_YAML)["claims"])
    assert len(store.select(f"SELECT ?c WHERE {{ GRAPH <{GRAPH}> {{ ?c a <{CG}Claim> }} }}")) == claims


def test_output_option_writes_one_file_elsewhere(cli, tmp_path, data_copy):
    claims_file = with_source(data_copy)
    result = cli("compile", str(claims_file), "--output", str(tmp_path / "out.trig"), data_dir=data_copy)
    assert result.returncode == 0, result.stderr
    assert not (data_copy / "claims" / f"{SLUG}.trig").exists()
    written = list(ox.parse(path=str(tmp_path / "out.trig")))
    assert count(store_of(written), "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }") == len(yaml.safe_load(CLAIMS_YAML)["claims"])


def test_output_option_takes_one_file_only(cli, data_copy):
    claims_file = with_source(data_copy)
    result = cli("compile", str(claims_file), str(claims_file), "--output", "x.trig", data_dir=data_copy)
    assert result.returncode == 2
    assert "--output takes the compiled triples of one claims file" in result.stderr


def test_a_fault_in_one_file_writes_no_file_at_all(cli, data_copy):
    with_source(data_copy)
    curated_claims = data_copy / "claims" / "dw-2017-mechelen.trig"
    before = curated_claims.read_bytes()
    bad = data_copy / "sources" / "dw-2017-mechelen" / "claims.yaml"
    bad.write_text("source: dw-2017-mechelen\nclaims:\n  - id: x\n    text: X.\n    kind: nonsense\n", encoding="utf-8")
    result = cli("compile", data_dir=data_copy)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"{bad}:5: claim x: unknown kind 'nonsense'" in "\n".join(lines)
    assert lines[-1] == f"Error: {len(lines) - 1} problem(s); nothing was written"
    assert curated_claims.read_bytes() == before
    assert not (data_copy / "claims" / f"{SLUG}.trig").exists()
    assert sorted(path.name for path in (data_copy / "claims").iterdir()) == ["dw-2017-mechelen.trig"]


def test_a_fault_found_by_validation_writes_nothing(cli, data_copy):
    claims_file = with_source(data_copy)
    old = "    precision: as-stated\n    period: 2023/2025"
    assert old in CLAIMS_YAML
    claims_file.write_text(CLAIMS_YAML.replace(old, "    precision: indefinite\n    period: 2023/2025"), encoding="utf-8")
    result = cli("compile", data_dir=data_copy)
    assert result.returncode == 1
    line = CLAIMS_YAML.splitlines().index("  - id: works-cost") + 1
    assert f"{claims_file}:{line}: figure works-cost: a cg:Indefinite figure puts no number" in result.stderr
    assert not (data_copy / "claims" / f"{SLUG}.trig").exists()


# ---------------------------------------------------------------- faults, each named by file, line and claim


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def first_of(words: str) -> int:
    return TEXT.index(words)


FAULTS = [
    # (what is changed: old -> new, the line's text in the changed file, the message after "<file>:<line>: ")
    ("kind: comparative", "kind: comparitive", "kind: comparitive", "claim never-busier: unknown kind 'comparitive': one of biographical, causal, comparative"),
    ("unit: occasion\n    measure: measure/ships", "unit: ships\n    measure: measure/ships", "unit: ships", "figure ships-per-week: unknown unit 'ships': one of class, country, family"),
    ("    unit: occasion\n    measure: measure/ships", "    measure: measure/ships", "- id: ships-per-week", "figure ships-per-week: a figure needs a unit: one of class"),
    ("voice: reported\n    modality: stated\n    speaker: org", "voice: indirect\n    modality: stated\n    speaker: org", "voice: indirect", "claim works-paid-for-themselves: unknown voice 'indirect': one of quoted, reported"),
    ("modality: hedged", "modality: maybe", "modality: maybe", "claim only-on-paper: unknown modality 'maybe': one of stated, hedged, implied"),
    ("    hedge: only on paper\n", "", "modality: hedged", "claim only-on-paper: a hedged claim needs hedge: the source's hedging words"),
    ("    hedge: only on paper\n    about", "    hedge: only on paper\n    speaker: person/piet-example\n    about", "    speaker: person/piet-example\n    about: [{place: The",
     "claim only-on-paper: an unattributed claim has no speaker"),
    ("    speaker: person/erin-example\n", "", "    voice: narration", "claim harbour-reopened: a narration claim needs a speaker"),
    ("    modality: stated\n    speaker: person/erin-example\n", "    modality: stated\n    hedge: surely\n    speaker: person/erin-example\n", "    hedge: surely",
     "claim harbour-reopened: hedge gives the hedging words of a hedged claim (modality: hedged)"),
    ("precision: less-than", "precision: roughly", "precision: roughly", "figure late-share: unknown precision 'roughly': one of as-stated, approximate"),
    ("basis: before-change", "basis: earlier", "- id: late-share-before", "figure late-share-before: unknown basis 'earlier': one of stated-in-text"),
    ("speaker: person/piet-example\n    about: [place/port-example, {", "speaker: person/piet-exampel\n    about: [place/port-example, {", "speaker: person/piet-exampel",
     "claim never-busier, speaker: unknown entity 'person/piet-exampel': no entity <https://w3id.org/claimgraph/id/person/piet-exampel> exists"),
    ("- id: only-on-paper", "- id: never-busier", "- id: never-busier\n    text: Critics", "claim never-busier: a second claim with this id (first at line"),
    ("figures: [late-share, late-share-before]", "figures: [late-share, late-share-earlier]", "figures: [late-share, late-share-earlier]",
     "claim few-ships-late: figure 'late-share-earlier' is not among the file's figures"),
    ("changed-from: late-share-before", "changed-from: late-share-earlier", "changed-from: late-share-earlier", "figure late-share: figure 'late-share-earlier' is not among the file's figures"),
    ("    stated-as: Half\n", "", "- id: region-share", "figure region-share: stated-as must be the source's own words for the figure"),
    ("date: 2020s", "date: 2020-13", "- id: works-cost", "figure works-cost: date '2020-13' is not a date (2017-09-27), month (2017-09), year (2017) or decade (1990s)"),
    ("value: 40", "value: forty", "value: forty", "figure ships-per-week: value must be a number, not 'forty'"),
    ("ratio: 1/2", "ratio: half", "ratio: half", "figure region-share: ratio must be written numerator/denominator (1/2), not 'half'"),
    ("    quotes:\n      - words: We have", "    qoutes:\n      - words: We have", "qoutes:", "claim never-busier: unknown key 'qoutes': the keys are about, cause"),
    ("        occurrence: 1\n", "", "      - words: the works paid for themselves\n      - words: The town",
     f"claim works-paid-for-themselves, quote 1: the words occur 2 times: {first_of('the works paid')}-{first_of('the works paid') + 29} (line 7), "),
    ('after: "Critics say "', 'after: "Critics "', '      - words: the works paid for themselves\n        after: "Critics "',
     "claim only-on-paper, quote 1: no occurrence of the words has after 'Critics ' beside it; they occur at "),
    ("occurrence: 1", "occurrence: 3", "      - words: the works paid for themselves\n        occurrence: 3",
     "claim works-paid-for-themselves, quote 1: occurrence 3 asked for, but the words occur 2 times: "),
    ("- words: Forty ships a week call here now.", "- words: 'Forty ships a week call here now.\"'", "- words: 'Forty ships",
     "claim never-busier, quote 2: the words do not occur verbatim in the archived text; did you mean "
     f"'Forty ships a week call here now.”' at {first_of('Forty')}-{first_of('Forty') + 34} (line 5; curly vs straight quotation marks)?"),
    ("- The harbour of Port Example reopened in May last year", "- The harbour of Port Example reopened in  May last year", "- The harbour of Port Example reopened in  May",
     f"claim harbour-reopened, quote 1: the words do not occur verbatim in the archived text; did you mean 'The harbour of Port Example reopened in May last year, after two years of works.' at {first_of('The harbour of')}-"),
    ("a record\n", "a record - yes\n", "- Fewer than 5 percent of the ships are late - a record - yes"[:0] + "- Fewer than 5 percent",
     "claim few-ships-late, quote 1: the words do not occur verbatim in the archived text; the closest passage is "),
    ("        quotation: true\n        note:", "        quotation: yes please\n        note:", "      - words: Forty ships",
     "claim never-busier, quote 2: quotation is true or false, and quoted names the speaker of a quotation (quotation: true)"),
    ("  - place: Port Example\n    type: City", "  - place: Port Example\n    id: belgium\n    type: City", "  - place: Port Example",
     "entity 1: place/belgium already names <https://w3id.org/claimgraph/id/place/belgium>; give this entry an id of its own"),
    ("  - person: Piet Example\n", "  - person: Piet Example\n    party: none\n", "  - person: Piet Example",
     "entity 2: an entity names exactly one kind (person, place, org, event, policy, outcome, measure) and may have agent, definition, "),
    ("source: example-2026-harbour", "source: example-2026-nowhere", "source: example-2026-nowhere",
     "source 'example-2026-nowhere': no source <https://w3id.org/claimgraph/id/source/example-2026-nowhere> with an archived text"),
    ("  - id: only-on-paper\n    text:", "  - id: only-on-paper\n    text: again\n    text:", "    text:", "the key 'text' occurs twice (first on line"),
    ("  - id: harbour-reopened", "  - id: harbour-reopened: again", "  - id: harbour-reopened: again", "mapping values are not allowed here"),
]


@pytest.mark.parametrize("old, new, located, message", FAULTS, ids=[fault[1][:30] for fault in FAULTS])
def test_each_fault_is_named_by_file_line_and_claim(harbour_data, harbour_curated, tmp_path, old, new, located, message):
    assert old in CLAIMS_YAML
    changed = CLAIMS_YAML.replace(old, new, 1)
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text(changed, encoding="utf-8")
    with pytest.raises(AuthoringError) as raised:
        compiler.compile_source(claims_file, harbour_curated, BASE)
    line = line_of(changed, located) + located[: len(located) - len(located.lstrip("\n"))].count("\n")
    if located == "    text:":  # the second of the two keys
        line = line_of(changed, "text: again") + 1
    expected = f"{claims_file}:{line}"
    assert [problem for problem in raised.value.problems if problem.startswith(expected) and message in problem], raised.value.problems


def test_an_ambiguous_name_is_an_error_naming_both_entities(data_copy):
    data_dir = data_copy
    claims_file = with_source(data_dir)
    (data_dir / "twins.trig").write_text(
        "<https://w3id.org/claimgraph/graph/entities> {\n"
        + "".join(f'<{BASE}id/person/jan-example{n}> <{SCHEMA}name> "Jan Example" .\n' for n in ("", "-2"))
        + "}\n",
        encoding="utf-8",
    )
    changed = CLAIMS_YAML.replace("speaker: person/erin-example", "speaker: {person: jan example}")
    claims_file.write_text(changed, encoding="utf-8")
    with pytest.raises(AuthoringError) as raised:
        compiler.compile_source(claims_file, dataset.read(ONTOLOGY, data_dir), BASE)
    assert raised.value.problems == [
        f"{claims_file}:{line_of(changed, 'speaker: {person')}: claim harbour-reopened, speaker: person 'jan example' matches 2 entities: "
        f"<{BASE}id/person/jan-example>, <{BASE}id/person/jan-example-2>; refer to one as person/slug"
    ]


def test_a_changed_archived_text_is_an_error(data_copy):
    data_dir = data_copy
    claims_file = with_source(data_dir)
    (claims_file.parent / "article.txt").write_text(TEXT.replace("Forty", "Fifty"), encoding="utf-8")
    with pytest.raises(AuthoringError) as raised:
        compiler.compile_source(claims_file, dataset.read(ONTOLOGY, data_dir), BASE)
    [problem] = raised.value.problems
    assert problem.startswith(f"{claims_file}:{line_of(CLAIMS_YAML, 'source:')}: source '{SLUG}': the text on disk has SHA-256 ")


def test_every_fault_of_a_file_is_reported_at_once(harbour_curated, tmp_path):
    changed = CLAIMS_YAML.replace("kind: comparative", "kind: comparitive").replace("unit: percent\n    measure: {measure: share of ships late}\n    about: place/port-example\n    stated-as: Fewer", "unit: pct\n    measure: {measure: share of ships late}\n    about: place/port-example\n    stated-as: Fewer")
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text(changed, encoding="utf-8")
    with pytest.raises(AuthoringError) as raised:
        compiler.compile_source(claims_file, harbour_curated, BASE)
    assert [problem.split(": ", 2)[1] for problem in raised.value.problems] == ["claim never-busier", "figure late-share"]


@pytest.mark.parametrize(
    "written, date, precision",
    [("2017-09-27", "2017-09-27", "day"), ("2016-05", "2016-05-01", "month"), (2001, "2001-01-01", "year"), ("1990s", "1990-01-01", "decade")],
)
def test_a_dates_form_gives_its_precision(written, date, precision):
    assert terms.date_of(written) == (date, precision)


@pytest.mark.parametrize("written", ["2017-02-30", "2017-13", "199s", "1995s", True, "last year"])
def test_what_is_not_a_date(written):
    assert terms.date_of(written) is None


# ---------------------------------------------------------------- finding words in a text

TEXT_OF_TESTS = "He said: \u201cno.\u201d Then: no. And\tthen \u2013 no more.\nNo."
CURLY, DASHED, BROKEN = "\u201cno.\u201d", "And\tthen \u2013 no", "more.\nNo."


def at(words: str, within: str) -> str:
    """The offsets of ``words`` where they stand in ``within``, a passage of the text found once in it."""
    start = TEXT_OF_TESTS.index(within) + within.index(words)
    return f"{start}-{start + len(words)}"


@pytest.mark.parametrize(
    "words, options, within",
    [
        ("Then", {}, "Then"),
        ("no.", {"occurrence": 2}, "Then: no."),
        ("no", {"after": "Then: "}, "Then: no"),
        ("no", {"before": " more"}, "no more"),
        ("No.", {}, "No."),
    ],
)
def test_words_are_found_once(words, options, within):
    span = anchor.find(TEXT_OF_TESTS, words, **options)
    assert f"{span.start}-{span.end}" == at(words, within)
    assert span.exact == words == TEXT_OF_TESTS[span.start : span.end]
    assert span.prefix == TEXT_OF_TESTS[max(0, span.start - anchor.CONTEXT) : span.start]
    assert span.suffix == TEXT_OF_TESTS[span.end : span.end + anchor.CONTEXT]


@pytest.mark.parametrize(
    "words, options, message",
    [
        ("", {}, "the quoted words are empty"),
        ("no", {}, f"the words occur 3 times: {at('no', 'no.')} (line 1), {at('no', ': no')} (line 1), {at('no', 'no more')} (line 1); say which"),
        ("no", {"after": " "}, f"after ' ' leaves 2 occurrences: {at('no', ': no')} (line 1), {at('no', 'no more')} (line 1); give more context"),
        ('"no."', {}, f"did you mean {CURLY!r} at {at(CURLY, CURLY)} (line 1; curly vs straight quotation marks)?"),
        ("And then - no", {}, f"did you mean {DASHED!r} at {at(DASHED, DASHED)} (line 1; dashes vs hyphens, white space)?"),
        ("more. no.", {}, f"did you mean {BROKEN!r} at {at(BROKEN, BROKEN)} (line 1; white space, upper vs lower case)?"),
        ("Then: yes. And", {}, "the closest passage is "),
        ("qqqqqqqq", {}, "nothing in the text comes close"),
    ],
)
def test_words_not_found_once_say_why(words, options, message):
    with pytest.raises(anchor.NotFound) as raised:
        anchor.find(TEXT_OF_TESTS, words, **options)
    assert message in str(raised.value)


# ---------------------------------------------------------------- reviews written in the claims file

REVIEW = """
reviews:
  - claim: never-busier
    reviewer: {name: Example Fact Check, url: "https://factcheck.example.org/"}
    rating: {label: Mostly true, value: 4, best: 5, worst: 1}
    explanation: The harbour's own log (made up for the tests) shows more ships than ever.
    url: https://factcheck.example.org/2026/harbour-busier
    date: 2026-03-10
    language: en
    title: Is the harbour of Port Example busier than ever?
"""


def test_reviews_in_the_file_are_built_in_the_graph_of_their_reviewer_and_source(harbour_curated, tmp_path):
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text(CLAIMS_YAML + REVIEW, encoding="utf-8")
    result = compiler.compile_source(claims_file, harbour_curated, BASE)
    graph = ox.NamedNode(f"{BASE}graph/reviews/example-fact-check/{SLUG}")
    assert {quad.graph_name.value for quad in result.quads if "/graph/reviews/" in quad.graph_name.value} == {graph.value}
    store = store_of([quad for quad in result.quads if quad.graph_name == graph])
    [review] = [quad.subject.value for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(SCHEMA + "ClaimReview"))]
    assert objects(store, review, SCHEMA + "itemReviewed") == {f"{BASE}id/claim/{SLUG}/never-busier"}
    assert objects(store, review, SCHEMA + "url") == {"https://factcheck.example.org/2026/harbour-busier"}
    unknown = CLAIMS_YAML + REVIEW.replace("claim: never-busier", "claim: never-quieter")
    claims_file.write_text(unknown, encoding="utf-8")
    with pytest.raises(AuthoringError) as raised:
        compiler.compile_source(claims_file, harbour_curated, BASE)
    assert raised.value.problems == [f"{claims_file}:{line_of(unknown, '  - claim: never-quieter')}: review 1: claim 'never-quieter' is not a claim of this file"]
