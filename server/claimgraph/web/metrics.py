"""Blueprint: ``GET /metrics``, the service's numbers in Prometheus' text exposition format (written by
``prometheus_client``): the store's generation, and what the result cache (:mod:`claimgraph.store.cache`) has done.

The numbers are read from the store when the page is asked for, so they are never older than the request; the
counters start from 0 with each run of the service (Prometheus reads a drop as a restart).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, request
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from claimgraph.store.base import Store
from claimgraph.store.cache import CachingStore
from claimgraph.web import answers

blueprint = Blueprint("metrics", __name__)


def uncached(store: Store) -> Store:
    """The store behind ``store``'s cache (``store`` itself when it has none): what a health check must reach."""
    return store.inner if isinstance(store, CachingStore) else store


def report(store: Store) -> dict[str, object]:
    """The store's generation and, when it has a cache, the cache's counters and hit rate (0.0 before any query)."""
    found: dict[str, object] = {"generation": store.generation}
    if isinstance(store, CachingStore):
        counters = store.counters()
        found["cache"] = {
            "hits": counters.hits, "misses": counters.misses, "hit_rate": counters.hit_rate, "entries": counters.entries,
            "bytes": counters.bytes, "max_bytes": counters.max_bytes, "evictions": counters.evictions,
        }
    return found


class _Collector:
    """The numbers of :func:`report` as Prometheus metric families (``prometheus_client``'s collector protocol)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        found = report(self.store)
        yield GaugeMetricFamily("claimgraph_store_generation", "Writes applied through this service since it started.",
                                value=found["generation"])
        cache = found.get("cache")
        if cache is None:
            return
        yield CounterMetricFamily("claimgraph_cache_hits", "Queries answered from the result cache.", value=cache["hits"])
        yield CounterMetricFamily("claimgraph_cache_misses", "Queries the store ran (not in the cache, or never cached).",
                                  value=cache["misses"])
        yield CounterMetricFamily("claimgraph_cache_evictions", "Answers dropped to keep the cache within its size.",
                                  value=cache["evictions"])
        yield GaugeMetricFamily("claimgraph_cache_entries", "Answers held by the cache now.", value=cache["entries"])
        yield GaugeMetricFamily("claimgraph_cache_bytes", "Bytes of answers held by the cache now.", value=cache["bytes"])
        yield GaugeMetricFamily("claimgraph_cache_max_bytes", "The most bytes of answers the cache holds (cache_bytes).",
                                value=cache["max_bytes"])
        yield GaugeMetricFamily("claimgraph_cache_hit_ratio", "Hits per query asked since the service started.",
                                value=cache["hit_rate"])


@blueprint.route("/metrics")
def metrics() -> Response:
    """The metrics in Prometheus' text format (version 0.0.4), or in OpenMetrics for a scraper that asks for it by
    its Accept header (``prometheus_client`` negotiates, as it does for its own exporters)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(answers.store()))
    encode, content_type = choose_encoder(request.headers.get("Accept"))
    return Response(encode(registry), content_type=content_type)
