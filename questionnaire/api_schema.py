"""The OpenAPI description of POST /api/recommend (core/openapi.py joins it into the document).

The allowed values come from api.py and decision.py, and the feature slugs from the catalogue, so
the description and the parser cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from comparison.models import Feature
from core.openapi import ERRORS_REF

from . import api, decision

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}


def _request_schema(feature_slugs: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for key, default in api.DEFAULTS.items():
        if key in api.CHOICE_KEYS:
            schema: dict[str, Any] = {"type": "string", "enum": list(api.CHOICE_KEYS[key])}
        elif key in api.BOOL_KEYS:
            schema = {"type": "boolean"}
        elif key == "pods":
            schema = {"type": ["integer", "null"], "minimum": 1, "maximum": decision.MAX_PODS}
        else:
            allowed = api.LIST_KEYS[key]
            items = list(allowed) if allowed is not None else feature_slugs
            schema = {"type": "array", "items": {"type": "string", "enum": items}}
        properties[key] = {**schema, "default": default}
    properties["must"]["description"] = "Feature slugs the mesh must support."
    properties["nice"]["description"] = "Feature slugs that count in a mesh's favour."
    properties["store"]["description"] = "Keep the result and answer with its `permalink`."
    properties["format"]["description"] = (
        "`madr`: also answer with the result as a Markdown decision record (`madr`)."
    )
    properties["needs"]["description"] = "What the team needs; each becomes a must-have."
    properties["languages"]["description"] = "Main languages, for libraries as alternatives."
    properties["pods"]["description"] = "About how many pods; sizes the sidecar overhead."
    properties["partial_ok"]["description"] = "Partial support may meet a must-have, at a cost."
    properties["experimental_ok"]["description"] = (
        "Alpha or experimental support may meet a must-have, at a cost."
    )
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "The questionnaire's answers; a missing key takes its default.",
        "properties": properties,
    }


RESPONSE_KEYS = [
    *("verdict", "headline", "summary", "reasons", "in_favour", "alternatives", "shortlist"),
    *("unverified", "compare", "compare_tied", "differences", "excluded", "relax"),
    *("complexity_bands", "next_steps", "notices", "data_version"),
]
STRINGS = {"type": "array", "items": STRING}
RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": RESPONSE_KEYS,
    "properties": {
        "verdict": {"type": "string", "examples": ["worth_it", "consider", "not_worth_it"]},
        "headline": STRING,
        "summary": {**STRING, "description": "The verdict and what to do, in one sentence."},
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
                "required": ["key", "title", "text", "url", "kind"],
                "properties": {
                    "key": STRING,
                    "title": STRING,
                    "text": STRING,
                    "url": STRING,
                    "kind": {"type": "string", "enum": ["platform", "library", "practice"]},
                },
            },
            "description": "Always given: the cloud's own options that fit the platform, "
            "libraries for the team's languages, practices for its platform.",
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
                    "risks",
                    "kind",
                    "family",
                ],
                "properties": {
                    "slug": STRING,
                    "name": STRING,
                    "kind": {"type": "string", "enum": ["service_mesh", "platform_networking"]},
                    "family": {
                        **STRING,
                        "description": "The upstream's slug; options of one family share it.",
                    },
                    "risks": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["kind", "text", "source"],
                            "properties": {
                                "kind": STRING,
                                "text": STRING,
                                "source": NULLABLE_STRING,
                            },
                        },
                    },
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
        "unverified": {
            "type": "array",
            "description": "Could fit, but a must-have is unknown (no source): what to check.",
            "items": {
                "type": "object",
                "required": ["slug", "name", "score_if_confirmed", "check"],
                "properties": {
                    "slug": STRING,
                    "name": STRING,
                    "score_if_confirmed": {"type": "integer"},
                    "check": STRINGS,
                },
            },
        },
        "compare": {**STRINGS, "description": "Slugs to compare: one per family."},
        "compare_tied": {**STRINGS, "description": "Tied for the last compare places."},
        "differences": {
            "type": "array",
            "description": "Rows on which the top choices differ, with sources.",
            "items": {
                "type": "object",
                "required": ["label", "values"],
                "properties": {
                    "label": STRING,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["slug", "text", "source"],
                            "properties": {
                                "slug": STRING,
                                "text": STRING,
                                "source": NULLABLE_STRING,
                            },
                        },
                    },
                },
            },
        },
        "relax": {
            "type": ["object", "null"],
            "description": "With an empty shortlist: the one answer to relax, and what it brings.",
            "required": ["answer", "text", "feature", "would_admit"],
            "properties": {
                "answer": STRING,
                "text": STRING,
                "feature": NULLABLE_STRING,
                "would_admit": STRINGS,
            },
        },
        "next_steps": STRINGS,
        "notices": STRINGS,
        "madr": {"type": "string", "description": "Only when `format` was `madr`."},
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
            "required": ["low_max_lines", "high_min_lines", "meshes", "api"],
            "properties": {
                "low_max_lines": {"type": "integer"},
                "high_min_lines": {"type": "integer"},
                "meshes": {"type": "integer", "description": "Product families counted."},
                "api": {"type": "string", "enum": ["own", "gateway_api"]},
            },
        },
        "data_version": STRING,
        "permalink": {"type": "string", "description": "Only when `store` was true."},
    },
}


def fragment() -> dict[str, Any]:
    """This app's part of the document (one query: the current feature slugs)."""
    feature_slugs = list(Feature.objects.order_by("slug").values_list("slug", flat=True))
    json_errors = {"application/json": {"schema": {"$ref": ERRORS_REF}}}
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
                        # An empty body is refused; `{}` takes every default.
                        "required": True,
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
                            "description": "Answers that cannot be used: per request key (codes "
                            "`unknown_key`, `invalid_choice`, `not_boolean`, `not_list`, "
                            "`unknown_item`), or `body` for the body as a whole (`content_type`, "
                            "`empty`, `too_large`: over "
                            f"{api.MAX_BODY} bytes, `invalid`, `too_deep`, `number`, "
                            "`not_object`). Only a form-encoded or multipart body that the "
                            "site's request checks refuse before any view (not UTF-8, a NUL "
                            "byte, over 2.5 MB) answers otherwise: plain text or HTML.",
                            "content": {
                                **json_errors,
                                "text/plain": {"schema": {"type": "string"}},
                                "text/html": {"schema": {"type": "string"}},
                            },
                        },
                        "429": {
                            "description": "Too many requests from this address (`rate`, code "
                            "`rate_limited`), or too many new stored results this hour (`store`, "
                            "code `results_limited`).",
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
            }
        },
    }
