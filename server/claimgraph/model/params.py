"""The parameter types of canned queries: one table, a row per type, and the typed parameter itself.

Each row says what a value must be in words (for messages), how its text becomes an RDF term (to be
bound through pyoxigraph's substitutions, never pasted into query text), and its JSON Schema (for
``/openapi.json``). The catalog's header schema takes the type names from here too.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal

import pyoxigraph as ox

from claimgraph.errors import ParamError

Term = ox.NamedNode | ox.Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = ox.NamedNode(XSD + "integer")
XSD_DECIMAL = ox.NamedNode(XSD + "decimal")
XSD_DATE = ox.NamedNode(XSD + "date")

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclasses.dataclass(frozen=True)
class ParamType:
    """A parameter type: its words, its parser and its JSON Schema, each given the parameter (an enum's values)."""

    name: str
    #: what a value must be, in words: "an integer", "one of a, b".
    words: Callable[[Param], str]
    #: the RDF term a value's text stands for; raises ``ValueError`` (its message, possibly empty, the reason) if the
    #: text is not of the type.
    parse: Callable[[Param, str], Term]
    #: the JSON Schema of a value.
    schema: Callable[[Param], dict[str, object]]


def _matching(pattern: re.Pattern[str], text: str) -> str:
    if not pattern.fullmatch(text):
        raise ValueError("")
    return text


def _decimal(text: str) -> ox.Literal:
    value = Decimal(_matching(_DECIMAL, text)).normalize()
    return ox.Literal(format(value if value else Decimal(0), "f"), datatype=XSD_DECIMAL)


def _enum(param: Param, text: str) -> Term:
    if text not in param.values:
        raise ValueError("")
    return ox.NamedNode(param.iris[param.values.index(text)]) if param.iris else ox.Literal(text)


#: The parameter types, by name.
TYPES: dict[str, ParamType] = {
    row.name: row
    for row in (
        ParamType("iri", lambda p: "an absolute IRI", lambda p, text: ox.NamedNode(text),
                  lambda p: {"type": "string", "format": "iri"}),
        ParamType("string", lambda p: "a string", lambda p, text: ox.Literal(text), lambda p: {"type": "string"}),
        ParamType("integer", lambda p: "an integer",
                  lambda p, text: ox.Literal(str(int(_matching(_INTEGER, text))), datatype=XSD_INTEGER),
                  lambda p: {"type": "integer"}),
        ParamType("decimal", lambda p: "a decimal number", lambda p, text: _decimal(text), lambda p: {"type": "number"}),
        ParamType("date", lambda p: "a date as YYYY-MM-DD",
                  lambda p, text: ox.Literal(datetime.date.fromisoformat(_matching(_DATE, text)).isoformat(), datatype=XSD_DATE),
                  lambda p: {"type": "string", "format": "date"}),
        ParamType("enum", lambda p: "one of " + ", ".join(p.values), _enum,
                  lambda p: {"type": "string", "enum": list(p.values)}),
    )
}


@dataclasses.dataclass(frozen=True)
class Param:
    """A typed parameter of a canned query, bound to the query variable of the same name."""

    name: str
    #: a key of :data:`TYPES`.
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
        return TYPES[self.type].words(self)

    @property
    def schema(self) -> dict[str, object]:
        """The JSON Schema of a value, with the default when there is one."""
        return {**TYPES[self.type].schema(self), **({"default": self.default} if self.default is not None else {})}

    def parse(self, text: str) -> Term:
        """The RDF term ``text`` stands for: an IRI, a plain string literal, or a canonical typed literal.

        :raises ParamError: if ``text`` is not of the parameter's type.
        """
        try:
            return TYPES[self.type].parse(self, text)
        except ValueError as error:
            reason = f" ({error})" if str(error) else ""
            raise ParamError(self.name, f"expected {self.expected}, got {text!r}{reason}") from None


def bind(params: tuple[Param, ...], args: Mapping[str, str]) -> dict[ox.Variable, Term]:
    """The substitutions for ``Store.query`` that the values ``args`` (name → text) of ``params`` give.

    A parameter that is not given, or given as the empty string, takes its default; without
    one it stays unbound, so that it matches anything.

    :raises ParamError: for a name that is not one of ``params``, a required parameter without a
        value, or a value that is not of its parameter's type.
    """
    known = {param.name: param for param in params}
    for name in args:
        if name not in known:
            takes = f"known parameters: {', '.join(known)}" if known else "this query takes no parameters"
            raise ParamError(name, f"unknown parameter; {takes}")
    bindings: dict[ox.Variable, Term] = {}
    for param in params:
        text = args.get(param.name) or param.default
        if text is None:
            if param.required:
                raise ParamError(param.name, f"required, expected {param.expected}")
            continue
        bindings[ox.Variable(param.name)] = param.parse(text)
    return bindings
