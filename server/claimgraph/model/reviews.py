"""Fact-checkers' reviews of claims, on their way in: the one record every way in (YAML, ClaimReview JSON-LD,
``POST /reviews``) is turned into, and its checks.

:func:`from_mapping` (one item of a YAML ``reviews:`` list; raises a :class:`~claimgraph.errors.ReviewError`) and
:func:`read_claimreview` (schema.org ClaimReview JSON-LD as fact-checkers publish it; returns the problems of the
batch beside its well-formed reviews) give :class:`Review` records. :mod:`claimgraph.model.reviewgraph` matches
them to claims and makes their quads.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from claimgraph.errors import ReviewError
from claimgraph.model.text import http_url, language_tag

REVIEWS_GRAPH = "graph/reviews/"  # + reviewer slug (+ "/" + source slug if compiled), below the IRI base
REVIEW_FOLDER = "id/review/"  # + reviewer slug + "/" + key, below the IRI base
XSD = "http://www.w3.org/2001/XMLSchema#"
#: schema.org's stated scale of a numeric rating whose bestRating or worstRating is omitted.
DEFAULT_BEST, DEFAULT_WORST = Decimal(5), Decimal(1)
#: The largest adjusted exponent (either way) of a number a rating takes: ``1e30`` and ``1e-30`` are read, ``1e31`` and
#: ``1e-31`` refused, so that no number is written out with thousands of digits.
MAX_EXPONENT = 30
#: How many characters of a value a problem message shows.
SHOWN_LENGTH = 120


@dataclasses.dataclass(frozen=True)
class Rating:
    """A rating on the reviewer's own scale: a label (``alternateName``), a number with its scale, or both."""

    label: str | None = None
    value: Decimal | None = None
    best: Decimal | None = None
    worst: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Reviewer:
    """The organisation that published a review."""

    name: str
    url: str | None = None
    same_as: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Review:
    """One review of one claim, from whichever way it came in.

    ``where`` names the record for error messages (``feed.json: record 3``, ``claims.yaml:41``). ``date`` is
    ``None`` when the record gives none (Google recommends ``datePublished``, and does not require it). ``claim`` is the
    IRI of the claim it reviews when the record names one (``itemReviewed``); else the claim is found by
    ``claim_text`` and ``appearances``, or a :data:`claimgraph ontology cg:ClaimFromReview` is made. ``claim_text``
    may be empty when ``claim`` names a claim the data knows: its text is then the claim's. ``claimant_kind`` is the
    kind of entity (``person`` or ``org``) the claimant is created as when no entity of that name exists.
    """

    where: str
    claim_text: str
    rating: Rating
    reviewer: Reviewer
    url: str
    date: str | None
    claim: str | None = None
    appearances: tuple[str, ...] = ()
    claimant: str | None = None
    claimant_same_as: tuple[str, ...] = ()
    claim_date: str | None = None
    explanation: str | None = None
    language: str | None = None
    title: str | None = None
    claimant_kind: str = "person"


# ---------------------------------------------------------------- values, checked


class Problems:
    """The problems of one record, each as ``<where>: <property>: <what is wrong>``."""

    def __init__(self, where: str, found: list[str]) -> None:
        self.where = where
        self.found = found

    def add(self, prop: str | None, message: str) -> None:
        self.found.append(f"{self.where}: {prop}: {message}" if prop else f"{self.where}: {message}")


def _shown(value: object) -> str:
    """``value`` as the record wrote it, for messages: its first :data:`SHOWN_LENGTH` characters and "…" if longer."""
    if isinstance(value, Decimal):
        shown = str(value)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        shown = value.isoformat()
    else:
        try:
            shown = json.dumps(value, ensure_ascii=False, default=str)
        except RecursionError:
            # A value nested nearly as deep as the parser allows may be past the limit once a few calls deeper.
            return "a value nested too deeply to show"
    return shown if len(shown) <= SHOWN_LENGTH else shown[:SHOWN_LENGTH] + "…"


