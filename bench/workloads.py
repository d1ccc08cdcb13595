"""The requests of each workload, for each system, with parameters drawn (Zipf) from the generator's sidecar.

Every ad-hoc query is one text sent to both systems (claimgraph's ``/sparql``, Oxigraph's ``/query``, each over the
union of the named graphs). A canned query is ``/queries/<name>?param=value`` on claimgraph and, on Oxigraph, the
query file's text with the value bound by a ``VALUES`` block at the start of every group the parameter is used in.
"""

from __future__ import annotations

import random
import re
import urllib.parse
from pathlib import Path

import yaml

from driver import Request
from generate import Zipf

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = """PREFIX cg: <https://w3id.org/claimgraph/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
SELECT_JSON = "application/sparql-results+json"
GRAPH_NT = "application/n-triples"

#: The ad-hoc mix: name, weight, query template (``{claim}``, ``{city}``, ``{graph}``, ``{word}``, ``{speaker}``).
AD_HOC = (
    ("evidence-trail", 30, """SELECT ?exact ?start ?end ?source ?headline WHERE {
  <{claim}> cg:evidence ?evidence . ?evidence oa:hasSource ?source ; oa:hasSelector ?quote , ?position .
  ?quote oa:exact ?exact . ?position oa:start ?start ; oa:end ?end . ?source schema:headline ?headline }"""),
    ("describe-claim", 15, "DESCRIBE <{claim}>"),
    ("construct-source", 8, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <{graph}> { ?s ?p ?o } }"),
    ("city-claims-speakers", 15, """SELECT ?claim ?text ?speaker WHERE {
  ?claim schema:about <{city}> ; schema:text ?text ; schema:author/schema:name ?speaker }"""),
    ("claims-per-city", 5, """SELECT ?city (COUNT(?claim) AS ?claims) WHERE {
  ?claim a cg:Claim ; schema:about ?city . ?city a schema:City } GROUP BY ?city ORDER BY DESC(?claims) LIMIT 20"""),
    ("claims-per-speaker", 5, """SELECT ?speaker (COUNT(?claim) AS ?claims) WHERE {
  ?claim a cg:Claim ; schema:author ?speaker } GROUP BY ?speaker ORDER BY DESC(?claims) LIMIT 20"""),
    ("text-filter", 10, """SELECT ?claim ?text WHERE {
  ?claim a cg:Claim ; schema:text ?text FILTER(CONTAINS(?text, "{word}")) } LIMIT 100"""),
    ("full-count", 2, "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"),
)
GRAPH_QUERIES = {"describe-claim", "construct-source"}

#: The canned mix: query file, weight, parameter and where its values come from in the sidecar.
CANNED = (
    ("evidence-trail", 30, "claim", "claims"),
    ("claims-about-city", 15, "city", "cities"),
    ("claims-by-speaker", 15, "person", "speakers"),
    ("source-graph", 10, "source", "sources"),
    ("claims-by-kind", 5, "kind", "kinds"),
    ("policy-outcomes", 10, "policy", "policies"),
    ("cities-compared", 5, "measure", "measures"),
    ("claims-with-reviews", 2, None, None),
)
#: The pathological query of the isolation workload: a cross join of all claim texts, aggregated.
HEAVY = """SELECT (COUNT(*) AS ?pairs) WHERE {
  ?a schema:text ?x . ?b schema:text ?y FILTER(STRLEN(?x) < STRLEN(?y)) }"""


class Draw:
    """Parameters drawn from the sidecar: claims, sources and words uniformly or by Zipf rank as news has them."""

    def __init__(self, sidecar: dict, seed: int) -> None:
        self.sidecar, self.rng = sidecar, random.Random(seed)
        self.zipf = {name: Zipf(sidecar[name], 1.0) for name in ("cities", "speakers", "words", "policies")}

    def __call__(self, name: str) -> str:
        if name in self.zipf:
            return self.zipf[name].draw(self.rng)
        return self.rng.choice(self.sidecar[name])

    def graph_of(self, source: str) -> str:
        return source.replace("/id/source/", "/graph/")


def sparql(system: str, name: str, text: str) -> Request:
    """A POST of the query ``text`` (with :data:`PREFIXES`) to ``system``'s SPARQL endpoint."""
    path = "/sparql" if system == "claimgraph" else "/query"
    accept = GRAPH_NT if text.lstrip().startswith(("DESCRIBE", "CONSTRUCT")) else SELECT_JSON
    body = urllib.parse.urlencode({"query": PREFIXES + text}).encode()
    return Request(name, "POST", path, body, (("Content-Type", "application/x-www-form-urlencoded"), ("Accept", accept)))


