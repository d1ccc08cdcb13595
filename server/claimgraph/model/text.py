"""The rules claimgraph reads texts by, each in one place: which typographic marks count as their plain ASCII forms
(:data:`QUOTES`, :data:`DASHES`, :func:`fold`), when two texts are the same words (:func:`normal_text`), what a
language tag is (:func:`language_tag`) and what an http(s) URL is (:func:`http_url`).

The checkers return what is wrong with a value, as a phrase to follow the value in a message ("'ftp://x' is not an
absolute http:// or https:// URL"), and ``None`` when there is nothing wrong; they never raise.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

import pyoxigraph as ox

#: Typographic quotation marks and apostrophes → ``'`` or ``"``. The grave and acute accents are in it as the
#: apostrophes they are typed for ("don´t"): a quote pasted from a page holds them where the text has ``'``.
QUOTES = dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"), "'") | dict.fromkeys(
    map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"'
)
#: Hyphens, dashes and the minus sign → ``-``.
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
#: Both tables: what :func:`fold` applies.
FOLDS = QUOTES | DASHES


def fold(text: str) -> str:
    """``text`` with every mark of :data:`FOLDS` as its ASCII form; nothing else changed, so offsets stay."""
    return text.translate(FOLDS)


def normal_text(text: str) -> str:
    """``text`` as texts are compared: NFC, marks folded (:func:`fold`), case-folded, runs of white space as one
    space and none at either end."""
    return " ".join(fold(unicodedata.normalize("NFC", text)).casefold().split())


def language_tag(value: str) -> str | None:
    """What is wrong with ``value`` as a BCP 47 language tag (RFC 5646's grammar, as the store checks the tags of its
    literals: ``en``, ``nl-BE``, ``zh-Hant-TW``), ``None`` when it is one. White space around it is wrong too."""
    try:
        ox.Literal("", language=value)
    except ValueError as error:
        return f"is not a BCP 47 language tag: {error}"
    return None


def http_url(value: str) -> str | None:
    """What is wrong with ``value`` as an absolute ``http``/``https`` URL with a host that is also a valid IRI,
    ``None`` when it is one. White space around it is wrong too."""
    try:
        parts = urlsplit(value)
        absolute = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        # urlsplit refuses a malformed host such as "[::1"; such a value is no URL at all.
        absolute = False
    if not absolute:
        return "is not an absolute http:// or https:// URL"
    try:
        ox.NamedNode(value)
    except ValueError as error:
        return f"is not a valid IRI: {error}"
    return None
