"""Public pages cached until the data changes, and answered with 304 when nothing changed.

The HTTP cache in front (deploy/nginx/nginx.conf) serves public pages to most visitors; what
reaches the app is kept cheap with Django's own tools:

- one counter, the data version, lives in the shared cache (Redis or the database): the domain
  apps bump it when their data changes (comparison/signals.py), which retires every cached page
  on every app server at once;
- a page's ETag is derived from that version, the release and the request, so Django's
  `condition()` answers a conditional GET (nginx's revalidation, a browser's reload) without
  rendering anything;
- a rendered page is kept in the shared cache under that ETag, so another request for it, on any
  app server, is not rendered again. It is compressed per response by core.compression.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition
from redis.exceptions import RedisError

from .metrics import PAGE_CACHE_LOOKUPS

logger = logging.getLogger(__name__)

DATA_VERSION_KEY = "portal:data-version"
PAGE_KEY_PREFIX = "portal:page:v3:"
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")

View = Callable[..., HttpResponse]
# A stored page: its body and its headers, as the view gave them.
StoredPage = tuple[bytes, dict[str, str]]

# What a cache backend raises when its server is gone: Redis's errors, socket errors, or the
# database's when the database holds the cache.
CACHE_ERRORS = (RedisError, OSError, DatabaseError)
# After a failure the cache is left alone for this long, so an outage costs one attempt per
# process and interval, not a connection timeout per request.
CACHE_RETRY_SECONDS = 5.0


class CacheUnavailable(Exception):
    """The shared cache cannot be reached; pages are rendered without it."""


class CacheHealth:
    """Whether the shared cache answered lately, in this process.

    An outage is logged once when it starts and once when it ends, not per request.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0

    @property
    def available(self) -> bool:
        return self.down_since is None or time.monotonic() >= self.retry_at

    def failed(self, error: BaseException) -> None:
        with self.lock:
            now = time.monotonic()
            self.retry_at = now + CACHE_RETRY_SECONDS
            if self.down_since is None:
                self.down_since = now
                logger.error("Shared cache unavailable, serving pages uncached: %r", error)

    def recover(self) -> None:
        """Called before the first use of the cache after an outage; raises CACHE_ERRORS if it
        is still down. Replaces the data version: changes made during the outage could not
        retire the pages stored before it."""
        with self.lock:
            if self.down_since is None:
                return
            cache.set(DATA_VERSION_KEY, _fresh_version(), timeout=None)
            self.down_since = None
        logger.warning("Shared cache reachable again; retired pages cached before the outage.")


cache_health = CacheHealth()


def cache_call(method: str, *args: Any, **kwargs: Any) -> Any:
    """Call a method of the shared cache; CacheUnavailable if it is down (logged once)."""
    if not cache_health.available:
        raise CacheUnavailable
    try:
        cache_health.recover()
        return getattr(cache, method)(*args, **kwargs)
    except CACHE_ERRORS as error:
        cache_health.failed(error)
        raise CacheUnavailable from error


