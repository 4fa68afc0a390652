"""The health check for load balancers and monitors: each dependency, and which one is degraded."""

from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from .caching import CACHE_ERRORS, cache_health

HEALTH_KEY = "portal:healthz"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def cache_ok() -> bool:
    # Asked directly, not through the back-off: a monitor wants the state now.
    try:
        cache_health.recover()
        cache.set(HEALTH_KEY, 1, timeout=60)
        return cache.get(HEALTH_KEY) == 1
    except CACHE_ERRORS as error:
        cache_health.failed(error)
        return False


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 while the database answers (a missing cache only slows pages: "degraded"), else 503.

    The body names each dependency, e.g. "database: ok" and "cache: degraded".
    """
    database = database_ok()
    # The database cache lives in the database: with that down there is nothing else to ask.
    cached = database and cache_ok() if _cache_in_database() else cache_ok()
    lines = [
        "status: " + ("unavailable" if not database else "ok" if cached else "degraded"),
        "database: " + ("ok" if database else "unavailable"),
        "cache: " + ("ok" if cached else "degraded"),
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", status=200 if database else 503, content_type="text/plain"
    )


def _cache_in_database() -> bool:
    return isinstance(caches["default"], DatabaseCache)
