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
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from types import MappingProxyType

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from comparison.choices import (
    GATEWAY_API_MESH_FEATURE,
    SMI_FEATURE_PREFIX,
    BuildsOn,
    Cloud,
    CncfStatus,
    ComplexityBand,
    DataPlane,
    Experience,
    Hosting,
    Level,
    Maturity,
    Orchestrator,
    ProxyFamily,
    SupportWish,
)

# A plain or a lazily translated string (resolved in the active language when shown).
Text = str | Promise

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
GATE_FEATURE_LABELS: dict[str, Text] = {
    "mtls": gettext_lazy("mTLS between services"),
    "tracing": gettext_lazy("distributed tracing"),
    "routing": gettext_lazy("header- or path-based routing"),
    "rollouts": gettext_lazy("special rollouts (canary releases, A/B tests)"),
}

SMI_PREFIX = SMI_FEATURE_PREFIX
GATEWAY_API_MESH = GATEWAY_API_MESH_FEATURE
# Maturities a user may ask for as a minimum ("discontinued" is never recommended).
MIN_MATURITIES = (Maturity.LEADING.value, Maturity.FOLLOWERS.value, Maturity.VERY_NEW.value)

# Every choice question and its allowed values, so validation and error messages share one table.
CHOICES: dict[str, tuple[str, ...]] = {
    "service_count": ("few", "many"),
    "tech_diversity": ("low", "high"),
    "change_frequency": ("rarely", "often"),
    "cloud": tuple(Hosting.values),
    "standards": ("none", "smi", "gateway_api"),
    "support": tuple(SupportWish.values),
    "min_maturity": MIN_MATURITIES,
    "complexity_tolerance": tuple(ComplexityBand.values),
}
# Every yes/no question.
BOOLEANS = (
    "mostly_synchronous",
    "uses_kubernetes",
    "allow_partial",
    "latency_sensitive",
    "open_source_only",
    "cncf_graduated_only",
    "runs_openshift",
)
ORCHESTRATORS = tuple(Orchestrator.values)
ORCHESTRATOR_LABELS: dict[str, Text] = {o.value: o.label for o in Orchestrator}
EXPERIENCES = tuple(Experience.values)
# Product names: never translated.
EXPERIENCE_NAMES: dict[str, str] = {e.value: str(e.label) for e in Experience}
CLOUD_NAMES: dict[str, Text] = {cloud.value: cloud.label for cloud in Cloud}
HOSTING_NAMES: dict[str, Text] = {hosting.value: hosting.label for hosting in Hosting}
MATURITIES = tuple(Maturity.values)
DATA_PLANES = tuple(DataPlane.values)
PROXY_FAMILIES = tuple(ProxyFamily.values)
# Proxy families an Envoy-experienced team already knows how to debug.
ENVOY_FAMILIES = frozenset(
    {ProxyFamily.ENVOY.value, ProxyFamily.ZTUNNEL_ENVOY.value, ProxyFamily.EBPF_ENVOY.value}
)

# Higher is more production-ready; "discontinued" has no rank because it is never recommended.
MATURITY_RANK: dict[str, int] = {Maturity.LEADING: 3, Maturity.FOLLOWERS: 2, Maturity.VERY_NEW: 1}
MATURITY_LABELS: dict[str, Text] = {
    Maturity.LEADING: gettext_lazy("leading group"),
    Maturity.FOLLOWERS: gettext_lazy("followers"),
    Maturity.VERY_NEW: gettext_lazy("very new"),
    Maturity.DISCONTINUED: gettext_lazy("discontinued"),
}