class FailSoftCache(BaseCache):
    """Counters that keep counting when the shared cache is down (django-ratelimit's): the shared
    cache while it answers, this process's memory while it does not. A limit then holds per
    worker instead of every limited request failing with the cache."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.local = LocMemCache(f"fail-soft-{location}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return cache_call(method, *args, **kwargs)
        except CacheUnavailable:
            return getattr(self.local, method)(*args, **kwargs)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("add", key, value, timeout, version=version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", key, value, timeout, version=version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        return self._call("incr", key, delta, version=version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._call("touch", key, timeout, version=version)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._call("delete", key, version=version)

    def clear(self) -> None:
        self.local.clear()


def _fresh_version() -> int:
    # Starting from the clock, not from 1: if the shared cache is flushed, a restarted counter must
    # not meet ETags from before the flush.
    return time.time_ns() // 1000


def data_version() -> int:
    """The shared data version; CacheUnavailable when the cache is down (nothing is cached then)."""
    version = cache_call("get", DATA_VERSION_KEY)
    if version is None:
        cache_call("add", DATA_VERSION_KEY, _fresh_version(), timeout=None)
        version = cache_call("get", DATA_VERSION_KEY) or _fresh_version()
    return int(version)


def bump_data_version() -> None:
    """Retire every cached page. With the cache down there is nothing to retire now; the
    version is replaced when it comes back (CacheHealth.recover)."""
    try:
        try:
            cache_call("incr", DATA_VERSION_KEY)
        except ValueError:  # not there (flushed or evicted): any fresh value retires old pages
            cache_call("set", DATA_VERSION_KEY, _fresh_version(), timeout=None)
    except CacheUnavailable:
        pass


def page_key(request: HttpRequest) -> str | None:
    """The name of a public page's content; None (no ETag, no caching) when the page cache is
    off or the shared cache is down (without the data version no stored page can be known to be
    current)."""
    # condition() and the page store both ask; read the data version once per request.
    memo = getattr(request, "_portal_page_key", "")
    if memo != "":
        return memo
    key = _page_key(request)
    request._portal_page_key = key  # type: ignore[attr-defined]
    return key


def _page_key(request: HttpRequest) -> str | None:
    if not settings.PAGE_CACHE:
        return None
    try:
        version = data_version()
    except CacheUnavailable:
        return None
    parts = [
        settings.RELEASE_VERSION,
        str(version),
        translation.get_language() or "",
        request.path,
        query_key(request.GET),
        *(request.headers.get(name, "") for name in VARY_HEADERS),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def page_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    """The page's strong ETag. A compressed response carries it weakened (W/"…"), as Django's
    GZipMiddleware does; If-None-Match compares weakly, so every encoding revalidates."""
    key = page_key(request)
    return None if key is None else f'"{key}"'


def _stored_page(view: View) -> View:
    """Serve a page from the shared cache; render and store it if absent.

    Only successful, non-streaming GET/HEAD responses are stored: an error page never is.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = page_key(request)
        if key is None or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        try:
            stored = cache_call("get", PAGE_KEY_PREFIX + key)
        except CacheUnavailable:
            PAGE_CACHE_LOOKUPS.labels("unavailable").inc()
            return view(request, *args, **kwargs)
        if isinstance(stored, tuple):
            PAGE_CACHE_LOOKUPS.labels("hit").inc()
            body, headers = stored
            response = HttpResponse(body)
            for name, value in headers.items():
                response[name] = value
            return response
        PAGE_CACHE_LOOKUPS.labels("miss").inc()
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            page: StoredPage = (response.content, dict(response.headers))
            with contextlib.suppress(CacheUnavailable):  # served, just not stored
                cache_call("set", PAGE_KEY_PREFIX + key, page, settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper


def public_cache_control() -> str:
    """Browsers revalidate every time (a 304 is cheap); a shared cache serves its copy a moment."""
    return (
        f"public, max-age=0, s-maxage={settings.SHARED_CACHE_SECONDS}, "
        f"stale-if-error={settings.STALE_IF_ERROR_SECONDS}"
    )


def known_query(
    query: QueryDict, parameters: Collection[str], defaults: Mapping[str, str] | None = None
) -> QueryDict:
    """The query a page reads: its known parameters only, without empty values and defaults, in
    the order given (the address a plain form GET gives once the noise is dropped)."""
    defaults = defaults or {}
    kept = QueryDict(mutable=True)
    for name, values in query.lists():
        if name in parameters:
            values = [value for value in values if value.strip() and defaults.get(name) != value]
            if values:
                kept.setlist(name, values)
    kept._mutable = False
    return kept


def query_key(query: QueryDict) -> str:
    """A query's part of a page key: names sorted, each name's values in their order (which can
    matter: the compare page's columns follow it)."""
    return urlencode(sorted(query.lists()), doseq=True)


def cached_public_page(
    *, parameters: Collection[str], defaults: Mapping[str, str] | None = None
) -> Callable[[View], View]:
    """Cache a public GET view's successful responses until the data or the release changes.

    Pages cached this way are shared by all visitors, so they must not carry anyone's CSRF token
    or session data. The view sees only the query `parameters` it declares (`known_query`), and
    the page is cached under that canonical query: unknown parameters, empty values, defaults and
    the order of names neither change the page nor add cache entries.
    """

    def decorator(view: View) -> View:
        conditional = condition(etag_func=page_etag)(_stored_page(view))

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Immutable like Django's own (the stubs name that type only for Django's).
            request.GET = known_query(request.GET, parameters, defaults)  # type: ignore[assignment]
            response = conditional(request, *args, **kwargs)
            if not response.has_header("ETag"):
                return response
            if response.status_code not in (200, 304):
                # condition() tags every answer; an error page must not be revalidated as current.
                del response["ETag"]
                return response
            response["Cache-Control"] = public_cache_control()
            patch_vary_headers(response, (*VARY_HEADERS, "Accept-Encoding"))
            return response

        return wrapper

    return decorator
