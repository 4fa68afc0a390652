"""The site-wide Prometheus metrics (apps define their own beside their code).

Defined in one module that imports nothing else from the project, so the page cache and the
request middleware can both count without importing each other.
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "portal_http_requests_total", "HTTP requests by view, method and status.",
    ["view", "method", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "portal_http_request_duration_seconds", "Time to answer a request, by view.", ["view"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)  # fmt: skip
PAGE_CACHE_LOOKUPS = Counter(
    "portal_page_cache_lookups_total",
    "Public page lookups: found in the shared cache (hit), rendered and stored (miss), or "
    "rendered uncached because the shared cache is down (unavailable).",
    ["result"],
)
