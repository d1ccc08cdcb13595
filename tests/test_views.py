"""The claim, source and entity pages (web/views.py): every mark is the article's words at the stored offsets, the
facts shown are the data's, and the lists of claims are the ones the data gives (computed here with rdflib).

Pages of the curated data are read from the shared in-process service; claims written through /update (a second
source with its own archived text, a source whose text is missing, texts from the data holding markup) go to a
service of this module's own, over a private copy of the data directory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import shutil
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from claimgraph.model import sources
from claimgraph.store.base import insert_data
from claimgraph.web import views
from conftest import CG, DATA, ONTOLOGY, answered, body, copy_of, in_process, media_type

BASE = "https://w3id.org/claimgraph/"
CGN = rdflib.Namespace(CG)
SDO = rdflib.Namespace("http://schema.org/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
HTML = {"Accept": "text/html"}


# ---------------------------------------------------------------- reading pages


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclasses.dataclass
class Element:
    """An element of a parsed page: its tag, attributes and children (elements and texts, character references
    resolved)."""

    tag: str
    attrs: dict[str, str]
    children: list = dataclasses.field(default_factory=list)

    def text(self, skip: str | None = None) -> str:
        """The text inside, without that of elements with class ``skip``."""
        return "".join(
            child if isinstance(child, str) else child.text(skip) for child in self.children
            if isinstance(child, str) or skip not in child.classes
        )

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        """Every element below this one (itself included) with ``tag`` and class ``cls`` (either may be left out)."""
        found = [self] if (tag is None or self.tag == tag) and (cls is None or cls in self.classes) else []
        for child in self.children:
            if isinstance(child, Element):
                found += child.all(tag, cls)
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Element:
        [found] = self.all(tag, cls)
        return found

    def kids(self, tag: str) -> list[Element]:
        """The child elements with ``tag``."""
        return [child for child in self.children if isinstance(child, Element) and child.tag == tag]

    def by_id(self, id_: str) -> Element:
        [found] = [element for element in self.all() if element.attrs.get("id") == id_]
        return found

    def hrefs(self, cls: str | None = None) -> list[str]:
        return [link.attrs["href"] for link in self.all("a", cls)]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in _VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        while len(self.open) > 1:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parsed(response) -> Element:
    """The HTML page answered, parsed; fails unless it is a 200 HTML answer."""
    answered(response, 200)
    assert media_type(response) == "text/html"
    tree = _Tree()
    tree.feed(body(response).decode("utf-8"))
    tree.close()
    return tree.root


def path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE):]


def html(service, iri: str) -> Element:
    return parsed(service.get(path_of(iri), headers=HTML))


# ---------------------------------------------------------------- the data, read with rdflib


@pytest.fixture(scope="module")
def data() -> rdflib.Dataset:
    found = rdflib.Dataset(default_union=True)
    for path in sorted(DATA.rglob("*.trig")):
        found.parse(path, format="trig")
    found.parse(ONTOLOGY / "claimgraph.ttl", format="turtle")
    return found


def claims_of(data) -> list[rdflib.URIRef]:
    return sorted(data.subjects(rdflib.RDF.type, CGN.Claim))


def label(data, node) -> str:
    return str(next(iter([*data.objects(node, SDO.name), *data.objects(node, SKOS.prefLabel), *data.objects(node, rdflib.RDFS.label)])))


@dataclasses.dataclass(frozen=True)
class DataSpan:
    evidence: str
    source: str
    start: int
    end: int


def spans(data, claim) -> list[DataSpan]:
    found = []
    for evidence in data.objects(claim, CGN.evidence):
        for selector in data.objects(evidence, OA.hasSelector):
            if (selector, rdflib.RDF.type, OA.TextPositionSelector) in data:
                found.append(DataSpan(str(evidence), str(data.value(evidence, OA.hasSource)),
                                      int(data.value(selector, OA.start)), int(data.value(selector, OA.end))))
    return sorted(found, key=lambda span: (span.start, span.end))


def about(data, claim) -> set:
    return {*data.objects(claim, SDO.about), *data.objects(claim, CGN.cause), *data.objects(claim, CGN.effect)}


def pages(refs) -> set[str]:
    return {path_of(str(ref)) for ref in refs}


#: a claim of each sort the pages must show, picked from the data by what it holds.
CASES = {
    "quoted": lambda data, c: (c, CGN.attribution, CGN.QuotedSpeech) in data,
    "reported": lambda data, c: (c, CGN.attribution, CGN.ReportedSpeech) in data,
    "narration": lambda data, c: (c, CGN.attribution, CGN.Narration) in data,
    "unattributed": lambda data, c: (c, CGN.attribution, CGN.Unattributed) in data,
    "with figures": lambda data, c: (c, CGN.figure, None) in data,
    "causal": lambda data, c: (c, CGN.cause, None) in data,
    "two spans": lambda data, c: len(set(data.objects(c, CGN.evidence))) >= 2,
    "hedged": lambda data, c: (c, CGN.modalityExpression, None) in data,
    "dated": lambda data, c: (c, SDO.temporalCoverage, None) in data,
    "with a curator's note": lambda data, c: (c, CGN.curatorNote, None) in data,
}


def case(data, name: str) -> rdflib.URIRef:
    return next(claim for claim in claims_of(data) if CASES[name](data, claim))


@pytest.fixture(scope="module")
def claim_pages(app, data) -> dict[rdflib.URIRef, Element]:
    """The page of every claim of the curated data."""
    return {claim: html(app, str(claim)) for claim in claims_of(data)}


# ---------------------------------------------------------------- the claim page


def test_every_claim_page_marks_the_articles_words_at_the_stored_offsets(data, claim_pages, article):
    for claim, page in claim_pages.items():
        marks = page.by_id("evidence").all("mark")
        expected = sorted(spans(data, claim), key=lambda span: (span.start, -span.end))
        assert [mark.text() for mark in marks] == [article[span.start:span.end] for span in expected], claim
        assert [mark.attrs.get("id") for mark in marks] == [f"evidence-{n}" for n in range(1, len(marks) + 1)], claim


def test_the_first_mark_is_the_target_of_the_pages_link_to_the_evidence(claim_pages):
    for claim, page in claim_pages.items():
        [link] = page.all("a", "to-evidence")
        assert link.attrs["href"] == "#evidence-1"
        assert page.by_id("evidence-1").tag == "mark", claim


def test_each_excerpt_links_to_the_span_on_the_source_page(data, claim_pages):
    for claim, page in claim_pages.items():
        links = [link.attrs["href"] for link in page.by_id("evidence").all("a") if "#span-" in link.attrs["href"]]
        expected = [f"{path_of(span.source)}#span-{span.start}-{span.end}" for span in spans(data, claim)]
        assert set(links) <= set(expected) and links, claim


@pytest.mark.parametrize("name", CASES)
def test_the_claim_page_states_the_claim_as_the_data_does(name, data, claim_pages):
    claim = case(data, name)
    page = claim_pages[claim]
    assert page.one("h1").text() == str(data.value(claim, SDO.text))
    facts = page.one("dl", "claim-facts")
    terms = dict(zip([dt.text() for dt in facts.all("dt")], facts.all("dd")))
    assert terms["Voice"].text() == label(data, data.value(claim, CGN.attribution))
    assert terms["Modality"].all("a")[0].text() == label(data, data.value(claim, CGN.modality))
    assert {a.text() for a in terms["Kind"].all("a")} == {label(data, kind) for kind in data.objects(claim, CGN.kind)}
    assert set(terms["About"].hrefs()) == pages(data.objects(claim, SDO.about))
    authors = list(data.objects(claim, SDO.author))
    speakers = {a.text() for a in terms["Speaker"].all("a")} if "Speaker" in terms else set()
    assert speakers == {label(data, author) for author in authors}
    assert [q.text() for q in facts.all("q", "hedge")] == [str(words) for words in data.objects(claim, CGN.modalityExpression)]
    if (claim, CGN.cause, None) in data:
        causal = terms["Cause → effect"]
        assert set(causal.one("span", "cause").hrefs()) == pages(data.objects(claim, CGN.cause))
        assert set(causal.one("span", "effect").hrefs()) == pages(data.objects(claim, CGN.effect))
    else:
        assert "Cause → effect" not in terms
    for words in data.objects(claim, CGN.timeExpression):
        assert f"“{words}”" in terms["Time"].text()
    if (claim, SDO.temporalCoverage, None) in data:
        assert terms["Time"].text().startswith(str(data.value(claim, SDO.temporalCoverage))[:4])
    notes = {aside.text().removeprefix("Curators' note: ") for aside in page.by_id("claim-details").all("aside", "curator-note")}
    assert notes == {str(note) for note in data.objects(claim, CGN.curatorNote)}


def test_the_figures_are_the_claims_with_the_articles_own_words(data, claim_pages):
    claim = case(data, "with figures")
    figures = claim_pages[claim].by_id("figures").all("li", "figure")
    expected = sorted(data.objects(claim, CGN.figure))
    assert [figure.hrefs()[-1] for figure in figures] == [path_of(str(f)) for f in expected]
    for figure, iri in zip(figures, expected):
        terms = dict(zip([dt.text() for dt in figure.all("dt")], figure.all("dd")))
        assert terms["The source's words"].text() == ", ".join(f"“{w}”" for w in data.objects(iri, CGN.statedAs))
        value = data.value(iri, SDO.value)
        assert terms["Value"].text().startswith(str(value) if value is not None else "")
        assert terms["Value"].text().endswith(label(data, data.value(iri, SDO.unitCode)))
        assert set(terms["Of"].hrefs()) == pages(data.objects(iri, SDO.observationAbout))
        date = data.value(iri, SDO.observationDate)
        if date is not None:
            assert terms["When"].text().startswith(str(date)[:4])


def test_the_source_is_described_as_the_data_describes_it(data, claim_pages):
    claim = case(data, "quoted")
    [section] = [s for s in claim_pages[claim].all("section") if "source" in s.classes]
    meta = section.one("dl", "source-meta")
    terms = dict(zip([dt.text() for dt in meta.all("dt")], meta.all("dd")))
    source = data.value(claim, SDO.appearance)
    text = data.value(source, CGN.archivedText)
    assert terms["Headline"].text() == str(data.value(source, SDO.headline))
    assert terms["Author"].text() == ", ".join(label(data, a) for a in data.objects(source, SDO.author))
    assert terms["Publisher"].text() == ", ".join(label(data, p) for p in data.objects(source, SDO.publisher))
    assert terms["Published"].text() == str(data.value(source, SDO.datePublished))
    assert terms["URL"].hrefs() == [str(data.value(source, SDO.url))]
    assert terms["SHA-256"].text() == str(data.value(text, SDO.sha256))
    assert terms["Archived text"].text() == str(data.value(text, CGN.localPath))
    assert terms["Archived text"].hrefs() == [path_of(str(text))]
    assert terms["Retrieval note"].text() == str(data.value(text, CGN.retrievalNote))
    assert terms["Verification"].text() == "verified: the text on disk matches the SHA-256"


def _same_words(data, claim) -> set[str]:
    mine = spans(data, claim)
    found = set()
    for other in claims_of(data):
        if other == claim:
            continue
        shared = set(data.objects(claim, CGN.evidence)) & set(data.objects(other, CGN.evidence))
        overlapping = any(a.source == b.source and b.start < a.end and a.start < b.end for a in mine for b in spans(data, other))
        if shared or overlapping:
            found.add(path_of(str(other)))
    return found


def test_the_claims_resting_on_the_same_words_are_those_sharing_a_span_or_overlapping_it(data, claim_pages):
    shown_any = False
    for claim, page in claim_pages.items():
        shown = set(page.by_id("same-words").hrefs("claim-link"))
        assert shown == _same_words(data, claim), claim
        shown_any |= bool(shown)
    assert shown_any


def test_the_related_claims_are_those_about_the_same_things_or_by_the_same_speaker(data, claim_pages):
    everything = claims_of(data)
    for claim, page in claim_pages.items():
        expected = set()
        for other in everything:
            if other != claim:
                expected |= {("about", path_of(str(via)), path_of(str(other))) for via in about(data, claim) & about(data, other)}
                shared = set(data.objects(claim, SDO.author)) & set(data.objects(other, SDO.author))
                expected |= {("speaker", path_of(str(via)), path_of(str(other))) for via in shared}
        assert_groups(page, expected, "about", "speaker", claim=claim)


def _related(page: Element, *hows: str) -> dict[tuple[str, str], tuple[int, set[str], str | None]]:
    """Per group of ``hows``, (how, the page of the shared thing): the count its summary states, the pages of the
    claims it lists, and its link to all of them (``None`` when it lists them all)."""
    shown = {}
    for group in page.by_id("related").all("details", "related-group"):
        if group.attrs["data-how"] in hows:
            summary = group.one("summary")
            [via] = summary.hrefs("related-via")
            count = int(summary.text().rsplit("(", 1)[1].rstrip(")"))
            more = [link.attrs["href"] for link in group.all("a") if link.text().startswith("All ")]
            shown[(group.attrs["data-how"], via)] = (count, set(group.hrefs("claim-link")), more[0] if more else None)
    return shown


def assert_groups(page: Element, expected: set[tuple[str, str, str]], *hows: str, claim) -> None:
    """The page's groups of ``hows`` are those of ``expected`` ((how, via, claim) triples): each states how many
    claims it has, lists the first :data:`views.RELATED_SHOWN` of them, and links to all when it lists fewer."""
    members = defaultdict(set)
    for how, via, other in expected:
        members[(how, via)].add(other)
    shown = _related(page, *hows)
    assert shown.keys() == members.keys(), claim
    for key, (count, listed, more) in shown.items():
        assert count == len(members[key]), (claim, key)
        assert listed <= members[key] and len(listed) == min(count, views.RELATED_SHOWN), (claim, key)
        assert (more is None) == (count <= views.RELATED_SHOWN), (claim, key)


def _cities(data, claim) -> set:
    """The cities a claim speaks of: a subject, cause or effect that is one, or lies in one by any chain of
    schema:location, schema:areaServed and schema:containedInPlace links."""
    places, todo = set(), list(about(data, claim))
    while todo:
        place = todo.pop()
        if place not in places:
            places.add(place)
            todo += [*data.objects(place, SDO.location), *data.objects(place, SDO.areaServed),
                     *data.objects(place, SDO.containedInPlace)]
    return {place for place in places if (place, rdflib.RDF.type, SDO.City) in data}


def test_the_related_claims_in_a_city_are_the_others_in_it_not_already_about_it(data, claim_pages):
    everything = claims_of(data)
    cities = {claim: _cities(data, claim) for claim in everything}
    chained = False
    for claim, page in claim_pages.items():
        expected = {
            ("city", path_of(str(city)), path_of(str(other)))
            for other in everything if other != claim
            for city in cities[claim] & cities[other] if not {city} <= about(data, claim) & about(data, other)
        }
        assert_groups(page, expected, "city", claim=claim)
        chained |= bool(expected) and not cities[claim] <= about(data, claim)
        for group in page.by_id("related").all("details", "related-group"):
            if group.attrs["data-how"] == "city":
                summary = group.one("summary")
                assert summary.text().startswith("Also in " + summary.one("a").text()), claim
    assert chained


def test_a_page_loads_no_inline_script_or_style(app, data, claim_pages):
    source = next(data.subjects(CGN.archivedText, None))
    place = next(iter(data.objects(case(data, "quoted"), SDO.about)))
    for page in [*claim_pages.values(), html(app, str(source)), html(app, str(place))]:
        assert all(script.attrs.get("src") for script in page.all("script"))
        assert not [element.tag for element in page.all() if "style" in element.attrs]


def test_the_claim_page_is_served_by_the_real_server(server, data):
    claim = case(data, "two spans")
    page = parsed(server.get(path_of(str(claim)), headers=HTML))
    assert page.by_id("evidence-1").tag == "mark"
    assert page.by_id("evidence-2").tag == "mark"
    assert [script.attrs["src"] for script in page.all("script")] == ["/static/evidence.js"]
    script = server.get("/static/evidence.js")
    assert script.status_code == 200
    assert "scrollIntoView" in script.text


def test_a_resource_of_no_kind_of_its_own_gets_the_generic_page(app, data):
    evidence = next(data.objects(case(data, "quoted"), CGN.evidence))
    page = html(app, str(evidence))
    assert page.one("h1").text() == str(evidence)
    assert not page.all("mark")


# ---------------------------------------------------------------- the source page


def _source_text(page: Element) -> list[tuple[int, int, Element | None]]:
    """The segments of the source page's text: (start, end, the mark or ``None``), and the text they join to."""
    offset, found = 0, []
    for child in page.one("div", "source-text").children:
        text = child if isinstance(child, str) else child.text(skip="span-claims")
        found.append((offset, offset + len(text), child if isinstance(child, Element) else None, text))
        offset += len(text)
    return found


