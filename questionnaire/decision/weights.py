"""Every weight of the ranking, named once. The README's weight table is checked against WEIGHTS
by a test, and each rule has a test of its own (tests/questionnaire/test_scoring.py)."""

from __future__ import annotations

from dataclasses import dataclass

from comparison.choices import ComplexityBand, Maturity

# Production readiness of the product.
MATURITY_POINTS: dict[str, int] = {Maturity.LEADING: 3, Maturity.FOLLOWERS: 1, Maturity.VERY_NEW: 0}
# Nice-to-haves; support in beta, preview, alpha or deprecated counts as partial.
NICE_YES_POINTS, NICE_PARTIAL_POINTS = 2, 1
# Must-haves met with a risk: only partly (when partial counts), or only by support the project
# calls beta or preview, deprecated, or alpha/experimental (when experimental counts).
MUST_PARTIAL_PENALTY = -2
MUST_BETA_PENALTY = -1
MUST_RISKY_STAGE_PENALTY = -2  # preview, deprecated
MUST_EXPERIMENTAL_PENALTY = -3
# Offered managed by the team's cloud: the full credit for the cloud's own product; for a
# product the cloud also offers, in proportion to the wanted features it covers at a stable stage,
# at most CLOUD_POINTS - 1.
CLOUD_POINTS = 3
PLATFORM_POINTS = 3  # made for the team's platform (an OpenShift product on OpenShift)
BOUND_ELSEWHERE_PENALTY = -4  # several clouds, and the product works with only one of them
EXPERIENCE_POINTS = 2  # once, however many skills match
SUPPORT_POINTS = 1  # support is welcome and someone sells it
NOT_FREE_PENALTY = -2  # no paid support wanted, but stable releases are not free (or unknown)
SMI_PART_POINTS = 1
GATEWAY_API_YES_POINTS, GATEWAY_API_PARTIAL_POINTS = 2, 1
LATENCY_POINTS = 1  # latency-sensitive, and no proxy in each pod
# Points by (tolerance, the option's complexity band); bands are thirds of the products.
COMPLEXITY_POINTS: dict[tuple[str, str], int] = {
    (ComplexityBand.LOW, ComplexityBand.MEDIUM): -1,
    (ComplexityBand.LOW, ComplexityBand.HIGH): -2,
    (ComplexityBand.MEDIUM, ComplexityBand.HIGH): -1,
}
# Resource overhead of a proxy in every pod, for the team's number of pods: the estimated memory
# of all sidecars (pods x the newest comparable per-proxy figure) from these limits on.
OVERHEAD_STEPS_GIB: tuple[tuple[float, int], ...] = ((25.0, -2), (5.0, -1))
# Without a figure, the data-plane model alone, by pods.
OVERHEAD_STEPS_PODS: tuple[tuple[int, int], ...] = ((1000, -2), (200, -1))


@dataclass(frozen=True)
class Weight:
    rule: str
    points: str


# The documented table (README "How the shortlist is ranked"); a test checks both agree.
WEIGHTS: tuple[Weight, ...] = (
    Weight("Production readiness: leading group / followers / very new", "+3 / +1 / 0"),
    Weight("Nice-to-have supported / partly (or only beta, preview, alpha)", "+2 / +1"),
    Weight("Must-have met only partly (when partial counts)", str(MUST_PARTIAL_PENALTY)),
    Weight("Must-have met only by beta support", str(MUST_BETA_PENALTY)),
    Weight("Must-have met only by preview or deprecated support", str(MUST_RISKY_STAGE_PENALTY)),
    Weight(
        "Must-have met only by alpha support (when experimental counts)",
        str(MUST_EXPERIMENTAL_PENALTY),
    ),
    Weight("Your cloud's own managed product", f"+{CLOUD_POINTS}"),
    Weight(
        "Also offered by your cloud: share of your features covered at a stable stage",
        f"0 to +{CLOUD_POINTS - 1}",
    ),
    Weight("Made for your platform (OpenShift)", f"+{PLATFORM_POINTS}"),
    Weight("Works with one cloud only, and you use several", str(BOUND_ELSEWHERE_PENALTY)),
    Weight("Builds on what your team knows", f"+{EXPERIENCE_POINTS}"),
    Weight("Commercial support available, and welcome", f"+{SUPPORT_POINTS}"),
    Weight("Stable releases not free, and no paid support wanted", str(NOT_FREE_PENALTY)),
    Weight("SMI: per SMI part implemented", f"+{SMI_PART_POINTS}"),
    Weight(
        "Gateway API for mesh traffic: supported / partly",
        f"+{GATEWAY_API_YES_POINTS} / +{GATEWAY_API_PARTIAL_POINTS}",
    ),
    Weight("Latency-sensitive, and no proxy in each pod", f"+{LATENCY_POINTS}"),
    Weight("Complexity: low tolerance, middle / most verbose third", "-1 / -2"),
    Weight("Complexity: medium tolerance, most verbose third", "-1"),
    Weight("Sidecar memory for your pods: from 5 GiB / from 25 GiB", "-1 / -2"),
    Weight("Sidecars without a figure: from 200 / from 1,000 pods", "-1 / -2"),
)
