"""The canned-query catalog: the SPARQL files of ``queries/``, their ``#+`` YAML headers, and typed parameters.

A canned query is a file ``<name>.rq`` (``name`` in kebab-case) that begins with a block of lines
starting ``#+``; with the ``#+`` and one space removed they are a YAML mapping (grlc's format),
checked against the JSON Schema :data:`claimgraph.model.header.SCHEMA`:

``summary`` (required)
    One line saying what the query answers.
``description``, ``tags``
    More words; a list of keywords.
``params``
    A list of ``{name, type, required, default, values, description}``. ``type`` is one of
    :data:`claimgraph.model.params.TYPES`: ``iri`` (an absolute IRI), ``string``, ``integer``,
    ``decimal``, ``date`` (``YYYY-MM-DD``) or ``enum``. An ``enum`` lists its ``values`` either as a list of words, each bound as a plain
    string literal, or as a mapping word → absolute IRI, the word chosen binding its IRI (for
    controlled vocabularies such as claim kinds). ``required`` is false unless stated; a
    ``default`` must pass its own type and is used when the parameter is not given.
``example``
    ``{params: {name: value, ...}, expect: {...}}``: a call and the answer it must give, as
    ``expect: {rows: N, includes: [{var: value, ...}, ...]}`` for SELECT (``N`` rows; each entry
    of ``includes`` matches some row whose named variables have these lexical values),
    ``{triples: N}`` for CONSTRUCT and DESCRIBE (``N`` distinct triples), ``{boolean: B}`` for ASK.

Parameter values are never pasted into the query text: :meth:`CannedQuery.bind` turns them into
RDF terms for pyoxigraph's ``Store.query(..., substitutions=...)``. pyoxigraph binds a variable
only if the query projects it (a SELECT's projection, a subquery's, or a CONSTRUCT's pattern), so
every parameter must be such a variable; :func:`load` checks this. Write parameters into triple
patterns or expressions, not into ``BOUND(...)``: pyoxigraph 0.5 evaluates ``BOUND`` of a
substituted variable that no pattern binds as false. An optional parameter left unbound matches
anything where it stands in a triple pattern.

The queries run with the union of the named graphs as default graph, as the store does.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from claimgraph.errors import CatalogError, ParamError
from claimgraph.model import header as headers
from claimgraph.model.params import Param, Term, bind
from claimgraph.rdf.sparqltext import scan

__all__ = ["CannedQuery", "CatalogError", "Param", "ParamError", "load"]

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclasses.dataclass(frozen=True)
class CannedQuery:
    """A query file of the catalog: its header, its text (header included, as ``#`` comments) and its form."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    #: the header's ``example``, its parameters and expected values as text (as a caller sends, as results give); or None.
    example: dict | None
    text: str
    #: ``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``.
    form: str

    def bind(self, args: Mapping[str, str]) -> dict[ox.Variable, Term]:
        """The substitutions for ``Store.query`` that the parameter values ``args`` (name → text) give.

        A parameter that is not given, or given as the empty string, takes its default; without
        one it stays unbound, so that it matches anything.

        :raises ParamError: for a name that is not a parameter of the query, a required parameter
            without a value, or a value that is not of its parameter's type.
        """
        return bind(self.params, args)

    def check(self, result: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean) -> list[str]:
        """How ``result``, the answer to the example call, differs from the example's ``expect``; empty if it does not.

        Consumes ``result``. A query without an example has nothing to differ from.
        """
        if self.example is None:
            return []
        expect = self.example["expect"]
        if isinstance(result, ox.QueryBoolean):
            return [] if bool(result) == expect["boolean"] else [f"expected {expect['boolean']}, got {bool(result)}"]
        if isinstance(result, ox.QueryTriples):
            triples = set(result)
            return [] if len(triples) == expect["triples"] else [f"expected {expect['triples']} triples, got {len(triples)}"]
        names = [variable.value for variable in result.variables]
        rows = [{name: row[name].value for name in names if row[name] is not None} for row in result]
        problems = []
        if expect.get("rows", len(rows)) != len(rows):
            problems.append(f"expected {expect['rows']} rows, got {len(rows)}")
        for wanted in expect.get("includes", []):
            if not any(all(row.get(var) == value for var, value in wanted.items()) for row in rows):
                problems.append(f"no row with {wanted}")
        return problems


def load(queries_dir: Path) -> dict[str, CannedQuery]:
    """Every ``*.rq`` file of ``queries_dir``, parsed, checked and keyed by name, in name order.

    Each query is run once against an empty in-memory store, which checks its syntax, tells its
    form, and proves that every parameter is a variable the query can bind; the example's
    parameters are bound as a caller's would be.

    :raises CatalogError: if ``queries_dir`` is not a directory, or a file cannot be read, has a
        malformed header (bad YAML, not fitting :data:`~claimgraph.model.header.SCHEMA`, a parameter
        declared twice, an enum word mapped to no absolute IRI, a default or example value not of
        its type, an example answer that does not fit the form), names a parameter the query cannot
        bind, or does not parse as a SPARQL query. The message names the file, the line when known,
        and the JSON path of the header's value at fault.
    """
    if not queries_dir.is_dir():
        raise CatalogError(f"{queries_dir}: not a directory")
    return {path.stem: _read(path) for path in sorted(queries_dir.glob("*.rq"))}


def _read(path: Path) -> CannedQuery:
    if not _NAME.fullmatch(path.stem):
        raise CatalogError(f"{path}: query names are kebab-case (lower-case letters, digits, hyphens)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path}: cannot read: {error}") from error
    header = headers.read(path, text)
    params = tuple(_param(header, index, entry) for index, entry in enumerate(header.get("params") or []))
    for index, param in enumerate(params):
        if param.name in (earlier.name for earlier in params[:index]):
            raise header.error(["params", index, "name"], f"parameter {param.name!r} is declared twice")
    form = _form(header, text, params)
    header.check(headers.EXPECT[form])
    return CannedQuery(
        name=path.stem,
        path=path,
        summary=header["summary"],
        description=header.get("description", ""),
        tags=tuple(header.get("tags") or ()),
        params=params,
        example=_example(header, params),
        text=text,
        form=form,
    )


def _param(header: headers.Header, index: int, entry: dict) -> Param:
    """The ``index``-th parameter of the header, once its enum IRIs and its default are of their type."""
    values = entry.get("values") or ()
    iris: tuple[str, ...] = ()
    if isinstance(values, dict):
        for word, iri in values.items():
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise header.error(["params", index, "values", word], f"maps to {iri!r}, not an absolute IRI ({error})") from None
        iris = tuple(values.values())
    default = entry.get("default")
    param = Param(
        name=entry["name"],
        type=entry["type"],
        required=entry.get("required", False),
        default=None if default is None else str(default),
        values=tuple(values),
        description=entry.get("description", ""),
        iris=iris,
    )
    if param.default is not None:
        try:
            param.parse(param.default)
        except ParamError as error:
            raise header.error(["params", index, "default"], error.message) from None
    return param


def _form(header: headers.Header, text: str, params: tuple[Param, ...]) -> str:
    """Run the query on an empty store, once as it is and once per parameter bound, and tell its form."""
    probe = ox.Store()
    try:
        probe.query(text, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise CatalogError(f"{header.path}: query does not parse: {error}") from error
    for index, param in enumerate(params):
        try:
            probe.query(text, use_default_graph_as_union=True, substitutions={ox.Variable(param.name): ox.Literal("")})
        except RuntimeError as error:
            raise header.error(
                ["params", index, "name"],
                f"parameter {param.name!r} is not a variable the query can bind; it must be projected ({error})",
            ) from error
    return scan(text).form


def _example(header: headers.Header, params: tuple[Param, ...]) -> dict | None:
    """The example with its parameters and expected values as text, once its parameters bind."""
    example = header.get("example")
    if example is None:
        return None
    texts = {name: str(value) for name, value in (example.get("params") or {}).items()}
    try:
        bind(params, texts)
    except ParamError as error:
        raise header.error(["example", "params", error.param], error.message) from None
    expect = example["expect"]
    if "includes" in expect:
        expect = {**expect, "includes": [{var: str(value) for var, value in row.items()} for row in expect["includes"]]}
    return {"params": texts, "expect": expect}
