"""The worker pool's own promises: errors cross the pipe as themselves, readers report ready or why not, close() ends
every worker, a query past the limit is stopped. Real stores in ``tmp_path``; waits poll with a deadline."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from claimgraph.errors import EvaluationError, QueryTimeout, StoreError
from claimgraph.store.base import Query
from claimgraph.store.embedded import EmbeddedStore
from claimgraph.store.executor import STARTUP_LIMIT, Executor

PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TIMEOUT = 2.0


def _wait_for(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:g} s: {what}")
        time.sleep(0.05)


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended and been waited for (a zombie still has its /proc entry)."""
    return not Path(f"/proc/{pid}").exists()


@pytest.fixture
def store(loaded_store, tmp_path) -> Path:
    return Path(shutil.copytree(loaded_store, tmp_path / "store"))


@pytest.fixture
def pool(store):
    with Executor(store, workers=1, timeout=TIMEOUT) as running:
        yield running


def test_a_locked_store_stops_the_pool_with_store_error_and_leaves_no_worker(store):
    before = set(multiprocessing.active_children())
    holder = ox.Store(str(store))  # holds the store's lock, as a running `claimgraph load` does
    with pytest.raises(StoreError, match=f"cannot open the store at {store}"):
        Executor(store, workers=2, timeout=TIMEOUT)
    assert set(multiprocessing.active_children()) == before
    del holder


def test_while_the_pool_runs_no_other_process_may_write_the_store(pool, store):
    with pytest.raises(StoreError, match=f"cannot open the store at {store} \\(another process holds it for writing: "
                                         "a running `claimgraph serve`\\?\\)"):
        EmbeddedStore(store)
    assert pool.ask("ASK { ?s ?p ?o }") is True


def test_a_store_that_cannot_be_created_stops_the_pool(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StoreError, match=f"cannot open the store at {tmp_path / 'file' / 'store'}"):
        Executor(tmp_path / "file" / "store", workers=1, timeout=TIMEOUT)


def test_a_reader_killed_while_idle_is_replaced_and_the_next_query_answers(pool):
    [reader] = pool.pids
    os.kill(reader, signal.SIGKILL)
    _wait_for(lambda: reader not in pool.pids, STARTUP_LIMIT, "the killed reader ended")
    assert pool.ask("ASK { ?s ?p ?o }") is True
    assert len(pool.pids) == 1 and pool.pids != [reader]


def test_a_syntax_error_crosses_the_pipe_with_its_position(pool):
    text = "SELECT ?x WHERE {\n  ?x ?y }"
    with pytest.raises(SyntaxError) as in_process:
        ox.Store().query(text)
    with pytest.raises(SyntaxError) as raised:
        pool.query(Query(text))
    assert type(raised.value) is SyntaxError
    assert raised.value.msg == in_process.value.msg
    assert raised.value.msg.startswith("error at 2:")


def test_a_bug_in_the_worker_crosses_the_pipe_as_itself_with_the_workers_traceback(pool):
    with pytest.raises(ValueError, match="^no SPARQL results format has the media type 'text/nonsense'") as raised:
        pool.query(Query("ASK {}", results_as="text/nonsense"))
    assert any("in the store worker:" in note and "Traceback" in note for note in raised.value.__notes__)
    assert pool.ask("ASK { ?s ?p ?o }") is True


def test_a_query_past_the_limit_is_stopped_and_its_worker_replaced(pool):
    [reader] = pool.pids
    with pytest.raises(QueryTimeout):
        pool.query(Query(PATHOLOGICAL))
    assert _gone(reader)
    assert pool.ask("ASK { ?s ?p ?o }") is True
    assert len(pool.pids) == 1 and pool.pids != [reader]


def test_close_ends_every_worker_busy_ones_too(store):
    pool = Executor(store, workers=2, timeout=60)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            pool.query(Query(PATHOLOGICAL))
        except BaseException as error:  # the thread reports what ended the query
            outcome.append(error)

    running = threading.Thread(target=run)
    running.start()
    _wait_for(lambda: pool.busy == 1, STARTUP_LIMIT, "a worker took the query")
    pids = pool.pids
    assert len(pids) == 2
    pool.close()
    _wait_for(lambda: all(_gone(pid) for pid in pids), 10, "every worker ended")
    running.join(10)
    assert not running.is_alive()
    assert [type(error) for error in outcome] == [StoreError]
    assert "closed while the query ran" in str(outcome[0])
    with pytest.raises(StoreError, match="is closed"):
        pool.ask("ASK {}")


