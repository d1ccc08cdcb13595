"""The result cache (claimgraph.store.cache) over the real embedded store, and through a real server: ETags, 304,
/metrics and /healthz.

The store under the cache is a real :class:`EmbeddedStore` that notes each job it runs, so "answered from memory"
means "the store ran nothing"; over HTTP the same is read from the service's own /metrics.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.model import dataset
from claimgraph.store.base import Answer, Query
from claimgraph.store.cache import CachingStore, cacheable, job_key
from claimgraph.store.embedded import EmbeddedStore
from conftest import ONTOLOGY, TOKEN, answered, copy_of, count, running_server, select, solutions
from prometheus_client.parser import text_string_to_metric_families

CG = "https://w3id.org/claimgraph/ontology#"
CLAIMS = f"SELECT ?claim WHERE {{ ?claim a <{CG}Claim> }} ORDER BY ?claim"
COUNT_CLAIMS = f"SELECT (COUNT(?claim) AS ?n) WHERE {{ ?claim a <{CG}Claim> }}"
GRAPH = "http://example.org/cache-test"
#: the row cap of the server these tests run.
MAX_ROWS = 5


class Counting(EmbeddedStore):
    """The embedded store, noting every job it runs."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, prefixes=dataset.prefixes(ONTOLOGY), context=dataset.context(ONTOLOGY))
        self.ran: list[Query] = []

    def query(self, job: Query) -> Answer:
        self.ran.append(job)
        return super().query(job)


class WriteWhileAsked(Counting):
    """A store in which a write lands while the first query runs (after the cache read the generation)."""

    def query(self, job: Query) -> Answer:
        if not self.ran:
            self.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#c> a <{CG}Claim> }} }}")
        return super().query(job)


@pytest.fixture
def inner(loaded_store: Path, tmp_path: Path) -> Counting:
    with Counting(Path(shutil.copytree(loaded_store, tmp_path / "store"))) as store:
        yield store


def claim_count(store) -> int:
    return int(store.select(COUNT_CLAIMS)[0]["n"].value)


def head(answer: Answer) -> tuple:
    return answer.form, answer.media_type, answer.truncated, answer.count, answer.length


# ---------------------------------------------------------------- the cache over the store


def test_the_same_job_again_is_answered_from_memory_with_the_same_bytes_and_head(inner):
    cache = CachingStore(inner, max_bytes=1 << 20)
    job = Query(CLAIMS, max_rows=3)
    answers = [cache.query(job) for _ in range(3)]
    heads = [head(answer) for answer in answers]
    bodies = [answer.body() for answer in answers]
    assert len(inner.ran) == 1
    assert heads == [head(inner.query(job))] * 3 and heads[0][2:4] == (True, 3)
    assert bodies == [inner.query(job).body()] * 3
    counters = cache.counters()
    assert (counters.hits, counters.misses, counters.entries, counters.bytes) == (2, 1, 1, len(bodies[0]))
    assert counters.hit_rate == 2 / 3


VARIANTS = {
    "query text": {"sparql": CLAIMS + " LIMIT 2"},
    "substitutions": {"substitutions": {"claim": ox.NamedNode(f"{GRAPH}#x")}},
    "default graph": {"default_graph": (ox.NamedNode(GRAPH),)},
    "named graphs": {"named_graphs": (ox.NamedNode(GRAPH),)},
    "results media type": {"results_as": "text/csv"},
    "graph media type": {"graph_as": "application/n-triples"},
    "row cap": {"max_rows": 2},
    "union flag": {"union_default_graph": False},
    "base IRI": {"base_iri": "http://example.org/"},
}


