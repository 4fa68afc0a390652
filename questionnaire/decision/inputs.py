"""The decision's input: the answers (one field per public API key) and the plain data of each
option, both validated on construction so nothing invalid reaches the ranking."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from types import MappingProxyType
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from comparison.choices import (
    GATEWAY_API_MESH_FEATURE,
    SMI_FEATURE_PREFIX,
    BuildsOn,
    Cloud,
    CncfStatus,
    Communication,
    ComplexityBand,
    DataPlane,
    Experience,
    Hosting,
    Language,
    Level,
    Maturity,
    MeshKind,
    Orchestrator,
    Platforms,
    ProxyFamily,
    Stage,
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
STAGES = ("", *Stage.values)
BETA, ALPHA, PREVIEW, DEPRECATED = (
    Stage.BETA.value,
    Stage.ALPHA.value,
    Stage.PREVIEW.value,
    Stage.DEPRECATED.value,
)

# Gate question "which of these do you need?" -> the feature slugs that become must-haves.
GATE_FEATURES: dict[str, tuple[str, ...]] = {
    "mtls": ("mtls-http",),
    "tracing": ("tracing",),
    "routing": ("header-routing", "path-routing"),
    "rollouts": ("traffic-split",),
}
GATE_FEATURE_LABELS: dict[str, Text] = {
    "mtls": gettext_lazy("mTLS between services"),
    "tracing": gettext_lazy("distributed tracing"),
    "routing": gettext_lazy("header- or path-based routing"),
    "rollouts": gettext_lazy("special rollouts (canary releases, A/B tests)"),
}

SMI_PREFIX = SMI_FEATURE_PREFIX
GATEWAY_API_MESH = GATEWAY_API_MESH_FEATURE
MIN_MATURITIES = (Maturity.LEADING.value, Maturity.FOLLOWERS.value, Maturity.VERY_NEW.value)
MAX_PODS = 1_000_000

# Every choice question (its API key) and its allowed values: validation, forms, API and
# OpenAPI read this one table.
CHOICES: dict[str, tuple[str, ...]] = {
    "services": ("few", "many"),
    "tech_diversity": ("low", "high"),
    "communication": tuple(Communication.values),
    "change_frequency": ("rarely", "often"),
    "cloud": tuple(Hosting.values),
    "standards": ("none", "smi", "gateway_api"),
    "support": tuple(SupportWish.values),
    "min_maturity": MIN_MATURITIES,
    "complexity_tolerance": tuple(ComplexityBand.values),
}
BOOLEANS = (
    "kubernetes",
    "openshift",
    "partial_ok",
    "experimental_ok",
    "latency_sensitive",
    "open_source_only",
    "cncf_graduated_only",
)
ORCHESTRATORS = tuple(Orchestrator.values)
EXPERIENCES = tuple(Experience.values)
LANGUAGES = tuple(Language.values)
# Lists of fixed choices; "must" and "nice" are feature slugs, checked against the catalogue.
LIST_CHOICES: dict[str, tuple[str, ...]] = {
    "needs": tuple(GATE_FEATURES),
    "outside_kubernetes": ORCHESTRATORS,
    "experience": EXPERIENCES,
    "languages": LANGUAGES,
}
ORCHESTRATOR_LABELS: dict[str, Text] = {o.value: o.label for o in Orchestrator}
EXPERIENCE_NAMES: dict[str, str] = {e.value: str(e.label) for e in Experience}
CLOUD_NAMES: dict[str, Text] = {cloud.value: cloud.label for cloud in Cloud}
HOSTING_NAMES: dict[str, Text] = {hosting.value: hosting.label for hosting in Hosting}
MATURITIES = tuple(Maturity.values)
DATA_PLANES = tuple(DataPlane.values)
PROXY_FAMILIES = tuple(ProxyFamily.values)
ENVOY_FAMILIES = frozenset(
    {ProxyFamily.ENVOY.value, ProxyFamily.ZTUNNEL_ENVOY.value, ProxyFamily.EBPF_ENVOY.value}
)
MATURITY_RANK: dict[str, int] = {Maturity.LEADING: 3, Maturity.FOLLOWERS: 2, Maturity.VERY_NEW: 1}
MATURITY_LABELS: dict[str, Text] = {
    Maturity.LEADING: gettext_lazy("leading group"),
    Maturity.FOLLOWERS: gettext_lazy("followers"),
    Maturity.VERY_NEW: gettext_lazy("very new"),
    Maturity.DISCONTINUED: gettext_lazy("discontinued"),
}


def _check_choice(field: str, value: object) -> None:
    allowed = CHOICES[field]
    if value not in allowed:
        raise InvalidAnswer(
            field, f"Must be one of {', '.join(map(repr, allowed))}; got {value!r}."
        )


def _check_bool(field: str, value: object) -> None:
    # A form's "on"/"false" string is truthy; refuse it rather than silently flip an answer.
    if not isinstance(value, bool):
        raise InvalidAnswer(field, f"Must be true or false; got {value!r}.")


def slug_set(field: str, value: Iterable[str]) -> frozenset[str]:
    # A bare string would otherwise become a set of its characters.
    if isinstance(value, str):
        raise InvalidAnswer(field, f"Must be a list of strings, not the string {value!r}.")
    items = frozenset(value)
    bad = sorted(repr(item) for item in items if not isinstance(item, str) or not item)
    if bad:
        raise InvalidAnswer(field, f"May hold only non-empty strings; got {', '.join(bad)}.")
    return items


def check_subset(field: str, items: frozenset[str], allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    unknown = sorted(items - frozenset(allowed))
    if unknown:
        raise InvalidAnswer(
            field,
            f"Unknown choice(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(map(repr, allowed))}.",
        )


class Names(dict[str, str]):
    """Feature names with the slug as fallback, so no reason text ever fails on a missing name."""

    def __missing__(self, key: str) -> str:
        return key


class InvalidAnswer(ValueError):
    """An answer the decision cannot take, with the field (API key) it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Contradiction:
    """Two answers that cannot both be true; the API refuses them naming both fields."""

    fields: tuple[str, str]
    message: Text


