"""model/text.py, the one home of claimgraph's text rules: folding typographic marks, comparing texts, language tags,
http(s) URLs."""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox
import pytest
from claimgraph.model import text
from claimgraph.model.authoring import anchor

SINGLE = "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"
DOUBLE = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"
DASH = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


@pytest.mark.parametrize(("marks", "plain"), [(SINGLE, "'"), (DOUBLE, '"'), (DASH, "-")])
def test_each_typographic_mark_folds_to_its_ascii_form(marks, plain):
    assert text.fold(marks) == plain * len(marks)
    assert {chr(point) for point in text.FOLDS} == set(SINGLE + DOUBLE + DASH)


def test_folding_leaves_every_other_character_and_every_offset_alone():
    words = "Ça coûte 5 € — \"dit-il\" à l'école\n"
    folded = text.fold(words)
    assert len(folded) == len(words)
    assert [(a, b) for a, b in zip(words, folded) if a != b] == [("\u2014", "-")]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("The \u201cnew\u201d bridge", 'the "new" bridge'),
        ("two years late \u2013 at least", "Two years late - at least"),
        ("  many\n\tspaces  here ", "many spaces here"),
        ("caf\u0065\u0301", "caf\u00e9"),
        ("STRASSE", "stra\u00dfe"),
        # the acute accent typed as an apostrophe: reviews' copy of the table lacked it, the anchor's had it.
        ("don\u00b4t", "don't"),
        ("don`t", "don\u2019t"),
    ],
)
def test_texts_that_differ_only_typographically_are_the_same_words(left, right):
    assert text.normal_text(left) == text.normal_text(right)


def test_normal_text_is_nfc_folded_casefolded_and_single_spaced():
    words = " \u201cE\u0301t\u00e9\u201d \u2014  \u00c9T\u00c9\n"
    assert text.normal_text(words) == unicodedata.normalize("NFC", '"\u00e9t\u00e9" - \u00e9t\u00e9')


def test_the_anchor_names_the_passage_that_differs_only_by_a_folded_mark():
    passage = "don't build it \u2013 not"
    article = f"He said: {passage} here.\n"
    start = article.index(passage)
    assert anchor.closest(article, "don\u00b4t build it - not") == (
        f"did you mean {passage!r} at {start}-{start + len(passage)} (line 1; curly vs straight quotation marks, dashes vs hyphens)?"
    )


@pytest.mark.parametrize("tag", ["en", "nl-BE", "EN-us", "zh-Hant-TW", "sgn-BE-FR", "en-US-u-ca-gregory", "x-private", "i-klingon",
                                 # a 5 to 8 letter language subtag is well-formed BCP 47; reviews' old pattern refused it.
                                 "english"])
def test_well_formed_language_tags_are_accepted(tag):
    assert text.language_tag(tag) is None


@pytest.mark.parametrize("tag", ["", "e", "english language", "en-", "en-x", "abcdefghi", " en", "en_GB"])
def test_malformed_language_tags_are_named_with_the_stores_reason(tag):
    with pytest.raises(ValueError) as refused:
        ox.Literal("", language=tag)
    assert text.language_tag(tag) == f"is not a BCP 47 language tag: {refused.value}"


@pytest.mark.parametrize("url", ["https://example.org/a", "http://example.org", "HTTP://Example.org/a?b=c#d", "https://[::1]:8080/x"])
def test_absolute_http_urls_are_accepted(url):
    assert text.http_url(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a",
        "example.org/a",
        "/a/b",
        # a URL needs a host: reviews' old check asked only for a network location, which ":80" or "user@" is.
        "http://:80/",
        "http://user@/",
        # urlsplit refuses the host: add-source's old check failed with its ValueError.
        "http://[::1/a",
    ],
)
def test_anything_but_an_absolute_http_url_is_named(url):
    assert text.http_url(url) == "is not an absolute http:// or https:// URL"


@pytest.mark.parametrize("url", ["https://example.org/a b", "https://example.org/<a>", " https://example.org/a"])
def test_an_http_url_that_is_no_iri_is_named_with_the_stores_reason(url):
    with pytest.raises(ValueError) as refused:
        ox.NamedNode(url)
    assert text.http_url(url) == f"is not a valid IRI: {refused.value}"