def _number(value: object, prop: str, problems: Problems) -> Decimal | None:
    """A number given as a number or a numeric string, its adjusted exponent within :data:`MAX_EXPONENT` either way
    (zero is taken); ``None`` (and a problem: not a number, too large, too small) otherwise."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = Decimal(str(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    else:
        number = None
    if number is None or not number.is_finite():
        problems.add(prop, f"{_shown(value)} is not a number")
        return None
    if number and abs(number.adjusted()) > MAX_EXPONENT:
        size = "large" if number.adjusted() > 0 else "small"
        problems.add(prop, f"{_shown(value)} is too {size} a number (beyond 1e{MAX_EXPONENT} or 1e-{MAX_EXPONENT} in size)")
        return None
    return number


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def _calendar_date(text: str) -> bool:
    """Whether ``text`` is a date or date and time in the form :func:`_date` takes, and one the calendar has."""
    parse = datetime.date.fromisoformat if _DATE.fullmatch(text) else datetime.datetime.fromisoformat if _DATE_TIME.fullmatch(text) else None
    if parse is None:
        return False
    try:
        parse(text)
    except ValueError:
        return False
    return True


def _date(value: object, prop: str, problems: Problems) -> str | None:
    """A date (``2017-10-04``) or date and time (``2017-10-06T09:30:00Z``, its time zone optional:
    ``2017-10-06T09:30:00``), as the xsd:date or xsd:dateTime lexical form; YAML's parsed dates are taken too."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, str) and _calendar_date(value.strip()):
        return value.strip()
    problems.add(prop, f"{_shown(value)} is not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDThh:mm:ss, optionally with a time zone, Z or +hh:mm)")
    return None


def _url(value: object, prop: str, problems: Problems) -> str | None:
    """An absolute ``http``/``https`` URL (:func:`claimgraph.model.text.http_url`)."""
    if isinstance(value, str) and http_url(value.strip()) is None:
        return value.strip()
    problems.add(prop, f"{_shown(value)} is not an absolute http(s) URL")
    return None