def _source_spans(data, source) -> dict[tuple[int, int], set[str]]:
    found: dict[tuple[int, int], set[str]] = defaultdict(set)
    for claim in claims_of(data):
        for span in spans(data, claim):
            if span.source == str(source):
                found[(span.start, span.end)].add(path_of(str(claim)))
    return found


@pytest.fixture(scope="module")
def source(data) -> rdflib.URIRef:
    [found] = set(data.subjects(CGN.archivedText, None))
    return found


def test_the_source_page_shows_the_whole_text_once_in_segments(app, source, article):
    segments = _source_text(html(app, str(source)))
    assert "".join(text for *_, text in segments) == article
    assert all(text for *_, text in segments)


def test_each_segment_is_marked_as_deep_as_the_spans_covering_it(app, data, source):
    spans_ = _source_spans(data, source)
    assert any(a[0] < b[0] < a[1] < b[1] or a[0] < b[0] < b[1] <= a[1] for a in spans_ for b in spans_), "the data has overlapping spans"
    depths = set()
    for start, end, mark, text in _source_text(html(app, str(source))):
        covering = [span for span in spans_ if span[0] <= start and end <= span[1]]
        assert all(not (span[0] < end and start < span[1]) or span in covering for span in spans_), (start, end)
        if covering:
            assert mark is not None and mark.tag == "mark" and f"depth-{min(len(covering), 4)}" in mark.classes, (start, text)
            depths.add(len(covering))
        else:
            assert mark is None, (start, text)
    assert max(depths) >= 2


