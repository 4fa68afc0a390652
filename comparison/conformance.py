"""Gateway API conformance reports: read them, keep them, and say what they prove about cells.

A report (kubernetes-sigs/gateway-api, conformance/reports/<version>/<implementation>/*.yaml)
is a test run, not a claim: a cell whose "yes" a passing report confirms is shown as *tested*,
with the suite version and the mesh version it ran on; a "yes" that the newest report contradicts
(the feature listed as unsupported, or the tests failed) is flagged for editors, never changed.
The GAMMA facts of a mesh with reports are derived from its newest one here, not typed.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .choices import GammaLevel, Level
from .models import ConformanceMapping, ConformanceReport, Feature, Mesh, Support
from .sources import load_yaml

KIND = "ConformanceReport"
# Reports before Gateway API v1.1 named profiles without their kind; the suite renamed them.
LEGACY_PROFILES = {"HTTP": "GATEWAY-HTTP", "TLS": "GATEWAY-TLS", "GRPC": "GATEWAY-GRPC",
                   "MESH": "MESH-HTTP"}  # fmt: skip
RESULTS = {"success", "partial", "failure", "skipped"}
PROFILE_WORDS = {"MESH-HTTP": "Mesh HTTP", "MESH-GRPC": "Mesh gRPC"}
RESULT_WORDS = {"success": "passed", "partial": "partly passed", "failure": "failed",
                "skipped": "skipped"}  # fmt: skip
# The manifest beside the report files: their repository and the commit each was read at.
MANIFEST = "SOURCES.json"
DEFAULT_REPOSITORY = "https://github.com/kubernetes-sigs/gateway-api"


class ReportError(ValueError):
    """A file that is not a conformance report this importer understands."""


@dataclass(frozen=True)
class ParsedReport:
    path: str
    implementation: str  # organization/project
    version: str
    gateway_api_version: str
    channel: str
    mode: str
    date: datetime.datetime
    profiles: list[dict[str, Any]]


def _text(value: Any, what: str, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise ReportError(f"missing {what}")
        return ""
    if not isinstance(value, str):
        raise ReportError(f"{what} must be text")
    if "\x00" in value:
        raise ReportError(f"{what} contains a NUL byte")
    return value.strip()


def _count(value: Any, what: str) -> int:
    text = _text(value if value is not None else "0", what)
    if not text.isdigit() or len(text) > 6:
        raise ReportError(f"{what} must be a whole number")
    return int(text)


def _names(value: Any, what: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ReportError(f"{what} must be a list")
    names = [_text(item, what) for item in value]
    if any(not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", name) for name in names):
        raise ReportError(f"{what} holds a name that is not a feature name")
    return sorted(set(names))


def _tests(value: Any, what: str) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        raise ReportError(f"{what} must be a mapping")
    result = _text(value.get("result"), f"{what}.result")
    if result not in RESULTS:
        raise ReportError(f"{what}.result “{result}” is not one of {', '.join(sorted(RESULTS))}")
    statistics = value.get("statistics") or {}
    if not isinstance(statistics, dict):
        raise ReportError(f"{what}.statistics must be a mapping")
    return {
        "result": result,
        "passed": _count(statistics.get("Passed"), f"{what}.statistics.Passed"),
        "failed": _count(statistics.get("Failed"), f"{what}.statistics.Failed"),
        "skipped": _count(statistics.get("Skipped"), f"{what}.statistics.Skipped"),
    }


def _profile(value: Any, index: int) -> dict[str, Any]:
    what = f"profiles[{index}]"
    if not isinstance(value, dict):
        raise ReportError(f"{what} must be a mapping")
    name = _text(value.get("name"), f"{what}.name").upper()
    name = LEGACY_PROFILES.get(name, name)
    if not re.fullmatch(r"[A-Z][A-Z0-9-]{1,39}", name):
        raise ReportError(f"{what}.name “{name}” is not a profile name")
    core = _tests(value.get("core"), f"{what}.core")
    if core is None:
        raise ReportError(f"{what}.core is missing")
    extended = _tests(value.get("extended"), f"{what}.extended")
    features = value.get("extended") or {}
    # Before v1.1 the supported features sat beside the results, after it inside "extended".
    supported = _names(features.get("supportedFeatures"), f"{what}.extended.supportedFeatures")
    unsupported = _names(
        features.get("unsupportedFeatures"), f"{what}.extended.unsupportedFeatures"
    )
    return {
        "name": name,
        "core": core,
        "extended": extended,
        "supported_features": supported,
        "unsupported_features": unsupported,
    }


def parse_report(text: str, path: str) -> ParsedReport:
    """Read one report; raise ReportError saying what is wrong with it.

    BaseLoader keeps every scalar as written: a version "1.20" stays "1.20", not the float 1.2.
    """
    data = load_yaml(text, ReportError)
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise ReportError(f"not a {KIND} (kind: {KIND} is missing)")
    implementation = data.get("implementation")
    if not isinstance(implementation, dict):
        raise ReportError("implementation is missing")
    organization = _text(implementation.get("organization"), "implementation.organization")
    project = _text(implementation.get("project"), "implementation.project")
    version = _text(implementation.get("version"), "implementation.version")
    when = parse_datetime(_text(data.get("date"), "date"))
    if when is None:
        raise ReportError("date is not a date and time")
    if timezone.is_naive(when):
        when = timezone.make_aware(when, datetime.UTC)
    gateway_api_version = _text(data.get("gatewayAPIVersion"), "gatewayAPIVersion")
    if not re.fullmatch(r"v?\d+\.\d+(\.\d+)?(-[A-Za-z0-9.]+)?", gateway_api_version):
        raise ReportError(f"gatewayAPIVersion “{gateway_api_version}” is not a version")
    profiles = data.get("profiles")
    if not isinstance(profiles, list) or not profiles:
        raise ReportError("profiles are missing")
    parsed = [_profile(profile, index) for index, profile in enumerate(profiles)]
    if len({p["name"] for p in parsed}) != len(parsed):
        raise ReportError("a profile is listed twice")
    return ParsedReport(
        path=path,
        implementation=f"{organization}/{project}".lower(),
        version=version[:80],
        gateway_api_version=gateway_api_version,
        channel=_text(data.get("gatewayAPIChannel"), "gatewayAPIChannel", required=False),
        mode=_text(data.get("mode"), "mode", required=False),
        date=when,
        profiles=parsed,
    )


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Reports of implementations no mesh names (conformance_implementation), with the name.
    unmatched: list[str] = field(default_factory=list)
    gamma: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return (
            [f"+ {path}" for path in self.added]
            + [f"~ {path}" for path in self.changed]
            + [f"  skipped (no mesh reports as {line})" for line in self.unmatched]
            + self.gamma
        )


def _report_files(location: Path) -> list[Path]:
    if location.is_dir():
        return sorted(p for p in location.rglob("*.yaml") if p.is_file())
    if location.is_file():
        return [location]
    raise ReportError(f"{location}: no such file or folder")


def _manifest(location: Path) -> tuple[Path, str, dict[str, str]]:
    """The folder the manifest sits in, the repository, and each path's commit."""
    for folder in [location if location.is_dir() else location.parent, *location.parents]:
        manifest = folder / MANIFEST
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                files = data["files"]
                repository = data.get("repository", DEFAULT_REPOSITORY)
                if not isinstance(files, dict) or not isinstance(repository, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise ReportError(f"{manifest}: not a manifest of report files") from None
            return folder, repository, {str(k): str(v) for k, v in files.items()}
    return location if location.is_dir() else location.parent, DEFAULT_REPOSITORY, {}


def read_reports(location: Path) -> list[tuple[ParsedReport, str, str]]:
    """Every report under `location` with its URL and commit; ReportError for the first bad
    file, so that nothing is imported from a folder holding one."""
    root, repository, commits = _manifest(location)
    reports = []
    for path in _report_files(location):
        relative = path.resolve().relative_to(root.resolve()).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ReportError(f"{relative}: not UTF-8 text") from None
        if len(text) > 1_000_000:
            raise ReportError(f"{relative}: larger than a report can be")
        try:
            report = parse_report(text, relative)
        except ReportError as error:
            raise ReportError(f"{relative}: {error}") from None
        commit = commits.get(relative, "")
        if commit and not re.fullmatch(r"[0-9a-f]{40}", commit):
            raise ReportError(f"{relative}: the manifest's commit “{commit}” is not a commit")
        url = f"{repository.rstrip('/')}/blob/{commit or 'main'}/{relative}"
        reports.append((report, url, commit))
    if not reports:
        raise ReportError(f"{location}: holds no report files (*.yaml)")
    return reports


def _fields(report: ParsedReport, url: str, commit: str) -> dict[str, Any]:
    return {
        "implementation": report.implementation,
        "mesh_version": report.version,
        "gateway_api_version": report.gateway_api_version,
        "gateway_api_channel": report.channel,
        "mode": report.mode,
        "date": report.date,
        "profiles": report.profiles,
        "source_url": url,
        "source_commit": commit,
    }


@transaction.atomic
def import_reports(location: Path, *, dry_run: bool = False) -> ImportResult:
    """Keep every report under `location` whose implementation a mesh names; derive the GAMMA
    facts of those meshes. Idempotent; with a bad file nothing is written. A dry run does all
    of it and rolls it back, so that it reports exactly what a real run would change."""
    reports = read_reports(location)
    meshes = {
        mesh.conformance_implementation.lower(): mesh
        for mesh in Mesh.objects.exclude(conformance_implementation="")
    }
    result = ImportResult()
    touched: dict[int, Mesh] = {}
    for report, url, commit in reports:
        mesh = meshes.get(report.implementation)
        if mesh is None:
            result.unmatched.append(f"{report.implementation}: {report.path}")
            continue
        touched[mesh.pk] = mesh
        fields = _fields(report, url, commit)
        existing = ConformanceReport.objects.filter(source_path=report.path).first()
        if existing is None:
            result.added.append(report.path)
            ConformanceReport.objects.create(mesh=mesh, source_path=report.path, **fields)
            continue
        same = existing.mesh_id == mesh.pk and all(
            getattr(existing, name) == value for name, value in fields.items()
        )
        if same:
            result.unchanged.append(report.path)
        else:
            result.changed.append(report.path)
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.mesh = mesh
            existing.imported_on = timezone.localdate()
            existing.save()
    for mesh in touched.values():
        changes = derive_gamma(mesh)
        result.gamma += [f"  {mesh.slug}: {line}" for line in changes]
    if dry_run:
        transaction.set_rollback(True)
    return result


# --- what the reports say about meshes and cells --------------------------------------------


def _passed(tests: dict[str, Any] | None) -> bool:
    return tests is not None and tests["result"] == "success"


def _tests_line(kind: str, tests: dict[str, Any]) -> str:
    if tests["result"] == "success" and not tests["skipped"]:
        return f"{kind} passed ({tests['passed']} tests)"
    counts = [f"{tests['passed']} passed"]
    counts += [f"{tests[k]} {k}" for k in ("skipped", "failed") if tests[k]]
    return f"{kind} {RESULT_WORDS[tests['result']]} ({', '.join(counts)})"


def _profile_line(profile: dict[str, Any]) -> str:
    words = PROFILE_WORDS.get(profile["name"], profile["name"])
    parts = [_tests_line("core", profile["core"])]
    if profile["extended"]:
        parts.append(_tests_line("extended", profile["extended"]))
    return f"{words}: {', '.join(parts)}"


def newest_mesh_report(mesh: Mesh) -> ConformanceReport | None:
    """The newest report of the mesh that runs a mesh (GAMMA) profile."""
    for report in mesh.conformance_reports.newest_first():
        if any(p["name"].startswith("MESH-") for p in report.profiles):
            return report
    return None


def gamma_facts(report: ConformanceReport) -> dict[str, Any]:
    # HTTP first: it is the profile every mesh implementation runs.
    mesh_profiles = sorted(
        (p for p in report.profiles if p["name"].startswith("MESH-")),
        key=lambda p: (p["name"] != "MESH-HTTP", p["name"]),
    )
    http = next((p for p in mesh_profiles if p["name"] == "MESH-HTTP"), None)
    extended = ", ".join(sorted({n for p in mesh_profiles for n in p["supported_features"]}))
    unsupported = sorted({n for p in mesh_profiles for n in p["unsupported_features"]})
    if unsupported:
        extended += f" (unsupported: {', '.join(unsupported)})"
    level = GammaLevel.CONFORMANT if http and _passed(http["core"]) else GammaLevel.IMPLEMENTS
    return {
        "gamma_level": level,
        "gamma_profiles": "; ".join(_profile_line(p) for p in mesh_profiles)[:120],
        "gamma_gateway_api_version": report.gateway_api_version[:20],
        "gamma_extended": extended[:600],
        "gamma_mesh_version": (
            f"{report.mesh_version} (report dated {report.date.date().isoformat()})"
        )[:80],
        "gamma_source": report.source_url,
    }


def derive_gamma(mesh: Mesh, *, dry_run: bool = False) -> list[str]:
    """Set the mesh's GAMMA facts from its newest report; the lines say what changed."""
    report = newest_mesh_report(mesh)
    if report is None:
        return []
    mesh.refresh_from_db()
    facts = gamma_facts(report)
    changes = [
        f"{name}: {getattr(mesh, name)!r} → {value!r}"
        for name, value in facts.items()
        if getattr(mesh, name) != value
    ]
    if changes and not dry_run:
        for name, value in facts.items():
            setattr(mesh, name, value)
        checks = dict(mesh.fact_checks or {})
        checks["gamma_level"] = timezone.localdate().isoformat()
        mesh.fact_checks = checks
        mesh.version += 1
        # The history keeps at most 100 characters of a reason; the report's URL is the source.
        reason = f"GAMMA facts from the conformance report for {report.mesh_version}"
        mesh._change_reason = reason[:100]  # type: ignore[attr-defined]
        mesh.save()
    return changes


@dataclass(frozen=True)
class Tested:
    """A passing conformance result that bears on one cell."""

    gateway_api_version: str
    mesh_version: str
    url: str
    date: datetime.date
    what: str  # e.g. "MESH-HTTP core" or "MESH-HTTP MeshHTTPRouteRewritePath"


@dataclass(frozen=True)
class Contradiction:
    """The newest report says otherwise than a cell's yes."""

    mesh: Mesh
    feature: Feature
    report: ConformanceReport
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.mesh.slug}/{self.feature.slug}: the cell says yes, but the conformance report "
            f"for {self.report.mesh_version} (Gateway API {self.report.gateway_api_version}) "
            f"{self.reason}: {self.report.source_url}"
        )


