"""Small hand-made options and answers for the decision's tests: no database, no requests.

Every helper starts from "nothing scores": a very new, Kubernetes-only sidecar mesh that knows
nothing, and answers that point towards a mesh with no preference that earns or costs a point.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from questionnaire.decision import Answers, MeshFacts, OverheadEstimate, Ranked, Result, decide

YES, PARTIAL, NO, UNKNOWN = "yes", "partial", "no", "unknown"

# Deliberately not alphabetical: display order must come from this mapping, not from sorting.
FEATURES = {
    "tracing": "Tracing",
    "mtls-http": "mTLS for HTTP",
    "mtls-tcp": "mTLS for TCP",
    "header-routing": "Header-based routing",
    "path-routing": "Path-based routing",
    "traffic-split": "Percentage-based traffic split",
    "fault-injection": "Fault injection",
    "smi-traffic-split": "SMI Traffic Split",
    "smi-traffic-access-control": "SMI Traffic Access Control",
    "smi-traffic-specs": "SMI Traffic Specs",
    "gateway-api-mesh": "Gateway API for mesh traffic",
}


def mesh(slug: str = "m", **overrides: Any) -> MeshFacts:
    """An active, Kubernetes-only, very new sidecar mesh knowing nothing: every point is opt-in."""
    fields: dict[str, Any] = {
        "slug": slug,
        "name": slug.capitalize(),
        "maturity": "very_new",
        "discontinued": False,
        "status_label": "",
        "runs_without_kubernetes": False,
        "kubernetes_vm_workloads": False,
        "data_plane": "sidecar",
        "proxy_family": "linkerd2_proxy",
        "builds_on": "own",
        "clouds": frozenset(),
        "config_lines": 10,
        "support": {},
    }
    fields.update(overrides)
    return MeshFacts(**fields)


def overhead(mib: float = 40.0, outdated: bool = False, **overrides: Any) -> OverheadEstimate:
    fields: dict[str, Any] = {
        "memory_mib": mib,
        "source": "https://example.org/benchmark",
        "published": "2024-11",
        "version": "1.24",
        "outdated": outdated,
    }
    fields.update(overrides)
    return OverheadEstimate(**fields)


def answers(**overrides: Any) -> Answers:
    """Every gate answer pointing towards a mesh, and no preference that scores anything."""
    fields: dict[str, Any] = {
        "services": "many",
        "tech_diversity": "high",
        "communication": "sync",
        "kubernetes": True,
        "change_frequency": "often",
        "needs": frozenset(),
        "outside_kubernetes": frozenset(),
        "cloud": "on_prem",
        "experience": frozenset(),
        "standards": "none",
        "must": frozenset(),
        "nice": frozenset(),
        "partial_ok": False,
        "min_maturity": "very_new",
        "complexity_tolerance": "high",
        "latency_sensitive": False,
    }
    fields.update(overrides)
    return Answers(**fields)


def run(
    meshes: Sequence[MeshFacts], gateway_api_lines: int | None = None, **overrides: Any
) -> Result:
    return decide(answers(**overrides), meshes, FEATURES, gateway_api_lines)


def slugs(result: Result) -> list[str]:
    return [r.mesh.slug for r in result.shortlist]


def reasons_of(result: Result) -> dict[str, str]:
    return {e.mesh.slug: e.reason for e in result.excluded}


def plain(parts: Iterable[Any]) -> tuple[tuple[int, str], ...]:
    """Points and reasons only: what the score-part tests compare."""
    return tuple((p.points, p.reason) for p in parts)


def part_reasons(ranked: Ranked) -> dict[str, int]:
    return {p.reason: p.points for p in ranked.parts}


def ranked_of(result: Result, slug: str) -> Ranked:
    return next(r for r in result.shortlist if r.mesh.slug == slug)


# Nine product families as in the data: the thirds are 18-27 lines, 30 lines, 31+ lines. The
# names run against the counts, so that every penalty visibly reorders the list.
LINES = {"i": 18, "h": 19, "g": 27, "f": 30, "e": 30, "d": 31, "c": 31, "b": 31, "a": 31}


def line_meshes(**extra: dict[str, Any]) -> list[MeshFacts]:
    meshes = [mesh(slug, config_lines=lines) for slug, lines in LINES.items()]
    return meshes + [mesh(slug, **fields) for slug, fields in extra.items()]
