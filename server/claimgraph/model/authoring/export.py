"""The claims of a curated source written back in the YAML form ``claimgraph compile`` reads (docs/authoring.md), so
that compiling the export gives back the same graph: the proof that the YAML form says everything the data says.

What the compiler writes by rule (a claim's appearance in its source, the evidence's selectors with their prefix and
suffix, the types) is checked to be what the rule gives, and left out of the YAML; every other triple becomes a key.
A triple of the claims graph the form cannot say is an error naming it, never dropped in silence. The entities and
reviews a compiled claims file created are written back as its ``entities:`` and ``reviews:`` (tests/test_example.py
compiles them back to the same graphs).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pyoxigraph as ox
import yaml

from claimgraph.errors import DataError
from claimgraph.model import entities, sources
from claimgraph.model import reviews as reviews_
from claimgraph.model.authoring import anchor, terms
from claimgraph.model.authoring.references import DEFAULT_CLASS
from claimgraph.model.dataset import Curated
from claimgraph.rdf.vocabulary import CG, OA, RDF, SCHEMA, SKOS

PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = RDF + "type"
#: A text longer than this is written as a block scalar.
LONG = 90
#: Where PyYAML folds long texts (at the first space past it).
WIDTH = 100
#: A list of references is written on one line when that line is no longer than this.
SHORT = 60

_VOICES = terms.inverse(terms.VOICES)
_MODALITIES = terms.inverse(terms.MODALITIES)
_PRECISIONS = terms.inverse(terms.PRECISIONS)
_BASES = terms.inverse(terms.TIME_BASES)
_DATE_PRECISIONS = terms.inverse(terms.DATE_PRECISIONS)


def export_yaml(curated: Curated, slug: str, iri_base: str) -> str:
    """The claims, figures and evidence of source ``slug`` (its graph ``<iri_base>graph/<slug>``, less the source's
    own description) as the text of a ``claims.yaml``; with them, when its claims file ``claims/<slug>.trig`` was
    compiled from YAML, the entities that file created (graph ``<iri_base>graph/entities``) and the reviews of the
    source's claims it holds (graphs ``<iri_base>graph/reviews/…``), so that compiling the export in its place
    creates them again.

    :raises DataError: if there is no such source, its archived text is missing or not the one its SHA-256 states
        (quotes are placed by their occurrence in it), or the graph holds a triple the YAML form cannot say (each
        such triple named).
    """
    source = f"{iri_base}id/source/{slug}"
    graph = _Graph(curated.quads, f"{iri_base}graph/{slug}", source)
    if not graph.source_triples:
        raise DataError(f"export-yaml: no source {slug!r}: the curated data has no <{source}> in graph <{iri_base}graph/{slug}>")
    language = graph.one_of(source, SCHEMA + "inLanguage", consume=False)
    writer = _Writer(graph, curated, iri_base, slug, source, language.value if language is not None else "en")
    own = _own_quads(curated, slug, iri_base)
    document = _kept({
        "source": slug,
        "language": writer.language,
        "entities": [writer.entity(iri, quads) for iri, quads in own.entities.items()],
        "claims": writer.claims(),
        "figures": writer.figures(),
        "reviews": [writer.review(iri, quads, curated) for iri, quads in own.reviews.items()],
    })
    left = graph.unread()
    if left:
        said = "\n".join(f"  {triple}" for triple in left)
        raise DataError(f"export-yaml: the YAML form cannot say {len(left)} triple(s) of graph <{graph.name}>:\n{said}")
    header = f"# The claims of source {slug}, written by `claimgraph export-yaml {slug}`;\n# `claimgraph compile` reads it back.\n"
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH)


class _Graph:
    """The claims' triples of one source graph by subject, and which of them the export has read."""

    def __init__(self, quads: list[ox.Quad], name: str, source: str) -> None:
        self.name = name
        in_graph = [quad.triple for quad in quads if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value == name]
        own = {source} | {t.object.value for t in in_graph if t.subject.value == source and t.predicate.value == CG + "archivedText"}
        self.source_triples = [t for t in in_graph if t.subject.value in own]
        self._by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        for triple in in_graph:
            if triple.subject.value not in own:
                self._by_subject[triple.subject.value].append(triple)
        for triple in self.source_triples:
            self._by_subject.setdefault(triple.subject.value, []).append(triple)
        self._source = own
        self._read: set[ox.Triple] = set()

    def subjects(self, of_type: str) -> list[str]:
        """The subjects typed ``of_type``, sorted."""
        return sorted(s for s, found in self._by_subject.items() if any(t.predicate.value == TYPE and t.object.value == of_type for t in found))

    def objects(self, subject: str, predicate: str, *, consume: bool = True) -> list[ox.NamedNode | ox.Literal]:
        """The objects of ``subject predicate``, sorted by value (marked read unless ``consume`` is false)."""
        found = [t for t in self._by_subject.get(subject, ()) if t.predicate.value == predicate]
        if consume:
            self._read.update(found)
        return sorted((t.object for t in found), key=lambda term: term.value)

    def one_of(self, subject: str, predicate: str, *, consume: bool = True) -> ox.NamedNode | ox.Literal | None:
        """The object of ``subject predicate`` when there is exactly one; ``None`` when there is none. Several are left
        unread but the first, so that the others are reported as what the form cannot say."""
        found = [t for t in self._by_subject.get(subject, ()) if t.predicate.value == predicate]
        if not found:
            return None
        found.sort(key=lambda t: t.object.value)
        if consume:
            self._read.add(found[0])
        return found[0].object

    def expect(self, subject: str, predicate: str, value: ox.NamedNode | ox.Literal) -> None:
        """Mark ``subject predicate value`` read if the graph has it: the compiler writes it by rule. If the graph
        lacks it, the compiled graph would have one triple more, which the round trip test shows."""
        self._read.add(ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), value))

    def unread(self) -> list[ox.Triple]:
        return sorted(
            (t for s, found in self._by_subject.items() if s not in self._source for t in found if t not in self._read), key=str
        )


