"""The OpenAPI description of POST /api/recommend (core/openapi.py joins it into the document).

The allowed values come from api.py and decision.py, and the feature slugs from the catalogue, so
the description and the parser cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from comparison.models import Feature

from . import api

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "description": "Per request key (or `body`, or `rate`), what is wrong.",
            "additionalProperties": STRING,
        }
    },
}


def _request_schema(feature_slugs: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for key, default in api.DEFAULTS.items():
        if key in api.CHOICE_KEYS:
            schema: dict[str, Any] = {"type": "string", "enum": list(api.CHOICE_KEYS[key])}
        elif key in api.BOOL_KEYS:
            schema = {"type": "boolean"}
        else:
            allowed = api.LIST_KEYS[key]
            items = list(allowed) if allowed is not None else feature_slugs
            schema = {"type": "array", "items": {"type": "string", "enum": items}}
        properties[key] = {**schema, "default": default}
    properties["must"]["description"] = "Feature slugs the mesh must support."
    properties["nice"]["description"] = "Feature slugs that count in a mesh's favour."
    properties["store"]["description"] = "Keep the result and answer with its `permalink`."
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "The questionnaire's answers; a missing key takes its default.",
        "properties": properties,
    }


RESPONSE_KEYS = [
    *("verdict", "headline", "reasons", "in_favour", "alternatives", "shortlist", "compare"),
    *("excluded", "complexity_bands", "data_version"),
]
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": RESPONSE_KEYS,
    "properties": {
        "verdict": {"type": "string", "examples": ["worth_it", "consider", "not_worth_it"]},
        "headline": STRING,
        "reasons": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["question", "answer", "text"],
                "properties": {"question": STRING, "answer": STRING, "text": STRING},
            },
        },
        "in_favour": {"type": "array", "items": STRING},
        "alternatives": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "title", "text", "url"],
                "properties": {"key": STRING, "title": STRING, "text": STRING, "url": STRING},
            },
        },
        "shortlist": {
            "type": "array",
            "description": "Ranked best first; the same score gives the same rank (`tied`).",
            "items": {
                "type": "object",
                "required": [
                    "slug",
                    "name",
                    "rank",
                    "score",
                    "tied",
                    "reasons",
                    "lacks",
                    "caveats",
                ],
                "properties": {
                    "slug": STRING,
                    "name": STRING,
                    "rank": {"type": "integer", "minimum": 1},
                    "score": {"type": "integer"},
                    "tied": {"type": "boolean"},
                    "reasons": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["text", "points", "feature", "level", "source"],
                            "properties": {
                                "text": STRING,
                                "points": {"type": "integer"},
                                "feature": NULLABLE_STRING,
                                "level": NULLABLE_STRING,
                                "source": NULLABLE_STRING,
                            },
                        },
                    },
                    "lacks": {"type": "array", "items": STRING},
                    "caveats": {"type": "array", "items": STRING},
                },
            },
        },
        "compare": {"type": "array", "items": STRING, "description": "Slugs to compare."},
        "excluded": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "reason"],
                "properties": {"slug": STRING, "reason": STRING},
            },
        },
        "complexity_bands": {
            "type": ["object", "null"],
            "required": ["low_max_lines", "high_min_lines", "meshes"],
            "properties": {
                "low_max_lines": {"type": "integer"},
                "high_min_lines": {"type": "integer"},
                "meshes": {"type": "integer"},
            },
        },
        "data_version": STRING,
        "permalink": {"type": "string", "description": "Only when `store` was true."},
    },
}


def fragment() -> dict[str, Any]:
    """This app's part of the document (one query: the current feature slugs)."""
    feature_slugs = list(Feature.objects.order_by("slug").values_list("slug", flat=True))
    json_errors = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrors"}}}
    return {
        "tags": [{"name": "decision", "description": "Do you need a mesh, and which one."}],
        "paths": {
            "/api/recommend": {
                "post": {
                    "operationId": "recommend",
                    "tags": ["decision"],
                    "summary": "A verdict and a ranked shortlist for the questionnaire's answers",
                    "description": "The same decision as the questionnaire at /questionnaire/. "
                    "No cookie or CSRF token; rate-limited per client address.",
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/RecommendRequest"}
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The verdict, the shortlist and the excluded meshes.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Recommendation"}
                                }
                            },
                        },
                        "400": {
                            "description": "Answers that cannot be read.",
                            "content": json_errors,
                        },
                        "429": {
                            "description": "Too many requests from this address.",
                            "content": json_errors,
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "RecommendRequest": _request_schema(feature_slugs),
                "Recommendation": RESPONSE_SCHEMA,
                "ApiErrors": ERRORS,
            }
        },
    }
