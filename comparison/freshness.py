"""How well each mesh's data proves itself: the share of its cells a conformance report tests, that
carry the project's own stage, that follow an upstream, that nobody could source; and how old its
newest evidence is. Shown on /overview/ and in /api/meshes.json.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from .choices import Level
from .conformance import Tested, evidence
from .models import ConformanceReport, Mesh, Support

PROVABLE_LEVELS = (Level.YES, Level.PARTIAL)


@dataclass(frozen=True)
class Freshness:
    cells: int
    tested: int
    with_stage: int
    inherited: int
    unknown: int
    newest_report: datetime.date | None
    lifecycle_checked: datetime.date | None
    newest_verification: datetime.date | None

    def share(self, count: int) -> float:
        return round(count / self.cells, 3) if self.cells else 0.0

    @property
    def newest_source(self) -> datetime.date | None:
        dates = [
            d for d in (self.newest_report, self.lifecycle_checked, self.newest_verification) if d
        ]
        return max(dates) if dates else None

    @property
    def age_days(self) -> int | None:
        newest = self.newest_source
        return (timezone.localdate() - newest).days if newest else None

    def as_json(self) -> dict[str, object]:
        def iso(day: datetime.date | None) -> str | None:
            return day.isoformat() if day else None

        return {
            "cells": self.cells,
            "tested_share": self.share(self.tested),
            "stage_share": self.share(self.with_stage),
            "inherited_share": self.share(self.inherited),
            "unknown_share": self.share(self.unknown),
            "newest_report": iso(self.newest_report),
            "lifecycle_checked": iso(self.lifecycle_checked),
            "newest_verification": iso(self.newest_verification),
            "newest_source_age_days": self.age_days,
        }


def freshness(
    meshes: Sequence[Mesh], tested: dict[tuple[int, int], Tested] | None = None
) -> dict[int, Freshness]:
    """Per mesh id: three queries whatever the number of meshes (two more without `tested`, the
    conformance evidence a table already read); release lines come prefetched with the meshes."""
    ids = [mesh.pk for mesh in meshes]
    counts: dict[int, dict[str, Any]] = {
        row["mesh_id"]: dict(row)
        for row in Support.objects.filter(mesh_id__in=ids)
        .values("mesh_id")
        .annotate(
            cells=Count("pk"),
            with_stage=Count("pk", filter=~Q(stage="")),
            inherited=Count("pk", filter=Q(inherited=True)),
            unknown=Count("pk", filter=Q(level=Level.UNKNOWN)),
            verified=Max("last_verified"),
        )
    }
    proofs = evidence(meshes).tested if tested is None else tested
    provable = set(
        Support.objects.filter(mesh_id__in=ids, level__in=PROVABLE_LEVELS).values_list(
            "mesh_id", "feature_id"
        )
    )
    tested_counts: dict[int, int] = {}
    for key in proofs:
        if key in provable:
            tested_counts[key[0]] = tested_counts.get(key[0], 0) + 1
    reports = dict(
        ConformanceReport.objects.filter(mesh_id__in=ids)
        .values("mesh_id")
        .annotate(newest=Max("date"))
        .values_list("mesh_id", "newest")
    )
    cycles = {
        mesh.pk: max((cycle.last_verified for cycle in mesh.cycles), default=None)
        for mesh in meshes
    }
    result = {}
    for mesh_id in ids:
        row = counts.get(mesh_id, {})
        report = reports.get(mesh_id)
        result[mesh_id] = Freshness(
            cells=row.get("cells", 0),
            tested=tested_counts.get(mesh_id, 0),
            with_stage=row.get("with_stage", 0),
            inherited=row.get("inherited", 0),
            unknown=row.get("unknown", 0),
            newest_report=timezone.localdate(report) if report else None,
            lifecycle_checked=cycles.get(mesh_id),
            newest_verification=row.get("verified"),
        )
    return result
