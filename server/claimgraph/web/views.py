"""The HTML pages of the dataset's own kinds of resource (claims, sources, people, places, organisations,
policies, outcomes): what a fact-checker reads, rather than a table of triples.

Which page a resource gets is read from the data, not from its IRI: a ``cg:Claim`` gets the claim page; what
claims appear in, evidence is taken from, or what has an archived text gets the source page; anything with a
``schema:name``, that a claim is about, by, or names as cause or effect, or that a figure measures or is about,
gets the entity page. Each page is a
handful of SELECT queries whose only term from outside is the resource's IRI, serialized by pyoxigraph.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from flask import render_template

from claimgraph.model import sources
from claimgraph.store.base import Store, Term
from claimgraph.web import answers, iris
from claimgraph.web.services import services

CG = "https://w3id.org/claimgraph/ontology#"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
TIME = "http://www.w3.org/2006/time#"

PREFIXES = f"""PREFIX cg: <{CG}>
PREFIX schema: <{SCHEMA}>
PREFIX oa: <{OA}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: the label of ``?o``: its name, preferred label, label or headline, whichever it has first.
_LABEL = """OPTIONAL { ?o schema:name ?name } OPTIONAL { ?o skos:prefLabel ?pref } OPTIONAL { ?o rdfs:label ?rlabel }
  OPTIONAL { ?o schema:headline ?headline } BIND (COALESCE(?name, ?pref, ?rlabel, ?headline) AS ?label)"""

#: what a list of claims shows of claim ``?c``: its text, voice and speaker, and where its first span starts.
_SUMMARY = """?c a cg:Claim . OPTIONAL { ?c schema:text ?text }
  OPTIONAL { ?c cg:attribution ?voice OPTIONAL { ?voice skos:prefLabel ?voiceLabel } }
  OPTIONAL { ?c schema:author ?speaker OPTIONAL { ?speaker schema:name ?speakerName } }
  OPTIONAL { ?c cg:evidence/oa:hasSelector/oa:start ?at }"""

#: the date precisions of OWL-Time the data uses: how many characters of an xsd:date to read, and the word for it.
_PRECISIONS = {
    TIME + "unitDay": (10, "to the day"),
    TIME + "unitMonth": (7, "to the month"),
    TIME + "unitYear": (4, "to the year"),
    TIME + "unitDecade": (3, "to the decade"),
}


# ---------------------------------------------------------------- what the queries give


@dataclasses.dataclass(frozen=True)
class Ref:
    """A resource to link to: its IRI, the label to show and the URL of its page on this server."""

    iri: str
    label: str
    url: str
    #: the labels of its types, when known.
    types: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Value:
    """One object of a statement: the term and, for an IRI or blank node, its label if it has one."""

    term: Term
    name: ox.Literal | None

    @property
    def label(self) -> str | None:
        return self.name.value if self.name is not None else None

    @property
    def text(self) -> str:
        return self.label if self.label is not None else self.term.value

    @property
    def is_literal(self) -> bool:
        return isinstance(self.term, ox.Literal)

    def ref(self, types: tuple[str, ...] = ()) -> Ref:
        return Ref(self.term.value, self.label or _local_name(self.term.value), iris.page_url(self.term.value), types)


class Node:
    """What the store says of one subject: predicate IRI → its objects, in the order the query gave them."""

    def __init__(self) -> None:
        self.values: dict[str, list[Value]] = defaultdict(list)

    def add(self, predicate: str, value: Value) -> None:
        known = self.values[predicate]
        for index, old in enumerate(known):
            if old.term == value.term:
                if old.name is None or (_english(value.name) and not _english(old.name)):
                    known[index] = value
                return
        known.append(value)

    def all(self, predicate: str) -> list[Value]:
        return self.values.get(predicate, [])

    def one(self, predicate: str) -> Value | None:
        found = self.all(predicate)
        return found[0] if found else None

    def text(self, predicate: str) -> str | None:
        found = self.one(predicate)
        return found.term.value if found else None

    def texts(self, predicate: str) -> list[str]:
        return [value.term.value for value in self.all(predicate)]

    def refs(self, predicate: str, graph: dict[str, Node] | None = None) -> list[Ref]:
        return [value.ref(_types(graph, value.term.value)) for value in self.all(predicate) if not isinstance(value.term, ox.Literal)]

    def nodes(self, predicate: str) -> list[str]:
        """The IRIs (or blank node ids) among the objects of ``predicate``."""
        return [value.term.value for value in self.all(predicate) if not isinstance(value.term, ox.Literal)]


