"""The words of the YAML form for the terms of the ontology: one table each way, read by the compiler (YAML → TriG)
and the exporter (TriG → YAML), so that the two can never disagree.

Kinds (``kind/…``) and units (``unit/…``) are the local names of their IRIs and are checked against the ontology's
schemes when compiling; the closed lists below are the ontology's own concepts.
"""

from __future__ import annotations

import datetime
import re

from claimgraph.rdf.vocabulary import CG

TIME = "http://www.w3.org/2006/time#"

#: voice: who speaks the claim (cg:attribution).
VOICES = {
    "quoted": CG + "QuotedSpeech",
    "reported": CG + "ReportedSpeech",
    "narration": CG + "Narration",
    "unattributed": CG + "Unattributed",
}
#: modality: how firmly the source puts it (cg:modality).
MODALITIES = {"stated": CG + "Stated", "hedged": CG + "Hedged", "implied": CG + "Implied"}
#: precision of a figure (cg:precision).
PRECISIONS = {
    "as-stated": CG + "AsStated",
    "approximate": CG + "Approximate",
    "indefinite": CG + "Indefinite",
    "less-than": CG + "LessThan",
}
#: basis of a date (cg:timeBasis).
TIME_BASES = {
    "stated-in-text": CG + "StatedInText",
    "since": CG + "SinceDate",
    "as-of-publication": CG + "AsOfPublication",
    "relative-to-publication": CG + "RelativeToPublication",
    "no-later-than": CG + "NoLaterThan",
    "before-change": CG + "BeforeChange",
}
#: precision of a date (cg:datePrecision), in OWL-Time units.
DATE_PRECISIONS = {"day": TIME + "unitDay", "month": TIME + "unitMonth", "year": TIME + "unitYear", "decade": TIME + "unitDecade"}


_DATE_FORM = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?|(\d{3}0)s")


def date_of(value: object) -> tuple[str, str] | None:
    """The xsd:date and precision (a key of :data:`DATE_PRECISIONS`) of a date as YAML gives it: ``2017-09-27``
    (day), ``2017-09`` (month), ``2017`` (year), ``1990s`` (decade); a date known to the month, year or decade is
    recorded as its first day. ``None`` for anything else, or a day that does not exist."""
    found = _DATE_FORM.fullmatch(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if found is None:
        return None
    year, month, day, decade = found.groups()
    if decade:
        return f"{decade}-01-01", "decade"
    try:
        date = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return date.isoformat(), "day" if day else "month" if month else "year"


def inverse(table: dict[str, str]) -> dict[str, str]:
    """IRI → word, for writing YAML."""
    return {iri: word for word, iri in table.items()}
