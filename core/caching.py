"""Public pages cached until the data changes, and answered with 304 when nothing changed.

One counter, the data version, lives in the shared cache (Redis or the database): the domain apps
bump it when their data changes (comparison/signals.py), which retires every cached page at once
on every app server (each reads it at most once per PAGE_CACHE_VERSION_SECONDS). A page's ETag
is derived from that version, the release and the request, so Django's `condition()` answers a
conditional GET without rendering anything.

A page is compressed (gzip and brotli) once, when it is stored; every later request is answered
with the stored bytes in the encoding it accepts. Each encoding is its own representation with its
own ETag (`"<page>-br"`), all three stored under the page's key.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition
from redis.exceptions import RedisError

from .compression import compressed_variants, is_compressible, request_encoding, use_encoding
from .metrics import PAGE_CACHE_LOOKUPS

logger = logging.getLogger(__name__)

DATA_VERSION_KEY = "portal:data-version"
PAGE_KEY_PREFIX = "portal:page:v2:"
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")
IDENTITY = "identity"

View = Callable[..., HttpResponse]


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A rendered page: its body in each encoding (identity, br, gzip) and its headers."""

    bodies: dict[str, bytes]
    headers: dict[str, str]

    @property
    def size(self) -> int:
        return sum(len(body) for body in self.bodies.values())


@dataclass(frozen=True, slots=True)
class FrontPage(StoredPage):
    """A stored page as StoredPageMiddleware answers it: the headers are those of the whole
    response (the per-user middleware's included), and the view that made it names its metrics."""

    view: str


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
            recent_version.forget()
            self.down_since = None
        logger.warning("Shared cache reachable again; retired pages cached before the outage.")


class RecentVersion:
    """The data version this process read last, and when: page requests within
    PAGE_CACHE_VERSION_SECONDS of the read use it instead of asking the shared cache again."""

    def __init__(self) -> None:
        # One tuple, replaced whole: threads of a worker never see half an update.
        self.read: tuple[int, float] | None = None

    def get(self) -> int:
        """The data version, from the shared cache when the one read last is too old."""
        read, now = self.read, time.monotonic()
        if read is not None and now - read[1] < settings.PAGE_CACHE_VERSION_SECONDS:
            return read[0]
        version = data_version()
        self.read = (version, now)
        return version

    def forget(self) -> None:
        self.read = None


recent_version = RecentVersion()
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
    # not meet ETags (and processes' local copies) from before the flush.
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
    recent_version.forget()  # this process sees its own change at once
    try:
        try:
            cache_call("incr", DATA_VERSION_KEY)
        except ValueError:  # not there (flushed or evicted): any fresh value retires old pages
            cache_call("set", DATA_VERSION_KEY, _fresh_version(), timeout=None)
    except CacheUnavailable:
        pass


def page_key(request: HttpRequest) -> str | None:
    """The name of a public page's content, whatever its encoding; None (no ETag, no caching)
    when the page cache is off or the shared cache is down (without the data version no stored
    page can be known to be current)."""
    # condition() and the page store both ask; read the data version once per request.
    memo = getattr(request, "_portal_page_key", "")
    if memo != "":
        return memo
    key = _page_key(request, translation.get_language() or "")
    request._portal_page_key = key  # type: ignore[attr-defined]
    return key


def _page_key(request: HttpRequest, language: str) -> str | None:
    if not settings.PAGE_CACHE:
        return None
    try:
        version = recent_version.get()
    except CacheUnavailable:
        return None
    parts = [
        settings.RELEASE_VERSION,
        str(version),
        language,
        request.path,
        query_key(request.GET),
        *(request.headers.get(name, "") for name in VARY_HEADERS),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def representation_etag(key: str, encoding: str | None) -> str:
    """Each encoding is its own representation with its own strong ETag."""
    return f'"{key}-{encoding}"' if encoding else f'"{key}"'


def page_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    """The ETag of the representation this request gets: the page key and the encoding."""
    key = page_key(request)
    if key is None:
        return None
    return representation_etag(key, request_encoding(request))


class LocalPages:
    """This process's copies of pages from the shared cache, keyed by page key.

    Safe to keep per process because the ETag already names the data version read from the shared
    cache (at most PAGE_CACHE_VERSION_SECONDS ago): a change anywhere gives new ETags, and old
    entries are never asked for again (they age out, least recently used first, within a byte
    budget). StoredPageMiddleware keeps its FrontPage entries here too, under FRONT_PREFIX.
    """

    def __init__(self) -> None:
        self.size = 0
        self.pages: OrderedDict[str, StoredPage] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, etag: str) -> StoredPage | None:
        with self.lock:
            page = self.pages.get(etag)
            if page is not None:
                self.pages.move_to_end(etag)
            return page

    @property
    def max_bytes(self) -> int:
        return settings.PAGE_CACHE_LOCAL_BYTES

    def put(self, etag: str, page: StoredPage) -> None:
        with self.lock:
            if etag in self.pages or page.size > self.max_bytes:
                return
            self.pages[etag] = page
            self.size += page.size
            while self.size > self.max_bytes:
                _, oldest = self.pages.popitem(last=False)
                self.size -= oldest.size


