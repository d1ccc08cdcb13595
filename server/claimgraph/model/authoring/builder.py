"""One claims file's claims, figures and quotes turned into quads, every fault of it collected with its line.

The words of the YAML form are documented in ``docs/authoring.md``; the tables of terms are in
:mod:`claimgraph.model.authoring.terms`.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

import pyoxigraph as ox

from claimgraph.model.authoring import anchor, terms
from claimgraph.model.authoring.references import RDF_TYPE, References, Report, as_list
from claimgraph.model.authoring.yamlfile import Mapping, Sequence
from claimgraph.rdf.vocabulary import CG, OA, SCHEMA

PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"

CLAIM_KEYS = {"id", "text", "kind", "voice", "modality", "hedge", "speaker", "about", "cause", "effect", "when", "note", "figures", "quotes"}
QUOTE_KEYS = {"words", "occurrence", "after", "before", "quotation", "quoted", "note"}
FIGURE_KEYS = {
    "id", "value", "min", "max", "below", "ratio", "unit", "measure", "about", "relative-to", "stated-as", "precision",
    "date", "period", "basis", "words", "changed-from", "note",
}  # fmt: skip
WHEN_KEYS = {"date", "basis", "words"}
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|(\d{3}0)s")


@dataclasses.dataclass
class Context:
    """What the quads of a file are built from: its source, the text its quotes are found in, the terms allowed."""

    slug: str
    iri_base: str
    language: str
    source: str
    text: str
    kinds: set[str]
    units: set[str]
    references: References
    report: Report

    @property
    def graph(self) -> ox.NamedNode:
        return ox.NamedNode(f"{self.iri_base}graph/{self.slug}")

    def iri(self, folder: str, local: str) -> ox.NamedNode:
        return ox.NamedNode(f"{self.iri_base}id/{folder}/{self.slug}/{local}")


class Builder:
    """Collects the quads of a file's claims graph; :attr:`places` says where in the file each IRI was described."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._claims: list[ox.Quad] = []
        self._figures: list[ox.Quad] = []
        self._evidence: dict[tuple[int, int], dict[ox.Quad, None]] = {}
        self.places: dict[str, str] = {}
        self.figure_ids: dict[str, int] = {}
        self.claim_ids: dict[str, str] = {}

    @property
    def quads(self) -> list[ox.Quad]:
        """Claims in the order of the file, then figures, then evidence by offsets."""
        evidence = [quad for key in sorted(self._evidence) for quad in self._evidence[key]]
        return self._claims + self._figures + evidence

    def known_figures(self, figures: object) -> None:
        """Note the ids of the file's figures first, so that claims and figures may name them in any order."""
        for number, figure in enumerate(figures if isinstance(figures, Sequence) else [], 1):
            if isinstance(figure, Mapping) and isinstance(figure.get("id"), str):
                if figure["id"] in self.figure_ids:
                    self.context.report(f"{figure.line_of('id')}: figure {figure['id']}: a second figure with this id (first on line {self.figure_ids[figure['id']]})")
                self.figure_ids.setdefault(figure["id"], figure.line_of("id"))

    def claim(self, claim: object, line: int, number: int) -> None:
        """Add the quads of one item of ``claims:`` (its evidence too)."""
        ident = claim.get("id") if isinstance(claim, Mapping) else None
        if not self._check_keys(claim, CLAIM_KEYS, f"{line}: claim {ident if isinstance(ident, str) else number}"):
            return
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            self.context.report(f"{claim.line_of('id')}: claim {number}: id must be lower-case letters, digits and '-', not {ident!r}")
            return
        where = f"{claim.line}: claim {ident}"
        if ident in self.claim_ids:
            self.context.report(f"{claim.line_of('id')}: claim {ident}: a second claim with this id (first at line {self.claim_ids[ident]})")
            return
        self.claim_ids[ident] = str(claim.line)
        subject = self.context.iri("claim", ident)
        self.places[subject.value] = where
        add = self._adder(self._claims, subject)
        at = lambda key: f"{claim.line_of(key)}: claim {ident}"  # noqa: E731 - where a key of this claim is
        add(RDF_TYPE, ox.NamedNode(CG + "Claim"))
        text = claim.get("text")
        if isinstance(text, str) and text.strip():
            add(SCHEMA + "text", ox.Literal(text, language=self.context.language))
        else:
            self.context.report(f"{at('text')}: text must be the claim restated as a sentence")
        kinds = as_list(claim.get("kind"))
        if not kinds:
            self.context.report(f"{at('kind')}: kind is missing: one or more of {', '.join(sorted(self.context.kinds))}")
        for kind in kinds:
            if kind in self.context.kinds:
                add(CG + "kind", ox.NamedNode(f"{self.context.iri_base}kind/{kind}"))
            else:
                self.context.report(f"{at('kind')}: unknown kind {kind!r}: one of {', '.join(sorted(self.context.kinds))}")
        voice = self._word(claim, "voice", terms.VOICES, at, required=True)
        if voice:
            add(CG + "attribution", ox.NamedNode(voice))
        modality = self._word(claim, "modality", terms.MODALITIES, at, required=True)
        if modality:
            add(CG + "modality", ox.NamedNode(modality))
        if modality == terms.MODALITIES["hedged"] and not isinstance(claim.get("hedge"), str):
            self.context.report(f"{at('modality')}: a hedged claim needs hedge: the source's hedging words (e.g. indicates)")
        if claim.get("hedge") is not None:
            add(CG + "modalityExpression", ox.Literal(str(claim["hedge"])))
        speaker = claim.get("speaker")
        if speaker is None and voice and voice != terms.VOICES["unattributed"]:
            self.context.report(f"{at('voice')}: a {claim['voice']} claim needs a speaker")
        speaker_iri = self.context.references.resolve(speaker, at("speaker") + ", speaker", self.context.report) if speaker is not None else None
        if speaker_iri:
            add(SCHEMA + "author", ox.NamedNode(speaker_iri))
        if not as_list(claim.get("about")):
            self.context.report(f"{at('about')}: about is missing: what the claim is about (entity references)")
        for key, predicate in (("about", SCHEMA + "about"), ("cause", CG + "cause"), ("effect", CG + "effect")):
            for count, value in enumerate(as_list(claim.get(key)), 1):
                target = self.context.references.resolve(value, f"{at(key)}, {key} {count}", self.context.report)
                if target:
                    add(predicate, ox.NamedNode(target))
        self._when(claim.get("when"), add, at("when"), SCHEMA + "temporalCoverage")
        for figure in as_list(claim.get("figures")):
            if figure in self.figure_ids:
                add(CG + "figure", self.context.iri("figure", str(figure)))
            else:
                self.context.report(f"{at('figures')}: figure {figure!r} is not among the file's figures")
        self._note(claim, add)
        source = ox.NamedNode(self.context.source)
        add(SCHEMA + "appearance", source)
        add(PROV + "wasDerivedFrom", source)
        if voice == terms.VOICES["quoted"]:
            add(PROV + "wasQuotedFrom", source)
        quotes = claim.get("quotes")
        if not isinstance(quotes, Sequence) or not quotes:
            self.context.report(f"{at('quotes')}: quotes is missing: at least one passage of the source's words")
            return
        for count, quote in enumerate(quotes, 1):
            evidence = self._quote(quote, f"{quotes.lines[count - 1]}: claim {ident}, quote {count}", speaker_iri)
            if evidence is not None:
                add(CG + "evidence", evidence)

    def figure(self, figure: object, line: int, number: int) -> None:
        """Add the quads of one item of ``figures:``."""
        ident = figure.get("id") if isinstance(figure, Mapping) else None
        if not self._check_keys(figure, FIGURE_KEYS, f"{line}: figure {ident if isinstance(ident, str) else number}"):
            return
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            self.context.report(f"{figure.line_of('id')}: figure {number}: id must be lower-case letters, digits and '-', not {ident!r}")
            return
        subject = self.context.iri("figure", ident)
        self.places[subject.value] = f"{figure.line}: figure {ident}"
        add = self._adder(self._figures, subject)
        at = lambda key: f"{figure.line_of(key)}: figure {ident}"  # noqa: E731 - where a key of this figure is
        add(RDF_TYPE, ox.NamedNode(CG + "Figure"))
        for key, predicate in (("value", SCHEMA + "value"), ("min", SCHEMA + "minValue"), ("max", SCHEMA + "maxValue"), ("below", CG + "maxExclusive")):
            if key in figure:
                number_term = _number(figure[key])
                if number_term is None:
                    self.context.report(f"{at(key)}: {key} must be a number, not {figure[key]!r}")
                else:
                    add(predicate, number_term)
        if "ratio" in figure:
            ratio = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(figure["ratio"]))
            if ratio:
                add(CG + "numerator", ox.Literal(ratio.group(1), datatype=ox.NamedNode(XSD + "integer")))
                add(CG + "denominator", ox.Literal(ratio.group(2), datatype=ox.NamedNode(XSD + "integer")))
            else:
                self.context.report(f"{at('ratio')}: ratio must be written numerator/denominator (1/2), not {figure['ratio']!r}")
        unit = figure.get("unit")
        if unit is None:
            self.context.report(f"{at('id')}: a figure needs a unit: one of {', '.join(sorted(self.context.units))}")
        elif unit in self.context.units:
            add(SCHEMA + "unitCode", ox.NamedNode(f"{self.context.iri_base}unit/{unit}"))
        else:
            self.context.report(f"{at('unit')}: unknown unit {unit!r}: one of {', '.join(sorted(self.context.units))}")
        precision = self._word(figure, "precision", terms.PRECISIONS, at, required=False)
        if precision:
            add(CG + "precision", ox.NamedNode(precision))
        if isinstance(figure.get("stated-as"), (str, int, Decimal)) and str(figure["stated-as"]).strip():
            add(CG + "statedAs", ox.Literal(str(figure["stated-as"])))
        else:
            self.context.report(f"{at('stated-as')}: stated-as must be the source's own words for the figure")
        for key, predicate in (("measure", SCHEMA + "variableMeasured"), ("about", SCHEMA + "observationAbout"), ("relative-to", CG + "relativeTo")):
            for value in as_list(figure.get(key)):
                target = self.context.references.resolve(value, f"{at(key)}, {key}", self.context.report)
                if target:
                    add(predicate, ox.NamedNode(target))
        self._when(figure, add, at("id"), SCHEMA + "observationDate", keys=FIGURE_KEYS)
        if figure.get("period") is not None:
            add(SCHEMA + "observationPeriod", ox.Literal(str(figure["period"])))
        changed = figure.get("changed-from")
        if changed is not None:
            if changed in self.figure_ids:
                add(CG + "changedFrom", self.context.iri("figure", str(changed)))
            else:
                self.context.report(f"{at('changed-from')}: figure {changed!r} is not among the file's figures")
        self._note(figure, add)

    def _quote(self, quote: object, where: str, speaker: str | None) -> ox.NamedNode | None:
        if isinstance(quote, str):
            quote = Mapping(words=quote)
            quote.line, quote.lines = int(where.split(":")[0]), {}
        if not self._check_keys(quote, QUOTE_KEYS, where):
            return None
        occurrence = quote.get("occurrence")
        if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool)):
            self.context.report(f"{where}: occurrence must be a whole number (1 for the first), not {occurrence!r}")
            return None
        words = quote.get("words")
        context = {key: quote.get(key) for key in ("after", "before")}
        if not isinstance(words, str) or any(value is not None and not isinstance(value, str) for value in context.values()):
            self.context.report(f"{where}: words (and after, before) must be texts")
            return None
        try:
            found = anchor.find(self.context.text, words, occurrence, **context)
        except anchor.NotFound as error:
            self.context.report(f"{where}: {error}")
            return None
        evidence = self.context.iri("evidence", f"{found.start}-{found.end}")
        self.places.setdefault(evidence.value, where)
        quads = self._evidence.setdefault((found.start, found.end), {})
        add = self._adder(quads, evidence)
        add(RDF_TYPE, ox.NamedNode(CG + "Evidence"))
        if quote.get("quotation"):
            add(RDF_TYPE, ox.NamedNode(SCHEMA + "Quotation"))
        add(OA + "hasSource", ox.NamedNode(self.context.source))
        if quote.get("quotation"):
            creator = self.context.references.resolve(quote["quoted"], f"{where}, quoted", self.context.report) if "quoted" in quote else speaker
            if creator:
                add(SCHEMA + "creator", ox.NamedNode(creator))
        selector, position = ox.NamedNode(evidence.value + "-quote"), ox.NamedNode(evidence.value + "-position")
        add(OA + "hasSelector", selector)
        add(OA + "hasSelector", position)
        self._note(quote, add)
        add = self._adder(quads, selector)
        add(RDF_TYPE, ox.NamedNode(OA + "TextQuoteSelector"))
        add(OA + "exact", ox.Literal(found.exact))
        for predicate, value in ((OA + "prefix", found.prefix), (OA + "suffix", found.suffix)):
            if value:
                add(predicate, ox.Literal(value))
        add = self._adder(quads, position)
        add(RDF_TYPE, ox.NamedNode(OA + "TextPositionSelector"))
        add(OA + "start", ox.Literal(str(found.start), datatype=ox.NamedNode(XSD + "integer")))
        add(OA + "end", ox.Literal(str(found.end), datatype=ox.NamedNode(XSD + "integer")))
        return evidence

    def _when(self, when: object, add, where: str, date_predicate: str, keys: set[str] = WHEN_KEYS) -> None:
        """A date (with the precision its form gives), its basis and the source's words for it."""
        if when is None:
            return
        if keys is WHEN_KEYS and not self._check_keys(when, WHEN_KEYS, f"{where}, when"):
            return
        if when.get("date") is not None:
            parsed = _date(when["date"])
            if parsed is None:
                self.context.report(f"{where}: date {when['date']!r} is not a date (2017-09-27), month (2017-09), year (2017) or decade (1990s)")
            else:
                add(date_predicate, ox.Literal(parsed[0], datatype=ox.NamedNode(XSD + "date")))
                add(CG + "datePrecision", ox.NamedNode(terms.DATE_PRECISIONS[parsed[1]]))
        if when.get("words") is not None:
            add(CG + "timeExpression", ox.Literal(str(when["words"])))
        basis = self._word(when, "basis", terms.TIME_BASES, lambda key: where, required=False)
        if basis:
            add(CG + "timeBasis", ox.NamedNode(basis))

    def _note(self, item: Mapping, add) -> None:
        if item.get("note") is not None:
            add(CG + "curatorNote", ox.Literal(str(item["note"]), language=self.context.language))

    def _word(self, item: Mapping, key: str, table: dict[str, str], at, required: bool) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                self.context.report(f"{at(key)}: {key} is missing: one of {', '.join(table)}")
            return None
        if value not in table:
            self.context.report(f"{at(key)}: unknown {key} {value!r}: one of {', '.join(table)}")
            return None
        return table[value]

    def _check_keys(self, item: object, allowed: set[str], where: str) -> bool:
        """Whether ``item`` is a mapping, reporting if not; each key it has beyond ``allowed`` is reported too."""
        if not isinstance(item, Mapping):
            self.context.report(f"{where}: must be a mapping of keys ({', '.join(sorted(allowed))}), not {item!r}")
            return False
        for key in item:
            if key not in allowed:
                self.context.report(f"{item.line_of(key)}: {where.split(': ', 1)[-1]}: unknown key {key!r}: the keys are {', '.join(sorted(allowed))}")
        # The known keys are checked all the same, so that one misspelt key does not hide the other faults.
        return True

    def _adder(self, quads, subject: ox.NamedNode):
        graph = self.context.graph

        def add(predicate: str | ox.NamedNode, obj: ox.Term) -> None:
            predicate = predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(predicate)
            quad = ox.Quad(subject, predicate, obj, graph)
            if isinstance(quads, dict):
                quads[quad] = None
            elif quad not in quads:
                quads.append(quad)

        return add


def _number(value: object) -> ox.Literal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, Decimal):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))
    return None


def _date(value: object) -> tuple[str, str] | None:
    """The xsd:date and precision (day, month, year, decade) of a date as written: a date of the precision given
    is recorded as its first day."""
    found = _DATE.fullmatch(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if found is None:
        return None
    year, month, day, decade = found.groups()
    if decade:
        return f"{decade}-01-01", "decade"
    try:
        date = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return date.isoformat(), "day" if day else "month" if month else "year"