# --- the ranking weights (documented in the README; the reasons and tests read these) ----------
MATURITY_POINTS: dict[str, int] = {Maturity.LEADING: 3, Maturity.FOLLOWERS: 1, Maturity.VERY_NEW: 0}
NICE_YES_POINTS, NICE_PARTIAL_POINTS = 2, 1
CLOUD_POINTS = 3  # offered managed (or as an add-on) by the team's cloud
PLATFORM_POINTS = 3  # made for the team's platform (an OpenShift-only product on OpenShift)
BOUND_ELSEWHERE_PENALTY = -4  # several clouds, and the product works with only one of them
EXPERIENCE_POINTS = 2  # once, however many skills match
SUPPORT_POINTS = 1  # support is welcome and someone sells it
NOT_FREE_PENALTY = -2  # no paid support wanted, but stable releases are not free (or unknown)
SMI_PART_POINTS = 1
SMI_ARCHIVED_NOTICE = gettext_lazy(
    "SMI was archived by the CNCF in October 2023: nobody develops the standard any more, and "
    "meshes are dropping it. Its successor for mesh traffic is the Kubernetes Gateway API "
    "(GAMMA); consider choosing that instead. SMI support still earns points here, as you asked."
)
GATEWAY_API_YES_POINTS, GATEWAY_API_PARTIAL_POINTS = 2, 1
LATENCY_POINTS = 1
LOW_LATENCY_DATA_PLANES = (DataPlane.SIDECARLESS.value, DataPlane.PER_NODE.value)
# Points by (tolerance, the mesh's complexity band); bands are thirds of the data, see below.
COMPLEXITY_POINTS: dict[tuple[str, str], int] = {
    (ComplexityBand.LOW, ComplexityBand.MEDIUM): -1,
    (ComplexityBand.LOW, ComplexityBand.HIGH): -2,
    (ComplexityBand.MEDIUM, ComplexityBand.HIGH): -1,
}
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
COMPARE_LIMIT = 4  # the compare page shows at most four meshes

LEVEL_WORDS: dict[str, Text] = {
    YES: gettext_lazy("supported"),
    PARTIAL: gettext_lazy("only partly supported"),
    NO: gettext_lazy("not supported"),
    UNKNOWN: gettext_lazy("unknown (no source found)"),
}
# Why a must-have excludes a mesh, per level of its cell.
MUST_FAIL_WORDS: dict[str, Text] = {
    PARTIAL: gettext_lazy("only partly supported, and you asked for full support"),
    NO: gettext_lazy("not supported"),
    UNKNOWN: gettext_lazy("no source found: unknown never counts"),
}