def _english(term: Term | None) -> bool:
    """Whether ``term`` is a label to prefer: English or untagged text."""
    return isinstance(term, ox.Literal) and (term.language in (None, "") or term.language.startswith("en"))


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def _humanize(name: str) -> str:
    """``containedInPlace`` → ``contained in place``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _types(graph: dict[str, Node] | None, iri: str) -> tuple[str, ...]:
    if graph is None or iri not in graph:
        return ()
    return tuple(value.label or _local_name(value.term.value) for value in graph[iri].all(RDF_TYPE))


def describe(store: Store, roots: str) -> dict[str, Node]:
    """Every statement of the subjects that ``roots`` binds to ``?s`` (a group graph pattern), with the label of each
    object: subject IRI (or blank node id) → :class:`Node`."""
    rows = store.select(PREFIXES + f"SELECT ?s ?p ?o ?label WHERE {{ {{ {roots} }} ?s ?p ?o . {_LABEL} }}")
    graph: dict[str, Node] = defaultdict(Node)
    for row in rows:
        graph[row["s"].value].add(row["p"].value, Value(row["o"], row.get("label")))
    return graph


@dataclasses.dataclass(frozen=True)
class Summary:
    """A claim as lists show it: text, voice and speaker, and a link."""

    iri: str
    url: str
    text: str
    voice: str | None
    speaker: Ref | None
    #: where its first span starts in its source, to list claims in the order they are read.
    at: int | None

    @property
    def order(self) -> tuple:
        return (self.at is None, self.at or 0, self.text, self.iri)


def summaries(store: Store, claims: Iterable[Term]) -> dict[str, Summary]:
    """The summaries of the ``claims`` that are claims, by IRI (one query, whatever their number)."""
    claims = set(claims)
    if not claims:
        return {}
    values = " ".join(str(claim) for claim in claims)
    rows = store.select(
        PREFIXES + f"SELECT ?c ?text ?voice ?voiceLabel ?speaker ?speakerName ?at WHERE {{ VALUES ?c {{ {values} }} {_SUMMARY} }}"
    )
    found: dict[str, Summary] = {}
    for row in rows:
        iri = row["c"].value
        at = int(row["at"].value) if "at" in row and row["at"].value.lstrip("-").isdigit() else None
        old = found.get(iri)
        if old is not None and (at is None or (old.at is not None and old.at <= at)):
            continue
        speaker = None
        if "speaker" in row:
            speaker = Value(row["speaker"], row.get("speakerName")).ref()
        voice = row["voiceLabel"].value if "voiceLabel" in row else (_local_name(row["voice"].value) if "voice" in row else None)
        text = row["text"].value if "text" in row else _local_name(iri)
        found[iri] = Summary(iri, iris.page_url(iri), text, voice, speaker, at)
    return found


def ordered(claims: Iterable[Summary]) -> list[Summary]:
    return sorted(claims, key=lambda claim: claim.order)


# ---------------------------------------------------------------- the page a resource gets


def page(iri: ox.NamedNode) -> str | None:
    """The HTML page of ``iri`` when its type has a page of its own; ``None`` when the generic resource page is
    the one to show.

    :raises QueryTimeout, Busy, StoreError, QueryError: as :meth:`Store.select` does.
    """
    store = answers.store()
    [kind] = store.select(
        PREFIXES
        + f"""SELECT ?claim ?source ?entity WHERE {{
  BIND (EXISTS {{ {iri} a cg:Claim }} AS ?claim)
  BIND (EXISTS {{ {{ {iri} cg:archivedText ?text }} UNION {{ ?c a cg:Claim ; schema:appearance {iri} }}
                 UNION {{ ?e oa:hasSource {iri} }} }} AS ?source)
  BIND (EXISTS {{ {{ {iri} schema:name ?name }} UNION {{ ?c a cg:Claim ; schema:about|schema:author|cg:cause|cg:effect {iri} }}
                 UNION {{ ?f a cg:Figure ; schema:observationAbout|schema:variableMeasured|cg:relativeTo {iri} }} }} AS ?entity)
}}"""
    )
    if kind["claim"].value == "true":
        return claim_page(store, iri)
    if kind["source"].value == "true":
        return source_page(store, iri)
    if kind["entity"].value == "true":
        return entity_page(store, iri)
    return None


# ---------------------------------------------------------------- sources and their texts


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
    authors: list[Ref]
    publishers: list[Ref]
    date: str | None
    language: str | None
    about: list[Ref]
    text_iri: str | None
    sha256: str | None
    local_path: str | None
    retrieval_notes: list[str]
    archived: sources.Archived | None

    @property
    def text(self) -> str | None:
        return self.archived.text if self.archived else None


def source_meta(graph: dict[str, Node], source: str) -> SourceMeta:
    """The metadata of ``source`` from ``graph`` (which holds the source and its archived text), with its text read."""
    node = graph.get(source, Node())
    text_iri = next(iter(node.nodes(CG + "archivedText")), None)
    archive = graph.get(text_iri, Node()) if text_iri else Node()
    local_path, sha256 = archive.text(CG + "localPath"), archive.text(SCHEMA + "sha256")
    archived = sources.archived_text(services().config.data_dir, local_path, sha256) if local_path else None
    headline = node.text(SCHEMA + "headline") or node.text(SCHEMA + "name") or _local_name(source)
    return SourceMeta(
        ref=Ref(source, headline, iris.page_url(source)),
        headline=headline,
        url=node.text(SCHEMA + "url"),
        authors=node.refs(SCHEMA + "author"),
        publishers=node.refs(SCHEMA + "publisher"),
        date=node.text(SCHEMA + "datePublished"),
        language=node.text(SCHEMA + "inLanguage"),
        about=node.refs(SCHEMA + "about"),
        text_iri=text_iri,
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
    text, number = meta.text, first_mark
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


# ---------------------------------------------------------------- the claim page


@dataclasses.dataclass(frozen=True)
class Figure:
    """A figure as the claim page shows it."""

    iri: str
    url: str
    stated_as: list[str]
    value: str | None
    unit: str | None
    measure: list[Ref]
    about: list[Ref]
    relative_to: list[Ref]
    when: str | None
    period: list[str]
    basis: list[str]
    expression: list[str]
    precision: list[str]
    changed_from: list[str]
    notes: list[str]


def figure_of(graph: dict[str, Node], iri: str) -> Figure:
    node = graph.get(iri, Node())
    return Figure(
        iri=iri,
        url=iris.page_url(iri),
        stated_as=node.texts(CG + "statedAs"),
        value=_figure_value(node),
        unit=next((value.text for value in node.all(SCHEMA + "unitCode")), None),
        measure=node.refs(SCHEMA + "variableMeasured"),
        about=node.refs(SCHEMA + "observationAbout"),
        relative_to=node.refs(CG + "relativeTo"),
        when=_when(node.text(SCHEMA + "observationDate"), node.text(CG + "datePrecision")),
        period=node.texts(SCHEMA + "observationPeriod"),
        basis=[value.text for value in node.all(CG + "timeBasis")],
        expression=node.texts(CG + "timeExpression"),
        precision=[value.text for value in node.all(CG + "precision")],
        changed_from=[_earlier(graph, value.term.value) for value in node.all(CG + "changedFrom")],
        notes=node.texts(CG + "curatorNote"),
    )


def _figure_value(node: Node) -> str | None:
    value, low, high = (node.text(SCHEMA + name) for name in ("value", "minValue", "maxValue"))
    below = node.text(CG + "maxExclusive")
    numerator, denominator = node.text(CG + "numerator"), node.text(CG + "denominator")
    if value is not None:
        return f"{value} ({numerator} in {denominator})" if numerator and denominator else value
    if low is not None or high is not None:
        return f"{low if low is not None else '…'} to {high if high is not None else '…'}"
    if below is not None:
        return f"less than {below}"
    return None


def _earlier(graph: dict[str, Node], iri: str) -> str:
    node = graph.get(iri, Node())
    unit = next((value.text for value in node.all(SCHEMA + "unitCode")), "")
    words = ", ".join(f"“{words}”" for words in node.texts(CG + "statedAs"))
    return " ".join(part for part in (_figure_value(node) or "", unit, f"({words})" if words else "") if part) or _local_name(iri)


def _when(date: str | None, precision: str | None) -> str | None:
    """``date`` read to its ``precision`` (``2016`` for a year, ``1990s`` for a decade), with the precision named."""
    if date is None:
        return None
    if precision not in _PRECISIONS:
        return date
    length, words = _PRECISIONS[precision]
    shown = date[:3] + "0s" if length == 3 else date[:length]
    return f"{shown} ({words})"


def claim_page(store: Store, iri: ox.NamedNode) -> str:
    """The claim page of ``iri``: what it says, who says it and how, what it is about, its figures, the source's
    words marked in their context, the source, and the claims resting on the same words or related to it."""
    graph = describe(
        store,
        f"""{{ BIND ({iri} AS ?s) }} UNION {{ {iri} cg:figure ?s }} UNION {{ {iri} cg:figure/cg:changedFrom ?s }}
  UNION {{ {iri} cg:evidence ?s }} UNION {{ {iri} cg:evidence/oa:hasSelector ?s }}
  UNION {{ {iri} schema:appearance|cg:evidence/oa:hasSource ?s }}
  UNION {{ {iri} (schema:appearance|cg:evidence/oa:hasSource)/cg:archivedText ?s }}
  UNION {{ {iri} schema:about|cg:cause|cg:effect|schema:author ?s }}""",
    )
    node = graph[iri.value]
    spans = spans_of(graph, node.nodes(CG + "evidence"))
    source_iris = list(dict.fromkeys([*(span.source for span in spans if span.source), *node.nodes(SCHEMA + "appearance")]))
    evidence, number = [], 1
    for source in source_iris:
        view, number = evidence_view(source_meta(graph, source), [span for span in spans if span.source == source], number)
        evidence.append(view)
    same_words, related = _neighbours(store, iri, node)
    claim = {
        "iri": iri.value,
        "text": node.text(SCHEMA + "text") or _local_name(iri.value),
        "kinds": node.refs(CG + "kind"),
        "voice": next(iter(node.refs(CG + "attribution")), None),
        "speakers": node.refs(SCHEMA + "author", graph),
        "modality": next(iter(node.refs(CG + "modality")), None),
        "hedges": node.texts(CG + "modalityExpression"),
        "when": _when(node.text(SCHEMA + "temporalCoverage"), node.text(CG + "datePrecision")),
        "time_expressions": node.texts(CG + "timeExpression"),
        "time_bases": [value.text for value in node.all(CG + "timeBasis")],
        "about": node.refs(SCHEMA + "about", graph),
        "causes": node.refs(CG + "cause", graph),
        "effects": node.refs(CG + "effect", graph),
        "figures": [figure_of(graph, figure) for figure in sorted(node.nodes(CG + "figure"))],
        "notes": node.texts(CG + "curatorNote"),
    }
    return render_template(
        "claim.html", claim=claim, evidence=evidence, same_words=same_words, related=related,
        first_mark="evidence-1" if number > 1 else None,
    )


@dataclasses.dataclass(frozen=True)
class Group:
    """Claims that share one thing with the claim of the page: how (``about`` or ``speaker``) and what."""

    how: str
    via: Ref
    claims: list[Summary]


def _neighbours(store: Store, iri: ox.NamedNode, node: Node) -> tuple[list[Summary], list[Group]]:
    """The other claims resting on the same words as ``iri`` (a shared evidence node, or a span of the same source
    overlapping one of its spans), and the groups of claims about the same thing or by the same speaker; ``node``
    is what the store says of ``iri`` (the labels of what it is about and by)."""
    rows = store.select(
        PREFIXES
        + f"""SELECT DISTINCT ?c ?how ?via WHERE {{
  {{ {iri} cg:evidence ?e . ?c cg:evidence ?e . BIND ("words" AS ?how) }}
  UNION {{ {iri} cg:evidence ?e . ?e oa:hasSource ?source ; oa:hasSelector ?p .
          ?p a oa:TextPositionSelector ; oa:start ?a ; oa:end ?b .
          ?other oa:hasSource ?source ; oa:hasSelector ?q . ?q a oa:TextPositionSelector ; oa:start ?a2 ; oa:end ?b2 .
          FILTER (?a2 < ?b && ?a < ?b2) ?c cg:evidence ?other . BIND ("words" AS ?how) }}
  UNION {{ {iri} schema:about|cg:cause|cg:effect ?via . ?c schema:about|cg:cause|cg:effect ?via . BIND ("about" AS ?how) }}
  UNION {{ {iri} schema:author ?via . ?c schema:author ?via . BIND ("speaker" AS ?how) }}
  FILTER (?c != {iri})
}}"""
    )
    found = summaries(store, (row["c"] for row in rows))
    same = ordered({found[row["c"].value] for row in rows if row["how"].value == "words" and row["c"].value in found})
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row["how"].value != "words" and row["c"].value in found:
            groups[(row["how"].value, row["via"].value)].add(row["c"].value)
    refs = {
        ref.iri: ref
        for predicate in (SCHEMA + "about", CG + "cause", CG + "effect", SCHEMA + "author") for ref in node.refs(predicate)
    }
    related = [Group(how, refs[via], ordered(found[claim] for claim in claims)) for (how, via), claims in groups.items()]
    related.sort(key=lambda group: (group.how != "about", -len(group.claims), group.via.label))
    return same, related


# ---------------------------------------------------------------- the source page


@dataclasses.dataclass(frozen=True)
class Marked:
    """A segment of a source's text as the source page shows it: the spans starting at it (with their claims'
    numbers), and the claims' numbers of every span covering it."""

    text: str
    depth: int
    #: for each span starting here: its id, its claims with their numbers, and the URL of its evidence node.
    starting: list[tuple[str, list[tuple[int, Summary]], str]]
    covering: list[int]