local_pages = LocalPages()


def _stored_page(view: View) -> View:
    """Serve a page's body from this process or the shared cache; render and store it if absent.

    Only successful, non-streaming GET/HEAD responses are stored: an error page never is. The
    compressed variants are made here, once per page, and stored with it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = page_key(request)
        if key is None or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        stored = local_pages.get(key)
        lookup = "local"
        if stored is None:
            lookup = "shared"
            try:
                stored = cache_call("get", PAGE_KEY_PREFIX + key)
            except CacheUnavailable:
                PAGE_CACHE_LOOKUPS.labels("unavailable").inc()
                return view(request, *args, **kwargs)
            if not isinstance(stored, StoredPage):
                lookup = "miss"
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    PAGE_CACHE_LOOKUPS.labels(lookup).inc()
                    return response
                bodies = {IDENTITY: response.content}
                if is_compressible(response):
                    bodies |= compressed_variants(response.content)
                stored = StoredPage(bodies, dict(response.headers))
                try:
                    cache_call("set", PAGE_KEY_PREFIX + key, stored, settings.PAGE_CACHE_SECONDS)
                except CacheUnavailable:
                    PAGE_CACHE_LOOKUPS.labels(lookup).inc()
                    return response
            local_pages.put(key, stored)
        PAGE_CACHE_LOOKUPS.labels(lookup).inc()
        response = stored_response(stored, request_encoding(request))
        response.portal_page = (key, stored)  # type: ignore[attr-defined]
        return response

    return wrapper


def stored_response(stored: StoredPage, encoding: str | None) -> HttpResponse:
    """A stored page in the encoding asked for, if it has it, or uncompressed."""
    response = HttpResponse()
    for name, value in stored.headers.items():
        response[name] = value
    if encoding in stored.bodies:
        use_encoding(response, encoding, stored.bodies[encoding])
    else:
        response.content = stored.bodies[IDENTITY]
        response["Content-Length"] = str(len(response.content))  # as CommonMiddleware would
    return response


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


def _host_allowed(request: HttpRequest) -> bool:
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


FRONT_PREFIX = "front:"
# Set on the final response, so not stored with the page; ETag and encoding differ per request.
PER_REQUEST_HEADERS = frozenset({"etag", "content-encoding", "content-length", "x-request-id"})


class StoredPageMiddleware:
    """Answer a plain GET for a page this process has stored before the per-user middleware.

    Sessions, CSRF, messages, authentication, history and login throttling, the URL resolver
    and the view's decorators make most of a cached page's cost, and none of them can change a
    public page for a request without cookies (`cached_public_page` pages carry no token and no
    session data). Such a request is answered here with the bytes and headers the whole stack
    gave the same page before; the middleware above this one (security headers, CSP,
    compression, metrics) still runs. Requests with cookies or conditional headers, and HEAD,
    go the whole way as before. Sits right after WhiteNoise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        plain = (
            request.method == "GET"
            and not meta.get("HTTP_COOKIE")
            and "HTTP_IF_NONE_MATCH" not in meta
            and "HTTP_IF_MODIFIED_SINCE" not in meta
        )
        if not plain or not _host_allowed(request):
            # A foreign Host goes the whole way, to Django's 400, never to a stored page.
            return self.get_response(request)
        # The language LocaleMiddleware will choose: the address's, or the default one.
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        key = _page_key(request, language)
        if key is None:
            return self.get_response(request)
        front = local_pages.get(FRONT_PREFIX + key)
        if isinstance(front, FrontPage):
            PAGE_CACHE_LOOKUPS.labels("front").inc()
            request.metrics_view = front.view  # type: ignore[attr-defined]
            encoding = request_encoding(request)
            response = stored_response(front, encoding)
            response["ETag"] = representation_etag(key, encoding)
            return response
        response = self.get_response(request)
        page = getattr(response, "portal_page", None)
        match = request.resolver_match
        # Kept only if the view keyed the page the same way (same language, same version).
        if page is not None and page[0] == key and response.status_code == 200 and match:
            headers = {
                name: value
                for name, value in response.headers.items()
                if name.lower() not in PER_REQUEST_HEADERS
            }
            stored = page[1]
            local_pages.put(
                FRONT_PREFIX + key,
                FrontPage(stored.bodies, headers, match.view_name or "unnamed"),
            )
        return response