def ad_hoc_text(name: str, template: str, draw: Draw) -> str:
    source = draw("sources")
    values = {"claim": draw("claims"), "city": draw("cities"), "graph": draw.graph_of(source),
              "word": draw("words"), "speaker": draw("speakers")}
    return re.sub(r"<\{(\w+)\}>|\{(\w+)\}", lambda m: f"<{values[m[1]]}>" if m[1] else values[m[2]], template)


def ad_hoc(sidecar: dict, seed: int, count: int = 3000) -> dict[str, tuple[Request, ...]]:
    """The ad-hoc mix for each system: the same ``count`` query texts, drawn by weight."""
    draw = Draw(sidecar, seed)
    names = [name for name, weight, _ in AD_HOC for _ in range(weight)]
    templates = {name: template for name, _, template in AD_HOC}
    texts = [(name, ad_hoc_text(name, templates[name], draw)) for name in (draw.rng.choice(names) for _ in range(count))]
    return {system: tuple(sparql(system, name, text) for name, text in texts) for system in ("claimgraph", "oxigraph")}


def canned_file(name: str) -> tuple[dict, str]:
    """The ``#+`` YAML header and the query text of ``queries/<name>.rq``."""
    lines = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8").splitlines()
    header = yaml.safe_load("\n".join(line[3:] for line in lines if line.startswith("#+")))
    return header, "\n".join(line for line in lines if not line.startswith("#+"))


def bind(text: str, parameter: str, value: str) -> str:
    """``text`` with ``?parameter`` bound to ``value`` by ``VALUES`` at the start of every ``WHERE`` group, except a
    group that is a subquery alone (``WHERE { SELECT ... }`` takes nothing beside it: the subquery gets it)."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.sub(r"WHERE\s*\{(?!\s*SELECT)", lambda match: f"{match[0]} VALUES ?{parameter} {{ <{value}> }}", text,
                  flags=re.IGNORECASE)


def canned(sidecar: dict, seed: int, count: int = 2000) -> dict[str, tuple[Request, ...]]:
    """The canned mix: claimgraph's ``/queries/<name>`` and the same query, value bound, on Oxigraph."""
    draw = Draw(sidecar, seed)
    names = [row for row in CANNED for _ in range(row[1])]
    claimgraph, oxigraph = [], []
    for _ in range(count):
        name, _, parameter, pool = draw.rng.choice(names)
        header, text = canned_file(name)
        form = "CONSTRUCT" if re.search(r"^\s*CONSTRUCT", text, re.MULTILINE) else "SELECT"
        accept = GRAPH_NT if form == "CONSTRUCT" else SELECT_JSON
        query = {}
        if parameter:
            value = draw(pool)
            query = {parameter: value}
            if name == "claims-by-kind":
                spec = next(p for p in header["params"] if p["name"] == "kind")
                text = bind(text, parameter, spec["values"][value])
            else:
                text = bind(text, parameter, value)
        path = f"/queries/{name}" + ("?" + urllib.parse.urlencode(query) if query else "")
        claimgraph.append(Request(name, "GET", path, None, (("Accept", accept),)))
        oxigraph.append(Request(name, "POST", "/query", urllib.parse.urlencode({"query": text}).encode(),
                                (("Content-Type", "application/x-www-form-urlencoded"), ("Accept", accept))))
    return {"claimgraph": tuple(claimgraph), "oxigraph": tuple(oxigraph)}


