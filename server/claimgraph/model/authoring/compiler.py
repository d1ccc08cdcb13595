"""``claimgraph compile``: a source's claims written in YAML (``data/sources/<slug>/claims.yaml``) turned into the
project's TriG (``data/claims/<slug>.trig``), with every quote found in the archived text and everything verified
before a byte is written.

:func:`compile_source` compiles one file; :func:`compile_all` compiles several against the curated files and
validates the result (SHACL and quotes, :func:`claimgraph.model.validate.validate`); :func:`write` writes them, all
or none. The YAML form is documented in ``docs/authoring.md``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import AuthoringError, DataError
from claimgraph.model import dataset, entities, reviewgraph, reviews
from claimgraph.model.authoring import yamlfile
from claimgraph.model.authoring.builder import PROV, Builder, Context
from claimgraph.model.authoring.references import RDF_TYPE, References
from claimgraph.model.dataset import Curated
from claimgraph.model.sources import archived_text
from claimgraph.model.validate import validate
from claimgraph.rdf.vocabulary import CG, SCHEMA, SKOS

DCTERMS = "http://purl.org/dc/terms/"
TOP_KEYS = {"source", "language", "title", "entities", "claims", "figures", "reviews"}
HEADER = "# Compiled by `claimgraph compile` from {yaml}: edit that file and compile again, not this one.\n\n"


@dataclasses.dataclass(frozen=True)
class Compiled:
    """One compiled claims file: its source's ``slug``, its ``quads`` (the source's claims graph, new entities in
    ``graph/entities``, reviews in their reviewers' graphs, the graph's description in ``graph/meta``), the TriG file
    it is written to (``output``), and for each IRI it describes, where in the YAML file (``places``: ``line: what``)."""

    slug: str
    quads: list[ox.Quad]
    output: Path
    yaml_path: Path
    places: dict[str, str]
    #: the YAML file as the TriG's first line names it: relative to the data directory (else its bare name).
    shown: str = ""


def slug_of(yaml_path: Path) -> str | None:
    """The ``source:`` of a claims file, or ``None`` if it has none (:func:`compile_source` then says why).

    :raises AuthoringError: if the file cannot be read as YAML.
    """
    source = yamlfile.load(yaml_path, str(yaml_path)).get("source")
    return source if isinstance(source, str) else None


def compile_source(yaml_path: Path, curated: Curated, iri_base: str) -> Compiled:
    """The quads of the claims file ``yaml_path``, checked against ``curated`` (the curated files without this
    file's earlier output, see :func:`compile_all`): every quote found verbatim and once in its source's verified
    archived text, every kind, unit and word known, every entity reference resolved (new entities minted).

    :raises AuthoringError: with every problem of the file, each naming the file, the line and the claim.
    """
    name = str(yaml_path)
    document = yamlfile.load(yaml_path, name)
    problems: list[str] = []

    def report(message: str) -> None:
        problems.append(f"{name}:{message}")

    for key in document:
        if key not in TOP_KEYS:
            report(f"{document.line_of(key)}: unknown key {key!r}: the keys are {', '.join(sorted(TOP_KEYS))}")
    context = _context(document, curated, iri_base, report)
    if context is None:
        raise AuthoringError(problems)
    builder = Builder(context)
    context.references.define(document.get("entities"), document.line_of("entities"), report)
    context.references.finish()
    builder.known_figures(document.get("figures"))
    for key, add in (("claims", builder.claim), ("figures", builder.figure)):
        items = document.get(key)
        if items is None and key == "figures":
            continue
        if not isinstance(items, yamlfile.Sequence) or (key == "claims" and not items):
            report(f"{document.line_of(key)}: {key}: must be a list of mappings")
            continue
        for number, item in enumerate(items, 1):
            add(item, items.lines[number - 1], number)
    review_quads, review_problems = _reviews(document, builder, curated, context, name, builder.places)
    problems += review_problems
    if problems:
        raise AuthoringError(problems)
    quads = builder.quads + context.references.quads + review_quads + _meta(document, context)
    try:
        shown = yaml_path.resolve().relative_to(curated.data_dir.resolve()).as_posix()
    except ValueError:
        shown = yaml_path.name
    return Compiled(context.slug, quads, curated.data_dir / "claims" / f"{context.slug}.trig", yaml_path, builder.places, shown)


def compile_all(yaml_paths: Iterable[Path], ontology_dir: Path, data_dir: Path, iri_base: str, output: Path | None = None) -> list[Compiled]:
    """Compile every file of ``yaml_paths`` against the curated files (read without the files they will replace:
    ``claims/<slug>.trig``, and ``output`` when it is among them), then validate the curated files with all of them
    added; ``output`` is where the compiled triples of a single file are to be written instead.

    :raises AuthoringError: with every problem of every file (nothing is written by this function).
    :raises DataError: if the curated files cannot be read.
    """
    yaml_paths = list(yaml_paths)
    problems: list[str] = []
    outputs: list[Path] = []
    for path in yaml_paths:
        try:
            slug = slug_of(path)
        except AuthoringError as error:
            problems += error.problems
            continue
        if slug is not None:
            # The source's own claims file is replaced by what the YAML says, wherever the result is written.
            outputs += [data_dir / "claims" / f"{slug}.trig", *([output] if output else [])]
    if problems:
        raise AuthoringError(problems)
    curated = dataset.read(ontology_dir, data_dir, exclude=outputs)
    compiled: list[Compiled] = []
    seen = curated
    for path in yaml_paths:
        try:
            result = compile_source(path, seen, iri_base)
        except AuthoringError as error:
            problems += error.problems
            continue
        compiled.append(dataclasses.replace(result, output=output) if output else result)
        # Each file sees the entities the files before it created, so that they are referred to, not made twice.
        seen = dataclasses.replace(seen, quads=seen.quads + result.quads)
    if problems:
        raise AuthoringError(problems)
    verify(curated, compiled)
    return compiled


def verify(curated: Curated, compiled: list[Compiled]) -> None:
    """Validate the curated files with the compiled quads added (SHACL and every quote at its offsets).

    :raises AuthoringError: with each problem, named by the place in its YAML file where the IRI was described.
    """
    added = [quad for result in compiled for quad in result.quads]
    problems = validate(dataclasses.replace(curated, quads=curated.quads + added))
    if problems:
        places = {iri: f"{result.yaml_path}:{where}" for result in compiled for iri, where in result.places.items()}
        raise AuthoringError([_placed(problem, places) for problem in problems])


def _placed(problem, places: dict[str, str]) -> str:
    """A validation problem named by the place in its YAML file of the node it is about: the node the validator
    says it found it at (``[at <iri>]``), else its claim."""
    at = re.search(r"\[at <([^>]+)>\]", problem.message)
    for iri in (at.group(1) if at else None, problem.subject):
        if iri in places:
            return f"{places[iri]}: {problem.message}"
    return str(problem)


def render(compiled: Compiled, namespaces: dict[str, str], iri_base: str) -> bytes:
    """The TriG text of a compiled file: the project's prefixes and the source's own (claim:, figure:, evidence:)."""
    prefixes = dict(namespaces)
    prefixes |= {kind: f"{iri_base}id/{kind}/" for kind in (*entities.KINDS, "source")}
    prefixes |= {folder: f"{iri_base}id/{folder}/{compiled.slug}/" for folder in ("claim", "figure", "evidence")}
    prefixes.pop("id", None)
    text = ox.serialize(compiled.quads, format=ox.RdfFormat.TRIG, prefixes=prefixes).decode()
    # pyoxigraph writes the prefixes in an order of its own; they are written here in ours, for stable diffs.
    body = text[text.index("\n", text.rindex("@prefix ")) + 1 :] if "@prefix " in text else text
    declared = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(prefixes.items()))
    return (HEADER.format(yaml=compiled.shown or compiled.yaml_path.name) + declared + "\n" + body).encode()


def write(compiled: list[Compiled], namespaces: dict[str, str], iri_base: str) -> None:
    """Write every compiled file, or none: each is written to a temporary file beside its output, and only when all
    are written are they moved into place (``os.replace``).

    :raises DataError: if a file cannot be written (the temporary files are removed; no output is changed).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for result in compiled:
            result.output.parent.mkdir(parents=True, exist_ok=True)
            temporary = result.output.with_name(f".{result.output.name}.tmp")
            temporary.write_bytes(render(result, namespaces, iri_base))
            staged.append((temporary, result.output))
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise DataError(f"{error.filename}: cannot write: {error.strerror}; nothing was written") from error
    for temporary, output in staged:
        os.replace(temporary, output)


def _context(document: yamlfile.Mapping, curated: Curated, iri_base: str, report) -> Context | None:
    """The source of the file and what its claims are checked against; ``None`` (and a problem) without a source
    whose archived text is there and verified."""
    slug = document.get("source")
    line = document.line_of("source")
    if not isinstance(slug, str) or not slug:
        report(f"{line}: source: must be the slug of a source (its folder below sources/)")
        return None
    source = f"{iri_base}id/source/{slug}"
    facts: dict[str, dict[str, ox.Term]] = {}
    subjects: set[str] = set()
    kinds: set[str] = set()
    units: set[str] = set()
    for quad in curated.quads:
        subjects.add(quad.subject.value)
        facts.setdefault(quad.subject.value, {})[quad.predicate.value] = quad.object
        if quad.predicate.value == SKOS + "inScheme" and quad.object.value in (CG + "claimKinds", CG + "units"):
            (kinds if quad.object.value == CG + "claimKinds" else units).add(quad.subject.value.rsplit("/", 1)[-1])
    archive = facts.get(source, {}).get(CG + "archivedText")
    if archive is None:
        report(f"{line}: source {slug!r}: no source <{source}> with an archived text (cg:archivedText) in the curated files; add it with claimgraph add-source")
        return None
    path = facts.get(archive.value, {}).get(CG + "localPath")
    digest = facts.get(archive.value, {}).get(SCHEMA + "sha256")
    archived = archived_text(curated.data_dir, path.value if path else "", digest.value if digest else None)
    if not archived.verified:
        report(f"{line}: source {slug!r}: {archived.problem or 'its archived text is not verified'}")
        return None
    language = document.get("language") or getattr(facts[source].get(SCHEMA + "inLanguage"), "value", None)
    if not isinstance(language, str):
        report(f"{document.line_of('language')}: language: must be a language tag (en), or the source must state schema:inLanguage")
        return None
    references = References(subjects, entities.Entities.of_quads(curated.quads), iri_base, language, ox.NamedNode(iri_base + "graph/entities"))
    return Context(slug, iri_base, language, source, archived.text, kinds, units, references, report)


def _reviews(
    document: yamlfile.Mapping, builder: Builder, curated: Curated, context: Context, name: str, places: dict[str, str]
) -> tuple[list[ox.Quad], list[str]]:
    """The quads of the file's ``reviews:``, built by :mod:`claimgraph.model.reviews` (a claim named by its id in
    this file is replaced by its IRI), and the problems found, each starting ``<file>:<line>``; where each review
    node was written is added to ``places``."""
    items = document.get("reviews")
    if items is None:
        return [], []
    if not isinstance(items, yamlfile.Sequence):
        return [], [f"{name}:{document.line_of('reviews')}: reviews: must be a list of mappings"]
    found: list[reviews.Review] = []
    problems: list[str] = []
    for number, item in enumerate(items, 1):
        where = f"{name}:{items.lines[number - 1]}"
        try:
            review = reviews.from_mapping(item, where)
        except DataError as error:
            problems += _located(error, where)
            continue
        if review.claim in builder.claim_ids:
            review = dataclasses.replace(review, claim=context.iri("claim", review.claim).value)
        elif review.claim is not None and "://" not in review.claim:
            problems.append(f"{where}: review {number}: claim {review.claim!r} is not a claim of this file")
            continue
        found.append(review)
    if problems or not found:
        return [], problems
    known = reviewgraph.KnownClaims.of_quads([*curated.quads, *builder.quads])
    index = entities.Entities.of_quads([*curated.quads, *context.references.quads])
    try:
        built = reviewgraph.build(found, known, index, context.iri_base, context.slug)
    except DataError as error:
        return [], _located(error, f"{name}: reviews")
    places |= {iri: f"{where[len(name) + 1 :]}: review" for iri, where in built.where.items() if where.startswith(f"{name}:")}
    return list(built.quads), []


def _located(error: DataError, where: str) -> list[str]:
    """The problems of a reviews error, each starting with ``where`` unless it names its place already."""
    return [problem if problem.startswith(where.split(":")[0]) else f"{where}: {problem}" for problem in getattr(error, "problems", None) or [str(error)]]


def _meta(document: yamlfile.Mapping, context: Context) -> list[ox.Quad]:
    """The claims graph described in ``graph/meta``, as data/dataset.trig describes the curated ones."""
    meta = ox.NamedNode(context.iri_base + "graph/meta")
    graph = context.graph
    source = ox.NamedNode(context.source)
    triples = [
        (ox.NamedNode(context.iri_base + "id/dataset"), ox.NamedNode(DCTERMS + "hasPart"), graph),
        (graph, RDF_TYPE, ox.NamedNode(PROV + "Entity")),
        (graph, ox.NamedNode(DCTERMS + "source"), source),
        (graph, ox.NamedNode(PROV + "wasDerivedFrom"), source),
    ]
    if isinstance(document.get("title"), str):
        triples.append((graph, ox.NamedNode(DCTERMS + "title"), ox.Literal(document["title"], language=context.language)))
    return [ox.Quad(*triple, meta) for triple in triples]