def test_each_span_links_to_every_claim_resting_on_it(app, data, source):
    page = html(app, str(source))
    sups = page.one("div", "source-text").all("sup", "span-claims")
    expected = _source_spans(data, source)
    assert [sup.attrs["id"] for sup in sups] == [f"span-{a}-{b}" for a, b in sorted(expected, key=lambda s: (s[0], -s[1]))]
    for sup in sups:
        start, end = (int(n) for n in sup.attrs["id"].removeprefix("span-").split("-"))
        assert set(sup.hrefs("claim-ref")) == expected[(start, end)]
    listed = page.by_id("source-claims").one("ol")
    numbered = {str(n): item.hrefs("claim-link")[0] for n, item in enumerate(listed.kids("li"), 1)}
    for link in page.one("div", "source-text").all("a", "claim-ref"):
        assert numbered[link.text()] == link.attrs["href"]
    assert set(numbered.values()) == {path_of(str(c)) for c in data.subjects(SDO.appearance, source)}


def test_the_source_page_describes_the_source(app, data, source):
    meta = html(app, str(source)).one("dl", "source-meta")
    terms = dict(zip([dt.text() for dt in meta.all("dt")], meta.all("dd")))
    assert terms["Headline"].text() == str(data.value(source, SDO.headline))
    assert terms["SHA-256"].text() == str(data.value(data.value(source, CGN.archivedText), SDO.sha256))
    assert terms["Verification"].one("span", "verified").text() == "verified: the text on disk matches the SHA-256"


