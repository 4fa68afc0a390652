"""The questionnaire's decision logic: answers plus plain mesh data in, verdict and shortlist out.

Plain Python on purpose (no ORM, no HTTP; of Django only its translation functions), so every
rule can be unit-tested on small hand-made meshes and the views only turn forms and rows into
these dataclasses. Every user-facing text is translatable: constants lazily, the rest at call
time. The steps follow the talk's conclusion (BRIEF.md): 0 is a mesh sensible at all, 1 the
environment, 2 the features, 3 the subjective fit. Everything is deterministic: the same input
always gives the same verdict, order and wording (in the active language).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from comparison.choices import (
    GATEWAY_API_MESH_FEATURE,
    SMI_FEATURE_PREFIX,
    Cloud,
    DataPlane,
    Level,
    Maturity,
    Platforms,
)

YES, PARTIAL, NO, UNKNOWN = (
    Level.YES.value,
    Level.PARTIAL.value,
    Level.NO.value,
    Level.UNKNOWN.value,
)
LEVELS = tuple(Level.values)

# Gate question 6 ("which specific features are needed?") choices -> feature slugs that become
# must-haves.
GATE_FEATURES: dict[str, tuple[str, ...]] = {
    "mtls": ("mtls-http",),
    "tracing": ("tracing",),
    "routing": ("header-routing", "path-routing"),
    "rollouts": ("traffic-split",),
}
# How the gate's feature choices read in sentences.
GATE_FEATURE_LABELS: dict[str, str] = {
    "mtls": gettext_lazy("mTLS between services"),
    "tracing": gettext_lazy("distributed tracing"),
    "routing": gettext_lazy("header- or path-based routing"),
    "rollouts": gettext_lazy("special rollouts (canary releases, A/B tests)"),
}

SMI_PREFIX = SMI_FEATURE_PREFIX
GATEWAY_API_MESH = GATEWAY_API_MESH_FEATURE
OTHER_CLOUD = "other"  # on-premises or a provider without a managed mesh
# Maturities a user may ask for as a minimum ("discontinued" is never recommended).
MIN_MATURITIES = (Maturity.LEADING.value, Maturity.FOLLOWERS.value, Maturity.VERY_NEW.value)

# Every choice question and its allowed values, so validation and error messages share one table.
CHOICES: dict[str, tuple[str, ...]] = {
    "service_count": ("few", "many"),
    "tech_diversity": ("low", "high"),
    "change_frequency": ("rarely", "often"),
    "infrastructure": tuple(Platforms.values),
    "cloud": (*Cloud.values, OTHER_CLOUD),
    "standards": ("none", "smi", "gateway_api"),
    "min_maturity": MIN_MATURITIES,
    "complexity_tolerance": ("low", "medium", "high"),
}
# Product names: never translated.
KNOWLEDGE: dict[str, str] = {
    "envoy": "Envoy",
    "istio": "Istio",
    "linkerd": "Linkerd",
    "consul": "Consul",
    "kong": "Kong",
    "cilium": "Cilium",
    "nginx": "NGINX",
}
CLOUD_NAMES: dict[str, str] = {cloud.value: cloud.label for cloud in Cloud}
MATURITIES = tuple(Maturity.values)
DATA_PLANES = tuple(DataPlane.values)

# Higher is more production-ready; "discontinued" has no rank because it is never recommended.
MATURITY_RANK: dict[str, int] = {Maturity.LEADING: 3, Maturity.FOLLOWERS: 2, Maturity.VERY_NEW: 1}
MATURITY_LABELS: dict[str, str] = {
    Maturity.LEADING: gettext_lazy("leading group"),
    Maturity.FOLLOWERS: gettext_lazy("followers"),
    Maturity.VERY_NEW: gettext_lazy("very new"),
    Maturity.DISCONTINUED: gettext_lazy("discontinued"),
}
MATURITY_POINTS: dict[str, int] = {Maturity.LEADING: 3, Maturity.FOLLOWERS: 1, Maturity.VERY_NEW: 0}

# Lines of YAML for a 90/10 split above which each tolerance starts to cost points. The talk's
# yardsticks: SMI's TrafficSplit about 10 lines, Istio's DestinationRule + VirtualService about 30.
COMPLEXITY_LIMITS: dict[str, int | None] = {"low": 20, "medium": 40, "high": None}
COMPLEXITY_PENALTY = -2
# How each tolerance reads in the penalty's reason ("… than the 20 your low tolerance allows").
COMPLEXITY_WORDS: dict[str, str] = {
    "low": pgettext_lazy("complexity tolerance", "low"),
    "medium": pgettext_lazy("complexity tolerance", "medium"),
    "high": pgettext_lazy("complexity tolerance", "high"),
}

# Scores, named so the reasons and the tests read the same numbers.
NICE_YES_POINTS, NICE_PARTIAL_POINTS = 2, 1
CLOUD_POINTS = 3
KNOWLEDGE_POINTS = 2
SMI_PART_POINTS = 1
GATEWAY_API_YES_POINTS, GATEWAY_API_PARTIAL_POINTS = 2, 1
LATENCY_POINTS = 1
LOW_LATENCY_DATA_PLANES = (DataPlane.SIDECARLESS.value, DataPlane.PER_NODE.value)

LEVEL_WORDS: dict[str, str] = {
    YES: gettext_lazy("supported"),
    PARTIAL: gettext_lazy("only partly supported"),
    NO: gettext_lazy("not supported"),
    UNKNOWN: gettext_lazy("unknown (no source found)"),
}
# Why a must-have excludes a mesh, per level of its cell.
MUST_FAIL_WORDS: dict[str, str] = {
    PARTIAL: gettext_lazy("only partly supported, and you asked for full support"),
    NO: gettext_lazy("not supported"),
    UNKNOWN: gettext_lazy("no source found: unknown never counts"),
}

HEADLINES: dict[str, str] = {
    "not_worth_it": gettext_lazy("A service mesh is probably not worth it for you."),
    "consider": gettext_lazy("A service mesh may help, but check the alternatives first."),
    "worth_it": gettext_lazy("A service mesh looks like a sensible next step."),
}


def _check_choice(field: str, value: object) -> None:
    allowed = CHOICES[field]
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(map(repr, allowed))}; got {value!r}.")


def _check_bool(field: str, value: object) -> None:
    # A form's "on"/"false" string is truthy; refuse it rather than silently flip an answer.
    if not isinstance(value, bool):
        raise ValueError(f"{field} must be True or False; got {value!r}.")


def _slug_set(field: str, value: Iterable[str]) -> frozenset[str]:
    # A bare string would otherwise become a set of its characters.
    if isinstance(value, str):
        raise ValueError(f"{field} must be a collection of strings, not the string {value!r}.")
    items = frozenset(value)
    bad = sorted(repr(item) for item in items if not isinstance(item, str) or not item)
    if bad:
        raise ValueError(f"{field} may hold only non-empty strings; got {', '.join(bad)}.")
    return items


def _check_subset(field: str, items: frozenset[str], allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    unknown = sorted(items - frozenset(allowed))
    if unknown:
        raise ValueError(
            f"{field} has unknown choice(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(map(repr, allowed))}."
        )


@dataclass(frozen=True)
class MeshFacts:
    """What the decision needs to know about one mesh, copied out of the database."""

    slug: str
    name: str
    maturity: str  # "leading" | "followers" | "very_new" | "discontinued"
    discontinued: bool
    status_label: str  # e.g. "Archived 2023-07-11" (shown in exclusion reasons); "" when active
    runs_outside_kubernetes: bool  # Mesh.platforms == "beyond_kubernetes"
    data_plane: str  # "sidecar" | "per_node" | "sidecarless" | "mixed"
    proxy: str  # free text, e.g. "Envoy (istio-proxy)"
    developer: str
    clouds: frozenset[str]  # providers offering it managed/as add-on: subset of aws, gcp, azure
    config_lines: int | None  # lines of YAML for a 90/10 traffic split; None = unknown
    support: Mapping[str, str]  # feature slug -> level; a missing slug means unknown

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("A mesh needs a slug.")
        if self.maturity not in MATURITIES:
            raise ValueError(
                f"Mesh {self.slug!r}: maturity must be one of "
                f"{', '.join(map(repr, MATURITIES))}; got {self.maturity!r}."
            )
        if self.data_plane not in DATA_PLANES:
            raise ValueError(
                f"Mesh {self.slug!r}: data_plane must be one of "
                f"{', '.join(map(repr, DATA_PLANES))}; got {self.data_plane!r}."
            )
        clouds = _slug_set(f"Mesh {self.slug!r} clouds", self.clouds)
        _check_subset(f"Mesh {self.slug!r} clouds", clouds, CLOUD_NAMES)
        if self.config_lines is not None and (
            isinstance(self.config_lines, bool)
            or not isinstance(self.config_lines, int)
            or self.config_lines < 0
        ):
            raise ValueError(
                f"Mesh {self.slug!r}: config_lines must be a count of lines or None; "
                f"got {self.config_lines!r}."
            )
        bad = sorted(f"{k}={v!r}" for k, v in self.support.items() if v not in LEVELS)
        if bad:
            raise ValueError(
                f"Mesh {self.slug!r}: support levels must be one of "
                f"{', '.join(map(repr, LEVELS))}; got {', '.join(bad)}."
            )
        # Frozen means frozen: keep private, read-only copies so callers' later edits can't leak in.
        object.__setattr__(self, "clouds", clouds)
        object.__setattr__(self, "support", MappingProxyType(dict(self.support)))

    @property
    def is_discontinued(self) -> bool:
        # Either flag is enough: a half-edited row must never turn a dead product into advice.
        return self.discontinued or self.maturity == Maturity.DISCONTINUED

    def level(self, feature: str) -> str:
        return self.support.get(feature, UNKNOWN)


@dataclass(frozen=True)
class Answers:
    """The questionnaire's answers, one field per question. Invalid values raise ValueError."""

    # step 0 — the gate
    service_count: str  # "few" (about 10 or fewer) | "many"
    tech_diversity: str  # "low" | "high"
    mostly_synchronous: bool
    uses_kubernetes: bool
    change_frequency: str  # "rarely" | "often"
    needed: frozenset[str]  # subset of GATE_FEATURES keys
    # step 1 — environment
    infrastructure: str  # "kubernetes_only" | "beyond_kubernetes" (also VMs, ECS/Fargate, Nomad)
    cloud: str  # "aws" | "gcp" | "azure" | "other" (on-premises/other)
    knowledge: frozenset[str]  # subset of KNOWLEDGE keys
    standards: str  # "none" | "smi" | "gateway_api"
    # step 2 — features
    must: frozenset[str]  # feature slugs (the views merge the GATE_FEATURES of `needed` in)
    nice: frozenset[str]
    allow_partial: bool  # may "partial" satisfy a must-have?
    # step 3 — subjective fit
    min_maturity: str  # "leading" | "followers" | "very_new"
    complexity_tolerance: str  # "low" | "medium" | "high"
    latency_sensitive: bool

    def __post_init__(self) -> None:
        # Validated on construction, so no invalid Answers can reach decide(); the views validate
        # their forms first, this is the defence behind them.
        for field in CHOICES:
            _check_choice(field, getattr(self, field))
        for field in (
            "mostly_synchronous",
            "uses_kubernetes",
            "allow_partial",
            "latency_sensitive",
        ):
            _check_bool(field, getattr(self, field))
        sets = {f: _slug_set(f, getattr(self, f)) for f in ("needed", "knowledge", "must", "nice")}
        _check_subset("needed", sets["needed"], GATE_FEATURES)
        _check_subset("knowledge", sets["knowledge"], KNOWLEDGE)
        for field, value in sets.items():
            object.__setattr__(self, field, value)