def source_page(store: Store, iri: ox.NamedNode) -> str:
    """The source page of ``iri``: its metadata, and its whole archived text with every claim's span marked, each
    span linking to its claims; spans that cannot be placed, and the claims of the source, listed below."""
    graph = describe(
        store,
        f"""{{ BIND ({iri} AS ?s) }} UNION {{ {iri} cg:archivedText ?s }} UNION {{ ?s oa:hasSource {iri} }}
  UNION {{ ?e oa:hasSource {iri} ; oa:hasSelector ?s }}""",
    )
    meta = source_meta(graph, iri.value)
    rows = store.select(
        PREFIXES + f"SELECT ?c ?e WHERE {{ {{ ?e oa:hasSource {iri} . ?c cg:evidence ?e }} UNION {{ ?c schema:appearance {iri} }} }}"
    )
    by_claim = summaries(store, (row["c"] for row in rows))
    claims = ordered(by_claim.values())
    number = {claim.iri: index for index, claim in enumerate(claims, 1)}
    claims_of: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if "e" in row and row["c"].value in by_claim:
            claims_of[row["e"].value].add(row["c"].value)
    evidence = [subject for subject, node in graph.items() if iri.value in node.nodes(OA + "hasSource")]
    spans = {span.evidence: span for span in spans_of(graph, evidence)}
    text = meta.text
    placed: dict[tuple[int, int], set[str]] = defaultdict(set)
    evidence_at: dict[tuple[int, int], str] = {}
    unplaced = []
    for evidence, span in spans.items():
        if span.fits(text):
            placed[span.offsets] |= claims_of[evidence]
            evidence_at.setdefault(span.offsets, evidence)
        else:
            unplaced.append((span, ordered(by_claim[claim] for claim in claims_of[evidence])))
    unplaced.sort(key=lambda item: (item[0].start is None, item[0].start or 0, item[0].evidence))
    offsets = sorted(placed, key=lambda span: (span[0], -span[1]))
    segments = []
    if text is not None:
        for segment in sources.segments(text, offsets):
            starting = [
                (
                    span_id(*offsets[i]),
                    sorted(((number[c], by_claim[c]) for c in placed[offsets[i]]), key=lambda item: item[0]),
                    iris.page_url(evidence_at[offsets[i]]),
                )
                for i in sorted(segment.spans, key=lambda i: -offsets[i][1]) if offsets[i][0] == segment.start
            ]
            covering = sorted({number[c] for i in segment.spans for c in placed[offsets[i]]})
            segments.append(Marked(segment.text, segment.depth, starting, covering))
    return render_template(
        "source.html", source=meta, segments=segments, unplaced=unplaced, claims=claims, spans=len(offsets),
    )


