"""A seeded generator of a claims graph in claimgraph's own ontology, of any size, streamed as N-Quads.

    .venv/bin/python bench/generate.py --triples 1000000 --seed 1 -o var/bench/1000000/data.nq [--texts DIR]

What it writes is what the curated data holds, at scale: the ontology in its graph (``ontology/claimgraph.ttl``) and
the rating map (``data/rating-map.trig``) as they are; an entities graph of cities (in countries), persons (speakers
and reporters), news organisations, policies and outcomes located in cities, and measures; then one named graph per
source (``graph/<slug>``): the source (``schema:NewsArticle``) and its archived text, a synthetic article, and the
claims made in it, each with its evidence (``cg:Evidence``, a ``oa:TextPositionSelector`` with its offsets in code
points, end exclusive, and a ``oa:TextQuoteSelector`` with its exact words and 32 characters of prefix and suffix:
the quote is the article's text at those offsets), its kind, voice and modality, its speaker, what it is about (a
city, a policy or outcome there), cause and effect for causal claims, and a figure with unit, date and place for
statistical ones; the record of that graph in ``graph/meta`` (``dcterms:source``); and fact-checkers'
``schema:ClaimReview``s of some claims, with their ratings, in each reviewer's graph (``graph/reviews/<reviewer>``),
as ``docs/reviews.md`` describes an import.

Skewed like news: cities, speakers, publishers and the words of the articles are drawn from Zipf distributions, so
that a few cities and speakers have many claims and most have a few. The same seed and size give the same bytes
(``.gz`` output too: its header carries no time). Memory stays constant: one source is built at a time, and the
sidecar keeps bounded reservoir samples.

The sidecar (``<output>.json`` unless named) lists what a workload draws from: sample claims, sources, the cities
and speakers by rank (most frequent first), reviewers, measures, policies and words by frequency.
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import itertools
import json
import random
import sys
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/claimgraph/"
CG = "https://w3id.org/claimgraph/ontology#"
SCHEMA = "http://schema.org/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
TIME = "http://www.w3.org/2006/time#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")

#: The smallest size asked for: the ontology, the rating map and the entities alone take a few thousand triples.
MIN_TRIPLES = 5_000
#: Characters of text before and after a quote in its oa:TextQuoteSelector, as in the curated data.
CONTEXT = 32
#: How many of each kind the sidecar keeps (reservoir samples), so that it stays small at any size.
SAMPLE = 2_000

WORDS = (
    "housing police budget refugees schools taxes unemployment crime transport hospitals integration rents "
    "wages pensions energy climate flooding tourism parking cameras teachers nurses doctors students immigrants "
    "libraries parks bicycles traffic pollution recycling water electricity broadband startups factories harbour "
    "airport railway trams buses bridges tunnels museums festivals markets shops restaurants bakeries farmers "
    "fishermen subsidies loans debt deficit surplus investment poverty inequality childcare elderly youth sports "
    "stadiums swimming theatres cinemas churches mosques synagogues volunteers charities unions strikes protests "
    "elections councillors mayor governors ministers courts judges prisons burglary vandalism graffiti drugs "
    "alcohol smoking obesity vaccination ambulances firefighters earthquakes storms heatwaves drought wildfires "
    "landslides snow asylum language courses diplomas apprenticeships internships exports imports tariffs "
    "currency inflation mortgages landlords tenants evictions homelessness shelters kitchens meals "
    "playgrounds kindergartens universities research laboratories patents robots software hackers privacy"
).split()
VERBS = ("rose by", "fell by", "grew by", "dropped by", "reached", "stayed at", "doubled to", "was cut to")
HEDGES = ("probably", "may have", "is likely to have", "seems to have")
FILLER = (
    "The council did not comment.", "Officials declined to give details.", "The figures were published on Monday.",
    "Residents have mixed feelings.", "The debate continues.", "Critics disagree.", "Nobody expected this.",
)
KINDS = ("statistical", "comparative", "causal", "biographical", "historical", "event", "policy", "descriptive",
         "reputation", "opinion")
ATTRIBUTIONS = ("QuotedSpeech", "ReportedSpeech", "Narration", "Unattributed")
COUNTRIES = ("belgium", "france", "germany", "netherlands", "spain", "italy", "poland", "sweden", "austria",
             "portugal", "ireland", "denmark")
REVIEWERS = ("fact-watch", "verify-desk", "truth-o-meter", "check-point", "claim-lab", "sample-verify")
LABELS = ("True", "Mostly true", "Half true", "Misleading", "Mostly false", "False", "Unproven", "Satire")
UNITS = ("person", "percent", "family", "class")
SYLLABLES = ("ka", "lo", "mi", "ne", "ro", "sa", "ti", "va", "den", "berg", "ville", "ham", "stad", "mont", "dor",
             "lin", "ar", "es", "gen", "burg")


def iri(path: str) -> ox.NamedNode:
    """The node ``<BASE><path>``."""
    return ox.NamedNode(BASE + path)


def cg(name: str) -> ox.NamedNode:
    return ox.NamedNode(CG + name)


def schema(name: str) -> ox.NamedNode:
    return ox.NamedNode(SCHEMA + name)


def oa(name: str) -> ox.NamedNode:
    return ox.NamedNode(OA + name)


def prov(name: str) -> ox.NamedNode:
    return ox.NamedNode(PROV + name)


def en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def day(value: date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=XSD_DATE)


class Zipf:
    """Draws items of a sequence with probability proportional to 1 / rank ** ``exponent`` (the first most often)."""

    def __init__(self, items: Sequence, exponent: float) -> None:
        self.items = items
        self.cumulative = list(itertools.accumulate(1.0 / rank ** exponent for rank in range(1, len(items) + 1)))

    def draw(self, rng: random.Random):
        return self.items[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


class Reservoir:
    """A uniform sample of at most ``size`` items of a stream (Vitter's algorithm R), with its own seeded generator
    so that sampling never changes what is generated."""

    def __init__(self, size: int, seed: int) -> None:
        self.size, self.seen, self.items, self.rng = size, 0, [], random.Random(seed)

    def offer(self, item) -> None:
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(item)
        elif (slot := self.rng.randrange(self.seen)) < self.size:
            self.items[slot] = item


def name_of(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


class Generator:
    """The graph for ``triples`` (at least :data:`MIN_TRIPLES`) and ``seed``; :meth:`quads` streams it."""

    def __init__(self, triples: int, seed: int = 1, texts: Path | None = None) -> None:
        if triples < MIN_TRIPLES:
            raise ValueError(f"--triples must be at least {MIN_TRIPLES}, got {triples}")
        self.target, self.seed, self.texts = triples, seed, texts
        self.rng = random.Random(seed)
        self.count = 0
        rng = random.Random(seed * 7919 + 1)
        self.cities = [f"city-{i:05d}" for i in range(max(25, triples // 5_000))]
        self.city_names = {slug: f"{name_of(rng, 2)} {i}" if i >= 200 else name_of(rng, 3) for i, slug in enumerate(self.cities)}
        self.persons = [f"person-{i:06d}" for i in range(max(40, triples // 1_500))]
        self.reporters = self.persons[: max(10, len(self.persons) // 20)]
        self.speakers = self.persons[len(self.reporters):]
        self.publishers = [f"news-{i:04d}" for i in range(max(8, triples // 200_000))]
        self.policies = [f"policy-{i:05d}" for i in range(max(15, triples // 8_000))]
        self.outcomes = [f"outcome-{i:05d}" for i in range(max(15, triples // 8_000))]
        self.measures = [f"measure-{i:03d}" for i in range(30)]
        self.city_zipf = Zipf(self.cities, 1.0)
        self.speaker_zipf = Zipf(self.speakers, 1.1)
        self.reporter_zipf = Zipf(self.reporters, 0.8)
        self.publisher_zipf = Zipf(self.publishers, 1.0)
        self.word_zipf = Zipf(WORDS, 1.0)
        self.located = {slug: self.city_zipf.draw(rng) for slug in self.policies + self.outcomes}
        self.samples = {name: Reservoir(SAMPLE, seed * 31 + n) for n, name in enumerate(("claims", "sources", "reviewed"))}

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad, counted in :attr:`count`: the fixed graphs, the entities, then sources until the count reaches
        the size asked for (the last source is whole, so the count passes the size by at most one source's)."""
        for quad in itertools.chain(self._curated(), self._entities(), self._reviewers()):
            self.count += 1
            yield quad
        for number in itertools.count(1):
            for quad in self._source(number):
                self.count += 1
                yield quad
            if self.count >= self.target:
                return

    def sidecar(self) -> dict:
        """The sample IRIs a workload draws from (call after :meth:`quads` is exhausted)."""
        return {
            "seed": self.seed, "triples": self.count, "base": BASE,
            "claims": sorted(self.samples["claims"].items),
            "reviewed_claims": sorted(self.samples["reviewed"].items),
            "sources": sorted(self.samples["sources"].items),
            "cities": [iri(f"id/place/{slug}").value for slug in self.cities[:SAMPLE]],
            "speakers": [iri(f"id/person/{slug}").value for slug in self.speakers[:SAMPLE]],
            "policies": [iri(f"id/policy/{slug}").value for slug in self.policies[:SAMPLE]],
            "measures": [iri(f"id/measure/{slug}").value for slug in self.measures],
            "reviewers": [iri(f"id/org/{slug}").value for slug in REVIEWERS],
            "kinds": list(KINDS),
            "words": list(WORDS),
        }

    def _curated(self) -> Iterator[ox.Quad]:
        """The ontology in its graph and the rating map, their blank nodes named by order of appearance (the parser
        names them at random, and the same seed must give the same bytes)."""
        ontology = ox.NamedNode(CG[:-1])
        named: dict[ox.BlankNode, ox.BlankNode] = {}

        def stable(term):
            return named.setdefault(term, ox.BlankNode(f"b{len(named)}")) if isinstance(term, ox.BlankNode) else term

        for triple in ox.parse(path=ROOT / "ontology" / "claimgraph.ttl"):
            yield ox.Quad(stable(triple.subject), triple.predicate, stable(triple.object), ontology)
        for quad in ox.parse(path=ROOT / "data" / "rating-map.trig"):
            yield ox.Quad(stable(quad.subject), quad.predicate, stable(quad.object), quad.graph_name)

    def _entities(self) -> Iterator[ox.Quad]:
        graph = iri("graph/entities")
        name = schema("name")
        for slug in COUNTRIES:
            yield ox.Quad(iri(f"id/place/{slug}"), RDF_TYPE, schema("Country"), graph)
            yield ox.Quad(iri(f"id/place/{slug}"), name, en(slug.capitalize()), graph)
        rng = random.Random(self.seed * 7919 + 2)
        for slug in self.cities:
            node = iri(f"id/place/{slug}")
            yield ox.Quad(node, RDF_TYPE, schema("City"), graph)
            yield ox.Quad(node, name, en(self.city_names[slug]), graph)
            yield ox.Quad(node, schema("containedInPlace"), iri(f"id/place/{rng.choice(COUNTRIES)}"), graph)
        for slug in self.persons:
            node = iri(f"id/person/{slug}")
            yield ox.Quad(node, RDF_TYPE, schema("Person"), graph)
            yield ox.Quad(node, name, ox.Literal(f"{name_of(rng, 2)} {name_of(rng, 3)}"), graph)
            if slug in self.reporters:
                yield ox.Quad(node, schema("jobTitle"), en("reporter"), graph)
        for slug in self.publishers:
            node = iri(f"id/org/{slug}")
            yield ox.Quad(node, RDF_TYPE, schema("NewsMediaOrganization"), graph)
            yield ox.Quad(node, name, ox.Literal(f"The {name_of(rng, 2)} {rng.choice(('Times', 'Post', 'Herald', 'Courier'))}"), graph)
        for slug in self.policies:
            node = iri(f"id/policy/{slug}")
            yield ox.Quad(node, RDF_TYPE, cg("Policy"), graph)
            yield ox.Quad(node, name, en(f"{rng.choice(WORDS).capitalize()} and {rng.choice(WORDS)} plan"), graph)
            yield ox.Quad(node, schema("location"), iri(f"id/place/{self.located[slug]}"), graph)
        for slug in self.outcomes:
            node = iri(f"id/outcome/{slug}")
            yield ox.Quad(node, RDF_TYPE, cg("Outcome"), graph)
            yield ox.Quad(node, name, en(f"More {rng.choice(WORDS)}, fewer {rng.choice(WORDS)}"), graph)
            yield ox.Quad(node, schema("location"), iri(f"id/place/{self.located[slug]}"), graph)
        for slug in self.measures:
            node = iri(f"id/measure/{slug}")
            yield ox.Quad(node, RDF_TYPE, cg("Measure"), graph)
            yield ox.Quad(node, ox.NamedNode(SKOS + "prefLabel"), en(f"{rng.choice(WORDS)} {rng.choice(WORDS)}"), graph)
        meta = iri("graph/meta")
        dataset = iri("id/dataset")
        yield ox.Quad(dataset, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/dcat#Dataset"), meta)
        yield ox.Quad(dataset, ox.NamedNode(DCTERMS + "title"), en(f"claimgraph benchmark data, seed {self.seed}"), meta)

    def _reviewers(self) -> Iterator[ox.Quad]:
        for slug in REVIEWERS:
            node, graph = iri(f"id/org/{slug}"), iri(f"graph/reviews/{slug}")
            yield ox.Quad(node, RDF_TYPE, schema("Organization"), graph)
            yield ox.Quad(node, schema("name"), ox.Literal(slug.replace("-", " ").title()), graph)
            yield ox.Quad(node, schema("url"), ox.NamedNode(f"https://{slug}.example.org/"), graph)

    def _sentence(self, city: str, hedge: str | None) -> tuple[str, int]:
        """A claim's sentence about ``city`` and the number it states."""
        rng = self.rng
        words = [self.word_zipf.draw(rng) for _ in range(3)]
        number = rng.randrange(2, 5000)
        verb = f"{hedge} {rng.choice(VERBS)}" if hedge else rng.choice(VERBS)
        return (f"{words[0].capitalize()} in {self.city_names[city]} {verb} {number} {words[1]} "
                f"after the {words[2]} reform of {rng.randrange(1990, 2025)}"), number

    def _source(self, number: int) -> Iterator[ox.Quad]:
        rng = self.rng
        slug = f"src-{number:07d}"
        graph, source, text_node = iri(f"graph/{slug}"), iri(f"id/source/{slug}"), iri(f"id/source/{slug}-text")
        published = date(2010, 1, 1) + timedelta(days=rng.randrange(16 * 365))
        reporter = self.reporter_zipf.draw(rng)
        city = self.city_zipf.draw(rng)
        headline = f"{self.word_zipf.draw(rng).capitalize()} and {self.word_zipf.draw(rng)} in {self.city_names[city]}"
        claims = []
        parts = [f"{headline}\nBy {reporter}\n{published:%B %d, %Y}\n\n"]
        at = len(parts[0])
        for index in range(rng.randrange(5, 41)):
            attribution = rng.choices(ATTRIBUTIONS, weights=(40, 20, 35, 5))[0]
            hedge = rng.choice(HEDGES) if rng.random() < 0.15 else None
            about = self.city_zipf.draw(rng) if rng.random() < 0.7 else city
            words, stated = self._sentence(about, hedge)
            words += f" (no. {index + 1})"
            speaker = None if attribution == "Unattributed" else (
                reporter if attribution == "Narration" else self.speaker_zipf.draw(rng))
            if attribution == "QuotedSpeech":
                lead, tail = "\u201c", f",\u201d said {speaker}. "
            elif attribution == "ReportedSpeech":
                lead, tail = f"According to {speaker}, ", ". "
            else:
                lead, tail = "", ". "
            if rng.random() < 0.3:
                lead = rng.choice(FILLER) + " " + lead
            start = at + len(lead)
            claims.append((index + 1, attribution, hedge, about, words, stated, speaker, start, start + len(words)))
            part = lead + words + tail + ("\n\n" if rng.random() < 0.25 else "")
            parts.append(part)
            at += len(part)
        text = "".join(parts)
        content = text.encode("utf-8")
        if self.texts is not None:
            path = self.texts / "sources" / slug / "article.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        yield from (ox.Quad(s, p, o, graph) for s, p, o in (
            (source, RDF_TYPE, schema("NewsArticle")),
            (source, RDF_TYPE, prov("Entity")),
            (source, schema("headline"), en(headline)),
            (source, schema("url"), ox.NamedNode(f"https://news.example.org/{published.year}/{slug}")),
            (source, schema("author"), iri(f"id/person/{reporter}")),
            (source, schema("publisher"), iri(f"id/org/{self.publisher_zipf.draw(rng)}")),
            (source, schema("datePublished"), day(published)),
            (source, schema("inLanguage"), ox.Literal("en")),
            (source, schema("about"), iri(f"id/place/{city}")),
            (source, cg("archivedText"), text_node),
            (text_node, RDF_TYPE, cg("ArchivedText")),
            (text_node, schema("encodingFormat"), ox.Literal("text/plain; charset=utf-8")),
            (text_node, schema("sha256"), ox.Literal(hashlib.sha256(content).hexdigest())),
            (text_node, schema("contentSize"), ox.Literal(f"{len(content)} bytes")),
            (text_node, cg("localPath"), ox.Literal(f"sources/{slug}/article.txt")),
        ))
        meta = iri("graph/meta")
        yield ox.Quad(graph, RDF_TYPE, prov("Entity"), meta)
        yield ox.Quad(graph, ox.NamedNode(DCTERMS + "title"), en(f"Claims of \"{headline}\""), meta)
        yield ox.Quad(graph, ox.NamedNode(DCTERMS + "source"), source, meta)
        yield ox.Quad(graph, prov("wasDerivedFrom"), source, meta)
        self.samples["sources"].offer(source.value)
        for index, attribution, hedge, about, words, stated, speaker, start, end in claims:
            yield from self._claim(slug, graph, source, published, text, index, attribution, hedge, about, words,
                                   stated, speaker, start, end)

    def _claim(self, slug: str, graph: ox.NamedNode, source: ox.NamedNode, published: date, text: str, index: int,
               attribution: str, hedge: str | None, about: str, words: str, stated: int, speaker: str | None,
               start: int, end: int) -> Iterator[ox.Quad]:
        rng = self.rng
        claim = iri(f"id/claim/{slug}/c{index:03d}")
        evidence = iri(f"id/evidence/{slug}/{start}-{end}")
        quote, position = iri(f"id/evidence/{slug}/{start}-{end}-quote"), iri(f"id/evidence/{slug}/{start}-{end}-position")
        kind = rng.choice(KINDS)
        triples = [
            (claim, RDF_TYPE, cg("Claim")),
            (claim, schema("text"), en(words + ".")),
            (claim, cg("kind"), iri(f"kind/{kind}")),
            (claim, cg("attribution"), cg(attribution)),
            (claim, cg("modality"), cg("Hedged" if hedge else "Stated")),
            (claim, schema("about"), iri(f"id/place/{about}")),
            (claim, schema("appearance"), source),
            (claim, prov("wasDerivedFrom"), source),
            (claim, cg("evidence"), evidence),
            (evidence, RDF_TYPE, cg("Evidence")),
            (evidence, oa("hasSource"), source),
            (evidence, oa("hasSelector"), quote),
            (evidence, oa("hasSelector"), position),
            (quote, RDF_TYPE, oa("TextQuoteSelector")),
            (quote, oa("exact"), ox.Literal(text[start:end])),
            (quote, oa("prefix"), ox.Literal(text[max(0, start - CONTEXT):start])),
            (quote, oa("suffix"), ox.Literal(text[end:end + CONTEXT])),
            (position, RDF_TYPE, oa("TextPositionSelector")),
            (position, oa("start"), integer(start)),
            (position, oa("end"), integer(end)),
        ]
        if hedge:
            triples.append((claim, cg("modalityExpression"), ox.Literal(hedge)))
        if speaker:
            triples.append((claim, schema("author"), iri(f"id/person/{speaker}")))
        if kind in ("policy", "causal"):
            policy = rng.choice(self.policies)
            triples.append((claim, schema("about"), iri(f"id/policy/{policy}")))
            if kind == "causal":
                triples.append((claim, cg("cause"), iri(f"id/policy/{policy}")))
                triples.append((claim, cg("effect"), iri(f"id/outcome/{rng.choice(self.outcomes)}")))
        if kind == "statistical":
            figure = iri(f"id/figure/{slug}/c{index:03d}")
            triples += [
                (claim, cg("figure"), figure),
                (figure, RDF_TYPE, cg("Figure")),
                (figure, schema("value"), integer(stated)),
                (figure, schema("unitCode"), iri(f"unit/{rng.choice(UNITS)}")),
                (figure, cg("precision"), cg("AsStated")),
                (figure, cg("statedAs"), ox.Literal(str(stated))),
                (figure, schema("variableMeasured"), iri(f"id/measure/{rng.choice(self.measures)}")),
                (figure, schema("observationAbout"), iri(f"id/place/{about}")),
                (figure, schema("observationDate"), day(published)),
                (figure, cg("datePrecision"), ox.NamedNode(TIME + "unitDay")),
                (figure, cg("timeBasis"), cg("AsOfPublication")),
            ]
        yield from (ox.Quad(s, p, o, graph) for s, p, o in triples)
        self.samples["claims"].offer(claim.value)
        if rng.random() < 0.08:
            self.samples["reviewed"].offer(claim.value)
            for reviewer in rng.sample(REVIEWERS, 2 if rng.random() < 0.2 else 1):
                yield from self._review(reviewer, slug, index, claim, words + ".", published)

    def _review(self, reviewer: str, slug: str, index: int, claim: ox.NamedNode, words: str,
                published: date) -> Iterator[ox.Quad]:
        rng = self.rng
        graph = iri(f"graph/reviews/{reviewer}")
        key = f"{slug}-c{index:03d}"
        review, rating = iri(f"id/review/{reviewer}/{key}"), iri(f"id/review/{reviewer}/{key}-rating")
        triples = [
            (review, RDF_TYPE, schema("ClaimReview")),
            (review, schema("itemReviewed"), claim),
            (review, schema("claimReviewed"), ox.Literal(words)),
            (review, schema("reviewRating"), rating),
            (review, schema("reviewBody"), en(f"The {rng.choice(WORDS)} figures say otherwise.")),
            (review, schema("author"), iri(f"id/org/{reviewer}")),
            (review, schema("url"), ox.NamedNode(f"https://{reviewer}.example.org/{key}")),
            (review, schema("datePublished"), day(published + timedelta(days=rng.randrange(1, 60)))),
            (review, schema("inLanguage"), ox.Literal("en")),
            (rating, RDF_TYPE, schema("Rating")),
        ]
        if rng.random() < 0.7:
            triples.append((rating, schema("alternateName"), en(rng.choice(LABELS))))
        else:
            triples += [(rating, schema("ratingValue"), integer(rng.randrange(1, 6))),
                        (rating, schema("bestRating"), integer(5)), (rating, schema("worstRating"), integer(1))]
        yield from (ox.Quad(s, p, o, graph) for s, p, o in triples)


