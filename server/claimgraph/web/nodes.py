"""What the store says of the resources a page shows: statements with the labels of their objects, claims as lists
show them, and figures, each read with a query whose only terms from outside are IRIs serialized by pyoxigraph."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from claimgraph.rdf import vocabulary
from claimgraph.rdf.vocabulary import CG, OA, SCHEMA, SKOS
from claimgraph.store.base import Store, Term
from claimgraph.web import iris

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
TIME = "http://www.w3.org/2006/time#"

PREFIXES = f"""PREFIX cg: <{CG}>
PREFIX schema: <{SCHEMA}>
PREFIX oa: <{OA}>
PREFIX skos: <{SKOS}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

#: the candidate labels of ``?o`` (:func:`vocabulary.label_candidates`), of which :class:`Node` keeps the best.
_LABEL = f"OPTIONAL {vocabulary.label_candidates('?o')}"

#: what a list of claims shows of claim ``?c``: its text, voice and speaker, and where its first span starts.
_SUMMARY = f"""?c a cg:Claim . OPTIONAL {{ ?c schema:text ?text }}
  OPTIONAL {{ ?c cg:attribution ?voice OPTIONAL {vocabulary.label_candidates("?voice", "?voiceLabel", "?voiceRank")} }}
  OPTIONAL {{ ?c schema:author ?speaker OPTIONAL {vocabulary.label_candidates("?speaker", "?speakerName", "?speakerRank")} }}
  OPTIONAL {{ ?c cg:evidence/oa:hasSelector/oa:start ?at }}"""

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
    """One object of a statement: the term and, for an IRI or blank node, its label if it has one (with the rank of
    its property, :func:`vocabulary.label_candidates`)."""

    term: Term
    name: ox.Literal | None
    rank: int = 0

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
        return Ref(self.term.value, self.label or local_name(self.term.value), iris.page_url(self.term.value), types)


class Node:
    """What the store says of one subject: predicate IRI → its objects, in the order the query gave them."""

    def __init__(self) -> None:
        self.values: dict[str, list[Value]] = defaultdict(list)

    def add(self, predicate: str, value: Value) -> None:
        """Add ``value`` as an object of ``predicate``; of one object given with several labels, the best is kept
        (:func:`vocabulary.label_rank`)."""
        known = self.values[predicate]
        for index, old in enumerate(known):
            if old.term == value.term:
                if value.name is not None and (
                    old.name is None or vocabulary.label_rank(value.rank, value.name) < vocabulary.label_rank(old.rank, old.name)
                ):
                    known[index] = value
                return
        known.append(value)

    def label(self) -> str | None:
        """The label of the subject itself (:func:`vocabulary.best_label` of its statements)."""
        return vocabulary.best_label(
            (rank, value.term) for rank, predicate in enumerate(vocabulary.LABELS) for value in self.all(predicate)
            if isinstance(value.term, ox.Literal)
        )

    def all(self, predicate: str) -> list[Value]:
        return self.values.get(predicate, [])

    def one(self, predicate: str) -> Value | None:
        """The object of ``predicate`` to show when only one is: an English or untagged text before others."""
        found = self.all(predicate)
        return next((value for value in found if not value.is_literal or _english(value.term)), found[0] if found else None)

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


def local_name(iri: str) -> str:
    """The last segment of ``iri``'s path or fragment: what is shown of a resource that has no label."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def humanize(name: str) -> str:
    """``containedInPlace`` → ``contained in place``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _types(graph: dict[str, Node] | None, iri: str) -> tuple[str, ...]:
    if graph is None or iri not in graph:
        return ()
    return tuple(value.label or local_name(value.term.value) for value in graph[iri].all(RDF_TYPE))


def describe(store: Store, roots: str) -> dict[str, Node]:
    """Every statement of the subjects that ``roots`` binds to ``?s`` (a group graph pattern), with the label of each
    object: subject IRI (or blank node id) → :class:`Node`."""
    rows = store.select(PREFIXES + f"SELECT ?s ?p ?o ?label ?rank WHERE {{ {{ {roots} }} ?s ?p ?o . {_LABEL} }}")
    graph: dict[str, Node] = defaultdict(Node)
    for row in rows:
        graph[row["s"].value].add(row["p"].value, labelled(row, "o", "label", "rank"))
    return graph


def labelled(row, term: str, label: str, rank: str) -> Value:
    """The value of ``row``'s variable ``term`` with the label candidate of variables ``label`` and ``rank``."""
    return Value(row[term], row.get(label), int(row[rank].value) if rank in row else 0)


def best(values: Iterable[Value]) -> dict[str, Value]:
    """IRI → the value of it with the best label among ``values`` (:func:`vocabulary.label_rank`), in first order."""
    node = Node()
    for value in values:
        node.add("", value)
    return {value.term.value: value for value in node.all("")}


