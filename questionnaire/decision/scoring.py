"""The score of a candidate: named weights (weights.py), one function per rule, each line with the
cell or fact behind it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from comparison.choices import ComplexityBand, DataPlane, Experience, Hosting, SupportWish

from . import weights
from .inputs import (
    CLOUD_NAMES,
    ENVOY_FAMILIES,
    EXPERIENCE_NAMES,
    EXPERIENCES,
    GATEWAY_API_MESH,
    MATURITY_LABELS,
    NO,
    PARTIAL,
    SMI_PREFIX,
    UNKNOWN,
    YES,
    Answers,
    MeshFacts,
    Text,
)
from .results import ComplexityCuts, ScorePart

LOW_OVERHEAD_DATA_PLANES = (DataPlane.SIDECARLESS.value, DataPlane.PER_NODE.value)
COMPLEXITY_WORDS: dict[str, Text] = {
    "low": pgettext_lazy("complexity tolerance", "low"),
    "medium": pgettext_lazy("complexity tolerance", "medium"),
    "high": pgettext_lazy("complexity tolerance", "high"),
}
BAND_WORDS: dict[str, Text] = {
    "low": pgettext_lazy("complexity band", "the simplest third"),
    "medium": pgettext_lazy("complexity band", "the middle third"),
    "high": pgettext_lazy("complexity band", "the most verbose third"),
}
GATEWAY_API_WORDS = gettext_lazy("a Gateway API HTTPRoute")
OWN_API_WORDS = gettext_lazy("its own API")


def feature_part(points: int, reason: str, mesh: MeshFacts, slug: str) -> ScorePart:
    return ScorePart(
        points,
        reason,
        feature=slug,
        level=mesh.level(slug),
        source=mesh.feature_sources.get(slug, ""),
    )


def fact_part(points: int, reason: str, mesh: MeshFacts, fact: str, level: str = "") -> ScorePart:
    return ScorePart(points, reason, level=level, source=mesh.fact_sources.get(fact, ""))


# --- configuration complexity ---------------------------------------------------------------


def charged_lines(answers: Answers, mesh: MeshFacts, gateway_api_lines: int | None) -> int | None:
    """The lines a team is charged for the 90/10 split: a Gateway API HTTPRoute where the team
    chose that standard and the option supports it, else the option's own API (a distribution's
    is its upstream's, the evaluation copies it)."""
    if answers.standards == "gateway_api" and mesh.gateway_api and gateway_api_lines:
        return gateway_api_lines
    return mesh.config_lines


