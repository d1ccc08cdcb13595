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


def _positive(kind: Callable[[str], int | float]) -> Callable[[str], int | float]:
    """A parser of positive numbers of ``kind`` (``int`` or ``float``)."""

    def parse(text: str) -> int | float:
        value = kind(text)
        if not value > 0:
            raise ValueError(f"must be a positive number, got {text!r}")
        return value

    return parse


def _words(text: str) -> tuple[str, ...]:
    """A list given as text: items separated by commas or whitespace."""
    return tuple(item for item in text.replace(",", " ").split() if item)


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
    host: str = _setting("127.0.0.1", parse=str)
    port: int = _setting(8000, parse=int)
    #: query worker processes; queries run in parallel across them.
    workers: int = _setting(factory=lambda: os.cpu_count() or 1, parse=_positive(int))
    #: bearer token that unlocks writes; writes are refused while it is unset.
    update_token: str | None = _setting(None, parse=str)
    #: seconds a query or update may run before its worker process is ended.
    query_timeout: float = _setting(10.0, parse=_positive(float))
    #: most result rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer; the rest is cut and the cut stated.
    max_rows: int = _setting(10_000, parse=_positive(int))
    #: largest request body in bytes (413 beyond).
    max_request_bytes: int = _setting(16 * 1024 * 1024, parse=_positive(int))
    #: origins allowed to call the service from a browser (``*`` for any); none by default.
    cors_origins: tuple[str, ...] = _setting((), parse=_words)
    #: request headers a browser may send cross-origin, as a CORS preflight is answered (``*`` for any).
    cors_headers: tuple[str, ...] = _setting(
        ("Accept", "Authorization", "Cache-Control", "Content-Type", "If-Modified-Since", "If-None-Match", "Pragma",
         "User-Agent", "X-Requested-With"),
        parse=_words,
    )
    #: SERVICE endpoints and LOAD sources that queries and updates may reach; none by default.
    remote_allow: tuple[str, ...] = _setting((), parse=_words)

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