# ---------------------------------------------------------------- people, places, organisations, policies, outcomes


def _within(data, place) -> set:
    """What lies in ``place`` (by schema:location, schema:areaServed or schema:containedInPlace), at any depth."""
    found, todo = set(), [place]
    while todo:
        here = todo.pop()
        for link in (SDO.location, SDO.areaServed, SDO.containedInPlace):
            for inner in data.subjects(link, here):
                if inner not in found:
                    found.add(inner)
                    todo.append(inner)
    return found


def _section(page: Element, id_: str) -> set[str]:
    try:
        return set(page.by_id(id_).hrefs("claim-link"))
    except ValueError:
        return set()


def test_every_entity_page_lists_the_claims_the_data_ties_to_it(app, data):
    everything = claims_of(data)
    entities = {node for claim in everything for p in (SDO.about, SDO.author, CGN.cause, CGN.effect) for node in data.objects(claim, p)}
    kinds = set()
    for entity in sorted(entities):
        page = html(app, str(entity))
        assert page.one("h1").text() == label(data, entity)
        kinds |= set(data.objects(entity, rdflib.RDF.type))
        by = {c for c in everything if (c, SDO.author, entity) in data}
        about_ = {c for c in everything if entity in about(data, c)}
        causal = {c for c in everything if (c, CGN.cause, entity) in data or (c, CGN.effect, entity) in data}
        inner = _within(data, entity)
        within = {c for c in everything if about(data, c) & inner}
        assert _section(page, "claims-by") == pages(by), entity
        assert _section(page, "claims-about") == pages(about_), entity
        assert _section(page, "causal") == pages(causal), entity
        assert _section(page, "claims-within") == pages(within), entity
        if causal:
            for item in page.by_id("causal").all("li"):
                [claim] = [c for c in causal if path_of(str(c)) == item.hrefs("claim-link")[0]]
                assert set(item.one("span", "cause").hrefs()) == pages(data.objects(claim, CGN.cause))
                assert set(item.one("span", "effect").hrefs()) == pages(data.objects(claim, CGN.effect))
    assert {CGN.Policy, CGN.Outcome, SDO.Person, SDO.City} <= kinds


