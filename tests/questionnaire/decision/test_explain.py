"""What the decision says (questionnaire/decision/explain.py): the verdict, the alternatives that
fit the team, each option's risks, what separates the top choices, the summary, the order inside
a tie, and every text in German too."""

import hashlib
import re

import pytest
from django.utils import translation

from questionnaire.decision import ALTERNATIVES, GATE_FEATURES, SMI_ARCHIVED_NOTICE
from questionnaire.decision.explain import tie_order, tie_order_key

from .helpers import FEATURES, NO, PARTIAL, YES, line_meshes, mesh, ranked_of, run, slugs

# --- the verdict ----------------------------------------------------------------------------

AWAY = {
    # answer override -> (question asked, words the message must contain)
    "few": ({"services": "few"}, "How many services?", "only if specific features"),
    "low": (
        {"tech_diversity": "low"},
        "How diverse are the technologies (languages, frameworks)?",
        "Libraries can be a good alternative",
    ),
    "async": (
        {"communication": "async"},
        "Is communication mostly synchronous (request/response)?",
        "probably adds little value",
    ),
    "no-k8s": (
        {"kubernetes": False},
        "Is Kubernetes in use?",
        "only meshes that run without Kubernetes remain",
    ),
    "rarely": (
        {"change_frequency": "rarely"},
        "How dynamically do services change (versions and scaling)?",
        "Static configuration may be enough",
    ),
}


def test_no_answer_pointing_away_is_worth_it():
    verdict = run([]).verdict
    assert verdict.code == "worth_it"
    assert verdict.headline == "A service mesh looks like a sensible next step."
    assert verdict.reasons == ()
    assert verdict.in_favour == ()


@pytest.mark.parametrize("key", AWAY)
def test_each_away_answer_alone_means_consider_with_its_reason(key):
    override, question, words = AWAY[key]
    verdict = run([], **override).verdict
    assert verdict.code == "consider"
    assert verdict.headline == "A service mesh may help, but check the alternatives first."
    (reason,) = verdict.reasons
    assert reason.question == question
    assert words in reason.message
    assert reason.answer
    assert reason.alternative


def test_few_services_alternative_fits_the_platform():
    on_kubernetes = run([], services="few").verdict.reasons[0].alternative
    assert "from libraries or from Kubernetes itself" in on_kubernetes
    elsewhere = run([], services="few", kubernetes=False).verdict.reasons[0]
    assert "from libraries and your platform's load balancer" in elsewhere.alternative


def test_no_kubernetes_reason_says_kubernetes_features_are_missing_too():
    reason = run([], kubernetes=False).verdict.reasons[0]
    assert "Kubernetes' own features" in reason.message
    assert "considerably restricted" in reason.message


@pytest.mark.parametrize("key", AWAY)
def test_needed_features_turn_consider_into_worth_it(key):
    override, _question, _words = AWAY[key]
    verdict = run([], needs=frozenset({"mtls"}), **override).verdict
    assert verdict.code == "worth_it"
    assert len(verdict.reasons) == 1
    assert verdict.in_favour == (
        "You need mTLS between services: one of the strongest reasons for a service mesh; "
        "it becomes a must-have.",
    )


def test_in_favour_follows_gate_order_whatever_the_set_order():
    verdict = run([], needs=frozenset({"rollouts", "mtls", "tracing", "routing"})).verdict
    assert len(verdict.in_favour) == 4
    assert "mTLS" in verdict.in_favour[0]
    assert "tracing" in verdict.in_favour[1]
    assert "routing" in verdict.in_favour[2]
    assert "canary" in verdict.in_favour[3]


def test_two_away_answers_without_needed_features_are_not_worth_it():
    verdict = run([], services="few", change_frequency="rarely").verdict
    assert verdict.code == "not_worth_it"
    assert verdict.headline == "A service mesh is probably not worth it for you."
    assert [r.question for r in verdict.reasons] == [
        "How many services?",
        "How dynamically do services change (versions and scaling)?",
    ]


def test_two_away_answers_with_a_needed_feature_are_consider():
    verdict = run([], services="few", change_frequency="rarely", needs={"tracing"}).verdict
    assert verdict.code == "consider"
    assert len(verdict.reasons) == 2