@pytest.mark.parametrize("change", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_field_of_the_job_is_part_of_the_key(inner, change):
    cache = CachingStore(inner, max_bytes=1 << 20)
    base = Query(CLAIMS)
    cache.query(base).body()
    cache.query(dataclasses.replace(base, **change)).body()
    assert len(inner.ran) == 2 and cache.counters().entries == 2


def test_substitutions_in_another_order_are_the_same_job():
    a, b = ox.NamedNode("http://example.org/a"), ox.Literal("b")
    assert job_key(Query(CLAIMS, substitutions={"a": a, "b": b})) == job_key(Query(CLAIMS, substitutions={"b": b, "a": a}))
    assert job_key(Query(CLAIMS, substitutions={"a": a})) != job_key(Query(CLAIMS, substitutions={"a": ox.Literal(a.value)}))


def test_a_write_makes_the_next_query_run_again_and_see_it(inner):
    cache = CachingStore(inner, max_bytes=1 << 20)
    before = claim_count(cache)
    assert claim_count(cache) == before and len(inner.ran) == 1
    cache.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#c> a <{CG}Claim> }} }}")
    assert cache.counters().entries == 0
    assert claim_count(cache) == before + 1 and len(inner.ran) == 2


def test_a_write_to_the_inner_store_is_followed_too(inner):
    cache = CachingStore(inner, max_bytes=1 << 20)
    before = claim_count(cache)
    inner.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#c> a <{CG}Claim> }} }}")
    assert claim_count(cache) == before + 1 and len(inner.ran) == 2


def test_an_answer_computed_while_a_write_lands_is_not_kept(loaded_store, tmp_path):
    with WriteWhileAsked(Path(shutil.copytree(loaded_store, tmp_path / "store"))) as store:
        cache = CachingStore(store, max_bytes=1 << 20)
        first = claim_count(cache)
        assert cache.counters().entries == 0
        assert claim_count(cache) == first and len(store.ran) == 2
        assert claim_count(cache) == first and len(store.ran) == 2


def test_errors_are_never_kept(inner):
    cache = CachingStore(inner, max_bytes=1 << 20)
    for _ in range(2):
        with pytest.raises(SyntaxError):
            cache.query(Query("SELECT ?x WHERE { ?x"))
    assert len(inner.ran) == 2 and cache.counters().entries == 0


def test_the_least_recently_used_answers_are_evicted_past_the_size(inner):
    jobs = [Query(CLAIMS, max_rows=rows) for rows in (1, 2, 3)]
    sizes = [inner.query(job).length for job in jobs]
    inner.ran.clear()
    cache = CachingStore(inner, max_bytes=sizes[1] + sizes[2])
    for job in jobs[:2]:
        cache.query(job).body()
    cache.query(jobs[0]).body()  # now the most recently used
    cache.query(jobs[2]).body()  # evicts jobs[1], not jobs[0]
    counters = cache.counters()
    assert (counters.entries, counters.bytes, counters.evictions) == (2, sizes[0] + sizes[2], 1)
    cache.query(jobs[0]).body()
    assert len(inner.ran) == 3
    cache.query(jobs[1]).body()
    assert len(inner.ran) == 4


def test_an_answer_larger_than_an_entry_passes_through_unkept(inner):
    job = Query(CLAIMS)
    size = inner.query(job).length
    cache = CachingStore(inner, max_bytes=1 << 20, max_entry_bytes=size - 1)
    assert cache.query(job).body() == cache.query(job).body() == inner.query(job).body()
    assert (cache.counters().entries, len(inner.ran)) == (0, 4)


def test_a_cache_of_0_bytes_keeps_nothing(inner):
    cache = CachingStore(inner, max_bytes=0)
    claim_count(cache), claim_count(cache)
    assert (len(inner.ran), cache.counters().entries, cache.counters().misses) == (2, 0, 2)


@pytest.mark.parametrize("sparql", [
    "SELECT (NOW() AS ?t) WHERE {}",
    "SELECT (rand() AS ?r) WHERE {}",
    "SELECT (STRUUID() AS ?u) WHERE {}",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_a_query_whose_answer_changes_between_runs_always_runs(sparql):
    assert not cacheable(Query(sparql))


@pytest.mark.parametrize("sparql", [
    'SELECT ("NOW()" AS ?t) WHERE {}',
    "SELECT ?now WHERE { ?now a <http://example.org/RAND> } # SERVICE",
])
def test_a_volatile_word_outside_keywords_does_not_count(sparql):
    assert cacheable(Query(sparql))


def test_now_is_asked_again(inner):
    cache = CachingStore(inner, max_bytes=1 << 20)
    cache.query(Query("SELECT (NOW() AS ?t) WHERE {}")).body()
    cache.query(Query("SELECT (NOW() AS ?t) WHERE {}")).body()
    assert len(inner.ran) == 2 and cache.counters().entries == 0


# ---------------------------------------------------------------- through a real server


@pytest.fixture(scope="module")
def service(loaded_store, tmp_path_factory):
    """A server of this module's own (its counters move only with these tests), with a row cap of :data:`MAX_ROWS`."""
    with running_server(copy_of(loaded_store, tmp_path_factory.mktemp("cache")), max_rows=MAX_ROWS) as running:
        yield running


def metrics(service) -> dict[str, float]:
    response = answered(service.get("/metrics"))
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {sample.name: sample.value for family in text_string_to_metric_families(response.text) for sample in family.samples}


def moved(service, before: dict[str, float]) -> dict[str, float]:
    """How much each cache counter and the store's generation moved since ``before``."""
    after = metrics(service)
    names = ("claimgraph_cache_hits_total", "claimgraph_cache_misses_total", "claimgraph_cache_entries",
             "claimgraph_store_generation")
    return {name.removeprefix("claimgraph_"): after[name] - before[name] for name in names}


def write(service, sparql: str) -> None:
    answered(service.post("/update", data={"update": sparql}, headers={"Authorization": f"Bearer {TOKEN}"}), 204)


def test_metrics_name_every_number(service):
    openmetrics = answered(service.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}))
    assert openmetrics.headers["Content-Type"].startswith("application/openmetrics-text")
    assert openmetrics.text.endswith("# EOF\n")
    found = metrics(service)
    assert {"claimgraph_cache_hits_total", "claimgraph_cache_misses_total", "claimgraph_cache_entries",
            "claimgraph_cache_bytes", "claimgraph_cache_evictions_total", "claimgraph_cache_max_bytes",
            "claimgraph_cache_hit_ratio", "claimgraph_store_generation"} <= found.keys()
    assert found["claimgraph_cache_max_bytes"] == 64 * 1024 * 1024


def test_a_repeated_canned_query_is_a_hit_with_the_same_answer(service):
    before = metrics(service)
    first = answered(service.get("/queries/figures", headers={"Accept": "application/sparql-results+json"}))
    missed = moved(service, before)
    assert missed["cache_misses_total"] >= 1 and missed["cache_hits_total"] == 0
    again = metrics(service)
    second = answered(service.get("/queries/figures", headers={"Accept": "application/sparql-results+json"}))
    assert moved(service, again) == {"cache_hits_total": missed["cache_misses_total"], "cache_misses_total": 0,
                                     "cache_entries": 0, "store_generation": 0}
    assert second.content == first.content


def test_another_accept_is_another_entry(service):
    query = {"query": CLAIMS + " LIMIT 2"}
    before = metrics(service)
    as_json = answered(service.get("/sparql", params=query, headers={"Accept": "application/sparql-results+json"}))
    as_csv = answered(service.get("/sparql", params=query, headers={"Accept": "text/csv"}))
    assert moved(service, before) == {"cache_hits_total": 0, "cache_misses_total": 2, "cache_entries": 2, "store_generation": 0}
    assert solutions(as_json) == solutions(as_csv) and as_json.headers["ETag"] != as_csv.headers["ETag"]


def test_a_truncated_answer_from_memory_keeps_its_cap(service, data_store):
    assert count(data_store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:Claim }") > MAX_ROWS
    query = {"query": CLAIMS}
    first = answered(service.get("/sparql", params=query, headers={"Accept": "text/csv"}))
    before = metrics(service)
    second = answered(service.get("/sparql", params=query, headers={"Accept": "text/csv"}))
    assert moved(service, before)["cache_hits_total"] == 1
    assert first.headers["X-SPARQL-MaxRows"] == second.headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    assert second.content == first.content and len(solutions(second)) == MAX_ROWS


def test_if_none_match_is_answered_304_until_a_write(service):
    query = {"query": f"SELECT ?s WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"}
    accept = {"Accept": "application/sparql-results+json"}
    first = answered(service.get("/sparql", params=query, headers=accept))
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and first.headers["Cache-Control"] == "no-cache" and solutions(first) == []
    before = metrics(service)
    again = answered(service.get("/sparql", params=query, headers={**accept, "If-None-Match": tag}), 304)
    assert (again.content, again.headers["ETag"]) == (b"", tag)
    assert "accept" in {word.strip().lower() for word in again.headers["Vary"].split(",")}
    assert moved(service, before) == {"cache_hits_total": 0, "cache_misses_total": 0, "cache_entries": 0, "store_generation": 0}
    other = answered(service.get("/sparql", params=query, headers={"Accept": "text/csv", "If-None-Match": tag}))
    assert other.headers["ETag"] != tag
    write(service, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#new> a <{CG}Claim> }} }}")
    after = answered(service.get("/sparql", params=query, headers={**accept, "If-None-Match": tag}))
    assert after.headers["ETag"] not in (tag, "") and solutions(after) == [{"s": f"{GRAPH}#new"}]
    answered(service.get("/sparql", params=query, headers={**accept, "If-None-Match": after.headers["ETag"]}), 304)
    write(service, f"DROP GRAPH <{GRAPH}>")


@pytest.mark.parametrize("query, status", [(CLAIMS + " LIMIT 1", 200), ("SELECT * WHERE {", 400)])
def test_if_none_match_star_runs_the_query(service, query, status):
    """"*" names no answer of this service's: the query is run, and a broken one is the client's error, not a 304."""
    answered(service.get("/sparql", params={"query": query}, headers={"If-None-Match": "*"}), status)


def test_a_post_query_has_no_etag(service):
    response = answered(service.post("/sparql", data={"query": CLAIMS + " LIMIT 1"}, headers={"If-None-Match": "*"}))
    assert "ETag" not in response.headers and len(solutions(response)) == 1


def test_a_write_moves_the_generation_and_empties_the_cache(service):
    answered(service.get("/sparql", params={"query": COUNT_CLAIMS}))
    before = metrics(service)
    assert before["claimgraph_cache_entries"] >= 1
    write(service, f"INSERT DATA {{ GRAPH <{GRAPH}-2> {{ <{GRAPH}#w> a <{CG}Claim> }} }}")
    after = metrics(service)
    assert after["claimgraph_store_generation"] == before["claimgraph_store_generation"] + 1
    assert (after["claimgraph_cache_entries"], after["claimgraph_cache_bytes"]) == (0, 0)
    write(service, f"DROP GRAPH <{GRAPH}-2>")


@pytest.mark.parametrize("path", ["/export/claims.csv", "/export/sources/dw-2017-mechelen.ttl"])
def test_exports_read_through_the_cache(service, path):
    first = answered(service.get(path))
    before = metrics(service)
    second = answered(service.get(path))
    change = moved(service, before)
    assert change["cache_misses_total"] == 0 and change["cache_hits_total"] >= 1
    assert second.content == first.content


def test_a_resource_page_reads_through_the_cache(service, data_store):
    claim = select(data_store, CLAIMS)[0]["claim"]
    path = "/" + claim.removeprefix("https://w3id.org/claimgraph/")
    first = answered(service.get(path, headers={"Accept": "text/html"}))
    before = metrics(service)
    second = answered(service.get(path, headers={"Accept": "text/html"}))
    change = moved(service, before)
    assert change["cache_misses_total"] == 0 and change["cache_hits_total"] >= 1
    assert second.text == first.text


def test_healthz_stays_plain_and_gives_the_hit_rate_as_json(service):
    plain = answered(service.get("/healthz"))
    assert (plain.headers["Content-Type"].split(";")[0], plain.text) == ("text/plain", "ok\n")
    report = answered(service.get("/healthz", headers={"Accept": "application/json"})).json()
    found = metrics(service)
    assert report["status"] == "ok" and report["generation"] == found["claimgraph_store_generation"]
    cache = report["cache"]
    assert cache["hit_rate"] == cache["hits"] / (cache["hits"] + cache["misses"])
    assert {"hits", "misses", "entries", "bytes", "evictions", "max_bytes"} <= cache.keys()
    # The search index has followed every write so far: current at the store's generation, nothing failed.
    assert report["search"] == {"generation": report["generation"], "store_generation": report["generation"],
                                "building": False, "error": None, "current": True}


def test_healthz_asks_the_store_past_the_cache(service):
    before = metrics(service)
    for _ in range(2):
        answered(service.get("/healthz"))
    assert moved(service, before) == {"cache_hits_total": 0, "cache_misses_total": 0, "cache_entries": 0, "store_generation": 0}


def test_an_etag_of_an_earlier_run_does_not_match(loaded_store, tmp_path):
    query = {"query": COUNT_CLAIMS}
    tags = []
    for run in ("one", "two"):
        with running_server(copy_of(loaded_store, tmp_path / run)) as running:
            tags.append(answered(running.get("/sparql", params=query)).headers["ETag"])
            answered(running.get("/sparql", params=query, headers={"If-None-Match": tags[0]}), 304 if run == "one" else 200)
    assert tags[0] != tags[1]


def test_the_setting_sizes_the_cache(loaded_store, tmp_path):
    with running_server(copy_of(loaded_store, tmp_path), cache_bytes=0) as running:
        for _ in range(2):
            answered(running.get("/sparql", params={"query": COUNT_CLAIMS}))
        found = metrics(running)
        assert (found["claimgraph_cache_max_bytes"], found["claimgraph_cache_entries"], found["claimgraph_cache_hits_total"]) == (0, 0, 0)
        assert answered(running.get("/healthz", headers={"Accept": "application/json"})).json()["cache"]["hit_rate"] == 0.0