def _text(value: object, prop: str, problems: Problems) -> str | None:
    """A non-empty text (surrounding white space removed)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    problems.add(prop, f"{_shown(value)} is not a non-empty text")
    return None


def _language(value: object, prop: str, problems: Problems) -> str | None:
    if isinstance(value, str) and language_tag(value.strip()) is None:
        return value.strip()
    problems.add(prop, f"{_shown(value)} is not a language tag (BCP 47, e.g. en, nl-BE)")
    return None


def numeric_label(value: Decimal, best: Decimal, worst: Decimal) -> str:
    """What a number on its scale says and no more, as the label of a rating the reviewer gave no words for:
    "4 on a scale of 1 to 5". The ClaimReview export writes it (Google requires a label); reading it back on a
    rating with those very numbers gives no label, so that an exported review imports as it was."""
    def plain(number: Decimal) -> str:
        return str(int(number)) if number == number.to_integral_value() else format(number.normalize(), "f")

    return f"{plain(value)} on a scale of {plain(worst)} to {plain(best)}"


def scale_text(value: str, best: str | None, worst: str | None) -> str:
    """:func:`numeric_label` of a rating's numbers as the store gives them (their lexical forms); where they are no
    numbers (data written by hand) or the scale is missing, the words say so rather than guess."""
    if best is None or worst is None:
        return f"{value} (on a scale not given)"
    try:
        return numeric_label(Decimal(value), Decimal(best), Decimal(worst))
    except InvalidOperation:
        return f"{value} on a scale of {worst} to {best}"


def _decided(rating: Rating, problems: Problems, prefix: str) -> Rating:
    """``rating`` with schema.org's default scale for a number without one, and without a label that only
    restates its numbers (:func:`numeric_label`); a problem if it has neither label nor number."""
    if rating.label is None and rating.value is None:
        problems.add(prefix, "needs the reviewer's label (alternateName) or a number on the reviewer's scale (ratingValue)")
    if rating.value is None:
        return rating
    best = DEFAULT_BEST if rating.best is None else rating.best
    worst = DEFAULT_WORST if rating.worst is None else rating.worst
    label = None if rating.label == numeric_label(rating.value, best, worst) else rating.label
    return dataclasses.replace(rating, label=label, best=best, worst=worst)


# ---------------------------------------------------------------- the YAML form

#: The keys of a review in the YAML form (see docs/reviews.md), and those of its reviewer and rating.
YAML_KEYS = ("claim", "claim-text", "appearance", "claimant", "claim-date", "reviewer", "rating", "explanation", "url",
             "date", "language", "title")
YAML_REVIEWER_KEYS = ("name", "url", "sameAs")
YAML_RATING_KEYS = ("label", "value", "best", "worst")


def _unknown_keys(item: Mapping, known: tuple[str, ...], prop: str | None, problems: Problems) -> None:
    unknown = [str(name) for name in item if name not in known]
    if unknown:
        problems.add(prop, f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; the keys are {', '.join(known)}")


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def from_mapping(item: dict, where: str) -> Review:
    """The review one item of a YAML ``reviews:`` list describes (the form of docs/reviews.md).

    ``claim`` is kept as written: a caller whose file names claims by their id replaces it with the claim's IRI
    (``dataclasses.replace``) before :func:`build`, which refuses anything that is not an absolute IRI.

    :raises ReviewError: listing every problem of the item (unknown keys, a missing or malformed value), each
        prefixed with ``where``.
    """
    found: list[str] = []
    problems = Problems(where, found)
    if not isinstance(item, Mapping):
        raise ReviewError([f"{where}: a review is a mapping (claim, reviewer, rating, url, date, ...), not {_shown(item)}"])
    _unknown_keys(item, YAML_KEYS, None, problems)
    for name in ("reviewer", "rating", "url", "date"):
        if item.get(name) is None:
            problems.add(name, "missing")

    reviewer = Reviewer(name="")
    given = item.get("reviewer")
    if isinstance(given, Mapping):
        _unknown_keys(given, YAML_REVIEWER_KEYS, "reviewer", problems)
        name = _text(given.get("name"), "reviewer.name", problems)
        url = _url(given["url"], "reviewer.url", problems) if given.get("url") is not None else None
        same_as = tuple(filter(None, (_url(link, "reviewer.sameAs", problems) for link in _listed(given.get("sameAs") or []))))
        reviewer = Reviewer(name=name or "", url=url, same_as=same_as)
    elif given is not None:
        problems.add("reviewer", f"{_shown(given)} is not a mapping of name, url, sameAs")

    rating = Rating()
    given = item.get("rating")
    if isinstance(given, Mapping):
        _unknown_keys(given, YAML_RATING_KEYS, "rating", problems)
        numbers = {name: _number(given[name], f"rating.{name}", problems) if given.get(name) is not None else None
                   for name in ("value", "best", "worst")}
        label = _text(given["label"], "rating.label", problems) if given.get("label") is not None else None
        rating = _decided(Rating(label=label, **numbers), problems, "rating")
    elif given is not None:
        problems.add("rating", f"{_shown(given)} is not a mapping of label, value, best, worst")

    def optional(name: str, read) -> str | None:
        return read(item[name], name, problems) if item.get(name) is not None else None

    claim = optional("claim", _text)
    claim_text = optional("claim-text", _text) or ""
    if claim is None and not claim_text:
        problems.add("claim", "missing: give the claim reviewed (claim), or its text (claim-text)")
    appearances = tuple(filter(None, (_url(link, "appearance", problems) for link in _listed(item.get("appearance") or []))))
    review = Review(
        where=where,
        claim_text=claim_text,
        rating=rating,
        reviewer=reviewer,
        url=optional("url", _url) or "",
        date=optional("date", _date),
        claim=claim,
        appearances=appearances,
        claimant=optional("claimant", _text),
        claim_date=optional("claim-date", _date),
        explanation=optional("explanation", _text),
        language=optional("language", _language),
        title=optional("title", _text),
    )
    if found:
        raise ReviewError(found)
    return review


# ---------------------------------------------------------------- schema.org ClaimReview JSON-LD

#: The ways schema.org's namespace is written in ``@context``, ``@type`` and property names.
SCHEMA_NAMESPACES = ("http://schema.org/", "https://schema.org/")
_PREFIXES = ("schema:", *SCHEMA_NAMESPACES)


#: How deep a document's lists, ``@graph``s and feeds may nest ClaimReviews: fact-checkers' feeds nest three or four
#: levels; a deeper document is refused, naming where, rather than walked.
MAX_DEPTH = 32


def read_json(text: str | bytes, where: str) -> object:
    """A JSON document, its numbers read as :class:`~decimal.Decimal` so that ``4.0`` stays ``4.0``.

    :raises ReviewError: naming ``where``, the line and the column, if it is not JSON; naming ``where`` if it is
        not UTF-8, or nested too deeply for the parser (its arrays and objects past Python's recursion limit).
    """
    try:
        # Integers as Decimal too: int() refuses a number of more than 4300 digits, which the rating check refuses
        # with its own message (_number).
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        raise ReviewError([f"{where}:{error.lineno}:{error.colno}: not JSON: {error.msg}"]) from error
    except UnicodeDecodeError as error:
        raise ReviewError([f"{where}: not UTF-8 (byte {error.start})"]) from error
    except RecursionError as error:
        raise ReviewError([f"{where}: not read: its arrays and objects are nested too deeply"]) from error


def _local(name: str) -> str:
    """A term without its schema.org prefix or namespace (``schema:ClaimReview``, ``https://schema.org/ClaimReview``)."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _types(node: Mapping) -> set[str]:
    return {_local(kind) for kind in _listed(node.get("@type", [])) if isinstance(kind, str)}


def _get(node: Mapping, name: str) -> object:
    """The value of the schema.org property ``name``, under whichever way of writing it the node uses."""
    for key in (name, *(prefix + name for prefix in _PREFIXES)):
        if key in node:
            return node[key]
    return None


def _schema_context(context: object) -> bool:
    """Whether ``@context`` makes schema.org the vocabulary: its IRI (http or https, with or without a final slash),
    ``{"@vocab": …}`` of it, or a list holding one of those."""
    if isinstance(context, str):
        return context.rstrip("/") + "/" in SCHEMA_NAMESPACES
    if isinstance(context, Mapping):
        return _schema_context(context.get("@vocab"))
    if isinstance(context, list):
        return any(_schema_context(item) for item in context)
    return False


def _claimreviews(node: object, problems: Problems, path: str, context: bool, depth: int = 0) -> Iterator[Mapping]:
    """The ClaimReview objects of a document: the node itself, the items of a list or ``@graph``, the elements of a
    ``DataFeed`` (ClaimReviews, or items wrapping them); a problem for anything else, and for a node nested more
    than :data:`MAX_DEPTH` lists, graphs and feeds deep (named by its path, and not walked further)."""
    if depth > MAX_DEPTH:
        problems.add(path or None, f"nested more than {MAX_DEPTH} levels deep (lists, @graph, dataFeedElement); not read")
        return
    deeper = depth + 1
    if isinstance(node, list):
        for number, item in enumerate(node, 1):
            yield from _claimreviews(item, problems, f"{path}[{number}]" if path else f"item {number}", context, deeper)
        return
    if not isinstance(node, Mapping):
        problems.add(path or None, f"{_shown(node)} is not a ClaimReview object")
        return
    if "@context" in node:
        if not _schema_context(node["@context"]):
            problems.add(f"{path}.@context" if path else "@context",
                         f"{_shown(node['@context'])} is not schema.org (give \"https://schema.org\")")
            return
        context = True
    if not context:
        problems.add(path or None, "no @context: give \"@context\": \"https://schema.org\"")
        return
    types = _types(node)
    if "ClaimReview" in types:
        yield node
    elif "@graph" in node:
        yield from _claimreviews(node["@graph"], problems, f"{path}.@graph" if path else "@graph", context, deeper)
    elif "DataFeed" in types:
        for number, element in enumerate(_listed(_get(node, "dataFeedElement") or []), 1):
            where = f"{path + '.' if path else ''}dataFeedElement[{number}]"
            if isinstance(element, Mapping) and "ClaimReview" not in _types(element) and _get(element, "item") is not None:
                yield from _claimreviews(_get(element, "item"), problems, f"{where}.item", context, deeper)
            else:
                yield from _claimreviews(element, problems, where, context, deeper)
    else:
        problems.add(path or None, f"@type {_shown(node.get('@type'))}: not a ClaimReview, a DataFeed of them or an @graph")


def _value(value: object, prop: str, problems: Problems) -> object:
    """The one value of a property (a list of one is that one; ``{"@value": …}`` its value); ``None`` if absent."""
    if isinstance(value, list):
        if len(value) > 1:
            problems.add(prop, f"{len(value)} values; give one")
            return None
        value = value[0] if value else None
    if isinstance(value, Mapping) and "@value" in value:
        return value["@value"]
    if isinstance(value, Mapping) and set(value) == {"@id"}:
        return value["@id"]
    return value


def _language_of(value: object) -> str | None:
    """The ``@language`` of a JSON-LD value object (or of the one in a list of one)."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.get("@language") if isinstance(value, Mapping) else None


def _links(value: object, prop: str, problems: Problems) -> list[str]:
    """URLs given as strings, ``{"url": …}`` / ``{"@id": …}`` objects, or lists of them."""
    found = []
    for item in _listed(value) if value is not None else []:
        if isinstance(item, Mapping):
            link = _value(_get(item, "url"), f"{prop}.url", problems)
            item = link if link is not None else item.get("@id")
        url = _url(item, prop, problems)
        if url is not None:
            found.append(url)
    return found


def _name_of(value: object, prop: str, problems: Problems) -> tuple[str | None, Mapping]:
    """The name of a Person or Organization given as ``{"name": …}`` or as a string, and the object itself."""
    value = _value(value, prop, problems)
    if isinstance(value, str):
        return _text(value, prop, problems), {}
    if isinstance(value, Mapping):
        name = _value(_get(value, "name"), f"{prop}.name", problems)
        if name is None:
            problems.add(f"{prop}.name", "missing")
            return None, value
        return _text(name, f"{prop}.name", problems), value
    if value is not None:
        problems.add(prop, f"{_shown(value)} is neither a name nor an object with a name")
    return None, {}


def read_claimreview(document: object, where: str) -> tuple[list[Review], list[str]]:
    """The well-formed reviews of a parsed schema.org ClaimReview JSON-LD document as fact-checkers publish it, and
    the problems of the others, so that a caller can match the well-formed ones too and report every problem of a
    batch at once (:func:`claimgraph.model.reviewgraph.prepare`, which raises them as one ReviewError).

    The document: one ClaimReview, a list of them, an ``@graph``, or a ``DataFeed`` whose ``dataFeedElement`` items
    are ClaimReviews or wrap them in ``item``. ``@context`` must be schema.org (http or https, with or without a
    final slash, or ``{"@vocab": …}``); no remote context is read: the document is read as JSON with schema.org's
    keys, prefixed (``schema:``) or not. Records are numbered from 1 in document order (``<where>: record 3 (<review
    url>)``), and each problem names the record and the property.
    """
    found: list[str] = []
    records = list(_claimreviews(document, Problems(where, found), "", False))
    if not records and not found:
        found.append(f"{where}: no ClaimReview in the document")
    reviews = []
    for number, record in enumerate(records, 1):
        url = _value(_get(record, "url"), "url", Problems("", []))
        name = f"{where}: record {number}" + (f" ({url})" if isinstance(url, str) else "")
        review = _review_of(record, name, found)
        if review is not None:
            reviews.append(review)
    return reviews, found


def site_reviewer(url: str, problems: Problems) -> Reviewer | None:
    """The reviewer of a review that names none (Google recommends ``author``, and does not require it): the site
    that published it, an organisation named by the host of its URL, whose ``url`` is the site's root
    (``https://factcheck.example.org/2024/x`` → ``factcheck.example.org``, ``https://factcheck.example.org/``).

    ``None``, and a problem on ``url``, when the URL gives no site (a port out of range, a malformed host)."""
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/"
    try:
        host, _ = parts.hostname, parts.port
    except ValueError as error:
        problems.add("url", f"{_shown(url)} names no site for the review's author ({error})")
        return None
    wrong = http_url(site)
    if not host or wrong:
        problems.add("url", f"{_shown(url)} names no site for the review's author: {site} {wrong or 'has no host'}")
        return None
    return Reviewer(name=host, url=site)


def _review_of(record: Mapping, where: str, found: list[str]) -> Review | None:
    """The review of one ClaimReview object; ``None`` when it has problems (added to ``found``)."""
    before = len(found)
    problems = Problems(where, found)

    def one(node: Mapping, name: str, prefix: str = "", required: bool = False) -> object:
        prop = prefix + name
        value = _value(_get(node, name), prop, problems)
        if value is None and required:
            problems.add(prop, "missing")
        return value

    def checked(node: Mapping, name: str, read, prefix: str = "", required: bool = False):
        value = one(node, name, prefix, required)
        return read(value, prefix + name, problems) if value is not None else None

    claim_text = checked(record, "claimReviewed", _text, required=True)
    url = checked(record, "url", _url, required=True)
    date = checked(record, "datePublished", _date)
    explanation = checked(record, "reviewBody", _text)
    title = checked(record, "headline", _text) or checked(record, "name", _text)
    language = checked(record, "inLanguage", _language)
    if language is None and _language_of(_get(record, "reviewBody")) is not None:
        language = _language(_language_of(_get(record, "reviewBody")), "reviewBody.@language", problems)

    if _get(record, "author") is None:
        reviewer = (site_reviewer(url, problems) if url else None) or Reviewer(name="")
    else:
        reviewer_name, author = _name_of(_get(record, "author"), "author", problems)
        reviewer = Reviewer(
            name=reviewer_name or "",
            url=checked(author, "url", _url, "author.") if author else None,
            same_as=tuple(_links(_get(author, "sameAs"), "author.sameAs", problems)) if author else (),
        )

    rating = Rating()
    given = one(record, "reviewRating", required=True)
    if isinstance(given, Mapping):
        numbers = {
            field: checked(given, name, _number, "reviewRating.")
            for field, name in (("value", "ratingValue"), ("best", "bestRating"), ("worst", "worstRating"))
        }
        label = checked(given, "alternateName", _text, "reviewRating.") or checked(given, "name", _text, "reviewRating.")
        rating = _decided(Rating(label=label, **numbers), problems, "reviewRating")
    elif given is not None:
        problems.add("reviewRating", f"{_shown(given)} is not a Rating object")

    claim, appearances, claimant, claimant_kind, claimant_same_as, claim_date = None, [], None, "person", (), None
    item = one(record, "itemReviewed")
    if isinstance(item, str):
        claim = _url(item, "itemReviewed", problems)
    elif isinstance(item, Mapping):
        # A blank node's @id ("_:b0") names nothing outside the document.
        named = item.get("@id") if isinstance(item.get("@id"), str) and not item["@id"].startswith("_:") else None
        named = named or (one(item, "url", "itemReviewed.") if "Claim" in _types(item) else None)
        if named is not None:
            claim = _url(named, "itemReviewed.@id", problems)
        first = _links(_get(item, "firstAppearance"), "itemReviewed.firstAppearance", problems)
        appearances = first + _links(_get(item, "appearance"), "itemReviewed.appearance", problems)
        if "Claim" not in _types(item) and one(item, "url", "itemReviewed.") is not None:
            # An older form reviews the CreativeWork the claim appeared in: its URL is where the claim appeared.
            appearances += _links(_get(item, "url"), "itemReviewed.url", problems)
        if _get(item, "author") is not None:
            claimant, person = _name_of(_get(item, "author"), "itemReviewed.author", problems)
            claimant_kind = "org" if "Organization" in _types(person) else "person"
            if person:
                claimant_same_as = tuple(_links(_get(person, "sameAs"), "itemReviewed.author.sameAs", problems))
        claim_date = checked(item, "datePublished", _date, "itemReviewed.")
    elif item is not None:
        problems.add("itemReviewed", f"{_shown(item)} is not a Claim object or the IRI of a claim")

    if len(found) > before:
        return None
    return Review(
        where=where, claim_text=claim_text, rating=rating, reviewer=reviewer, url=url, date=date, claim=claim,
        appearances=tuple(dict.fromkeys(appearances)), claimant=claimant, claimant_same_as=claimant_same_as,
        claim_date=claim_date,
        explanation=explanation, language=language, title=title, claimant_kind=claimant_kind,
    )
