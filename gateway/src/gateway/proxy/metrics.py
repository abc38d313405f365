"""What the proxy tells operators: its access log line and its Prometheus metrics.

One log line per proxied request (logger ``gateway.proxy.access``, structured like the kit's own
access log: the fields go into the JSON object), and on the app's registry (served at
``/metrics``):

- ``gateway_proxied_requests_total{service, method, status_class, upstream}``: every request the
  proxy answered for a service, its own refusals (429, 413, 502, 503, 504) included;
  ``upstream`` is the replica tried last (``none`` when none was);
- ``gateway_proxied_request_duration_seconds{service, upstream}``: until the last byte was relayed;
- ``gateway_upstream_retries_total{service}``: requests sent again to another replica after the
  first refused or did not accept the connection;
- ``gateway_upstream_up{service, upstream}``: 1 while a replica is in service, 0 while it is out
  (read at scrape time from the balancer, so nothing is counted twice or missed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from .forward import Upstreams

__all__ = ["NO_UPSTREAM", "ProxyMetrics", "access_log"]

access_log = logging.getLogger("gateway.proxy.access")

#: The ``upstream`` label of a request no replica was tried for.
NO_UPSTREAM = "none"

_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class ProxyMetrics:
    """The proxy's counters, on ``registry`` (the app's, which ``/metrics`` serves)."""

    def __init__(self, registry: CollectorRegistry, upstreams: Upstreams) -> None:
        self.requests = Counter(
            "gateway_proxied_requests_total",
            "Requests the gateway answered for a service, by status class and the replica tried last",
            ["service", "method", "status_class", "upstream"],
            registry=registry,
        )
        self.latency = Histogram(
            "gateway_proxied_request_duration_seconds",
            "Proxied requests, from arrival to the last byte relayed",
            ["service", "upstream"],
            registry=registry,
            buckets=_BUCKETS,
        )
        self.retries = Counter(
            "gateway_upstream_retries_total",
            "Requests sent again to another replica after the first could not be connected to",
            ["service"],
            registry=registry,
        )
        registry.register(UpstreamHealth(upstreams))
        self._counted: dict[tuple[str, str, int, str], tuple[Counter, Histogram]] = {}

    def observe(self, service: str, method: str, status: int, upstream: str, seconds: float, tries: int) -> None:
        key = (service, method, status, upstream)
        children = self._counted.get(key)
        if children is None:
            label = method if method in _METHODS else "OTHER"
            children = (
                self.requests.labels(service, label, f"{status // 100}xx", upstream),
                self.latency.labels(service, upstream),
            )
            if len(self._counted) < 4096:  # methods and statuses are few; never let the cache grow unbounded
                self._counted[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if tries > 1:
            self.retries.labels(service).inc(tries - 1)


class UpstreamHealth(Collector):
    """``gateway_upstream_up``, read from the balancer's state when scraped."""

    def __init__(self, upstreams: Upstreams) -> None:
        self._upstreams = upstreams

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "gateway_upstream_up",
            "1 while a service replica is in service, 0 while it is out after connection failures",
            labels=["service", "upstream"],
        )
        for service, replicas in self._upstreams.replicas.items():
            for replica in replicas:
                up.add_metric([service, replica.url], 1.0 if replica.is_in else 0.0)
        yield up
