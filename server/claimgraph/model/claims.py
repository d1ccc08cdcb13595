"""The claims as readers outside RDF take them: one CSV row per claim, and schema.org ``Claim`` items.

The store answers :data:`FACTS` (one row per fact about a claim); :func:`gather` groups those rows by claim, and
:func:`csv_rows` and :func:`schema_org` write what was gathered. Nothing here touches a store or a file.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from claimgraph.rdf import vocabulary

SCHEMA = "http://schema.org/"

#: What joins several values in one CSV cell (a claim with two kinds, three cities, two evidence spans).
SEPARATOR = " | "

#: The CSV columns, in order. ``quote``, ``start`` and ``end`` list the claim's evidence spans in the same order
#: (by start offset), as ``speaker`` and ``speaker_iri`` list its speakers and ``source_url`` and
#: ``date_published`` its sources.
COLUMNS = (
    "claim", "text", "kind", "voice", "speaker", "speaker_iri", "city", "policy", "outcome",
    "quote", "start", "end", "source_url", "date_published",
)

#: One row per fact about a claim: ``?claim`` and the variables of one kind of fact. Cities are found by
#: :func:`claimgraph.rdf.vocabulary.cities_of`, as ``queries/claims-about-city.rq`` finds them.
FACTS = """
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?claim ?text ?kind ?kindLabel ?voice ?voiceLabel ?speaker ?speakerName ?speakerType ?city ?cityName
       ?policy ?policyName ?outcome ?outcomeName ?evidence ?quote ?start ?end
       ?source ?url ?date ?headline ?sourceType ?kindRank ?voiceRank ?speakerRank ?cityRank ?policyRank ?outcomeRank
