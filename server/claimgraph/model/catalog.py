"""The canned-query catalog: the SPARQL files of ``queries/``, their ``#+`` YAML headers, and typed parameters.

A canned query is a file ``<name>.rq`` (``name`` in kebab-case) that begins with a block of lines
starting ``#+``; with the ``#+`` and one space removed they are a YAML mapping (grlc's format):

``summary`` (required)
    One line saying what the query answers.
``description``, ``tags``
    More words; a list of keywords.
``params``
    A list of ``{name, type, required, default, values, description}``. ``type`` is one of
    ``iri`` (an absolute IRI), ``string``, ``integer``, ``decimal``, ``date`` (``YYYY-MM-DD``) or
    ``enum``. An ``enum`` lists its ``values`` either as a list of words, each bound as a plain
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
import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import yaml
from claimgraph.errors import CatalogError, ParamError
from claimgraph.rdf.sparqltext import scan

Term = ox.NamedNode | ox.Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DECIMAL = ox.NamedNode(XSD + "decimal")
XSD_DATE = ox.NamedNode(XSD + "date")

#: Parameter names the web API keeps for itself.
RESERVED = {"format"}
TYPES = ("iri", "string", "integer", "decimal", "date", "enum")
HEADER_KEYS = {"summary", "description", "tags", "params", "example"}
PARAM_KEYS = {"name", "type", "required", "default", "values", "description"}
EXPECT_KEYS = {"SELECT": {"rows", "includes"}, "CONSTRUCT": {"triples"}, "DESCRIBE": {"triples"}, "ASK": {"boolean"}}

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclasses.dataclass(frozen=True)
class Param:
    """A typed parameter of a canned query, bound to the query variable of the same name."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    #: the words an ``enum`` accepts.
    values: tuple[str, ...] = ()
    description: str = ""
    #: for an ``enum`` of IRIs, the IRI each of ``values`` binds, in the same order; empty when the words bind as literals.
    iris: tuple[str, ...] = ()

    @property
    def expected(self) -> str:
        """What a value must be, in words, for error messages."""
        if self.type == "enum":
            return "one of " + ", ".join(self.values)
        return {
            "iri": "an absolute IRI",
            "string": "a string",
            "integer": "an integer",
            "decimal": "a decimal number",
            "date": "a date as YYYY-MM-DD",
        }[self.type]

    def parse(self, text: str) -> Term:
        """The RDF term ``text`` stands for: an IRI, a plain string literal, or a canonical typed literal.

        :raises ParamError: if ``text`` is not of the parameter's type.
        """
        if self.type == "iri":
            try:
                return ox.NamedNode(text)
            except ValueError as error:
                raise self._error(text, f" ({error})") from None
        if self.type == "string":
            return ox.Literal(text)
        if self.type == "integer" and _INTEGER.fullmatch(text):
            return ox.Literal(str(int(text)), datatype=XSD_INTEGER)
        if self.type == "decimal" and _DECIMAL.fullmatch(text):
            value = Decimal(text).normalize()
            return ox.Literal(format(value if value else Decimal(0), "f"), datatype=XSD_DECIMAL)
        if self.type == "date" and _DATE.fullmatch(text):
            try:
                return ox.Literal(datetime.date.fromisoformat(text).isoformat(), datatype=XSD_DATE)
            except ValueError as error:
                raise self._error(text, f" ({error})") from None
        if self.type == "enum" and text in self.values:
            return ox.NamedNode(self.iris[self.values.index(text)]) if self.iris else ox.Literal(text)
        raise self._error(text)

    def _error(self, text: str, reason: str = "") -> ParamError:
        return ParamError(self.name, f"expected {self.expected}, got {text!r}{reason}")


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
        known = {param.name: param for param in self.params}
        for name in args:
            if name not in known:
                takes = f"known parameters: {', '.join(known)}" if known else "this query takes no parameters"
                raise ParamError(name, f"unknown parameter; {takes}")
        bindings: dict[ox.Variable, Term] = {}
        for param in self.params:
            text = args.get(param.name) or param.default
            if text is None:
                if param.required:
                    raise ParamError(param.name, f"required, expected {param.expected}")
                continue
            bindings[ox.Variable(param.name)] = param.parse(text)
        return bindings

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
        malformed header (bad YAML, no summary, an unknown key or parameter type, an enum without
        values, a default or example value not of its type, an example answer that does not fit
        the form), names a parameter the query cannot bind, or does not parse as a SPARQL query.
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
    header = _header(path, text)
    params = tuple(_param(path, entry) for entry in _list(path, header, "params", dict))
    names = [param.name for param in params]
    if len(set(names)) != len(names):
        raise CatalogError(f"{path}: a parameter is declared twice: {', '.join(names)}")
    form = _form(path, text, params)
    query = CannedQuery(
        name=path.stem,
        path=path,
        summary=header["summary"],
        description=_string(path, header, "description"),
        tags=tuple(_list(path, header, "tags", str)),
        params=params,
        example=header.get("example"),
        text=text,
        form=form,
    )
    return dataclasses.replace(query, example=_example(query))


def _header(path: Path, text: str) -> dict:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[2:].removeprefix(" "))
    if not lines:
        raise CatalogError(f"{path}: no '#+' YAML header")
    try:
        header = yaml.safe_load("\n".join(lines))
    except (yaml.YAMLError, ValueError) as error:  # PyYAML raises a bare ValueError for an impossible date
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CatalogError(f"{where}: header is not valid YAML: {getattr(error, 'problem', None) or error}") from error
    if not isinstance(header, dict):
        raise CatalogError(f"{path}: header must be a YAML mapping")
    _known_keys(f"{path}: unknown header key(s)", header, HEADER_KEYS)
    if not isinstance(header.get("summary"), str) or not header["summary"].strip():
        raise CatalogError(f"{path}: header has no summary")
    return header


