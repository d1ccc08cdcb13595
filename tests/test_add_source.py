"""``claimgraph add-source``: a text archived byte for byte with its metadata, in the curated source's shape; every
bad option refused with a message naming it, and nothing written."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
import rdflib
import yaml
from claimgraph.cli import main
from click.testing import CliRunner
from conftest import ONTOLOGY, rewrite

SCHEMA = rdflib.Namespace("http://schema.org/")
CG = rdflib.Namespace("https://w3id.org/claimgraph/ontology#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
BASE = "https://w3id.org/claimgraph/"
URL = "https://news.example.org/2024/05/new-bridge"
#: Made up for the tests: an example text, with a character outside ASCII so that "byte for byte" means something.
TEXT = "EXAMPLE TEXT, made up for claimgraph's tests.\n\nThe new bridge over the Example river opened on Thursday – two years late.\n"
OPTIONS = ("--headline", "New bridge opens over the river", "--author", "Jane Example", "--publisher", "Example News", "--date", "2024-05-02")
SLUG = "example-news-2024-new-bridge-opens"


@pytest.fixture
def cli(tmp_path: Path):
    """Run ``claimgraph`` in this process (click's runner): each test runs it many times over a copy of the data."""

    def run(*args: str, data_dir: Path):
        options = ["--store", str(tmp_path / "store"), "--data-dir", str(data_dir), "--ontology-dir", str(ONTOLOGY)]
        return CliRunner().invoke(main, [*options, *args])

    return run


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "bridge.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path → bytes): what "nothing was written" is checked against."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def source_graph(folder: Path) -> rdflib.Dataset:
    found = rdflib.Dataset()
    found.parse(folder / "source.trig", format="trig")
    return found


def test_add_source_archives_the_text_and_describes_it(cli, data_copy, text_file):
    done = cli("add-source", URL, "--text", str(text_file), *OPTIONS, "--note", "Typed in from the printed page.", data_dir=data_copy)
    assert done.exit_code == 0, done.stderr
    folder = data_copy / "sources" / SLUG
    assert sorted(path.name for path in folder.iterdir()) == ["article.txt", "claims.yaml", "source.trig"]
    assert (folder / "article.txt").read_bytes() == text_file.read_bytes()

    found = source_graph(folder)
    graph = found.graph(rdflib.URIRef(f"{BASE}graph/{SLUG}"))
    source = rdflib.URIRef(f"{BASE}id/source/{SLUG}")
    text = graph.value(source, CG.archivedText)
    assert set(graph.objects(source, rdflib.RDF.type)) == {SCHEMA.NewsArticle, PROV.Entity}
    assert graph.value(source, SCHEMA.headline) == rdflib.Literal("New bridge opens over the river", lang="en")
    assert graph.value(source, SCHEMA.url) == rdflib.URIRef(URL)
    assert graph.value(source, SCHEMA.datePublished) == rdflib.Literal("2024-05-02", datatype=rdflib.XSD.date)
    assert graph.value(source, SCHEMA.inLanguage) == rdflib.Literal("en")
    content = text_file.read_bytes()
    assert graph.value(text, SCHEMA.sha256) == rdflib.Literal(hashlib.sha256(content).hexdigest())
    assert graph.value(text, SCHEMA.contentSize) == rdflib.Literal(f"{len(content)} bytes")
    assert graph.value(text, SCHEMA.encodingFormat) == rdflib.Literal("text/plain; charset=utf-8")
    assert graph.value(text, CG.localPath) == rdflib.Literal(f"sources/{SLUG}/article.txt")
    assert graph.value(text, PROV.wasDerivedFrom) == rdflib.URIRef(URL)
    note = str(graph.value(text, CG.retrievalNote))
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    for words in ("add-source", today, "'bridge.txt'", URL, "did not fetch", "Typed in from the printed page."):
        assert words in note, words

    entities = found.graph(rdflib.URIRef(f"{BASE}graph/entities"))
    author, publisher = graph.value(source, SCHEMA.author), graph.value(source, SCHEMA.publisher)
    assert (author, publisher) == (rdflib.URIRef(f"{BASE}id/person/jane-example"), rdflib.URIRef(f"{BASE}id/org/example-news"))
    assert set(entities) == {
        (author, rdflib.RDF.type, SCHEMA.Person), (author, SCHEMA.name, rdflib.Literal("Jane Example")),
        (publisher, rdflib.RDF.type, SCHEMA.Organization), (publisher, SCHEMA.name, rdflib.Literal("Example News")),
    }
    starter = yaml.safe_load((folder / "claims.yaml").read_text(encoding="utf-8"))
    assert starter == {"source": SLUG, "language": "en", "claims": []}
    assert cli("validate", data_dir=data_copy).exit_code == 0


def test_existing_authors_and_publishers_are_found_by_name(cli, data_copy, text_file):
    """Adrian Breda and "DW" (Deutsche Welle's alternate name) are in the curated entities: linked, not minted."""
    options = ("--headline", "Example", "--author", "adrian  BREDA", "--publisher", "DW", "--date", "2024-05-02", "--slug", "example-dw")
    done = cli("add-source", URL, "--text", str(text_file), *options, data_dir=data_copy)
    assert done.exit_code == 0, done.stderr
    found = source_graph(data_copy / "sources" / "example-dw")
    source = rdflib.URIRef(f"{BASE}id/source/example-dw")
    graph = found.graph(rdflib.URIRef(f"{BASE}graph/example-dw"))
    assert graph.value(source, SCHEMA.author) == rdflib.URIRef(f"{BASE}id/person/adrian-breda")
    assert graph.value(source, SCHEMA.publisher) == rdflib.URIRef(f"{BASE}id/org/deutsche-welle")
    assert len(found.graph(rdflib.URIRef(f"{BASE}graph/entities"))) == 0
    assert "new entity" not in done.stderr


def test_a_name_shared_by_two_entities_is_refused(cli, data_copy, text_file):
    rewrite(
        data_copy / "entities.trig",
        'INSERT DATA { GRAPH <https://w3id.org/claimgraph/graph/entities> {'
        ' <https://w3id.org/claimgraph/id/person/adrian-breda-2> a schema:Person ; schema:name "Adrian Breda" } }',
    )
    before = files(data_copy)
    done = cli("add-source", URL, "--text", str(text_file), *replaced(OPTIONS, "--author", "Adrian Breda"), data_dir=data_copy)
    assert (done.exit_code, files(data_copy)) == (1, before)
    assert (
        f"person 'Adrian Breda' matches several entities ({BASE}id/person/adrian-breda, {BASE}id/person/adrian-breda-2); "
        "the data must name it once"
    ) in done.stderr


def test_several_authors(cli, data_copy, text_file):
    done = cli("add-source", URL, "--text", str(text_file), *OPTIONS, "--author", "John Example", data_dir=data_copy)
    assert done.exit_code == 0, done.stderr
    graph = source_graph(data_copy / "sources" / SLUG).graph(rdflib.URIRef(f"{BASE}graph/{SLUG}"))
    authors = set(graph.objects(rdflib.URIRef(f"{BASE}id/source/{SLUG}"), SCHEMA.author))
    assert authors == {rdflib.URIRef(f"{BASE}id/person/jane-example"), rdflib.URIRef(f"{BASE}id/person/john-example")}


def replaced(options: tuple[str, ...], name: str, value: str | None) -> tuple[str, ...]:
    """``options`` with option ``name`` given ``value`` (added when absent), or left out when ``value`` is None."""
    pairs = dict(zip(options[::2], options[1::2]))
    pairs[name] = value
    return tuple(item for option, given in pairs.items() if given is not None for item in (option, given))


@pytest.mark.parametrize(
    ("url", "option", "value", "message"),
    [
        ("ftp://news.example.org/a", None, None, "URL 'ftp://news.example.org/a' is not an absolute http:// or https:// URL"),
        ("news.example.org/a", None, None, "URL 'news.example.org/a' is not an absolute http:// or https:// URL"),
        ("https://news.example.org/a b", None, None, "URL 'https://news.example.org/a b' is not a valid IRI"),
        ("http://[::1/a", None, None, "URL 'http://[::1/a' is not an absolute http:// or https:// URL"),
        (URL, "--date", "2024-02-30", "date '2024-02-30' is not a calendar date YYYY-MM-DD"),
        (URL, "--date", "2 May 2024", "date '2 May 2024' is not a calendar date YYYY-MM-DD: not of the form YYYY-MM-DD"),
        (URL, "--date", None, "a date of publication is required (--date YYYY-MM-DD)"),
        (URL, "--headline", None, "a headline is required (--headline)"),
        (URL, "--headline", "  ", "a headline is required (--headline)"),
        (URL, "--author", None, "an author is required (--author, once per author)"),
        (URL, "--publisher", None, "a publisher is required (--publisher)"),
        (URL, "--language", "english language", "language 'english language' is not a BCP 47 language tag"),
        (URL, "--slug", "Bad_Slug", "slug 'Bad_Slug': use lower-case letters a-z, digits and single hyphens"),
        (URL, "--slug", "two--hyphens", "slug 'two--hyphens': use lower-case letters a-z, digits and single hyphens"),
        (URL, "--slug", "dw-2017-mechelen", "slug 'dw-2017-mechelen' is taken (data/sources/dw-2017-mechelen/ exists;"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_written(cli, data_copy, text_file, url, option, value, message):
    before = files(data_copy)
    options = replaced(OPTIONS, option, value) if option else OPTIONS
    done = cli("add-source", url, "--text", str(text_file), *options, data_dir=data_copy)
    assert (done.exit_code, files(data_copy)) == (1, before), done.stderr
    assert "add-source: nothing was written" in done.stderr
    assert message in done.stderr


def test_a_slug_whose_claims_file_exists_is_taken(cli, data_copy, text_file):
    (data_copy / "claims" / f"{SLUG}.trig").write_text("# a claims file of that name\n", encoding="utf-8")
    before = files(data_copy)
    done = cli("add-source", URL, "--text", str(text_file), *OPTIONS, data_dir=data_copy)
    assert (done.exit_code, files(data_copy)) == (1, before)
    assert f"slug '{SLUG}' is taken (data/claims/{SLUG}.trig exists)" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Caf\u00e9 in Latin-1.\n".encode("latin-1"), "not UTF-8 (byte 3 is 0xe9); save it as UTF-8 and try again"),
        (b" \n\n", "empty, there is nothing to quote"),
    ],
)
def test_a_text_that_is_not_utf8_or_empty_is_refused(cli, data_copy, tmp_path, content, message):
    path = tmp_path / "text.txt"
    path.write_bytes(content)
    before = files(data_copy)
    done = cli("add-source", URL, "--text", str(path), *OPTIONS, data_dir=data_copy)
    assert (done.exit_code, files(data_copy)) == (1, before)
    assert f"text file {path}: {message}" in done.stderr


def test_every_problem_is_told_at_once(cli, data_copy, tmp_path):
    missing = tmp_path / "missing.txt"
    done = cli("add-source", "ftp://x.example.org/", "--text", str(missing), "--date", "yesterday", data_dir=data_copy)
    assert done.exit_code == 1
    problems = [line.strip() for line in done.stderr.splitlines()[1:]]
    assert problems == [
        "URL 'ftp://x.example.org/' is not an absolute http:// or https:// URL",
        "a headline is required (--headline)",
        "an author is required (--author, once per author)",
        "a publisher is required (--publisher)",
        "date 'yesterday' is not a calendar date YYYY-MM-DD: not of the form YYYY-MM-DD",
        f"text file {missing}: cannot be read: No such file or directory",
    ]


def test_the_text_option_is_required(cli, data_copy):
    done = cli("add-source", URL, *OPTIONS, data_dir=data_copy)
    assert done.exit_code == 2
    assert "Missing option '--text'" in done.stderr
