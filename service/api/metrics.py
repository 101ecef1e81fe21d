"""Prometheus metrics of one app instance (own registry, so several apps can live in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    """Request counts and latencies, texts read, batches run, queue depths, write transactions."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("emotrace_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("emotrace_http_request_seconds", "HTTP request latency", ["route"],
                                 registry=self.registry)
        self.texts = Gauge("emotrace_model_texts", "Texts read by the model", registry=self.registry)
        self.batches = Gauge("emotrace_model_batches", "Model batches run", registry=self.registry)
        self.queue = Gauge("emotrace_queue_depth", "Requests waiting for the model", registry=self.registry)
        self.writes = Gauge("emotrace_store_write_transactions", "Transactions the store writer committed "
                            "(concurrent requests share one)", registry=self.registry)
        self.write_queue = Gauge("emotrace_store_write_queue_depth", "Requests waiting for the store writer",
                                 registry=self.registry)
