"""The README's "Adding a source" steps work as written: run in a copy of the repository's data, the made-up example
of docs/examples/ is archived, compiled, validated and loaded; the real server then finds its claims and shows the
quote highlighted on the claim page, in chromium too."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
import rdflib.compare
import yaml
from browser import assert_page_is_sound
from claimgraph.cli import main
from click.testing import CliRunner
from conftest import DATA, ONTOLOGY, dump, running_server

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE = ROOT / "docs" / "examples" / "riverton-footbridge"
README_URL = "http://127.0.0.1:8001"
COMMAND = ".venv/bin/claimgraph"
#: How long the steps may run before the test gives up on them (a bound against a hang, not a measure of speed:
#: the time they take is measured by hand, and stated in the README).
WITHIN = 300


def steps() -> list[str]:
    """The commands of the section's ``sh`` blocks, continuation lines joined, in order."""
    section = README.read_text(encoding="utf-8").split("## Adding a source\n", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL):
        commands += [line.strip() for line in re.sub(r"\\\n\s*", "", block).splitlines() if line.strip()]
    return commands


def split(commands: list[str]) -> tuple[list[str], str, list[str]]:
    """The commands before ``claimgraph serve``, the serve command, and the commands that ask the server."""
    [serve] = [index for index, command in enumerate(commands) if command.startswith(f"{COMMAND} serve ")]
    return commands[:serve], commands[serve], [command for command in commands[serve + 1 :] if command != "kill %1"]


def exported(commands: list[str]) -> dict[str, str]:
    """The variables the steps ``export`` (NAME=value), as the server must be given them."""
    found = {}
    for command in commands:
        if command.startswith("export "):
            found |= dict(word.split("=", 1) for word in shlex.split(command)[1:])
    return found


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):
    """The steps run in a clone-like folder (a copy of data/ and docs/examples/), then the server they start."""
    clone = tmp_path_factory.mktemp("clone")
    shutil.copytree(DATA, clone / "data")
    shutil.copytree(EXAMPLE.parent, clone / "docs" / "examples")
    before, serve, asking = split(steps())
    claimgraph = f"{shlex.quote(sys.executable)} -m claimgraph"
    script = "set -euo pipefail\n" + "\n".join(command.replace(COMMAND, claimgraph) for command in before)
    done = subprocess.run(["bash", "-c", script], cwd=clone, capture_output=True, text=True, timeout=WITHIN)
    assert done.returncode == 0, done.stderr
    settings = exported(before)
    port = re.search(r"--port (\d+)", serve).group(1)
    assert f"http://127.0.0.1:{port}" == README_URL
    with running_server(clone / settings["CLAIMGRAPH_STORE"], data_dir=clone / settings["CLAIMGRAPH_DATA_DIR"]) as server:
        answers = [
            subprocess.run(["bash", "-c", command.replace(README_URL, server.url)], capture_output=True, text=True, timeout=60)
            for command in asking
        ]
        yield server, clone, asking, answers


def claims_file() -> dict:
    return yaml.safe_load((EXAMPLE / "claims.yaml").read_text(encoding="utf-8"))


def test_the_section_has_every_step():
    before, serve, asking = split(steps())
    text = "\n".join(before)
    for step in ("add-source https://news.example.org/", "docs/examples/riverton-footbridge/claims.yaml", "compile", "validate", "load"):
        assert step in text, step
    assert [command.split()[0] for command in asking] == ["until", "curl", "curl"]


def test_the_steps_wrote_the_source_and_its_claims(example):
    _, clone, *_ = example
    slug = claims_file()["source"]
    data = clone / "var" / "example" / "data"
    assert (data / "sources" / slug / "article.txt").read_bytes() == (EXAMPLE / "article.txt").read_bytes()
    assert (data / "claims" / f"{slug}.trig").is_file()
    assert not (ROOT / "data" / "sources" / slug).exists()


def graphs(path: Path) -> dict[str, rdflib.Graph]:
    found = rdflib.Dataset()
    found.parse(path, format="trig")
    return {str(graph.identifier): graph for graph in found.graphs() if len(graph)}


