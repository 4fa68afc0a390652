"""Which options are candidates: preconditions (status, platform, licence, support, maturity) and
the must-haves, each met, met with a risk, unverified (no source) or failed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comparison.choices import CncfStatus, Hosting, Orchestrator, Platforms, SupportWish

from . import weights
from .inputs import (
    ALPHA,
    BETA,
    CLOUD_NAMES,
    DEPRECATED,
    HOSTING_NAMES,
    MATURITY_LABELS,
    MATURITY_RANK,
    NO,
    ORCHESTRATOR_LABELS,
    ORCHESTRATORS,
    PARTIAL,
    PREVIEW,
    UNKNOWN,
    Answers,
    MeshFacts,
    Names,
    Text,
)
from .results import Risk, ScorePart

STAGE_WORDS: dict[str, Text] = {
    BETA: gettext_lazy("beta"),
    PREVIEW: gettext_lazy("preview"),
    DEPRECATED: gettext_lazy("deprecated"),
    ALPHA: gettext_lazy("alpha/experimental"),
}
STAGE_PENALTY: dict[str, int] = {
    BETA: weights.MUST_BETA_PENALTY,
    PREVIEW: weights.MUST_RISKY_STAGE_PENALTY,
    DEPRECATED: weights.MUST_RISKY_STAGE_PENALTY,
    ALPHA: weights.MUST_EXPERIMENTAL_PENALTY,
}


@dataclass(frozen=True)
class MustCheck:
    """How an option meets the must-haves."""

    failed: tuple[str, str] | None  # (slug, why) of the first must-have it does not meet
    unknown: tuple[str, ...]  # must-haves with no source
    parts: tuple[ScorePart, ...]  # the costs of must-haves met with a risk
    risks: tuple[Risk, ...]


def display_order(slugs: Iterable[str], feature_names: Mapping[str, str]) -> tuple[str, ...]:
    # feature_names comes in display order; slugs it doesn't know go last, sorted.
    position = {slug: i for i, slug in enumerate(feature_names)}
    return tuple(sorted(set(slugs), key=lambda s: (position.get(s, len(position)), s)))


def check_musts(
    answers: Answers, mesh: MeshFacts, musts: Sequence[str], name: Mapping[str, str]
) -> MustCheck:
    unknown: list[str] = []
    parts: list[ScorePart] = []
    risks: list[Risk] = []
    for slug in musts:
        level, stage = mesh.level(slug), mesh.stage(slug)
        source = mesh.feature_sources.get(slug, "")
        words = {"feature": name[slug], "stage": STAGE_WORDS.get(stage, "")}
        if level == UNKNOWN:
            unknown.append(slug)
            continue
        if level == NO:
            return MustCheck((slug, _("not supported")), (), (), ())
        if level == PARTIAL and not answers.partial_ok:
            return MustCheck(
                (slug, _("only partly supported, and you asked for full support")), (), (), ()
            )
        if stage == ALPHA and not answers.experimental_ok:
            return MustCheck(
                (slug, _("only alpha/experimental, and you asked for production support")),
                (),
                (),
                (),
            )
        if level == PARTIAL:
            text = _("Must-have %(feature)s: only partly supported") % words
            parts.append(ScorePart(weights.MUST_PARTIAL_PENALTY, text, slug, level, source))
            risks.append(Risk("must_partial", text, source, slug))
        if stage in STAGE_PENALTY:
            text = _("Must-have %(feature)s: the project calls its support %(stage)s") % words
            parts.append(ScorePart(STAGE_PENALTY[stage], text, slug, level, source))
            risks.append(Risk("stage", text, source, slug))
    return MustCheck(None, tuple(unknown), tuple(parts), tuple(risks))


def _orchestrator_list(orchestrators: Iterable[str]) -> str:
    return ", ".join(str(ORCHESTRATOR_LABELS[o]) for o in ORCHESTRATORS if o in orchestrators)


def _environment_reason(answers: Answers, mesh: MeshFacts) -> str | None:
    if not answers.kubernetes and mesh.runs_without_kubernetes is not True:
        if mesh.runs_without_kubernetes is None:
            return _(
                "Unknown whether it runs without Kubernetes (no source found), and you don't "
                "use Kubernetes."
            )
        return _("Needs a Kubernetes cluster for its control plane, and you don't use Kubernetes.")
    if answers.kubernetes and mesh.platforms == Platforms.OUTSIDE_KUBERNETES:
        return _("Serves only %(supported)s, not your Kubernetes workloads.") % {
            "supported": _orchestrator_list(mesh.orchestrators) or _("workloads outside Kubernetes")
        }
    missing = [o for o in ORCHESTRATORS if o in answers.outside_kubernetes - mesh.orchestrators]
    if missing:
        supported = _orchestrator_list(mesh.orchestrators)
        values = {"missing": _orchestrator_list(missing), "supported": supported}
        if not supported:
            return (
                _("Runs only on Kubernetes: no support for your workloads on %(missing)s.") % values
            )
        return (
            _(
                "Outside Kubernetes it supports only %(supported)s, not your workloads on "
                "%(missing)s."
            )
            % values
        )
    return None


def precondition_reason(answers: Answers, mesh: MeshFacts) -> str | None:
    """Why an option is out before any feature is looked at, in this order: status, platform,
    cloud binding, licence, CNCF status, commercial support, maturity."""
    if mesh.is_discontinued:
        if mesh.status_label:
            return _("Discontinued (%(status)s): never recommended.") % {
                "status": mesh.status_label
            }
        return _("Discontinued: never recommended.")
    environment = _environment_reason(answers, mesh)
    if environment:
        return environment
    if mesh.requires_openshift and not answers.openshift:
        return _("Runs only on Red Hat OpenShift, and your clusters are not OpenShift.")
    bound = mesh.bound_to_cloud
    if bound and answers.cloud not in (bound, Hosting.MULTI):
        return _("Works only with %(bound)s, and you run on %(cloud)s.") % {
            "bound": CLOUD_NAMES[bound],
            "cloud": HOSTING_NAMES[answers.cloud],
        }
    if (
        bound
        and Orchestrator.ECS in mesh.orchestrators
        and mesh.platforms == Platforms.OUTSIDE_KUBERNETES
        and Orchestrator.ECS not in answers.outside_kubernetes
    ):
        return _("Serves only Amazon ECS, and you named no ECS workloads.")
    if answers.open_source_only and mesh.osi_open_source is not True:
        if mesh.osi_open_source is None:
            return _("Licence unknown (no source found), and you want open source only.")
        return _("Licence %(licence)s is not OSI open source, and you want open source only.") % {
            "licence": mesh.licence or _("unknown")
        }
    if answers.cncf_graduated_only and mesh.cncf_status != CncfStatus.GRADUATED:
        return _("%(status)s, and you want CNCF graduated projects only.") % {
            "status": CncfStatus(mesh.cncf_status).label
        }
    if answers.support == SupportWish.REQUIRED and not mesh.commercial_support:
        return _("Nobody sells commercial support for it, and you require support.")
    if MATURITY_RANK[mesh.maturity] < MATURITY_RANK[answers.min_maturity]:
        return _("Production readiness is %(maturity)s, below your minimum (%(minimum)s).") % {
            "maturity": MATURITY_LABELS[mesh.maturity],
            "minimum": MATURITY_LABELS[answers.min_maturity],
        }
    return None


def meets_all(answers: Answers, mesh: MeshFacts, musts: Sequence[str]) -> bool:
    """Shortlisted under these answers: every precondition and must-have met, none unknown."""
    if precondition_reason(answers, mesh):
        return False
    check = check_musts(answers, mesh, musts, Names())
    return check.failed is None and not check.unknown
