"""The OpenAPI description of the catalogue's JSON API, /api/meshes.json.

core/openapi.py joins this with the other apps' fragments (settings.OPENAPI_FRAGMENTS) into the
document at /api/openapi.json. The enumerations come from choices.py, so they cannot drift; the mesh
and feature slugs are the catalogue's current ones, read when the document is asked for.
"""

from __future__ import annotations

from typing import Any

from django.db.models import TextChoices

from core.openapi import ERRORS_REF

from .choices import (
    BuildsOn,
    Cloud,
    CncfStatus,
    DataPlane,
    GammaLevel,
    Level,
    Maturity,
    MeshKind,
    Orchestrator,
    Platforms,
    ProxyFamily,
    Stage,
    Status,
)
from .facts import BY_NAME, source_fields
from .filters import ALL_KINDS, ALL_STATUSES
from .models import Feature, Mesh

SLUG = {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$", "maxLength": 50}
BOOLEAN_WORD = {
    "type": "string",
    "enum": ["true", "false", "1", "0", "on", "off", "yes", "no", ""],
    "description": "A yes/no value (any letter case; empty is no); anything else answers 400.",
}
URL_OR_EMPTY = {"type": "string", "description": "An absolute URL, or empty when not known."}
DATE = {"type": "string", "format": "date"}


def _values(choices: type[TextChoices]) -> list[str]:
    return [str(value) for value in choices.values]


def _choice(values: list[str]) -> dict[str, Any]:
    """A single-choice filter: one of the values, or empty for any."""
    return {"type": "string", "enum": [*values, ""]}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **extra,
    }


def table_parameters(mesh_slugs: list[str], feature_slugs: list[str]) -> list[dict[str, Any]]:
    mesh_slug = {**SLUG, "enum": mesh_slugs} if mesh_slugs else SLUG
    feature_slug = {**SLUG, "enum": feature_slugs} if feature_slugs else SLUG
    return [
        _query(
            "q",
            # No NUL: every address answers a NUL byte in a parameter with 400 (plain text).
            {"type": "string", "maxLength": 100, "pattern": "^[^\\u0000]*$"},
            "Free text: narrows to the meshes it names, or to the feature rows it names.",
        ),
        _query(
            "must",
            {"type": "array", "items": feature_slug},
            "Feature slugs every shown mesh must support (repeat the parameter for several).",
            style="form",
            explode=True,
        ),
        _query("partial", BOOLEAN_WORD, "Let “partial” count for `must`."),
        _query(
            "stable",
            BOOLEAN_WORD,
            "For `must`, count only support not marked beta, alpha, preview or deprecated.",
        ),
        _query("diff", BOOLEAN_WORD, "Only feature rows whose values differ between the meshes."),
        _query("platforms", _choice(_values(Platforms)), "Platform."),
        _query("data_plane", _choice(_values(DataPlane)), "Data-plane model."),
        _query(
            "smi",
            {"type": "string", "enum": ["full", "some", "none"]},
            "Service Mesh Interface support: all four parts, some, or none.",
        ),
        _query("maturity", _choice(_values(Maturity)), "Maturity tier."),
        _query(
            "status",
            {"type": "string", "enum": [*_values(Status), ALL_STATUSES]},
            "Status; without it (and without `mesh`) discontinued products are left out.",
        ),
        _query(
            "kind",
            {"type": "string", "enum": [ALL_KINDS, MeshKind.PLATFORM_NETWORKING]},
            "Without it (and without `mesh`) only service meshes; `all` adds the platform "
            "networking services.",
        ),
        _query(
            "offering",
            {"type": "string", "enum": ["open_source", "commercial"]},
            "Open source or managed/commercial.",
        ),
        _query(
            "mesh",
            {"type": "array", "items": mesh_slug},
            "Only these meshes, by slug (repeat the parameter for several).",
            style="form",
            explode=True,
        ),
    ]