@dataclass(frozen=True)
class GateReason:
    """One gate answer that points away from a mesh, what it means, and what to do instead."""

    question: str
    answer: str
    message: str
    alternative: str


@dataclass(frozen=True)
class Verdict:
    code: str  # "worth_it" | "consider" | "not_worth_it"
    headline: str
    reasons: tuple[GateReason, ...]
    # The needed features in sentences: the strongest reasons *for* a mesh (added to the spec).
    in_favour: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScorePart:
    points: int
    reason: str


@dataclass(frozen=True)
class Ranked:
    mesh: MeshFacts
    score: int  # always the sum of parts' points
    parts: tuple[ScorePart, ...]
    fits: tuple[str, ...]
    lacks: tuple[str, ...]
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class Excluded:
    mesh: MeshFacts
    reason: str


@dataclass(frozen=True)
class Relaxation:
    """The must-have that, dropped or made a nice-to-have, would readmit the most meshes."""

    feature: str
    feature_name: str
    excluded_count: int


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    shortlist: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]
    relax: Relaxation | None


def gate_must_haves(needed: Iterable[str]) -> frozenset[str]:
    """The feature slugs that gate question 6's choices turn into must-haves (for the views)."""
    chosen = _slug_set("needed", needed)
    _check_subset("needed", chosen, GATE_FEATURES)
    return frozenset(slug for key in chosen for slug in GATE_FEATURES[key])


