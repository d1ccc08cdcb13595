"""A lexical view of SPARQL text: what the service must know of a request before it reaches the store.

pyoxigraph offers no parse tree, yet the service must (1) refuse ``SERVICE`` and ``LOAD`` of remote
URLs, which pyoxigraph would fetch (server-side request forgery), (2) apply the protocol's
``using-graph-uri`` / ``using-named-graph-uri`` to updates, (3) know whether a query sets its own
dataset with ``FROM`` / ``FROM NAMED``, and (4) tell a query's form. :func:`scan` reads the tokens
once and gives all four as a :class:`Scan`. They need only the query's tokens:
comments, strings, IRIs, variables and prefixed names are told apart from keywords the way the
SPARQL grammar does, so a keyword hidden in a string or a comment is no keyword, and a keyword
written in any case is one. Where the scanner and pyoxigraph could disagree, the scanner errs
toward refusing: every non-ASCII character counts as part of a name (outside strings, IRIs and
comments pyoxigraph accepts one nowhere else), and a backslash outside strings and IRIs — which
could hide a ``#`` or a quote from the scanner — makes any text mentioning SERVICE or LOAD refused.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator

from claimgraph.errors import RemoteAccessError, RequestError

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_LEXEME = re.compile(
    rf"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    | (?P<variable>[?$](?:\w|[^\x00-\x7f])+)
    | (?P<pname>(?:(?:[^\W\d]|[^\x00-\x7f])(?:[\w\-.]|[^\x00-\x7f])*)?:(?:[\w\-.:%]|[^\x00-\x7f]|\\.)*)
    | (?P<word>[A-Za-z]+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclasses.dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int

    def is_keyword(self, *names: str) -> bool:
        return self.kind == "word" and self.text.upper() in names


def tokens(sparql: str) -> Iterator[Token]:
    """The tokens of ``sparql``, without white space and comments."""
    for match in _LEXEME.finditer(sparql):
        if match.lastgroup not in ("space", "comment"):
            yield Token(match.lastgroup, match.group(), match.start())



#: The query forms of SPARQL 1.1, by the keyword that opens each.
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


@dataclasses.dataclass(frozen=True)
class Scan:
    """What one pass over the tokens of a query or update tells of it."""

    text: str
    #: a query's form, its first ``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK`` outside the prologue, strings,
    #: IRIs and comments; ``None`` if it has none (it will not parse). Meaningless for an update.
    form: str | None
    #: whether ``FROM`` or ``FROM NAMED`` occurs: the query sets its own dataset.
    sets_dataset: bool
    #: each ``SERVICE`` and ``LOAD`` (upper case) with the token it names (``SILENT`` skipped), or ``None`` at the end.
    remote: tuple[tuple[str, Token | None], ...]
    #: whether a backslash stands outside strings and IRIs, where it could hide a ``#`` or a quote from the scanner.
    stray_backslash: bool
    #: where each DELETE/INSERT … WHERE operation's ``WHERE`` starts: the offsets ``USING`` clauses go before.
    where_starts: tuple[int, ...]
    #: why ``USING`` cannot be added to the update (its own USING or WITH, a DELETE WHERE); ``None`` if it can.
    using_refused: str | None

    def refuse_remote(self, allowed: Iterable[str] = ()) -> None:
        """Refuse ``SERVICE`` and ``LOAD`` unless they name, as a full IRI, an endpoint in ``allowed``.

        :raises RemoteAccessError: naming the keyword and its target.
        """
        allowed = set(allowed)
        if self.stray_backslash and re.search("service|load", self.text, re.IGNORECASE):
            raise RemoteAccessError("refused: a backslash outside strings and IRIs in a text that mentions SERVICE or LOAD")
        for keyword, target in self.remote:
            if target is not None and target.kind == "iri" and target.text[1:-1] in allowed:
                continue
            named = target.text if target is not None else "nothing"
            raise RemoteAccessError(
                f"{keyword} {named} refused: this service does not fetch remote data"
                + (f" (allowed endpoints: {', '.join(sorted(allowed))})" if allowed else "")
            )

    def add_using(self, using: Iterable[str], using_named: Iterable[str]) -> str:
        """The update with ``USING <g>`` / ``USING NAMED <g>`` added to each of its DELETE/INSERT … WHERE operations.

        This is how the SPARQL 1.1 Protocol's ``using-graph-uri`` and ``using-named-graph-uri``
        take effect; ``using`` and ``using_named`` are IRIs already checked by the caller.

        :raises RequestError: if the update has its own USING or WITH (the protocol forbids both at once),
            or a DELETE WHERE operation, which has no place for USING.
        """
        clause = " ".join([*(f"USING <{iri}>" for iri in using), *(f"USING NAMED <{iri}>" for iri in using_named)])
        if not clause:
            return self.text
        if self.using_refused is not None:
            raise RequestError(self.using_refused)
        update = self.text
        for start in reversed(self.where_starts):
            update = f"{update[:start]}{clause} {update[start:]}"
        return update


def scan(sparql: str) -> Scan:
    """One pass over the tokens of the query or update ``sparql``."""
    found = list(tokens(sparql))
    form = next((token.text.upper() for token in found if token.is_keyword(*FORMS)), None)
    remote = []
    depth, previous, modify = 0, None, False
    where_starts: list[int] = []
    using_refused = None
    for index, token in enumerate(found):
        if token.is_keyword("SERVICE", "LOAD"):
            following = [t for t in found[index + 1 : index + 3] if not t.is_keyword("SILENT")]
            remote.append((token.text.upper(), following[0] if following else None))
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0:
            if token.is_keyword("USING", "WITH") and using_refused is None:
                using_refused = f"the update has its own {token.text.upper()}; using-graph-uri and using-named-graph-uri cannot be added"
            if token.text == ";":
                modify = False
            elif token.is_keyword("DELETE", "INSERT"):
                modify = True
            elif token.is_keyword("WHERE") and modify:
                if previous is not None and previous.is_keyword("DELETE") and using_refused is None:
                    using_refused = "using-graph-uri cannot apply to DELETE WHERE; write DELETE { … } WHERE { … }"
                where_starts.append(token.start)
        previous = token
    return Scan(
        text=sparql,
        form=form,
        sets_dataset=any(token.is_keyword("FROM") for token in found),
        remote=tuple(remote),
        stray_backslash=any(token.text == "\\" for token in found),
        where_starts=tuple(where_starts),
        using_refused=using_refused,
    )


@dataclasses.dataclass(frozen=True)
class ServiceBlock:
    """A ``SERVICE [SILENT] <endpoint> { … }`` block: where it stands in the text, and the tokens between its braces."""

    #: the offset of ``SERVICE``, and the offset just past the closing brace.
    start: int
    end: int
    body: tuple[Token, ...]


def declared_prefixes(found: Iterable[Token]) -> dict[str, str]:
    """The namespaces that the ``PREFIX`` declarations among ``found`` bind, by prefix (without the colon)."""
    found = list(found)
    return {
        found[index + 1].text[:-1]: found[index + 2].text[1:-1]
        for index, token in enumerate(found[:-2])
        if token.is_keyword("PREFIX") and found[index + 1].kind == "pname" and found[index + 1].text.endswith(":")
        and found[index + 2].kind == "iri"
    }


def iri_of(token: Token, prefixes: dict[str, str]) -> str | None:
    """The IRI that ``token`` writes, as ``<iri>`` or as a prefixed name of ``prefixes``; ``None`` if it writes none
    (another kind of token, an undeclared prefix). A relative IRI is returned as written."""
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def service_blocks(sparql: str, endpoint: str) -> list[ServiceBlock]:
    """Every ``SERVICE`` block of ``sparql`` that names ``endpoint``, as a full IRI or by a prefixed name that the
    query's own ``PREFIX`` declarations bind, in the order they stand.

    :raises RequestError: if such a block has no closing brace.
    """
    found = list(tokens(sparql))
    prefixes = declared_prefixes(found)
    blocks = []
    for index, token in enumerate(found):
        if not token.is_keyword("SERVICE"):
            continue
        target = index + 2 if index + 1 < len(found) and found[index + 1].is_keyword("SILENT") else index + 1
        opening = target + 1
        if opening >= len(found) or iri_of(found[target], prefixes) != endpoint or found[opening].text != "{":
            continue
        depth = 0
        for closing in range(opening, len(found)):
            depth += {"{": 1, "}": -1}.get(found[closing].text, 0)
            if depth == 0:
                break
        else:
            raise RequestError(f"SERVICE {found[target].text} {{ has no closing brace")
        blocks.append(ServiceBlock(token.start, found[closing].start + 1, tuple(found[opening + 1 : closing])))
    return blocks


def refuse_remote(sparql: str, allowed: Iterable[str] = ()) -> None:
    """Refuse ``SERVICE`` and ``LOAD`` in ``sparql`` unless they name an endpoint in ``allowed``, as :meth:`Scan.refuse_remote`.

    :raises RemoteAccessError: naming the keyword and its target.
    """
    scan(sparql).refuse_remote(allowed)


def add_using(update: str, using: Iterable[str], using_named: Iterable[str]) -> str:
    """``update`` with the protocol's USING clauses added, as :meth:`Scan.add_using`.

    :raises RequestError: if the update has its own USING or WITH, or a DELETE WHERE operation.
    """
    return scan(update).add_using(using, using_named)
