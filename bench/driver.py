"""The load generator: groups of clients in several processes, each client a thread with its own keep-alive
``http.client`` connection, for a fixed time; every request timed and its status kept.

A :class:`Group` is a set of clients sending the same kind of requests: drawn at random from a list (a mix), or
taken in order (writes, each distinct). Each process reports its own CPU seconds (``getrusage``), so that a
report can show whether the driver, not the server, was the limit.
"""

from __future__ import annotations

import dataclasses
import http.client
import random
import resource
import statistics
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

#: At most this many driver processes per group: the clients of a group are spread over them.
PROCESSES = 4
#: How every whole answer of the workloads ends (SPARQL JSON and JSON: ``}``; N-Triples: ``.``; HTML: ``>``).
COMPLETE_ENDS = (b"}", b".", b">")
#: The status recorded for a 200 whose body is cut short: Oxigraph's server, when its time limit fires while it
#: streams, ends the body with an error message instead of the rest of the answer.
CUT = 299


@dataclasses.dataclass(frozen=True)
class Request:
    """One HTTP request: ``name`` groups it in the results."""

    name: str
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class Group:
    """``clients`` clients sending ``requests``: drawn at random (``in_order`` false) or one after another, each
    once (``in_order`` true: the group stops when they are all sent)."""

    label: str
    requests: tuple[Request, ...]
    clients: int
    in_order: bool = False


def _client(port: int, requests: tuple[Request, ...], in_order: bool, stop: float, seed: int, out: list) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    index = 0
    while time.monotonic() < stop:
        if in_order:
            if index >= len(requests):
                break
            request, index = requests[index], index + 1
        else:
            request = rng.choice(requests)
        start = time.perf_counter()
        try:
            connection.request(request.method, request.path, body=request.body, headers=dict(request.headers))
            answer = connection.getresponse()
            body = answer.read()
            size, status = len(body), answer.status
            if status == 200 and body and not body.rstrip().endswith(COMPLETE_ENDS):
                status = CUT
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            status, size = 0, 0
        out.append((request.name, status, time.perf_counter() - start, size))
    connection.close()


def _process(port: int, requests: tuple[Request, ...], clients: int, in_order: bool, start_at: float,
             duration: float, seed: int) -> tuple[list, float]:
    """Run ``clients`` threads in this process from ``start_at`` for ``duration`` seconds; the records of every
    request and the process's CPU seconds."""
    while time.monotonic() < start_at:
        time.sleep(0.005)
    stop = start_at + duration
    outs = [[] for _ in range(clients)]
    if in_order:
        shares = [requests[i::clients] for i in range(clients)]
    else:
        shares = [requests] * clients
    threads = [threading.Thread(target=_client, args=(port, shares[i], in_order, stop, seed * 1000 + i, outs[i]))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    elapsed = min(duration, time.monotonic() - start_at)
    return [record for out in outs for record in out], usage.ru_utime + usage.ru_stime, elapsed


def run(port: int, groups: list[Group], duration: float, seed: int = 1) -> dict[str, dict]:
    """Run every group at once against the server on ``port`` for ``duration`` seconds; per group its summary
    (:func:`summary`)."""
    jobs = []
    for group in groups:
        processes = min(PROCESSES, group.clients)
        for index in range(processes):
            clients = group.clients // processes + (1 if index < group.clients % processes else 0)
            requests = group.requests[index::processes] if group.in_order else group.requests
            jobs.append((group.label, requests, clients, group.in_order))
    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=get_context("fork")) as pool:
        start_at = time.monotonic() + 0.5 + 0.05 * len(jobs)
        futures = [(label, pool.submit(_process, port, requests, clients, in_order, start_at, duration, seed + n))
                   for n, (label, requests, clients, in_order) in enumerate(jobs)]
        records: dict[str, list] = defaultdict(list)
        cpu: Counter = Counter()
        elapsed: Counter = Counter()
        for label, future in futures:
            found, seconds, took = future.result()
            records[label] += found
            cpu[label] += seconds
            elapsed[label] = max(elapsed[label], took)
    return {group.label: summary(records[group.label], elapsed[group.label], cpu[group.label]) for group in groups}


def answered(status: int) -> bool:
    """Whether a request with ``status`` got its whole answer (a 2xx, not :data:`CUT`)."""
    return 200 <= status < 300 and status != CUT


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank), or NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(records: list, duration: float, driver_cpu: float) -> dict:
    """Over ``duration`` seconds (a group sending each request once may end early): requests per second (answered
    2xx), latencies in ms (all, and per request name), errors by status."""
    ok = [record for record in records if answered(record[1])]
    by_name: dict[str, list[float]] = defaultdict(list)
    for name, status, seconds, _ in ok:
        by_name[name].append(seconds * 1000)
    latencies = [record[2] * 1000 for record in ok]
    return {
        "requests": len(records), "ok": len(ok), "seconds": duration, "qps": len(ok) / duration,
        "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "errors": dict(Counter(str(record[1]) for record in records if not answered(record[1]))),
        "per_query": {name: {"n": len(values), "p50_ms": statistics.median(values),
                             "p95_ms": percentile(values, 0.95), "p99_ms": percentile(values, 0.99)}
                      for name, values in sorted(by_name.items())},
        "all_times_ms": {name: [seconds * 1000 for n, status, seconds, _ in records if n == name]
                         for name in sorted({record[0] for record in records})} if len(records) < 200 else {},
        "statuses": {name: dict(Counter(str(record[1]) for record in records if record[0] == name))
                     for name in sorted({record[0] for record in records})},
        "bytes": sum(record[3] for record in records),
        "driver_cpu_s": driver_cpu,
    }