class _Writer:
    """The YAML mappings of one source's claims and figures."""

    def __init__(self, graph: _Graph, curated: Curated, iri_base: str, slug: str, source: str, language: str) -> None:
        self.graph, self.iri_base, self.slug, self.source, self.language = graph, iri_base, slug, source, language
        self.text = _archived_text(graph, curated, source)
        self.claim_base = f"{iri_base}id/claim/{slug}/"
        self.figure_base = f"{iri_base}id/figure/{slug}/"
        self.evidence_base = f"{iri_base}id/evidence/{slug}/"
        self._offsets: dict[int, int] = {}
        self.cited: list[str] = []

    def ref(self, term: ox.NamedNode | ox.Literal) -> str:
        """An entity reference: ``kind/slug`` for an IRI below ``<iri_base>id/<kind>/``, else the full IRI."""
        if isinstance(term, ox.NamedNode) and term.value.startswith(self.iri_base + "id/") and entities.kind_of(term.value):
            return term.value.removeprefix(self.iri_base + "id/")
        return term.value

    def local(self, term: ox.NamedNode, base: str, what: str) -> str:
        if not term.value.startswith(base):
            raise DataError(f"export-yaml: {what} <{term.value}> is not below <{base}>, so the YAML form cannot name it")
        return term.value.removeprefix(base)

    def text_of(self, subject: str, predicate: str) -> str | None:
        """A text in the source's language (or a plain string): the YAML form gives no language per text."""
        literal = self.graph.one_of(subject, predicate)
        if literal is None:
            return None
        if literal.language != self.language:
            raise DataError(
                f"export-yaml: <{subject}> <{predicate}> {literal}: the YAML form writes texts in the source's language {self.language!r} only"
            )
        return literal.value

    def claims(self) -> list[dict]:
        """The claims in the order of their first words in the text, as a reader meets them."""
        found = [self.claim(iri) for iri in self.graph.subjects(CG + "Claim")]
        self.cited = [figure for claim in sorted(found, key=self._first_words) for figure in claim.get("figures", ())]
        return sorted(found, key=self._first_words)

    def _first_words(self, claim: dict) -> tuple[int, str]:
        return min((self._offsets[id(quote)] for quote in claim.get("quotes", ())), default=len(self.text)), claim["id"]

    def claim(self, iri: str) -> dict:
        g, source = self.graph, ox.NamedNode(self.source)
        g.expect(iri, TYPE, ox.NamedNode(CG + "Claim"))
        for predicate in (SCHEMA + "appearance", PROV + "wasDerivedFrom"):
            g.expect(iri, predicate, source)
        voice = _VOICES.get(_value(g.one_of(iri, CG + "attribution")))
        if voice == "quoted":
            g.expect(iri, PROV + "wasQuotedFrom", source)
        speaker = g.one_of(iri, SCHEMA + "author")
        found = {
            "id": self.local(ox.NamedNode(iri), self.claim_base, "claim"),
            "text": self.text_of(iri, SCHEMA + "text"),
            "kind": _Flow(self.local(kind, self.iri_base + "kind/", "kind") for kind in g.objects(iri, CG + "kind")),
            "voice": voice,
            "modality": _MODALITIES.get(_value(g.one_of(iri, CG + "modality"))),
            "hedge": _value(g.one_of(iri, CG + "modalityExpression")),
            "speaker": self.ref(speaker) if speaker is not None else None,
            "about": _Flow(self.ref(term) for term in g.objects(iri, SCHEMA + "about")),
            "cause": _Flow(self.ref(term) for term in g.objects(iri, CG + "cause")),
            "effect": _Flow(self.ref(term) for term in g.objects(iri, CG + "effect")),
            "when": self.when(iri, SCHEMA + "temporalCoverage"),
            "note": self.text_of(iri, CG + "curatorNote"),
            "figures": _Flow(self.local(figure, self.figure_base, "figure") for figure in g.objects(iri, CG + "figure")),
            "quotes": [self.quote(evidence.value, speaker) for evidence in self._by_offset(g.objects(iri, CG + "evidence"))],
        }
        return _kept(found)

    def when(self, iri: str, predicate: str) -> dict | None:
        """A claim's time: date (written as precise as its precision), basis, words."""
        found = _kept({"date": self.date(iri, predicate), "basis": _BASES.get(_value(self.graph.one_of(iri, CG + "timeBasis"))),
                       "words": _value(self.graph.one_of(iri, CG + "timeExpression"))})
        return found or None

    def date(self, iri: str, predicate: str) -> str | None:
        """An ``xsd:date`` as its ``cg:datePrecision`` reads it: ``2017-09-27``, ``2016-03``, ``2016``, ``1990s``."""
        literal = self.graph.one_of(iri, predicate)
        if literal is None:
            return None
        precision = _DATE_PRECISIONS.get(_value(self.graph.one_of(iri, CG + "datePrecision")))
        day = literal.value
        expected = {"year": day[:4] + "-01-01", "month": day[:7] + "-01", "decade": day[:3] + "0-01-01", "day": day}.get(precision)
        if literal.datatype.value != XSD + "date" or expected != day:
            raise DataError(f"export-yaml: <{iri}> date {literal} with precision {precision}: the YAML form writes only the first day of a month, year or decade")
        return {"year": day[:4], "month": day[:7], "decade": day[:3] + "0s", "day": day}[precision]

    def _by_offset(self, evidence: list[ox.NamedNode]) -> list[ox.NamedNode]:
        return sorted(evidence, key=lambda term: tuple(int(n) for n in self.local(term, self.evidence_base, "evidence").split("-")))

    def quote(self, evidence: str, speaker: ox.NamedNode | None) -> dict:
        """One quote: the words, which occurrence when they occur more than once, quotation and quoted speaker."""
        g = self.graph
        quote, position = evidence + "-quote", evidence + "-position"
        words = _value(g.one_of(quote, OA + "exact"))
        start, end = int(_value(g.one_of(position, OA + "start"))), int(_value(g.one_of(position, OA + "end")))
        if words is None or self.text[start:end] != words or evidence != f"{self.evidence_base}{start}-{end}":
            raise DataError(f"export-yaml: evidence <{evidence}>: its words {words!r} are not the archived text at [{start}, {end})")
        g.expect(evidence, TYPE, ox.NamedNode(CG + "Evidence"))
        g.expect(evidence, OA + "hasSource", ox.NamedNode(self.source))
        for selector, kind in ((quote, "TextQuoteSelector"), (position, "TextPositionSelector")):
            g.expect(evidence, OA + "hasSelector", ox.NamedNode(selector))
            g.expect(selector, TYPE, ox.NamedNode(OA + kind))
        selected = anchor.span(self.text, start, end)
        g.expect(quote, OA + "prefix", ox.Literal(selected.prefix))
        g.expect(quote, OA + "suffix", ox.Literal(selected.suffix))
        found: dict = {"words": words}
        occurrences = anchor.occurrences(self.text, words)
        if len(occurrences) > 1:
            found["occurrence"] = occurrences.index(start) + 1
        if ox.NamedNode(SCHEMA + "Quotation") in g.objects(evidence, TYPE, consume=False):
            g.expect(evidence, TYPE, ox.NamedNode(SCHEMA + "Quotation"))
            found["quotation"] = True
            creator = g.one_of(evidence, SCHEMA + "creator")
            if creator is not None and creator != speaker:
                found["quoted"] = self.ref(creator)
        found["note"] = self.text_of(evidence, CG + "curatorNote")
        kept = _kept(found)
        self._offsets[id(kept)] = start
        return kept

    def entity(self, iri: str, quads: list[ox.Quad]) -> dict:
        """An ``entities:`` entry for an entity the claims file created."""
        kind = entities.kind_of(iri)
        triples = {(quad.predicate.value, quad.object) for quad in quads}
        named = SKOS + "prefLabel" if kind == "measure" else SCHEMA + "name"
        [name] = [term for predicate, term in triples if predicate == named]
        [kind_class] = [term.value for predicate, term in triples if predicate == TYPE]
        where = SCHEMA + ("containedInPlace" if kind == "place" else "location")
        found = {
            kind: name.value,
            "id": iri.rpartition("/")[2] if iri.rpartition("/")[2] != entities.slug(name.value) else None,
            "type": None if kind_class == DEFAULT_CLASS[kind] else kind_class.replace(SCHEMA, "").replace(CG, "cg:"),
            "in": _Flow(sorted(self.ref(term) for predicate, term in triples if predicate == where)),
            "agent": _Flow(sorted(self.ref(term) for predicate, term in triples if predicate == SCHEMA + "agent")),
            "sameAs": _Flow(sorted(term.value for predicate, term in triples if predicate == SCHEMA + "sameAs")),
            "note": next((term.value for predicate, term in triples if predicate == CG + "curatorNote"), None),
            "definition": next((term.value for predicate, term in triples if predicate == SKOS + "definition"), None),
        }
        return _kept(found)

    def review(self, iri: str, quads: list[ox.Quad], curated: Curated) -> dict:
        """A ``reviews:`` item for a review of one of the source's claims."""
        about = defaultdict(dict)
        for quad in quads:
            about[quad.subject.value].setdefault(quad.predicate.value, quad.object)
        review, rating = about[iri], about[iri + "-rating"]
        reviewer = review[SCHEMA + "author"].value
        described = [quad for quad in curated.quads if quad.subject.value == reviewer]

        def of_reviewer(predicate: str) -> list[str]:
            return sorted(quad.object.value for quad in described if quad.predicate.value == predicate)

        found = {
            "claim": self.local(review[SCHEMA + "itemReviewed"], self.claim_base, "claim"),
            "reviewer": _Inline({"name": of_reviewer(SCHEMA + "name")[0], "url": next(iter(of_reviewer(SCHEMA + "url")), None),
                               "sameAs": _Flow(of_reviewer(SCHEMA + "sameAs"))}),
            "rating": _Inline({"label": _value(rating.get(SCHEMA + "alternateName")), "value": _number(rating.get(SCHEMA + "ratingValue")),
                             "best": _number(rating.get(SCHEMA + "bestRating")), "worst": _number(rating.get(SCHEMA + "worstRating"))}),
            "explanation": _value(review.get(SCHEMA + "reviewBody")),
            "url": review[SCHEMA + "url"].value,
            "date": _value(review.get(SCHEMA + "datePublished")),
            "language": _value(review.get(SCHEMA + "inLanguage")),
            "title": _value(review.get(SCHEMA + "headline")),
        }
        return _kept(found)

    def figures(self) -> list[dict]:
        """The figures in the order the claims cite them, then any no claim cites."""
        order = {name: number for number, name in reversed(list(enumerate(self.cited)))}
        found = [self.figure(iri) for iri in self.graph.subjects(CG + "Figure")]
        return sorted(found, key=lambda figure: (order.get(figure["id"], len(order)), figure["id"]))

    def figure(self, iri: str) -> dict:
        g = self.graph
        g.expect(iri, TYPE, ox.NamedNode(CG + "Figure"))
        numerator, denominator = g.one_of(iri, CG + "numerator"), g.one_of(iri, CG + "denominator")
        changed = g.one_of(iri, CG + "changedFrom")
        relative = g.one_of(iri, CG + "relativeTo")
        about = g.one_of(iri, SCHEMA + "observationAbout")
        measure = g.one_of(iri, SCHEMA + "variableMeasured")
        unit = g.one_of(iri, SCHEMA + "unitCode")
        found = {
            "id": self.local(ox.NamedNode(iri), self.figure_base, "figure"),
            "value": _number(g.one_of(iri, SCHEMA + "value")),
            "min": _number(g.one_of(iri, SCHEMA + "minValue")),
            "max": _number(g.one_of(iri, SCHEMA + "maxValue")),
            "below": _number(g.one_of(iri, CG + "maxExclusive")),
            "ratio": f"{numerator.value}/{denominator.value}" if numerator is not None and denominator is not None else None,
            "unit": self.local(unit, self.iri_base + "unit/", "unit") if unit is not None else None,
            "measure": self.ref(measure) if measure is not None else None,
            "about": self.ref(about) if about is not None else None,
            "relative-to": self.ref(relative) if relative is not None else None,
            "stated-as": _value(g.one_of(iri, CG + "statedAs")),
            "precision": _PRECISIONS.get(_value(g.one_of(iri, CG + "precision"))),
            "date": self.date(iri, SCHEMA + "observationDate"),
            "period": _value(g.one_of(iri, SCHEMA + "observationPeriod")),
            "basis": _BASES.get(_value(g.one_of(iri, CG + "timeBasis"))),
            "words": _value(g.one_of(iri, CG + "timeExpression")),
            "changed-from": self.local(changed, self.figure_base, "figure") if changed is not None else None,
            "note": self.text_of(iri, CG + "curatorNote"),
        }
        return _kept(found)