def test_an_entity_page_lists_the_figures_about_it(app, data):
    place = case(data, "with figures")
    subject = data.value(next(iter(sorted(data.objects(place, CGN.figure)))), SDO.observationAbout)
    figures = {f for f in data.subjects(SDO.observationAbout, subject)}
    figures |= {f for c in claims_of(data) if subject in about(data, c) for f in data.objects(c, CGN.figure)}
    figures |= {e for f in set(figures) for e in data.objects(f, CGN.changedFrom)}
    shown = html(app, str(subject)).by_id("figures").all("li", "figure")
    assert [figure.hrefs()[-1] for figure in shown] == sorted(path_of(str(f)) for f in figures)


def test_a_person_page_lists_the_sources_they_wrote(app, data, source):
    author = data.value(source, SDO.author)
    assert html(app, str(author)).by_id("works").hrefs() == [path_of(str(source))]


# ---------------------------------------------------------------- claims written through /update

SECOND = (
    "Zwölf Fälle 𝔄 — ein Bericht über Städte.\n\n"
    'The mayor said: "Every café <b>counts</b>." Later, figures rose.\n\n'
    "A last paragraph, with nothing marked."
)
ID = BASE + "id/"
GRAPH = ox.NamedNode(BASE + "graph/views-test")
SCRIPT = "<script>alert(1)</script> is what the mayor said"