# Facts with a source page of their own: `<fact>` and its source field (a URL, or empty), from the
# one declaration of every fact (GAMMA's source sits in its object).
FACT_SOURCES = [
    *(name for name in source_fields() if name not in ("gamma_source", "current_version_source")),
    "traffic_split_source",
]
SHARE = {"type": "number", "minimum": 0, "maximum": 1}
OPTIONAL_YES_NO = {"type": ["boolean", "null"], "description": "null when not known."}


def _with_empty(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": [*values, ""], "description": "Empty when not known."}


MESH_EXTRA_PROPERTIES: dict[str, Any] = {
    "gamma": {
        "type": "object",
        "description": "Gateway API for mesh (GAMMA): the conformance the mesh reports.",
        "required": [
            "level",
            "profiles",
            "gateway_api_version",
            "mesh_version",
            "extended_features",
            "source",
        ],
        "additionalProperties": False,
        "properties": {
            "level": {"type": "string", "enum": _values(GammaLevel)},
            "profiles": {"type": "string", "description": "e.g. Mesh HTTP; Mesh gRPC"},
            "gateway_api_version": {"type": "string"},
            "mesh_version": {"type": "string", "description": "The version the report covers."},
            "extended_features": {"type": "string"},
            "source": URL_OR_EMPTY,
        },
    },
    "release_cycles": {
        "type": "array",
        "description": "Release lines, newest first, from the project's lifecycle file or its "
        "vendor's support-policy page; empty when none publishes end-of-support dates.",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                *("cycle", "release_date", "end_of_support", "end_of_support_note"),
                *("supported", "current", "latest", "kubernetes_versions", "lts", "source"),
                *("imported_from", "last_verified"),
            ],
            "properties": {
                "cycle": {"type": "string", "description": "e.g. 1.31, as the project writes it"},
                "release_date": {"type": ["string", "null"], "format": "date"},
                "end_of_support": {
                    "type": ["string", "null"],
                    "format": "date",
                    "description": "null while no day is announced (see the note).",
                },
                "end_of_support_note": {
                    "type": "string",
                    "description": "The end in the project's words, e.g. an expected month.",
                },
                "supported": {"type": "boolean", "description": "Still supported today."},
                "current": {
                    "type": "boolean",
                    "description": "The line the current version belongs to.",
                },
                "latest": {"type": "string", "description": "Latest patch; empty if unknown."},
                "kubernetes_versions": {"type": "string"},
                "lts": {"type": "boolean", "description": "A long-term support line."},
                "source": {"type": "string", "format": "uri"},
                "imported_from": {
                    "type": "string",
                    "description": "repository path@commit of the imported file; empty when an "
                    "editor entered it from the source page.",
                },
                "last_verified": DATE,
            },
        },
    },
    "freshness": {
        "type": "object",
        "description": "How well the mesh's data proves itself, over all its cells.",
        "additionalProperties": False,
        "required": [
            *("cells", "tested_share", "stage_share", "inherited_share", "unknown_share"),
            *("newest_report", "lifecycle_checked", "newest_verification"),
            "newest_source_age_days",
        ],
        "properties": {
            "cells": {"type": "integer", "minimum": 0},
            "tested_share": {**SHARE, "description": "Cells a conformance report confirms."},
            "stage_share": {**SHARE, "description": "Cells with the project's own stage."},
            "inherited_share": {**SHARE, "description": "Cells that follow the upstream."},
            "unknown_share": {**SHARE, "description": "Cells nobody could source."},
            "newest_report": {"type": ["string", "null"], "format": "date"},
            "lifecycle_checked": {"type": ["string", "null"], "format": "date"},
            "newest_verification": {"type": ["string", "null"], "format": "date"},
            "newest_source_age_days": {
                "type": ["integer", "null"],
                "description": "Days since the newest of the three dates above.",
            },
        },
    },
    "new_release": {
        "type": ["object", "null"],
        "description": "A release newer than the current version, seen by the release watch.",
        "required": ["name", "date"],
        "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "date": DATE},
    },
    "release_feed_url": {
        **URL_OR_EMPTY,
        "description": "The machine-readable release feed the release watch reads; empty if none.",
    },
    "current_version_date": {
        "type": ["string", "null"],
        "format": "date",
        "description": "When the current version was released, where known.",
    },
    "licence_spdx": {"type": "string", "description": "An SPDX expression, or empty."},
    "runs_without_kubernetes": OPTIONAL_YES_NO,
    "kubernetes_vm_workloads": OPTIONAL_YES_NO,
    "orchestrators": {"type": "array", "items": {"type": "string", "enum": _values(Orchestrator)}},
    "orchestrators_note": {"type": "string"},
    "requires_openshift": {
        "type": "boolean",
        "description": "A product for Red Hat OpenShift clusters only (OCP, ROSA, ARO).",
    },
    "clouds": {"type": "array", "items": {"type": "string", "enum": _values(Cloud)}},
    "bound_to_cloud": _with_empty(_values(Cloud)),
    "cloud_note": {"type": "string"},
    "commercial_support": {"type": "string", "description": "Who sells support; empty if nobody."},
    "stable_releases_free": OPTIONAL_YES_NO,
    "stable_releases_note": {"type": "string"},
    "proxy_family": _with_empty(_values(ProxyFamily)),
    "builds_on": _with_empty(_values(BuildsOn)),
    **{name: URL_OR_EMPTY for name in FACT_SOURCES},
    "fact_checks": {
        "type": "object",
        "description": "The day each fact was last confirmed against its source (ISO dates); a "
        "fact without an entry has not been checked on its own since the mesh was added.",
        "propertyNames": {"enum": sorted(BY_NAME)},
        "additionalProperties": DATE,
    },
    "kind": {
        "type": "string",
        "enum": _values(MeshKind),
        "description": "A service mesh, or a platform's own networking service listed beside "
        "them (shown with `kind=all`).",
    },
    "upstream": {
        "oneOf": [SLUG, {"type": "null"}],
        "description": "For a distribution, the slug of the upstream project whose cells it "
        "follows unless its own sources say otherwise; null otherwise.",
    },
    "upstream_version": {
        "type": "string",
        "description": "The upstream version the distribution's current version is built on.",
    },
    "successor_links": {
        "type": "array",
        "description": "What users of a discontinued product moved to, with links.",
        "items": {
            "type": "object",
            "required": ["name", "url"],
            "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
        },
    },
}

