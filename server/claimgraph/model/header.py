"""The ``#+`` YAML header of a canned query, read and checked against a declared JSON Schema.

:data:`SCHEMA` says what a header may hold; :data:`EXPECT` adds, per query form, what its example
may expect. An error names the file, the line of the YAML node at fault, and the JSON path to it
(``queries/x.rq:6: params[0].type: 'iri2' is not one of [...]``). A subschema may carry an
``errorMessage`` (the convention of ajv-errors): a message, or a mapping of keyword to message, said
instead of the validator's own; ``{instance!r}`` in it stands for the value at fault.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

import jsonschema
import jsonschema.exceptions
import yaml

from claimgraph.errors import CatalogError
from claimgraph.model.params import TYPES
from claimgraph.rdf.formats import PARAMETER

#: A single value, as a caller sends it (YAML dates are read as their text).
_SCALAR = {"type": ["string", "number"]}
_COUNT = {"type": "integer", "minimum": 0, "errorMessage": "must be a count (a whole number, 0 or more)"}
_WORDS = {"type": ["array", "null"], "items": {"type": "string"}}

_PARAM = {
    "type": "object",
    "required": ["name", "type"],
    "additionalProperties": False,
    "properties": {
        "name": {
            "type": "string",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            "not": {"const": PARAMETER},
            "errorMessage": {
                "pattern": "{instance!r} is not a SPARQL variable name (letters, digits, '_')",
                "not": "the name is reserved by the web API (it picks the answer's format)",
            },
        },
        "type": {"enum": list(TYPES)},
        "required": {"type": "boolean"},
        "default": {"type": ["string", "number", "null"]},
        "values": {
            "type": ["array", "object"],
            "items": {"type": "string"},
            "minItems": 1,
            "propertyNames": {"type": "string"},
            "additionalProperties": {"type": "string"},
            "minProperties": 1,
            "errorMessage": {
                "type": "values must be a list of words or a mapping of words to IRIs",
                "minItems": "an enum needs values",
                "minProperties": "an enum needs values",
            },
        },
        "description": {"type": "string"},
    },
    "allOf": [
        {
            "if": {"required": ["type"], "properties": {"type": {"const": "enum"}}},
            "then": {"required": ["values"], "errorMessage": "an enum needs values"},
            "else": {"not": {"required": ["values"]}, "errorMessage": "values are for enum parameters only"},
        },
        {
            "if": {"required": ["required"], "properties": {"required": {"const": True}}},
            "then": {"not": {"required": ["default"]}, "errorMessage": "a required parameter cannot have a default"},
        },
    ],
}

#: What a ``#+`` header may hold.
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["summary"],
    "additionalProperties": False,
    "errorMessage": {"type": "must be a YAML mapping", "required": "has no summary"},
    "properties": {
        "summary": {"type": "string", "pattern": r"\S", "not": {"pattern": "[\r\n]"}, "errorMessage": "must be one line of text"},
        "description": {"type": "string"},
        "tags": _WORDS,
        "params": {"type": ["array", "null"], "items": _PARAM},
        "example": {
            "type": "object",
            "additionalProperties": False,
            "errorMessage": {"type": "must be a mapping with params and expect"},
            "properties": {
                "params": {"type": ["object", "null"], "propertyNames": {"type": "string"}, "additionalProperties": _SCALAR},
                "expect": {
                    "type": "object",
                    "properties": {
                        "rows": _COUNT,
                        "triples": _COUNT,
                        "boolean": {"type": "boolean"},
                        "includes": {
                            "type": "array",
                            "items": {"type": "object", "propertyNames": {"type": "string"}, "additionalProperties": _SCALAR},
                        },
                    },
                },
            },
        },
    },
}


def _expect(form: str, keys: Sequence[str]) -> dict:
    """The schema of a header whose query is of ``form``, whose example expects some of ``keys``."""
    message = f"expect for a {form} query takes {', '.join(sorted(keys))}"
    return {
        "properties": {
            "example": {
                "required": ["expect"],
                "errorMessage": {"required": message},
                "properties": {
                    "expect": {
                        "minProperties": 1,
                        "propertyNames": {"enum": sorted(keys), "errorMessage": message},
                        "errorMessage": {"minProperties": message},
                    }
                },
            }
        }
    }


#: Per query form, what its example's ``expect`` may hold, beside :data:`SCHEMA`.
EXPECT = {
    "SELECT": _expect("SELECT", ["rows", "includes"]),
    "CONSTRUCT": _expect("CONSTRUCT", ["triples"]),
    "DESCRIBE": _expect("DESCRIBE", ["triples"]),
    "ASK": _expect("ASK", ["boolean"]),
}


class Header(dict):
    """A header: the YAML mapping, with YAML dates as their text, and the YAML node of each of its values."""

    def __init__(self, path: Path, mapping: dict, node: yaml.Node) -> None:
        super().__init__(mapping)
        self.path = path
        self.node = node

    def error(self, where: Sequence[str | int], message: str) -> CatalogError:
        """A :class:`CatalogError` naming the file, the line of the node at ``where`` (keys and indexes), and its path."""
        return _error(self.path, self.node, where, message)

    def check(self, schema: dict) -> None:
        """Check the header against ``schema``.

        :raises CatalogError: naming the most relevant error, where it is, and what is wrong.
        """
        _check(self.path, self.node, dict(self), schema)


def read(path: Path, text: str) -> Header:
    """The ``#+`` header at the top of ``text``, the file at ``path``, checked against :data:`SCHEMA`.

    :raises CatalogError: if there is no header, it is not valid YAML (a key given twice in a mapping, an impossible
        date such as 2020-02-30 included: the line is named), or it does not fit :data:`SCHEMA`.
    """
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[2:].removeprefix(" "))
    if not lines:
        raise CatalogError(f"{path}: no '#+' YAML header")
    source = "\n".join(lines)
    try:
        value = _as_text(yaml.load(source, Loader=_Loader))
        node = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise CatalogError(f"{where}: header is not valid YAML: {getattr(error, 'problem', None) or error}") from error
    _check(path, node, value, SCHEMA)
    return Header(path, value, node)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what it lets pass or reports without a place: a key given twice in a mapping
    (PyYAML keeps the last), and an impossible date (PyYAML raises a bare ``ValueError``)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first: dict[object, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # unhashable keys and merges are PyYAML's to judge
            key = self.construct_object(key_node)
            if key in first:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"the key {key!r} is given twice (first on line {first[key] + 1})", key_node.start_mark,
                )
            first[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(None, None, f"{error} ({node.value!r})", node.start_mark) from error


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _check(path: Path, node: yaml.Node | None, value: object, schema: dict) -> None:
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(value))
    if error is not None:
        raise _error(path, node, list(error.absolute_path), _message(error))


def _error(path: Path, node: yaml.Node | None, where: Sequence[str | int], message: str) -> CatalogError:
    return CatalogError(f"{path}:{_line(node, where)}: {_json_path(where)}: {message}")


def _as_text(value: object) -> object:
    """``value`` with every YAML date or timestamp as its text, as a caller would send it."""
    if isinstance(value, datetime.date):
        return str(value)
    if isinstance(value, dict):
        return {key: _as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return value


def _json_path(where: Sequence[str | int]) -> str:
    """``where`` as a JSON path without its ``$.``: ``params[1].type``; ``header`` for the whole."""
    text = "".join(f"[{part}]" if isinstance(part, int) and not isinstance(part, bool) else f".{part}" for part in where)
    return text.removeprefix(".") or "header"


def _line(node: yaml.Node | None, where: Sequence[str | int]) -> int:
    """The line (from 1, the file's and the header's alike) of the deepest YAML node found along ``where``."""
    for part in where:
        found = None
        if isinstance(node, yaml.MappingNode):
            found = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            found = node.value[part]
        if found is None:
            break
        node = found
    return node.start_mark.line + 1 if node is not None else 1


def _message(error: jsonschema.exceptions.ValidationError) -> str:
    """The message for ``error``: its subschema's ``errorMessage`` if it has one for the keyword, else the validator's."""
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    if isinstance(custom, dict):
        custom = custom.get(error.validator)
    if custom is not None:
        return custom.format(instance=error.instance)
    if error.validator == "additionalProperties" and error.validator_value is False:
        unknown = sorted(map(str, set(error.instance) - set(error.schema.get("properties", {}))))
        return f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(error.schema['properties']))}"
    return error.message
