"""RDF shown to people: the label of an IRI, compact names, and property tables built from triples.

Used by the generic resource page, the ontology page and the HTML renderings of the VoID and service
descriptions; other pages may call :func:`labels` for "the label of an IRI" lookups.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable

import pyoxigraph as ox
from flask import Response, g, request

from claimgraph.model import dataset
from claimgraph.rdf import formats, vocabulary
from claimgraph.store.base import Store
from claimgraph.web import answers, iris
from claimgraph.web.description import SD

SCHEMA = vocabulary.SCHEMA
RDF = vocabulary.RDF
RDF_TYPE = RDF + "type"
RDF_NIL = ox.NamedNode(RDF + "nil")
RDFS = vocabulary.RDFS
SKOS = vocabulary.SKOS
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = RDF + "langString"

#: The properties that label a resource, the preferred first; a claim is labelled by its text (``schema:text``).
LABEL_PROPERTIES = vocabulary.LABELS
CLAIM_TEXT = vocabulary.CLAIM_TEXT
#: Prefixes every reader of RDF knows, for the vocabularies the dataset's own prefixes leave out.
WELL_KNOWN = {"rdf": RDF, "sd": SD}
#: The RDF formats a page offers as alternates, by the suffix (or ``format=`` value) that chooses each.
ALTERNATE_SUFFIXES = ("ttl", "nt", "jsonld", "rdf")


def _label_pattern(items: Iterable[ox.NamedNode]) -> str:
    """A graph pattern binding ``?item`` (one of ``items``), ``?property``, ``?label`` and ``?rank`` (lower is better)."""
    claim = ox.NamedNode(vocabulary.CG + "Claim")
    text = ox.NamedNode(CLAIM_TEXT)
    return f"""
        VALUES ?item {{ {" ".join(str(item) for item in items)} }}
        {vocabulary.label_candidates("?item", "?label", "?rank", "?property")}
        UNION
        {{ ?item a {claim} ; {text} ?label BIND({text} AS ?property) BIND({len(LABEL_PROPERTIES)} AS ?rank) }}
    """


def label_triples(store: Store, items: Iterable[ox.NamedNode]) -> list[ox.Triple]:
    """Every labelling triple (:data:`LABEL_PROPERTIES`, and ``schema:text`` of claims) of ``items``.

    :raises QueryTimeout, Busy, StoreError: as :meth:`Store.query`.
    """
    items = set(items)
    if not items:
        return []
    return store.construct(f"CONSTRUCT {{ ?item ?property ?label }} WHERE {{ {_label_pattern(sorted(items, key=str))} }}")


def labels(store: Store, items: Iterable[ox.NamedNode | str]) -> dict[str, str]:
    """IRI → the one label to show for it, for those of ``items`` that have one: :func:`vocabulary.best_label` of
    its :data:`LABEL_PROPERTIES`, a claim's text ranked after them.

    :raises QueryTimeout, Busy, StoreError: as :meth:`Store.query`.
    """
    nodes = sorted({item if isinstance(item, ox.NamedNode) else ox.NamedNode(item) for item in items}, key=str)
    if not nodes:
        return {}
    rows = store.select(f"SELECT ?item ?label ?rank WHERE {{ {_label_pattern(nodes)} }}")
    return vocabulary.best_labels(
        (row["item"].value, int(row["rank"].value), row["label"]) for row in rows if isinstance(row["label"], ox.Literal)
    )


def compact(iri: str, namespaces: dict[str, str]) -> str:
    """``iri`` as ``prefix:local`` with the dataset's prefixes, else the IRI itself."""
    name = dataset.compact(iri, {**WELL_KNOWN, **namespaces})
    return iri if name.startswith("<") else name


def term_url(iri: str) -> str:
    """Where a property, class or datatype links: its anchor on the ontology page or its page here when the
    server serves it at its own path, else the IRI itself when it is an ``http(s)`` IRI (a vocabulary of its own
    publisher), else its description here (``/resource?iri=``; never a ``javascript:`` or other link)."""
    return iris.local_path(iri) or iris.external(iri) or iris.page_url(iri)


@dataclasses.dataclass
class Value:
    """One value of a property, ready to show: an IRI (``href``; ``text`` its label or compact name), a literal
    (``text``, with its ``language`` or its compact ``datatype``), a blank node (``rows``, its own properties) or an
    RDF list (``items``)."""

    text: str = ""
    href: str | None = None
    iri: str | None = None
    language: str | None = None
    datatype: str | None = None
    datatype_href: str | None = None
    rows: list[Row] | None = None
    items: list[Value] | None = None


@dataclasses.dataclass
class Row:
    """A property (``name`` compact, ``href`` where it is defined) and its values."""

    name: str
    href: str
    iri: str
    values: list[Value]


