"""The page cache in tests: off by default, on with the `page_cache` fixture."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Test transactions never commit, so the data version never moves: pages would go stale
    # between tests. The cache's own tests switch it on with `page_cache`.
    from django.core.cache import cache

    settings.PAGE_CACHE = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": settings.RATELIMIT_CACHE,
    }
    # Local-memory caches share their store across instances, and rate-limit counters live
    # there: every test starts empty, with a full allowance.
    cache.clear()


@pytest.fixture
def page_cache(settings):
    """Public pages cached as in production, in an empty cache."""
    from django.core.cache import cache

    settings.PAGE_CACHE = True
    cache.clear()
