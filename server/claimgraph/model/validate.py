"""Validation of the curated data: SHACL shapes (pyshacl), then every quote against its archived text.

Each problem names the claim it concerns (or, where no claim owns the faulty node, the node
itself) and says what is wrong and, for quotes, where the words really are.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict

import pyoxigraph as ox
import pyshacl
import rdflib

from claimgraph.model.dataset import Curated, compact, prefixes, sparql_prefixes

CONTEXT = 32  # characters of surrounding text shown in messages


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One violation: the IRI it is about, and what is wrong."""

    subject: str
    message: str

    def __str__(self) -> str:
        return f"<{self.subject}> {self.message}"


def validate(curated: Curated) -> list[Problem]:
    """All problems of the curated data, sorted by subject; an empty list means it is valid."""
    store = curated.store()
    return sorted(set(_check_shapes(curated, store)) | set(_check_quotes(curated, store)))


def check_shapes(curated: Curated) -> list[Problem]:
    """The SHACL problems of ``curated`` alone, sorted by subject (no quote is checked): for RDF that is not the
    curated data, whose archived sources are not at hand."""
    return sorted(set(_check_shapes(curated, curated.store())))


def _to_rdflib(quads: list[ox.Quad]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES), format="nt")


def _check_shapes(curated: Curated, store: ox.Store) -> list[Problem]:
    conforms, report, _ = pyshacl.validate(_to_rdflib(curated.quads), shacl_graph=_to_rdflib(curated.shapes), inference="none")
    results = report.query(
        """
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?focus ?path ?message ?component ?value WHERE {
            ?result a sh:ValidationResult ; sh:focusNode ?focus ; sh:sourceConstraintComponent ?component .
            OPTIONAL { ?result sh:resultMessage ?message }
            OPTIONAL { ?result sh:resultPath ?path }
            OPTIONAL { ?result sh:value ?value }
        }"""
    )
    namespaces = prefixes(curated.ontology_dir)
    owning = _owning_claims(curated, store)
    problems = []
    for focus, path, message, component, value in results:
        detail = str(message) if message is not None else f"violates {compact(str(component), {'sh': str(rdflib.SH)})}"
        if isinstance(path, rdflib.URIRef):
            detail = f"{compact(str(path), namespaces)}: {detail}"
        if value is not None and value != focus and str(value) not in detail:
            detail += f" (value: {value.n3()})"
        owners = owning.get(str(focus), [])
        if owners and owners != [str(focus)]:
            detail += f" [at <{focus}>]"
        problems += [Problem(owner, detail) for owner in owners or [str(focus)]]
    if not conforms and not problems:
        problems.append(Problem(str(curated.data_dir), "the data does not conform to the shapes, and pyshacl named no node"))
    return problems


def _owning_claims(curated: Curated, store: ox.Store) -> dict[str, list[str]]:
    """For every node a claim owns (itself, its evidence, their selectors, its figures): the claims owning it."""
    owning: dict[str, list[str]] = defaultdict(list)
    for row in store.query(
        sparql_prefixes(curated.ontology_dir)
        + "SELECT DISTINCT ?claim ?node WHERE { ?claim a cg:Claim ; (cg:evidence|cg:figure|cg:evidence/oa:hasSelector)? ?node }"
        " ORDER BY ?claim",
        use_default_graph_as_union=True,
    ):
        owning[row["node"].value].append(row["claim"].value)
    return owning


