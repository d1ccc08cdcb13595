"""Quoted words found in an archived text: where they stand (offsets in Unicode code points, end exclusive), which
occurrence is meant, and, when they do not occur verbatim, the closest passage of the text, as annotation tools
re-anchor a quote. A quote is never moved onto words that differ from it: a near match is only reported.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata

from claimgraph.model import text as text_rules

#: code points before and after a quote kept in its selector (oa:prefix, oa:suffix), as in the curated data.
CONTEXT = 32

@dataclasses.dataclass(frozen=True)
class Span:
    """Where quoted words stand in a text, and the text around them as selectors keep it."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class NotFound(ValueError):
    """The words cannot be anchored; the message says why and, where it can, what the text holds instead."""


def span(text: str, start: int, end: int) -> Span:
    """The span ``[start, end)`` of ``text`` with its prefix and suffix of :data:`CONTEXT` code points."""
    return Span(start, end, text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT])


def occurrences(text: str, words: str) -> list[int]:
    """Every offset at which ``words`` occur in ``text`` (overlapping ones too), in order."""
    found, at = [], text.find(words)
    while at >= 0:
        found.append(at)
        at = text.find(words, at + 1)
    return found


def line_of(text: str, offset: int) -> int:
    """The line (1-based) of ``text`` that ``offset`` is on."""
    return text.count("\n", 0, offset) + 1


def find(text: str, words: str, occurrence: int | None = None, after: str | None = None, before: str | None = None) -> Span:
    """The one place of ``words`` in ``text``: the ``occurrence``-th (1-based) if given, else the one that ``after``
    (text just before the words) and ``before`` (text just after them) leave; a single occurrence needs neither.

    :raises NotFound: if the words are empty, do not occur verbatim (the message names the closest passage and its
        offsets), occur more than once with nothing to choose between them, or the choice leaves none or several
        (the message lists the occurrences' offsets and lines).
    """
    if not words:
        raise NotFound("the quoted words are empty")
    at = occurrences(text, words)
    if not at:
        raise NotFound(f"the words do not occur verbatim in the archived text; {closest(text, words)}")
    if occurrence is not None:
        if not 1 <= occurrence <= len(at):
            raise NotFound(f"occurrence {occurrence} asked for, but the words occur {len(at)} times: {_listed(text, words, at)}")
        return span(text, at[occurrence - 1], at[occurrence - 1] + len(words))
    chosen = [
        start
        for start in at
        if (after is None or text[:start].endswith(after)) and (before is None or text.startswith(before, start + len(words)))
    ]
    if len(chosen) == 1:
        return span(text, chosen[0], chosen[0] + len(words))
    if after is None and before is None:
        raise NotFound(f"the words occur {len(at)} times: {_listed(text, words, at)}; say which with occurrence, after or before")
    context = " and ".join(f"{key} {value!r}" for key, value in (("after", after), ("before", before)) if value is not None)
    if not chosen:
        raise NotFound(f"no occurrence of the words has {context} beside it; they occur at {_listed(text, words, at)}")
    raise NotFound(f"{context} leaves {len(chosen)} occurrences: {_listed(text, words, chosen)}; give more context or occurrence")


def _listed(text: str, words: str, starts: list[int]) -> str:
    return ", ".join(f"{start}-{start + len(words)} (line {line_of(text, start)})" for start in starts)


def _normalised(text: str, fold_case: bool) -> tuple[str, list[int]]:
    """``text`` with quotation marks and dashes folded (:func:`claimgraph.model.text.fold`) and runs of white space
    as one space (and case folded if asked), and for each code point of the result the offset in ``text`` it came
    from: the reading of :func:`claimgraph.model.text.normal_text`, one code point at a time so that each keeps
    its offset."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        else:
            char = text_rules.fold(unicodedata.normalize("NFC", char))
            if fold_case:
                char = char.casefold()
        out.append(char)
        origin.extend([index] * len(char))
    return "".join(out), origin


def _differences(words: str, passage: str) -> str:
    """What tells ``words`` from ``passage`` when they are equal once normalised: which marks or spaces differ."""
    def marks(value: str, table: dict[int, str], plain: str) -> list[str]:
        return [char for char in value if ord(char) in table or char in plain]

    kinds = [
        name
        for name, table, plain in (("curly vs straight quotation marks", text_rules.QUOTES, "'\""), ("dashes vs hyphens", text_rules.DASHES, "-"))
        if marks(words, table, plain) != marks(passage, table, plain)
    ]
    if re.findall(r"\s+", words.strip()) != re.findall(r"\s+", passage):
        kinds.append("white space")
    if _normalised(words, False)[0].strip() != _normalised(passage, False)[0]:
        kinds.append("upper vs lower case")
    return ", ".join(kinds) or "differing characters"


def closest(text: str, words: str) -> str:
    """A sentence naming the passage of ``text`` closest to ``words`` and its offsets: first the passage that differs
    only in quotation marks, dashes, white space or case, else the best match :class:`difflib.SequenceMatcher` finds."""
    for fold_case in (False, True):
        plain_text, origin = _normalised(text, fold_case)
        plain_words = _normalised(words, fold_case)[0].strip()
        at = plain_text.find(plain_words) if plain_words else -1
        if at >= 0:
            start, end = origin[at], origin[at + len(plain_words) - 1] + 1
            passage = text[start:end]
            return f"did you mean {passage!r} at {start}-{end} (line {line_of(text, start)}; {_differences(words, passage)})?"
    matcher = difflib.SequenceMatcher(None, text, words, autojunk=False)
    best: tuple[float, int] | None = None
    blocks = sorted(matcher.get_matching_blocks(), key=lambda block: -block.size)[:8]
    for block in blocks:
        if not block.size:
            continue
        for start in {max(0, block.a - block.b + shift) for shift in range(-3, 4)}:
            ratio = difflib.SequenceMatcher(None, text[start : start + len(words)], words, autojunk=False).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, start)
    if best is None or best[0] < 0.5:
        return "nothing in the text comes close"
    ratio, start = best
    end = min(len(text), start + len(words))
    return f"the closest passage is {text[start:end]!r} at {start}-{end} (line {line_of(text, start)}; {ratio:.0%} alike)"