@pytest.mark.parametrize(
    ("update", "error"),
    [
        ("INSERT DATA { <http://example.org/s> <http://example.org/p> }", SyntaxError),
        ("DROP GRAPH <http://example.org/no-such-graph>", EvaluationError),
    ],
)
def test_a_refused_update_keeps_the_generation_and_the_readers_answer(pool, update, error):
    before = pool.generation
    with pytest.raises(error):
        pool.update(update)
    assert pool.generation == before
    assert pool.ask("ASK { ?s ?p ?o }") is True
    pool.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }")
    assert pool.generation == before + 1


def test_an_update_stopped_at_the_limit_keeps_the_generation_and_changes_nothing(pool):
    """The owner is stopped before the update commits, and the new owner finds no marker of it: nothing changed."""
    before = pool.generation
    owner = pool.owner_pid
    with pytest.raises(QueryTimeout):
        pool.update(
            "INSERT { GRAPH <http://example.org/g> { ?a ?b ?c } }"
            " WHERE { GRAPH ?w { ?a ?b ?c } GRAPH ?x { ?d ?e ?f } GRAPH ?y { ?g ?h ?i } GRAPH ?z { ?j ?k ?l } }"
        )
    assert pool.generation == before
    assert pool.owner_pid != owner and _gone(owner)
    assert pool.ask("ASK { GRAPH <http://example.org/g> { ?s ?p ?o } }") is False
    pool.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }")
    assert pool.generation == before + 1


def test_updates_around_the_time_limit_are_reported_as_they_ended(store):
    """Updates whose work grows past the limit: each one answered is in the store, each one stopped is not. Near the
    limit an update may commit in the instant its time runs out; it must then be answered as applied."""
    with Executor(store, workers=1, timeout=0.3) as pool:
        outcomes = {}
        for step, rows in enumerate(int(20 * 1.25**k) for k in range(24)):
            subject = f"<http://example.org/attempt/{step}>"
            try:
                pool.update(
                    f"INSERT {{ GRAPH <http://example.org/attempts> {{ {subject} <http://example.org/rows> ?n }} }}"
                    f" WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?a WHERE {{ GRAPH ?w {{ ?a ?b ?c }} }} LIMIT {rows} }} GRAPH ?x {{ ?d ?e ?f }} }} }}"
                )
                outcomes[subject] = True
            except QueryTimeout:
                outcomes[subject] = False
        kept = {row["s"].value for row in pool.select("SELECT ?s WHERE { GRAPH <http://example.org/attempts> { ?s ?p ?o } }")}
        assert {f"<{iri}>" for iri in kept} == {subject for subject, applied in outcomes.items() if applied}
        assert pool.generation == sum(outcomes.values())
        # The sweep went past the limit: some updates were answered, some stopped.
        assert set(outcomes.values()) == {True, False}, outcomes


