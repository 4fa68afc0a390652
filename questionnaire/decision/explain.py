"""What the decision says in words: the verdict, the alternatives that fit the team, the risks of
each option, the facts that separate the top choices, and the one-sentence summary."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comparison.choices import DataPlane, Hosting, Language, Orchestrator

from .candidates import STAGE_WORDS
from .inputs import (
    GATE_FEATURE_LABELS,
    GATE_FEATURES,
    PARTIAL,
    UNKNOWN,
    YES,
    Answers,
    MeshFacts,
    Text,
)
from .results import (
    Alternative,
    Difference,
    DifferenceCell,
    Family,
    GateReason,
    Ranked,
    Relaxation,
    Risk,
    Unverified,
    Verdict,
)

HEADLINES: dict[str, Text] = {
    "not_worth_it": gettext_lazy("A service mesh is probably not worth it for you."),
    "consider": gettext_lazy("A service mesh may help, but check the alternatives first."),
    "worth_it": gettext_lazy("A service mesh looks like a sensible next step."),
}
LEVEL_WORDS: dict[str, Text] = {
    YES: gettext_lazy("supported"),
    PARTIAL: gettext_lazy("only partly supported"),
    "no": gettext_lazy("not supported"),
    UNKNOWN: gettext_lazy("unknown (no source found)"),
}
SMI_ARCHIVED_NOTICE = gettext_lazy(
    "SMI was archived by the CNCF in October 2023: nobody develops the standard any more, and "
    "meshes are dropping it. Its successor for mesh traffic is the Kubernetes Gateway API "
    "(GAMMA); consider choosing that instead. SMI support still earns points here, as you asked."
)


# --- the verdict ----------------------------------------------------------------------------


def gate_reasons(answers: Answers) -> tuple[GateReason, ...]:
    # In the order the questionnaire asks them, so the verdict page reads like the form.
    reasons = []
    if answers.services == "few":
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
                    if answers.kubernetes
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
    if not answers.kubernetes:
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


def verdict(answers: Answers) -> Verdict:
    reasons = gate_reasons(answers)
    away = len(reasons)
    needed = bool(answers.needs)
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
        if key in answers.needs
    )
    # str(): resolve the lazy headline now, in the active language, so the Verdict holds text.
    return Verdict(
        code=code,
        headline=str(HEADLINES[code]),
        reasons=reasons,
        in_favour=in_favour,
    )


# --- alternatives ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AlternativeEntry:
    title: str
    text: Text
    url: str
    kind: str = "practice"  # "library" | "practice" | "platform"
    languages: frozenset[str] = frozenset()


# Everything the portal suggests instead of (or before) a mesh, each with its project's own
# documentation. Titles are product names and never translated.
ALTERNATIVES: dict[str, AlternativeEntry] = {
    "resilience4j": AlternativeEntry(
        "Resilience4j",
        gettext_lazy(
            "Circuit breakers, retries, rate limiters, bulkheads and timeouts for JVM calls as "
            "composable decorators, with optional Micrometer metrics."
        ),
        "https://resilience4j.readme.io/",
        "library",
        frozenset({Language.JVM}),
    ),
    "dotnet-resilience": AlternativeEntry(
        "Microsoft.Extensions.Http.Resilience (Polly)",
        gettext_lazy(
            "A Polly-based standard pipeline for HttpClient: rate limiting, a total request "
            "timeout, retries, a circuit breaker and per-attempt timeouts."
        ),
        "https://learn.microsoft.com/dotnet/core/resilience/http-resilience",
        "library",
        frozenset({Language.DOTNET}),
    ),
    "failsafe-go": AlternativeEntry(
        "Failsafe-go",
        gettext_lazy(
            "Composable resilience policies for Go functions: retry, circuit breaker, rate "
            "limiter, timeout, fallback, hedge and bulkhead."
        ),
        "https://failsafe-go.dev/policies/",
        "library",
        frozenset({Language.GO}),
    ),
    "tenacity": AlternativeEntry(
        "Tenacity",
        gettext_lazy(
            "Retries for Python functions with stop conditions, exponential backoff with jitter "
            "and retry rules on exceptions or results, also for asyncio code."
        ),
        "https://tenacity.readthedocs.io/en/latest/",
        "library",
        frozenset({Language.PYTHON}),
    ),
    "pybreaker": AlternativeEntry(
        "PyBreaker",
        gettext_lazy(
            "A circuit breaker for Python calls: fails fast after a set number of failures and "
            "lets a trial call through after a reset timeout."
        ),
        "https://github.com/danielfm/pybreaker",
        "library",
        frozenset({Language.PYTHON}),
    ),
    "cockatiel": AlternativeEntry(
        "Cockatiel",
        gettext_lazy(
            "Retry with exponential backoff, circuit breaker, timeout, bulkhead and fallback "
            "policies for Node.js and TypeScript code."
        ),
        "https://github.com/connor4312/cockatiel",
        "library",
        frozenset({Language.JAVASCRIPT}),
    ),
    "tower": AlternativeEntry(
        "Tower",
        gettext_lazy(
            "Middleware for Rust network clients and servers: timeouts, retries, rate and "
            "concurrency limits, load shedding and load balancing (no circuit breaker)."
        ),
        "https://docs.rs/tower/latest/tower/",
        "library",
        frozenset({Language.RUST}),
    ),
    "grpc-retry": AlternativeEntry(
        "gRPC retries",
        gettext_lazy(
            "Built-in retries for gRPC clients, configured per method in the service config: "
            "attempts, exponential backoff, retryable status codes and throttling."
        ),
        "https://grpc.io/docs/guides/retry/",
        "library",
    ),
    "opentelemetry": AlternativeEntry(
        "OpenTelemetry",
        gettext_lazy(
            "Traces, metrics and logs by instrumenting the services, exported to a backend of "
            "your choice, with no proxy in the request path."
        ),
        "https://opentelemetry.io/docs/",
        "library",
    ),
    "kafka-security": AlternativeEntry(
        "Apache Kafka security",
        gettext_lazy(
            "Kafka's own TLS between clients and brokers, authentication with TLS or SASL, and "
            "ACLs for reads and writes."
        ),
        "https://kafka.apache.org/44/security/security-overview/",
    ),
    "nats-security": AlternativeEntry(
        "NATS security",
        gettext_lazy(
            "The NATS server's TLS, client authentication and per-subject publish and subscribe "
            "permissions."
        ),
        "https://docs.nats.io/running-a-nats-service/configuration/securing_nats",
    ),
    "cert-manager": AlternativeEntry(
        "cert-manager",
        gettext_lazy(
            "Issues TLS certificates for Kubernetes workloads from Let's Encrypt, Vault or a "
            "private CA and renews them before they expire: TLS between services without a mesh."
        ),
        "https://cert-manager.io/docs/",
    ),
    "network-policies": AlternativeEntry(
        "Kubernetes NetworkPolicy",
        gettext_lazy(
            "Allow or deny traffic between pods, namespaces and IP ranges by address and port, "
            "where the cluster's network plugin enforces it."
        ),
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    ),
    "gateway-api": AlternativeEntry(
        "Kubernetes Gateway API (ingress)",
        gettext_lazy(
            "Routes ingress traffic and splits it between backends by weight in an HTTPRoute: "
            "canary releases at the edge without a mesh."
        ),
        "https://gateway-api.sigs.k8s.io/guides/traffic-splitting/",
    ),
    "gke-dataplane-v2": AlternativeEntry(
        "GKE Dataplane V2 and GKE Gateway",
        gettext_lazy(
            "On GKE, Dataplane V2 enforces NetworkPolicy with eBPF, and the GKE Gateway "
            "controller routes with traffic weighting on Cloud Load Balancing."
        ),
        "https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2",
    ),
    "aks-cilium": AlternativeEntry(
        "Azure CNI Powered by Cilium",
        gettext_lazy(
            "On AKS, routes service traffic and enforces Kubernetes network policies with eBPF, "
            "without a separate policy engine."
        ),
        "https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium",
    ),
    "static-proxy": AlternativeEntry(
        "Envoy static configuration",
        gettext_lazy(
            "A proxy beside or in front of a service from a fixed configuration file, with no "
            "control plane to run: for services that rarely change."
        ),
        "https://www.envoyproxy.io/docs/envoy/latest/start/quick-start/configuration-static",
    ),
}
# What the cloud's own options do, by catalogue slug (their cells add what they cover of yours).
PLATFORM_TEXTS: dict[str, Text] = {
    "amazon-ecs-service-connect": gettext_lazy(
        "ECS services reach each other by short names through a managed proxy with logs and "
        "metrics; it encrypts traffic with TLS certificates from AWS Private CA and works with "
        "ECS canary deployments."
    ),
    "amazon-vpc-lattice": gettext_lazy(
        "A managed service network that connects, secures and monitors services across VPCs "
        "and accounts; on EKS it is configured with Gateway API resources through the AWS "
        "Gateway API Controller."
    ),
}


def _library_keys(answers: Answers) -> list[str]:
    # Per-language libraries only for the languages the team named: a Python team is not sent
    # to a JVM library.
    libraries = [key for key, entry in ALTERNATIVES.items() if entry.languages & answers.languages]
    return [*libraries, "grpc-retry"]


def _practice_keys(answers: Answers) -> list[str]:
    keys: list[str] = []
    if not answers.mostly_synchronous:
        keys += ["kafka-security", "nats-security"]
    if answers.kubernetes:
        if answers.cloud == Hosting.GCP:
            keys.append("gke-dataplane-v2")
        if answers.cloud == Hosting.AZURE:
            keys.append("aks-cilium")
        keys += ["cert-manager", "network-policies", "gateway-api"]
    if answers.change_frequency == "rarely":
        keys.append("static-proxy")
    return keys


def _platform_alternative(
    mesh: MeshFacts, musts: Sequence[str], name: Mapping[str, str]
) -> Alternative:
    covered = "; ".join(
        f"{name[slug]}: {LEVEL_WORDS[mesh.level(slug)]}"
        + (f" ({STAGE_WORDS[mesh.stage(slug)]})" if mesh.stage(slug) in STAGE_WORDS else "")
        for slug in musts
    )
    text = str(PLATFORM_TEXTS.get(mesh.slug, ""))
    if covered:
        text = (text + " " if text else "") + _("Your must-haves: %(covered)s.") % {
            "covered": covered
        }
    return Alternative(mesh.slug, mesh.name, text, mesh.docs_url, "platform")


def fits_platform(answers: Answers, mesh: MeshFacts) -> bool:
    """A cloud's own option that serves where this team runs (whatever its features)."""
    if mesh.is_discontinued or not mesh.is_platform_option:
        return False
    if mesh.bound_to_cloud and answers.cloud not in (mesh.bound_to_cloud, Hosting.MULTI):
        return False
    serves_kubernetes = mesh.platforms != "outside_kubernetes"
    if answers.kubernetes and serves_kubernetes:
        return True
    return bool(answers.outside_kubernetes & mesh.orchestrators) or (
        not answers.kubernetes and Orchestrator.ECS in mesh.orchestrators and not serves_kubernetes
    )