def complexity_cuts(
    answers: Answers, meshes: Iterable[MeshFacts], gateway_api_lines: int | None
) -> ComplexityCuts | None:
    """Thirds of the active product families' line counts, as this team is charged them: the
    lowest third by rank is "low", the highest "high" (a count equal to a band's edge joins it).
    One count per family, so five Istio distributions don't fill a third on their own."""
    by_family: dict[str, int] = {}
    for mesh in meshes:
        lines = charged_lines(answers, mesh, gateway_api_lines)
        if not mesh.is_discontinued and lines:
            by_family.setdefault(mesh.family, lines)
    counts = sorted(by_family.values())
    if not counts:
        return None
    third = -(-len(counts) // 3)  # ceil: with 9 families, 3 per third
    low_max = counts[third - 1]
    high_min = max(counts[len(counts) - third], low_max + 1)
    return ComplexityCuts(low_max=low_max, high_min=high_min, counted=len(counts))


def complexity_part(
    answers: Answers, mesh: MeshFacts, cuts: ComplexityCuts | None, gateway_api_lines: int | None
) -> ScorePart | None:
    tolerance = answers.complexity_tolerance
    if tolerance == ComplexityBand.HIGH or cuts is None:
        return None
    words = {"tolerance": COMPLEXITY_WORDS[tolerance]}
    lines = charged_lines(answers, mesh, gateway_api_lines)
    if lines is None:
        # Never a free pass: without an example it counts as the most verbose third.
        points = weights.COMPLEXITY_POINTS[(tolerance, ComplexityBand.HIGH)]
        reason = (
            _(
                "Configuration complexity unknown (no 90/10 traffic split recorded): counted as "
                "the most verbose third for your %(tolerance)s tolerance"
            )
            % words
        )
        return fact_part(points, reason, mesh, "traffic_split", UNKNOWN)
    band = cuts.band(lines)
    points = weights.COMPLEXITY_POINTS.get((tolerance, band), 0)
    if not points:
        return None
    on_standard = answers.standards == "gateway_api" and mesh.gateway_api and gateway_api_lines
    api = GATEWAY_API_WORDS if on_standard else OWN_API_WORDS
    reason = _(
        "Configuration complexity: the 90/10 traffic split takes %(lines)d lines in %(api)s, "
        "in %(band)s, more than your %(tolerance)s tolerance"
    ) % {**words, "lines": lines, "band": BAND_WORDS[band], "api": api}
    return fact_part(points, reason, mesh, "traffic_split")


# --- resource overhead ----------------------------------------------------------------------


def overhead_part(answers: Answers, mesh: MeshFacts) -> ScorePart | None:
    """A proxy in every pod costs memory in proportion to the pods; per-node and sidecarless
    data planes don't. Scaled by the team's pods; only when the team said how many."""
    pods = answers.pods
    if pods is None or mesh.data_plane != DataPlane.SIDECAR:
        return None
    figure = mesh.overhead
    if figure is not None:
        total_gib = pods * figure.memory_mib / 1024
        points = next((p for limit, p in weights.OVERHEAD_STEPS_GIB if total_gib >= limit), 0)
        values = {
            "pods": pods,
            "mib": round(figure.memory_mib),
            "gib": number_format(round(total_gib, 1), 1),  # 33.5 / 33,5 by language
            "version": figure.version,
            "published": figure.published,
        }
        reason = (
            _(
                "Resource overhead: a proxy in each of your %(pods)d pods, about %(mib)d MiB each "
                "(measured on %(version)s, %(published)s), about %(gib)s GiB in all"
            )
            % values
        )
        if figure.outdated:
            reason += " " + _("(an old figure: measure it yourself)")
        return ScorePart(points, reason, level=YES, source=figure.source) if points else None
    points = next((p for limit, p in weights.OVERHEAD_STEPS_PODS if pods >= limit), 0)
    if not points:
        return None
    reason = _(
        "Resource overhead: a proxy in each of your %(pods)d pods, and no published figure to "
        "size it"
    ) % {"pods": pods}
    return ScorePart(points, reason, level=UNKNOWN)


# --- the rest ---------------------------------------------------------------------------------


def _experience_part(answers: Answers, mesh: MeshFacts) -> ScorePart | None:
    if not answers.experience:
        return None
    if not mesh.proxy_family or not mesh.builds_on:
        return fact_part(
            0,
            _("Team experience: unknown proxy or lineage (no source found), no points"),
            mesh,
            "proxy_family",
            UNKNOWN,
        )
    known = [
        EXPERIENCE_NAMES[key]
        for key in EXPERIENCES
        if key in answers.experience
        and (
            (key == Experience.ENVOY and mesh.proxy_family in ENVOY_FAMILIES)
            or key == mesh.builds_on
        )
    ]
    if not known:
        return None
    reason = _("Builds on what your team knows: %(products)s") % {"products": ", ".join(known)}
    return fact_part(weights.EXPERIENCE_POINTS, reason, mesh, "proxy_family")


def _support_parts(answers: Answers, mesh: MeshFacts) -> list[ScorePart]:
    parts: list[ScorePart] = []
    if answers.support == SupportWish.WELCOME and mesh.commercial_support:
        reason = _("Commercial support available: %(vendors)s") % {
            "vendors": mesh.commercial_support
        }
        parts.append(fact_part(weights.SUPPORT_POINTS, reason, mesh, "commercial_support"))
    if answers.support == SupportWish.NOT_WANTED and mesh.stable_releases_free is not True:
        if mesh.stable_releases_free is None:
            reason = _(
                "Unknown whether stable releases are free (no source found): counted as not "
                "free, and you want no paid support"
            )
            level = UNKNOWN
        else:
            reason = _(
                "Stable releases are not free (a vendor's subscription or licence), and you want "
                "no paid support"
            )
            level = NO
        parts.append(
            fact_part(weights.NOT_FREE_PENALTY, reason, mesh, "stable_releases_free", level)
        )
    return parts


def cloud_part(
    answers: Answers, mesh: MeshFacts, wanted: Sequence[str], name: Mapping[str, str]
) -> ScorePart | None:
    """The cloud's own managed product earns the full credit; a product the cloud also offers
    in some managed form earns it in proportion to the wanted features it covers at a stable
    stage (a preview subset is not a managed mesh)."""
    if answers.cloud not in CLOUD_NAMES:
        return None
    cloud = {"cloud": CLOUD_NAMES[answers.cloud]}
    if mesh.bound_to_cloud == answers.cloud:
        reason = _("Managed by your cloud, %(cloud)s: its own product") % cloud
        return fact_part(weights.CLOUD_POINTS, reason, mesh, "clouds")
    if answers.cloud not in mesh.clouds:
        return None
    if not wanted:
        # Nothing to measure the managed form against: half the credit it could earn.
        reason = (
            _(
                "Also offered in a managed form by your cloud, %(cloud)s (you named no features to "
                "compare what it covers)"
            )
            % cloud
        )
        return fact_part((weights.CLOUD_POINTS - 1) // 2, reason, mesh, "clouds")
    covered = [s for s in wanted if mesh.level(s) == YES and mesh.stage(s) in ("", "stable")]
    points = len(covered) * (weights.CLOUD_POINTS - 1) // len(wanted)
    reason = _(
        "Also offered in a managed form by your cloud, %(cloud)s: it covers %(covered)d of your "
        "%(wanted)d features at a stable stage"
    ) % {**cloud, "covered": len(covered), "wanted": len(wanted)}
    return fact_part(points, reason, mesh, "clouds")


def score(
    answers: Answers,
    mesh: MeshFacts,
    musts: Sequence[str],
    nices: Sequence[str],
    name: Mapping[str, str],
    cuts: ComplexityCuts | None,
    gateway_api_lines: int | None,
) -> tuple[ScorePart, ...]:
    parts: list[ScorePart] = []
    # Nice-to-haves: partial counts (at half) whatever partial_ok says; that is for must-haves.
    # Support the project calls beta, preview, alpha or deprecated counts as partial.
    for slug in nices:
        level, stage = mesh.level(slug), mesh.stage(slug)
        feature = {"feature": name[slug]}
        if level == YES and stage in ("", "stable"):
            reason = _("Nice-to-have %(feature)s: supported") % feature
            parts.append(feature_part(weights.NICE_YES_POINTS, reason, mesh, slug))
        elif level == YES:
            reason = _("Nice-to-have %(feature)s: supported, but not yet stable") % feature
            parts.append(feature_part(weights.NICE_PARTIAL_POINTS, reason, mesh, slug))
        elif level == PARTIAL:
            reason = _("Nice-to-have %(feature)s: only partly supported") % feature
            parts.append(feature_part(weights.NICE_PARTIAL_POINTS, reason, mesh, slug))
        elif level == UNKNOWN:
            reason = _("Nice-to-have %(feature)s: unknown (no source found), no points") % feature
            parts.append(feature_part(0, reason, mesh, slug))
    maturity_points = weights.MATURITY_POINTS[mesh.maturity]
    if maturity_points:
        reason = _("Production readiness: %(maturity)s") % {
            "maturity": MATURITY_LABELS[mesh.maturity]
        }
        parts.append(ScorePart(maturity_points, reason))
    cloud = cloud_part(answers, mesh, (*musts, *nices), name)
    if cloud:
        parts.append(cloud)
    if mesh.requires_openshift and answers.openshift:
        reason = _("Made for your platform: Red Hat supports it with OpenShift")
        parts.append(fact_part(weights.PLATFORM_POINTS, reason, mesh, "requires_openshift"))
    if mesh.bound_to_cloud and answers.cloud == Hosting.MULTI:
        reason = _("Works only with %(bound)s, and you run on several clouds") % {
            "bound": CLOUD_NAMES[mesh.bound_to_cloud]
        }
        parts.append(fact_part(weights.BOUND_ELSEWHERE_PENALTY, reason, mesh, "clouds"))
    experience = _experience_part(answers, mesh)
    if experience:
        parts.append(experience)
    parts += _support_parts(answers, mesh)
    if answers.standards == "smi":
        smi_parts = [s for s in name if s.startswith(SMI_PREFIX)]
        smi_parts += sorted(s for s in mesh.support if s.startswith(SMI_PREFIX) and s not in name)
        for slug in smi_parts:
            if mesh.level(slug) == YES:
                reason = _("SMI standard: implements %(feature)s") % {"feature": name[slug]}
                parts.append(feature_part(weights.SMI_PART_POINTS, reason, mesh, slug))
    elif answers.standards == "gateway_api":
        level = mesh.level(GATEWAY_API_MESH)
        feature = {"feature": name[GATEWAY_API_MESH]}
        if level == YES:
            reason = _("Gateway API standard: %(feature)s") % feature
            parts.append(
                feature_part(weights.GATEWAY_API_YES_POINTS, reason, mesh, GATEWAY_API_MESH)
            )
        elif level == PARTIAL:
            reason = _("Gateway API standard: %(feature)s only partly supported") % feature
            parts.append(
                feature_part(weights.GATEWAY_API_PARTIAL_POINTS, reason, mesh, GATEWAY_API_MESH)
            )
    complexity = complexity_part(answers, mesh, cuts, gateway_api_lines)
    if complexity:
        parts.append(complexity)
    overhead = overhead_part(answers, mesh)
    if overhead:
        parts.append(overhead)
    if answers.latency_sensitive and mesh.data_plane in LOW_OVERHEAD_DATA_PLANES:
        parts.append(
            ScorePart(
                weights.LATENCY_POINTS,
                _("Latency: no proxy in each pod, so fewer hops on the request path"),
            )
        )
    return tuple(parts)