def test_three_away_answers_are_not_worth_it_even_with_every_need():
    verdict = run(
        [],
        services="few",
        kubernetes=False,
        communication="async",
        needs=frozenset(GATE_FEATURES),
    ).verdict
    assert verdict.code == "not_worth_it"
    assert [r.question for r in verdict.reasons] == [
        "How many services?",
        "Is communication mostly synchronous (request/response)?",
        "Is Kubernetes in use?",
    ]


def test_all_five_away_answers_give_five_reasons():
    verdict = run(
        [],
        services="few",
        tech_diversity="low",
        communication="async",
        kubernetes=False,
        change_frequency="rarely",
    ).verdict
    assert verdict.code == "not_worth_it"
    assert len(verdict.reasons) == 5


def test_shortlist_is_computed_even_when_not_worth_it():
    result = run(
        [mesh("a", runs_without_kubernetes=True)],
        services="few",
        tech_diversity="low",
        change_frequency="rarely",
    )
    assert result.verdict.code == "not_worth_it"
    assert slugs(result) == ["a"]


# --- alternatives ---------------------------------------------------------------------------


def keys(meshes=(), **overrides) -> list[str]:
    return [a.key for a in run(list(meshes), **overrides).alternatives]


LANGUAGE_LIBRARIES = {
    "jvm": ["resilience4j"],
    "dotnet": ["dotnet-resilience"],
    "go": ["failsafe-go"],
    "python": ["tenacity", "pybreaker"],
    "javascript": ["cockatiel"],
    "rust": ["tower"],
}
# Without languages named: no per-language library, only gRPC's own retries (any language).
LIBRARIES = ["grpc-retry"]
K8S = ["cert-manager", "network-policies", "gateway-api"]


def test_alternatives_are_there_even_when_a_mesh_is_worth_it():
    # Changed on purpose: they used to be shown only when the verdict pointed away.
    result = run([mesh("a")])
    assert result.verdict.code == "worth_it"
    assert slugs(result) == ["a"]
    assert [a.key for a in result.alternatives] == ["opentelemetry", *K8S, *LIBRARIES]


@pytest.mark.parametrize("language", sorted(LANGUAGE_LIBRARIES))
def test_libraries_follow_the_teams_languages(language):
    libraries = [k for k in keys(languages={language}) if ALTERNATIVES[k].kind == "library"]
    assert libraries == ["opentelemetry", *LANGUAGE_LIBRARIES[language], "grpc-retry"]


def test_a_python_team_gets_tenacity_not_resilience4j():
    python = keys(languages={"python"})
    assert "tenacity" in python and "pybreaker" in python
    assert "resilience4j" not in python and "failsafe-go" not in python
    both = keys(languages={"go", "rust"})
    assert [k for k in both if k in ("failsafe-go", "tower", "grpc-retry")] == [
        "failsafe-go",
        "tower",
        "grpc-retry",
    ]
    # A team that named no language is sent to no language's library.
    unsaid = keys()
    assert not {k for libs in LANGUAGE_LIBRARIES.values() for k in libs} & set(unsaid)


def test_a_python_team_told_a_mesh_is_not_worth_it_starts_with_tenacity():
    result = run([], services="few", tech_diversity="low", languages={"python"})
    assert result.verdict.code == "not_worth_it"
    assert [a.key for a in result.alternatives][:3] == ["tenacity", "pybreaker", "grpc-retry"]
    assert result.summary == (
        "A service mesh is probably not worth it for you. "
        "Start with Tenacity, PyBreaker, gRPC retries instead."
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, ["opentelemetry", *K8S, *LIBRARIES]),
        # Few services or little diversity make a library enough: libraries come first.
        ({"tech_diversity": "low"}, [*LIBRARIES, "opentelemetry", *K8S]),
        ({"services": "few"}, [*LIBRARIES, "opentelemetry", *K8S]),
        ({"needs": frozenset({"tracing"})}, [*LIBRARIES, "opentelemetry", *K8S]),
        (
            {"services": "few", "languages": {"jvm"}},
            ["resilience4j", *LIBRARIES, "opentelemetry", *K8S],
        ),
        (
            {"communication": "async"},
            ["opentelemetry", "kafka-security", "nats-security", *K8S, *LIBRARIES],
        ),
        ({"cloud": "gcp"}, ["opentelemetry", "gke-dataplane-v2", *K8S, *LIBRARIES]),
        ({"cloud": "azure"}, ["opentelemetry", "aks-cilium", *K8S, *LIBRARIES]),
        ({"kubernetes": False, "cloud": "gcp"}, ["opentelemetry", *LIBRARIES]),
        ({"change_frequency": "rarely"}, ["opentelemetry", *K8S, "static-proxy", *LIBRARIES]),
        (
            {"services": "few", "communication": "async", "kubernetes": False},
            [*LIBRARIES, "opentelemetry", "kafka-security", "nats-security"],
        ),
    ],
)
def test_each_answer_brings_its_own_alternatives(overrides, expected):
    assert keys(**overrides) == expected