def alternatives(
    answers: Answers,
    platform_options: Iterable[MeshFacts],
    musts: Sequence[str],
    name: Mapping[str, str],
) -> tuple[Alternative, ...]:
    """Whatever the verdict: the cloud's own options that fit the team's platform but are not on
    the shortlist, then libraries for the team's languages, then practices for its platform."""
    found = [_platform_alternative(mesh, musts, name) for mesh in platform_options]
    libraries = _library_keys(answers)
    if answers.services == "few" or answers.tech_diversity == "low" or "tracing" in answers.needs:
        keys = [*libraries, "opentelemetry", *_practice_keys(answers)]
    else:
        keys = ["opentelemetry", *_practice_keys(answers), *libraries]
    for key in keys:
        entry = ALTERNATIVES[key]
        found.append(Alternative(key, entry.title, str(entry.text), entry.url, entry.kind))
    return tuple(found)


# --- risks ----------------------------------------------------------------------------------

# A release line supported for less than this many more days is a risk to name: an adoption
# takes months, and it should not start on a line about to lose its fixes.
SHORT_SUPPORT_DAYS = 180


def risks(
    answers: Answers, mesh: MeshFacts, nices: Sequence[str], name: Mapping[str, str]
) -> tuple[Risk, ...]:
    """What to weigh before choosing it, beyond the must-haves (which check_musts reports)."""
    found: list[Risk] = []
    if mesh.stable_releases_free is False:
        text = (
            _("Release model: %(note)s") % {"note": mesh.release_note}
            if mesh.release_note
            else _(
                "Release model: stable releases are not free; they come with a vendor's "
                "subscription."
            )
        )
        found.append(Risk("release_model", text, mesh.fact_sources.get("stable_releases_free", "")))
    if mesh.support_days is not None and mesh.support_days < SHORT_SUPPORT_DAYS:
        if mesh.support_days < 0:
            text = _(
                "Support window: release line %(cycle)s went out of support on %(date)s; plan "
                "the upgrade before you adopt it."
            )
        else:
            text = _(
                "Support window: release line %(cycle)s is supported only until %(date)s; "
                "plan the upgrade in your adoption."
            )
        text %= {"cycle": mesh.support_cycle, "date": mesh.support_ends}
        found.append(Risk("support_window", text, mesh.support_source))
    for slug in nices:
        if mesh.level(slug) == UNKNOWN:
            found.append(
                Risk(
                    "unknown",
                    _("%(feature)s: unknown, no source found — check it yourself")
                    % {"feature": name[slug]},
                    feature=slug,
                )
            )
    if answers.pods and answers.pods >= 200 and mesh.data_plane == DataPlane.MIXED:
        found.append(
            Risk(
                "overhead",
                _(
                    "Runs with a proxy in each pod or without: at %(pods)d pods, plan for its "
                    "sidecarless mode."
                )
                % {"pods": answers.pods},
            )
        )
    if answers.pods and mesh.overhead and mesh.overhead.outdated:
        found.append(
            Risk(
                "overhead",
                _(
                    "The overhead figure was measured on %(version)s (%(published)s), an old "
                    "version: measure it with your own load."
                )
                % {"version": mesh.overhead.version, "published": mesh.overhead.published},
                mesh.overhead.source,
            )
        )
    if answers.outside_kubernetes and mesh.orchestrators_note:
        found.append(
            Risk(
                "platform",
                _("Outside Kubernetes: %(note)s") % {"note": mesh.orchestrators_note},
                mesh.fact_sources.get("orchestrators", ""),
            )
        )
    return tuple(found)


