"""RDF files of any kind for a bulk load: found, named, read streaming and checked.

A file's format is told by its extension (``.nt .nq .ttl .trig .rdf .xml .owl .jsonld .n3``), each also
``.gz``-compressed. Triples outside a named graph (every triple of a triple format, the default graph of an
N-Quads or TriG file) go into a graph named after the file, ``<iri_base>graph/file/<slug of its stem>``,
because queries see the union of the named graphs and nothing may go in the real default graph.
Blank nodes are renamed per file, so that two files never share one by accident.

Nothing here touches a store: :func:`check` reads every file once before anything is written, and
:func:`quads` is what a store is then filled from.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from claimgraph.errors import DataError
from claimgraph.model import dataset
from claimgraph.model.validate import Problem, check_shapes

#: The extensions read, and their formats (``.owl`` is RDF/XML by custom; pyoxigraph does not know it).
FORMATS: dict[str, ox.RdfFormat] = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}
#: Inputs of at most this many triples are also checked against the SHACL shapes (pyshacl holds them in memory).
SHACL_LIMIT = 200_000

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_DOUBLE = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_DATE = r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
#: Lexical forms of the XSD datatypes that data most often gets wrong; a literal of another datatype is taken as parsed.
_LEXICAL = {
    ox.NamedNode(_XSD + name): re.compile(pattern)
    for name, pattern in {
        "integer": _INTEGER,
        "int": _INTEGER,
        "long": _INTEGER,
        "nonNegativeInteger": r"\+?[0-9]+|-0+",
        "positiveInteger": r"\+?0*[1-9][0-9]*",
        "decimal": _DECIMAL,
        "double": _DOUBLE,
        "float": _DOUBLE,
        "boolean": r"true|false|1|0",
        "date": _DATE + _ZONE,
        "dateTime": _DATE + "T" + _TIME + _ZONE,
        "gYear": r"-?([1-9][0-9]{3,}|0[0-9]{3})" + _ZONE,
    }.items()
}


@dataclasses.dataclass(frozen=True)
class Source:
    """One RDF file to load: where it is, how to read it, and the graph its loose triples go into."""

    path: Path
    format: ox.RdfFormat
    compressed: bool
    graph: ox.NamedNode
    size: int


@dataclasses.dataclass(frozen=True)
class Found:
    """The files a load reads, and what was said while finding them (skipped files, renamed graphs)."""

    sources: list[Source]
    notes: list[str]

    @property
    def size(self) -> int:
        """Bytes on disk, compressed files as they are stored."""
        return sum(source.size for source in self.sources)


@dataclasses.dataclass(frozen=True)
class Checked:
    """What :func:`check` read: the triples of each file, the named graphs they fill, and (for a small input) the
    quads themselves, so that they need not be read again."""

    counts: dict[Path, int]
    graphs: set[ox.NamedNode | ox.BlankNode]
    kept: list[ox.Quad] | None

    @property
    def triples(self) -> int:
        return sum(self.counts.values())


def rdf_format(path: Path) -> tuple[ox.RdfFormat, bool] | None:
    """The format of ``path`` by its extension, and whether it is ``.gz``-compressed; ``None`` for no RDF file."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes.pop()
    found = FORMATS.get(suffixes[-1][1:]) if suffixes else None
    return (found, compressed) if found is not None else None


def slug(text: str) -> str:
    """``text`` as one path segment of an IRI: ASCII letters, digits and ``-``, lower case (``"file"`` if none is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "file"


def find(paths: Sequence[Path], iri_base: str) -> Found:
    """The RDF files of ``paths`` (folders searched recursively, their files in name order), each with its graph.

    A file of a folder with no RDF extension is skipped and said so; two files whose stems give the same graph
    name get ``-2``, ``-3``… in the order given, and that is said too. A file named twice is read once.

    :raises DataError: naming the path, if a file named directly has no RDF extension, or no RDF file is found.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(item for item in path.rglob("*") if item.is_file())
            files += [item for item in inside if rdf_format(item) is not None]
            skipped += [item for item in inside if rdf_format(item) is None]
        elif rdf_format(path) is None:
            raise DataError(f"{path}: not an RDF file by its extension; known: {', '.join('.' + name for name in FORMATS)} (each also .gz)")
        else:
            files.append(path)
    files = list(dict.fromkeys(files))
    if not files:
        raise DataError(f"no RDF files in {', '.join(str(path) for path in paths)}")
    notes = [f"skipped {len(skipped)} file(s) with no RDF extension: {', '.join(str(path) for path in skipped[:5])}{' …' if len(skipped) > 5 else ''}"] if skipped else []
    sources = []
    taken: Counter[str] = Counter()
    for path in files:
        format, compressed = rdf_format(path)
        stem = path.name[: -len("".join(path.suffixes[-2 if compressed else -1 :]))] or path.name
        name = slug(stem)
        taken[name] += 1
        if taken[name] > 1:
            unique = f"{name}-{taken[name]}"
            while unique in taken:
                taken[name] += 1
                unique = f"{name}-{taken[name]}"
            taken[unique] += 1
            notes.append(f"{path}: graph name {name!r} is taken by an earlier file; its triples go into graph/file/{unique}")
            name = unique
        sources.append(Source(path, format, compressed, ox.NamedNode(f"{iri_base}graph/file/{name}"), path.stat().st_size))
    return Found(sources, notes)


class _Counted(io.RawIOBase):
    """A binary file whose reads are reported to ``on_read`` (bytes as stored, before decompression)."""

    def __init__(self, file: BinaryIO, on_read: Callable[[int], None]) -> None:
        self._file = file
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._file.readinto(buffer)
        self._on_read(count)
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