# --- step 0: the verdict -------------------------------------------------------------------


def _gate_reasons(answers: Answers) -> tuple[GateReason, ...]:
    # In the order the questionnaire asks them, so the verdict page reads like the form.
    reasons = []
    if answers.service_count == "few":
        reasons.append(
            GateReason(
                question=_("How many services?"),
                answer=_("Few (about 10 or fewer)"),
                message=_(
                    "With few services, a service mesh is worth it only if specific features "
                    "are hard to get otherwise."
                ),
                alternative=_(
                    "Get timeouts, retries, encryption and metrics from libraries or from "
                    "Kubernetes itself; look at a mesh again when the services grow past about 10."
                ),
            )
        )
    if answers.tech_diversity == "low":
        reasons.append(
            GateReason(
                question=_("How diverse are the technologies (languages, frameworks)?"),
                answer=_("Low"),
                message=_("Libraries can be a good alternative to a service mesh."),
                alternative=_(
                    "With one or two stacks, a resilience and observability library per stack "
                    "(timeouts, retries, circuit breaking, metrics, tracing) covers much of it."
                ),
            )
        )
    if not answers.mostly_synchronous:
        reasons.append(
            GateReason(
                question=_("Is communication mostly synchronous (request/response)?"),
                answer=_("No, mostly asynchronous (messaging)"),
                message=_("A service mesh probably adds little value to messaging."),
                alternative=_(
                    "Look at what your messaging system offers itself: encryption, retries, "
                    "dead-letter queues and tracing of messages."
                ),
            )
        )
    if not answers.uses_kubernetes:
        reasons.append(
            GateReason(
                question=_("Is Kubernetes in use?"),
                answer=_("No"),
                message=_(
                    "The choice is considerably restricted: only meshes that run without "
                    "Kubernetes remain, and Kubernetes' own features (service discovery, basic "
                    "routing) are not there either."
                ),
                alternative=_(
                    "Use the service discovery and load balancing of your platform, or one of "
                    "the meshes that also run on VMs and other orchestrators."
                ),
            )
        )
    if answers.change_frequency == "rarely":
        reasons.append(
            GateReason(
                question=_("How dynamically do services change (versions and scaling)?"),
                answer=_("Rarely"),
                message=_(
                    "Static configuration may be enough; a mesh should probably not be the focus."
                ),
                alternative=_(
                    "Configure timeouts, retries and TLS statically, in the services or in a "
                    "shared reverse proxy or load balancer."
                ),
            )
        )
    return tuple(reasons)