def test_the_example_exported_compiles_back_to_the_same_file(example, tmp_path):
    """Its claims, and the entities and review its claims file created: every graph of the compiled file."""
    _, clone, *_ = example
    slug = claims_file()["source"]
    data = Path(shutil.copytree(clone / "var" / "example" / "data", tmp_path / "data"))
    runner = CliRunner()
    exported = runner.invoke(main, ["--data-dir", str(data), "--ontology-dir", str(ONTOLOGY), "export-yaml", slug])
    assert exported.exit_code == 0, exported.output
    assert sorted(yaml.safe_load(exported.stdout)["entities"], key=str) == sorted(claims_file()["entities"], key=str)
    (data / "sources" / slug / "claims.yaml").write_text(exported.stdout, encoding="utf-8")
    compiled = runner.invoke(main, ["--data-dir", str(data), "--ontology-dir", str(ONTOLOGY), "compile"])
    assert compiled.exit_code == 0, compiled.output
    first, again = graphs(clone / "var" / "example" / "data" / "claims" / f"{slug}.trig"), graphs(data / "claims" / f"{slug}.trig")
    assert sorted(again) == sorted(first)
    assert {name: rdflib.compare.isomorphic(again[name], graph) for name, graph in first.items()} == dict.fromkeys(first, True)


def test_search_finds_the_claims(example):
    _, _, asking, answers = example
    search = answers[asking.index(next(command for command in asking if "/search?" in command))]
    document = claims_file()
    expected = {f"/id/claim/{document['source']}/{claim['id']}" for claim in document["claims"]}
    assert (search.returncode, set(search.stdout.split())) == (0, expected)


def test_the_claim_page_shows_the_quote_highlighted(example):
    _, _, asking, answers = example
    page = answers[-1]
    claim = next(claim for claim in claims_file()["claims"] if claim["id"] == "bridge-joins-town")
    assert (page.returncode, page.stdout) == (0, f'<mark class="evidence" id="evidence-1">{claim["quotes"][0]["words"]}</mark>\n')


def test_the_highlighted_quote_is_visible_in_a_browser(example, visit):
    server, *_ = example
    document = claims_file()
    claim = next(claim for claim in document["claims"] if claim["id"] == "bridge-joins-town")
    seen = visit(f"{server.url}/id/claim/{document['source']}/{claim['id']}")
    assert_page_is_sound(seen)
    mark = seen.page.locator("mark.evidence")
    assert mark.count() == 1
    assert mark.inner_text() == claim["quotes"][0]["words"]
    assert mark.is_visible()


def test_loading_the_compiled_review_again_keeps_the_imported_reviews_of_its_reviewer(tmp_path):
    """A review compiled from the example's claims file is in a graph of its reviewer and source, so that `load`
    (which replaces every graph the files define) leaves the reviews imported for the same reviewer be."""
    shutil.copytree(DATA, tmp_path / "data")
    shutil.copytree(EXAMPLE.parent, tmp_path / "docs" / "examples")
    before, _, _ = split(steps())
    claimgraph = f"{shlex.quote(sys.executable)} -m claimgraph"
    good = Path(__file__).parent / "fixtures" / "claimreview" / "good"
    script = "\n".join(["set -euo pipefail", *(command.replace(COMMAND, claimgraph) for command in before),
                        f"{claimgraph} import-claimreview {shlex.quote(str(good))}"])
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=WITHIN)
    assert done.returncode == 0, done.stderr
    settings = exported(before)
    store = tmp_path / settings["CLAIMGRAPH_STORE"]
    base = "https://w3id.org/claimgraph/"
    reviewer = base + "graph/reviews/example-fact-check"
    compiled = f"{reviewer}/{claims_file()['source']}"

    def reviews_by_graph() -> dict[str, set[str]]:
        found = rdflib.Dataset()
        found.parse(data=dump(store), format="nquads")
        rows = found.query("SELECT ?g ?r WHERE { GRAPH ?g { ?r a <http://schema.org/ClaimReview> } }")
        by_graph: dict[str, set[str]] = {}
        for graph, review in rows:
            by_graph.setdefault(str(graph), set()).add(str(review))
        return by_graph

    imported = reviews_by_graph()
    [line] = [line for line in done.stderr.splitlines() if line.startswith("imported ")]
    count_ = int(re.match(r"imported (\d+) review", line)[1])
    assert sum(len(found) for graph, found in imported.items() if graph != compiled) == count_
    assert len(imported[reviewer]) >= 1
    assert len(imported[compiled]) == len(claims_file()["reviews"])
    loaded = subprocess.run(["bash", "-c", "\n".join([*(c for c in before if c.startswith("export ")), f"{claimgraph} load"])],
                            cwd=tmp_path, capture_output=True, text=True, timeout=WITHIN)
    assert loaded.returncode == 0, loaded.stderr
    assert reviews_by_graph() == imported
