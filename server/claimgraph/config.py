"""Settings: defaults, overridden by ``CLAIMGRAPH_*`` environment variables, then by an explicit mapping.

The curated files (``ontology/``, ``data/``, ``queries/``) are found inside the installed
package when it was built as a wheel, and at the top of the source checkout otherwise.
"""

from __future__ import annotations

import dataclasses
import os
import urllib.parse
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


def _positive(value: int | float) -> None:
    if not value > 0:
        raise ValueError(f"must be a positive number, got {value!r}")


def _non_negative(value: int) -> None:
    if value < 0:
        raise ValueError(f"must be 0 or more, got {value!r}")


def _port(value: int) -> None:
    if not 0 <= value <= 65535:
        raise ValueError(f"must be a port number (0 to 65535), got {value!r}")


def _public_url(value: str) -> None:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"must be an absolute http or https URL with no query or fragment, e.g. https://claims.example.org/, got {value!r}")


def _iri_base(value: str) -> None:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or not value.endswith("/"):
        raise ValueError(f"must be an absolute http or https IRI ending in '/', e.g. https://w3id.org/claimgraph/, got {value!r}")


def _path(text: str) -> Path:
    if not text:
        raise ValueError("must be a path, got an empty text")
    return Path(text)


def _words(text: str) -> tuple[str, ...]:
    """A list given as text: items separated by commas or whitespace."""
    return tuple(item for item in text.replace(",", " ").split() if item)


def _setting(
    default: object = dataclasses.MISSING,
    *,
    factory: Callable[[], object] | None = None,
    kind: type,
    parse: Callable[[str], object] | None = None,
    check: Callable[[object], None] | None = None,
):
    """A field of :class:`Config` holding a ``kind``: ``parse`` turns text (an environment variable's) into one
    (default: ``kind`` itself), ``check`` refuses values out of range with a ``ValueError``."""
    metadata = {"kind": kind, "parse": parse or kind, "check": check}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _value(field: dataclasses.Field, value: object) -> object:
    """``value`` as the setting ``field`` holds it: text is read as the environment variable's would be; any other
    value must be of the setting's kind already (an int does for a float; a bool is no number; a list of texts
    does for a tuple of them).

    :raises ValueError: saying what is wrong, if it is of another type or out of range.
    """
    kind = field.metadata["kind"]
    if isinstance(value, str) and kind is not str:
        value = field.metadata["parse"](value)
    elif kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    elif kind is tuple and isinstance(value, list):
        value = tuple(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"must be {_KIND_NAMES[kind]}, got {type(value).__name__} {value!r}")
    if kind is tuple and not all(isinstance(item, str) and item for item in value):
        raise ValueError(f"must be a list of non-empty texts, got {value!r}")
    if field.metadata["check"] is not None:
        field.metadata["check"](value)
    return value


_KIND_NAMES = {Path: "a path", str: "a text", int: "an integer", float: "a number", tuple: "a list of texts"}


