"""gzip and brotli for HTML, JSON, CSV and Atom, chosen by the client's Accept-Encoding.

Every compressible response is compressed as it leaves the app; the HTTP cache in front keeps
one copy per encoding (the responses say Vary: Accept-Encoding).

BREACH: a response that uses the CSRF token or depends on the session (Vary: Cookie) is sent
uncompressed. The attack reads a secret out of the size of compressed bodies that also reflect
attacker-chosen text; without compression there is nothing to measure. Such pages (forms, admin)
are small, and the public pages, which carry no secret, are all compressed.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

import brotli
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

COMPRESSIBLE_TYPES = frozenset(
    {"text/html", "application/json", "text/csv", "application/atom+xml", "application/xml"}
)
# Below this, the headers outweigh what compression saves.
MIN_COMPRESS_BYTES = 256
# Quality 5 is many times faster than 11 for a few percent more bytes: responses are compressed
# as they are sent.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
ENCODINGS = ("br", "gzip")  # in order of preference when the client accepts both equally


def preferred_encoding(accept_encoding: str) -> str | None:
    """The best of br and gzip that the Accept-Encoding header allows, or None for identity."""
    weights: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        if coding.strip():
            weights[coding.strip()] = weight
    wildcard = weights.get("*", 0.0)
    best, best_weight = None, 0.0
    for coding in ENCODINGS:
        weight = weights.get(coding, wildcard)
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def request_encoding(request: HttpRequest) -> str | None:
    return preferred_encoding(request.headers.get("Accept-Encoding", ""))


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=BROTLI_QUALITY)
    # mtime=0: the same page gives the same bytes, whenever it is compressed.
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def is_compressible(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return (
        content_type in COMPRESSIBLE_TYPES
        and not response.streaming
        and not response.has_header("Content-Encoding")
        and len(response.content) >= MIN_COMPRESS_BYTES
    )


def use_encoding(response: HttpResponse, encoding: str, body: bytes) -> None:
    response.content = body
    response["Content-Encoding"] = encoding
    response["Content-Length"] = str(len(body))


def carries_secrets(request: HttpRequest, response: HttpResponse) -> bool:
    """True when the body may hold the CSRF token or session-dependent data (see BREACH above)."""
    vary = response.get("Vary", "").lower()
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or "cookie" in vary


class CompressionMiddleware:
    """Compress HTML, JSON, CSV and Atom in the best encoding the client accepts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_compressible(response) or carries_secrets(request, response):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        encoding = request_encoding(request)
        if encoding is None:
            return response
        body = compress(response.content, encoding)
        if len(body) >= len(response.content):
            return response
        use_encoding(response, encoding, body)
        if (etag := response.get("ETag")) and not etag.startswith("W/"):
            # As Django's GZipMiddleware does: the compressed bytes differ from the ones the strong
            # ETag names, so it is weakened; If-None-Match compares weakly and still matches.
            response["ETag"] = f"W/{etag}"
        return response