# ---------------------------------------------------------------- people, places, organisations, policies, outcomes


#: what an entity page says of the entity itself, rather than in its table of other statements.
_OWN = {RDF_TYPE, SCHEMA + "name", SCHEMA + "description", SKOS + "definition", CG + "curatorNote"}


@dataclasses.dataclass(frozen=True)
class Causal:
    """A causal claim: the claim, and its causes and effects."""

    claim: Summary
    causes: list[Ref]
    effects: list[Ref]


def entity_page(store: Store, iri: ox.NamedNode) -> str:
    """The page of a person, place, organisation, policy, outcome or any other named thing: what it is, the claims
    made by it and about it, the causal claims naming it as cause or effect, the claims about the places within
    it, and the figures about it or stated by claims about it."""
    graph = describe(
        store,
        f"""{{ BIND ({iri} AS ?s) }} UNION {{ ?s schema:observationAbout|schema:variableMeasured|cg:relativeTo {iri} }}
  UNION {{ ?c schema:about|cg:cause|cg:effect {iri} ; cg:figure ?s }}
  UNION {{ ?c schema:about|cg:cause|cg:effect {iri} ; cg:figure/cg:changedFrom ?s }}""",
    )
    node = graph.get(iri.value, Node())
    rows = store.select(
        PREFIXES
        + f"""SELECT ?c ?role ?place ?placeLabel ?cause ?causeLabel ?effect ?effectLabel ?work ?workLabel WHERE {{
  {{ ?c schema:author {iri} . BIND ("by" AS ?role) }}
  UNION {{ ?work schema:author|schema:publisher {iri} ; schema:headline ?workLabel . BIND ("work" AS ?role) }}
  UNION {{ ?c schema:about|cg:cause|cg:effect {iri} . BIND ("about" AS ?role) }}
  UNION {{ ?c cg:cause|cg:effect {iri} . BIND ("causal" AS ?role)
          OPTIONAL {{ ?c cg:cause ?cause OPTIONAL {{ ?cause schema:name ?causeLabel }} }}
          OPTIONAL {{ ?c cg:effect ?effect OPTIONAL {{ ?effect schema:name ?effectLabel }} }} }}
  UNION {{ ?place schema:containedInPlace+ {iri} . ?c schema:about ?place . BIND ("within" AS ?role)
          OPTIONAL {{ ?place schema:name ?placeLabel }} }}
}}"""
    )
    found = summaries(store, (row["c"] for row in rows if "c" in row))
    by_role: dict[str, set[str]] = defaultdict(set)
    causes: dict[str, dict[str, Ref]] = defaultdict(dict)
    effects: dict[str, dict[str, Ref]] = defaultdict(dict)
    within: dict[str, tuple[Ref, set[str]]] = {}
    works: dict[str, Ref] = {}
    for row in rows:
        if "work" in row:
            works.setdefault(row["work"].value, Value(row["work"], row["workLabel"]).ref())
        if "c" not in row or row["c"].value not in found:
            continue
        claim, role = row["c"].value, row["role"].value
        by_role[role].add(claim)
        for key, into in (("cause", causes), ("effect", effects)):
            if key in row:
                into[claim][row[key].value] = Value(row[key], row.get(key + "Label")).ref()
        if role == "within":
            place = Value(row["place"], row.get("placeLabel")).ref()
            within.setdefault(place.iri, (place, set()))[1].add(claim)
    figure_iris = [subject for subject, figure in graph.items() if CG + "Figure" in figure.nodes(RDF_TYPE)]
    entity = {
        "iri": iri.value,
        "name": node.text(SCHEMA + "name") or next((value.text for value in node.all(SKOS + "prefLabel")), None)
        or _local_name(iri.value),
        "types": [value.text if value.label else _local_name(value.term.value) for value in node.all(RDF_TYPE)],
        "descriptions": node.texts(SCHEMA + "description") + node.texts(SKOS + "definition"),
        "notes": node.texts(CG + "curatorNote"),
        "details": [
            (_humanize(_local_name(predicate)), values)
            for predicate, values in node.values.items() if predicate not in _OWN
        ],
    }
    return render_template(
        "entity.html",
        entity=entity,
        works=sorted(works.values(), key=lambda work: work.label),
        by=ordered(found[claim] for claim in by_role["by"]),
        about=ordered(found[claim] for claim in by_role["about"]),
        causal=[
            Causal(claim, list(causes[claim.iri].values()), list(effects[claim.iri].values()))
            for claim in ordered(found[claim] for claim in by_role["causal"])
        ],
        within=sorted(
            ((place, ordered(found[claim] for claim in claims)) for place, claims in within.values()),
            key=lambda item: item[0].label,
        ),
        figures=sorted((figure_of(graph, figure) for figure in figure_iris), key=lambda figure: figure.iri),
    )