class ContradictoryAnswers(ValueError):
    def __init__(self, contradictions: tuple[Contradiction, ...]) -> None:
        super().__init__("; ".join(str(c.message) for c in contradictions))
        self.contradictions = contradictions


def gate_must_haves(needs: Iterable[str]) -> frozenset[str]:
    """The feature slugs that the gate's "needs" answers turn into must-haves."""
    chosen = slug_set("needs", needs)
    check_subset("needs", chosen, GATE_FEATURES)
    return frozenset(slug for key in chosen for slug in GATE_FEATURES[key])


def contradictions(values: Mapping[str, Any]) -> tuple[Contradiction, ...]:
    """Pairs of answers (by API key) that contradict each other; partial answers are fine, so
    the wizard can check a step against the steps before it."""
    found: list[Contradiction] = []
    if values.get("kubernetes") is False and values.get("openshift") is True:
        found.append(
            Contradiction(
                ("kubernetes", "openshift"),
                gettext_lazy(
                    "OpenShift is Kubernetes: you answered that you don't use Kubernetes but "
                    "that your clusters run OpenShift."
                ),
            )
        )
    ecs = Orchestrator.ECS.value in values.get("outside_kubernetes", ())
    if ecs and values.get("cloud") not in (None, Hosting.AWS, Hosting.MULTI):
        found.append(
            Contradiction(
                ("outside_kubernetes", "cloud"),
                gettext_lazy(
                    "Amazon ECS runs only on AWS: you named ECS workloads but do not run on AWS."
                ),
            )
        )
    must, nice = set(values.get("must", ())), set(values.get("nice", ()))
    if must & nice:
        found.append(
            Contradiction(
                ("must", "nice"),
                gettext_lazy("A feature is either a must-have or a nice-to-have, not both: %s")
                % ", ".join(sorted(must & nice)),
            )
        )
    needed = {slug for key in values.get("needs", ()) for slug in GATE_FEATURES.get(key, ())}
    if needed & nice:
        found.append(
            Contradiction(
                ("needs", "nice"),
                gettext_lazy(
                    "What you need at the first question is a must-have, not a nice-to-have: %s"
                )
                % ", ".join(sorted(needed & nice)),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class Answers:
    """The questionnaire's answers, one field per key of POST /api/recommend (the one vocabulary
    of the API, forms, stored results and this module). Invalid values raise InvalidAnswer,
    contradictory ones ContradictoryAnswers."""

    # Is a mesh sensible at all?
    services: str = "many"  # "few" (about 10 or fewer) | "many"
    tech_diversity: str = "high"
    communication: str = Communication.SYNC.value
    kubernetes: bool = True
    change_frequency: str = "often"
    needs: frozenset[str] = frozenset()  # GATE_FEATURES keys; they become must-haves
    # Environment
    outside_kubernetes: frozenset[str] = frozenset()
    cloud: str = Hosting.ON_PREM.value
    openshift: bool = False
    experience: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()  # empty: not said
    standards: str = "none"
    # Features
    must: frozenset[str] = frozenset()  # feature slugs, besides those `needs` implies
    nice: frozenset[str] = frozenset()
    partial_ok: bool = False  # partial support may meet a must-have (at a cost)
    experimental_ok: bool = False  # alpha/experimental support may meet a must-have (at a cost)
    # Fit
    min_maturity: str = Maturity.FOLLOWERS.value
    complexity_tolerance: str = ComplexityBand.MEDIUM.value
    latency_sensitive: bool = False
    pods: int | None = None  # how many pods the mesh would serve; None: not said
    open_source_only: bool = False
    cncf_graduated_only: bool = False
    support: str = SupportWish.WELCOME.value

    def __post_init__(self) -> None:
        for name in CHOICES:
            _check_choice(name, getattr(self, name))
        for name in BOOLEANS:
            _check_bool(name, getattr(self, name))
        for name in (*LIST_CHOICES, "must", "nice"):
            items = slug_set(name, getattr(self, name))
            if name in LIST_CHOICES:
                check_subset(name, items, LIST_CHOICES[name])
            object.__setattr__(self, name, items)
        pods = self.pods
        if pods is not None and (
            isinstance(pods, bool) or not isinstance(pods, int) or not 1 <= pods <= MAX_PODS
        ):
            raise InvalidAnswer("pods", f"Must be a whole number from 1 to {MAX_PODS:,} or null.")
        found = contradictions(self.as_values())
        if found:
            raise ContradictoryAnswers(found)
        # What the gate's needs imply is a must-have, however the answers arrived (the wizard
        # lists them under must, the API may not): one normal form, so equal answers compare equal.
        object.__setattr__(self, "must", self.must | gate_must_haves(self.needs))

    def as_values(self) -> dict[str, Any]:
        """The answers by API key, lists sorted (the stored and JSON form)."""
        values: dict[str, Any] = {}
        for name in ANSWER_KEYS:
            value = getattr(self, name)
            values[name] = sorted(value) if isinstance(value, frozenset) else value
        return values

    @property
    def mostly_synchronous(self) -> bool:
        return self.communication == Communication.SYNC

    @property
    def all_must(self) -> frozenset[str]:
        """Every must-have: those named, and those the gate's needs imply (already merged)."""
        return self.must


# Every answer key in the order the questionnaire asks; the API, forms and storage use these.
ANSWER_KEYS: tuple[str, ...] = tuple(Answers.__dataclass_fields__)
ANSWER_DEFAULTS: dict[str, Any] = {
    name: (sorted(f.default) if isinstance(f.default, frozenset) else f.default)
    for name, f in Answers.__dataclass_fields__.items()
}


@dataclass(frozen=True)
class OverheadEstimate:
    """The newest comparable per-proxy memory figure of an option (or of its upstream)."""

    memory_mib: float
    source: str
    published: str  # as the publisher dated it, e.g. "2024-11"
    version: str
    outdated: bool  # measured on a version or at a time the portal calls old


@dataclass(frozen=True)
class MeshFacts:
    """What the decision needs to know about one option, copied out of the database.

    None (or a missing key) means unknown: no source was found. Unknown never meets a must-have
    and never earns points; it is shown as something to check.
    """

    slug: str
    name: str
    maturity: str
    discontinued: bool
    status_label: str  # e.g. "Archived 2023-07-11"; "" when active
    data_plane: str
    clouds: frozenset[str]  # clouds that offer it managed or as an add-on
    config_lines: int | None  # its own API's 90/10 traffic split, in lines; None = unknown
    support: Mapping[str, str]  # feature slug -> level; missing = unknown
    runs_without_kubernetes: bool | None = None
    kubernetes_vm_workloads: bool | None = None
    orchestrators: frozenset[str] = frozenset()
    orchestrators_note: str = ""
    bound_to_cloud: str = ""
    requires_openshift: bool = False
    licence: str = ""
    osi_open_source: bool | None = None
    cncf_status: str = CncfStatus.NONE.value
    commercial_support: str = ""
    stable_releases_free: bool | None = None
    proxy_family: str = ""
    builds_on: str = ""
    feature_sources: Mapping[str, str] = dataclass_field(default_factory=dict)
    fact_sources: Mapping[str, str] = dataclass_field(default_factory=dict)
    kind: str = MeshKind.SERVICE_MESH.value
    platforms: str = Platforms.BEYOND_KUBERNETES.value
    upstream: str = ""  # slug of the product it distributes; "" for an upstream
    family_name: str = ""  # the upstream's name (or its own)
    stages: Mapping[str, str] = dataclass_field(default_factory=dict)  # feature slug -> stage
    gateway_api: bool | None = None  # Gateway API for mesh traffic (GAMMA) documented
    overhead: OverheadEstimate | None = None
    docs_url: str = ""
    release_note: str = ""  # how stable releases are published, in the reader's words
    # The current version's release line and how long it is still supported, from a first-hand
    # lifecycle; support_days None = no end announced or no lifecycle known.
    support_cycle: str = ""
    support_ends: str = ""  # ISO date
    support_days: int | None = None
    support_source: str = ""

    def __post_init__(self) -> None:
        if not self.slug:
            raise ValueError("A mesh needs a slug.")
        for name, value, allowed in (
            ("maturity", self.maturity, MATURITIES),
            ("data_plane", self.data_plane, DATA_PLANES),
            ("proxy_family", self.proxy_family, ("", *PROXY_FAMILIES)),
            ("builds_on", self.builds_on, ("", *BuildsOn.values)),
            ("bound_to_cloud", self.bound_to_cloud, ("", *CLOUD_NAMES)),
            ("cncf_status", self.cncf_status, tuple(CncfStatus.values)),
            ("kind", self.kind, tuple(MeshKind.values)),
            ("platforms", self.platforms, tuple(Platforms.values)),
        ):
            if value not in allowed:
                raise ValueError(
                    f"Mesh {self.slug!r}: {name} must be one of "
                    f"{', '.join(map(repr, allowed))}; got {value!r}."
                )
        for name in (
            "runs_without_kubernetes",
            "kubernetes_vm_workloads",
            "osi_open_source",
            "stable_releases_free",
            "gateway_api",
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"Mesh {self.slug!r}: {name} must be True, False or None.")
        try:
            clouds = slug_set("clouds", self.clouds)
            check_subset("clouds", clouds, CLOUD_NAMES)
            orchestrators = slug_set("orchestrators", self.orchestrators)
            check_subset("orchestrators", orchestrators, ORCHESTRATORS)
        except InvalidAnswer as error:
            raise ValueError(f"Mesh {self.slug!r} {error}") from None
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
        bad += sorted(f"{k}={v!r}" for k, v in self.stages.items() if v not in STAGES)
        if bad:
            raise ValueError(
                f"Mesh {self.slug!r}: support levels must be one of "
                f"{', '.join(map(repr, LEVELS))} and stages one of "
                f"{', '.join(map(repr, STAGES))}; got {', '.join(bad)}."
            )
        # Frozen means frozen: private, read-only copies so callers' later edits can't leak in.
        object.__setattr__(self, "clouds", clouds)
        object.__setattr__(self, "orchestrators", orchestrators)
        for name in ("support", "stages", "feature_sources", "fact_sources"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    @property
    def is_discontinued(self) -> bool:
        # Either flag is enough: a half-edited row must never turn a dead product into advice.
        return self.discontinued or self.maturity == Maturity.DISCONTINUED

    @property
    def family(self) -> str:
        """Products that share an upstream are one family (Linkerd and Buoyant Enterprise)."""
        return self.upstream or self.slug

    @property
    def is_platform_option(self) -> bool:
        """A cloud's own managed service rather than a product a team runs itself."""
        return self.kind == MeshKind.PLATFORM_NETWORKING or (
            bool(self.bound_to_cloud) and not self.upstream
        )

    def level(self, feature: str) -> str:
        return self.support.get(feature, UNKNOWN)

    def stage(self, feature: str) -> str:
        return self.stages.get(feature, "")