def generate(output: Path, triples: int, seed: int = 1, sidecar: Path | None = None, texts: Path | None = None) -> int:
    """Write the graph of ``triples`` and ``seed`` to ``output`` as N-Quads (gzip when the name ends in ``.gz``), its
    sidecar to ``sidecar`` (default ``<output>.json``) and, when ``texts`` is given, each archived text to
    ``texts/sources/<slug>/article.txt``; return the exact number of quads written.

    :raises ValueError: if ``triples`` is below :data:`MIN_TRIPLES`.
    :raises OSError: if a file cannot be written.
    """
    generator = Generator(triples, seed, texts)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as raw:
        if output.suffix == ".gz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as packed:
                ox.serialize(generator.quads(), packed, ox.RdfFormat.N_QUADS)
        else:
            ox.serialize(generator.quads(), raw, ox.RdfFormat.N_QUADS)
    sidecar = sidecar or output.with_name(output.name + ".json")
    sidecar.write_text(json.dumps(generator.sidecar(), indent=1) + "\n", encoding="utf-8")
    return generator.count


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help=f"how many triples at least ({MIN_TRIPLES} or more)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True, help="the N-Quads file (.nq, or .nq.gz)")
    parser.add_argument("--sidecar", type=Path, help="the JSON sample file [default: OUTPUT.json]")
    parser.add_argument("--texts", type=Path, help="also write the archived texts below this data directory")
    options = parser.parse_args(argv)
    try:
        count = generate(options.output, options.triples, options.seed, options.sidecar, options.texts)
    except ValueError as error:
        parser.error(str(error))
    print(count)


if __name__ == "__main__":
    main(sys.argv[1:])