HEADLINES: dict[str, Text] = {
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
    """What the decision needs to know about one mesh, copied out of the database.

    None means unknown: no source was found. Unknown never passes a hard requirement and never
    earns points; it shows as an explicit "unknown" line instead.
    """

    slug: str
    name: str
    maturity: str  # "leading" | "followers" | "very_new" | "discontinued"
    discontinued: bool
    status_label: str  # e.g. "Archived 2023-07-11" (shown in exclusion reasons); "" when active
    data_plane: str  # "sidecar" | "per_node" | "sidecarless" | "mixed"
    clouds: frozenset[str]  # providers offering it managed/as add-on: subset of aws, gcp, azure
    config_lines: int | None  # lines of YAML for the 90/10 traffic split task; None = unknown
    support: Mapping[str, str]  # feature slug -> level; a missing slug means unknown
    runs_without_kubernetes: bool | None = None  # control and data plane with no cluster at all
    kubernetes_vm_workloads: bool | None = None  # VMs join a mesh run from Kubernetes
    orchestrators: frozenset[str] = frozenset()  # outside Kubernetes: subset of ORCHESTRATORS
    orchestrators_note: str = ""
    bound_to_cloud: str = ""  # works only with this cloud ("" = with any)
    requires_openshift: bool = False  # a product for Red Hat OpenShift clusters only
    licence: str = ""  # SPDX expression
    osi_open_source: bool | None = None
    cncf_status: str = CncfStatus.NONE.value
    commercial_support: str = ""  # who sells support; "" = nobody
    stable_releases_free: bool | None = None
    proxy_family: str = ""  # ProxyFamily value; "" = unknown
    builds_on: str = ""  # BuildsOn value; "" = unknown
    feature_sources: Mapping[str, str] = dataclass_field(
        default_factory=dict
    )  # feature slug -> source URL
    fact_sources: Mapping[str, str] = dataclass_field(
        default_factory=dict
    )  # fact name -> source URL

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("A mesh needs a slug.")
        for field, value, allowed in (
            ("maturity", self.maturity, MATURITIES),
            ("data_plane", self.data_plane, DATA_PLANES),
            ("proxy_family", self.proxy_family, ("", *PROXY_FAMILIES)),
            ("builds_on", self.builds_on, ("", *BuildsOn.values)),
            ("bound_to_cloud", self.bound_to_cloud, ("", *CLOUD_NAMES)),
            ("cncf_status", self.cncf_status, tuple(CncfStatus.values)),
        ):
            if value not in allowed:
                raise ValueError(
                    f"Mesh {self.slug!r}: {field} must be one of "
                    f"{', '.join(map(repr, allowed))}; got {value!r}."
                )
        for field in (
            "runs_without_kubernetes",
            "kubernetes_vm_workloads",
            "osi_open_source",
            "stable_releases_free",
        ):
            value = getattr(self, field)
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"Mesh {self.slug!r}: {field} must be True, False or None.")
        clouds = _slug_set(f"Mesh {self.slug!r} clouds", self.clouds)
        _check_subset(f"Mesh {self.slug!r} clouds", clouds, CLOUD_NAMES)
        orchestrators = _slug_set(f"Mesh {self.slug!r} orchestrators", self.orchestrators)
        _check_subset(f"Mesh {self.slug!r} orchestrators", orchestrators, ORCHESTRATORS)
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
        object.__setattr__(self, "orchestrators", orchestrators)
        object.__setattr__(self, "support", MappingProxyType(dict(self.support)))
        object.__setattr__(self, "feature_sources", MappingProxyType(dict(self.feature_sources)))
        object.__setattr__(self, "fact_sources", MappingProxyType(dict(self.fact_sources)))

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
    outside_kubernetes: frozenset[str]  # where workloads run outside Kubernetes (ORCHESTRATORS)
    cloud: str  # Hosting: "aws" | "gcp" | "azure" | "on_prem" | "multi"
    experience: frozenset[str]  # subset of EXPERIENCES; empty = none of these
    standards: str  # "none" | "smi" | "gateway_api"
    # step 2 — features
    must: frozenset[str]  # feature slugs (the views merge the GATE_FEATURES of `needed` in)
    nice: frozenset[str]
    allow_partial: bool  # may "partial" satisfy a must-have?
    # step 3 — subjective fit
    min_maturity: str  # "leading" | "followers" | "very_new"
    complexity_tolerance: str  # "low" | "medium" | "high"
    latency_sensitive: bool
    open_source_only: bool = False  # only OSI-approved licences
    cncf_graduated_only: bool = False
    support: str = SupportWish.WELCOME.value  # commercial support: required | welcome | not_wanted
    runs_openshift: bool = False  # the clusters are Red Hat OpenShift (OCP, ROSA, ARO, …)

    def __post_init__(self) -> None:
        # Validated on construction, so no invalid Answers can reach decide(); the views validate
        # their forms first, this is the defence behind them.
        for field in CHOICES:
            _check_choice(field, getattr(self, field))
        for field in BOOLEANS:
            _check_bool(field, getattr(self, field))
        names = ("needed", "outside_kubernetes", "experience", "must", "nice")
        sets = {f: _slug_set(f, getattr(self, f)) for f in names}
        _check_subset("needed", sets["needed"], GATE_FEATURES)
        _check_subset("outside_kubernetes", sets["outside_kubernetes"], ORCHESTRATORS)
        _check_subset("experience", sets["experience"], EXPERIENCES)
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
class Alternative:
    """Something to use instead of (or before) a mesh, with its official documentation."""

    key: str
    title: str
    text: str
    url: str


