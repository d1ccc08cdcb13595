"""The HTML pages of the dataset's own kinds of resource (claims, sources, people, places, organisations,
policies, outcomes): what a fact-checker reads, rather than a table of triples.

Which page a resource gets is read from the data, not from its IRI: a ``cg:Claim`` gets the claim page; what
claims appear in, evidence is taken from, or what has an archived text gets the source page; anything with a
``schema:name``, that a claim is about, by, or names as cause or effect, or that a figure measures or is about,
gets the entity page. Each page is a handful of SELECT queries whose only term from outside is the resource's IRI,
serialized by pyoxigraph.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pyoxigraph as ox
from flask import render_template, url_for

from claimgraph.model import reviews, sources
from claimgraph.rdf import vocabulary
from claimgraph.store.base import Store
from claimgraph.web import answers, claimreview, iris
from claimgraph.web.evidence import evidence_view, source_meta, span_id, spans_of
from claimgraph.web.nodes import (
    CG, OA, PREFIXES, RDF_TYPE, SCHEMA, SKOS, Node, Ref, Summary, cities, describe, figure_of, humanize,
    labelled, local_name, order_keys, ordered, summaries, when,
)

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
    return claimreview.page(store, iri)


# ---------------------------------------------------------------- the claim page


def claim_page(store: Store, iri: ox.NamedNode) -> str:
    """The claim page of ``iri``: what it says, who says it and how, what it is about, its figures, the source's
    words marked in their context, the fact-checkers' reviews of it (:func:`reviews_of`), the source, and the claims
    resting on the same words or related to it."""
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
    places = cities(store, iri)
    same_words, related = _neighbours(store, iri, node, places)
    claim = {
        "iri": iri.value,
        "text": node.text(SCHEMA + "text") or local_name(iri.value),
        "kinds": node.refs(CG + "kind"),
        "voice": next(iter(node.refs(CG + "attribution")), None),
        "speakers": node.refs(SCHEMA + "author", graph),
        "modality": next(iter(node.refs(CG + "modality")), None),
        "hedges": node.texts(CG + "modalityExpression"),
        "when": when(node.text(SCHEMA + "temporalCoverage"), node.text(CG + "datePrecision")),
        "time_expressions": node.texts(CG + "timeExpression"),
        "time_bases": [value.text for value in node.all(CG + "timeBasis")],
        "about": node.refs(SCHEMA + "about", graph),
        "cities": places,
        "causes": node.refs(CG + "cause", graph),
        "effects": node.refs(CG + "effect", graph),
        "figures": [figure_of(graph, figure) for figure in sorted(node.nodes(CG + "figure"))],
        "notes": node.texts(CG + "curatorNote"),
    }
    return render_template(
        "claim.html", claim=claim, evidence=evidence, same_words=same_words, related=related,
        first_mark="evidence-1" if number > 1 else None, reviews=reviews_of(store, iri),
    )


@dataclasses.dataclass(frozen=True)
class Review:
    """A fact-checker's review of a claim as its page lists it: the reviewer's own rating (label, number on its
    scale), its verdict on the normalised scale, reviewer, date, title, explanation and where it is published."""

    iri: str
    #: the page of the review on this server.
    url: str
    label: str | None
    #: the number on the reviewer's own scale in the ClaimReview feed's words, "4 on a scale of 1 to 5"
    #: (:func:`claimgraph.model.reviews.numeric_label`), when the rating has one.
    scale: str | None
    verdict: Ref
    #: the verdict's word (``true``, ``mixed``, ``false``, ``other``: :data:`vocabulary.VERDICT_WORDS`).
    word: str
    reviewers: list[Ref]
    date: str | None
    title: str | None
    explanation: str | None
    #: the review's URL (its schema:url), and the same when a page may link to it (``http``/``https``).
    published: str | None
    href: str | None


@dataclasses.dataclass(frozen=True)
class Reviews:
    """The reviews of a claim, by date (undated last), and whether their verdicts differ."""

    reviews: list[Review]

    @property
    def verdicts(self) -> list[Ref]:
        """The different verdicts of the reviews, in the order of :data:`vocabulary.VERDICTS`."""
        found = {review.verdict.iri: review.verdict for review in self.reviews}
        return [found[verdict] for verdict in vocabulary.VERDICTS if verdict in found]

    @property
    def disagree(self) -> bool:
        return len(self.verdicts) > 1


def reviews_of(store: Store, claim: ox.NamedNode) -> Reviews:
    """Every review of ``claim`` (:func:`vocabulary.reviews_of`) with its verdict read from the rating map at
    query time (:func:`vocabulary.verdict_of`).

    :raises QueryTimeout, Busy, StoreError, QueryError: as :meth:`Store.select` does.
    """
    graph = describe(
        store, f"{{ {vocabulary.reviews_of(str(claim), '?s', '?rating')} }} UNION {{ {vocabulary.reviews_of(str(claim), '?review', '?s')} }}"
    )
    rows = store.select(
        PREFIXES
        + f"""SELECT DISTINCT ?review ?rating ?verdict ?verdictLabel WHERE {{ {vocabulary.reviews_of(str(claim))}
  {vocabulary.verdict_of("?rating")}
  OPTIONAL {{ ?verdict skos:prefLabel ?verdictLabel FILTER (LANGMATCHES(LANG(?verdictLabel), "en")) }}
}}"""
    )
    found = []
    for row in rows:
        review, rating = graph[row["review"].value], graph[row["rating"].value]
        verdict = row["verdict"].value
        value, worst, best = (rating.text(SCHEMA + name) for name in ("ratingValue", "worstRating", "bestRating"))
        published = review.text(SCHEMA + "url")
        found.append(Review(
            iri=row["review"].value,
            url=iris.page_url(row["review"].value),
            label=rating.text(SCHEMA + "alternateName"),
            scale=reviews.scale_text(value, best, worst) if value is not None else None,
            verdict=Ref(verdict, row["verdictLabel"].value if "verdictLabel" in row else local_name(verdict), iris.page_url(verdict)),
            word=vocabulary.VERDICT_WORDS.get(verdict, "other"),
            reviewers=review.refs(SCHEMA + "author"),
            date=review.text(SCHEMA + "datePublished"),
            title=review.text(SCHEMA + "headline"),
            explanation=review.text(SCHEMA + "reviewBody"),
            published=published,
            href=iris.external(published) if published else None,
        ))
    found.sort(key=lambda review: (review.date is None, review.date or "", review.iri))
    return Reviews(found)


@dataclasses.dataclass(frozen=True)
class Group:
    """Claims that share one thing with the claim of the page: how (``about``, ``city`` or ``speaker``) and what."""

    how: str
    via: Ref
    #: the claims the page lists: the first :data:`RELATED_SHOWN` (in a city nearly every claim may be related).
    shown: list[Summary]
    #: how many claims the group holds.
    count: int

    @property
    def all_url(self) -> str:
        """Where all of them are listed: the list of claims narrowed to the city or speaker, or the page of what
        they are about."""
        if self.how in ("city", "speaker"):
            return url_for("search.claims", **{self.how: self.via.iri})
        return self.via.url


#: the order of the groups of related claims, by how they are related.
_HOW = ("about", "city", "speaker")
#: the most claims a group of related claims lists on a claim page; the rest are a link away.
RELATED_SHOWN = 10


def _neighbours(store: Store, iri: ox.NamedNode, node: Node, places: list[Ref]) -> tuple[list[Summary], list[Group]]:
    """The other claims resting on the same words as ``iri`` (a shared evidence node, or a span of the same source
    overlapping one of its spans), and the groups of claims about the same thing, in the same city or by the same
    speaker; ``node`` is what the store says of ``iri`` (the labels of what it is about and by), ``places`` its
    cities (:func:`cities`).

    A claim is in the city group of a city (:func:`vocabulary.cities_of`) when it is not already in the group of
    the claims about that city itself; a city group left empty is not shown."""
    rows = store.select(
        PREFIXES
        + f"""SELECT DISTINCT ?c ?how ?via WHERE {{
  {{ {iri} cg:evidence ?e . ?c cg:evidence ?e . BIND ("words" AS ?how) }}
  UNION {{ {iri} cg:evidence ?e . ?e oa:hasSource ?source ; oa:hasSelector ?p .
          ?p a oa:TextPositionSelector ; oa:start ?a ; oa:end ?b .
          ?other oa:hasSource ?source ; oa:hasSelector ?q . ?q a oa:TextPositionSelector ; oa:start ?a2 ; oa:end ?b2 .
          FILTER (?a2 < ?b && ?a < ?b2) ?c cg:evidence ?other . BIND ("words" AS ?how) }}
  UNION {{ {iri} schema:about|cg:cause|cg:effect ?via . ?c schema:about|cg:cause|cg:effect ?via . BIND ("about" AS ?how) }}
  UNION {{ VALUES ?via {{ {" ".join(str(ox.NamedNode(place.iri)) for place in places)} }}
          {vocabulary.cities_of("?c", "?via")} BIND ("city" AS ?how) }}
  UNION {{ {iri} schema:author ?via . ?c schema:author ?via . BIND ("speaker" AS ?how) }}
  FILTER (?c != {iri})
}}"""
    )
    # In a city nearly every claim may be related: all are counted, only the first few of each group summarised.
    keys = order_keys(store, (row["c"] for row in rows))
    same = {row["c"].value for row in rows if row["how"].value == "words" and row["c"].value in keys}
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row["how"].value != "words" and row["c"].value in keys:
            groups[(row["how"].value, row["via"].value)].add(row["c"].value)
    for place in places:
        groups[("city", place.iri)] -= groups.get(("about", place.iri), set())
    refs = {
        ref.iri: ref
        for predicate in (SCHEMA + "about", CG + "cause", CG + "effect", SCHEMA + "author") for ref in node.refs(predicate)
    }
    refs.update((place.iri, place) for place in places)
    # a text given as what a claim is about (written through /update) has no page to group by.
    shown = {
        group: sorted(claims, key=keys.__getitem__)[:RELATED_SHOWN]
        for group, claims in groups.items() if group[1] in refs and claims
    }
    found = summaries(store, (ox.NamedNode(claim) for claim in same.union(*shown.values())))
    related = [
        # A claim deleted between the two reads is left out.
        Group(how, refs[via], ordered(found[claim] for claim in claims if claim in found), len(groups[how, via]))
        for (how, via), claims in shown.items()
    ]
    related.sort(key=lambda group: (_HOW.index(group.how), -group.count, group.via.label))
    return ordered(found[claim] for claim in same if claim in found), related


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
    text = meta.words
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
        + f"""SELECT ?c ?role ?place ?placeLabel ?placeRank ?cause ?causeLabel ?causeRank ?effect ?effectLabel ?effectRank
       ?work ?workLabel ?workRank WHERE {{
  {{ ?c schema:author {iri} . BIND ("by" AS ?role) }}
  UNION {{ ?work schema:author|schema:publisher {iri} ; schema:headline [] . BIND ("work" AS ?role)
          {vocabulary.label_candidates("?work", "?workLabel", "?workRank")} }}
  UNION {{ ?c schema:about|cg:cause|cg:effect {iri} . BIND ("about" AS ?role) }}
  UNION {{ ?c cg:cause|cg:effect {iri} . BIND ("causal" AS ?role)
          OPTIONAL {{ ?c cg:cause ?cause OPTIONAL {vocabulary.label_candidates("?cause", "?causeLabel", "?causeRank")} }}
          OPTIONAL {{ ?c cg:effect ?effect OPTIONAL {vocabulary.label_candidates("?effect", "?effectLabel", "?effectRank")} }} }}
  UNION {{ ?c {vocabulary.alternatives(vocabulary.SUBJECTS)} ?place . ?place ({vocabulary.alternatives(vocabulary.WITHIN)})+ {iri} .
          BIND ("within" AS ?role)
          OPTIONAL {vocabulary.label_candidates("?place", "?placeLabel", "?placeRank")} }}
}}"""
    )
    found = summaries(store, (row["c"] for row in rows if "c" in row))
    by_role: dict[str, set[str]] = defaultdict(set)
    causes: dict[str, Node] = defaultdict(Node)
    effects: dict[str, Node] = defaultdict(Node)
    places, works = Node(), Node()
    within: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if "work" in row:
            works.add("", labelled(row, "work", "workLabel", "workRank"))
        if "c" not in row or row["c"].value not in found:
            continue
        claim, role = row["c"].value, row["role"].value
        by_role[role].add(claim)
        for key, into in (("cause", causes), ("effect", effects)):
            if key in row:
                into[claim].add("", labelled(row, key, key + "Label", key + "Rank"))
        if role == "within":
            places.add("", labelled(row, "place", "placeLabel", "placeRank"))
            within[row["place"].value].add(claim)
    figure_iris = [subject for subject, figure in graph.items() if CG + "Figure" in figure.nodes(RDF_TYPE)]
    entity = {
        "iri": iri.value,
        "name": node.label() or local_name(iri.value),
        "types": [value.text if value.label else local_name(value.term.value) for value in node.all(RDF_TYPE)],
        "descriptions": node.texts(SCHEMA + "description") + node.texts(SKOS + "definition"),
        "notes": node.texts(CG + "curatorNote"),
        "details": [
            (humanize(local_name(predicate)), values)
            for predicate, values in node.values.items() if predicate not in _OWN
        ],
    }
    return render_template(
        "entity.html",
        entity=entity,
        works=sorted(works.refs(""), key=lambda work: work.label),
        by=ordered(found[claim] for claim in by_role["by"]),
        about=ordered(found[claim] for claim in by_role["about"]),
        causal=[
            Causal(claim, causes[claim.iri].refs(""), effects[claim.iri].refs(""))
            for claim in ordered(found[claim] for claim in by_role["causal"])
        ],
        within=sorted(
            ((place, ordered(found[claim] for claim in within[place.iri])) for place in places.refs("")),
            key=lambda item: item[0].label,
        ),
        figures=sorted((figure_of(graph, figure) for figure in figure_iris), key=lambda figure: figure.iri),
    )
