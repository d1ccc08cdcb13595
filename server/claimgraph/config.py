"""Settings: defaults, overridden by ``CLAIMGRAPH_*`` environment variables, then by an explicit mapping.

The curated files (``ontology/``, ``data/``, ``queries/``) are found inside the installed
package when it was built as a wheel, and at the top of the source checkout otherwise.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path


def resource_dir(name: str) -> Path:
    """The directory of the curated ``name`` files (``ontology``, ``data`` or ``queries``).

    :raises FileNotFoundError: if neither the installed package nor the source checkout has it.
    """
    packaged = resources.files("claimgraph") / "resources" / name
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / name
    if not checkout.is_dir():
        raise FileNotFoundError(f"no {name}/ directory in the installed package or the source checkout")
    return checkout


def _setting(default: object = dataclasses.MISSING, *, factory: Callable[[], object] | None = None, parse: Callable[[str], object]):
    """A field of :class:`Config`; ``parse`` turns the text of an environment variable into its value."""
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata={"parse": parse})
    return dataclasses.field(default=default, metadata={"parse": parse})


@dataclasses.dataclass(frozen=True)
class Config:
    """Every setting of claimgraph, with its default.

    Each field can be set by the environment variable ``CLAIMGRAPH_<FIELD>`` (upper case); an empty
    variable counts as unset. Relative paths are relative to the working directory.
    """

    store: Path = _setting(Path("var/store"), parse=Path)
    ontology_dir: Path = _setting(factory=lambda: resource_dir("ontology"), parse=Path)
    data_dir: Path = _setting(factory=lambda: resource_dir("data"), parse=Path)
    queries_dir: Path = _setting(factory=lambda: resource_dir("queries"), parse=Path)

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] = os.environ) -> Config:
        """Defaults, then non-empty ``CLAIMGRAPH_*`` variables from ``environ``, then ``overrides`` (``None`` values ignored).

        :raises ValueError: if ``overrides`` names a setting that does not exist, or a variable's text is not a valid value.
        """
        fields = {field.name: field for field in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for name, field in fields.items():
            text = environ.get(f"CLAIMGRAPH_{name.upper()}", "")
            if text:
                try:
                    values[name] = field.metadata["parse"](text)
                except ValueError as error:
                    raise ValueError(f"CLAIMGRAPH_{name.upper()}={text!r}: {error}") from error
        for name, value in (overrides or {}).items():
            if name not in fields:
                raise ValueError(f"unknown setting {name!r}; known settings: {', '.join(fields)}")
            if value is not None:
                values[name] = value
        return cls(**values)
