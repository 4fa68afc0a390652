"""Release lifecycles: which release lines of a mesh are supported, and until when.

Three machine-readable formats are read (always with a YAML library):
- endoflife.date's product files (products/<id>.md, YAML front matter with `releases[]`);
- Istio's data/compatibility/supportStatus.yml (istio/istio.io);
- Kuma's versions.yml (kumahq/kuma).
Products without such a file get their cycles from an editor, read on the vendor's own
support-policy page (the admin's release cycles). An import adds and updates cycles; it never
removes one, and never touches a cycle an editor typed.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Mesh, ReleaseCycle
from .sources import load_yaml, mirror_host

ENDOFLIFE, ISTIO, KUMA = "endoflife.date", "istio", "kuma"
FORMATS = (ENDOFLIFE, ISTIO, KUMA)


class LifecycleError(ValueError):
    """A file this importer cannot read, or a manifest entry it cannot follow."""


@dataclass(frozen=True)
class Cycle:
    cycle: str
    release_date: datetime.date | None
    end_of_support: datetime.date | None
    end_of_support_note: str = ""
    latest: str = ""
    latest_date: datetime.date | None = None
    kubernetes_versions: str = ""
    lts: bool = False


def _load(text: str) -> Any:
    return load_yaml(text, LifecycleError)


def _iso(value: Any, what: str) -> datetime.date | None:
    if value in (None, "", "null", "~"):
        return None
    if not isinstance(value, str):
        raise LifecycleError(f"{what} must be a date")
    try:
        return datetime.date.fromisoformat(value.strip().strip('"'))
    except ValueError:
        raise LifecycleError(f"{what} “{value}” is not a date (YYYY-MM-DD)") from None


def _cycle_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,39}", value):
        raise LifecycleError(f"{what} “{value}” is not a release cycle")
    return value.strip()


def _text(value: Any, limit: int) -> str:
    if value in (None, "", "null"):
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    if not isinstance(value, str) or "\x00" in value:
        raise LifecycleError("a value is not text")
    return value.strip()[:limit]


def parse_endoflife(text: str) -> list[Cycle]:
    """endoflife.date's product file: the front matter between the first two '---' lines."""
    parts = text.split("\n---", 1)
    if not text.startswith("---") or len(parts) < 2:
        raise LifecycleError("no YAML front matter (the file must start with ---)")
    data = _load(parts[0].removeprefix("---"))
    if not isinstance(data, dict) or not isinstance(data.get("releases"), list):
        raise LifecycleError("the front matter has no releases list")
    cycles = []
    for index, release in enumerate(data["releases"]):
        what = f"releases[{index}]"
        if not isinstance(release, dict):
            raise LifecycleError(f"{what} must be a mapping")
        eol = release.get("eol")
        note = ""
        if eol in ("false", False, None, ""):
            end = None
        elif eol in ("true", True):
            raise LifecycleError(f"{what}: eol is true without a date; give the date")
        else:
            end = _iso(eol, f"{what}.eol")
        cycles.append(
            Cycle(
                cycle=_cycle_name(release.get("releaseCycle"), f"{what}.releaseCycle"),
                release_date=_iso(release.get("releaseDate"), f"{what}.releaseDate"),
                end_of_support=end,
                end_of_support_note=note,
                latest=_text(release.get("latest"), 80),
                latest_date=_iso(release.get("latestReleaseDate"), f"{what}.latestReleaseDate"),
                kubernetes_versions=_text(release.get("supportedKubernetesVersions"), 200),
                lts=str(release.get("lts", "false")).lower() not in ("false", ""),
            )
        )
    return cycles


MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}


def istio_date(text: str) -> tuple[datetime.date | None, str]:
    """Istio's free-text dates: "Feb 28, 2024", "12 Oct 2026 (Expected)", "~Dec 2024 (Expected)".

    A day is read as a date; a month alone is kept only as the project's words.
    """
    text = (text or "").strip()
    if not text:
        return None, ""
    expected = "expected" in text.lower() or text.startswith("~")
    words = re.findall(r"[A-Za-z]+|\d+", text)
    month = next((MONTHS[w.lower()] for w in words if w.lower() in MONTHS), None)
    numbers = [int(w) for w in words if w.isdigit()]
    years = [n for n in numbers if n > 1900]
    days = [n for n in numbers if 1 <= n <= 31]
    if month is None or not years:
        raise LifecycleError(f"“{text}” is not a date")
    if not days or text.startswith("~"):
        return None, text
    try:
        day = datetime.date(years[0], month, days[0])
    except ValueError:
        raise LifecycleError(f"“{text}” is not a date") from None
    return day, text if expected else ""


def parse_istio(text: str) -> list[Cycle]:
    data = _load(text)
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise LifecycleError("not Istio's supportStatus list")
    cycles = []
    for index, row in enumerate(data):
        if "version" not in row or "eolDate" not in row:
            raise LifecycleError(f"[{index}] lacks version or eolDate: not supportStatus.yml")
        if row["version"] == "master":
            continue  # the development branch, never a release
        released, _words = istio_date(_text(row.get("releaseDate"), 60))
        end, note = istio_date(_text(row.get("eolDate"), 60))
        cycles.append(
            Cycle(
                cycle=_cycle_name(row["version"], f"[{index}].version"),
                release_date=released,
                end_of_support=end,
                end_of_support_note=note,
                kubernetes_versions=_text(row.get("k8sVersions"), 200),
            )
        )
    return cycles