@dataclass
class Evidence:
    """Per (mesh id, feature id): what the newest reports confirm or contradict."""

    tested: dict[tuple[int, int], Tested] = field(default_factory=dict)
    contradicted: dict[tuple[int, int], list[tuple[str, ConformanceReport]]] = field(
        default_factory=dict
    )


def _verdict(profile: dict[str, Any], test: str) -> tuple[bool, str]:
    """(confirmed, contradiction reason or "") of one mapping against one profile."""
    name = profile["name"]
    if not test:
        core = profile["core"]
        if core["result"] == "failure":
            return False, f"failed {name} core tests ({core['failed']} failed)"
        return core["result"] == "success", ""
    if test in profile["unsupported_features"]:
        return False, f"lists {test} as unsupported ({name})"
    if test in profile["supported_features"]:
        extended = profile["extended"]
        if extended and extended["result"] == "failure":
            return False, f"failed {name} extended tests ({test} among them)"
        return _passed(extended), ""
    return False, ""


def evidence(meshes: Sequence[Mesh] | None = None) -> Evidence:
    """What the newest report of each mesh (per profile) confirms or contradicts. Two queries."""
    mappings = list(ConformanceMapping.objects.all())
    found = Evidence()
    if not mappings:
        return found
    reports = ConformanceReport.objects.newest_first()
    if meshes is not None:
        reports = reports.filter(mesh__in=list(meshes))
    newest: dict[tuple[int, str], tuple[ConformanceReport, dict[str, Any]]] = {}
    for report in reports:
        for profile in report.profiles:
            newest.setdefault((report.mesh_id, profile["name"]), (report, profile))
    for (mesh_id, name), (report, profile) in newest.items():
        for mapping in mappings:
            if mapping.profile != name:
                continue
            key = (mesh_id, mapping.feature_id)
            confirmed, reason = _verdict(profile, mapping.conformance_feature)
            if confirmed and key not in found.tested:
                found.tested[key] = Tested(
                    report.gateway_api_version,
                    report.mesh_version,
                    report.source_url,
                    report.date.date(),
                    f"{name} {mapping.conformance_feature or 'core'}",
                )
            if reason:
                found.contradicted.setdefault(key, []).append((reason, report))
    return found


def contradictions(cells: Iterable[Support] | None = None) -> list[Contradiction]:
    """Cells that claim yes while the newest report contradicts them (for editors)."""
    found = evidence()
    if not found.contradicted:
        return []
    if cells is None:
        keys = list(found.contradicted)
        cells = Support.objects.filter(
            mesh_id__in={k[0] for k in keys}, feature_id__in={k[1] for k in keys}
        ).select_related("mesh", "feature")
    problems = []
    for cell in cells:
        key = (cell.mesh_id, cell.feature_id)
        if cell.level == Level.YES and key in found.contradicted:
            for reason, report in found.contradicted[key]:
                problems.append(Contradiction(cell.mesh, cell.feature, report, reason))
    return problems