def _verdict(answers: Answers) -> Verdict:
    reasons = _gate_reasons(answers)
    away = len(reasons)
    needed = bool(answers.needed)
    # Needed features are the strongest reasons for a mesh: they outweigh one away answer, and
    # stop two away answers from being a plain "no". Three or more away answers win regardless.
    if away >= 3 or (away >= 2 and not needed):
        code = "not_worth_it"
    elif away == 0 or (away <= 1 and needed):
        code = "worth_it"
    else:
        code = "consider"
    in_favour = tuple(
        _(
            "You need %(feature)s: one of the strongest reasons for a service mesh; "
            "it becomes a must-have."
        )
        % {"feature": GATE_FEATURE_LABELS[key]}
        for key in GATE_FEATURES
        if key in answers.needed
    )
    # str(): resolve the lazy headline now, in the active language, so the Verdict holds text.
    return Verdict(code=code, headline=str(HEADLINES[code]), reasons=reasons, in_favour=in_favour)


# --- steps 1-3: exclusion, score, shortlist ------------------------------------------------


def _display_order(slugs: Iterable[str], feature_names: Mapping[str, str]) -> tuple[str, ...]:
    # The caller passes feature_names in display order; slugs it doesn't know go last, sorted.
    position = {slug: i for i, slug in enumerate(feature_names)}
    return tuple(sorted(set(slugs), key=lambda s: (position.get(s, len(position)), s)))