WHERE {
  ?claim a cg:Claim .
  { ?claim schema:text ?text }
  UNION { ?claim cg:kind ?kind OPTIONAL LABELS(?kind ?kindLabel) }
  UNION { ?claim cg:attribution ?voice OPTIONAL LABELS(?voice ?voiceLabel) }
  UNION { ?claim schema:author ?speaker
          OPTIONAL LABELS(?speaker ?speakerName)
          OPTIONAL { ?speaker a ?speakerType FILTER(STRSTARTS(STR(?speakerType), STR(schema:))) } }
  UNION { CITIES OPTIONAL LABELS(?city ?cityName) }
  UNION { ?claim schema:about ?policy . ?policy a cg:Policy OPTIONAL LABELS(?policy ?policyName) }
  UNION { ?claim schema:about ?outcome . ?outcome a cg:Outcome OPTIONAL LABELS(?outcome ?outcomeName) }
  UNION { ?claim cg:evidence ?evidence .
          OPTIONAL { ?evidence oa:hasSelector/oa:exact ?quote }
          OPTIONAL { ?evidence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end } }
  UNION { ?claim schema:appearance ?source
          OPTIONAL { ?source schema:url ?url }
          OPTIONAL { ?source schema:datePublished ?date }
          OPTIONAL { ?source schema:headline ?headline }
          OPTIONAL { ?source a ?sourceType FILTER(STRSTARTS(STR(?sourceType), STR(schema:))) } }
}
""".replace("CITIES", vocabulary.cities_of("?claim"))
# the candidate labels (vocabulary.label_candidates) of a linked thing ?x: LABELS(?x ?xLabel) binds ?xLabel, ?xRank.
FACTS = re.sub(r"LABELS\((\?\w+) (\?\w+)\)", lambda found: vocabulary.label_candidates(found[1], found[2], found[1] + "Rank"), FACTS)

#: How many claims there are (as ``?n``).
COUNT = "SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE { ?claim a <https://w3id.org/claimgraph/ontology#Claim> }"

#: The graphs of the sources, as the data keeps them: each named graph that holds claims or an archived source.
SOURCE_GRAPHS = """
PREFIX cg: <https://w3id.org/claimgraph/ontology#>
SELECT DISTINCT ?graph WHERE { GRAPH ?graph { { ?claim a cg:Claim } UNION { ?source cg:archivedText ?text } } } ORDER BY ?graph
"""

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclasses.dataclass
class Thing:
    """Something a claim links to, with what is said of it: its values per property, each set of lexical values."""

    key: str
    values: dict[str, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    #: its candidate labels: (rank, literal), as :func:`claimgraph.rdf.vocabulary.label_candidates` binds them.
    names: set[tuple[int, ox.Literal]] = dataclasses.field(default_factory=set)
    #: the (start, end) offsets of its position selectors, for an evidence span.
    positions: set[tuple[str, str]] = dataclasses.field(default_factory=set)

    def all(self, name: str) -> list[str]:
        return sorted(self.values.get(name, ()))

    def first(self, name: str) -> str:
        """The least value of ``name`` ("" for none): one value, the same on every export."""
        return min(self.values.get(name, ()), default="")

    @property
    def label(self) -> str | None:
        """Its one label (:func:`claimgraph.rdf.vocabulary.best_label`), ``None`` when it has none."""
        return vocabulary.best_label(self.names)

    @property
    def position(self) -> tuple[str, str]:
        """The offsets of its first position selector (by start, then end), ``("", "")`` for none."""
        return min(self.positions, key=lambda pair: (_offset(pair[0]), _offset(pair[1]), pair), default=("", ""))


@dataclasses.dataclass
class Claim:
    """One claim, gathered from the rows of :data:`FACTS`: its texts, and the things it links to per kind of link."""

    key: str
    texts: set[str] = dataclasses.field(default_factory=set)
    links: dict[str, dict[str, Thing]] = dataclasses.field(default_factory=lambda: defaultdict(dict))

    def things(self, link: str) -> list[Thing]:
        """The things of ``link`` (``kind``, ``speaker``, ``evidence``, ...), in a stable order: evidence spans by
        their start and end offsets, everything else by IRI."""
        found = list(self.links.get(link, {}).values())
        if link == "evidence":
            return sorted(found, key=lambda thing: (*map(_offset, thing.position), thing.key))
        return sorted(found, key=lambda thing: thing.key)


#: Per kind of link: the variable that holds the linked thing, its property variables by the name they take, and
#: the variable of its candidate labels (their ranks in ``?<variable>Rank``), if it has any.
_LINKS: dict[str, tuple[str, dict[str, str], str | None]] = {
    "kind": ("kind", {}, "kindLabel"),
    "voice": ("voice", {}, "voiceLabel"),
    "speaker": ("speaker", {"type": "speakerType"}, "speakerName"),
    "city": ("city", {}, "cityName"),
    "policy": ("policy", {}, "policyName"),
    "outcome": ("outcome", {}, "outcomeName"),
    "evidence": ("evidence", {"quote": "quote"}, None),
    "source": ("source", {"url": "url", "date": "date", "headline": "headline", "type": "sourceType"}, None),
}


def key(term: Term) -> str:
    """A term as a CSV cell or JSON-LD ``@id`` shows it: an IRI as itself, a blank node as ``_:name``."""
    return str(term) if isinstance(term, ox.BlankNode) else term.value


def _offset(value: str) -> int:
    return int(value) if value.lstrip("-").isdigit() else -1


def gather(rows: Iterable[Mapping[str, Term]]) -> list[Claim]:
    """The claims that the rows of :data:`FACTS` tell of, ordered by IRI."""
    claims: dict[str, Claim] = {}
    for row in rows:
        claim = claims.setdefault(key(row["claim"]), Claim(key(row["claim"])))
        if "text" in row:
            claim.texts.add(row["text"].value)
        for link, (variable, properties, label) in _LINKS.items():
            if variable not in row:
                continue
            thing = claim.links[link].setdefault(key(row[variable]), Thing(key(row[variable])))
            for name, property_variable in properties.items():
                if property_variable in row:
                    thing.values[name].add(key(row[property_variable]))
            if label in row:
                thing.names.add((int(row[variable + "Rank"].value), row[label]))
            if "start" in row and "end" in row and link == "evidence":
                thing.positions.add((row["start"].value, row["end"].value))
    return [claims[name] for name in sorted(claims)]


def _labels(things: list[Thing]) -> list[str]:
    """Each thing's label, or its IRI when it has none."""
    return [thing.label or thing.key for thing in things]


