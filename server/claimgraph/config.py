"""Settings: defaults, overridden by ``CLAIMGRAPH_*`` environment variables, then by an explicit mapping.

The curated files (``ontology/``, ``data/``) are found inside the installed
package when it was built as a wheel, and at the top of the source checkout otherwise.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path


def resource_dir(name: str) -> Path:
    """The directory of the curated ``name`` files (``ontology`` or ``data``)."""
    packaged = resources.files("claimgraph") / "resources" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / name


@dataclasses.dataclass(frozen=True)
class Config:
    """Every setting of claimgraph, with its default.

    Each field can be set by the environment variable ``CLAIMGRAPH_<FIELD>`` (upper case).
    """

    store: Path = Path("var/store")
    ontology_dir: Path = dataclasses.field(default_factory=lambda: resource_dir("ontology"))
    data_dir: Path = dataclasses.field(default_factory=lambda: resource_dir("data"))

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] = os.environ) -> Config:
        """Defaults, then ``CLAIMGRAPH_*`` variables from ``environ``, then ``overrides`` (``None`` values ignored).

        :raises ValueError: if ``overrides`` names a setting that does not exist.
        """
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, object] = {
            name: environ[f"CLAIMGRAPH_{name.upper()}"] for name in fields if f"CLAIMGRAPH_{name.upper()}" in environ
        }
        for name, value in (overrides or {}).items():
            if name not in fields:
                raise ValueError(f"unknown setting {name!r}; known settings: {', '.join(fields)}")
            if value is not None:
                values[name] = value
        return cls(**{name: _PARSERS[fields[name].type](value) for name, value in values.items()})


# Field annotations are strings (postponed evaluation); each names the parser of its values.
_PARSERS = {"Path": Path, "str": str, "int": int, "float": float}
