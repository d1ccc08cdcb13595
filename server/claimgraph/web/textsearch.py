"""The full-text index of the running application, and the SPARQL pattern answered from it.

A query may ask the index for claims inside a block naming the search service, ``cg:search`` (in the ontology's
namespace, :data:`claimgraph.rdf.vocabulary.CG`), by its full IRI or a prefixed name::

    PREFIX cg: <https://w3id.org/claimgraph/ontology#>
    SELECT ?claim ?score ?text WHERE {
      SERVICE cg:search { ?claim cg:matches "refugees" ; cg:score ?score }
      ?claim <http://schema.org/text> ?text
    } ORDER BY DESC(?score)

Before the query reaches the store, :func:`expand` replaces each such block by a ``VALUES`` block of the index's
hits (``?claim`` and, when asked, ``?score``: higher is better), their terms written by pyoxigraph; the store then
joins them like any other solutions, and never sees the ``SERVICE``. The search text is read as ``/search``
reads ``q``; the hits are the claims of the whole store, at most ``max_rows`` of them, best first.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from claimgraph.errors import ParamError, RequestError
from claimgraph.rdf import vocabulary
from claimgraph.rdf.sparqltext import Token, declared_prefixes, iri_of, service_blocks, tokens
from claimgraph.store.base import Term
from claimgraph.search.query import Match, SearchIndex
from claimgraph.web.services import services


def index() -> SearchIndex:
    """The application's full-text index."""
    return services().search


def match(text: str, parameter: str | None) -> Match:
    """``text`` read as a search (words, phrases, prefixes, ``OR``); ``parameter`` is the request or canned-query
    parameter that gave it, ``None`` for a string of a SPARQL search pattern.

    :raises ParamError: naming ``parameter``, if ``text`` holds no word to search for.
    :raises RequestError: so, when ``parameter`` is ``None``.
    """
    try:
        return Match.parse(text)
    except ValueError as error:
        if parameter is None:
            raise RequestError(f"cg:matches: {error}") from None
        raise ParamError(parameter, str(error)) from None


def expand(sparql: str, bindings: Mapping[str, Term] | None = None) -> str:
    """``sparql`` with each search block (see the module's docstring) replaced by a ``VALUES`` block of the hits.

    The search text is a string literal, or a variable that ``bindings`` (a canned query's parameters, by name)
    binds to one. A query without such a block is returned as it is.

    :raises RequestError: if a block is not one subject variable with ``cg:matches`` (a plain string, or a bound
        variable) and optionally ``cg:score`` (a variable), or its text holds no word to search for.
    :raises ParamError: naming the parameter, if the text is a parameter's (``bindings``) and holds no word.
    """
    namespace = vocabulary.CG
    blocks = service_blocks(sparql, namespace + "search")
    if not blocks:
        return sparql
    prefixes = declared_prefixes(tokens(sparql))
    limit = services().config.max_rows
    for block in reversed(blocks):
        subject, (text, parameter), score = _pattern(block.body, prefixes, namespace, bindings or {})
        hits = index().matching(match(text, parameter), limit)
        if score is None:
            values = f"VALUES {subject} {{ {' '.join(str(ox.NamedNode(iri)) for iri, _ in hits)} }}"
        else:
            rows = " ".join(f"({ox.NamedNode(iri)} {ox.Literal(value)})" for iri, value in hits)
            values = f"VALUES ({subject} {score}) {{ {rows} }}"
        sparql = f"{sparql[:block.start]} {values} {sparql[block.end:]}"
    return sparql


def _pattern(body: tuple[Token, ...], prefixes: dict[str, str], namespace: str,
             bindings: Mapping[str, Term]) -> tuple[str, tuple[str, str | None], str | None]:
    """The subject variable, the search text with the parameter it is bound by (or ``None``), and the score
    variable (or ``None``) of a search block's tokens.

    :raises RequestError: as :func:`expand`.
    """
    shape = "write it as { ?claim cg:matches \"words\" ; cg:score ?score } (cg:score optional)"
    if not body or body[0].kind != "variable":
        raise RequestError(f"the search pattern must start with a variable for the claims found; {shape}")
    subject, objects = body[0].text, {}
    rest = list(body[1:])
    if rest and rest[-1].text == ".":
        rest.pop()
    while rest:
        if len(rest) < 2 or (len(rest) > 2 and rest[2].text != ";"):
            raise RequestError(f"the search pattern holds one subject and predicate-object pairs separated by ';'; {shape}")
        predicate, value = iri_of(rest[0], prefixes), rest[1]
        if predicate not in (namespace + "matches", namespace + "score") or predicate in objects:
            raise RequestError(f"the search pattern takes cg:matches and cg:score once each, not {rest[0].text}; {shape}")
        objects[predicate] = value
        rest = rest[3:]
    text = objects.get(namespace + "matches")
    if text is None:
        raise RequestError(f"the search pattern has no cg:matches; {shape}")
    score = objects.get(namespace + "score")
    if score is not None and (score.kind != "variable" or score.text[1:] == subject[1:]):
        raise RequestError(f"cg:score takes a variable of its own, not {score.text}; {shape}")
    return subject, _text(text, bindings, shape), score.text if score is not None else None


def _text(token: Token, bindings: Mapping[str, Term], shape: str) -> tuple[str, str | None]:
    """The string that ``token`` (a string literal, or a variable ``bindings`` binds to a literal) writes, and the
    name of the variable when it is one."""
    if token.kind == "variable":
        bound = bindings.get(token.text[1:])
        if not isinstance(bound, ox.Literal):
            raise RequestError(f"cg:matches {token.text}: the variable is bound to no text here; {shape}")
        return bound.value, token.text[1:]
    if token.kind != "string":
        raise RequestError(f"cg:matches takes a plain string, not {token.text}; {shape}")
    # The scanner matched the token as one whole string, so it is nothing else: pyoxigraph reads its escapes.
    [quad] = ox.parse(f"<s:> <p:> {token.text} .", ox.RdfFormat.TURTLE)
    return quad.object.value, None
