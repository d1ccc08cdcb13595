"""A new source: its text archived byte for byte under ``data/sources/<slug>/``, described in ``source.trig`` as the
curated source is, and a starter ``claims.yaml`` for its claims.

Nothing here touches a store: the caller passes the curated files (:class:`~claimgraph.model.dataset.Curated`), to
find the author and publisher among the existing entities and to refuse a slug already taken.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import DataError
from claimgraph.model import entities as entities_
from claimgraph.model import text as text_rules
from claimgraph.model.dataset import Curated, prefixes
from claimgraph.rdf.vocabulary import CG, SCHEMA

PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

TEXT_FILE = "article.txt"
SOURCE_FILE = "source.trig"
CLAIMS_FILE = "claims.yaml"
#: A slug: lower-case ASCII letters and digits in words joined by single hyphens; it names a folder, a graph and IRIs.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_LENGTH = 80
#: How many words of the headline the default slug keeps.
HEADLINE_WORDS = 3
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclasses.dataclass(frozen=True)
class Added:
    """What :func:`add_source` wrote: the slug, the source's IRI, its folder, and the entities it created."""

    slug: str
    source: str
    folder: Path
    created: tuple[str, ...]


def add_source(
    curated: Curated,
    iri_base: str,
    *,
    url: str,
    text_file: Path,
    headline: str | None,
    authors: Sequence[str],
    publisher: str | None,
    date: str | None,
    language: str = "en",
    slug: str | None = None,
    note: str | None = None,
    today: datetime.date | None = None,
) -> Added:
    """Archive the text of ``text_file`` as the source at ``url`` under ``<curated.data_dir>/sources/<slug>/``:
    the text byte for byte (``article.txt``), ``source.trig`` (the source, its archived text with SHA-256, size and
    retrieval note, in graph ``<iri_base>graph/<slug>``; new authors and publisher in ``<iri_base>graph/entities``)
    and a starter ``claims.yaml``.

    Authors and the publisher are found by name among the curated entities (:mod:`claimgraph.model.entities`) and
    created when none has the name. ``slug`` defaults to the publisher's name, the year and the headline's first
    words. ``today`` (default: the current UTC date) is the date the retrieval note gives.

    :raises DataError: naming every problem found, with nothing written: a URL that is not an absolute http or https
        URL, a missing headline, author or publisher, a date that is not ``YYYY-MM-DD``, a bad language tag or
        slug, a slug already taken, a text file that cannot be read, is empty or is not UTF-8, a name that matches
        several entities.
    """
    problems = []
    if (problem := text_rules.http_url(url)) is not None:
        problems.append(f"URL {url!r} {problem}")
    if not (headline or "").strip():
        problems.append("a headline is required (--headline)")
    if not [author for author in authors if author.strip()]:
        problems.append("an author is required (--author, once per author)")
    if not (publisher or "").strip():
        problems.append("a publisher is required (--publisher)")
    published = _date(date, problems)
    if (problem := text_rules.language_tag(language)) is not None:
        problems.append(f"language {language!r} {problem}")
    content = _text(text_file, problems)
    if slug is None and headline and publisher and published:
        slug = default_slug(publisher, published.year, headline)
    if slug is not None:
        problems += _slug_problems(slug, curated, iri_base)
    index = entities_.Entities.of_quads(curated.quads)
    names = dict.fromkeys(name.strip() for name in authors if name.strip())
    people = [_entity(index, "person", name, iri_base, problems) for name in names]
    organisation = _entity(index, "org", publisher.strip(), iri_base, problems) if (publisher or "").strip() else None
    if problems:
        raise DataError("add-source: nothing was written:\n" + "\n".join(f"  {problem}" for problem in problems))

    source = f"{iri_base}id/source/{slug}"
    folder = curated.data_dir / "sources" / slug
    record = _Record(
        url=url, headline=headline.strip(), language=language, published=published, slug=slug, source=source,
        people=people, publisher=organisation, content=content, text_name=text_file.name, note=note,
        today=today or datetime.datetime.now(datetime.UTC).date(),
    )
    files = {
        TEXT_FILE: content,
        SOURCE_FILE: _source_trig(record, iri_base, prefixes(curated.ontology_dir)),
        CLAIMS_FILE: _claims_yaml(record, people[0][0].removeprefix(f"{iri_base}id/")).encode("utf-8"),
    }
    _write_folder(folder, files)
    return Added(slug, source, folder, tuple(iri for iri, _, new in [*people, organisation] if new))