def _iri(path: str) -> ox.NamedNode:
    return ox.NamedNode(ID + path)


def _at(words: str, within: str = SECOND) -> tuple[int, int]:
    start = within.index(words)
    return start, start + len(words)


#: spans of the second source: a sentence, a part of it, a piece crossing its end.
SENTENCE, PART, CROSSING = _at('Every café <b>counts</b>.'), _at("café <b>counts</b>"), _at('counts</b>." Later')


def _quads() -> list[ox.Quad]:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    rdf_type = ox.NamedNode(str(rdflib.RDF.type))

    def triple(subject, predicate: str, value) -> ox.Quad:
        return ox.Quad(subject, ox.NamedNode(predicate), value, GRAPH)

    quads = []

    def source(name: str, path: str, digest: str) -> ox.NamedNode:
        node, text = _iri(f"source/views-test-{name}"), _iri(f"source/views-test-{name}-text")
        quads.extend([
            triple(node, str(rdflib.RDF.type), ox.NamedNode(str(SDO.NewsArticle))),
            triple(node, str(SDO.headline), ox.Literal(f"The <em>{name}</em> source", language="en")),
            triple(node, CG + "archivedText", text),
            triple(text, str(rdflib.RDF.type), ox.NamedNode(CG + "ArchivedText")),
            triple(text, CG + "localPath", ox.Literal(path)),
            triple(text, str(SDO.sha256), ox.Literal(digest)),
        ])
        return node

    def span(name: str, of: ox.NamedNode, offsets: tuple[int, int], exact: str) -> ox.NamedNode:
        node, position, quote = _iri(f"evidence/views-test/{name}"), _iri(f"evidence/views-test/{name}-p"), _iri(f"evidence/views-test/{name}-q")
        quads.extend([
            triple(node, str(rdflib.RDF.type), ox.NamedNode(CG + "Evidence")),
            triple(node, str(OA.hasSource), of),
            triple(node, str(OA.hasSelector), position),
            triple(node, str(OA.hasSelector), quote),
            triple(position, str(rdflib.RDF.type), ox.NamedNode(str(OA.TextPositionSelector))),
            triple(position, str(OA.start), ox.Literal(str(offsets[0]), datatype=ox.NamedNode(xsd + "integer"))),
            triple(position, str(OA.end), ox.Literal(str(offsets[1]), datatype=ox.NamedNode(xsd + "integer"))),
            triple(quote, str(rdflib.RDF.type), ox.NamedNode(str(OA.TextQuoteSelector))),
            triple(quote, str(OA.exact), ox.Literal(exact)),
            triple(quote, str(OA.prefix), ox.Literal("before: ")),
            triple(quote, str(OA.suffix), ox.Literal(" :after")),
        ])
        return node

    def claim(name: str, text: str, of: ox.NamedNode, *evidence: ox.NamedNode) -> None:
        node = _iri(f"claim/views-test/{name}")
        quads.extend([
            triple(node, str(rdflib.RDF.type), ox.NamedNode(CG + "Claim")),
            triple(node, str(SDO.text), ox.Literal(text, language="en")),
            triple(node, CG + "attribution", ox.NamedNode(CG + "QuotedSpeech")),
            triple(node, str(SDO.author), _iri("person/views-test-speaker")),
            triple(node, str(SDO.about), _iri("place/views-test-town")),
            triple(node, str(SDO.appearance), of),
            *(triple(node, CG + "evidence", e) for e in evidence),
        ])

    quads.append(triple(_iri("person/views-test-speaker"), str(SDO.name), ox.Literal("Test <i>Speaker</i>")))
    quads.append(triple(_iri("place/views-test-town"), str(SDO.name), ox.Literal("Town & <Country>")))
    digest = hashlib.sha256(SECOND.encode()).hexdigest()
    second = source("second", "sources/views-test/article.txt", digest)
    missing = source("missing", "sources/views-test-missing/article.txt", digest)
    altered = source("altered", "sources/views-test/article.txt", "0" * 64)
    outside = source("outside", "../../../../../../etc/hostname", digest)
    sentence = span("sentence", second, SENTENCE, SECOND[slice(*SENTENCE)])
    claim("script", SCRIPT, second, sentence)
    quads.append(triple(_iri("claim/views-test/script"), str(SDO.about), ox.Literal("a town named in words")))
    claim("alike", "Another claim about a town named in words.", second)
    quads.append(triple(_iri("claim/views-test/alike"), str(SDO.about), ox.Literal("a town named in words")))
    claim("part", "Every café counts.", second, span("part", second, PART, SECOND[slice(*PART)]))
    claim("overlapping", "Figures rose later.", second, span("crossing", second, CROSSING, SECOND[slice(*CROSSING)]),
          span("part-again", second, PART, SECOND[slice(*PART)]))
    claim("misplaced", "A quote not at its offsets.", second, span("misplaced", second, (0, 5), "café"))
    claim("missing", "Words archived elsewhere.", missing, span("missing", missing, (10, 33), "words archived <elsewhere>"))
    claim("altered", "Every café counts, says an altered copy.", altered, span("altered", altered, SENTENCE, SECOND[slice(*SENTENCE)]))
    claim("outside", "A path out of the data.", outside, span("outside", outside, (0, 4), "root"))
    return quads


