"""The evidence of claims as pages show it: a source's metadata with its archived text read and verified, the spans
of its evidence nodes, and the paragraphs of the text around a claim's spans with the spans marked."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from claimgraph.model import sources
from claimgraph.web import iris
from claimgraph.web.nodes import CG, OA, RDF_TYPE, SCHEMA, Node, Ref, local_name
from claimgraph.web.services import services


@dataclasses.dataclass(frozen=True)
class Span:
    """One evidence span: where it lies in its source's archived text and the words it quotes."""

    evidence: str
    source: str
    start: int | None
    end: int | None
    exact: str | None
    prefix: str
    suffix: str
    notes: tuple[str, ...] = ()

    @property
    def offsets(self) -> tuple[int, int] | None:
        return (self.start, self.end) if self.start is not None and self.end is not None else None

    def fits(self, text: str | None) -> bool:
        """Whether ``text`` holds this span's quote at its offsets (any words, when the quote is not given)."""
        if text is None or self.offsets is None or not 0 <= self.start < self.end <= len(text):
            return False
        return self.exact is None or text[self.start : self.end] == self.exact


@dataclasses.dataclass(frozen=True)
class SourceMeta:
    """What a page says of a source: its metadata and its archived text as found on disk."""

    ref: Ref
    headline: str
    url: str | None
    #: ``url`` when a page may link to it (an ``http(s)`` IRI: :func:`claimgraph.web.iris.external`), else ``None``.
    url_href: str | None
    authors: list[Ref]
    publishers: list[Ref]
    date: str | None
    language: str | None
    about: list[Ref]
    #: the archived text's own resource.
    text: Ref | None
    sha256: str | None
    local_path: str | None
    retrieval_notes: list[str]
    archived: sources.Archived | None

    @property
    def words(self) -> str | None:
        """The archived text, when it can be read."""
        return self.archived.text if self.archived else None


def source_meta(graph: dict[str, Node], source: str) -> SourceMeta:
    """The metadata of ``source`` from ``graph`` (which holds the source and its archived text), with its text read."""
    node = graph.get(source, Node())
    text_iri = next(iter(node.nodes(CG + "archivedText")), None)
    archive = graph.get(text_iri, Node()) if text_iri else Node()
    local_path, sha256 = archive.text(CG + "localPath"), archive.text(SCHEMA + "sha256")
    archived = sources.archived_text(services().config.data_dir, local_path, sha256) if local_path else None
    headline = node.label() or local_name(source)
    return SourceMeta(
        ref=Ref(source, headline, iris.page_url(source)),
        headline=headline,
        url=node.text(SCHEMA + "url"),
        url_href=iris.external(node.text(SCHEMA + "url") or ""),
        authors=node.refs(SCHEMA + "author"),
        publishers=node.refs(SCHEMA + "publisher"),
        date=node.text(SCHEMA + "datePublished"),
        language=node.text(SCHEMA + "inLanguage"),
        about=node.refs(SCHEMA + "about"),
        text=Ref(text_iri, local_path or local_name(text_iri), iris.page_url(text_iri)) if text_iri else None,
        sha256=sha256,
        local_path=local_path,
        retrieval_notes=archive.texts(CG + "retrievalNote"),
        archived=archived,
    )


def spans_of(graph: dict[str, Node], evidence: Iterable[str]) -> list[Span]:
    """The spans of the ``evidence`` nodes, from ``graph`` (which holds them and their selectors)."""
    found = []
    for iri in evidence:
        node = graph.get(iri, Node())
        start = end = exact = None
        prefix = suffix = ""
        for selector in node.nodes(OA + "hasSelector"):
            selected = graph.get(selector, Node())
            types = selected.nodes(RDF_TYPE)
            if OA + "TextPositionSelector" in types:
                start, end = _integer(selected.text(OA + "start")), _integer(selected.text(OA + "end"))
            if OA + "TextQuoteSelector" in types:
                exact = selected.text(OA + "exact")
                prefix, suffix = selected.text(OA + "prefix") or "", selected.text(OA + "suffix") or ""
        source = node.text(OA + "hasSource") or ""
        found.append(Span(iri, source, start, end, exact, prefix, suffix, tuple(node.texts(CG + "curatorNote"))))
    return sorted(found, key=lambda span: (span.source, span.start is None, span.start or 0, span.end or 0, span.evidence))


def _integer(text: str | None) -> int | None:
    return int(text) if text is not None and text.lstrip("-").isdigit() else None


@dataclasses.dataclass(frozen=True)
class Excerpt:
    """A paragraph window of an archived text with the claim's spans marked (nested where spans nest)."""

    start: int
    end: int
    pieces: list[str | sources.Nested]
    #: the id of each span's mark (by the span's index in the window's spans).
    ids: dict[int, str]
    cut_before: bool
    cut_after: bool
    #: the id of the source page's span the window's first mark is, to read it in the whole text.
    anchor: str


@dataclasses.dataclass(frozen=True)
class Quoted:
    """A span shown by its quote alone (the archived text is not there, or its words are not at the offsets)."""

    span: Span
    mark: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Evidence:
    """A claim's evidence in one source: the source, the excerpts with marks, and the spans shown by quote only."""

    source: SourceMeta
    excerpts: list[Excerpt]
    quoted: list[Quoted]
    spans: list[Span]


def span_id(start: int, end: int) -> str:
    """The id of a span's place on its source page."""
    return f"span-{start}-{end}"


def evidence_view(meta: SourceMeta, spans: list[Span], first_mark: int) -> tuple[Evidence, int]:
    """The excerpts of ``meta``'s text marking ``spans``; marks are numbered in the order they are read from
    ``first_mark`` on (ids ``evidence-<n>``). Returns the view and the next mark number."""
    text, number = meta.words, first_mark
    placed = [span for span in spans if span.fits(text)]
    offsets = sorted({span.offsets for span in placed}, key=lambda span: (span[0], -span[1]))
    excerpts = []
    for left, right in sources.windows(text, offsets) if placed else []:
        inside = [span for span in offsets if left <= span[0] < right]
        pieces = sources.nest(text, inside, left, right)
        ids = {}
        for mark in _marks(pieces):
            if mark.first:
                ids[mark.span] = f"evidence-{number}"
                number += 1
        cut_before, cut_after = left > 0 and text[left - 1] != "\n", right < len(text) and text[right] != "\n"
        excerpts.append(Excerpt(left, right, pieces, ids, cut_before, cut_after, span_id(*inside[0])))
    quoted = []
    for span in spans:
        if span in placed:
            continue
        if text is None:
            reason = meta.archived.problem if meta.archived else "the source has no archived text recorded"
        elif span.offsets is None:
            reason = "the span has no offsets"
        else:
            reason = f"the archived text does not hold this quote at [{span.start}, {span.end})"
        quoted.append(Quoted(span, f"evidence-{number}", reason))
        number += 1
    return Evidence(meta, excerpts, quoted, spans), number


def _marks(pieces: list[str | sources.Nested]) -> Iterable[sources.Nested]:
    """The marks of ``pieces`` in the order they are read (a mark before the marks inside it)."""
    for piece in pieces:
        if isinstance(piece, sources.Nested):
            yield piece
            yield from _marks(piece.children)
