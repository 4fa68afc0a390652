"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.

Each app describes its own endpoints in a fragment: a function, listed in
settings.OPENAPI_FRAGMENTS, that returns a dict with `paths`, `components` and `tags`. This module
only joins them, so core knows no domain. Adding an endpoint: describe it in its app's fragment
(or add the app's fragment function to the setting). The one error format every endpoint answers
400 with is core's (core/jsonapi.py): the component ERRORS_COMPONENT, added here, which fragments
refer to by ERRORS_REF.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from .jsonapi import ERRORS_SCHEMA

# The component every endpoint's 400 (and 429) answer refers to: "#/components/schemas/ApiErrors".
ERRORS_COMPONENT = "ApiErrors"
ERRORS_REF = f"#/components/schemas/{ERRORS_COMPONENT}"

INFO = {
    "title": "Service mesh comparison portal API",
    "version": "1",
    "summary": "Sourced feature data of service meshes.",
    "description": "Read-only JSON. Every yes, partial and no carries the URL it was read in.",
    "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
}


def build_document() -> dict[str, Any]:
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {**INFO, "version": settings.RELEASE_VERSION},
        "servers": [{"url": "/"}],
        "tags": [],
        "paths": {},
        # Shared by every endpoint: the one error format (core/jsonapi.py).
        "components": {"schemas": {ERRORS_COMPONENT: ERRORS_SCHEMA}},
    }
    for dotted in settings.OPENAPI_FRAGMENTS:
        fragment = import_string(dotted)()
        document["tags"] += fragment.get("tags", [])
        for path, item in fragment.get("paths", {}).items():
            if path in document["paths"]:
                raise ValueError(f"{dotted} describes {path} again")
            document["paths"][path] = item
        for section, entries in fragment.get("components", {}).items():
            document["components"].setdefault(section, {}).update(entries)
    return document


@require_safe
def openapi_document(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(build_document(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    return response
