"""The glue between the catalogue's rows and the plain-Python decision module."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from comparison.facts import MESH_FACTS
from comparison.models import Feature, Mesh, Support

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


def mesh_facts() -> list[decision.MeshFacts]:
    """Every mesh with its support levels and sources, for the decision module (two queries)."""
    levels: dict[int, dict[str, str]] = {}
    sources: dict[int, dict[str, str]] = {}
    rows = Support.objects.values_list("mesh_id", "feature__slug", "level", "source")
    for mesh_id, slug, level, source in rows:
        levels.setdefault(mesh_id, {})[slug] = level
        sources.setdefault(mesh_id, {})[slug] = source
    return [
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
            config_lines=mesh.traffic_split_lines if mesh.split_yaml else None,
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
                fact: getattr(mesh, field)
                for fact, field in FACT_SOURCE_FIELDS.items()
                if getattr(mesh, field)
            },
        )
        for mesh in Mesh.objects.order_by("name")
    ]


def evaluate(answers: decision.Answers) -> Evaluation:
    names = {f.slug: f.display_name for f in Feature.objects.in_display_order()}
    return Evaluation(decision.decide(answers, mesh_facts(), names), names)


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
)


def data_fingerprint() -> str:
    """A digest of everything the ranking reads, to tell a visitor that the data changed since."""
    digest = hashlib.sha256()
    for row in Mesh.objects.order_by("slug").values_list(*DATA_FIELDS):
        digest.update(repr(row).encode())
    for row in Support.objects.order_by("mesh__slug", "feature__slug").values_list(
        "mesh__slug", "feature__slug", "level"
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
