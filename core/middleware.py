"""Request checks that apply to every view."""

import codecs
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# The encodings every form here is sent in (Django's DEFAULT_CHARSET, and its ASCII subset).
ACCEPTED_CHARSETS = {"utf-8", "ascii"}


class RejectUndecodableRequestMiddleware:
    """Answer 400 to a request whose parameters cannot be read as UTF-8, and drop cookies no
    browser was given here (control characters).

    Django decodes form data (and the query string) in the charset the Content-Type names; a body
    that is not valid in it would otherwise fail as a server error in whatever first reads
    request.POST (the CSRF check, before any view). No page here sends anything but UTF-8.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset") if request.content_params else None
        if charset is not None:
            try:
                name = codecs.lookup(charset).name
            except LookupError:
                name = "utf-8"  # Django ignores an unknown charset and reads UTF-8
            if name not in ACCEPTED_CHARSETS:
                return _bad_request("Request parameters must be encoded as UTF-8.")
        # A cookie with a NUL or another control character was never set by this site; read as
        # a session key, PostgreSQL refuses it (a server error). Treat such a cookie as absent.
        request.COOKIES = {
            name: value
            for name, value in request.COOKIES.items()
            if not _has_control_character(name) and not _has_control_character(value)
        }
        try:
            request.GET  # noqa: B018 (decoded now, so a failure is a 400 here)
            if request.method == "POST":
                request.POST  # noqa: B018
        except UnicodeDecodeError:
            return _bad_request("Request parameters must be encoded as UTF-8.")
        return self.get_response(request)


def _has_control_character(text: str) -> bool:
    return any(ord(character) < 0x20 or ord(character) == 0x7F for character in text)


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


# No page here needs a longer query parameter; longer ones (say a 200,000-character search) only
# reach limits deeper down, e.g. SQLite's on LIKE patterns, as server errors.
MAX_QUERY_VALUE_LENGTH = 4096


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the query string or form data, or an over-long query value.

    PostgreSQL cannot store or compare text containing NUL, so such a value would otherwise fail
    deep inside a query as a server error; no legitimate form here ever sends one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for _key, values in request.GET.lists():
            if any(len(value) > MAX_QUERY_VALUE_LENGTH for value in values):
                return _bad_request("A query parameter is too long.")
        sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return _bad_request("Request parameters must not contain NUL bytes.")
        return self.get_response(request)


class CrossOriginResourcePolicyMiddleware:
    """Cross-Origin-Resource-Policy: same-origin on every response (Django sets no CORP)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
