"""The people, places, organisations, events, policies, outcomes and measures the data already names, found again by
name or ``schema:sameAs``, so that a new source or an imported review links to them instead of minting a duplicate.

An entity's kind is the folder of its IRI (``…/id/person/…``, ``…/id/org/…``): the same folders new ones are minted
in. Names are compared after Unicode NFC, case folding and collapsing white space, whatever their language tag.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from claimgraph.rdf.vocabulary import SCHEMA, SKOS

#: The kinds of entity, each the folder below ``id/`` its IRIs are minted in.
KINDS = ("person", "place", "org", "event", "policy", "outcome", "measure")
NAMES = (SCHEMA + "name", SKOS + "prefLabel", SCHEMA + "alternateName")
SAME_AS = SCHEMA + "sameAs"

#: What :class:`Entities` reads: every name and ``sameAs`` link, in any graph. A store answers it with
#: ``construct``; a list of quads is read directly (:meth:`Entities.of_quads`).
QUERY = f"""CONSTRUCT {{ ?thing ?p ?o }} WHERE {{
  VALUES ?p {{ {" ".join(f"<{iri}>" for iri in (*NAMES, SAME_AS))} }}
  ?thing ?p ?o FILTER (isIRI(?thing))
}}"""

_KIND = re.compile(r"/id/([a-z][a-z-]*)/[^/]+$")


def key(name: str) -> str:
    """``name`` as names are compared: NFC, case-folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def slug(name: str) -> str:
    """A path segment for ``name``: ASCII letters and digits in lower case joined by ``-`` (``entity`` if none)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "entity"


def kind_of(iri: str) -> str | None:
    """The kind of entity ``iri`` names, from its folder below ``id/``; ``None`` for anything else."""
    found = _KIND.search(iri)
    return found.group(1) if found and found.group(1) in KINDS else None


class Entities:
    """An index of named entities by kind: name → IRIs, ``sameAs`` → IRIs; :meth:`mint` adds new ones."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self._by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._by_same_as: dict[str, set[str]] = defaultdict(set)
        self._iris: set[str] = set()
        for triple in triples:
            subject = triple.subject.value
            self._iris.add(subject)
            kind = kind_of(subject)
            if kind is None:
                continue
            if triple.predicate.value == SAME_AS and isinstance(triple.object, ox.NamedNode):
                self._by_same_as[triple.object.value].add(subject)
            elif isinstance(triple.object, ox.Literal):
                self._by_name[kind, key(triple.object.value)].add(subject)

    @classmethod
    def of_quads(cls, quads: Iterable[ox.Quad]) -> Entities:
        """The index of the names and ``sameAs`` links among ``quads`` (e.g. the curated files)."""
        wanted = {*NAMES, SAME_AS}
        return cls(quad.triple for quad in quads if quad.predicate.value in wanted)

    def find(self, kind: str, name: str | None, same_as: Iterable[str] = ()) -> list[str]:
        """The entities of ``kind`` that share a ``sameAs`` IRI with ``same_as`` (or are one of them), else those
        named ``name``; sorted, so that a caller can say which ones when there are several."""
        linked = {iri for link in same_as for iri in self._by_same_as.get(link, ())}
        linked |= {link for link in same_as if link in self._iris and kind_of(link) == kind}
        linked = {iri for iri in linked if kind_of(iri) == kind}
        if linked:
            return sorted(linked)
        return sorted(self._by_name.get((kind, key(name)), ())) if name else []

    def mint(self, kind: str, name: str, iri_base: str, same_as: Iterable[str] = ()) -> str:
        """A new IRI ``<iri_base>id/<kind>/<slug of name>`` (with ``-2``, ``-3``… if that one is taken), recorded in
        the index under ``name`` and ``same_as`` so that the next :meth:`find` of it finds it."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of entity {kind!r}: one of {', '.join(KINDS)}")
        stem = f"{iri_base}id/{kind}/{slug(name)}"
        iri, number = stem, 1
        while iri in self._iris:
            number += 1
            iri = f"{stem}-{number}"
        self._iris.add(iri)
        self._by_name[kind, key(name)].add(iri)
        for link in same_as:
            self._by_same_as[link].add(iri)
        return iri