def cities(store: Store, claim: ox.NamedNode) -> list[Ref]:
    """The cities ``claim`` speaks of (:func:`claimgraph.rdf.vocabulary.cities_of`), by label."""
    rows = store.select(PREFIXES + f"SELECT DISTINCT ?o ?label ?rank WHERE {{ {vocabulary.cities_of(str(claim), '?o')} {_LABEL} }}")
    found = best(labelled(row, "o", "label", "rank") for row in rows)
    return sorted((value.ref() for value in found.values()), key=lambda ref: (ref.label, ref.iri))


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
    # VALUES cannot hold blank nodes; a claim written as one has no page to link to either.
    claims = {claim for claim in claims if isinstance(claim, ox.NamedNode)}
    if not claims:
        return {}
    values = " ".join(str(claim) for claim in claims)
    rows = store.select(
        PREFIXES + "SELECT ?c ?text ?voice ?voiceLabel ?voiceRank ?speaker ?speakerName ?speakerRank ?at"
        f" WHERE {{ VALUES ?c {{ {values} }} {_SUMMARY} }}"
    )
    texts, starts = _texts_and_starts(rows)
    voices: dict[str, list[Value]] = defaultdict(list)
    speakers: dict[str, list[Value]] = defaultdict(list)
    for row in rows:
        iri = row["c"].value
        if "voice" in row:
            voices[iri].append(labelled(row, "voice", "voiceLabel", "voiceRank"))
        if "speaker" in row:
            speakers[iri].append(labelled(row, "speaker", "speakerName", "speakerRank"))
    found: dict[str, Summary] = {}
    for iri in {row["c"].value for row in rows}:
        # one voice and one speaker are shown: the first by IRI, each by its best label.
        voice = min(best(voices[iri]).values(), key=lambda value: value.term.value, default=None)
        speaker = min(best(speakers[iri]).values(), key=lambda value: value.term.value, default=None)
        found[iri] = Summary(
            iri, iris.page_url(iri), texts.get(iri, local_name(iri)), voice.ref().label if voice else None,
            speaker.ref() if speaker else None, starts.get(iri),
        )
    return found


def _texts_and_starts(rows: list[dict[str, Term]]) -> tuple[dict[str, str], dict[str, int]]:
    """Per claim (``?c``) of ``rows``: its least text (``?text``) and the least start of its spans (``?at``)."""
    texts: dict[str, str] = {}
    starts: dict[str, int] = {}
    for row in rows:
        iri = row["c"].value
        if "text" in row:
            texts[iri] = min(texts.get(iri, row["text"].value), row["text"].value)
        if "at" in row and row["at"].value.lstrip("-").isdigit():
            starts[iri] = min(starts.get(iri, int(row["at"].value)), int(row["at"].value))
    return texts, starts


def order_keys(store: Store, claims: Iterable[Term]) -> dict[str, tuple]:
    """The :attr:`Summary.order` of each of ``claims`` that is a claim, by IRI, from one query lighter than
    :func:`summaries` (no labels): to list the first few of many claims in order, and summarise only those."""
    claims = {claim for claim in claims if isinstance(claim, ox.NamedNode)}
    if not claims:
        return {}
    rows = store.select(
        PREFIXES + f"SELECT ?c ?text ?at WHERE {{ VALUES ?c {{ {' '.join(str(claim) for claim in claims)} }}"
        " ?c a cg:Claim . OPTIONAL { ?c schema:text ?text } OPTIONAL { ?c cg:evidence/oa:hasSelector/oa:start ?at } }"
    )
    texts, starts = _texts_and_starts(rows)
    return {
        iri: (starts.get(iri) is None, starts.get(iri) or 0, texts.get(iri, local_name(iri)), iri)
        for iri in {row["c"].value for row in rows}
    }


def ordered(claims: Iterable[Summary]) -> list[Summary]:
    """``claims`` in the order they are read in their sources (claims without a span last, by text)."""
    return sorted(claims, key=lambda claim: claim.order)


# ---------------------------------------------------------------- figures


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
    """The figure ``iri`` as ``graph`` describes it (and the earlier figure it changed from, when ``graph`` holds it)."""
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
        when=when(node.text(SCHEMA + "observationDate"), node.text(CG + "datePrecision")),
        period=node.texts(SCHEMA + "observationPeriod"),
        basis=[value.text for value in node.all(CG + "timeBasis")],
        expression=node.texts(CG + "timeExpression"),
        precision=[value.text for value in node.all(CG + "precision")],
        changed_from=[_earlier(graph, value.term.value) for value in node.all(CG + "changedFrom")],
        notes=node.texts(CG + "curatorNote"),
    )


def _figure_value(node: Node) -> str | None:
    """The number a figure states: its value (with the proportion's words), its bounds, or ``None`` for words alone."""
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
    """The earlier value of a change, as one line: value, unit and the source's words."""
    node = graph.get(iri, Node())
    unit = next((value.text for value in node.all(SCHEMA + "unitCode")), "")
    words = ", ".join(f"“{words}”" for words in node.texts(CG + "statedAs"))
    return " ".join(part for part in (_figure_value(node) or "", unit, f"({words})" if words else "") if part) or local_name(iri)


def when(date: str | None, precision: str | None) -> str | None:
    """``date`` read to its ``precision`` (``2016`` for a year, ``1990s`` for a decade), with the precision named."""
    if date is None:
        return None
    if precision not in _PRECISIONS:
        return date
    length, words = _PRECISIONS[precision]
    shown = date[:3] + "0s" if length == 3 else date[:length]
    return f"{shown} ({words})"