def _must_met(level: str, allow_partial: bool) -> bool:
    # Unknown never meets a must-have: a recommendation must not rest on a missing source.
    return level == YES or (level == PARTIAL and allow_partial)


def _environment_reason(answers: Answers, mesh: MeshFacts) -> str | None:
    if mesh.runs_outside_kubernetes:
        return None
    # The gate's "no Kubernetes" is the stronger statement, so it wins over step 1's answer.
    if not answers.uses_kubernetes:
        return _("Runs only on Kubernetes, and you don't use Kubernetes.")
    if answers.infrastructure == Platforms.BEYOND_KUBERNETES:
        return _(
            "Runs only on Kubernetes, and you also run workloads outside it "
            "(VMs, ECS/Fargate, Nomad…)."
        )
    return None


def _precondition_reason(answers: Answers, mesh: MeshFacts) -> str | None:
    """Why a mesh is out before any feature is looked at: status, environment, maturity."""
    if mesh.is_discontinued:
        if mesh.status_label:
            return _("Discontinued (%(status)s): never recommended.") % {
                "status": mesh.status_label
            }
        return _("Discontinued: never recommended.")
    environment = _environment_reason(answers, mesh)
    if environment:
        return environment
    if MATURITY_RANK[mesh.maturity] < MATURITY_RANK[answers.min_maturity]:
        return _("Production readiness is %(maturity)s, below your minimum (%(minimum)s).") % {
            "maturity": MATURITY_LABELS[mesh.maturity],
            "minimum": MATURITY_LABELS[answers.min_maturity],
        }
    return None


def _first_failed_must(
    answers: Answers, mesh: MeshFacts, musts: Sequence[str]
) -> tuple[str, str] | None:
    for slug in musts:
        level = mesh.level(slug)
        if not _must_met(level, answers.allow_partial):
            return slug, level
    return None