def default_slug(publisher: str, year: int, headline: str) -> str:
    """``<publisher>-<year>-<first words of the headline>``, e.g. ``example-news-2024-new-bridge-opens``."""
    words = entities_.slug(headline).split("-")[:HEADLINE_WORDS]
    return f"{entities_.slug(publisher)}-{year}-{'-'.join(words)}"[:SLUG_LENGTH].strip("-")


def _date(text: str | None, problems: list[str]) -> datetime.date | None:
    if not text:
        problems.append("a date of publication is required (--date YYYY-MM-DD)")
        return None
    try:
        if not _DATE.fullmatch(text):
            raise ValueError("not of the form YYYY-MM-DD")
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        problems.append(f"date {text!r} is not a calendar date YYYY-MM-DD: {error}")
        return None


def _text(path: Path, problems: list[str]) -> bytes:
    try:
        content = path.read_bytes()
    except OSError as error:
        problems.append(f"text file {path}: cannot be read: {error.strerror}")
        return b""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"text file {path}: not UTF-8 (byte {error.start} is {content[error.start]:#04x}); save it as UTF-8 and try again")
        return content
    if not text.strip():
        problems.append(f"text file {path}: empty, there is nothing to quote")
    return content


def _slug_problems(slug: str, curated: Curated, iri_base: str) -> list[str]:
    if len(slug) > SLUG_LENGTH or not SLUG.fullmatch(slug):
        return [f"slug {slug!r}: use lower-case letters a-z, digits and single hyphens between them, at most {SLUG_LENGTH} characters"]
    taken = []
    if (curated.data_dir / "sources" / slug).exists():
        taken.append(f"data/sources/{slug}/ exists")
    if (curated.data_dir / "claims" / f"{slug}.trig").exists():
        taken.append(f"data/claims/{slug}.trig exists")
    named = {f"{iri_base}id/source/{slug}", f"{iri_base}graph/{slug}"}
    if any(quad.subject.value in named or quad.graph_name.value in named for quad in curated.quads if not isinstance(quad.graph_name, ox.DefaultGraph)):
        taken.append("the curated data has its source or graph")
    if taken:
        return [f"slug {slug!r} is taken ({'; '.join(taken)}): choose another with --slug"]
    return []


def _entity(index: entities_.Entities, kind: str, name: str, iri_base: str, problems: list[str]) -> tuple[str, str, bool]:
    """(IRI, name, whether it is new) of the entity of ``kind`` named ``name``: the existing one, or one minted."""
    found = index.find(kind, name)
    if len(found) > 1:
        problems.append(f"{kind} {name!r} matches several entities ({', '.join(found)}); the data must name it once")
    if found:
        return found[0], name, False
    return index.mint(kind, name, iri_base), name, True


@dataclasses.dataclass(frozen=True)
class _Record:
    url: str
    headline: str
    language: str
    published: datetime.date
    slug: str
    source: str
    people: list[tuple[str, str, bool]]
    publisher: tuple[str, str, bool]
    content: bytes
    text_name: str
    note: str | None
    today: datetime.date


