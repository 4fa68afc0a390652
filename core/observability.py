"""Prometheus metrics, per-request JSON logs with a request id, and the operations endpoints.

Metrics: requests by view, method and status; latency by view; page cache hits and misses; the
data version; apps add their own (questionnaire completions). /metrics is off unless
METRICS_ENABLED, and then answers only clients from METRICS_ALLOWED_NETWORKS that did not come
through a proxy: everyone else gets the ordinary 404. Under gunicorn every worker writes its values
to PROMETHEUS_MULTIPROC_DIR and a scrape adds them up, whichever worker answers it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from .caching import data_version
from .health import healthz
from .jsonlog import current_request_id
from .metrics import LATENCY, REQUESTS

METRICS_PATH = "/metrics"
HEALTH_PATH = "/healthz"
REQUEST_ID_HEADER = "X-Request-ID"
# A request id from a proxy is kept only if it is short and plain: it ends up in every log line.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

request_log = logging.getLogger("portal.requests")
logger = logging.getLogger(__name__)


class DataVersionCollector:
    """The current data version, read from the shared cache when Prometheus scrapes."""

    def collect(self) -> Iterator[Metric]:
        try:
            version = data_version()
        except Exception:  # the shared cache is down: the other metrics matter all the more
            logger.warning("data version unavailable for /metrics", exc_info=True)
            return
        gauge = GaugeMetricFamily(
            "portal_data_version", "The data version: it changes whenever an editor saves."
        )
        gauge.add_metric([], float(version))
        yield gauge


def metrics_text() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    extra = CollectorRegistry()
    extra.register(DataVersionCollector())
    return generate_latest(registry) + generate_latest(extra)


@lru_cache(maxsize=4)
def _networks(networks: tuple[str, ...]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(network, strict=False) for network in networks]


def metrics_allowed(request: HttpRequest) -> bool:
    if not settings.METRICS_ENABLED:
        return False
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False  # came through a proxy or an ingress: not for the public
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    )


def request_id(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def view_label(request: HttpRequest) -> str:
    label = getattr(request, "metrics_view", None)
    if label:
        return label
    match = getattr(request, "resolver_match", None)
    # Named views only: raw paths would give every mistyped address its own time series.
    return (match.view_name or "unnamed") if match else "unmatched"


class RequestObservabilityMiddleware:
    """Time and count every request; give it an id; log it as one JSON line if LOG_FORMAT=json."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        rid = request_id(request)
        token = current_request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        duration = time.perf_counter() - started
        view = view_label(request)
        REQUESTS.labels(view, request.method or "", str(response.status_code)).inc()
        LATENCY.labels(view).observe(duration)
        response[REQUEST_ID_HEADER] = rid
        if settings.LOG_FORMAT == "json":
            request_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                    "request_id": rid,
                    "view": view,
                },
            )
        return response


class OperationsEndpointsMiddleware:
    """/healthz and /metrics, answered before the host and HTTPS checks.

    Kubernetes probes and Prometheus address a pod by its IP over plain HTTP, which ALLOWED_HOSTS
    and SECURE_SSL_REDIRECT would refuse. Neither endpoint reveals anything public.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == HEALTH_PATH:
            request.metrics_view = "healthz"  # type: ignore[attr-defined]
            return healthz(request)
        if request.path == METRICS_PATH and metrics_allowed(request):
            request.metrics_view = "metrics"  # type: ignore[attr-defined]
            return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
        return self.get_response(request)