def _score(
    answers: Answers, mesh: MeshFacts, nices: Sequence[str], name: Mapping[str, str]
) -> tuple[ScorePart, ...]:
    parts: list[ScorePart] = []
    # Nice-to-haves: partial counts (at half) whatever allow_partial says; that is for must-haves.
    for slug in nices:
        level = mesh.level(slug)
        if level == YES:
            reason = _("Nice-to-have %(feature)s: supported") % {"feature": name[slug]}
            parts.append(ScorePart(NICE_YES_POINTS, reason))
        elif level == PARTIAL:
            reason = _("Nice-to-have %(feature)s: only partly supported") % {"feature": name[slug]}
            parts.append(ScorePart(NICE_PARTIAL_POINTS, reason))
    maturity_points = MATURITY_POINTS[mesh.maturity]
    if maturity_points:
        reason = _("Production readiness: %(maturity)s") % {
            "maturity": MATURITY_LABELS[mesh.maturity]
        }
        parts.append(ScorePart(maturity_points, reason))
    if answers.cloud in mesh.clouds:
        reason = _("Offered managed or as an add-on by your cloud, %(cloud)s") % {
            "cloud": CLOUD_NAMES[answers.cloud]
        }
        parts.append(ScorePart(CLOUD_POINTS, reason))
    haystack = f"{mesh.proxy} {mesh.name} {mesh.developer}".casefold()
    known = [KNOWLEDGE[key] for key in KNOWLEDGE if key in answers.knowledge and key in haystack]
    if known:
        # One bonus however many items match: knowing Envoy and Istio doesn't double the fit.
        reason = _("Builds on what your team knows: %(products)s") % {"products": ", ".join(known)}
        parts.append(ScorePart(KNOWLEDGE_POINTS, reason))
    if answers.standards == "smi":
        smi_parts = [s for s in name if s.startswith(SMI_PREFIX)]
        smi_parts += sorted(s for s in mesh.support if s.startswith(SMI_PREFIX) and s not in name)
        for slug in smi_parts:
            if mesh.level(slug) == YES:
                reason = _("SMI standard: implements %(feature)s") % {"feature": name[slug]}
                parts.append(ScorePart(SMI_PART_POINTS, reason))
    elif answers.standards == "gateway_api":
        level = mesh.level(GATEWAY_API_MESH)
        feature = {"feature": name[GATEWAY_API_MESH]}
        if level == YES:
            reason = _("Gateway API standard: %(feature)s") % feature
            parts.append(ScorePart(GATEWAY_API_YES_POINTS, reason))
        elif level == PARTIAL:
            reason = _("Gateway API standard: %(feature)s only partly supported") % feature
            parts.append(ScorePart(GATEWAY_API_PARTIAL_POINTS, reason))
    limit = COMPLEXITY_LIMITS[answers.complexity_tolerance]
    if limit is not None and mesh.config_lines is not None and mesh.config_lines > limit:
        reason = _(
            "Configuration complexity: a 90/10 traffic split takes %(lines)d lines of YAML, "
            "more than the %(limit)d your %(tolerance)s tolerance allows"
        ) % {
            "lines": mesh.config_lines,
            "limit": limit,
            "tolerance": COMPLEXITY_WORDS[answers.complexity_tolerance],
        }
        parts.append(ScorePart(COMPLEXITY_PENALTY, reason))
    if answers.latency_sensitive and mesh.data_plane in LOW_LATENCY_DATA_PLANES:
        parts.append(
            ScorePart(
                LATENCY_POINTS,
                _("Latency: no proxy in each pod, so fewer hops on the request path"),
            )
        )
    return tuple(parts)