@dataclass(frozen=True)
class Verdict:
    code: str  # "worth_it" | "consider" | "not_worth_it"
    headline: str
    reasons: tuple[GateReason, ...]
    # The needed features in sentences: the strongest reasons *for* a mesh (added to the spec).
    in_favour: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()  # only when the verdict leans away


@dataclass(frozen=True)
class ScorePart:
    """One line of a mesh's evaluation: its points, why, and the data cell or fact behind it."""

    points: int
    reason: str
    feature: str = ""  # feature slug when the line is about a feature cell
    level: str = ""  # that cell's level (or "unknown" for a missing fact)
    source: str = ""  # where the cell or fact was read


@dataclass(frozen=True)
class Ranked:
    mesh: MeshFacts
    score: int  # always the sum of parts' points
    parts: tuple[ScorePart, ...]
    fits: tuple[str, ...]
    lacks: tuple[str, ...]
    caveats: tuple[str, ...]
    evidence: tuple[ScorePart, ...] = ()  # the must-haves it meets, with their cells (0 points)
    rank: int = 1  # competition ranking: the same score gives the same rank
    tied: bool = False  # another mesh has the same score

    @property
    def reasons(self) -> tuple[ScorePart, ...]:
        return self.evidence + self.parts


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
class ComplexityCuts:
    """Band limits from the data: low up to `low_max` lines, high from `high_min` lines."""

    low_max: int
    high_min: int
    counted: int  # how many active meshes with a recorded split the thirds were taken from

    def band(self, lines: int) -> str:
        if lines <= self.low_max:
            return ComplexityBand.LOW.value
        if lines >= self.high_min:
            return ComplexityBand.HIGH.value
        return ComplexityBand.MEDIUM.value


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    shortlist: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]
    relax: Relaxation | None
    complexity_cuts: ComplexityCuts | None = None
    # Warnings about the answers themselves (e.g. a standard that was archived).
    notices: tuple[str, ...] = ()

    @property
    def compare_group(self) -> tuple[Ranked, ...]:
        """The top 3 for "compare", widened to every mesh tied with the third, at most 4."""
        if len(self.shortlist) < 2:
            return ()
        last_rank = self.shortlist[min(3, len(self.shortlist)) - 1].rank
        group = tuple(r for r in self.shortlist if r.rank <= last_rank)
        return group[:COMPARE_LIMIT]


def gate_must_haves(needed: Iterable[str]) -> frozenset[str]:
    """The feature slugs that gate question 6's choices turn into must-haves (for the views)."""
    chosen = _slug_set("needed", needed)
    _check_subset("needed", chosen, GATE_FEATURES)
    return frozenset(slug for key in chosen for slug in GATE_FEATURES[key])