@dataclasses.dataclass(frozen=True)
class _Own:
    """What a source's claims file holds outside the source's graph: entities it created, reviews of its claims
    (each review with its rating), by IRI in the order of their IRIs."""

    entities: dict[str, list[ox.Quad]]
    reviews: dict[str, list[ox.Quad]]


def _own_quads(curated: Curated, slug: str, iri_base: str) -> _Own:
    path = curated.data_dir / "claims" / f"{slug}.trig"
    if not path.is_file():
        return _Own({}, {})
    try:
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
    except SyntaxError as error:
        raise DataError(f"export-yaml: {path}:{error.lineno}: {error.msg}") from error
    entity_quads, review_quads = defaultdict(list), defaultdict(list)
    for quad in quads:
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if graph == f"{iri_base}graph/entities" and entities.kind_of(quad.subject.value):
            entity_quads[quad.subject.value].append(quad)
        elif graph.startswith(iri_base + reviews_.REVIEWS_GRAPH):
            review_quads[quad.subject.value.removesuffix("-rating")].append(quad)
    reviews = {
        iri: found for iri, found in review_quads.items()
        if any(quad.predicate.value == TYPE and quad.object.value == SCHEMA + "ClaimReview" for quad in found)
    }
    return _Own(dict(sorted(entity_quads.items())), dict(sorted(reviews.items())))