def parse_kuma(text: str) -> list[Cycle]:
    data = _load(text)
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise LifecycleError("not Kuma's versions list")
    cycles = []
    for index, row in enumerate(data):
        if "release" not in row or "edition" not in row:
            raise LifecycleError(f"[{index}] lacks release or edition: not Kuma's versions.yml")
        if row.get("label") == "dev" or not row.get("releaseDate"):
            continue  # the unreleased development line
        cycles.append(
            Cycle(
                cycle=_cycle_name(str(row["release"]).removesuffix(".x"), f"[{index}].release"),
                release_date=_iso(row.get("releaseDate"), f"[{index}].releaseDate"),
                end_of_support=_iso(row.get("endOfLifeDate"), f"[{index}].endOfLifeDate"),
                latest=_text(row.get("version"), 80),
                lts=str(row.get("lts", "false")).lower() == "true",
            )
        )
    return cycles


PARSERS = {ENDOFLIFE: parse_endoflife, ISTIO: parse_istio, KUMA: parse_kuma}


def detect_format(text: str) -> str:
    if text.startswith("---"):
        return ENDOFLIFE
    data = _load(text)
    if isinstance(data, list) and data and isinstance(data[0], dict):
        if "edition" in data[0]:
            return KUMA
        if "eolDate" in data[0]:
            return ISTIO
    raise LifecycleError("not a lifecycle file this importer knows (endoflife.date, Istio, Kuma)")


def parse(text: str, fmt: str = "") -> list[Cycle]:
    fmt = fmt or detect_format(text)
    if fmt not in PARSERS:
        raise LifecycleError(f"unknown format “{fmt}”; one of {', '.join(FORMATS)}")
    cycles = PARSERS[fmt](text)
    if not cycles:
        raise LifecycleError("the file lists no release")
    if len({c.cycle for c in cycles}) != len(cycles):
        raise LifecycleError("a release cycle is listed twice")
    return cycles


@dataclass(frozen=True)
class Entry:
    """One file to import for one mesh, from the manifest (fixtures/sources/lifecycles.json)."""

    mesh: str
    path: Path
    format: str
    source: str  # the first-hand page the file's dates come from
    reference: str  # repository path@commit, recorded on every cycle


def read_manifest(manifest: Path) -> list[Entry]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        rows = data["files"]
        if not isinstance(rows, list):
            raise TypeError
        entries = [
            Entry(
                mesh=str(row["mesh"]),
                path=manifest.parent / str(row["path"]),
                format=str(row.get("format", "")),
                source=str(row["source"]),
                reference=f"{row['repository']} {row['repository_path']}@{row['commit']}",
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError):
        raise LifecycleError(f"{manifest}: not a lifecycle manifest") from None
    for entry in entries:
        if mirror_host(entry.source):
            raise LifecycleError(f"{entry.mesh}: cite the project's own page, not {entry.source}")
    return entries


@dataclass
class LifecycleResult:
    lines: list[str] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    unchanged: int = 0


def _values(cycle: Cycle, entry: Entry) -> dict[str, Any]:
    return {
        "release_date": cycle.release_date,
        "end_of_support": cycle.end_of_support,
        "end_of_support_note": cycle.end_of_support_note,
        "latest": cycle.latest,
        "latest_date": cycle.latest_date,
        "kubernetes_versions": cycle.kubernetes_versions,
        "lts": cycle.lts,
        "source": entry.source,
        "source_file": entry.reference[:300],
    }


@transaction.atomic
def import_entries(entries: list[Entry], *, dry_run: bool = False) -> LifecycleResult:
    """Read every file first (any bad one stops the import before a write), then update."""
    parsed = []
    for entry in entries:
        mesh = Mesh.objects.filter(slug=entry.mesh).first()
        if mesh is None:
            raise LifecycleError(f"{entry.path.name}: no mesh “{entry.mesh}”")
        try:
            text = entry.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise LifecycleError(f"{entry.path}: cannot be read ({error})") from None
        try:
            parsed.append((entry, mesh, parse(text, entry.format)))
        except LifecycleError as error:
            raise LifecycleError(f"{entry.path.name}: {error}") from None
    result = LifecycleResult()
    today = timezone.localdate()
    for entry, mesh, cycles in parsed:
        for cycle in cycles:
            values = _values(cycle, entry)
            existing = ReleaseCycle.objects.filter(mesh=mesh, cycle=cycle.cycle).first()
            if existing is not None and not existing.source_file:
                result.lines.append(f"  {mesh.slug} {cycle.cycle}: kept (entered by an editor)")
                continue
            if existing is None:
                result.added += 1
                result.lines.append(f"+ {mesh.slug} {cycle.cycle}")
                if not dry_run:
                    obj = ReleaseCycle(mesh=mesh, cycle=cycle.cycle, last_verified=today, **values)
                    obj.full_clean()
                    obj.save()
                continue
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if not changed:
                result.unchanged += 1
                continue
            result.changed += 1
            result.lines += [
                f"~ {mesh.slug} {cycle.cycle}: {k} {getattr(existing, k)!r} → {v!r}"
                for k, v in changed.items()
            ]
            if not dry_run:
                for k, v in values.items():
                    setattr(existing, k, v)
                existing.last_verified = today
                existing.full_clean()
                existing.save()
    if dry_run:
        transaction.set_rollback(True)
    return result
