"""The site's answer to an exception no view handled (Django's handler500)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views import defaults

# Seconds a client (or the proxy in front) should wait before asking again.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Temporarily unavailable</title></head>
<body><h1>Temporarily unavailable</h1>
<p>The portal cannot reach its database at the moment. Please try again in a minute.</p>
</body></html>
"""


def server_error(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After when the database cannot be reached (it says the truth: try again
    soon), Django's plain 500 page for everything else. Renders nothing that needs the database."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(
            UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8"
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
