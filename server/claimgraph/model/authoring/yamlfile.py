"""A YAML file read with the line of every mapping, list and key, so that each fault found in it later can name the
line it is on.

Only YAML's safe types are built. Dates and times stay the strings they were written as (``2017-09-27``), since a
date's written form says how precise it is; numbers with a fraction become :class:`~decimal.Decimal`, so that
``0.5`` is written back as it was.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from claimgraph.errors import AuthoringError


class Mapping(dict):
    """A YAML mapping; ``line`` is where it starts, ``lines[key]`` where each key is (1-based)."""

    line: int
    lines: dict[object, int]

    def line_of(self, key: object) -> int:
        """The line of ``key`` when the mapping has it, else the mapping's own line."""
        return self.lines.get(key, self.line)


class Sequence(list):
    """A YAML list; ``line`` is where it starts, ``lines[i]`` where each item is (1-based)."""

    line: int
    lines: list[int]


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping the marks of the nodes it builds."""


def _mapping(loader: _Loader, node: yaml.MappingNode):
    data = Mapping()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int)):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain word", key_node.start_mark)
        if key in data:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} occurs twice (first on line {data.lines[key]})", key_node.start_mark
            )
        data.lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


def _sequence(loader: _Loader, node: yaml.SequenceNode):
    data = Sequence()
    data.line = node.start_mark.line + 1
    data.lines = [item.start_mark.line + 1 for item in node.value]
    yield data
    data.extend(loader.construct_object(item, deep=True) for item in node.value)


def _decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal | float:
    written = loader.construct_scalar(node)
    try:
        number = Decimal(written.replace("_", ""))
    except InvalidOperation:
        return loader.construct_yaml_float(node)
    return number if number.is_finite() else loader.construct_yaml_float(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)
_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load(path: Path, name: str) -> Mapping:
    """The YAML document in ``path`` (``name`` is how messages call the file), which must be a mapping.

    :raises AuthoringError: if the file cannot be read, is not UTF-8, is not YAML (the problem names the line and
        column), has a key twice in one mapping, or is not a mapping.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AuthoringError([f"{name}: cannot read: {error.strerror}"]) from error
    except UnicodeDecodeError as error:
        raise AuthoringError([f"{name}: not UTF-8 (byte {error.start})"]) from error
    try:
        document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        raise AuthoringError([f"{where}: {error.problem or error.context}"]) from error
    except yaml.YAMLError as error:
        raise AuthoringError([f"{name}: {error}"]) from error
    if not isinstance(document, Mapping):
        raise AuthoringError([f"{name}: the file must be a mapping with the keys source, claims (and figures, entities, reviews)"])
    return document
