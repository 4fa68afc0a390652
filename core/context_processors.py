"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def languages(request: HttpRequest) -> dict:
    """The current page in each language, query string included, for the language switch."""
    current = translation.get_language()
    # From the query the page read (a cached page's known parameters only), never the raw one: a
    # cached page must not carry a visitor's stray parameters into everyone's links.
    path = request.path + (f"?{request.GET.urlencode()}" if request.GET else "")
    return {
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
    }