def csv_rows(claims: Iterable[Claim]) -> list[dict[str, str]]:
    """One row per claim, keyed by :data:`COLUMNS`; several values in a cell are joined with :data:`SEPARATOR`.

    Kinds, voices, cities, policies and outcomes are given by their labels (:func:`vocabulary.best_label`; their
    IRI when they have none), speakers by theirs beside their IRIs ("" for a speaker without one); the evidence
    columns, the speaker columns and the source columns each list their values in the same order, one per thing, so
    that the n-th name goes with the n-th IRI and the n-th quote with the n-th offsets. An evidence span with several
    quote selectors is given by the least of their texts (in code point order), one with several position selectors
    by the first of them (:attr:`Thing.position`).
    """
    rows = []
    for claim in claims:
        speakers, spans, sources = claim.things("speaker"), claim.things("evidence"), claim.things("source")
        rows.append({
            "claim": claim.key,
            "text": SEPARATOR.join(sorted(claim.texts)),
            "kind": SEPARATOR.join(_labels(claim.things("kind"))),
            "voice": SEPARATOR.join(_labels(claim.things("voice"))),
            "speaker": SEPARATOR.join(thing.label or "" for thing in speakers),
            "speaker_iri": SEPARATOR.join(thing.key for thing in speakers),
            "city": SEPARATOR.join(sorted(_labels(claim.things("city")))),
            "policy": SEPARATOR.join(sorted(_labels(claim.things("policy")))),
            "outcome": SEPARATOR.join(sorted(_labels(claim.things("outcome")))),
            "quote": SEPARATOR.join(thing.first("quote") for thing in spans),
            "start": SEPARATOR.join(thing.position[0] for thing in spans),
            "end": SEPARATOR.join(thing.position[1] for thing in spans),
            "source_url": SEPARATOR.join(thing.first("url") for thing in sources),
            "date_published": SEPARATOR.join(thing.first("date") for thing in sources),
        })
    return rows


#: The ``@context`` of :func:`schema_org`'s document: the IRI that schema.org consumers (Google's Fact Check
#: tools among them) expect and recognise without fetching it.
SCHEMA_ORG_CONTEXT = "https://schema.org"


def single(values: list) -> object:
    """One value as itself, several as a list (JSON-LD reads both alike; consumers of schema.org expect the former)."""
    return values[0] if len(values) == 1 else values


def _types(thing: Thing) -> dict[str, object]:
    names = [iri.removeprefix(SCHEMA) for iri in thing.all("type")]
    return {"@type": single(names)} if names else {}


def _work(source: Thing) -> dict[str, object]:
    """A source as the schema.org ``CreativeWork`` a claim appears in."""
    work: dict[str, object] = {**_types(source), "@id": source.key}
    for name, values in (("url", source.all("url")), ("headline", source.all("headline")), ("datePublished", source.all("date"))):
        if values:
            work[name] = single(values)
    return work


def _first(sources: list[Thing]) -> Thing | None:
    """The source published first (those without a date last; ties by IRI)."""
    dated = sorted(sources, key=lambda source: (not source.all("date"), min(source.all("date"), default=""), source.key))
    return dated[0] if dated else None


def schema_org(claims: Iterable[Claim]) -> dict[str, object]:
    """The claims as a JSON-LD document of schema.org ``Claim`` items (https://schema.org/Claim), ready to be the
    ``itemReviewed`` of a ``ClaimReview``.

    Each item has the claim's IRI as ``@id``, its ``text``, its speakers as ``author`` (typed as the data types
    them: ``Person``, ``Organization``, ...), every source it appears in as ``appearance`` (the ``CreativeWork``
    with ``url``, ``headline``, ``datePublished``), the source published first as ``firstAppearance``, and that
    source's date as the claim's own ``datePublished`` (when it entered public discourse). Texts are plain
    strings: the language tags of the data are not kept, as schema.org consumers read strings.
    """
    items = []
    for claim in claims:
        item: dict[str, object] = {"@type": "Claim", "@id": claim.key}
        if claim.texts:
            item["text"] = single(sorted(claim.texts))
        authors = [{**_types(thing), "@id": thing.key, **({"name": thing.label} if thing.label is not None else {})}
                   for thing in claim.things("speaker")]
        if authors:
            item["author"] = single(authors)
        sources = claim.things("source")
        if sources:
            item["appearance"] = single([_work(source) for source in sources])
            first = _first(sources)
            item["firstAppearance"] = _work(first)
            if first.all("date"):
                item["datePublished"] = min(first.all("date"))
        items.append(item)
    return {"@context": SCHEMA_ORG_CONTEXT, "@graph": items}
