"""The entities a claims file names: references ``kind/slug`` to entities that exist, and mappings
``{person: Jane Doe}`` (in the file's ``entities:`` list or inline) matched by name or ``sameAs`` against the
existing entities (:mod:`claimgraph.model.entities`), or created when none matches.

Every fault is added to the caller's list of problems, prefixed with where it is; nothing here raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from claimgraph.model import entities as entity_index
from claimgraph.model.authoring.yamlfile import Mapping, Sequence
from claimgraph.rdf.vocabulary import CG, SCHEMA, SKOS

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: the class an entity of each kind gets when its entry names none.
DEFAULT_CLASS = {
    "person": SCHEMA + "Person",
    "place": SCHEMA + "Place",
    "org": SCHEMA + "Organization",
    "event": SCHEMA + "Event",
    "policy": CG + "Policy",
    "outcome": CG + "Outcome",
    "measure": CG + "Measure",
}
#: the keys an entity's mapping may have besides its kind.
ENTITY_KEYS = {"id", "type", "in", "sameAs", "note", "definition", "agent"}

Report = Callable[[str], None]


def as_list(value: object) -> list:
    """``value`` as a list: itself if a list, ``[]`` for nothing, else a list of it."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class References:
    """Resolves a file's entity references to IRIs, creating the new entities it describes (:attr:`quads`)."""

    def __init__(self, subjects: set[str], index: entity_index.Entities, iri_base: str, language: str, graph: ox.NamedNode) -> None:
        self._subjects = subjects
        self._index = index
        self._iri_base = iri_base
        self._language = language
        self._graph = graph
        self._aliases: dict[str, str] = {}
        self._pending: list[tuple[str, Mapping, str, Report]] = []
        #: the quads of the entities created, in graph ``<iri_base>graph/entities``.
        self.quads: list[ox.Quad] = []

    def define(self, entries: object, line: int, report: Report) -> None:
        """Take the file's ``entities:`` list: each entry is matched or created, and can then be referred to as
        ``kind/<id>`` (``id`` defaults to the slug of its name). Their own references are resolved by :meth:`finish`."""
        if entries is None:
            return
        if not isinstance(entries, Sequence):
            report(f"{line}: entities: must be a list of mappings such as {{place: Liège, type: City}}")
            return
        for number, entry in enumerate(entries, 1):
            where = f"{entries.lines[number - 1]}: entity {number}"
            found = self._entity(entry, where, report, defer=True)
            if found is None:
                continue
            kind, iri = found
            alias = f"{kind}/{entry.get('id') or entity_index.slug(str(entry[kind]))}"
            taken = self._iri_base + "id/" + alias
            if alias in self._aliases or (taken in self._subjects and taken != iri):
                report(f"{where}: {alias} already names <{self._aliases.get(alias, taken)}>; give this entry an id of its own")
                continue
            self._aliases[alias] = iri

    def finish(self) -> None:
        """Resolve the references of the entities :meth:`define` created (``in``, ``agent``), now that every entry
        of the file can be referred to."""
        for iri, entry, where, report in self._pending:
            self._describe(iri, entry, where, report)
        self._pending.clear()

    def resolve(self, value: object, where: str, report: Report) -> str | None:
        """The IRI ``value`` refers to: ``kind/slug`` of an existing entity or of an entry of ``entities:``, or a
        mapping ``{kind: name, ...}`` matched or created; ``None`` (and a problem reported) if it refers to nothing."""
        if isinstance(value, Mapping):
            found = self._entity(value, where, report, defer=False)
            return found[1] if found else None
        if not isinstance(value, str) or not value:
            report(f"{where}: {value!r} is not an entity reference (kind/slug, or a mapping such as {{person: Jane Doe}})")
            return None
        if value in self._aliases:
            return self._aliases[value]
        iri = value if "://" in value else self._iri_base + "id/" + value
        if iri not in self._subjects:
            report(f"{where}: unknown entity {value!r}: no entity <{iri}> exists; describe a new one under entities: or as {{kind: name}}")
            return None
        return iri

    def _entity(self, entry: object, where: str, report: Report, defer: bool) -> tuple[str, str] | None:
        """The kind and IRI of the entity ``entry`` describes: the one existing entity it matches, else a new one."""
        if not isinstance(entry, Mapping):
            report(f"{where}: an entity is a mapping such as {{person: Jane Doe}}, not {entry!r}")
            return None
        kinds = [key for key in entry if key in entity_index.KINDS]
        unknown = sorted(str(key) for key in entry if key not in entity_index.KINDS and key not in ENTITY_KEYS)
        if len(kinds) != 1 or unknown:
            report(
                f"{where}: an entity names exactly one kind ({', '.join(entity_index.KINDS)}) and may have "
                f"{', '.join(sorted(ENTITY_KEYS))}; found {', '.join(map(str, entry))}"
            )
            return None
        kind = kinds[0]
        name = entry[kind]
        same_as = [str(link) for link in as_list(entry.get("sameAs"))]
        if not isinstance(name, str) or not name.strip():
            report(f"{where}: the {kind}'s name must be a text, not {name!r}")
            return None
        matches = self._index.find(kind, name, same_as)
        if len(matches) > 1:
            report(f"{where}: {kind} {name!r} matches {len(matches)} entities: {', '.join(f'<{iri}>' for iri in matches)}; refer to one as {kind}/slug")
            return None
        if matches:
            return kind, matches[0]
        iri = self._index.mint(kind, name, self._iri_base, same_as)
        self._subjects.add(iri)
        if defer:
            self._pending.append((iri, entry, where, report))
        else:
            self._describe(iri, entry, where, report)
        return kind, iri

    def _describe(self, iri: str, entry: Mapping, where: str, report: Report) -> None:
        kind = next(key for key in entry if key in entity_index.KINDS)
        subject = ox.NamedNode(iri)
        kind_class = entry.get("type")
        if kind_class is None:
            class_iri = DEFAULT_CLASS[kind]
        elif isinstance(kind_class, str) and kind_class.startswith("cg:"):
            class_iri = CG + kind_class[3:]
        elif isinstance(kind_class, str) and kind_class[:1].isupper() and kind_class.isalnum():
            class_iri = SCHEMA + kind_class
        else:
            report(f"{where}: type {kind_class!r} is not a schema.org class name (City, Person, ...) or cg:Name")
            class_iri = DEFAULT_CLASS[kind]
        name = str(entry[kind])
        # People's names are not words of a language; every other name is in the file's language, as curated.
        name_term = ox.Literal(name) if kind == "person" else ox.Literal(name, language=self._language)
        triples = [(RDF_TYPE, ox.NamedNode(class_iri)), (ox.NamedNode(SKOS + "prefLabel" if kind == "measure" else SCHEMA + "name"), name_term)]
        triples += [(ox.NamedNode(SCHEMA + "sameAs"), ox.NamedNode(str(link))) for link in as_list(entry.get("sameAs"))]
        where_in = SCHEMA + ("containedInPlace" if kind == "place" else "location")
        for key, predicate in (("in", where_in), ("agent", SCHEMA + "agent")):
            for number, value in enumerate(as_list(entry.get(key)), 1):
                target = self.resolve(value, f"{where}, {key} {number}", report)
                if target is not None:
                    triples.append((ox.NamedNode(predicate), ox.NamedNode(target)))
        for key, predicate in (("note", CG + "curatorNote"), ("definition", SKOS + "definition")):
            if entry.get(key) is not None:
                triples.append((ox.NamedNode(predicate), ox.Literal(str(entry[key]), language=self._language)))
        self.quads += [ox.Quad(subject, predicate, obj, self._graph) for predicate, obj in triples]