MESH_REQUIRED = [
    *("slug", "name", "summary", "website", "docs_url", "repository_url", "licence"),
    *("open_source", "developer", "current_version", "current_version_source", "proxy"),
    *("data_plane", "platforms", "platform_notes", "maturity", "status", "status_date"),
    *("status_note", "status_source", "successor", "cncf_status", "last_verified"),
    *("traffic_split_lines", "url", "features"),
    *MESH_EXTRA_PROPERTIES,
]

SCHEMAS: dict[str, Any] = {
    "FeatureValue": {
        "type": "object",
        "required": [
            "level",
            "stage",
            "since_version",
            "removed_in",
            "inherited",
            "note",
            "source",
            "last_verified",
            "stale",
            "source_unreachable_since",
            "tested",
        ],
        "additionalProperties": False,
        "properties": {
            "level": {"type": "string", "enum": _values(Level)},
            "stage": {
                "type": "string",
                "enum": ["", *_values(Stage)],
                "description": "How mature the support is, in the project's own words; empty "
                "when it does not say. Beta support of the whole feature is `yes` with stage "
                "`beta`.",
            },
            "since_version": {
                "type": "string",
                "description": "The version that brought this support (at this stage); empty "
                "when the project does not say.",
            },
            "removed_in": {
                "type": "string",
                "description": "For a removed feature (level `no`), the version that removed it.",
            },
            "inherited": {
                "type": "boolean",
                "description": "The value is the upstream's (see the mesh's `upstream`): a "
                "distribution follows its upstream unless its own source says otherwise.",
            },
            "note": {"type": "string"},
            "source": {
                **URL_OR_EMPTY,
                "description": "Where the value was read; empty only for `unknown`.",
            },
            "last_verified": {
                "type": ["string", "null"],
                "format": "date",
                "description": "When an editor last checked the value.",
            },
            "stale": {
                "type": "boolean",
                "description": "Verified over a year ago, or before the mesh's latest release.",
            },
            "source_unreachable_since": {
                "type": ["string", "null"],
                "format": "date",
                "description": "Since when the source checks fail; null while it works.",
            },
            "tested": {
                "type": ["object", "null"],
                "description": "The passing Gateway API conformance result that confirms a yes "
                "or partial (the mesh's newest report for the profile); null when none does.",
                "required": ["gateway_api_version", "mesh_version", "date", "report"],
                "additionalProperties": False,
                "properties": {
                    "gateway_api_version": {"type": "string", "description": "The suite."},
                    "mesh_version": {"type": "string", "description": "What it ran on."},
                    "date": DATE,
                    "report": {"type": "string", "format": "uri"},
                },
            },
        },
    },
    "Mesh": {
        "type": "object",
        "additionalProperties": False,
        # Every property is always there (empty or null when not known).
        "required": MESH_REQUIRED,
        "properties": {
            "slug": SLUG,
            "name": {"type": "string"},
            "summary": {"type": "string"},
            "website": URL_OR_EMPTY,
            "docs_url": URL_OR_EMPTY,
            "repository_url": URL_OR_EMPTY,
            "licence": {"type": "string"},
            "open_source": {"type": "boolean"},
            "developer": {"type": "string"},
            "current_version": {"type": "string"},
            "current_version_source": URL_OR_EMPTY,
            "proxy": {"type": "string"},
            "data_plane": {"type": "string", "enum": _values(DataPlane)},
            "platforms": {"type": "string", "enum": _values(Platforms)},
            "platform_notes": {"type": "string"},
            "maturity": {"type": "string", "enum": _values(Maturity)},
            "status": {"type": "string", "enum": _values(Status)},
            "status_date": {
                "type": ["string", "null"],
                "format": "date",
                "description": "When a discontinued product was archived or reached end of life.",
            },
            "status_note": {"type": "string"},
            "status_source": URL_OR_EMPTY,
            "successor": {"type": "string"},
            "cncf_status": {"type": "string", "enum": _values(CncfStatus)},
            "last_verified": {**DATE, "description": "When an editor last checked the mesh."},
            "traffic_split_lines": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Lines of YAML for a 90/10 traffic split; null when not known.",
            },
            "url": {"type": "string", "description": "The mesh's page on this portal (a path)."},
            **MESH_EXTRA_PROPERTIES,
            "features": {
                "type": "object",
                "description": "One entry per feature slug (or per row named by `q`).",
                "propertyNames": SLUG,
                "additionalProperties": {"$ref": "#/components/schemas/FeatureValue"},
            },
        },
    },
}