def pages(sidecar: dict, seed: int, count: int = 400) -> dict[str, tuple[Request, ...]]:
    """claimgraph's HTML pages: a claim, a source, a place, a search, each its own list."""
    draw, base = Draw(sidecar, seed), sidecar["base"]
    html = (("Accept", "text/html"),)
    return {
        "claim page": tuple(Request("claim page", "GET", "/" + draw("claims").removeprefix(base), None, html) for _ in range(count)),
        "source page": tuple(Request("source page", "GET", "/" + draw("sources").removeprefix(base), None, html) for _ in range(count)),
        "place page": tuple(Request("place page", "GET", "/" + draw("cities").removeprefix(base), None, html) for _ in range(count)),
        "search page": tuple(Request("search page", "GET", "/search?q=" + draw("words"), None, html) for _ in range(count)),
    }


def text_search(sidecar: dict, seed: int, count: int = 400) -> dict[str, tuple[Request, ...]]:
    """claimgraph's ``/search.json?q=word`` against every claim whose text matches ``REGEX(word, "i")`` on Oxigraph."""
    draw = Draw(sidecar, seed)
    words = [draw("words") for _ in range(count)]
    return {
        "claimgraph": tuple(Request("search", "GET", "/search.json?" + urllib.parse.urlencode({"q": word}), None,
                                    (("Accept", "application/json"),)) for word in words),
        "oxigraph": tuple(sparql("oxigraph", "search", regex_query(word)) for word in words),
    }


def regex_query(word: str) -> str:
    return f'SELECT ?claim ?text WHERE {{ ?claim a cg:Claim ; schema:text ?text FILTER(REGEX(?text, "{word}", "i")) }}'


def heavy(system: str, count: int) -> tuple[Request, ...]:
    return tuple(sparql(system, "heavy", HEAVY) for _ in range(count))


def claim_insert(number: int, claims: int) -> str:
    """``INSERT DATA`` of ``claims`` claims (20 triples each, distinct for each ``number``) into one graph."""
    graph = "https://w3id.org/claimgraph/graph/bench-writes"
    blocks = []
    for index in range(claims):
        key = f"w{number:07d}-{index:04d}"
        claim = f"<https://w3id.org/claimgraph/id/claim/bench-writes/{key}>"
        node = f"https://w3id.org/claimgraph/id/evidence/bench-writes/{key}"
        evidence, quote, position = f"<{node}>", f"<{node}-q>", f"<{node}-p>"
        source = "<https://w3id.org/claimgraph/id/source/bench-writes>"
        blocks.append(f"""{claim} a cg:Claim ; schema:text "Written claim {key}."@en ;
  cg:kind <https://w3id.org/claimgraph/kind/descriptive> ; cg:attribution cg:Narration ; cg:modality cg:Stated ;
  schema:about <https://w3id.org/claimgraph/id/place/city-00000> ; schema:appearance {source} ;
  <http://www.w3.org/ns/prov#wasDerivedFrom> {source} ; cg:evidence {evidence} .
{evidence} a cg:Evidence ; oa:hasSource {source} ; oa:hasSelector {quote} , {position} .
{quote} a oa:TextQuoteSelector ; oa:exact "Written claim {key}" ; oa:prefix "" ; oa:suffix "." .
{position} a oa:TextPositionSelector ; oa:start {index * 40} ; oa:end {index * 40 + 30} .""")
    return PREFIXES + f"INSERT DATA {{ GRAPH <{graph}> {{\n" + "\n".join(blocks) + "\n} }"


#: Triples one claim of :func:`claim_insert` writes.
TRIPLES_PER_CLAIM = 20


def writes(system: str, first: int, count: int, claims: int, update_headers: dict[str, str]) -> tuple[Request, ...]:
    """``count`` distinct updates of ``claims`` claims each, numbered from ``first``."""
    headers = (("Content-Type", "application/sparql-update"), *update_headers.items())
    return tuple(Request("write", "POST", "/update", claim_insert(first + n, claims).encode(), headers)
                 for n in range(count))
