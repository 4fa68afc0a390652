"""The WSGI application, with a request class that cannot fail while it is being built.

Django's WSGIRequest sets its encoding from the Content-Type's charset in its constructor, and the
encoding setter evaluates the query string to see whether it must be decoded again. A query string
with more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS then raises before any middleware runs,
and the server answers a bare 500 without security headers. Here the setter only forgets a parsed
query string; parsing, and its errors, happen inside the middleware chain, which answers 400.

The setter is django/http/request.py's HttpRequest.encoding (`hasattr(self, "GET")` parses the
query string). tests/core/test_resilience.py shows the stock class failing; when that test fails,
Django has changed the setter and this module can go.
"""

from __future__ import annotations

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest


class PortalRequest(WSGIRequest):
    @property
    def encoding(self) -> str | None:
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value
        self.__dict__.pop("GET", None)  # GET is a cached_property: drop it unparsed
        if hasattr(self, "_post"):
            del self._post


class PortalWSGIHandler(WSGIHandler):
    request_class = PortalRequest


def application() -> PortalWSGIHandler:
    django.setup(set_prefix=False)
    return PortalWSGIHandler()