def _check_quotes(curated: Curated, store: ox.Store) -> list[Problem]:
    header = sparql_prefixes(curated.ontology_dir)
    citing: dict[str, list[str]] = defaultdict(list)
    for row in store.query(header + "SELECT ?claim ?evidence WHERE { ?claim cg:evidence ?evidence }", use_default_graph_as_union=True):
        citing[row["evidence"].value].append(row["claim"].value)

    problems: list[Problem] = []
    texts: dict[str, str | None] = {}
    # Spans whose selectors are malformed (offsets that are not integers, say) are the shapes' to report.
    for row in store.query(
        header
        + """
        SELECT ?source ?path ?sha256 ?evidence ?exact ?prefix ?suffix ?start ?end WHERE {
            ?source cg:archivedText ?archive .
            ?archive cg:localPath ?path ; schema:sha256 ?sha256 .
            ?evidence oa:hasSource ?source ; oa:hasSelector ?quote , ?position .
            ?quote a oa:TextQuoteSelector ; oa:exact ?exact .
            OPTIONAL { ?quote oa:prefix ?prefix }
            OPTIONAL { ?quote oa:suffix ?suffix }
            ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
            FILTER (DATATYPE(?start) = xsd:integer && DATATYPE(?end) = xsd:integer)
        }""",
        use_default_graph_as_union=True,
    ):
        source = row["source"].value
        if source not in texts:
            texts[source], found = _archived_text(curated, source, row["path"].value, row["sha256"].value)
            problems += found
        text = texts[source]
        if text is None:
            continue
        evidence = row["evidence"].value
        for message in _quote_problems(
            text,
            row["exact"].value,
            row["prefix"].value if row["prefix"] else "",
            row["suffix"].value if row["suffix"] else "",
            int(row["start"].value),
            int(row["end"].value),
        ):
            problems += [Problem(claim, f"evidence <{evidence}>: {message}") for claim in citing[evidence] or [evidence]]
    return problems


def _archived_text(curated: Curated, source: str, path: str, sha256: str) -> tuple[str | None, list[Problem]]:
    """The archived text of ``source``, read from ``path`` within the data directory, and its problems."""
    data_dir = curated.data_dir.resolve()
    file = (data_dir / path).resolve()
    if not file.is_relative_to(data_dir):
        return None, [Problem(source, f"archived text path {path!r} leads outside the data directory")]
    try:
        content = file.read_bytes()
    except OSError as error:
        return None, [Problem(source, f"archived text {path} cannot be read from the data directory: {error.strerror}")]
    problems = []
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        problems.append(Problem(source, f"archived text {path} has SHA-256 {actual}, the data says {sha256}"))
    try:
        return content.decode("utf-8"), problems
    except UnicodeDecodeError as error:
        return None, [*problems, Problem(source, f"archived text {path} is not UTF-8 (byte {error.start})")]


def _quote_problems(text: str, exact: str, prefix: str, suffix: str, start: int, end: int) -> list[str]:
    """What is wrong with one evidence span; positions count Unicode code points, end exclusive."""
    if not 0 <= start < end <= len(text):
        return [f"offsets [{start}, {end}) lie outside the archived text ({len(text)} characters)"]
    if text[start:end] != exact:
        return [f"the archived text at [{start}, {end}) reads {_clip(text[start:end])}, not oa:exact {_clip(exact)}; {_where(text, exact)}"]
    problems = []
    if text[max(0, start - len(prefix)) : start] != prefix:
        problems.append(f"oa:prefix {_clip(prefix)} does not match the text before offset {start}: {_clip(text[max(0, start - CONTEXT):start])}")
    if text[end : end + len(suffix)] != suffix:
        problems.append(f"oa:suffix {_clip(suffix)} does not match the text after offset {end}: {_clip(text[end:end + CONTEXT])}")
    if not problems and (count := text.count(prefix + exact + suffix)) != 1:
        problems.append(f"the quote selector is ambiguous: prefix + exact + suffix occurs {count} times in the archived text")
    return problems


def _where(text: str, exact: str) -> str:
    spans = []
    at = text.find(exact)
    while at >= 0:
        spans.append(f"[{at}, {at + len(exact)})")
        at = text.find(exact, at + 1)
    if not spans:
        return "the quote does not occur anywhere in the archived text"
    return "the quote occurs at " + ", ".join(spans)


def _clip(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")
