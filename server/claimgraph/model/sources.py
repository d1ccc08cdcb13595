"""The archived texts of sources: read from the data directory, checked against their SHA-256, and cut into the
pieces that pages show (the paragraphs around a span; the segments between span boundaries).

Offsets count Unicode code points and are end exclusive, as the evidence selectors store them.
Nothing here touches a store: callers pass the path and digest the data states.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

#: what separates paragraphs: a line break, blank lines after it.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
#: most code points a window shows on each side of its spans when a paragraph is longer.
WINDOW_REACH = 600


@dataclasses.dataclass(frozen=True)
class Archived:
    """What was found for an archived text: its text (``None`` when it cannot be shown) and how it compares with the
    digest the data states.

    ``problem`` says why ``text`` is ``None``, or why the text is not verified; ``None`` once ``text`` is the file's
    UTF-8 text and its SHA-256 is the one stated.
    """

    path: str
    stated_sha256: str | None
    text: str | None
    sha256: str | None
    problem: str | None

    @property
    def verified(self) -> bool:
        """Whether the text on disk is there and its SHA-256 is the one the data states."""
        return self.text is not None and self.problem is None


def archived_text(data_dir: Path, path: str, stated_sha256: str | None) -> Archived:
    """The archived text at ``path`` (relative to ``data_dir``, ``/`` as separator), checked against ``stated_sha256``.

    The file is read and hashed once per (file, modification time, size); a changed file is read again.
    Never raises for what is wrong with the file: a path leading outside ``data_dir``, a file that is missing or
    unreadable or not UTF-8, or a digest that differs are each stated in :attr:`Archived.problem`.
    """
    root = data_dir.resolve()
    file = (root / path).resolve()
    if not file.is_relative_to(root):
        return Archived(path, stated_sha256, None, None, f"the path {path!r} leads outside the data directory")
    try:
        status = file.stat()
    except FileNotFoundError:
        return Archived(path, stated_sha256, None, None, f"the archived text {path} is not on this server")
    except OSError as error:
        return Archived(path, stated_sha256, None, None, f"the archived text {path} cannot be read: {error.strerror}")
    text, digest, unreadable = _read(file, status.st_mtime_ns, status.st_size)
    if unreadable is not None:
        problem = f"the archived text {path} {unreadable}"
    elif digest != stated_sha256:
        stated = stated_sha256 or "no digest"
        problem = f"the text on disk has SHA-256 {digest}, but the data states {stated}: it is not the text the offsets were made for"
    else:
        problem = None
    return Archived(path, stated_sha256, text, digest, problem)


@functools.lru_cache(maxsize=64)
def _read(file: Path, mtime_ns: int, size: int) -> tuple[str | None, str | None, str | None]:
    """The text, SHA-256 and why it cannot be shown (``None`` when it can) of ``file`` as it was at ``mtime_ns`` and
    ``size`` (the cache key)."""
    try:
        content = file.read_bytes()
    except OSError as error:
        return None, None, f"cannot be read: {error.strerror}"
    digest = hashlib.sha256(content).hexdigest()
    try:
        return content.decode("utf-8"), digest, None
    except UnicodeDecodeError as error:
        return None, digest, f"is not UTF-8 (byte {error.start})"


@dataclasses.dataclass(frozen=True)
class Segment:
    """A piece of text between two consecutive span boundaries, and the spans (by index) covering all of it."""

    start: int
    end: int
    text: str
    spans: tuple[int, ...]

    @property
    def depth(self) -> int:
        """How many spans cover the segment."""
        return len(self.spans)


def segments(text: str, spans: Iterable[tuple[int, int]], start: int = 0, end: int | None = None) -> list[Segment]:
    """``text[start:end]`` cut at every boundary of ``spans`` (``(start, end)`` pairs, end exclusive) that lies
    within it, in order; each segment lists the indexes of the spans covering it.

    Every code point of the range is in exactly one segment, so the segments' texts joined are the range's text.
    Spans that lie outside the range, or are empty, cover nothing.
    """
    end = len(text) if end is None else end
    spans = list(spans)
    cuts = sorted({start, end, *(edge for span in spans for edge in span if start < edge < end)})
    return [
        Segment(left, right, text[left:right], tuple(i for i, (a, b) in enumerate(spans) if a <= left and right <= b and a < b))
        for left, right in zip(cuts, cuts[1:])
    ]


def windows(text: str, spans: Iterable[tuple[int, int]], reach: int = WINDOW_REACH) -> list[tuple[int, int]]:
    """The ranges of ``text`` to show around ``spans``: the paragraphs each span lies in (at most ``reach`` code
    points on either side of it), in order; ranges that overlap, or that only white space parts, are merged."""
    found: list[tuple[int, int]] = []
    for left, right in sorted(spans):
        before = [match.end() for match in _PARAGRAPH_BREAK.finditer(text, 0, left) if match.end() <= left]
        after = _PARAGRAPH_BREAK.search(text, right)
        window = (max(before[-1] if before else 0, left - reach), min(after.start() if after else len(text), right + reach))
        if found and (window[0] <= found[-1][1] or not text[found[-1][1] : window[0]].strip()):
            found[-1] = (found[-1][0], max(found[-1][1], window[1]))
        else:
            found.append(window)
    return found


@dataclasses.dataclass
class Nested:
    """A marked piece of text: the span (by index) it marks, whether it is the span's first piece, and its content
    (texts and the marks nested in it)."""

    span: int
    first: bool
    children: list[str | Nested] = dataclasses.field(default_factory=list)


def nest(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> list[str | Nested]:
    """``text[start:end]`` with ``spans`` marked as nested marks: a span inside another is a mark inside its mark.

    A span that crosses the end of another (neither holds the other) cannot nest whole: it is cut where the other
    ends, and its second piece is a mark of its own with ``first`` false. The texts, read in order, are the range's
    text; a span that nests whole is one mark whose text is the span's text.
    """
    root: list[str | Nested] = []
    stack: list[Nested] = []
    begun: set[int] = set()
    for segment in segments(text, spans, start, end):
        covering = set(segment.spans)
        keep = next((depth for depth, mark in enumerate(stack) if mark.span not in covering), len(stack))
        del stack[keep:]
        still = {mark.span for mark in stack}
        # outermost first: the span that ends last wraps the others.
        for index in sorted(covering - still, key=lambda i: (-spans[i][1], spans[i][0], i)):
            mark = Nested(index, index not in begun)
            begun.add(index)
            (stack[-1].children if stack else root).append(mark)
            stack.append(mark)
        (stack[-1].children if stack else root).append(segment.text)
    return root