def complexity_cuts(meshes: Iterable[MeshFacts]) -> ComplexityCuts | None:
    """Thirds of the active meshes' line counts: the lowest third by rank is "low", the highest
    third "high" (a count tied with a band's edge joins that band). None without data."""
    counts = sorted(m.config_lines for m in meshes if not m.is_discontinued and m.config_lines)
    if not counts:
        return None
    third = -(-len(counts) // 3)  # ceil: with 9 meshes, 3 per third
    low_max = counts[third - 1]
    high_min = max(counts[len(counts) - third], low_max + 1)
    return ComplexityCuts(low_max=low_max, high_min=high_min, counted=len(counts))


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
                alternative=(
                    _(
                        "Get timeouts, retries, encryption and metrics from libraries or from "
                        "Kubernetes itself; look at a mesh again when the services grow past "
                        "about 10."
                    )
                    if answers.uses_kubernetes
                    else _(
                        "Get timeouts, retries, encryption and metrics from libraries and your "
                        "platform's load balancer; look at a mesh again when the services grow "
                        "past about 10."
                    )
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
    alternatives = () if code == "worth_it" else _alternatives(answers)
    # str(): resolve the lazy headline now, in the active language, so the Verdict holds text.
    return Verdict(
        code=code,
        headline=str(HEADLINES[code]),
        reasons=reasons,
        in_favour=in_favour,
        alternatives=alternatives,
    )


# What to use instead of a mesh: (key, title, text, official documentation). Titles are product
# names; _alternatives() picks them by the answers.
ALTERNATIVES: dict[str, tuple[str, Text, str]] = {
    "resilience4j": (
        "Resilience4j",
        gettext_lazy("JVM: timeouts, retries, circuit breakers and rate limits as a library."),
        "https://resilience4j.readme.io/docs/getting-started",
    ),
    "dotnet-resilience": (
        "Polly / Microsoft.Extensions.Http.Resilience",
        gettext_lazy(".NET: retries, timeouts and circuit breakers for HttpClient."),
        "https://learn.microsoft.com/en-us/dotnet/core/resilience/http-resilience",
    ),
    "grpc-retry": (
        "gRPC retries",
        gettext_lazy("Any gRPC stack: built-in, configurable retries with backoff."),
        "https://grpc.io/docs/guides/retry/",
    ),
    "opentelemetry": (
        "OpenTelemetry",
        gettext_lazy(
            "Distributed tracing and metrics by instrumenting the services, no proxy needed."
        ),
        "https://opentelemetry.io/docs/concepts/instrumentation/",
    ),
    "kafka-security": (
        "Apache Kafka security",
        gettext_lazy("Kafka's own TLS encryption, authentication and ACLs for messaging."),
        "https://kafka.apache.org/documentation/#security",
    ),
    "nats-security": (
        "NATS security",
        gettext_lazy("NATS' own TLS, authentication and authorization for messaging."),
        "https://docs.nats.io/running-a-nats-service/configuration/securing_nats",
    ),
    "ecs-service-connect": (
        "Amazon ECS Service Connect",
        gettext_lazy(
            "Service discovery, retries, timeouts and traffic metrics between ECS services, "
            "managed by AWS."
        ),
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html",
    ),
    "vpc-lattice": (
        "Amazon VPC Lattice",
        gettext_lazy(
            "Service-to-service connectivity, routing and authorization across EC2, ECS, EKS "
            "and Lambda, managed by AWS."
        ),
        "https://docs.aws.amazon.com/vpc-lattice/latest/ug/what-is-vpc-lattice.html",
    ),
    "cert-manager": (
        "cert-manager",
        gettext_lazy("Issues and renews TLS certificates in Kubernetes, for TLS between services."),
        "https://cert-manager.io/docs/",
    ),
    "network-policies": (
        "Kubernetes NetworkPolicy",
        gettext_lazy("Which pods may talk to which: Kubernetes' own traffic rules."),
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    ),
    "static-proxy": (
        "Envoy static configuration",
        gettext_lazy(
            "For rarely changing services: timeouts, retries and TLS in a statically configured "
            "proxy."
        ),
        "https://www.envoyproxy.io/docs/envoy/latest/start/quick-start/configuration-static",
    ),
}


def _alternatives(answers: Answers) -> tuple[Alternative, ...]:
    """The concrete alternatives that fit these answers, in a fixed order."""
    keys: list[str] = []
    if answers.tech_diversity == "low" or answers.service_count == "few":
        keys += ["resilience4j", "dotnet-resilience", "grpc-retry"]
    if "tracing" in answers.needed or "tracing" in answers.must or keys:
        keys.append("opentelemetry")
    if not answers.mostly_synchronous:
        keys += ["kafka-security", "nats-security"]
    if not answers.uses_kubernetes and (
        answers.cloud == Hosting.AWS or Orchestrator.ECS in answers.outside_kubernetes
    ):
        keys += ["ecs-service-connect", "vpc-lattice"]
    if answers.uses_kubernetes:
        keys += ["cert-manager", "network-policies"]
    if answers.change_frequency == "rarely":
        keys.append("static-proxy")
    return tuple(
        Alternative(
            key=key,
            title=ALTERNATIVES[key][0],
            text=str(ALTERNATIVES[key][1]),
            url=ALTERNATIVES[key][2],
        )
        for key in keys
    )


# --- steps 1-3: exclusion, score, shortlist ------------------------------------------------


def _display_order(slugs: Iterable[str], feature_names: Mapping[str, str]) -> tuple[str, ...]:
    # The caller passes feature_names in display order; slugs it doesn't know go last, sorted.
    position = {slug: i for i, slug in enumerate(feature_names)}
    return tuple(sorted(set(slugs), key=lambda s: (position.get(s, len(position)), s)))


def _must_met(level: str, allow_partial: bool) -> bool:
    # Unknown never meets a must-have: a recommendation must not rest on a missing source.
    return level == YES or (level == PARTIAL and allow_partial)


def _orchestrator_list(orchestrators: Iterable[str]) -> str:
    return ", ".join(str(ORCHESTRATOR_LABELS[o]) for o in ORCHESTRATORS if o in orchestrators)


def _environment_reason(answers: Answers, mesh: MeshFacts) -> str | None:
    # No Kubernetes at all: the control plane must run without it, and "unknown" is not enough.
    if not answers.uses_kubernetes and mesh.runs_without_kubernetes is not True:
        if mesh.runs_without_kubernetes is None:
            return _(
                "Unknown whether it runs without Kubernetes (no source found), and you don't "
                "use Kubernetes."
            )
        return _("Needs a Kubernetes cluster for its control plane, and you don't use Kubernetes.")
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


def _precondition_reason(answers: Answers, mesh: MeshFacts) -> str | None:
    """Why a mesh is out before any feature is looked at, in this order: status, environment,
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
    if mesh.requires_openshift and not answers.runs_openshift:
        return _("Runs only on Red Hat OpenShift, and your clusters are not OpenShift.")
    bound = mesh.bound_to_cloud
    if bound and answers.cloud not in (bound, Hosting.MULTI):
        return _("Works only with %(bound)s, and you run on %(cloud)s.") % {
            "bound": CLOUD_NAMES[bound],
            "cloud": HOSTING_NAMES[answers.cloud],
        }
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


def _first_failed_must(
    answers: Answers, mesh: MeshFacts, musts: Sequence[str]
) -> tuple[str, str] | None:
    for slug in musts:
        level = mesh.level(slug)
        if not _must_met(level, answers.allow_partial):
            return slug, level
    return None


def _feature_part(points: int, reason: str, mesh: MeshFacts, slug: str) -> ScorePart:
    return ScorePart(
        points,
        reason,
        feature=slug,
        level=mesh.level(slug),
        source=mesh.feature_sources.get(slug, ""),
    )


def _fact_part(points: int, reason: str, mesh: MeshFacts, fact: str, level: str = "") -> ScorePart:
    return ScorePart(points, reason, level=level, source=mesh.fact_sources.get(fact, ""))


def _experience_part(answers: Answers, mesh: MeshFacts) -> ScorePart | None:
    if not answers.experience:
        return None
    if not mesh.proxy_family or not mesh.builds_on:
        return _fact_part(
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
    # One bonus however many items match: knowing Envoy and Istio doesn't double the fit.
    reason = _("Builds on what your team knows: %(products)s") % {"products": ", ".join(known)}
    return _fact_part(EXPERIENCE_POINTS, reason, mesh, "proxy_family")


def _support_parts(answers: Answers, mesh: MeshFacts) -> list[ScorePart]:
    parts: list[ScorePart] = []
    if answers.support == SupportWish.WELCOME and mesh.commercial_support:
        reason = _("Commercial support available: %(vendors)s") % {
            "vendors": mesh.commercial_support
        }
        parts.append(_fact_part(SUPPORT_POINTS, reason, mesh, "commercial_support"))
    if answers.support == SupportWish.NOT_WANTED and mesh.stable_releases_free is not True:
        if mesh.stable_releases_free is None:
            reason = _(
                "Unknown whether stable releases are free (no source found): counted as not "
                "free, and you want no paid support"
            )
            parts.append(
                _fact_part(NOT_FREE_PENALTY, reason, mesh, "stable_releases_free", UNKNOWN)
            )
        else:
            reason = _(
                "Stable releases are not free (a vendor's subscription or licence), and you want "
                "no paid support"
            )
            parts.append(_fact_part(NOT_FREE_PENALTY, reason, mesh, "stable_releases_free", NO))
    return parts


def _complexity_part(
    answers: Answers, mesh: MeshFacts, cuts: ComplexityCuts | None
) -> ScorePart | None:
    tolerance = answers.complexity_tolerance
    if tolerance == ComplexityBand.HIGH or cuts is None:
        return None
    words = {"tolerance": COMPLEXITY_WORDS[tolerance]}
    if mesh.config_lines is None:
        # Never a free pass: without an example it counts as the most verbose third.
        points = COMPLEXITY_POINTS[(tolerance, ComplexityBand.HIGH)]
        reason = (
            _(
                "Configuration complexity unknown (no 90/10 traffic split recorded): counted as "
                "the most verbose third for your %(tolerance)s tolerance"
            )
            % words
        )
        return _fact_part(points, reason, mesh, "traffic_split", UNKNOWN)
    band = cuts.band(mesh.config_lines)
    points = COMPLEXITY_POINTS.get((tolerance, band), 0)
    if not points:
        return None
    reason = _(
        "Configuration complexity: the 90/10 traffic split takes %(lines)d lines, in "
        "%(band)s of the meshes, more than your %(tolerance)s tolerance"
    ) % {**words, "lines": mesh.config_lines, "band": BAND_WORDS[band]}
    return _fact_part(points, reason, mesh, "traffic_split")


def _score(
    answers: Answers,
    mesh: MeshFacts,
    nices: Sequence[str],
    name: Mapping[str, str],
    cuts: ComplexityCuts | None,
) -> tuple[ScorePart, ...]:
    parts: list[ScorePart] = []
    # Nice-to-haves: partial counts (at half) whatever allow_partial says; that is for must-haves.
    for slug in nices:
        level = mesh.level(slug)
        feature = {"feature": name[slug]}
        if level == YES:
            reason = _("Nice-to-have %(feature)s: supported") % feature
            parts.append(_feature_part(NICE_YES_POINTS, reason, mesh, slug))
        elif level == PARTIAL:
            reason = _("Nice-to-have %(feature)s: only partly supported") % feature
            parts.append(_feature_part(NICE_PARTIAL_POINTS, reason, mesh, slug))
        elif level == UNKNOWN:
            reason = _("Nice-to-have %(feature)s: unknown (no source found), no points") % feature
            parts.append(_feature_part(0, reason, mesh, slug))
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
        parts.append(_fact_part(CLOUD_POINTS, reason, mesh, "clouds"))
    if mesh.requires_openshift and answers.runs_openshift:
        reason = _("Made for your platform: Red Hat supports it with OpenShift")
        parts.append(_fact_part(PLATFORM_POINTS, reason, mesh, "requires_openshift"))
    if mesh.bound_to_cloud and answers.cloud == Hosting.MULTI:
        reason = _("Works only with %(bound)s, and you run on several clouds") % {
            "bound": CLOUD_NAMES[mesh.bound_to_cloud]
        }
        parts.append(_fact_part(BOUND_ELSEWHERE_PENALTY, reason, mesh, "clouds"))
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
                parts.append(_feature_part(SMI_PART_POINTS, reason, mesh, slug))
    elif answers.standards == "gateway_api":
        level = mesh.level(GATEWAY_API_MESH)
        feature = {"feature": name[GATEWAY_API_MESH]}
        if level == YES:
            reason = _("Gateway API standard: %(feature)s") % feature
            parts.append(_feature_part(GATEWAY_API_YES_POINTS, reason, mesh, GATEWAY_API_MESH))
        elif level == PARTIAL:
            reason = _("Gateway API standard: %(feature)s only partly supported") % feature
            parts.append(_feature_part(GATEWAY_API_PARTIAL_POINTS, reason, mesh, GATEWAY_API_MESH))
    complexity = _complexity_part(answers, mesh, cuts)
    if complexity:
        parts.append(complexity)
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
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[ScorePart, ...]]:
    """The shortlist entry's fits, lacks, caveats and must-have evidence, in display order."""
    fits: list[str] = []
    lacks: list[str] = []
    caveats: list[str] = []
    evidence: list[ScorePart] = []
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
            if slugs is musts:
                evidence.append(_feature_part(0, entry, mesh, slug))
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
    if answers.outside_kubernetes and mesh.orchestrators_note:
        caveats.append(_("Outside Kubernetes: %(note)s") % {"note": mesh.orchestrators_note})
    return tuple(fits), tuple(lacks), tuple(caveats), tuple(evidence)


def _relaxation(
    answers: Answers, candidates: Sequence[MeshFacts], musts: Sequence[str], name: Mapping[str, str]
) -> Relaxation | None:
    best: Relaxation | None = None
    for slug in musts:  # display order, and only a strictly higher count replaces: ties go first
        count = sum(1 for m in candidates if not _must_met(m.level(slug), answers.allow_partial))
        if count and (best is None or count > best.excluded_count):
            best = Relaxation(feature=slug, feature_name=name[slug], excluded_count=count)
    return best


def _ranked(shortlist: list[Ranked]) -> tuple[Ranked, ...]:
    """Best first; the same score gives the same rank (1, 1, 3) and a "tied" mark."""
    # Within a tie the order is only the name's, so it is stable; the rank says they are equal.
    shortlist.sort(key=lambda r: (-r.score, r.mesh.name.casefold(), r.mesh.slug))
    scores = [r.score for r in shortlist]
    return tuple(
        replace(r, rank=1 + sum(1 for s in scores if s > r.score), tied=scores.count(r.score) > 1)
        for r in shortlist
    )


class _Names(dict[str, str]):
    """Feature names with the slug as fallback, so no reason text ever fails on a missing name."""

    def __missing__(self, key: str) -> str:
        return key


def decide(
    answers: Answers, meshes: Sequence[MeshFacts], feature_names: Mapping[str, str]
) -> Result:
    """Verdict, shortlist (best first), excluded meshes with their first reason, and a hint.

    The shortlist is computed whatever the verdict: a "no" is advice, not a locked door.
    Must-haves are taken as given; merge gate_must_haves(answers.needed) in before, as the views do.
    The complexity bands come from all meshes passed in, so pass every mesh, not a filtered few.
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
    cuts = complexity_cuts(meshes)

    shortlist: list[Ranked] = []
    excluded: list[Excluded] = []
    candidates: list[MeshFacts] = []  # passed status, environment, licence and maturity
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
        parts = _score(answers, mesh, nices, name, cuts)
        fits, lacks, caveats, evidence = _describe(answers, mesh, musts, nices, name)
        shortlist.append(
            Ranked(
                mesh=mesh,
                score=sum(p.points for p in parts),
                parts=parts,
                fits=fits,
                lacks=lacks,
                caveats=caveats,
                evidence=evidence,
            )
        )

    excluded.sort(key=lambda e: (e.mesh.name.casefold(), e.mesh.slug))
    relax = None if shortlist else _relaxation(answers, candidates, musts, name)
    return Result(
        verdict=_verdict(answers),
        shortlist=_ranked(shortlist),
        excluded=tuple(excluded),
        relax=relax,
        complexity_cuts=cuts,
        notices=_notices(answers),
    )


def _notices(answers: Answers) -> tuple[str, ...]:
    if answers.standards == "smi":
        return (str(SMI_ARCHIVED_NOTICE),)
    return ()