def fragment() -> dict[str, Any]:
    """This app's part of the document (two queries: the current slugs)."""
    mesh_slugs = list(Mesh.objects.order_by("slug").values_list("slug", flat=True))
    feature_slugs = list(Feature.objects.order_by("slug").values_list("slug", flat=True))
    return {
        "tags": [
            {"name": "catalogue", "description": "The meshes and their sourced feature values."}
        ],
        "paths": {
            "/api/meshes.json": {
                "get": {
                    "operationId": "listMeshes",
                    "tags": ["catalogue"],
                    "summary": "The meshes the table shows, with every feature value and source",
                    "description": "Takes the comparison table's filters. Answers are cached until "
                    "the data changes and carry an ETag: send it as If-None-Match to get 304.",
                    "parameters": table_parameters(mesh_slugs, feature_slugs),
                    "responses": {
                        "200": {
                            "description": "One object per mesh, ordered by name.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Mesh"},
                                    }
                                }
                            },
                        },
                        "304": {"description": "Not modified since the ETag in If-None-Match."},
                        "400": {
                            "description": "A parameter could not be understood (JSON, per "
                            "parameter), or one holds a NUL byte (plain text: that check "
                            "comes before any view).",
                            "content": {
                                "application/json": {"schema": {"$ref": ERRORS_REF}},
                                "text/plain": {"schema": {"type": "string"}},
                            },
                        },
                    },
                }
            }
        },
        "components": {"schemas": SCHEMAS},
    }