@pytest.fixture(scope="module")
def written(loaded_store: Path, tmp_path_factory: pytest.TempPathFactory):
    """A service of its own, over a copy of the data directory holding a second archived text, with the claims of
    :func:`_quads` written through /update."""
    where = tmp_path_factory.mktemp("views")
    data_dir = Path(shutil.copytree(DATA, where / "data"))
    (data_dir / "sources" / "views-test").mkdir()
    (data_dir / "sources" / "views-test" / "article.txt").write_bytes(SECOND.encode())
    with in_process(copy_of(loaded_store, where), workers=1, data_dir=data_dir) as service:
        update = service.post("/update", data={"update": insert_data(_quads())}, headers={"Authorization": f"Bearer {service.token}"})
        answered(update, 204)
        yield service


def _page(service, path: str):
    response = service.get("/id/" + path, headers=HTML)
    return response, parsed(response)


def test_text_from_the_data_is_escaped_on_every_page(written):
    for path in ("claim/views-test/script", "source/views-test-second", "person/views-test-speaker", "place/views-test-town"):
        response, page = _page(written, path)
        raw = body(response).decode()
        assert "<script>alert" not in raw and "<i>Speaker" not in raw and "<em>second" not in raw and "<Country>" not in raw, path
    response, page = _page(written, "claim/views-test/script")
    assert page.one("h1").text() == SCRIPT
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(response).decode()
    assert page.one("span", "claim-speaker").text() == "Test <i>Speaker</i>"
    assert page.by_id("evidence-1").text() == 'Every café <b>counts</b>.'
    groups = {group.one("summary").hrefs("related-via")[0]: set(group.hrefs("claim-link")) for group in page.all("details")}
    assert groups["/id/place/views-test-town"] >= {"/id/claim/views-test/alike", "/id/claim/views-test/part"}


def test_offsets_count_code_points_in_a_second_source(written):
    _, page = _page(written, "claim/views-test/part")
    assert [mark.text() for mark in page.by_id("evidence").all("mark")] == [SECOND[slice(*PART)]]
    _, page = _page(written, "claim/views-test/overlapping")
    first, second, rest = page.by_id("evidence").all("mark")
    assert (first.attrs["id"], second.attrs["id"], rest.classes) == ("evidence-1", "evidence-2", {"evidence", "evidence-continued"})
    assert first.text() == SECOND[slice(*PART)]
    assert second.text() + rest.text() == SECOND[slice(*CROSSING)]
    assert page.one("span", "verified").text() == "verified: the text on disk matches the SHA-256"


def test_the_second_source_page_nests_its_overlapping_spans(written):
    _, page = _page(written, "source/views-test-second")
    segments = _source_text(page)
    assert "".join(text for *_, text in segments) == SECOND
    marked = [(start, end, int(next(c for c in mark.classes if c.startswith("depth-"))[6:])) for start, end, mark, _ in segments if mark]
    spans_ = [SENTENCE, PART, CROSSING]
    assert marked == [
        (start, end, sum(1 for a, b in spans_ if a <= start and end <= b))
        for start, end in zip(sorted({e for s in spans_ for e in s}), sorted({e for s in spans_ for e in s})[1:])
        if any(a <= start and end <= b for a, b in spans_)
    ]
    sups = {sup.attrs["id"]: set(sup.hrefs("claim-ref")) for sup in page.all("sup", "span-claims")}
    assert sups == {
        "span-{}-{}".format(*SENTENCE): {"/id/claim/views-test/script"},
        "span-{}-{}".format(*PART): {"/id/claim/views-test/part", "/id/claim/views-test/overlapping"},
        "span-{}-{}".format(*CROSSING): {"/id/claim/views-test/overlapping"},
    }


def test_a_quote_not_at_its_offsets_is_shown_by_its_own_words(written):
    _, page = _page(written, "claim/views-test/misplaced")
    assert page.by_id("evidence-1").text() == "café"
    assert "the archived text does not hold this quote at [0, 5)" in page.by_id("evidence").text()


