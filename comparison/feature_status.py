"""Istio's feature status file (istio/enhancements features.yaml): stages from the project itself.

The file lists each Istio feature with its maturity (Alpha, Beta, Stable). A map beside it
(fixtures/sources/istio/features-map.json, data an editor can change) names, per entry id, the
portal feature and the meshes it describes, and where Istio's release announcement says in which
version the entry reached its maturity. The importer sets the mapped cells' stage, since-version
and stage source; it never changes a level (a cell that says no or unknown is reported).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .choices import Stage
from .matrix import PROVABLE
from .models import Support
from .sources import load_yaml

# Istio calls its earliest stage Alpha or Experimental; the portal names both alpha.
MATURITIES = {
    "stable": Stage.STABLE.value,
    "beta": Stage.BETA.value,
    "alpha": Stage.ALPHA.value,
    "experimental": Stage.ALPHA.value,
}
REASON = "Stage from Istio's feature status file"


class FeatureStatusError(ValueError):
    """A file or map the importer cannot follow."""


@dataclass(frozen=True)
class Mapped:
    id: str
    name: str
    feature: str
    meshes: tuple[str, ...]
    reached_in: str
    reached_source: str


def parse_features(text: str) -> dict[tuple[str, str], str]:
    """(entry id, name) -> stage, from the features file (the file reuses a few ids and a name,
    never both)."""
    data = load_yaml(text, FeatureStatusError)
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise FeatureStatusError("no features list: not Istio's feature status file")
    stages: dict[tuple[str, str], str] = {}
    for index, entry in enumerate(features):
        if not isinstance(entry, dict) or not isinstance(entry.get("level"), dict):
            raise FeatureStatusError(f"features[{index}] has no level")
        ident = (str(entry.get("id", "")), str(entry.get("name", "")).strip())
        if not all(ident):
            continue  # entries without an id cannot be mapped
        maturity = str(entry["level"].get("maturity", "")).strip()
        # Older files say "Alpha. Dual-stack IPv4 and IPv6 is not supported."
        word = re.split(r"[^A-Za-z]", maturity, maxsplit=1)[0].lower()
        if word not in MATURITIES:
            raise FeatureStatusError(
                f"features[{index}] ({ident[0]}): unknown maturity “{maturity}”"
            )
        if ident in stages:
            raise FeatureStatusError(f"features[{index}]: {ident[1]} is listed twice")
        stages[ident] = MATURITIES[word]
    return stages


def read_map(path: Path) -> tuple[str, list[Mapped]]:
    """The file's published URL and the mapped entries."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url = f"{data['repository']}/blob/{data['commit']}/{data['path']}"
        rows = [
            Mapped(
                id=str(row["id"]),
                name=str(row["name"]).strip(),
                feature=str(row["feature"]),
                meshes=tuple(str(mesh) for mesh in row["meshes"]),
                reached_in=str(row.get("reached_in", "")),
                reached_source=str(row.get("reached_source", "")),
            )
            for row in data["features"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        raise FeatureStatusError(f"{path}: not a feature status map") from None
    for row in rows:
        if row.reached_in and not row.reached_source:
            raise FeatureStatusError(f"{row.id}: a since-version needs the page that says so")
    return url, rows


@dataclass
class StatusResult:
    lines: list[str] = field(default_factory=list)
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0


@transaction.atomic
def import_feature_status(
    features_file: Path, map_file: Path, *, dry_run: bool = False
) -> StatusResult:
    try:
        text = features_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise FeatureStatusError(f"{features_file}: cannot be read ({error})") from None
    stages = parse_features(text)
    url, rows = read_map(map_file)
    missing = [row.name for row in rows if (row.id, row.name) not in stages]
    if missing:
        raise FeatureStatusError(f"the file has no entry {', '.join(missing)}: update the map")
    result = StatusResult()
    today = timezone.localdate()
    for row in rows:
        for slug in row.meshes:
            cell = (
                Support.objects.select_related("mesh", "feature")
                .filter(mesh__slug=slug, feature__slug=row.feature)
                .first()
            )
            where = f"{slug}/{row.feature}"
            if cell is None:
                raise FeatureStatusError(f"{row.id}: no cell {where}")
            if cell.level not in PROVABLE:
                result.skipped += 1
                result.lines.append(
                    f"  {where}: kept ({cell.level}; {row.id} says {stages[(row.id, row.name)]})"
                )
                continue
            stage = stages[(row.id, row.name)]
            wanted: dict[str, Any] = {"stage": stage}
            if row.reached_in:
                wanted |= {"since_version": row.reached_in, "stage_source": row.reached_source}
            elif stage != cell.stage:
                # The since-version named the version that brought the old stage.
                wanted |= {"since_version": "", "stage_source": url}
            elif not cell.since_version:
                wanted["stage_source"] = url
            changed = {k: v for k, v in wanted.items() if getattr(cell, k) != v}
            if not changed:
                result.unchanged += 1
                continue
            result.changed += 1
            result.lines += [
                f"~ {where}: {k} {getattr(cell, k)!r} → {v!r}" for k, v in changed.items()
            ]
            for name, value in changed.items():
                setattr(cell, name, value)
            cell.last_verified = today
            cell._change_reason = REASON  # type: ignore[attr-defined]
            cell.full_clean(exclude=["mesh", "feature"], validate_unique=False)
            cell.save()
    if dry_run:
        transaction.set_rollback(True)
    return result
