"""Step 3 as an interview: the problems a team must solve, in its own words, and the feature slugs
behind each (the one place this mapping is defined).

The questions adapt to the earlier steps' answers: a feature that cannot apply to the team's
environment is not asked (unless the team already gave it an importance, which is never lost).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The earlier steps' cleaned answers (API keys), as the wizard keeps them.
Earlier = Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    key: str
    question: str | Promise
    why: str | Promise
    slugs: tuple[str, ...]


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "encryption",
        _("Must traffic between services be encrypted, with every service proving who it is?"),
        _("Mutual TLS gives each service an identity and encrypts calls without code changes."),
        ("mtls-http", "mtls-tcp", "mtls-strict", "mtls-default", "mtls-permissive", "external-ca"),
    ),
    Problem(
        "releases",
        _("Do you want to release new versions safely, to a few users first?"),
        _(
            "Canary releases and A/B tests shift traffic step by step and limit what a bad "
            "release breaks."
        ),
        (
            "traffic-split",
            "header-routing",
            "path-routing",
            "traffic-mirroring",
            "smi-traffic-split",
        ),
    ),
    Problem(
        "resilience",
        _("Must calls survive slow or failing services?"),
        _(
            "Retries, timeouts and circuit breakers stop one failure from cascading; fault "
            "injection tests that."
        ),
        (
            "retries",
            "timeouts",
            "per-route-retries",
            "circuit-breaking",
            "fault-injection",
            "delay-injection",
        ),
    ),
    Problem(
        "visibility",
        _("Do you need to see how services call each other?"),
        _(
            "Metrics, traces and access logs for every call show where errors and latency "
            "come from."
        ),
        (
            "golden-metrics",
            "tracing",
            "access-logs",
            "per-route-metrics",
            "dashboard",
            "live-tap",
            "smi-traffic-metrics",
        ),
    ),
    Problem(
        "policy",
        _("Must you control who may call whom, how often, and what leaves the cluster?"),
        _(
            "Authorisation rules, rate limits and egress control turn a flat network into "
            "enforced policy."
        ),
        (
            "authz-policies",
            "rate-limiting",
            "egress-gateway",
            "jwt-auth",
            "ext-authz",
            "smi-traffic-access-control",
        ),
    ),
    Problem(
        "platform",
        _("Does your platform set conditions the mesh must meet?"),
        _(
            "Several clusters, workloads outside Kubernetes, the Gateway API or no sidecars "
            "rule out some meshes."
        ),
        (
            "multi-cluster",
            "vms",
            "other-orchestrators",
            "gateway-api-mesh",
            "sidecarless",
            "windows-workloads",
        ),
    ),
)
PROBLEM_SLUGS: frozenset[str] = frozenset(slug for p in PROBLEMS for slug in p.slugs)
assert len(PROBLEM_SLUGS) == sum(len(p.slugs) for p in PROBLEMS), "a feature under two problems"

VM_PLACES = frozenset({"vms_on_prem", "cloud_vms"})
ORCHESTRATOR_PLACES = frozenset({"ecs", "nomad"})
# Features that apply only on Kubernetes.
KUBERNETES_ONLY = frozenset({"multi-cluster", "gateway-api-mesh", "sidecarless"})
SMI_FEATURES = frozenset(
    {"smi-traffic-split", "smi-traffic-metrics", "smi-traffic-access-control", "smi-traffic-specs"}
)


def _outside(earlier: Earlier) -> frozenset[str]:
    return frozenset(earlier.get("outside_kubernetes") or ())


RULES: dict[str, Callable[[Earlier], bool]] = {
    # Members outside Kubernetes matter only to a team that runs workloads there.
    "vms": lambda e: bool(_outside(e) & VM_PLACES),
    "other-orchestrators": lambda e: bool(_outside(e) & ORCHESTRATOR_PLACES),
    # SMI is asked only of a team that said it must keep SMI resources.
    **{slug: (lambda e: e.get("standards") == "smi") for slug in SMI_FEATURES},
    **{slug: (lambda e: e.get("kubernetes") is not False) for slug in KUBERNETES_ONLY},
}


def applies(slug: str, earlier: Earlier) -> bool:
    """Whether a feature can matter to a team with these earlier answers."""
    rule = RULES.get(slug)
    return rule is None or rule(earlier)


def problem_of(slug: str) -> Problem | None:
    return next((p for p in PROBLEMS if slug in p.slugs), None)