def _archived_text(graph: _Graph, curated: Curated, source: str) -> str:
    archived = graph.one_of(source, CG + "archivedText", consume=False)
    path = graph.one_of(archived.value, CG + "localPath", consume=False) if archived is not None else None
    digest = graph.one_of(archived.value, SCHEMA + "sha256", consume=False) if archived is not None else None
    if path is None:
        raise DataError(f"export-yaml: <{source}> has no archived text with a cg:localPath")
    found = sources.archived_text(curated.data_dir, path.value, digest.value if digest is not None else None)
    if not found.verified:
        raise DataError(f"export-yaml: <{source}>: {found.problem}")
    return found.text


def _value(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return term.value if term is not None else None


def _number(literal: ox.Literal | None) -> int | float | None:
    """An ``xsd:integer`` as an int, an ``xsd:decimal`` as a float whose text is the literal's."""
    if literal is None:
        return None
    if literal.datatype.value == XSD + "integer":
        return int(literal.value)
    number = float(literal.value)
    if literal.datatype.value != XSD + "decimal" or repr(number) != literal.value:
        raise DataError(f"export-yaml: the number {literal} cannot be written in YAML as it is")
    return number


def _kept(mapping: dict) -> dict:
    """``mapping`` without the keys whose value is ``None`` or empty."""
    return {name: value for name, value in mapping.items() if value is not None and value != [] and value != ""}


class _Flow(list):
    """A list written on one line (``[a, b]``) when short."""


class _Inline(dict):
    """A mapping written on one line (``{name: …, url: …}``) when short; its empty values left out."""

    def __init__(self, mapping: dict) -> None:
        super().__init__(_kept(mapping))


class _Dumper(yaml.SafeDumper):
    """Block layout, short lists on one line, long texts as block scalars."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = ("|" if "\n" in text else ">") if len(text) > LONG else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_flow(dumper: yaml.SafeDumper, items: _Flow) -> yaml.SequenceNode:
    short = len(", ".join(map(str, items))) <= SHORT
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(items), flow_style=short)


def _represent_inline(dumper: yaml.SafeDumper, mapping: _Inline) -> yaml.MappingNode:
    short = len(", ".join(f"{key}: {value}" for key, value in mapping.items())) <= SHORT
    return dumper.represent_mapping("tag:yaml.org,2002:map", dict(mapping), flow_style=short)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(_Inline, _represent_inline)
_Dumper.add_representer(_Flow, _represent_flow)