def test_a_source_whose_archived_text_is_missing_shows_the_quotes(written):
    response, page = _page(written, "claim/views-test/missing")
    assert page.by_id("evidence-1").text() == "words archived <elsewhere>"
    quote = page.by_id("evidence").one("blockquote")
    assert quote.text() == "…before: words archived <elsewhere> :after…"
    assert "the archived text sources/views-test-missing/article.txt is not on this server" in page.by_id("evidence").text()
    verification = page.one("dl", "source-meta").all("dd")[-1]
    assert verification.text().startswith("the archived text is not available")
    _, source = _page(written, "source/views-test-missing")
    assert not source.all("div", "source-text")
    assert "The archived text is not available" in source.by_id("source-text").text()
    [item] = source.by_id("unplaced").one("ul", "quoted-spans").kids("li")
    assert item.one("mark").text() == "words archived <elsewhere>"
    assert item.hrefs("claim-link") == ["/id/claim/views-test/missing"]


def test_a_text_that_differs_from_its_digest_is_shown_with_a_warning(written):
    _, page = _page(written, "claim/views-test/altered")
    assert page.by_id("evidence-1").text() == SECOND[slice(*SENTENCE)]
    warning = page.one("dl", "source-meta").one("strong", "warning").text()
    assert warning.startswith(f"not verified: the text on disk has SHA-256 {hashlib.sha256(SECOND.encode()).hexdigest()}, but the data states {'0' * 64}")


def test_an_archived_text_path_leading_out_of_the_data_directory_is_not_read(written):
    _, page = _page(written, "claim/views-test/outside")
    assert page.by_id("evidence-1").text() == "root"
    assert "leads outside the data directory" in page.one("dl", "source-meta").text()


# ---------------------------------------------------------------- the texts, cut


def test_segments_join_to_the_text_and_know_their_spans():
    generator = random.Random(9)
    text = "".join(generator.choice("ab c\n𝔄é") for _ in range(300))
    for _ in range(50):
        spans_ = [tuple(sorted(generator.sample(range(len(text) + 1), 2))) for _ in range(generator.randint(0, 8))]
        found = sources.segments(text, spans_)
        assert "".join(segment.text for segment in found) == text
        for segment in found:
            assert segment.spans == tuple(i for i, (a, b) in enumerate(spans_) if a <= segment.start and segment.end <= b)
            assert segment.text


def test_a_window_is_the_paragraphs_holding_its_spans():
    text = "First paragraph.\n\nSecond one, with a span.\n\nThird.\n\nFourth, with another."
    assert sources.windows(text, [_at("span", text), _at("another", text)]) == [
        _at("Second one, with a span.", text), _at("Fourth, with another.", text)
    ]
    assert sources.windows(text, [_at("First", text), _at("Second", text)]) == [(0, _at("Second one, with a span.", text)[1])]
    assert sources.windows("x" * 2000, [(1000, 1001)], reach=10) == [(990, 1011)]


def test_an_archived_text_is_read_again_when_the_file_changes(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"first")
    first = sources.archived_text(tmp_path, "a.txt", hashlib.sha256(b"first").hexdigest())
    assert (first.text, first.verified) == ("first", True)
    (tmp_path / "a.txt").write_bytes(b"second!")
    status = (tmp_path / "a.txt").stat()
    os.utime(tmp_path / "a.txt", ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
    second = sources.archived_text(tmp_path, "a.txt", hashlib.sha256(b"first").hexdigest())
    assert second.text == "second!"
    assert not second.verified
    assert second.problem.startswith(f"the text on disk has SHA-256 {hashlib.sha256(b'second!').hexdigest()}")
    (tmp_path / "b.txt").write_bytes(b"\xff")
    assert sources.archived_text(tmp_path, "b.txt", None).problem == "the archived text b.txt is not UTF-8 (byte 0)"
    assert sources.archived_text(tmp_path, "../a.txt", None).problem == "the path '../a.txt' leads outside the data directory"


def test_a_long_group_links_to_all_its_claims(app, data, claim_pages):
    """A city's group lists its first claims and links to the list of claims narrowed to the city, which holds
    every claim of the group."""
    for claim, page in claim_pages.items():
        for (how, via), (count, listed, more) in _related(page, "city").items():
            if more is not None:
                city = next(c for c in _cities(data, claim) if path_of(str(c)) == via)
                everything = json.loads(body(app.get(more, headers={"Accept": "application/json"})))
                assert everything["total"] == sum(city in _cities(data, other) for other in claims_of(data))
                return
    pytest.fail("no claim page has a city group long enough to link to all its claims")