class Table:
    """The triples of a description, indexed by subject, shown as rows with the labels and prefixes given."""

    def __init__(self, triples: Iterable[ox.Triple], names: dict[str, str], namespaces: dict[str, str],
                 link: Callable[[str], str] = iris.page_url) -> None:
        """``link`` gives the URL an IRI value links to (default: its page on this server)."""
        self.by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
        for triple in triples:
            self.by_subject[triple.subject].append(triple)
        self.names = names
        self.namespaces = namespaces
        self.link = link

    def value(self, term: object, seen: frozenset) -> Value:
        if isinstance(term, ox.NamedNode):
            name = self.names.get(term.value) or compact(term.value, self.namespaces)
            return Value(name, self.link(term.value), iri=term.value)
        if isinstance(term, ox.BlankNode):
            if term in seen:
                return Value(rows=[])
            if (items := self._list(term)) is not None:
                return Value(items=[self.value(item, seen | {term}) for item in items])
            return Value(rows=self.rows(term, seen=seen | {term}))
        if isinstance(term, ox.Literal):
            if term.language:
                return Value(term.value, language=term.language)
            if term.datatype.value in (XSD_STRING, RDF_LANG_STRING):
                return Value(term.value)
            return Value(term.value, datatype=compact(term.datatype.value, self.namespaces),
                         datatype_href=term_url(term.datatype.value))
        return Value(str(term))

    def _list(self, node: ox.BlankNode) -> list[object] | None:
        """The members of the well-formed RDF list starting at ``node`` (each node a blank node holding only
        ``rdf:first`` and ``rdf:rest``), or ``None`` if ``node`` starts none."""
        items, seen = [], set()
        while node != RDF_NIL:
            triples = self.by_subject.get(node, []) if isinstance(node, ox.BlankNode) else []
            first = [t.object for t in triples if t.predicate.value == RDF + "first"]
            rest = [t.object for t in triples if t.predicate.value == RDF + "rest"]
            if node in seen or len(triples) != 2 or len(first) != 1 or len(rest) != 1:
                return None
            seen.add(node)
            items.append(first[0])
            node = rest[0]
        return items

    def rows(self, subject: ox.NamedNode | ox.BlankNode, *, without: tuple[str, ...] = (), seen: frozenset = frozenset()) -> list[Row]:
        """The properties of ``subject`` but ``without``, sorted by compact name; blank node values nested."""
        grouped: dict[str, list[object]] = defaultdict(list)
        for triple in self.by_subject.get(subject, ()):
            if triple.predicate.value not in without:
                grouped[triple.predicate.value].append(triple.object)
        found = [
            Row(compact(predicate, self.namespaces), term_url(predicate), predicate,
                [self.value(term, seen | {subject}) for term in sorted(objects, key=_order)])
            for predicate, objects in grouped.items()
        ]
        return sorted(found, key=lambda row: (row.name != "rdf:type", row.name))

    def types(self, subject: ox.NamedNode | ox.BlankNode) -> list[Value]:
        return [self.value(t.object, frozenset()) for t in self.by_subject.get(subject, ()) if t.predicate.value == RDF_TYPE]


def _order(term: object) -> tuple[str, str]:
    return (type(term).__name__, getattr(term, "value", str(term)))


def roots(triples: list[ox.Triple]) -> list[ox.NamedNode | ox.BlankNode]:
    """The nodes a description of ``triples`` starts from: every named subject, and every blank subject no triple
    points to; in the order they first appear."""
    pointed = {triple.object for triple in triples}
    subjects = dict.fromkeys(triple.subject for triple in triples)
    return [node for node in subjects if isinstance(node, ox.NamedNode) or node not in pointed]


def linked(triples: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    """The IRIs that ``triples`` link to (their objects)."""
    return {triple.object for triple in triples if isinstance(triple.object, ox.NamedNode)}


def respond(offers: list[str], override: str | None, url_for_suffix: Callable[[str], str], *,
            html: Callable[[], str], rdf: Callable[[], list[ox.Triple]]) -> Response:
    """The representation of ``offers`` the client wants: ``html()`` as a page with ``Link`` headers to the RDF at
    ``url_for_suffix(suffix)``, else ``rdf()`` in the negotiated RDF format (only the one asked for is computed).

    :raises ParamError: (400, naming ``format``) if ``override`` names none of ``offers``.
    :raises NotAcceptable: (406) if the client accepts none of them.
    """
    if answers.negotiated(offers, override, None) != formats.HTML:
        return answers.triples_response(rdf(), override=override)
    links = alternates(url_for_suffix)
    response = Response(html(), mimetype=formats.HTML)
    response.headers["Link"] = link_header(links)
    return response


def alternates(url_for_suffix: Callable[[str], str]) -> list[dict[str, str]]:
    """The RDF representations of a page (``href``, ``type``, ``label``), each at the URL ``url_for_suffix`` gives
    for its suffix; also kept for the page's ``<link rel="alternate">`` elements (``base.html``)."""
    found = []
    for suffix in ALTERNATE_SUFFIXES:
        media_type = formats.negotiate(request.accept_mimetypes, list(formats.RDF_MEDIA_TYPES), suffix)
        label = next(row.label for row in formats.TABLE if row.media_type == media_type)
        found.append({"href": url_for_suffix(suffix), "type": media_type, "label": label, "suffix": suffix})
    g.alternates = found
    return found


def link_header(found: list[dict[str, str]]) -> str:
    """The ``Link`` header value naming each of ``found`` (:func:`alternates`) as ``rel="alternate"``."""
    return ", ".join(f'<{link["href"]}>; rel="alternate"; type="{link["type"]}"' for link in found)