def _source_trig(record: _Record, iri_base: str, namespaces: dict[str, str]) -> bytes:
    graph = ox.NamedNode(f"{iri_base}graph/{record.slug}")
    entities_graph = ox.NamedNode(f"{iri_base}graph/entities")
    source = ox.NamedNode(record.source)
    text = ox.NamedNode(record.source + "-text")
    url = ox.NamedNode(record.url)

    def quad(subject, predicate: str, value, in_graph=graph) -> ox.Quad:
        return ox.Quad(subject, ox.NamedNode(predicate), value, in_graph)

    quads = [
        ox.Quad(source, RDF_TYPE, ox.NamedNode(SCHEMA + "NewsArticle"), graph),
        ox.Quad(source, RDF_TYPE, ox.NamedNode(PROV + "Entity"), graph),
        quad(source, SCHEMA + "headline", ox.Literal(record.headline, language=record.language)),
        quad(source, SCHEMA + "url", url),
        *(quad(source, SCHEMA + "author", ox.NamedNode(iri)) for iri, _, _ in record.people),
        quad(source, SCHEMA + "publisher", ox.NamedNode(record.publisher[0])),
        quad(source, SCHEMA + "datePublished", ox.Literal(record.published.isoformat(), datatype=ox.NamedNode(XSD + "date"))),
        quad(source, SCHEMA + "inLanguage", ox.Literal(record.language)),
        quad(source, CG + "archivedText", text),
        ox.Quad(text, RDF_TYPE, ox.NamedNode(CG + "ArchivedText"), graph),
        quad(text, SCHEMA + "encodingFormat", ox.Literal("text/plain; charset=utf-8")),
        quad(text, SCHEMA + "sha256", ox.Literal(hashlib.sha256(record.content).hexdigest())),
        quad(text, SCHEMA + "contentSize", ox.Literal(f"{len(record.content)} bytes")),
        quad(text, CG + "localPath", ox.Literal(f"sources/{record.slug}/{TEXT_FILE}")),
        quad(text, PROV + "wasDerivedFrom", url),
        quad(text, CG + "retrievalNote", ox.Literal(_retrieval_note(record), language="en")),
    ]
    for (iri, name, new), schema_class in [*((person, "Person") for person in record.people), (record.publisher, "Organization")]:
        if new:
            quads.append(ox.Quad(ox.NamedNode(iri), RDF_TYPE, ox.NamedNode(SCHEMA + schema_class), entities_graph))
            quads.append(quad(ox.NamedNode(iri), SCHEMA + "name", ox.Literal(name), entities_graph))
    used = {name: namespaces[name] for name in ("cg", "schema", "prov", "xsd") if name in namespaces}
    used |= {name: f"{iri_base}{folder}/" for name, folder in (("graph", "graph"), ("source", "id/source"), ("person", "id/person"), ("org", "id/org"))}
    header = (
        f"# The source {record.slug!r} and its archived text, written by `claimgraph add-source` on {record.today.isoformat()}.\n"
        f"# New authors or a new publisher, if any, are in the entities graph below. Claims go in {CLAIMS_FILE} beside this file.\n\n"
    )
    return header.encode("utf-8") + ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=used)


def _retrieval_note(record: _Record) -> str:
    note = (
        f"Archived by claimgraph add-source on {record.today.isoformat()} from the file {record.text_name!r} it was given "
        f"({len(record.content)} bytes of UTF-8 text, kept byte for byte), which the person running it stated to be the text "
        f"of {record.url}; add-source did not fetch that URL, so the match of this text with the page there rests on their word."
    )
    return f"{note} {record.note.strip()}" if record.note and record.note.strip() else note


def _claims_yaml(record: _Record, speaker: str) -> str:
    return f"""\
# The claims of "{_comment(record.headline)}" ({record.published.isoformat()}), archived in {TEXT_FILE} beside this file.
# The form is described in docs/authoring.md; `claimgraph compile` turns this file into data/claims/{record.slug}.trig.
source: {record.slug}
language: {record.language}

# Replace [] by the list of claims, e.g. (the quoted words must occur verbatim in {TEXT_FILE}):
#  - id: a-short-name
#    text: The claim, restated in a sentence.
#    kind: [descriptive]
#    voice: narration
#    modality: stated
#    speaker: {speaker}
#    about: [place/...]
#    quotes:
#      - words: "The exact words of the text."
claims: []
"""


def _comment(text: str) -> str:
    """``text`` on one line, for a YAML comment."""
    return " ".join(text.split())


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into the new ``folder`` all at once: into a hidden folder beside it, then renamed."""
    staging = folder.parent / f".{folder.name}.partial"
    try:
        # a staging folder left by a run that was killed half-way is ours to clear.
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, content in files.items():
            (staging / name).write_bytes(content)
        os.rename(staging, folder)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError(f"add-source: cannot write {folder}: {error.strerror}; nothing was written") from error
