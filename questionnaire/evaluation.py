"""The glue between the catalogue's rows and the plain-Python decision module."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from comparison.choices import GATEWAY_API_MESH_FEATURE, DataPlane, GammaLevel, Level, ResourceScope
from comparison.facts import MESH_FACTS
from comparison.gateway_api import TRAFFIC_SPLIT_HTTPROUTE_LINES
from comparison.models import Feature, Mesh, OverheadFigure, Support

from . import decision
from .answers import Stored, to_decision
from .models import Questionnaire


@dataclass(frozen=True)
class Evaluation:
    result: decision.Result
    feature_names: dict[str, str]


# Mesh field with the source of each fact the decision reads (fact name -> field), from the one
# declaration of every fact; a distribution without a traffic split of its own is charged its
# upstream's (Mesh.split_source).
FACT_SOURCE_FIELDS = {
    **{fact.name: fact.source for fact in MESH_FACTS},
    "traffic_split": "split_source",
}
GAMMA_SUPPORTED = (GammaLevel.CONFORMANT, GammaLevel.IMPLEMENTS)


def _overhead(
    figures: list[OverheadFigure], current_version: str
) -> decision.OverheadEstimate | None:
    """The newest comparable per-proxy memory figure of a sidecar."""
    usable = [
        f
        for f in figures
        if f.resource_scope == ResourceScope.PER_PROXY
        and f.data_plane_mode == DataPlane.SIDECAR
        and f.memory_mib is not None
        and not f.missing_context
    ]
    if not usable:
        return None
    newest = max(usable, key=lambda f: (f.published, f.mesh_version))
    return decision.OverheadEstimate(
        memory_mib=float(newest.memory_mib or 0),
        source=newest.source,
        published=newest.published or "",
        version=newest.mesh_version,
        outdated=newest.is_old(current_version),
    )


def _support_window(mesh: Mesh, today: datetime.date) -> dict[str, Any]:
    """How long the current version's release line stays supported (first-hand lifecycle)."""
    cycle = mesh.current_cycle
    if cycle is None or cycle.end_of_support is None:
        return {}
    return {
        "support_cycle": cycle.cycle,
        "support_ends": cycle.end_of_support.isoformat(),
        "support_days": (cycle.end_of_support - today).days,
        "support_source": cycle.source,
    }


def mesh_facts() -> list[decision.MeshFacts]:
    """Every catalogue option with its cells and sources, for the decision module (three
    queries: options with their upstreams, cells, overhead figures)."""
    levels: dict[int, dict[str, str]] = {}
    stages: dict[int, dict[str, str]] = {}
    sources: dict[int, dict[str, str]] = {}
    rows = Support.objects.values_list("mesh_id", "feature__slug", "level", "stage", "source")
    for mesh_id, slug, level, stage, source in rows:
        levels.setdefault(mesh_id, {})[slug] = level
        stages.setdefault(mesh_id, {})[slug] = stage
        sources.setdefault(mesh_id, {})[slug] = source
    figures: dict[int, list[OverheadFigure]] = {}
    for figure in OverheadFigure.objects.all():
        figures.setdefault(figure.mesh_id, []).append(figure)
    facts = []
    today = timezone.localdate()
    for mesh in Mesh.objects.select_related("upstream").order_by("name"):
        # A family is charged its upstream's own API, and a distribution without figures of its
        # own runs its upstream's proxy.
        root = mesh.upstream or mesh
        own = figures.get(mesh.pk) or figures.get(root.pk, [])
        gateway_api = (
            mesh.gamma_level in GAMMA_SUPPORTED
            or levels.get(mesh.pk, {}).get(GATEWAY_API_MESH_FEATURE) == Level.YES
        )
        facts.append(
            decision.MeshFacts(
                slug=mesh.slug,
                name=mesh.name,
                maturity=mesh.maturity,
                discontinued=mesh.is_discontinued,
                status_label=(
                    f"{mesh.get_status_display()} {mesh.status_date:%Y-%m-%d}"
                    if mesh.is_discontinued and mesh.status_date
                    else ""
                ),
                data_plane=mesh.data_plane,
                clouds=mesh.cloud_set,
                config_lines=root.traffic_split_lines if root.split_yaml else None,
                support=levels.get(mesh.pk, {}),
                runs_without_kubernetes=mesh.runs_without_kubernetes,
                kubernetes_vm_workloads=mesh.kubernetes_vm_workloads,
                orchestrators=mesh.orchestrator_set,
                orchestrators_note=mesh.orchestrators_note,
                bound_to_cloud=mesh.bound_to_cloud,
                requires_openshift=mesh.requires_openshift,
                licence=mesh.licence_spdx or mesh.licence,
                osi_open_source=mesh.open_source,
                cncf_status=mesh.cncf_status,
                commercial_support=mesh.commercial_support,
                stable_releases_free=mesh.stable_releases_free,
                proxy_family=mesh.proxy_family,
                builds_on=mesh.builds_on,
                feature_sources=sources.get(mesh.pk, {}),
                fact_sources={
                    fact: getattr(root if fact == "traffic_split" else mesh, field)
                    for fact, field in FACT_SOURCE_FIELDS.items()
                    if getattr(root if fact == "traffic_split" else mesh, field)
                },
                kind=mesh.kind,
                platforms=mesh.platforms,
                upstream=mesh.upstream.slug if mesh.upstream else "",
                family_name=root.name,
                stages=stages.get(mesh.pk, {}),
                gateway_api=gateway_api,
                overhead=_overhead(own, mesh.current_version),
                docs_url=mesh.docs_url or mesh.website,
                release_note=mesh.stable_releases_note,
                **_support_window(mesh, today),
            )
        )
    return facts