def platform_options():
    connect = mesh(
        "amazon-ecs-service-connect",
        name="Amazon ECS Service Connect",
        kind="platform_networking",
        bound_to_cloud="aws",
        clouds={"aws"},
        platforms="outside_kubernetes",
        orchestrators={"ecs"},
        runs_without_kubernetes=True,
        docs_url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html",
        support={"mtls-http": YES},
        stages={"mtls-http": "preview"},
    )
    lattice = mesh(
        "amazon-vpc-lattice",
        name="Amazon VPC Lattice",
        kind="platform_networking",
        bound_to_cloud="aws",
        clouds={"aws"},
        orchestrators={"ecs"},
        runs_without_kubernetes=True,
        docs_url="https://docs.aws.amazon.com/vpc-lattice/",
        support={"mtls-http": NO},
    )
    return [connect, lattice]


def test_the_clouds_own_options_come_first_from_the_catalogue():
    meshes = [*platform_options(), mesh("istio", support={"mtls-http": YES})]
    result = run(meshes, cloud="aws", must={"mtls-http"})
    assert slugs(result) == ["istio"]
    # Service Connect serves only ECS: not an alternative for a team on Kubernetes alone.
    first = result.alternatives[0]
    assert (first.key, first.title, first.kind, first.url) == (
        "amazon-vpc-lattice",
        "Amazon VPC Lattice",
        "platform",
        "https://docs.aws.amazon.com/vpc-lattice/",
    )
    assert first.text.startswith("A managed service network that connects")
    assert first.text.endswith("Your must-haves: mTLS for HTTP: not supported.")
    assert [a.kind for a in result.alternatives[1:]].count("platform") == 0


def test_platform_options_on_ecs_name_their_must_have_stage():
    result = run(
        platform_options(),
        cloud="aws",
        kubernetes=False,
        outside_kubernetes={"ecs"},
        must={"mtls-http"},
        partial_ok=True,
    )
    # Service Connect meets the must-have (at preview): shortlisted, so not an alternative.
    assert slugs(result) == ["amazon-ecs-service-connect"]
    assert [a.key for a in result.alternatives if a.kind == "platform"] == ["amazon-vpc-lattice"]
    # An unverified option is on the list too (it could fit): not repeated as an alternative.
    unknown = run(
        platform_options(),
        cloud="aws",
        kubernetes=False,
        outside_kubernetes={"ecs"},
        must={"tracing"},
    )
    assert {u.mesh.slug for u in unknown.unverified} == {
        "amazon-ecs-service-connect",
        "amazon-vpc-lattice",
    }
    assert [a for a in unknown.alternatives if a.kind == "platform"] == []


def test_platform_options_of_another_cloud_are_no_alternative():
    result = run(platform_options(), cloud="gcp")
    assert [a for a in result.alternatives if a.kind == "platform"] == []


def test_alternatives_carry_their_own_title_text_and_address():
    result = run([], services="few", tech_diversity="low", communication="async", languages={"jvm"})
    for alternative in result.alternatives:
        entry = ALTERNATIVES[alternative.key]
        assert (alternative.title, alternative.text, alternative.url, alternative.kind) == (
            entry.title,
            str(entry.text),
            entry.url,
            entry.kind,
        )
        assert alternative.url.startswith("https://")
    first = result.alternatives[0]
    assert (first.key, first.title, first.url) == (
        "resilience4j",
        "Resilience4j",
        "https://resilience4j.readme.io/",
    )


