"""How many new stored results one client address may create: each is a permanent row."""

from __future__ import annotations

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest

from core.caching import CacheUnavailable, cache_call

WINDOW_SECONDS = 3600


def may_store_result(request: HttpRequest) -> bool:
    """Count one new result for the client; False once it has reached the hourly limit.

    The client address is the one django-axes uses (TRUSTED_PROXY_COUNT). Without the shared
    cache nothing can be counted, and storing is allowed: the limit guards against floods, and
    a cache outage must not break the questionnaire.
    """
    address = get_client_ip_address(request) or "unknown"
    window = int(time.time()) // WINDOW_SECONDS
    key = f"portal:results:{window}:{address}"
    try:
        cache_call("add", key, 0, timeout=WINDOW_SECONDS)
        count = cache_call("incr", key)
    except (CacheUnavailable, ValueError):
        return True
    return count <= settings.QUESTIONNAIRE_RESULTS_PER_HOUR