def evaluate(answers: decision.Answers) -> Evaluation:
    names = {f.slug: f.display_name for f in Feature.objects.in_display_order()}
    result = decision.decide(answers, mesh_facts(), names, TRAFFIC_SPLIT_HTTPROUTE_LINES)
    return Evaluation(result, names)


# Everything of a mesh row that the ranking reads.
DATA_FIELDS = (
    "slug",
    "status",
    "maturity",
    "data_plane",
    "clouds",
    "traffic_split_yaml",
    "runs_without_kubernetes",
    "kubernetes_vm_workloads",
    "orchestrators",
    "bound_to_cloud",
    "requires_openshift",
    "licence_spdx",
    "open_source",
    "cncf_status",
    "commercial_support",
    "stable_releases_free",
    "proxy_family",
    "builds_on",
    "kind",
    "platforms",
    "upstream__slug",
    "gamma_level",
    "current_version",
    "stable_releases_note",
)


def data_fingerprint() -> str:
    """A digest of everything the ranking reads, to tell a visitor that the data changed since."""
    digest = hashlib.sha256()
    for row in Mesh.objects.order_by("slug").values_list(*DATA_FIELDS):
        digest.update(repr(row).encode())
    for row in Support.objects.order_by("mesh__slug", "feature__slug").values_list(
        "mesh__slug", "feature__slug", "level", "stage"
    ):
        digest.update(repr(row).encode())
    for row in OverheadFigure.objects.order_by("mesh__slug", "slug").values_list(
        "mesh__slug", "slug", "memory_mib", "published", "mesh_version", "resource_scope"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def result_digest(stored: Stored, fingerprint: str) -> str:
    answers = json.dumps(stored, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{answers}\x1f{fingerprint}".encode()).hexdigest()


def stored_result(stored: Stored) -> Questionnaire | None:
    """The result already kept for these answers on the current data, if any."""
    return Questionnaire.objects.filter(digest=result_digest(stored, data_fingerprint())).first()


def store(stored: Stored) -> Questionnaire:
    """Keep a completed questionnaire, with what the data said when it was answered.

    The same answers on the same data give the same stored result (and its address) again.
    """
    fingerprint = data_fingerprint()
    digest = result_digest(stored, fingerprint)
    existing = Questionnaire.objects.filter(digest=digest).first()
    if existing is not None:
        return existing
    result = evaluate(to_decision(stored)).result
    try:
        with transaction.atomic():
            return Questionnaire.objects.create(
                answers=stored,
                data_fingerprint=fingerprint,
                verdict=result.verdict.code,
                shortlist=[ranked.mesh.slug for ranked in result.shortlist],
                digest=digest,
            )
    except IntegrityError:  # the same answers stored at the same moment by another request
        return Questionnaire.objects.get(digest=digest)