# --- fits, lacks, risks ---------------------------------------------------------------------


def test_fits_lacks_and_caveats_name_features_and_levels():
    m = mesh(
        "a",
        support={
            "mtls-http": PARTIAL,
            "tracing": YES,
            "header-routing": PARTIAL,
            "mtls-tcp": NO,
            # fault-injection missing: unknown
        },
    )
    ranked = run(
        [m],
        must=frozenset({"mtls-http", "tracing"}),
        nice=frozenset({"header-routing", "mtls-tcp", "fault-injection"}),
        partial_ok=True,
    ).shortlist[0]
    assert ranked.fits == (
        "Tracing (must-have): supported",
        "mTLS for HTTP (must-have): only partly supported",
        "Header-based routing (nice-to-have): only partly supported",
    )
    assert ranked.lacks == (
        "mTLS for TCP (nice-to-have): not supported",
        "Fault injection (nice-to-have): unknown (no source found)",
    )
    assert ranked.caveats == (
        "Must-have mTLS for HTTP: only partly supported",
        "Fault injection: unknown, no source found — check it yourself",
    )
    assert [r.kind for r in ranked.risks] == ["must_partial", "unknown"]
    assert ranked.caveats == tuple(r.text for r in ranked.risks)


def test_fits_name_the_stage_of_support_not_yet_stable():
    m = mesh("a", support={"tracing": YES, "mtls-http": YES}, stages={"tracing": "beta"})
    (ranked,) = run([m], must={"tracing"}, nice={"mtls-http"}).shortlist
    assert ranked.fits == (
        "Tracing (must-have): supported (beta)",
        "mTLS for HTTP (nice-to-have): supported",
    )
    assert ranked.evidence[0].reason == "Tracing (must-have): supported (beta)"


def test_release_model_is_a_risk_with_its_note_and_source():
    source = "https://example.org/releases"
    noted = mesh(
        "a",
        stable_releases_free=False,
        release_note="stable builds only with an Enterprise subscription",
        fact_sources={"stable_releases_free": source},
    )
    (ranked,) = run([noted]).shortlist
    assert [(r.kind, r.text, r.source) for r in ranked.risks] == [
        (
            "release_model",
            "Release model: stable builds only with an Enterprise subscription",
            source,
        )
    ]
    plain_note = mesh("b", stable_releases_free=False)
    assert run([plain_note]).shortlist[0].risks[0].text == (
        "Release model: stable releases are not free; they come with a vendor's subscription."
    )
    for free in (True, None):
        assert run([mesh("c", stable_releases_free=free)]).shortlist[0].risks == ()


def test_a_short_support_window_is_a_risk_with_its_source():
    source = "https://example.org/support-policy"
    window = {"support_cycle": "1.31", "support_ends": "2027-01-15", "support_source": source}
    (ranked,) = run([mesh("a", support_days=39, **window)]).shortlist
    assert [(r.kind, r.text, r.source) for r in ranked.risks] == [
        (
            "support_window",
            "Support window: release line 1.31 is supported only until 2027-01-15; plan the "
            "upgrade in your adoption.",
            source,
        )
    ]
    (ended,) = run([mesh("b", support_days=-3, **window)]).shortlist
    assert ended.risks[0].text.startswith("Support window: release line 1.31 went out of support")
    # Half a year or more ahead, or no end announced: nothing to weigh.
    for days in (180, 400, None):
        assert run([mesh("c", support_days=days, **window)]).shortlist[0].risks == ()


@pytest.mark.parametrize(("pods", "risky"), [(None, False), (199, False), (200, True)])
def test_a_mixed_data_plane_at_many_pods_should_plan_for_sidecarless(pods, risky):
    (ranked,) = run([mesh("a", data_plane="mixed")], pods=pods).shortlist
    texts = [r.text for r in ranked.risks if r.kind == "overhead"]
    if risky:
        assert texts == [
            f"Runs with a proxy in each pod or without: at {pods} pods, plan for its "
            "sidecarless mode."
        ]
    else:
        assert texts == []


