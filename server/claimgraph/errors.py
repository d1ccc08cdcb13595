"""Every error claimgraph raises on purpose, in one module, so that each layer raises what it knows and the web
layer alone (``web/app.py``) turns them into HTTP statuses.

Raised by the module that knows the fault; never raised for a bug (a bug is any other exception, answered
500 and logged). Each pickles as itself, so an error raised in a query worker process reaches the caller
unchanged.
"""

from __future__ import annotations


class ClaimgraphError(Exception):
    """The root of claimgraph's own errors."""


class DataError(ClaimgraphError, ValueError):
    """A curated file is missing, unreadable or not valid; the message names the file and position."""


class AuthoringError(DataError):
    """A source's claims file (YAML) cannot be compiled: ``problems`` lists every fault found in it, each naming
    the file, the line and the claim (``claims.yaml:41: claim most-cctv, quote 1: ...``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)

    def __reduce__(self):
        return type(self), (self.problems,)


class CatalogError(ClaimgraphError, ValueError):
    """A query file is unreadable or malformed; the message names the file, and the line when known."""


class RequestError(ClaimgraphError, ValueError):
    """What a client sent is malformed (bad encoding, a body that cannot be used, conflicting options)."""


class ParamError(RequestError):
    """A parameter value is missing, unknown or not of its type; ``param`` is the parameter's name."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"parameter {param!r}: {message}")
        self.param = param
        self.message = message

    def __reduce__(self):
        return type(self), (self.param, self.message)


class RemoteAccessError(ClaimgraphError, ValueError):
    """A query or update would make the store fetch a URL that is not allowed."""


class StoreError(ClaimgraphError, RuntimeError):
    """The store cannot be opened or used (missing, locked, unreadable); ``held`` when another process holds it."""

    def __init__(self, message: str, held: bool = False) -> None:
        super().__init__(message)
        self.held = held

    def __reduce__(self):
        return type(self), (str(self), self.held)


class QueryError(ClaimgraphError, RuntimeError):
    """The store could not evaluate the query or update (a worker died, an answer could not be written)."""


class EvaluationError(QueryError):
    """The store evaluated the query or update and refused it, through the request's fault: the message is the store's.

    pyoxigraph raises these at run time, after parsing, e.g. ``CREATE GRAPH`` of a graph that exists, ``DROP GRAPH``
    of one that does not, or a substitution of a variable the query does not project. Nothing was changed.
    """


class QueryTimeout(ClaimgraphError):
    """The query or update ran past the time limit and was stopped."""


class Busy(ClaimgraphError):
    """Every worker stayed busy for as long as a query may run."""


class NotAcceptable(ClaimgraphError):
    """The answer has no representation the client accepts (406).

    ``form`` is the query's form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``), ``None`` for an RDF graph no
    query of the client's made (a graph download, the VoID or service description), or the name of another kind of
    answer (``list``, the canned-query list); ``reason``, when given, says
    why the format asked for cannot represent this particular answer (e.g. JSON-LD and RDF 1.2 triple terms).
    """

    def __init__(self, form: str | None, reason: str | None = None) -> None:
        super().__init__(reason or self.describe(form))
        self.form = form
        self.reason = reason

    def __reduce__(self):
        return type(self), (self.form, self.reason)

    @staticmethod
    def describe(form: str | None) -> str:
        """What is answered, for messages: "a CONSTRUCT answer", "an ASK answer", or "an RDF graph" (``None``)."""
        if form is None:
            return "an RDF graph"
        return f"{'an' if form[0] in 'AEIOU' else 'a'} {form} answer"

    @property
    def answer(self) -> str:
        """:meth:`describe` of this error's form."""
        return self.describe(self.form)


class ReviewError(DataError):
    """Reviews (ClaimReview JSON-LD, a YAML ``reviews:`` list, a ``POST /reviews`` body) that cannot be imported.

    ``problems`` lists every problem of the batch, each naming its record and property
    (``feed.json: record 3 (https://…): reviewRating.bestRating: "five" is not a number``); nothing of the batch is
    imported.
    """

    def __init__(self, problems: list[str]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the reviews; nothing was imported:\n" + "\n".join(problems))
        self.problems = list(problems)

    def __reduce__(self):
        return type(self), (self.problems,)