# --- what separates the top choices ----------------------------------------------------------


def feature_line(mesh: MeshFacts, slug: str, name: Mapping[str, str], kind: str) -> str:
    """A feature's cell in a sentence, e.g. "Tracing (must-have): supported (beta)"."""
    # Translators: e.g. "Tracing (must-have): supported".
    return _("%(feature)s (%(kind)s): %(level)s") % {
        "feature": name[slug],
        "kind": kind,
        "level": _cell_text(mesh, slug),
    }


def _cell_text(mesh: MeshFacts, slug: str) -> str:
    text = str(LEVEL_WORDS[mesh.level(slug)])
    stage = mesh.stage(slug)
    if stage in STAGE_WORDS and mesh.level(slug) in (YES, PARTIAL):
        text += f" ({STAGE_WORDS[stage]})"
    return text


def differences(
    answers: Answers,
    top: Sequence[Ranked],
    musts: Sequence[str],
    nices: Sequence[str],
    name: Mapping[str, str],
    limit: int = 5,
) -> tuple[Difference, ...]:
    """The rows on which the top choices differ, most decisive first: must-haves, then the
    facts the team asked about, then nice-to-haves, then the rest; at most `limit`."""
    if len(top) < 2:
        return ()
    meshes = [r.mesh for r in top]
    names = {m.slug: m.name for m in meshes}
    rows: list[Difference] = []

    def add(label: str, cells: list[DifferenceCell]) -> None:
        if len({cell.text for cell in cells}) > 1:
            named = (replace(cell, name=names[cell.slug]) for cell in cells)
            rows.append(Difference(label, tuple(named)))

    for slug in musts:
        add(
            name[slug],
            [
                DifferenceCell(m.slug, _cell_text(m, slug), m.feature_sources.get(slug, ""))
                for m in meshes
            ],
        )
    add(
        str(_("Data plane")),
        [DifferenceCell(m.slug, str(DataPlane(m.data_plane).label)) for m in meshes],
    )
    add(
        str(_("Stable releases")),
        [
            DifferenceCell(
                m.slug,
                str(
                    {
                        True: _("free"),
                        False: _("from a vendor, with a subscription"),
                        None: _("unknown"),
                    }[m.stable_releases_free]
                ),
                m.fact_sources.get("stable_releases_free", ""),
            )
            for m in meshes
        ],
    )
    add(
        str(_("Commercial support")),
        [
            DifferenceCell(
                m.slug,
                m.commercial_support or str(_("nobody sells it")),
                m.fact_sources.get("commercial_support", ""),
            )
            for m in meshes
        ],
    )
    for slug in nices:
        add(
            name[slug],
            [
                DifferenceCell(m.slug, _cell_text(m, slug), m.feature_sources.get(slug, ""))
                for m in meshes
            ],
        )
    add(
        str(_("Score")),
        [DifferenceCell(r.mesh.slug, str(r.score)) for r in top],
    )
    return tuple(rows[:limit])