def test_the_note_on_other_orchestrators_is_a_risk_only_for_teams_using_them():
    m = mesh(
        "a",
        orchestrators=frozenset({"nomad"}),
        orchestrators_note="Nomad via the agent",
        fact_sources={"orchestrators": "https://example.org/nomad"},
    )
    (outside,) = run([m], outside_kubernetes=frozenset({"nomad"})).shortlist
    assert [(r.kind, r.text, r.source) for r in outside.risks] == [
        ("platform", "Outside Kubernetes: Nomad via the agent", "https://example.org/nomad")
    ]
    assert run([m]).shortlist[0].caveats == ()
    plain_mesh = mesh("a", orchestrators=frozenset({"nomad"}))
    assert run([plain_mesh], outside_kubernetes=frozenset({"nomad"})).shortlist[0].caveats == ()


# --- differences ----------------------------------------------------------------------------


def test_differences_show_where_the_top_choices_differ_must_haves_first():
    meshes = [
        mesh(
            "a",
            maturity="leading",
            support={"tracing": YES, "mtls-http": YES},
            feature_sources={"tracing": "https://example.org/a/tracing"},
            commercial_support="Vendor A",
        ),
        mesh(
            "b",
            maturity="followers",
            data_plane="per_node",
            support={"tracing": YES, "mtls-http": PARTIAL},
            stages={"tracing": "beta"},
            stable_releases_free=True,
        ),
    ]
    result = run(meshes, must={"tracing"}, nice={"mtls-http"}, partial_ok=True)
    rows = {d.label: [(c.slug, c.text) for c in d.cells] for d in result.differences}
    labels = [d.label for d in result.differences]
    assert labels[0] == "Tracing"
    assert rows["Tracing"] == [("a", "supported"), ("b", "supported (beta)")]
    assert result.differences[0].cells[0].source == "https://example.org/a/tracing"
    assert rows["Data plane"] == [("a", "Sidecar proxy per pod"), ("b", "Proxy per node")]
    assert rows["Stable releases"] == [("a", "unknown"), ("b", "free")]
    assert rows["Commercial support"] == [("a", "Vendor A"), ("b", "nobody sells it")]
    # Five rows at most, most decisive first: must-haves, facts, nice-to-haves, the score.
    assert labels == [
        "Tracing",
        "Data plane",
        "Stable releases",
        "Commercial support",
        "mTLS for HTTP",
    ]
    assert rows["mTLS for HTTP"] == [("a", "supported"), ("b", "only partly supported")]


def test_no_differences_for_a_single_choice_or_identical_ones():
    assert run([mesh("a")]).differences == ()
    # Same facts, same score: nothing separates them.
    assert run([mesh("a"), mesh("b")]).differences == ()


def test_differences_compare_one_option_per_family():
    meshes = [
        mesh("istio", maturity="leading"),
        mesh("ossm", upstream="istio", maturity="leading"),
        mesh("linkerd", maturity="followers", data_plane="per_node"),
    ]
    result = run(meshes)
    compared = {c.slug for d in result.differences for c in d.cells}
    assert compared == {"istio", "linkerd"}


# --- summary --------------------------------------------------------------------------------


def test_summary_names_the_best_fit_and_the_runner_up():
    result = run([mesh("a", name="Alpha", maturity="leading"), mesh("b", name="Beta")])
    assert result.summary == (
        "A service mesh looks like a sensible next step. The best fit is Alpha, ahead of Beta."
    )
    assert run([mesh("a", name="Alpha")]).summary == (
        "A service mesh looks like a sensible next step. The one fit is Alpha."
    )


def test_summary_of_a_tie_says_equally_well():
    result = run([mesh("a", name="Alpha"), mesh("b", name="Beta")])
    first, second = (r.mesh.name for r in result.shortlist)
    assert result.summary.endswith(f"{first} and {second} fit your answers equally well.")


def test_summary_without_a_confirmed_option_points_to_the_unverified_one():
    result = run([mesh("a", name="Alpha")], must={"tracing"})
    assert result.summary.endswith(
        "No option is confirmed for every must-have; Alpha could fit once its unknown cells are "
        "checked."
    )