def opened(source: Source, on_read: Callable[[int], None] | None = None) -> BinaryIO:
    """``source`` opened for reading its RDF (decompressed when it is ``.gz``); ``on_read`` as :func:`quads` has it.

    :raises OSError: if it cannot be opened.
    """
    raw = source.path.open("rb")
    if on_read is not None:
        raw = io.BufferedReader(_Counted(raw, on_read), buffer_size=1 << 20)
    return gzip.GzipFile(fileobj=raw, mode="rb") if source.compressed else raw


def quads(source: Source, on_read: Callable[[int], None] | None = None, *, literals: bool = True) -> Iterator[ox.Quad]:
    """The quads of ``source``, read streaming: loose triples in its graph, blank nodes renamed, literals checked
    (unless ``literals`` is false: for a second reading of files already checked).

    :param on_read: called with the number of bytes (as stored) of each read from the file.
    :raises DataError: naming the file (and the line and column, for a syntax error), if it cannot be read, does not
        parse, or holds a literal whose lexical form its XSD datatype refuses (naming the statement's number).
    """
    default = ox.DefaultGraph()
    graph = source.graph
    for quad in _checked(source, on_read) if literals else _parsed(source, on_read):
        yield quad if quad.graph_name != default else ox.Quad(quad.subject, quad.predicate, quad.object, graph)


def _parsed(source: Source, on_read: Callable[[int], None] | None) -> Iterator[ox.Quad]:
    """The quads of ``source`` as parsed (loose triples still in the default graph), blank nodes renamed.

    :raises DataError: as :func:`reading`.
    """
    with reading(source), opened(source, on_read) as file:
        yield from ox.parse(file, source.format, rename_blank_nodes=True)


def _checked(source: Source, on_read: Callable[[int], None] | None) -> Iterator[ox.Quad]:
    """:func:`_parsed`, each literal of a datatype of ``_LEXICAL`` checked against its lexical form.

    :raises DataError: as :func:`quads`.
    """
    lexical = _LEXICAL
    literal = ox.Literal
    for number, quad in enumerate(_parsed(source, on_read), start=1):
        value = quad.object
        if type(value) is literal and value.datatype in lexical and lexical[value.datatype].fullmatch(value.value) is None:
            raise DataError(f"{source.path}: statement {number}: {value} is not a valid {value.datatype.value.removeprefix(_XSD)}: {quad.triple}")
        yield quad


@contextlib.contextmanager
def reading(source: Source) -> Iterator[None]:
    """Errors of reading and parsing ``source`` (by pyoxigraph, gzip, the file system) as :class:`DataError` naming it.

    :raises DataError: naming the file, and the line and column of a syntax error.
    """
    try:
        yield
    except OSError as error:
        raise DataError(f"{source.path}: cannot read: {error.strerror or error}") from error
    except EOFError as error:
        raise DataError(f"{source.path}: the compressed file ends early: {error}") from error
    except SyntaxError as error:
        where = f"{source.path}:{error.lineno}:{error.offset}" if error.lineno else str(source.path)
        raise DataError(f"{where}: {error.msg}") from error


def every_quad(sources: Iterable[Source], on_read: Callable[[int], None] | None = None) -> Iterator[ox.Quad]:
    """The quads of every source in turn, as :func:`quads` reads them the second time (literals not checked again).

    :raises DataError: as :func:`quads`.
    """
    for source in sources:
        yield from quads(source, on_read, literals=False)


def check(found: Found, on_read: Callable[[int], None] | None = None, keep_up_to: int = SHACL_LIMIT) -> Checked:
    """Read every file once, as a load would, before anything is written; keep the quads (loose triples in their
    file's graph) while there are at most ``keep_up_to`` of them in all.

    :raises DataError: as :func:`quads`, for the first file that fails.
    """
    default = ox.DefaultGraph()
    counts: dict[Path, int] = {}
    graphs: set[ox.NamedNode | ox.BlankNode] = set()
    kept: list[ox.Quad] | None = []
    for source in found.sources:
        count = 0
        datasets = source.format.supports_datasets
        seen: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = set()
        for count, quad in enumerate(_checked(source, on_read), start=1):
            if datasets:
                seen.add(quad.graph_name)
            if kept is not None:
                kept.append(quad if quad.graph_name != default else ox.Quad(quad.subject, quad.predicate, quad.object, source.graph))
                if len(kept) > keep_up_to:
                    kept = None
        counts[source.path] = count
        if count and (not datasets or default in seen):
            seen.add(source.graph)
        seen.discard(default)
        graphs |= seen
    return Checked(counts, graphs, kept)


def shape_problems(loaded: Iterable[ox.Quad], present: Iterable[ox.Quad], ontology_dir: Path, where: Path) -> list[Problem]:
    """The SHACL problems of the data once ``loaded`` joins what the store holds (``present``) and the ontology.

    The store's data is part of the data graph so that references to entities it already holds resolve; its own
    problems, if it has any, are reported too. ``where`` is named when pyshacl fails without naming a node.

    :raises DataError: naming the file and line, if the ontology or the shapes cannot be read.
    """
    ontology, shapes = (
        list(quads(Source(ontology_dir / name, ox.RdfFormat.TURTLE, False, dataset.ONTOLOGY_GRAPH, 0)))
        for name in (dataset.ONTOLOGY_FILE, dataset.SHAPES_FILE)
    )
    everything = [*ontology, *present, *loaded]
    return check_shapes(dataset.Curated(quads=everything, shapes=shapes, ontology_dir=ontology_dir, data_dir=where))
