"""The full-text index follows writes incrementally and never makes a search wait for a rebuild."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import logging
import threading
from pathlib import Path

import pytest
import requests
from claimgraph.errors import StoreError
from claimgraph.model.text import normal_text
from claimgraph.rdf import vocabulary
from claimgraph.search.fts import FullTextIndex
from claimgraph.search.query import Match
from claimgraph.search.updates import affected_graphs, changed_nodes
from claimgraph.store.base import Answer, Query, Store
from claimgraph.store.embedded import EmbeddedStore
from claimgraph.web import claimreview, services
import reviewed as with_reviews
from conftest import copy_of, free_port, in_process
from werkzeug.serving import make_server

CG = vocabulary.CG
G = "https://example.org/g"
PREFIX = "PREFIX ex: <https://example.org/> "


@pytest.mark.parametrize(("update", "graphs"), [
    (f"INSERT DATA {{ GRAPH <{G}> {{ <s:> <p:> 1 }} }}", {G}),
    ("INSERT DATA { <s:> <p:> 1 }", set()),
    (f"DELETE WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", {G}),
    (f"WITH <{G}> DELETE {{ ?s <p:> ?o }} WHERE {{ ?s <p:> ?o }}", {G}),
    (PREFIX + "INSERT { GRAPH ex:a { ?s <p:> 1 } } WHERE { GRAPH ex:b { ?s <q:> 2 } }",
     {"https://example.org/a", "https://example.org/b"}),
    ("INSERT { GRAPH ?g { <s:> <p:> 1 } } WHERE { GRAPH ?g { } }", None),
    (f"DROP GRAPH <{G}>", {G}),
    (f"DROP SILENT GRAPH <{G}> ; CLEAR GRAPH <{G}2>", {G, G + "2"}),
    ("DROP ALL", None),
    ("CLEAR NAMED", None),
    ("DROP DEFAULT", set()),
    (f"CREATE GRAPH <{G}>", {G}),
    (f"ADD <{G}> TO <{G}2>", {G, G + "2"}),
    (f"MOVE GRAPH <{G}> TO GRAPH <{G}2>", {G, G + "2"}),
    (f"COPY DEFAULT TO <{G}>", {G}),
    ("LOAD <http://example.org/data.ttl>", None),
    (f"LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <{G}>", {G}),
    ("INSERT DATA { GRAPH undeclared:g { <s:> <p:> 1 } }", None),
    ("INSERT DATA { GRAPH <relative> { <s:> <p:> 1 } }", {"https://example.org/base/relative"}),
    ("BASE <https://other.org/> INSERT DATA { GRAPH <relative> { <s:> <p:> 1 } }", {"https://other.org/relative"}),
    ('INSERT DATA { <s:> <p:> "GRAPH ?g DROP ALL" } # GRAPH ?x', set()),
])
def test_affected_graphs_bounds_what_an_update_may_change(update, graphs):
    assert affected_graphs(update, "https://example.org/base/") == graphs


# ---------------------------------------------------------------- an index over a real store, delayed or failing


class Held(Store):
    """A real embedded store whose queries wait while :attr:`held` is set, or fail while :attr:`failing` is."""

    def __init__(self, path: Path) -> None:
        self.inner = EmbeddedStore(path)
        self.prefixes, self.context = self.inner.prefixes, self.inner.context
        self.release = threading.Event()
        self.held = False
        self.failing = False
        self.waiting = threading.Event()

    def query(self, job: Query) -> Answer:
        if self.failing:
            raise StoreError("the store is away")
        if self.held:
            self.waiting.set()
            self.release.wait()
        return self.inner.query(job)

    def update(self, sparql, *, base_iri=None):
        self.inner.update(sparql, base_iri=base_iri)

    def dump(self, output, format, *, prefixes=None):
        self.inner.dump(output, format, prefixes=prefixes)

    @property
    def generation(self) -> int:
        return self.inner.generation

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def held(loaded_store: Path, tmp_path: Path):
    store = Held(copy_of(loaded_store, tmp_path))
    yield store
    store.release.set()
    store.close()


def _claim(graph: str, word: str) -> str:
    return f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#c> a <{CG}Claim> ; <http://schema.org/text> "A {word} claim." }} }}'


def _total(index: FullTextIndex, word: str) -> int:
    return index.search(Match.parse(word), limit=10).total


def test_the_index_is_built_in_the_background_and_the_first_search_waits_for_it(held):
    """A server over millions of triples must start before its index is built: the constructor does not wait."""
    held.held = True
    made: list[FullTextIndex] = []
    maker = threading.Thread(target=lambda: made.append(FullTextIndex(held)))
    maker.start()
    assert held.waiting.wait(30)  # the build reads the store, and is held there
    maker.join(30)
    assert not maker.is_alive()
    [index] = made
    assert index.state().building and index.state().generation is None
    held.held = False
    held.release.set()
    assert _total(index, "refugees") > 0  # waited for the build
    assert index.state().current


def test_a_search_during_a_rebuild_answers_from_the_old_index_without_waiting(held):
    index = FullTextIndex(held)
    before = _total(index, "refugees")
    held.update(_claim(G, "qzvxw"))  # behind the index's back: no written()
    held.held = True
    assert _total(index, "qzvxw") == 0  # answered from the old index; a rebuild started
    assert held.waiting.wait(30)
    assert index.state().building and not index.state().current
    # The rebuild cannot end while held: these answers did not wait for it.
    assert _total(index, "qzvxw") == 0 and _total(index, "refugees") == before
    held.held = False
    held.release.set()
    assert index.wait(60)
    assert _total(index, "qzvxw") == 1
    assert index.state().current and not index.state().building and index.state().error is None


def test_a_failed_rebuild_is_logged_once_and_not_retried_by_every_search(held, caplog):
    index = FullTextIndex(held, retry=600)
    assert index.wait(30) and index.state().current  # the first build, in the background
    held.update(_claim(G, "qzvxw"))
    held.failing = True
    with caplog.at_level(logging.WARNING, logger="claimgraph.search.fts"):
        assert _total(index, "refugees") > 0
        assert index.wait(30)
        for _ in range(5):
            assert _total(index, "refugees") > 0
        assert index.wait(30)
    assert [record.getMessage().count("StoreError") for record in caplog.records] == [1]
    assert index.state().error == "StoreError: the store is away" and not index.state().current


def test_written_graphs_re_read_only_their_claims(held):
    index = FullTextIndex(held)
    assert index.wait(30)  # the first build, in the background
    held.update(_claim(G, "qzvxw"))
    index.written({G})
    assert index.reindexed == 1 and index.state().current
    assert _total(index, "qzvxw") == 1
    held.update(f"DROP GRAPH <{G}>")
    index.written({G})
    assert index.reindexed == 0 and _total(index, "qzvxw") == 0 and index.state().current


# ---------------------------------------------------------------- the service on a real port


@contextlib.contextmanager
def _served(loaded_store: Path, tmp_path: Path):
    """The application over a copy of the curated store, served by werkzeug on a free port in this process, so that
    the test reads its index."""
    with in_process(copy_of(loaded_store, tmp_path), workers=2) as running:
        server = make_server("127.0.0.1", free_port(), running.app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            assert services.of(running.app).search.wait(60)  # the first build, in the background
            yield f"http://127.0.0.1:{server.server_port}", services.of(running.app).search, running.token
        finally:
            server.shutdown()
            thread.join()


@pytest.fixture
def served(loaded_store: Path, tmp_path: Path):
    with _served(loaded_store, tmp_path) as running:
        yield running


def _found(url: str, word: str) -> list[str]:
    answer = requests.get(url + "/search.json", params={"q": word}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [hit["iri"] for hit in answer.json()["results"]]


def _update(url: str, token: str, update: str) -> requests.Response:
    return requests.post(url + "/update", data={"update": update}, headers={"Authorization": f"Bearer {token}"}, timeout=60)


def test_an_update_naming_a_graph_is_found_right_after_its_204_and_only_its_claims_re_read(served):
    url, index, token = served
    graph = "https://example.org/test-index/one"
    two = (f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#a> a <{CG}Claim> ; <http://schema.org/text> "One wqxzv claim." . '
           f'<{graph}#b> a <{CG}Claim> ; <http://schema.org/text> "Another wqxzv claim." }} }}')
    assert _update(url, token, two).status_code == 204
    assert sorted(_found(url, "wqxzv")) == [f"{graph}#a", f"{graph}#b"]
    assert index.reindexed == 2 and index.state().current
    assert _update(url, token, f"DELETE WHERE {{ GRAPH <{graph}> {{ <{graph}#a> ?p ?o }} }}").status_code == 204
    assert _found(url, "wqxzv") == [f"{graph}#b"]
    assert index.reindexed == 1 and index.state().current


def test_a_write_racing_searches_never_gives_a_5xx_and_the_last_search_sees_it(served):
    url, index, token = served
    graph = "https://example.org/test-index/race"
    stop = threading.Event()

    def search() -> set[int]:
        statuses = set()
        while not stop.is_set():
            statuses.add(requests.get(url + "/search.json", params={"q": "refugees OR xqwzv"}, timeout=60).status_code)
        return statuses

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        searches = [pool.submit(search) for _ in range(2)]
        for number in range(4):
            assert _update(url, token, _claim(f"{graph}/{number}", "xqwzv")).status_code == 204
        stop.set()
        statuses = set().union(*(future.result() for future in searches))
    assert statuses == {200}
    assert sorted(_found(url, "xqwzv")) == sorted(f"{graph}/{number}#c" for number in range(4))


# ---------------------------------------------------------------- reviews matched and answered through the index


def test_claims_with_text_finds_claims_by_the_matchers_normalised_text_of_their_words_and_quotes(held):
    index = FullTextIndex(held, text_key=normal_text)
    [row] = held.select(f'SELECT ?claim ?text ?exact WHERE {{ ?claim a <{CG}Claim> ; <http://schema.org/text> ?text ; '
                        f'<{CG}evidence>/<http://www.w3.org/ns/oa#hasSelector>/<http://www.w3.org/ns/oa#exact> ?exact '
                        f'FILTER(?claim = <https://w3id.org/claimgraph/id/claim/dw-2017-mechelen/most-cctv>) }} LIMIT 1')
    claim = row["claim"].value
    assert claim in index.claims_with_text([f"  {row['text'].value.upper()} "])
    assert claim in index.claims_with_text([row["exact"].value.replace("'", "\u2019")])
    assert index.claims_with_text(["no claim says this, zqxwv"]) == set()
    assert FullTextIndex(held).claims_with_text([row["text"].value]) == set()


def test_the_reviews_of_the_claims_found_are_those_of_every_review(tmp_path):
    _, path = with_reviews.load(tmp_path)
    with in_process(path, workers=1) as app, app.app.app_context():
        store = services.of(app.app).store
        every, quotes = claimreview.elements(store)
        reviewed = sorted({element["itemReviewed"]["@id"] for element in every})
        chosen = reviewed[::2]
        some, some_quotes = claimreview.elements(store, of_claims=[*chosen, "https://example.org/no-claim"])
    assert chosen and sorted(some, key=lambda e: e["@id"]) == sorted(
        (element for element in every if element["itemReviewed"]["@id"] in chosen), key=lambda e: e["@id"])
    assert some_quotes == {claim: quotes[claim] for claim in chosen if claim in quotes}


def test_a_review_matches_by_its_text_a_claim_written_just_before(served):
    url, index, token = served
    graph = "https://example.org/test-index/reviewed"
    claim = f"{graph}#claim"
    source = "https://news.example.org/zqxvw"
    written = (f'INSERT DATA {{ GRAPH <{graph}> {{ <{claim}> a <{CG}Claim> ; <http://schema.org/text> "Zqxvw bridges fell down." ; '
               f'<http://schema.org/appearance> <{graph}#source> . <{graph}#source> <http://schema.org/url> <{source}> }} }}')
    assert _update(url, token, written).status_code == 204
    review = {
        "@context": "https://schema.org", "@type": "ClaimReview", "url": "https://factcheck.example.org/zqxvw",
        "claimReviewed": "zqxvw  bridges fell down.", "author": {"name": "Example Fact Check"},
        "reviewRating": {"alternateName": "False"}, "datePublished": "2024-01-02",
        "itemReviewed": {"@type": "Claim", "appearance": {"@type": "CreativeWork", "url": source}},
    }
    answer = requests.post(url + "/reviews", data=json.dumps(review), timeout=60,
                           headers={"Content-Type": "application/ld+json", "Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.text
    assert [found["claim"] for found in answer.json()["reviews"]] == [claim]
    api = requests.get(url + "/api/claims:search", params={"query": "zqxvw"}, timeout=60)
    assert [found["claimgraphIri"] for found in api.json()["claims"]] == [claim]


@pytest.mark.parametrize(("update", "nodes"), [
    ('INSERT DATA { GRAPH <http://g> { <http://a> <http://p> "x" ; <http://q> <http://b> } }', {"http://a"}),
    ('PREFIX s: <http://schema.org/>\nINSERT DATA { GRAPH <http://g> { <http://a> s:name "x" } } ;\n'
     'DELETE DATA { GRAPH <http://g> { <http://c> s:about <http://d> } }', {"http://a", "http://c"}),
    ('INSERT DATA { GRAPH <http://g> { <http://r> <http://schema.org/itemReviewed> <http://claim> } }',
     {"http://r", "http://claim"}),
    ('BASE <http://e/> INSERT DATA { GRAPH <g> { <s> <p> "{ not a brace }" } }', {"http://e/s"}),
    ('INSERT DATA { GRAPH <http://g> { _:new <http://p> 1 } }', None),
    ('INSERT { GRAPH <http://g> { ?s ?p ?o } } WHERE { ?s ?p ?o }', None),
    ('INSERT DATA { GRAPH <http://g> { <http://a> <http://p> 1 } } ; DROP GRAPH <http://g>', None),
])
def test_changed_nodes_are_an_insert_or_delete_datas_subjects_and_the_claims_they_review(update, nodes):
    found = changed_nodes(update)
    assert (None if found is None else {node.value for node in found}) == nodes


def test_an_insert_into_a_graph_of_many_claims_re_reads_only_its_own(served):
    url, index, token = served
    graph = "https://example.org/test-index/stream"
    for number in range(3):
        claim = f"<{graph}#c{number}>"
        assert _update(url, token, f'INSERT DATA {{ GRAPH <{graph}> {{ {claim} a <{CG}Claim> ; '
                                   f'<http://schema.org/text> "Streamed zqkvw claim {number}." }} }}').status_code == 204
        # Only the new claim is read again, not the claims the graph held already.
        assert index.reindexed == 1 and index.state().current
    assert sorted(_found(url, "zqkvw")) == [f"{graph}#c{number}" for number in range(3)]
