"""The named graphs a SPARQL update may change, read from its tokens (:mod:`claimgraph.rdf.sparqltext`), so that the
full-text index re-reads only what depends on them (:meth:`~claimgraph.search.query.SearchIndex.written`).

The graphs are the constant IRIs named after ``GRAPH`` (in templates, ``DELETE WHERE``, ``LOAD … INTO GRAPH``,
``CREATE`` / ``DROP`` / ``CLEAR GRAPH``), ``WITH``, and ``ADD`` / ``MOVE`` / ``COPY`` … ``TO``. The default graph
is no graph here: queries see the union of the named graphs as theirs, so what an update writes to the store's
real default graph changes no answer and no row of the index. What cannot be bounded gives ``None`` (every graph
may have changed): ``GRAPH ?var``, ``DROP`` / ``CLEAR`` ``ALL`` or ``NAMED``, ``LOAD`` without ``INTO``, a prefixed
name whose prefix the update does not declare.
"""

from __future__ import annotations

import urllib.parse

import pyoxigraph as ox

from claimgraph.rdf.sparqltext import Token, declared_prefixes, iri_of, tokens

_ITEM_REVIEWED = ox.NamedNode("http://schema.org/itemReviewed")
#: Keywords that may stand between an operation's keyword and the graph it names.
_SKIPPED = ("SILENT",)


def affected_graphs(update: str, base_iri: str | None = None) -> set[str] | None:
    """The IRIs of the named graphs ``update`` may change (see the module's docstring); ``None`` when they cannot
    be bounded. Relative IRIs resolve against the update's ``BASE``, else ``base_iri``."""
    found = list(tokens(update))
    prefixes = declared_prefixes(found)
    base = base_iri
    graphs: set[str] = set()
    for index, token in enumerate(found):
        following = [t for t in found[index + 1:index + 3] if not t.is_keyword(*_SKIPPED)]
        after = following[0] if following else None
        if token.is_keyword("BASE") and after is not None and after.kind == "iri":
            base = _resolve(after.text[1:-1], base)
        elif token.is_keyword("GRAPH", "WITH", "TO"):
            if after is not None and after.is_keyword("GRAPH"):
                continue  # TO GRAPH <g>: the GRAPH that follows names it
            if after is not None and after.is_keyword("DEFAULT"):
                continue
            graph = _graph(after, prefixes, base)
            if graph is None:
                return None
            graphs.add(graph)
        elif token.is_keyword("DROP", "CLEAR"):
            if after is None or after.is_keyword("ALL", "NAMED"):
                return None
        elif token.is_keyword("ADD", "MOVE", "COPY"):
            if after is not None and not after.is_keyword("GRAPH", "DEFAULT"):
                graph = _graph(after, prefixes, base)
                if graph is None:
                    return None
                graphs.add(graph)
        elif token.is_keyword("LOAD"):
            if not any(later.is_keyword("INTO") for later in _operation(found, index)):
                return None
    return graphs


def _operation(found: list[Token], start: int) -> list[Token]:
    """The tokens of the operation starting at ``start``, up to its ``;`` or the end."""
    end = next((index for index in range(start, len(found)) if found[index].text == ";"), len(found))
    return found[start:end]


def _graph(token: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    """The IRI ``token`` writes, resolved against ``base``; ``None`` for a variable or anything else."""
    if token is None:
        return None
    iri = iri_of(token, prefixes)
    return _resolve(iri, base) if iri is not None else None


def _resolve(iri: str, base: str | None) -> str:
    return urllib.parse.urljoin(base, iri) if base and not urllib.parse.urlsplit(iri).scheme else iri


def changed_nodes(update: str, base_iri: str | None = None) -> set[ox.NamedNode] | None:
    """The subjects of the quads of an update made only of ``INSERT DATA`` and ``DELETE DATA`` operations, and the
    claims their ``schema:itemReviewed`` name: the only nodes whose index rows it may change (a row depends on the
    quads about the nodes it was read through). ``None`` for any other update, one with a blank node as a subject, or one whose data
    pyoxigraph does not read here: the caller falls back on :func:`affected_graphs`.

    The data blocks are read as TriG, which takes SPARQL's ``PREFIX``, ``BASE`` and ``GRAPH`` as they are written.
    """
    found = list(tokens(update))
    declarations: list[str] = []
    blocks: list[str] = []
    index = 0
    while index < len(found):
        token = found[index]
        if token.is_keyword("PREFIX") and index + 2 < len(found):
            declarations.append(f"PREFIX {found[index + 1].text} {found[index + 2].text}")
            index += 3
        elif token.is_keyword("BASE") and index + 1 < len(found):
            declarations.append(f"BASE {found[index + 1].text}")
            index += 2
        elif token.text == ";":
            index += 1
        elif (token.is_keyword("INSERT", "DELETE") and index + 2 < len(found) and found[index + 1].is_keyword("DATA")
              and found[index + 2].text == "{"):
            end = _closing(found, index + 2)
            if end is None:
                return None
            blocks.append(update[found[index + 2].start + 1:found[end].start])
            index = end + 1
        else:
            return None
    try:
        quads = list(ox.parse("\n".join([*declarations, *blocks]), ox.RdfFormat.TRIG, base_iri=base_iri))
    except SyntaxError:
        return None
    # A row is read through its claim, the claim's evidence and selectors, its reviews and ratings, and what it links
    # to: a quad changes the rows read through its subject, and a review's claim is read through the review's link.
    nodes = {quad.subject for quad in quads} | {quad.object for quad in quads if quad.predicate == _ITEM_REVIEWED}
    # A blank node is new to the store with each update: no row was read through it, and a claim written as one is
    # found only by reading its graph.
    return None if any(not isinstance(node, ox.NamedNode) for node in nodes) else nodes


def _closing(found: list[Token], opening: int) -> int | None:
    """The index of the ``}`` that closes the ``{`` at ``opening``, or ``None``."""
    depth = 0
    for index in range(opening, len(found)):
        depth += {"{": 1, "}": -1}.get(found[index].text, 0)
        if depth == 0:
            return index
    return None
