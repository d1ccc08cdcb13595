"""Blueprint: every IRI of the dataset dereferences, as HTML for browsers and as RDF by content negotiation.

A resource's RDF is its concise bounded description (every triple with it as subject, following blank nodes, as
the store's ``DESCRIBE`` gives it) together with the descriptions of its evidence selectors, and the labels
(:data:`~claimgraph.web.terms.LABEL_PROPERTIES`, a claim's ``schema:text``) of every IRI these link to. The
selectors are named IRIs (``…/205-307-quote``), but they are parts of their evidence with no meaning of their own:
the Web Annotation model writes them as blank nodes, and a client dereferencing an evidence IRI wants the quoted
words and offsets, so they are followed as blank nodes are. Each selector also dereferences on its own.

Every representation has its own URL: a suffix (``/id/claim/x.ttl``, ``/ontology.jsonld``) or ``format=`` choose
it over the Accept header; HTML pages name the others in ``Link: <…>; rel="alternate"`` headers.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, abort, redirect, render_template, url_for

from claimgraph.errors import ParamError
from claimgraph.model import dataset
from claimgraph.rdf import formats, vocabulary
from claimgraph.store.base import Store
from claimgraph.web import answers, iris, protocol, terms, views

blueprint = Blueprint("resources", __name__)
blueprint.add_app_template_global(iris.page_url, "page_url")

HAS_SELECTOR = ox.NamedNode("http://www.w3.org/ns/oa#hasSelector")
OFFERS = iris.OFFERS
SUFFIXES = iris.SUFFIXES
#: How many incoming links ("referred to by") a page lists; the page gives the count of all of them.
INCOMING_SHOWN = 50

OWL = "http://www.w3.org/2002/07/owl#"
CLASS_TYPES = frozenset({OWL + "Class", terms.RDFS + "Class"})
PROPERTY_TYPES = frozenset({OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", terms.RDF + "Property"})
SCHEME_TYPE = terms.SKOS + "ConceptScheme"
IN_SCHEME = (terms.SKOS + "inScheme", terms.SKOS + "topConceptOf")
#: What the ontology page shows in a term's heading and text rather than in its table.
SHOWN_APART = (terms.RDF_TYPE, terms.RDFS + "label", terms.RDFS + "comment", terms.SKOS + "prefLabel", terms.SKOS + "definition")


@blueprint.route("/id/<path:rest>", defaults={"folder": "id"})
@blueprint.route("/<any(graph, kind, unit):folder>/<path:rest>")
def dataset_resource(rest: str, folder: str) -> Response:
    """The resource ``<iri_base><folder>/<rest>``; a suffix naming a format (``.ttl``) chooses the representation.

    A path whose last dot starts a format's name is read as the IRI without that suffix; only if the store knows
    nothing about that IRI is the whole path read as the IRI.

    :raises NotFound: (404) if the store holds nothing about the IRI.
    :raises ParamError: (400, naming ``format``) if ``format=`` names no representation, or a suffix names one too.
    :raises NotAcceptable: (406) if the client accepts none of them.
    """
    path = f"{folder}/{rest}"
    stem, dot, suffix = path.rpartition(".")
    suffixed = bool(dot) and suffix in SUFFIXES
    store = answers.store()
    if suffixed and (iri := _iri(iris.iri_of(stem))) is not None and _known(store, iri):
        override = _suffix_override(suffix)
    elif (iri := _iri(iris.iri_of(path))) is not None and _known(store, iri):
        override = protocol.format_override(protocol.url_parameters())
    else:
        abort(404, f"the store holds nothing about <{iris.iri_of(stem if suffixed else path)}>")
    return _answer(store, iri, override, lambda name: f"{iris.local_path(iri.value)}.{name}")


@blueprint.route("/resource")
def resource() -> Response:
    """The resource whose IRI is the ``iri`` parameter, for clients that hold only the IRI.

    An IRI this server serves at a path of its own (:func:`~claimgraph.web.iris.local_path`) is answered with a
    303 See Other to that path (``format=`` kept): the answer about the thing is found at its own URL, and 303 is
    the redirect linked-data clients follow for a description, whatever the method. Any other IRI is answered here.

    :raises ParamError: (400, naming ``iri``) if it is missing, given twice or not an absolute IRI; (400, naming
        ``format``) as :func:`dataset_resource`.
    :raises NotFound: (404) if the store holds nothing about the IRI.
    :raises NotAcceptable: (406) if the client accepts no representation.
    """
    params = protocol.url_parameters()
    iri = protocol.named_node(protocol.single(params, "iri", required=True), "iri")
    override = protocol.format_override(params)
    store = answers.store()
    if not _known(store, iri):
        abort(404, f"the store holds nothing about <{iri.value}>")
    path = iris.local_path(iri.value)
    if path is not None:
        where, hash_, fragment = path.partition("#")
        query = "?" + urlencode({formats.PARAMETER: override}) if override is not None else ""
        return redirect(where + query + hash_ + fragment, 303)
    return _answer(store, iri, override, lambda name: url_for("resources.resource", iri=iri.value, format=name))


@blueprint.route("/ontology", defaults={"suffix": None})
@blueprint.route("/ontology.<suffix>")
def ontology(suffix: str | None) -> Response:
    """The ontology (the store's graph :data:`~claimgraph.model.dataset.ONTOLOGY_GRAPH`): a page of its classes, properties and concept
    schemes, each term at the anchor of its local name (``/ontology#Claim``), or the whole graph in RDF.

    :raises NotFound: (404) for an unknown suffix, or if the store holds no ontology graph.
    :raises ParamError, NotAcceptable: as :func:`dataset_resource`.
    """
    if suffix is not None and suffix not in SUFFIXES:
        abort(404, f"no representation of the ontology is named {suffix!r}")
    override = _suffix_override(suffix) if suffix is not None else protocol.format_override(protocol.url_parameters())
    store = answers.store()
    graph = dataset.ONTOLOGY_GRAPH
    triples = store.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    if not triples:
        abort(404, f"the store holds no ontology graph <{graph.value}>")
    return terms.respond(OFFERS, override, lambda name: url_for("resources.ontology", suffix=name),
                         html=lambda: _ontology_page(store, graph, triples), rdf=lambda: triples)


def description(store: Store, iri: ox.NamedNode) -> list[ox.Triple]:
    """The RDF answered for ``iri``: its bounded description (:func:`bounded`) and the labels of what it links to.

    :raises QueryTimeout, Busy, StoreError: as :meth:`Store.query`.
    """
    bounded_ = bounded(store, iri)
    return bounded_ + terms.label_triples(store, terms.linked(bounded_))


def bounded(store: Store, iri: ox.NamedNode) -> list[ox.Triple]:
    """The concise bounded description of ``iri`` and of its evidence selectors (``oa:hasSelector``).

    :raises QueryTimeout, Busy, StoreError: as :meth:`Store.query`.
    """
    return store.construct(
        f"DESCRIBE ?r WHERE {{ {{ BIND({iri} AS ?r) }} UNION {{ {iri} {HAS_SELECTOR} ?r FILTER(isIRI(?r)) }} }}"
    )


def _iri(text: str) -> ox.NamedNode | None:
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _known(store: Store, iri: ox.NamedNode) -> bool:
    """Whether ``iri`` is in a triple of the store (in any position) or names one of its graphs."""
    return store.ask(f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} UNION {{ ?s {iri} ?o }} UNION {{ GRAPH {iri} {{ ?s ?p ?o }} }} }}")


def _suffix_override(suffix: str) -> str:
    """The format a URL suffix names; ``format=`` may not name one as well.

    :raises ParamError: (naming ``format``) if ``format=`` is given too.
    """
    if formats.PARAMETER in protocol.url_parameters():
        raise ParamError(formats.PARAMETER, f"the URL's suffix .{suffix} names the format already; give one of them")
    return suffix


def _answer(store: Store, iri: ox.NamedNode, override: str | None, url_for_suffix: Callable[[str], str]) -> Response:
    """The page of ``iri`` (:func:`views.page`, else the generic page) or its :func:`description` in RDF."""
    return terms.respond(OFFERS, override, url_for_suffix, html=lambda: views.page(iri) or _generic_page(store, iri),
                         rdf=lambda: description(store, iri))


def _generic_page(store: Store, iri: ox.NamedNode) -> str:
    """The page of any resource: label, types, its properties, the selectors it holds, and what refers to it."""
    triples = bounded(store, iri)
    # A triple held in several graphs is one link, hence DISTINCT (the default graph is their union).
    linking = f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {iri} FILTER(isIRI(?s)) }}"
    incoming = store.select(f"{linking} ORDER BY ?p ?s LIMIT {INCOMING_SHOWN}")
    referred_count = int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {linking} }} }}")[0]["n"].value)
    graph_triples = int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}")[0]["n"].value)
    named = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
    names = terms.labels(store, terms.linked(triples) | named | {row["s"] for row in incoming})
    table = terms.Table(triples, names, store.prefixes)
    parts = [(table.value(part, frozenset()), table.rows(part)) for part in sorted(named - {iri}, key=str)]
    referred = [(terms.compact(row["p"].value, store.prefixes), terms.term_url(row["p"].value), table.value(row["s"], frozenset()))
                for row in incoming]
    return render_template(
        "resource.html",
        iri=iri.value,
        label=names.get(iri.value),
        types=table.types(iri),
        rows=table.rows(iri, without=(terms.RDF_TYPE,)),
        parts=parts,
        referred=referred,
        referred_count=referred_count,
        graph_triples=graph_triples,
    )


def _ontology_page(store: Store, graph: ox.NamedNode, triples: list[ox.Triple]) -> str:
    """The ontology page: the ontology's own description, then its classes, properties, concept schemes (each with
    its concepts) and any other term of its namespace, each under the anchor of its local name."""
    table = terms.Table(triples, {}, store.prefixes)
    types: dict[ox.NamedNode, set[str]] = {}
    schemes: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.NamedNode):
            types.setdefault(triple.subject, set())
            if triple.predicate.value == terms.RDF_TYPE:
                types[triple.subject].add(triple.object.value)
            elif triple.predicate.value in IN_SCHEME and isinstance(triple.object, ox.NamedNode):
                schemes.setdefault(triple.object, set()).add(triple.subject)

    def entry(term: ox.NamedNode) -> dict[str, object]:
        texts = {t.predicate.value: t.object.value for t in sorted(table.by_subject[term], key=_english_last)}
        anchor = iris.term_name(term.value)
        return {
            "iri": term.value, "anchor": anchor, "href": iris.page_url(term.value),
            "name": terms.compact(term.value, store.prefixes),
            "label": vocabulary.best_label(
                (vocabulary.LABELS.index(t.predicate.value), t.object) for t in table.by_subject[term]
                if t.predicate.value in vocabulary.LABELS and isinstance(t.object, ox.Literal)
            ),
            "comment": texts.get(terms.RDFS + "comment") or texts.get(terms.SKOS + "definition"),
            "types": table.types(term), "rows": table.rows(term, without=SHOWN_APART),
        }

    def entries(found) -> list[dict[str, object]]:
        return [entry(term) for term in sorted(found, key=lambda term: terms.compact(term.value, store.prefixes))]

    classes = {term for term, kinds in types.items() if kinds & CLASS_TYPES}
    properties = {term for term, kinds in types.items() if kinds & PROPERTY_TYPES}
    scheme_terms = {term for term, kinds in types.items() if SCHEME_TYPE in kinds}
    concepts = set().union(*(schemes.get(scheme, set()) for scheme in scheme_terms))
    shown = classes | properties | scheme_terms | concepts | {graph}
    others = {term for term in types if iris.term_name(term.value) is not None and term not in shown}
    return render_template(
        "ontology.html",
        ontology=entry(graph),
        classes=entries(classes),
        property_terms=entries(properties),
        schemes=[(entry(scheme), entries(schemes.get(scheme, set()))) for scheme in
                 sorted(scheme_terms, key=lambda term: terms.compact(term.value, store.prefixes))],
        others=entries(others),
    )


def _english_last(triple: ox.Triple) -> bool:
    """Sort key putting English literals last, so that a mapping built in order keeps the English text."""
    return getattr(triple.object, "language", None) == "en"