# --- ordering, summary ------------------------------------------------------------------------


def tie_order_key(mesh: MeshFacts) -> tuple[int, str]:
    """An upstream before its distributions, then a fixed order that is neither the name nor a
    preference (a digest of the slug)."""
    return (1 if mesh.upstream else 0, hashlib.sha256(mesh.slug.encode()).hexdigest())


def tie_order(ranked: Ranked) -> tuple[int, int, str]:
    """Inside a tie: fewer risks first, an upstream before its distributions, then the digest."""
    upstream, digest = tie_order_key(ranked.mesh)
    return (len(ranked.risks), upstream, digest)


def recommendation(
    verdict: Verdict,
    families: Sequence[Family],
    unverified: Sequence[Unverified],
    found_alternatives: Sequence[Alternative],
    relax: Relaxation | None,
) -> str:
    """What to do, in one sentence (the verdict's headline goes before it)."""
    first = families[0].head if families else None
    second = families[1].head if len(families) > 1 else None
    if verdict.code == "not_worth_it" and found_alternatives:
        # The first three: one library or platform service alone is rarely the whole answer.
        return _("Start with %(alternative)s instead.") % {
            "alternative": ", ".join(a.title for a in found_alternatives[:3])
        }
    if first is None:
        if unverified:
            return _(
                "No option is confirmed for every must-have; %(name)s could fit once its unknown "
                "cells are checked."
            ) % {"name": unverified[0].mesh.name}
        if relax is not None:
            return _(
                "No option meets every must-have. %(change)s: that would shortlist %(names)s."
            ) % {
                "change": relax.label,
                "names": ", ".join(relax.admits),
            }
        return _("No option meets every must-have; look at the alternatives.")
    if second is not None and second.rank == first.rank:
        return _("%(first)s and %(second)s fit your answers equally well.") % {
            "first": first.mesh.name,
            "second": second.mesh.name,
        }
    if second is not None:
        return _("The best fit is %(first)s, ahead of %(second)s.") % {
            "first": first.mesh.name,
            "second": second.mesh.name,
        }
    return _("The one fit is %(first)s.") % {"first": first.mesh.name}


def notices(answers: Answers) -> tuple[str, ...]:
    if answers.standards == "smi":
        return (str(SMI_ARCHIVED_NOTICE),)
    return ()


# Next steps for every result (templates and the decision record read these).
NEXT_STEPS: tuple[Text, ...] = (
    gettext_lazy(
        "Run your own load test with your traffic, payloads and node sizes: published overhead "
        "figures were measured elsewhere."
    ),
    gettext_lazy(
        "Pilot the first choice on one non-critical service path: install, turn on mTLS, shift "
        "10% of traffic, read the traces, then upgrade it once."
    ),
    gettext_lazy(
        "Check every cell marked partial, beta or unknown on the product's own documentation "
        "for the version you would run."
    ),
    gettext_lazy(
        "Decide who operates it and how upgrades are rolled out before production traffic "
        "depends on it."
    ),
)
