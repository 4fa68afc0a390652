"""Generated data of any size, for query-count tests and the render benchmark."""

from __future__ import annotations

from django.http import QueryDict

from comparison.choices import Level
from comparison.filters import TableQuery
from comparison.models import Category, Feature, Mesh, Support

LEVELS = list(Level)


def generate(meshes: int, features: int, categories: int = 8) -> None:
    """Add `meshes` x `features` of synthetic data (slugs prefixed 'gen-') in a few bulk queries."""
    cats = Category.objects.bulk_create(
        [
            Category(slug=f"gen-cat-{i}", name=f"Generated {i}", position=100 + i)
            for i in range(categories)
        ]
    )
    feats = Feature.objects.bulk_create(
        [
            Feature(
                slug=f"gen-feature-{i}",
                name=f"Generated feature {i}",
                category=cats[i % categories],
                description="Generated.",
                position=i,
            )
            for i in range(features)
        ]
    )
    mesh_rows = Mesh.objects.bulk_create(
        [
            Mesh(
                slug=f"gen-mesh-{i}",
                name=f"Generated mesh {i:03}",
                summary="Generated.",
                licence="Apache-2.0",
                developer="Generator",
                proxy="Envoy",
                data_plane=Mesh.DataPlane.SIDECAR,
                platforms=Mesh.Platforms.KUBERNETES_ONLY,
                maturity=Mesh.Maturity.FOLLOWERS,
                cncf_status=Mesh.CncfStatus.NONE,
            )
            for i in range(meshes)
        ]
    )
    cells = []
    for m, mesh in enumerate(mesh_rows):
        for f, feature in enumerate(feats):
            level = LEVELS[(m + f) % len(LEVELS)]
            source = "" if level == Level.UNKNOWN else "https://example.org/generated"
            cells.append(Support(mesh=mesh, feature=feature, level=level, source=source, note="n"))
    Support.objects.bulk_create(cells, batch_size=2000)
    # Cells between generated and existing rows (bulk_create skips save(), which would add them).
    Support.objects.fill_missing()


def fill_table(meshes: int, features: int) -> None:
    """Add generated rows until the default table shows `meshes` x `features`."""
    shown = len(TableQuery(QueryDict()).filter.qs)
    generate(meshes=meshes - shown, features=features - Feature.objects.count())


def remove_generated() -> None:
    """Take out everything generate() added (the cells go with their meshes and features)."""
    Mesh.objects.filter(slug__startswith="gen-mesh-").delete()
    Feature.objects.filter(slug__startswith="gen-feature-").delete()
    Category.objects.filter(slug__startswith="gen-cat-").delete()
