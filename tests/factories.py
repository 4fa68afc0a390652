"""Plain builders for the catalogue's rows: a unit test makes the few rows it asserts on.

Every builder takes the model's fields as keyword arguments over sensible defaults, so a test
names only what it is about: `mesh(upstream=istio)`, `cell(m, f, level="yes", stage="beta")`.
"""

from __future__ import annotations

import itertools
from typing import Any

_numbers = itertools.count(1)


def category(**fields: Any):
    from comparison.models import Category

    number = next(_numbers)
    defaults = {"slug": f"category-{number}", "name": f"Category {number}", "position": number}
    return Category.objects.create(**{**defaults, **fields})


def feature(**fields: Any):
    from comparison.models import Feature

    number = next(_numbers)
    defaults: dict[str, Any] = {
        "slug": f"feature-{number}",
        "name": f"Feature {number}",
        "description": "yes: it works. partial: a part of it is missing (the note says which).",
        "position": number,
    }
    if "category" not in fields:
        defaults["category"] = category()
    return Feature.objects.create(**{**defaults, **fields})


def mesh(**fields: Any):
    from comparison.models import Mesh

    number = next(_numbers)
    defaults = {
        "slug": f"mesh-{number}",
        "name": f"Mesh {number}",
        "summary": "A mesh for tests.",
        "licence": "Apache-2.0",
        "developer": "Tests",
        "current_version": "1.0.0",
        "proxy": "Envoy",
        "data_plane": "sidecar",
        "platforms": "kubernetes_only",
        "maturity": "leading",
        "cncf_status": "none",
        # Every fact that says something cites its page (comparison/facts.py).
        "licence_source": "https://docs.example.org/licence",
        "cncf_source": "https://docs.example.org/cncf",
        "current_version_source": "https://docs.example.org/releases",
    }
    return Mesh.objects.create(**{**defaults, **fields})


def cell(mesh, feature, **fields: Any):
    """Set the mesh x feature cell (it exists once both do) and return it, saved."""
    from comparison.models import Support

    support = Support.objects.get(mesh=mesh, feature=feature)
    if fields.get("level", "unknown") != "unknown":
        fields.setdefault("source", f"https://docs.example.org/{mesh.slug}/{feature.slug}")
    for name, value in fields.items():
        setattr(support, name, value)
    support.save()
    return support


def clear_catalogue() -> None:
    """Remove the loaded data, for a test that builds every row it asserts on."""
    from comparison.models import Category, Feature, Mesh, Suggestion, Support

    Suggestion.objects.all().delete()
    Support.objects.all().delete()
    Mesh.objects.filter(upstream__isnull=False).delete()
    Mesh.objects.all().delete()
    Feature.objects.all().delete()
    Category.objects.all().delete()