def test_summary_without_any_option_says_so():
    result = run([mesh("a", support={"tracing": NO})], must={"tracing"})
    assert result.shortlist == () and result.unverified == ()
    assert result.summary.startswith("A service mesh looks like a sensible next step. No option")


def test_the_result_carries_the_smi_notice_only_for_smi():
    meshes = line_meshes()
    assert run(meshes, standards="smi").notices == (str(SMI_ARCHIVED_NOTICE),)
    for standards in ("none", "gateway_api"):
        assert run(meshes, standards=standards).notices == ()


# --- the order inside a tie -----------------------------------------------------------------


def digest(slug: str) -> str:
    return hashlib.sha256(slug.encode()).hexdigest()


def test_tie_order_key_is_upstream_first_then_the_slugs_digest():
    assert tie_order_key(mesh("istio")) == (0, digest("istio"))
    assert tie_order_key(mesh("ossm", upstream="istio")) == (1, digest("ossm"))


def test_tie_order_puts_fewer_risks_first():
    # "b"'s digest comes before "a"'s; its risk puts it after.
    assert digest("b") < digest("a")
    risky = mesh("b", stable_releases_free=False)
    calm = mesh("a")
    result = run([risky, calm])
    assert slugs(result) == ["a", "b"]
    assert tie_order(ranked_of(result, "a")) < tie_order(ranked_of(result, "b"))
    assert tie_order(ranked_of(result, "b"))[0] == 1
    assert [(r.rank, r.tied) for r in result.shortlist] == [(1, True), (1, True)]


# --- every text in German -------------------------------------------------------------------


def texts(result) -> list[str]:
    """Every sentence a result shows a reader (not names, slugs or addresses)."""
    verdict = result.verdict
    found = [verdict.headline, *verdict.in_favour, *result.notices]
    for reason in verdict.reasons:
        found += [reason.question, reason.answer, reason.message, reason.alternative]
    found += [alternative.text for alternative in result.alternatives]
    for ranked in result.shortlist:
        found += [part.reason for part in ranked.reasons]
        found += [*ranked.fits, *ranked.lacks, *ranked.caveats]
    found += [excluded.reason for excluded in result.excluded]
    if result.relax:
        found.append(result.relax.label)
    found.append(result.summary)
    # Feature names come translated from the caller; the other row labels are the decision's.
    found += [d.label for d in result.differences if d.label not in FEATURES.values()]
    return found


