"""A lexical view of SPARQL text, for the two things the service must do before a request reaches the store.

pyoxigraph offers no parse tree, yet the service must (1) refuse ``SERVICE`` and ``LOAD`` of remote
URLs, which pyoxigraph would fetch (server-side request forgery), and (2) apply the protocol's
``using-graph-uri`` / ``using-named-graph-uri`` to updates. Both need only the query's tokens:
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
from claimgraph.errors import RemoteAccessError

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


def query_form(sparql: str) -> str | None:
    """The form of the query ``sparql`` (``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``): its first such keyword
    outside the prologue (BASE, PREFIX), strings, IRIs and comments; ``None`` if it has none (it will not parse).
    """
    return next((token.text.upper() for token in tokens(sparql) if token.is_keyword(*FORMS)), None)


def refuse_remote(sparql: str, allowed: Iterable[str] = ()) -> None:
    """Refuse ``SERVICE`` and ``LOAD`` unless they name, as a full IRI, an endpoint in ``allowed``.

    :raises RemoteAccessError: naming the keyword and its target.
    """
    allowed = set(allowed)
    found = list(tokens(sparql))
    if any(t.text == "\\" for t in found) and re.search("service|load", sparql, re.IGNORECASE):
        raise RemoteAccessError("refused: a backslash outside strings and IRIs in a text that mentions SERVICE or LOAD")
    for index, token in enumerate(found):
        if not token.is_keyword("SERVICE", "LOAD"):
            continue
        following = [t for t in found[index + 1 : index + 3] if not t.is_keyword("SILENT")]
        target = following[0] if following else None
        if target is not None and target.kind == "iri" and target.text[1:-1] in allowed:
            continue
        named = target.text if target is not None else "nothing"
        raise RemoteAccessError(
            f"{token.text.upper()} {named} refused: this service does not fetch remote data"
            + (f" (allowed endpoints: {', '.join(sorted(allowed))})" if allowed else "")
        )


def add_using(update: str, using: Iterable[str], using_named: Iterable[str]) -> str:
    """``update`` with ``USING <g>`` / ``USING NAMED <g>`` added to each of its DELETE/INSERT … WHERE operations.

    This is how the SPARQL 1.1 Protocol's ``using-graph-uri`` and ``using-named-graph-uri``
    take effect; ``using`` and ``using_named`` are IRIs already checked by the caller.

    :raises ValueError: if the update has its own USING or WITH (the protocol forbids both at once),
        or a DELETE WHERE operation, which has no place for USING.
    """
    clause = " ".join([*(f"USING <{iri}>" for iri in using), *(f"USING NAMED <{iri}>" for iri in using_named)])
    if not clause:
        return update
    depth, previous, modify = 0, None, False
    inserts: list[int] = []
    for token in tokens(update):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0:
            if token.is_keyword("USING", "WITH"):
                raise ValueError(f"the update has its own {token.text.upper()}; using-graph-uri and using-named-graph-uri cannot be added")
            if token.text == ";":
                modify = False
            elif token.is_keyword("DELETE", "INSERT"):
                modify = True
            elif token.is_keyword("WHERE") and modify:
                if previous is not None and previous.is_keyword("DELETE"):
                    raise ValueError("using-graph-uri cannot apply to DELETE WHERE; write DELETE { … } WHERE { … }")
                inserts.append(token.start)
        previous = token
    for start in reversed(inserts):
        update = f"{update[:start]}{clause} {update[start:]}"
    return update