def _known_keys(problem: str, mapping: dict, known: set[str]) -> None:
    unknown = set(mapping) - known
    if unknown:
        raise CatalogError(f"{problem} {', '.join(sorted(map(str, unknown)))}; known: {', '.join(sorted(known))}")


def _string(path: Path, mapping: dict, key: str) -> str:
    value = mapping.get(key, "")
    if not isinstance(value, str):
        raise CatalogError(f"{path}: {key} must be text")
    return value


def _list(path: Path, mapping: dict, key: str, item: type) -> list:
    value = mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(entry, item) for entry in value):
        raise CatalogError(f"{path}: {key} must be a list of {'mappings' if item is dict else 'words'}")
    return value


def _scalar(value: object) -> str | None:
    """A YAML scalar as the text a caller would send; None for a mapping, list or boolean."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
        return None
    return str(value)


def _param(path: Path, entry: dict) -> Param:
    name = entry.get("name")
    if not isinstance(name, str) or not _PARAM_NAME.fullmatch(name):
        raise CatalogError(f"{path}: parameter name {name!r} is not a SPARQL variable name (letters, digits, '_')")
    where = f"{path}: parameter {name!r}"
    if name in RESERVED:
        raise CatalogError(f"{where}: the name is reserved by the web API (it picks the answer's format)")
    _known_keys(f"{where}: unknown key(s)", entry, PARAM_KEYS)
    type_ = entry.get("type")
    if type_ not in TYPES:
        raise CatalogError(f"{where}: unknown type {type_!r}; known: {', '.join(TYPES)}")
    required = entry.get("required", False)
    if not isinstance(required, bool):
        raise CatalogError(f"{where}: required must be true or false")
    values, iris = _values(where, type_, entry.get("values"))
    default = None
    if entry.get("default") is not None:
        default = _scalar(entry["default"])
        if default is None:
            raise CatalogError(f"{where}: default must be a single value")
        if required:
            raise CatalogError(f"{where}: a required parameter cannot have a default")
    param = Param(name, type_, required, default, values, _string(path, entry, "description"), iris)
    if default is not None:
        try:
            param.parse(default)
        except ParamError as error:
            raise CatalogError(f"{path}: default of {error}") from None
    return param


def _values(where: str, type_: str, values: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of an enum and, for an enum of IRIs, their IRIs."""
    if type_ != "enum":
        if values is not None:
            raise CatalogError(f"{where}: values are for enum parameters only")
        return (), ()
    if not values:
        raise CatalogError(f"{where}: an enum needs values")
    if isinstance(values, list) and all(isinstance(value, str) for value in values):
        return tuple(values), ()
    if isinstance(values, dict) and all(isinstance(key, str) and isinstance(iri, str) for key, iri in values.items()):
        for word, iri in values.items():
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                raise CatalogError(f"{where}: value {word!r} maps to {iri!r}, not an absolute IRI ({error})") from None
        return tuple(values), tuple(values.values())
    raise CatalogError(f"{where}: values must be a list of words or a mapping of words to IRIs")


def _form(path: Path, text: str, params: tuple[Param, ...]) -> str:
    """Run the query on an empty store, once as it is and once per parameter bound, and tell its form."""
    probe = ox.Store()
    try:
        probe.query(text, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise CatalogError(f"{path}: query does not parse: {error}") from error
    for param in params:
        try:
            probe.query(text, use_default_graph_as_union=True, substitutions={ox.Variable(param.name): ox.Literal("")})
        except RuntimeError as error:
            raise CatalogError(
                f"{path}: parameter {param.name!r} is not a variable the query can bind; it must be projected ({error})"
            ) from error
    return scan(text).form


def _example(query: CannedQuery) -> dict | None:
    """The example with its parameters as text, once they bind and its answer is one the query's form can give."""
    example, path = query.example, query.path
    if example is None:
        return None
    if not isinstance(example, dict) or set(example) - {"params", "expect"}:
        raise CatalogError(f"{path}: example must be a mapping with params and expect")
    args = example.get("params") or {}
    if not isinstance(args, dict):
        raise CatalogError(f"{path}: example params must be a mapping of name to value")
    texts = {str(name): _scalar(value) for name, value in args.items()}
    if None in texts.values():
        raise CatalogError(f"{path}: example params must be single values")
    try:
        query.bind(texts)
    except ParamError as error:
        raise CatalogError(f"{path}: example: {error}") from None
    expect = example.get("expect")
    allowed = EXPECT_KEYS[query.form]
    if not isinstance(expect, dict) or not expect or set(expect) - allowed:
        raise CatalogError(f"{path}: example expect for a {query.form} query takes {', '.join(sorted(allowed))}")
    for key in ("rows", "triples"):
        if key in expect and (isinstance(expect[key], bool) or not isinstance(expect[key], int) or expect[key] < 0):
            raise CatalogError(f"{path}: example expect {key} must be a count")
    if "boolean" in expect and not isinstance(expect["boolean"], bool):
        raise CatalogError(f"{path}: example expect boolean must be true or false")
    includes = expect.get("includes", [])
    if not isinstance(includes, list) or not all(
        isinstance(row, dict) and all(_scalar(value) is not None for value in row.values()) for row in includes
    ):
        raise CatalogError(f"{path}: example expect includes must be a list of mappings of variable to value")
    if includes:
        expect = {**expect, "includes": [{str(var): _scalar(value) for var, value in row.items()} for row in includes]}
    return {"params": texts, "expect": expect}