SCENARIOS = [
    # Every answer pointing away, and the alternatives they bring.
    (
        [],
        {
            "services": "few",
            "tech_diversity": "low",
            "communication": "async",
            "change_frequency": "rarely",
        },
    ),
    ([], {"kubernetes": False, "cloud": "aws", "services": "few", "needs": {"tracing"}}),
    # Scores, fits, lacks and risks of every kind.
    (
        [
            mesh(
                "a",
                maturity="leading",
                clouds=frozenset({"gcp"}),
                commercial_support="Vendor",
                proxy_family="envoy",
                builds_on="istio",
                config_lines=None,
                support={
                    "tracing": YES,
                    "mtls-http": PARTIAL,
                    "header-routing": YES,
                    "path-routing": YES,
                    "traffic-split": YES,
                    "smi-traffic-split": YES,
                },
                stages={"traffic-split": "beta"},
            ),
            mesh(
                "b",
                maturity="followers",
                config_lines=40,
                proxy_family="",
                support={
                    "tracing": YES,
                    "mtls-http": PARTIAL,
                    "header-routing": YES,
                    "path-routing": YES,
                    "traffic-split": YES,
                },
                stages={"header-routing": "alpha"},
                overhead=None,
            ),
            mesh(
                "c",
                config_lines=10,
                stable_releases_free=False,
                data_plane="mixed",
                support={
                    "tracing": YES,
                    "mtls-http": PARTIAL,
                    "header-routing": YES,
                    "path-routing": YES,
                    "traffic-split": YES,
                },
            ),
            mesh(
                "m",
                config_lines=20,
                support={
                    "tracing": YES,
                    "mtls-http": YES,
                    "header-routing": YES,
                    "path-routing": YES,
                    "traffic-split": YES,
                },
            ),
        ],
        {
            "cloud": "gcp",
            "support": "welcome",
            "experience": frozenset({"envoy"}),
            "nice": frozenset({"mtls-tcp", "fault-injection"}),
            "partial_ok": True,
            "experimental_ok": True,
            "standards": "smi",
            "complexity_tolerance": "low",
            "latency_sensitive": True,
            "pods": 1500,
            "needs": frozenset({"mtls", "tracing", "routing", "rollouts"}),
        },
    ),
    (
        [mesh("d", stable_releases_free=False), mesh("e"), mesh("f", bound_to_cloud="aws")],
        {"support": "not_wanted", "cloud": "multi", "standards": "gateway_api", "pods": 300},
    ),
    # Exclusions of every kind.
    (
        [
            mesh("g", maturity="discontinued", discontinued=True, status_label="Archived 2023"),
            mesh("h", maturity="leading", support={"tracing": NO}),
            mesh("i", maturity="leading", support={"tracing": YES}, stages={"tracing": "alpha"}),
            mesh("j", maturity="leading", cncf_status="sandbox", support={"tracing": YES}),
            mesh("n"),
        ],
        {"must": frozenset({"tracing"}), "min_maturity": "followers", "cncf_graduated_only": True},
    ),
    ([mesh("k")], {"kubernetes": False, "outside_kubernetes": frozenset({"ecs"}), "cloud": "aws"}),
    ([mesh("l")], {"support": "required"}),
    # Workloads outside Kubernetes, and no Kubernetes at all.
    (
        [
            mesh("o", orchestrators=frozenset({"nomad", "ecs"}), orchestrators_note="via agents"),
            mesh("p", orchestrators=frozenset({"ecs"})),
            mesh("q"),
        ],
        {"outside_kubernetes": frozenset({"nomad", "ecs"}), "cloud": "aws"},
    ),
    (
        [mesh("r", runs_without_kubernetes=None), mesh("s", runs_without_kubernetes=True)],
        {"kubernetes": False},
    ),
    (
        [
            mesh("t", osi_open_source=False),
            mesh("u", osi_open_source=True, requires_openshift=True),
            mesh("v", osi_open_source=True, bound_to_cloud="azure"),
        ],
        {"open_source_only": True, "cloud": "aws"},
    ),
    # Nothing fits: what to relax.
    ([mesh("w", osi_open_source=False, maturity="leading")], {"open_source_only": True}),
]


@pytest.mark.parametrize(("meshes", "overrides"), SCENARIOS)
def test_every_text_of_a_result_is_in_german_too(meshes, overrides):
    with translation.override("en"):
        english = texts(run(meshes, **overrides))
    with translation.override("de"):
        german = texts(run(meshes, **overrides))
    assert len(german) == len(english) and english
    untranslated = [text for text, same in zip(english, german, strict=True) if text == same]
    assert untranslated == []


DECISION_MODULES = ("candidates", "scoring", "explain", "ranking")


def test_every_message_the_decision_looks_up_has_a_german_translation(monkeypatch):
    # Sentences with names or numbers filled in differ from the English ones even when the
    # sentence itself is untranslated; so watch the lookups themselves.
    import importlib

    looked_up, missing = [], []

    def german(message: str) -> str:
        translated = translation.gettext(message)
        looked_up.append(message)
        # A pattern of placeholders alone ("%(feature)s: %(level)s") has no words.
        if translated == message and re.search(r"[a-z]{2}", re.sub(r"%\(\w+\)\w", "", message)):
            missing.append(message)
        return translated

    for name in DECISION_MODULES:
        monkeypatch.setattr(importlib.import_module(f"questionnaire.decision.{name}"), "_", german)
    with translation.override("de"):
        for meshes, overrides in SCENARIOS:
            run(meshes, **overrides)
    assert len(set(looked_up)) > 40
    assert sorted(set(missing)) == []


def test_a_missing_must_have_reads_in_german():
    with translation.override("de"):
        result = run([mesh("a", support={"tracing": NO})], must={"tracing"})
    assert result.excluded[0].reason == "Must-have Tracing fehlt (nicht unterstützt)."
