"""Public pages cached until the data changes, and answered with 304 when nothing changed.

One counter, the data version, lives in the shared cache (Redis or the database): any change to
meshes, features, categories or cells bumps it, which retires every cached page at once on every
app server. A page's ETag is derived from that version, the code version and the request, so a
conditional GET is answered without rendering anything.
"""

from __future__ import annotations

import hashlib
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
PAGE_KEY_PREFIX = "portal:page:"
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def data_version() -> int:
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        cache.add(DATA_VERSION_KEY, 1, timeout=None)
        version = cache.get(DATA_VERSION_KEY, 1)
    return int(version)


def bump_data_version() -> None:
    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # not there yet (or evicted): any new value retires the old pages
        cache.set(DATA_VERSION_KEY, data_version() + 1, timeout=None)


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
            key = PAGE_KEY_PREFIX + etag.strip('"')
            stored = cache.get(key)
            if stored is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming:
                    return response
                stored = (response.content, dict(response.headers))
                cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
        response["ETag"] = etag
        response["Cache-Control"] = "public, no-cache"  # store, but always revalidate (cheap)
        patch_vary_headers(response, VARY_HEADERS)
        return response

    return wrapper