def _waiting_in(thread: threading.Thread, function: str) -> bool:
    """Whether ``thread`` is inside ``function`` now (its frames, read from the interpreter)."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == function:
            return True
        frame = frame.f_back
    return False


def test_close_wakes_a_request_waiting_for_a_free_worker_with_store_error(store):
    limit = 30.0
    pool = Executor(store, workers=1, max_workers=1, timeout=limit)
    outcomes: dict[str, BaseException] = {}

    def run(name: str, sparql: str) -> None:
        try:
            pool.query(Query(sparql))
        except BaseException as error:  # the thread reports what ended its request
            outcomes[name] = error

    running = threading.Thread(target=run, args=("running", PATHOLOGICAL))
    running.start()
    _wait_for(lambda: pool.busy == 1, STARTUP_LIMIT, "the one worker took the first query")
    waiting = threading.Thread(target=run, args=("waiting", "ASK { ?s ?p ?o }"))
    waiting.start()
    _wait_for(lambda: _waiting_in(waiting, "_take"), 10, "the second query waits for a free worker")
    started = time.monotonic()
    pool.close()
    waiting.join(limit)
    running.join(limit)
    assert not waiting.is_alive() and not running.is_alive()
    assert time.monotonic() - started < limit
    assert type(outcomes["waiting"]) is StoreError
    assert str(outcomes["waiting"]) == f"the store at {store} was closed while the request waited for a worker"
    assert type(outcomes["running"]) is StoreError


def test_a_short_query_is_answered_while_long_ones_fill_every_worker_there_was(store):
    """One worker to start with and more long queries in flight than there are cores: readers are added for them,
    their priority is lowered, and a short query is answered while all of them still run."""
    # Priorities are lowered only while more queries run than there are cores.
    heavy = (os.cpu_count() or 1) + 2
    pool = Executor(store, workers=1, max_workers=heavy + 2, timeout=60)
    outcomes: list[BaseException] = []

    def run() -> None:
        try:
            pool.query(Query(PATHOLOGICAL))
        except BaseException as error:  # the thread reports what ended its request
            outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(heavy)]
    try:
        for thread in threads:
            thread.start()
        _wait_for(lambda: pool.busy == heavy, STARTUP_LIMIT, "every long query has a reader")
        _wait_for(lambda: sorted(os.getpriority(os.PRIO_PROCESS, pid) for pid in pool.pids).count(10) == heavy, 10,
                  "the readers of the long queries run at a lower priority")
        assert pool.ask("ASK { ?s ?p ?o }") is True
        assert pool.busy == heavy and all(thread.is_alive() for thread in threads)
        assert os.getpriority(os.PRIO_PROCESS, pool.owner_pid) == 0
    finally:
        pool.close()
        for thread in threads:
            thread.join(30)
    assert [type(error) for error in outcomes] == [StoreError] * heavy


def test_a_query_may_be_given_a_longer_limit_of_its_own(store):
    """The service's own long reads (the search index's build) run past the limit clients' queries have."""
    count = ("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { GRAPH ?w { ?a ?b ?c } } LIMIT 3000 } "
             "GRAPH ?x { ?d ?e ?f } }")
    with Executor(store, workers=1, timeout=0.05) as pool:
        with pytest.raises(QueryTimeout):
            pool.select(count)
        [row] = pool.select(count, timeout=60.0)
    quads = len(ox.Store.read_only(str(store)))
    assert int(row["n"].value) == 3000 * quads


def test_a_read_after_a_write_whose_owner_died_is_answered_by_a_new_owner(pool):
    """The read needs a snapshot holding the write, and the owner that would write it is gone."""
    pool.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 1 } }")
    owner = pool.owner_pid
    os.kill(owner, signal.SIGKILL)
    _wait_for(lambda: _gone(owner), 10, "the owner ended")
    assert pool.ask("ASK { GRAPH <http://example.org/g> { ?s ?p 1 } }") is True
    assert pool.owner_pid != owner


ORPHANS = """
import sys, threading
from pathlib import Path
from claimgraph.store.base import Query
from claimgraph.store.executor import Executor

if __name__ == "__main__":
    pool = Executor(Path(sys.argv[1]), workers=2, timeout=600)
    threading.Thread(target=pool.query, args=(Query(sys.argv[2]),), daemon=True).start()
    print(pool.owner_pid, *pool.pids, flush=True)
    threading.Event().wait()
"""


def test_every_worker_ends_when_the_pools_process_is_killed_busy_ones_too(store, tmp_path):
    script = tmp_path / "pool.py"
    script.write_text(ORPHANS)
    holder = subprocess.Popen([sys.executable, str(script), str(store), PATHOLOGICAL], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in holder.stdout.readline().split()]
    assert len(workers) == 3
    holder.kill()
    holder.wait()
    _wait_for(lambda: all(_gone(pid) for pid in workers), 30, "every worker of the killed pool ended")
    # and the store is free again for a new pool
    with Executor(store, workers=1, timeout=TIMEOUT) as again:
        assert again.ask("ASK { ?s ?p ?o }") is True


def test_latest_reads_the_store_as_written_without_a_snapshot(pool, store):
    """What the search index reads to follow a write: answered by the owner, the write included, no snapshot made."""
    pool.ask("ASK { ?s ?p ?o }")
    snapshots = set((store.parent / f"{store.name}.snapshots").iterdir())
    pool.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> 7 } }")
    [row] = pool.select("SELECT ?o WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }", latest=True)
    assert row["o"] == ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert set((store.parent / f"{store.name}.snapshots").iterdir()) == snapshots
