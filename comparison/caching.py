"""Public pages cached until the data changes, and answered with 304 when nothing changed.

One counter, the data version, lives in the shared cache (Redis or the database): any change to
meshes, features, categories or cells bumps it, which retires every cached page at once on every
app server. A page's ETag is derived from that version, the code version and the request, so a
conditional GET is answered without rendering anything.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache as memoize
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

DATA_VERSION_KEY = "portal:data-version"
LOCAL_PAGES_MAX_BYTES = 32 * 1024 * 1024
PAGE_KEY_PREFIX = "portal:page:"
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def _fresh_version() -> int:
    # Starting from the clock, not from 1: if the shared cache is flushed, a restarted counter must
    # not meet ETags (and processes' local copies) from before the flush.
    return time.time_ns() // 1000


def data_version() -> int:
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        cache.add(DATA_VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(DATA_VERSION_KEY) or _fresh_version()
    return int(version)


def bump_data_version() -> None:
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # not there (flushed or evicted): any fresh value retires the old pages
        cache.set(DATA_VERSION_KEY, _fresh_version(), timeout=None)


@memoize
def code_version() -> str:
    """A digest of templates, app code and static files, so a deploy retires cached pages too."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("templates", "comparison", "static", "portal"):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".py", ".css", ".js"}:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_etag(request: HttpRequest) -> str:
    parts = [
        code_version(),
        str(data_version()),
        translation.get_language() or "",
        request.get_full_path(),
        *(request.headers.get(name, "") for name in VARY_HEADERS),
    ]
    return '"' + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32] + '"'


class LocalPages:
    """This process's copies of pages from the shared cache, keyed by ETag.

    Safe to keep per process because the ETag already names the data version read from the shared
    cache on every request: a change anywhere gives new ETags, and old entries are never asked for
    again (they age out, least recently used first, within a byte budget).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.pages: OrderedDict[str, tuple[bytes, dict[str, str]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, etag: str) -> tuple[bytes, dict[str, str]] | None:
        with self.lock:
            page = self.pages.get(etag)
            if page is not None:
                self.pages.move_to_end(etag)
            return page

    def put(self, etag: str, page: tuple[bytes, dict[str, str]]) -> None:
        with self.lock:
            if etag in self.pages or len(page[0]) > self.max_bytes:
                return
            self.pages[etag] = page
            self.size += len(page[0])
            while self.size > self.max_bytes:
                _, (content, _) = self.pages.popitem(last=False)
                self.size -= len(content)


local_pages = LocalPages(LOCAL_PAGES_MAX_BYTES)


def cached_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache a public GET view's successful responses until the data or the code changes."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        # The page is shared by all visitors, so it must not carry anyone's CSRF token.
        request.public_cache = True
        etag = page_etag(request)
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            response = HttpResponseNotModified()
        else:
            stored = local_pages.get(etag)
            if stored is None:
                key = PAGE_KEY_PREFIX + etag.strip('"')
                stored = cache.get(key)
                if stored is None:
                    response = view(request, *args, **kwargs)
                    if response.status_code != 200 or response.streaming:
                        return response
                    stored = (response.content, dict(response.headers))
                    cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
                local_pages.put(etag, stored)
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
        response["ETag"] = etag
        response["Cache-Control"] = "public, no-cache"  # store, but always revalidate (cheap)
        patch_vary_headers(response, VARY_HEADERS)
        return response

    return wrapper