def _describe(
    answers: Answers,
    mesh: MeshFacts,
    musts: Sequence[str],
    nices: Sequence[str],
    name: Mapping[str, str],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The shortlist entry's fits, lacks and caveats, in display order, must-haves first."""
    fits: list[str] = []
    lacks: list[str] = []
    caveats: list[str] = []
    for kind, slugs in ((_("must-have"), musts), (_("nice-to-have"), nices)):
        for slug in slugs:
            level = mesh.level(slug)
            feature = {"feature": name[slug], "kind": kind, "level": LEVEL_WORDS[level]}
            # Translators: e.g. "Tracing (must-have): supported".
            entry = _("%(feature)s (%(kind)s): %(level)s") % feature
            if level in (YES, PARTIAL):
                fits.append(entry)
            else:
                lacks.append(entry)
            if level == PARTIAL:
                caveats.append(_("%(feature)s: only partly supported — check the note") % feature)
            elif level == UNKNOWN:
                caveats.append(
                    _("%(feature)s: unknown, no source found — check it yourself") % feature
                )
    if mesh.config_lines is None:
        caveats.append(
            _("Configuration complexity unknown: no 90/10 traffic split example recorded")
        )
    return tuple(fits), tuple(lacks), tuple(caveats)


def _relaxation(
    answers: Answers, candidates: Sequence[MeshFacts], musts: Sequence[str], name: Mapping[str, str]
) -> Relaxation | None:
    best: Relaxation | None = None
    for slug in musts:  # display order, and only a strictly higher count replaces: ties go first
        count = sum(1 for m in candidates if not _must_met(m.level(slug), answers.allow_partial))
        if count and (best is None or count > best.excluded_count):
            best = Relaxation(feature=slug, feature_name=name[slug], excluded_count=count)
    return best


class _Names(dict):
    """Feature names with the slug as fallback, so no reason text ever fails on a missing name."""

    def __missing__(self, key: str) -> str:
        return key


def decide(
    answers: Answers, meshes: Sequence[MeshFacts], feature_names: Mapping[str, str]
) -> Result:
    """Verdict, shortlist (best first), excluded meshes with their first reason, and a hint.

    The shortlist is computed whatever the verdict: a "no" is advice, not a locked door.
    Must-haves are taken as given; merge gate_must_haves(answers.needed) in before, as the views do.
    """
    if not isinstance(answers, Answers):
        raise ValueError(f"answers must be an Answers instance; got {type(answers).__name__}.")
    slugs = [m.slug for m in meshes]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise ValueError(f"Each mesh may appear once; duplicated: {', '.join(duplicates)}.")

    name = _Names(feature_names)
    musts = _display_order(answers.must, feature_names)
    # A must-have also listed as nice-to-have is a must-have: it must not earn points twice.
    nices = _display_order(answers.nice - answers.must, feature_names)

    shortlist: list[Ranked] = []
    excluded: list[Excluded] = []
    candidates: list[MeshFacts] = []  # passed status, environment and maturity
    for mesh in meshes:
        reason = _precondition_reason(answers, mesh)
        if reason:
            excluded.append(Excluded(mesh, reason))
            continue
        candidates.append(mesh)
        failed = _first_failed_must(answers, mesh, musts)
        if failed:
            slug, level = failed
            reason = _("Lacks must-have %(feature)s (%(why)s).") % {
                "feature": name[slug],
                "why": MUST_FAIL_WORDS[level],
            }
            excluded.append(Excluded(mesh, reason))
            continue
        parts = _score(answers, mesh, nices, name)
        fits, lacks, caveats = _describe(answers, mesh, musts, nices, name)
        shortlist.append(
            Ranked(
                mesh=mesh,
                score=sum(p.points for p in parts),
                parts=parts,
                fits=fits,
                lacks=lacks,
                caveats=caveats,
            )
        )

    # Higher score, then fewer open questions, then name; slug last makes the order total.
    shortlist.sort(key=lambda r: (-r.score, len(r.caveats), r.mesh.name.casefold(), r.mesh.slug))
    excluded.sort(key=lambda e: (e.mesh.name.casefold(), e.mesh.slug))
    relax = None if shortlist else _relaxation(answers, candidates, musts, name)
    return Result(
        verdict=_verdict(answers),
        shortlist=tuple(shortlist),
        excluded=tuple(excluded),
        relax=relax,
    )