@dataclasses.dataclass(frozen=True)
class Config:
    """Every setting of claimgraph, with its default.

    Each field can be set by the environment variable ``CLAIMGRAPH_<FIELD>`` (upper case); an empty
    variable counts as unset. Relative paths are relative to the working directory.
    """

    store: Path = _setting(Path("var/store"), kind=Path, parse=_path)
    ontology_dir: Path = _setting(factory=lambda: resource_dir("ontology"), kind=Path, parse=_path)
    data_dir: Path = _setting(factory=lambda: resource_dir("data"), kind=Path, parse=_path)
    queries_dir: Path = _setting(factory=lambda: resource_dir("queries"), kind=Path, parse=_path)
    host: str = _setting("127.0.0.1", kind=str)
    port: int = _setting(8000, kind=int, check=_port)
    #: query worker processes; queries run in parallel across them.
    workers: int = _setting(factory=lambda: os.cpu_count() or 1, kind=int, check=_positive)
    #: the most query worker processes at once: more are started while every one is busy, so that a short query never
    #: waits behind long ones (while more queries run than cores, the long ones run at a lower CPU priority); those
    #: beyond ``workers`` end when idle.
    max_workers: int = _setting(factory=lambda: 16 * (os.cpu_count() or 1), kind=int, check=_positive)
    #: the service's own public base URL (where its ``/`` is reached, e.g. ``https://claims.example.org/``): the IRIs
    #: of graphs the Graph Store creates, and their ``Location``, are minted under it whatever Host a client sent.
    #: Unset, they are minted under the URL the POST was sent to; a service behind a proxy, or reached by several
    #: names, must set it.
    public_url: str | None = _setting(None, kind=str, check=_public_url)
    #: how many reverse proxies in front of the service set ``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Port`` and
    #: ``-Prefix`` (werkzeug's ``ProxyFix`` trusts that many values of each, the last ones); 0, the default, ignores
    #: these headers, as any client can send them. Behind one proxy at ``https://claims.example.org/claims/``, 1 makes
    #: every link, form, ``Location`` and minted IRI point there.
    proxy_hops: int = _setting(0, kind=int, check=_non_negative)
    #: the IRI base the dataset mints its IRIs under; each IRI below it in ``id/``, ``graph/``, ``kind/`` or ``unit/``
    #: is served at the same path below the service's own root (``<iri_base>id/claim/x`` at ``/id/claim/x``).
    #: claimgraph's ontology is served at ``/ontology`` whatever the base.
    iri_base: str = _setting("https://w3id.org/claimgraph/", kind=str, check=_iri_base)
    #: bearer token that unlocks writes; writes are refused while it is unset.
    update_token: str | None = _setting(None, kind=str)
    #: seconds a query or update may run before its worker process is ended.
    query_timeout: float = _setting(10.0, kind=float, check=_positive)
    #: bytes of query answers kept in memory to answer the same query again until the next write (0: none kept);
    #: see :mod:`claimgraph.store.cache`.
    cache_bytes: int = _setting(64 * 1024 * 1024, kind=int, check=_non_negative)
    #: most result rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer; the rest is cut and the cut stated.
    max_rows: int = _setting(10_000, kind=int, check=_positive)
    #: largest request body in bytes (413 beyond).
    max_request_bytes: int = _setting(16 * 1024 * 1024, kind=int, check=_positive)
    #: origins allowed to call the service from a browser (``*`` for any); none by default.
    cors_origins: tuple[str, ...] = _setting((), kind=tuple, parse=_words)
    #: request headers a browser may send cross-origin, as a CORS preflight is answered (``*`` for any).
    cors_headers: tuple[str, ...] = _setting(
        ("Accept", "Authorization", "Cache-Control", "Content-Type", "If-Modified-Since", "If-None-Match", "Pragma",
         "User-Agent", "X-Requested-With"),
        kind=tuple,
        parse=_words,
    )
    #: SERVICE endpoints and LOAD sources that queries and updates may reach; none by default.
    remote_allow: tuple[str, ...] = _setting((), kind=tuple, parse=_words)

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] = os.environ) -> Config:
        """Defaults, then non-empty ``CLAIMGRAPH_*`` variables from ``environ``, then ``overrides`` (``None`` values ignored).

        An override given as text is read as the variable's text would be (``"some/dir"`` becomes a :class:`Path`,
        ``"8"`` an int); any other override must be of the setting's type already (see :func:`_value`).

        :raises ValueError: naming the setting (or variable), if ``overrides`` names a setting that does not exist,
            or a value is of the wrong type or out of range.
        """
        fields = {field.name: field for field in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for name, field in fields.items():
            text = environ.get(f"CLAIMGRAPH_{name.upper()}", "")
            if text:
                try:
                    values[name] = _value(field, text)
                except ValueError as error:
                    raise ValueError(f"CLAIMGRAPH_{name.upper()}={text!r}: {error}") from error
        for name, value in (overrides or {}).items():
            if name not in fields:
                raise ValueError(f"unknown setting {name!r}; known settings: {', '.join(fields)}")
            if value is not None:
                try:
                    values[name] = _value(fields[name], value)
                except ValueError as error:
                    raise ValueError(f"setting {name!r}: {error}") from error
        return cls(**values)
