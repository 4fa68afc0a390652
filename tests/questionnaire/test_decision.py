"""The questionnaire's decision logic, on small hand-made meshes: no database, no requests."""

import re
from dataclasses import replace

import pytest

from questionnaire.decision import (
    EXPERIENCES,
    GATE_FEATURES,
    NO,
    PARTIAL,
    SMI_ARCHIVED_NOTICE,
    UNKNOWN,
    YES,
    Answers,
    MeshFacts,
    Relaxation,
    ScorePart,
    complexity_cuts,
    decide,
    gate_must_haves,
)

# Deliberately not alphabetical: display order must come from this mapping, not from sorting.
FEATURES = {
    "tracing": "Tracing",
    "mtls-http": "mTLS for HTTP",
    "mtls-tcp": "mTLS for TCP",
    "header-routing": "Header-based routing",
    "traffic-split": "Percentage-based traffic split",
    "fault-injection": "Fault injection",
    "smi-traffic-split": "SMI Traffic Split",
    "smi-traffic-access-control": "SMI Traffic Access Control",
    "smi-traffic-specs": "SMI Traffic Specs",
    "gateway-api-mesh": "Gateway API for mesh traffic",
}


def mesh(slug: str = "m", **overrides) -> MeshFacts:
    """An active, Kubernetes-only, very new sidecar mesh knowing nothing: every point is opt-in."""
    fields = {
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


def answers(**overrides) -> Answers:
    """Every gate answer pointing towards a mesh, and no preference that scores anything."""
    fields = {
        "service_count": "many",
        "tech_diversity": "high",
        "mostly_synchronous": True,
        "uses_kubernetes": True,
        "change_frequency": "often",
        "needed": frozenset(),
        "outside_kubernetes": frozenset(),
        "cloud": "on_prem",
        "experience": frozenset(),
        "standards": "none",
        "must": frozenset(),
        "nice": frozenset(),
        "allow_partial": False,
        "min_maturity": "very_new",
        "complexity_tolerance": "high",
        "latency_sensitive": False,
    }
    fields.update(overrides)
    return Answers(**fields)


def run(meshes, **overrides):
    return decide(answers(**overrides), meshes, FEATURES)


def slugs(result) -> list[str]:
    return [r.mesh.slug for r in result.shortlist]


def reasons_of(result) -> dict[str, str]:
    return {e.mesh.slug: e.reason for e in result.excluded}


def plain(parts) -> tuple[tuple[int, str], ...]:
    """Points and reasons only: what the score-part tests compare."""
    return tuple((p.points, p.reason) for p in parts)


def part_reasons(ranked) -> dict[str, int]:
    return {p.reason: p.points for p in ranked.parts}


# --- step 0: the verdict -------------------------------------------------------------------

AWAY = {
    # answer override -> (question asked, words the message must contain)
    "few": ({"service_count": "few"}, "How many services?", "only if specific features"),
    "low": (
        {"tech_diversity": "low"},
        "How diverse are the technologies (languages, frameworks)?",
        "Libraries can be a good alternative",
    ),
    "async": (
        {"mostly_synchronous": False},
        "Is communication mostly synchronous (request/response)?",
        "probably adds little value",
    ),
    "no-k8s": (
        {"uses_kubernetes": False},
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
    assert len(verdict.reasons) == 1
    reason = verdict.reasons[0]
    assert reason.question == question
    assert words in reason.message
    assert reason.answer
    assert reason.alternative


def test_few_services_alternative_fits_the_platform():
    on_kubernetes = run([], service_count="few").verdict.reasons[0].alternative
    assert "from libraries or from Kubernetes itself" in on_kubernetes
    elsewhere = run([], service_count="few", uses_kubernetes=False).verdict.reasons[0]
    assert "from libraries and your platform's load balancer" in elsewhere.alternative


def test_no_kubernetes_reason_says_kubernetes_features_are_missing_too():
    reason = run([], uses_kubernetes=False).verdict.reasons[0]
    assert "Kubernetes' own features" in reason.message
    assert "considerably restricted" in reason.message


@pytest.mark.parametrize("key", AWAY)
def test_needed_features_turn_consider_into_worth_it(key):
    override, _question, _words = AWAY[key]
    verdict = run([], needed=frozenset({"mtls"}), **override).verdict
    assert verdict.code == "worth_it"
    assert len(verdict.reasons) == 1
    assert verdict.in_favour == (
        "You need mTLS between services: one of the strongest reasons for a service mesh; "
        "it becomes a must-have.",
    )


def test_in_favour_follows_gate_order_whatever_the_set_order():
    verdict = run([], needed=frozenset({"rollouts", "mtls", "tracing", "routing"})).verdict
    assert len(verdict.in_favour) == 4
    assert "mTLS" in verdict.in_favour[0]
    assert "tracing" in verdict.in_favour[1]
    assert "routing" in verdict.in_favour[2]
    assert "canary" in verdict.in_favour[3]


def test_two_away_answers_without_needed_features_are_not_worth_it():
    verdict = run([], service_count="few", change_frequency="rarely").verdict
    assert verdict.code == "not_worth_it"
    assert verdict.headline == "A service mesh is probably not worth it for you."
    assert [r.question for r in verdict.reasons] == [
        "How many services?",
        "How dynamically do services change (versions and scaling)?",
    ]


def test_two_away_answers_with_a_needed_feature_are_consider():
    verdict = run(
        [], service_count="few", change_frequency="rarely", needed=frozenset({"tracing"})
    ).verdict
    assert verdict.code == "consider"
    assert len(verdict.reasons) == 2


def test_few_services_no_kubernetes_and_async_are_not_worth_it_even_with_needs():
    verdict = run(
        [],
        service_count="few",
        uses_kubernetes=False,
        mostly_synchronous=False,
        needed=frozenset(GATE_FEATURES),
    ).verdict
    assert verdict.code == "not_worth_it"
    assert verdict.headline == "A service mesh is probably not worth it for you."
    assert [r.question for r in verdict.reasons] == [
        "How many services?",
        "Is communication mostly synchronous (request/response)?",
        "Is Kubernetes in use?",
    ]


def test_all_five_away_answers_give_five_reasons():
    verdict = run(
        [],
        service_count="few",
        tech_diversity="low",
        mostly_synchronous=False,
        uses_kubernetes=False,
        change_frequency="rarely",
    ).verdict
    assert verdict.code == "not_worth_it"
    assert len(verdict.reasons) == 5


def test_shortlist_is_computed_even_when_not_worth_it():
    result = run(
        [mesh("a", runs_without_kubernetes=True)],
        service_count="few",
        tech_diversity="low",
        change_frequency="rarely",
    )
    assert result.verdict.code == "not_worth_it"
    assert slugs(result) == ["a"]


# --- exclusion -----------------------------------------------------------------------------


def test_discontinued_never_recommended_even_if_perfect():
    perfect = mesh(
        "dead",
        maturity="discontinued",
        discontinued=True,
        status_label="Archived 2023-07-11",
        runs_without_kubernetes=True,
        clouds=frozenset({"aws"}),
        proxy_family="envoy",
        support={"mtls-http": YES, "tracing": YES},
    )
    result = run(
        [perfect],
        cloud="aws",
        experience=frozenset({"envoy"}),
        must=frozenset({"mtls-http"}),
        nice=frozenset({"tracing"}),
    )
    assert result.shortlist == ()
    assert reasons_of(result) == {"dead": "Discontinued (Archived 2023-07-11): never recommended."}
    # Nothing left to relax: the only mesh is out for its status, not for a must-have.
    assert result.relax is None


def test_discontinued_flag_alone_is_enough():
    result = run([mesh("half", maturity="leading", discontinued=True, status_label="")])
    assert reasons_of(result) == {"half": "Discontinued: never recommended."}


def test_discontinued_maturity_alone_is_enough():
    result = run([mesh("half", maturity="discontinued", status_label="Archived 2023-10-01")])
    assert reasons_of(result) == {"half": "Discontinued (Archived 2023-10-01): never recommended."}


def test_no_kubernetes_keeps_only_meshes_running_without_it():
    meshes = [
        mesh("k8s-only"),
        # VMs can join its mesh, but its control plane lives in Kubernetes: still out.
        mesh("vm-joins", kubernetes_vm_workloads=True, orchestrators=frozenset({"vms_on_prem"})),
        mesh("unknown", runs_without_kubernetes=None),
        mesh("anywhere", runs_without_kubernetes=True),
    ]
    result = run(meshes, uses_kubernetes=False)
    assert slugs(result) == ["anywhere"]
    needs = "Needs a Kubernetes cluster for its control plane, and you don't use Kubernetes."
    assert reasons_of(result) == {
        "k8s-only": needs,
        "vm-joins": needs,
        "unknown": "Unknown whether it runs without Kubernetes (no source found), and you "
        "don't use Kubernetes.",
    }


def test_every_place_outside_kubernetes_must_be_supported():
    meshes = [
        mesh("k8s-only"),
        mesh("vms", kubernetes_vm_workloads=True, orchestrators=frozenset({"vms_on_prem"})),
        mesh("cloud-vms", orchestrators=frozenset({"cloud_vms", "serverless"})),
        mesh("both", orchestrators=frozenset({"vms_on_prem", "ecs"})),
    ]
    result = run(meshes, outside_kubernetes=frozenset({"vms_on_prem"}))
    assert slugs(result) == ["both", "vms"]
    assert reasons_of(result) == {
        "k8s-only": "Runs only on Kubernetes: no support for your workloads on VMs or bare "
        "metal on-premises.",
        "cloud-vms": "Outside Kubernetes it supports only Cloud VMs, Serverless functions, not "
        "your workloads on VMs or bare metal on-premises.",
    }
    ecs = run(meshes, outside_kubernetes=frozenset({"ecs", "vms_on_prem"}))
    assert slugs(ecs) == ["both"]


def test_a_product_bound_to_another_cloud_is_excluded_and_penalised_on_several():
    bound = mesh("g", maturity="leading", clouds=frozenset({"gcp"}), bound_to_cloud="gcp")
    free = mesh("f")
    for cloud in ("aws", "azure", "on_prem"):
        result = run([bound, free], cloud=cloud)
        assert slugs(result) == ["f"]
        assert reasons_of(result)["g"].startswith("Works only with Google Cloud, and you run on")
    on_gcp = run([bound, free], cloud="gcp")
    assert slugs(on_gcp) == ["g", "f"]
    several = run([bound, free], cloud="multi").shortlist
    assert [r.mesh.slug for r in several] == ["f", "g"]
    assert (
        part_reasons(several[1])["Works only with Google Cloud, and you run on several clouds"]
        == -4
    )


def test_an_openshift_only_product_is_for_openshift_teams():
    source = "https://example.org/ossm/supported-platforms"
    ossm = mesh(
        "ossm",
        maturity="leading",
        requires_openshift=True,
        fact_sources={"requires_openshift": source},
    )
    other = mesh("other")
    # Not on OpenShift: out, with the reason, whatever the cloud.
    for cloud in ("aws", "azure", "gcp", "on_prem", "multi"):
        result = run([ossm, other], cloud=cloud)
        assert slugs(result) == ["other"]
        assert reasons_of(result)["ossm"] == (
            "Runs only on Red Hat OpenShift, and your clusters are not OpenShift."
        )
    # On OpenShift: in, with the points for fitting the platform and the source they rest on.
    ranked = run([ossm, other], runs_openshift=True).shortlist
    assert [r.mesh.slug for r in ranked] == ["ossm", "other"]
    fit = next(p for p in ranked[0].parts if p.reason.startswith("Made for your platform"))
    assert (fit.points, fit.source) == (3, source)
    # A product for any platform earns nothing extra on OpenShift.
    assert run([other], runs_openshift=True).shortlist[0].parts == ()


def test_open_source_only_excludes_licences_that_are_not_osi_approved():
    meshes = [
        mesh("busl", osi_open_source=False, licence="BUSL-1.1"),
        mesh("unknown", osi_open_source=None),
        mesh("unnamed", osi_open_source=False),  # known not to be open source, licence unnamed
        mesh("apache", osi_open_source=True, licence="Apache-2.0"),
    ]
    result = run(meshes, open_source_only=True)
    assert slugs(result) == ["apache"]
    assert reasons_of(result) == {
        "busl": "Licence BUSL-1.1 is not OSI open source, and you want open source only.",
        "unknown": "Licence unknown (no source found), and you want open source only.",
        "unnamed": "Licence unknown is not OSI open source, and you want open source only.",
    }
    assert slugs(run(meshes)) == ["apache", "busl", "unknown", "unnamed"]


def test_cncf_graduated_only():
    meshes = [mesh("g", cncf_status="graduated"), mesh("s", cncf_status="sandbox"), mesh("n")]
    result = run(meshes, cncf_graduated_only=True)
    assert slugs(result) == ["g"]
    assert reasons_of(result)["s"] == "CNCF sandbox, and you want CNCF graduated projects only."


def test_support_required_welcome_or_not_wanted():
    sold = mesh("sold", commercial_support="Vendor Inc.", stable_releases_free=False)
    free = mesh("free", stable_releases_free=True)
    unknown = mesh("unknown", commercial_support="Vendor Inc.")
    required = run([sold, free, unknown], support="required")
    assert slugs(required) == ["sold", "unknown"]
    assert reasons_of(required) == {
        "free": "Nobody sells commercial support for it, and you require support."
    }
    welcome = run([sold, free], support="welcome")
    assert part_reasons(welcome.shortlist[0]) == {"Commercial support available: Vendor Inc.": 1}
    not_wanted = run([sold, free, unknown], support="not_wanted")
    assert slugs(not_wanted) == ["free", "sold", "unknown"]
    assert [r.score for r in not_wanted.shortlist] == [0, -2, -2]
    (unknown_part,) = not_wanted.shortlist[2].parts
    assert unknown_part.level == UNKNOWN
    assert unknown_part.reason.startswith("Unknown whether stable releases are free")


FACT_SOURCES = {
    fact: f"https://example.org/{fact}"
    for fact in (
        "proxy_family",
        "commercial_support",
        "stable_releases_free",
        "traffic_split",
        "clouds",
    )
}


@pytest.mark.parametrize(
    ("facts", "answered", "expected"),
    [
        (
            {"proxy_family": "envoy", "builds_on": "istio"},
            {"experience": frozenset({"envoy"})},
            (2, "", "proxy_family"),
        ),
        ({"proxy_family": ""}, {"experience": frozenset({"envoy"})}, (0, UNKNOWN, "proxy_family")),
        ({"commercial_support": "Vendor"}, {"support": "welcome"}, (1, "", "commercial_support")),
        (
            {"stable_releases_free": None},
            {"support": "not_wanted"},
            (-2, UNKNOWN, "stable_releases_free"),
        ),
        (
            {"stable_releases_free": False},
            {"support": "not_wanted"},
            (-2, NO, "stable_releases_free"),
        ),
        ({"clouds": frozenset({"aws"})}, {"cloud": "aws"}, (3, "", "clouds")),
        ({"bound_to_cloud": "aws"}, {"cloud": "multi"}, (-4, "", "clouds")),
    ],
)
def test_each_fact_scored_carries_its_points_level_and_source(facts, answered, expected):
    ranked = run([mesh("a", fact_sources=FACT_SOURCES, **facts)], **answered).shortlist[0]
    (part,) = ranked.parts
    points, level, fact = expected
    assert (part.points, part.level, part.source) == (points, level, FACT_SOURCES[fact])
    assert part.feature == ""
    assert ranked.score == points


def test_score_lines_without_a_recorded_source_cite_nothing():
    m = mesh("a", clouds=frozenset({"aws"}), support={"tracing": YES, "mtls-http": PARTIAL})
    ranked = run([m], cloud="aws", nice=frozenset({"tracing", "mtls-http"})).shortlist[0]
    assert [(p.feature, p.level, p.source) for p in ranked.parts] == [
        ("tracing", YES, ""),
        ("mtls-http", PARTIAL, ""),
        ("", "", ""),
    ]


def test_each_feature_score_line_names_its_feature_and_points():
    m = mesh(
        "a",
        support={
            "tracing": UNKNOWN,
            "smi-traffic-split": YES,
            "gateway-api-mesh": YES,
        },
    )
    nice = run([m], nice=frozenset({"tracing"})).shortlist[0]
    assert [(p.points, p.feature, p.level) for p in nice.parts] == [(0, "tracing", UNKNOWN)]
    smi = run([m], standards="smi").shortlist[0]
    assert [(p.points, p.feature) for p in smi.parts] == [(1, "smi-traffic-split")]
    gateway = run([m], standards="gateway_api").shortlist[0]
    assert [(p.points, p.feature) for p in gateway.parts] == [(2, "gateway-api-mesh")]
    partial = replace(m, support={"gateway-api-mesh": PARTIAL})
    gateway = run([partial], standards="gateway_api").shortlist[0]
    assert [(p.points, p.feature, p.level) for p in gateway.parts] == [
        (1, "gateway-api-mesh", PARTIAL)
    ]


def test_the_note_on_other_orchestrators_is_a_caveat_only_for_teams_using_them():
    m = mesh("a", orchestrators=frozenset({"nomad"}), orchestrators_note="Nomad via the agent")
    outside = run([m], outside_kubernetes=frozenset({"nomad"})).shortlist[0]
    assert outside.caveats == ("Outside Kubernetes: Nomad via the agent",)
    assert run([m]).shortlist[0].caveats == ()
    plain_mesh = replace(m, orchestrators_note="")
    assert run([plain_mesh], outside_kubernetes=frozenset({"nomad"})).shortlist[0].caveats == ()


def test_features_not_in_the_table_come_last_in_name_order():
    m = mesh("a", support={"tracing": YES, "zz-new": YES, "aa-new": YES, "mtls-http": YES})
    ranked = run([m], nice=frozenset({"zz-new", "tracing", "aa-new", "mtls-http"})).shortlist[0]
    assert [p.feature for p in ranked.parts] == ["tracing", "mtls-http", "aa-new", "zz-new"]


def test_complexity_lines_cite_the_traffic_split_example():
    meshes = line_meshes(u={"config_lines": None, "fact_sources": FACT_SOURCES})
    verbose = next(m for m in meshes if m.slug == "a")
    meshes = [replace(verbose, fact_sources=FACT_SOURCES) if m is verbose else m for m in meshes]
    result = run(meshes, complexity_tolerance="low")
    by_slug = {r.mesh.slug: r for r in result.shortlist}
    (unknown,) = by_slug["u"].parts
    assert (unknown.points, unknown.level, unknown.source) == (
        -2,
        UNKNOWN,
        "https://example.org/traffic_split",
    )
    (counted,) = by_slug["a"].parts
    assert (counted.points, counted.level, counted.source) == (
        -2,
        "",
        "https://example.org/traffic_split",
    )


def test_maturity_minimum():
    meshes = [mesh("l", maturity="leading"), mesh("f", maturity="followers"), mesh("n")]
    result = run(meshes, min_maturity="followers")
    assert slugs(result) == ["l", "f"]
    assert reasons_of(result) == {
        "n": "Production readiness is very new, below your minimum (followers)."
    }
    assert slugs(run(meshes, min_maturity="leading")) == ["l"]
    assert slugs(run(meshes, min_maturity="very_new")) == ["l", "f", "n"]


def test_only_the_first_exclusion_reason_is_given_in_order():
    everything_wrong = mesh(
        "a", maturity="discontinued", discontinued=True, status_label="End of life 2024-09-30"
    )
    wrong_place_and_new = mesh("b", support={})
    too_new_and_lacking = mesh("c", orchestrators=frozenset({"cloud_vms"}))
    result = run(
        [everything_wrong, wrong_place_and_new, too_new_and_lacking],
        outside_kubernetes=frozenset({"cloud_vms"}),
        min_maturity="leading",
        must=frozenset({"tracing"}),
    )
    reasons = reasons_of(result)
    assert reasons["a"] == "Discontinued (End of life 2024-09-30): never recommended."
    assert reasons["b"].startswith("Runs only on Kubernetes")
    assert reasons["c"] == "Production readiness is very new, below your minimum (leading group)."


def test_first_missing_must_have_follows_display_order_not_alphabet():
    # "mtls-http" sorts before "tracing", but FEATURES lists Tracing first.
    result = run([mesh("a", support={"mtls-http": NO})], must=frozenset({"mtls-http", "tracing"}))
    assert reasons_of(result) == {
        "a": "Lacks must-have Tracing (no source found: unknown never counts)."
    }


def test_unknown_never_satisfies_a_must_have_even_with_partial_allowed():
    meshes = [mesh("explicit", support={"tracing": UNKNOWN}), mesh("missing", support={})]
    result = run(meshes, must=frozenset({"tracing"}), allow_partial=True)
    assert result.shortlist == ()
    assert reasons_of(result) == {
        "explicit": "Lacks must-have Tracing (no source found: unknown never counts).",
        "missing": "Lacks must-have Tracing (no source found: unknown never counts).",
    }


def test_partial_meets_a_must_have_only_when_allowed():
    meshes = [mesh("p", support={"mtls-http": PARTIAL}), mesh("y", support={"mtls-http": YES})]
    strict = run(meshes, must=frozenset({"mtls-http"}), allow_partial=False)
    assert slugs(strict) == ["y"]
    assert reasons_of(strict) == {
        "p": "Lacks must-have mTLS for HTTP "
        "(only partly supported, and you asked for full support)."
    }
    lenient = run(meshes, must=frozenset({"mtls-http"}), allow_partial=True)
    # Both in, tied: the same score is the same rank, whatever the caveats.
    assert slugs(lenient) == ["p", "y"]
    assert [(r.rank, r.tied) for r in lenient.shortlist] == [(1, True), (1, True)]
    assert lenient.excluded == ()


def test_no_never_satisfies_a_must_have():
    result = run([mesh("a", support={"tracing": NO})], must=frozenset({"tracing"}))
    assert reasons_of(result) == {"a": "Lacks must-have Tracing (not supported)."}


# --- empty shortlist: what to relax --------------------------------------------------------


def test_impossible_must_haves_name_the_one_excluding_most():
    meshes = [
        mesh("a", support={"mtls-http": NO, "fault-injection": YES}),
        mesh("b", support={"mtls-http": YES, "fault-injection": NO}),
        mesh("c", support={"mtls-http": YES}),  # fault injection unknown
        # Out already for its status: must not count towards any must-have.
        mesh("d", maturity="discontinued", discontinued=True, status_label="Archived 2023"),
    ]
    result = run(meshes, must=frozenset({"mtls-http", "fault-injection"}))
    assert result.shortlist == ()
    assert result.relax == Relaxation(
        feature="fault-injection", feature_name="Fault injection", excluded_count=2
    )


def test_relax_counts_partial_support_as_met_when_partial_is_allowed():
    # With partial allowed, "b"'s partial mTLS meets it: only fault injection blocks two meshes.
    meshes = [
        mesh("a", support={"mtls-http": YES, "fault-injection": NO, "tracing": YES}),
        mesh("b", support={"mtls-http": PARTIAL, "fault-injection": NO, "tracing": YES}),
        mesh("c", support={"mtls-http": PARTIAL, "fault-injection": YES, "tracing": NO}),
    ]
    must = frozenset({"mtls-http", "fault-injection", "tracing"})
    result = run(meshes, must=must, allow_partial=True)
    assert result.shortlist == ()
    assert result.relax == Relaxation(
        feature="fault-injection", feature_name="Fault injection", excluded_count=2
    )
    # Strict, the two partial mTLS meshes count against it and tie; mTLS comes first.
    strict = run(meshes, must=must)
    assert strict.relax == Relaxation(
        feature="mtls-http", feature_name="mTLS for HTTP", excluded_count=2
    )


def test_relax_tie_goes_to_the_first_in_display_order():
    meshes = [
        mesh("a", support={"mtls-http": NO, "tracing": YES}),
        mesh("b", support={"mtls-http": YES, "tracing": NO}),
    ]
    result = run(meshes, must=frozenset({"mtls-http", "tracing"}))
    assert result.relax == Relaxation(feature="tracing", feature_name="Tracing", excluded_count=1)


def test_relax_counts_every_failing_mesh_not_only_those_excluded_for_it():
    # "b" is excluded for Tracing (first in display order) but fails mTLS as well, so mTLS
    # blocks 2 meshes; counting first reasons only would give a 1:1 tie won by Tracing.
    meshes = [
        mesh("a", support={"tracing": YES, "mtls-http": NO}),
        mesh("b", support={"tracing": NO, "mtls-http": NO}),
    ]
    result = run(meshes, must=frozenset({"mtls-http", "tracing"}))
    assert reasons_of(result)["b"] == "Lacks must-have Tracing (not supported)."
    assert result.relax == Relaxation(
        feature="mtls-http", feature_name="mTLS for HTTP", excluded_count=2
    )


def test_relax_is_none_when_something_is_shortlisted():
    result = run([mesh("a", support={"tracing": YES})], must=frozenset({"tracing"}))
    assert slugs(result) == ["a"]
    assert result.relax is None


# --- ranking -------------------------------------------------------------------------------


def test_all_dont_care_ranks_every_usable_mesh_by_maturity():
    meshes = [
        mesh("new"),
        mesh("follower", maturity="followers"),
        mesh("dead", maturity="discontinued", discontinued=True, status_label="Archived 2023"),
        mesh("leader", maturity="leading"),
    ]
    result = run(meshes)
    assert slugs(result) == ["leader", "follower", "new"]
    assert [r.score for r in result.shortlist] == [3, 1, 0]
    assert plain(result.shortlist[0].parts) == ((3, "Production readiness: leading group"),)
    assert plain(result.shortlist[1].parts) == ((1, "Production readiness: followers"),)
    assert plain(result.shortlist[2].parts) == ()
    assert [e.mesh.slug for e in result.excluded] == ["dead"]
    assert result.relax is None
    for ranked in result.shortlist:
        assert ranked.fits == ranked.lacks == ranked.caveats == ()


def test_ties_broken_by_name_case_insensitively_whatever_the_input_order():
    zeta = mesh("z", name="Zeta")
    alpha = mesh("a", name="alpha")
    assert slugs(run([zeta, alpha])) == ["a", "z"]
    assert slugs(run([alpha, zeta])) == ["a", "z"]


def test_ties_share_a_rank_and_say_so():
    meshes = [
        mesh("a", maturity="leading"),
        mesh("b", maturity="followers"),
        mesh("c", maturity="followers", config_lines=None),
        mesh("d"),
    ]
    result = run(meshes)
    assert [(r.mesh.slug, r.rank, r.tied) for r in result.shortlist] == [
        ("a", 1, False),
        ("b", 2, True),
        ("c", 2, True),
        ("d", 4, False),
    ]


def test_compare_takes_the_top_three_widened_to_the_whole_tie_up_to_four():
    five_tied = [mesh(slug) for slug in "abcde"]
    assert [r.mesh.slug for r in run(five_tied).compare_group] == ["a", "b", "c", "d"]
    tie_at_third = [mesh("a", maturity="leading"), mesh("b"), mesh("c"), mesh("d")]
    assert [r.mesh.slug for r in run(tie_at_third).compare_group] == ["a", "b", "c", "d"]
    dead = mesh("d", maturity="discontinued", discontinued=True)
    clear = [mesh("a", maturity="leading"), mesh("b", maturity="followers"), mesh("c"), dead]
    assert [r.mesh.slug for r in run(clear).compare_group] == ["a", "b", "c"]
    assert run([mesh("a")]).compare_group == ()


def test_higher_score_wins_over_name():
    result = run([mesh("a", name="Alpha"), mesh("z", name="Zeta", maturity="followers")])
    assert slugs(result) == ["z", "a"]


def test_same_input_same_result():
    meshes = [mesh("a", support={"tracing": PARTIAL}), mesh("b", maturity="leading")]
    kwargs = {"nice": frozenset({"tracing", "mtls-http"}), "cloud": "gcp"}
    assert run(meshes, **kwargs) == run(meshes, **kwargs)


# --- score parts ---------------------------------------------------------------------------


def test_nice_to_haves_score_two_for_yes_one_for_partial_regardless_of_allow_partial():
    m = mesh("a", support={"tracing": YES, "mtls-http": PARTIAL, "mtls-tcp": NO})
    for allow_partial in (False, True):
        ranked = run(
            [m], nice=frozenset({"tracing", "mtls-http", "mtls-tcp"}), allow_partial=allow_partial
        ).shortlist[0]
        assert plain(ranked.parts) == plain(
            (
                ScorePart(2, "Nice-to-have Tracing: supported"),
                ScorePart(1, "Nice-to-have mTLS for HTTP: only partly supported"),
            )
        )
        assert ranked.score == 3


def test_cloud_fit_scores_three_and_names_the_cloud():
    m = mesh("a", clouds=frozenset({"gcp", "azure"}))
    ranked = run([m], cloud="gcp").shortlist[0]
    assert part_reasons(ranked) == {
        "Offered managed or as an add-on by your cloud, Google Cloud": 3
    }
    assert plain(run([m], cloud="aws").shortlist[0].parts) == ()
    assert plain(run([m], cloud="on_prem").shortlist[0].parts) == ()


@pytest.mark.parametrize(
    ("overrides", "experience", "named"),
    [
        ({"proxy_family": "envoy"}, {"envoy"}, "Envoy"),
        (
            {"proxy_family": "ztunnel_envoy", "builds_on": "istio"},
            {"envoy", "istio"},
            "Envoy, Istio",
        ),
        ({"builds_on": "linkerd"}, {"linkerd"}, "Linkerd"),
        ({"proxy_family": "ebpf_envoy", "builds_on": "cilium"}, {"cilium"}, "Cilium/eBPF"),
        ({"builds_on": "consul", "proxy_family": "envoy"}, {"consul", "linkerd"}, "Consul"),
    ],
)
def test_experience_scores_two_once(overrides, experience, named):
    ranked = run([mesh("a", **overrides)], experience=frozenset(experience)).shortlist[0]
    assert plain(ranked.parts) == ((2, f"Builds on what your team knows: {named}"),)


def test_experience_without_match_scores_nothing_and_unknown_says_so():
    ranked = run([mesh("a", proxy_family="envoy")], experience=frozenset({"linkerd"})).shortlist[0]
    assert plain(ranked.parts) == ()
    assert run([mesh("a", proxy_family="envoy")]).shortlist[0].parts == ()
    unknown = run([mesh("a", proxy_family="")], experience=frozenset({"envoy"})).shortlist[0]
    (part,) = unknown.parts
    assert (part.points, part.level) == (0, UNKNOWN)


def test_smi_scores_one_per_part_at_yes():
    m = mesh(
        "a",
        support={
            "smi-traffic-split": YES,
            "smi-traffic-access-control": YES,
            "smi-traffic-specs": PARTIAL,
            "smi-traffic-metrics": YES,  # not in FEATURES: still counts, named by its slug
            "gateway-api-mesh": YES,
        },
    )
    ranked = run([m], standards="smi").shortlist[0]
    assert plain(ranked.parts) == (
        (1, "SMI standard: implements SMI Traffic Split"),
        (1, "SMI standard: implements SMI Traffic Access Control"),
        (1, "SMI standard: implements smi-traffic-metrics"),
    )
    assert ranked.score == 3
    assert run([m], standards="none").shortlist[0].score == 0


@pytest.mark.parametrize(
    ("level", "points", "reason"),
    [
        (YES, 2, "Gateway API standard: Gateway API for mesh traffic"),
        (PARTIAL, 1, "Gateway API standard: Gateway API for mesh traffic only partly supported"),
    ],
)
def test_gateway_api_scores_for_mesh_support(level, points, reason):
    m = mesh("a", support={"gateway-api-mesh": level, "smi-traffic-split": YES})
    assert plain(run([m], standards="gateway_api").shortlist[0].parts) == ((points, reason),)


def test_gateway_api_no_or_unknown_scores_nothing():
    for support in ({"gateway-api-mesh": NO}, {}):
        result = run([mesh("a", support=support)], standards="gateway_api")
        assert plain(result.shortlist[0].parts) == ()


# Nine meshes as in the data: the thirds are 18-27 lines, 30 lines, 31+ lines. The names run
# against the counts, so that every penalty visibly reorders the (otherwise alphabetical) list.
LINES = {"i": 18, "h": 19, "g": 27, "f": 30, "e": 30, "d": 31, "c": 31, "b": 31, "a": 31}


def line_meshes(**extra):
    meshes = [mesh(slug, config_lines=lines) for slug, lines in LINES.items()]
    return meshes + [mesh(slug, **fields) for slug, fields in extra.items()]


def test_complexity_bands_are_the_thirds_of_the_active_meshes_counts():
    # A discontinued mesh's count does not move the bands.
    dead = {"z": {"config_lines": 5, "maturity": "discontinued", "discontinued": True}}
    cuts = complexity_cuts(line_meshes(**dead))
    assert (cuts.low_max, cuts.high_min, cuts.counted) == (27, 31, 9)
    assert [cuts.band(n) for n in (18, 27, 28, 30, 31, 45)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    assert complexity_cuts([mesh("a", config_lines=None)]) is None
    # Four counts: the thirds (rounded up) hold two each.
    four = complexity_cuts(
        [mesh(s, config_lines=n) for s, n in zip("abcd", (10, 20, 30, 40), strict=True)]
    )
    assert (four.low_max, four.high_min, four.counted) == (20, 30, 4)
    # Even all-equal counts give a usable "low" band.
    same = complexity_cuts([mesh(s, config_lines=20) for s in "abc"])
    assert (same.low_max, same.high_min) == (20, 21)


@pytest.mark.parametrize(
    ("tolerance", "slug", "points"),
    [
        ("low", "g", 0),
        ("low", "f", -1),
        ("low", "d", -2),
        ("medium", "f", 0),
        ("medium", "d", -1),
        ("high", "d", 0),
    ],
)
def test_configuration_complexity_costs_points_by_band(tolerance, slug, points):
    result = run(line_meshes(), complexity_tolerance=tolerance)
    ranked = next(r for r in result.shortlist if r.mesh.slug == slug)
    assert ranked.score == points
    if points:
        (part,) = ranked.parts
        assert f"takes {LINES[slug]} lines" in part.reason
        assert f"your {tolerance} tolerance" in part.reason
    else:
        assert plain(ranked.parts) == ()


def test_every_tolerance_changes_the_ranking():
    orders = {
        tolerance: slugs(run(line_meshes(), complexity_tolerance=tolerance))
        for tolerance in ("low", "medium", "high")
    }
    assert len({tuple(order) for order in orders.values()}) == 3


def test_unknown_configuration_size_is_never_a_free_pass():
    result = run(line_meshes(x={"config_lines": None}), complexity_tolerance="low")
    ranked = next(r for r in result.shortlist if r.mesh.slug == "x")
    (part,) = ranked.parts
    assert (part.points, part.level) == (-2, UNKNOWN)
    assert part.reason.startswith("Configuration complexity unknown")
    assert ranked.caveats == (
        "Configuration complexity unknown: no 90/10 traffic split example recorded",
    )
    high = run(line_meshes(x={"config_lines": None}), complexity_tolerance="high")
    assert plain(next(r for r in high.shortlist if r.mesh.slug == "x").parts) == ()


@pytest.mark.parametrize(
    ("data_plane", "points"),
    [("sidecarless", 1), ("per_node", 1), ("sidecar", 0), ("mixed", 0)],
)
def test_latency_sensitive_prefers_no_proxy_per_pod(data_plane, points):
    m = mesh("a", data_plane=data_plane)
    ranked = run([m], latency_sensitive=True).shortlist[0]
    assert ranked.score == points
    if points:
        assert plain(ranked.parts) == (
            (1, "Latency: no proxy in each pod, so fewer hops on the request path"),
        )
    assert run([m], latency_sensitive=False).shortlist[0].score == 0


def test_score_is_the_sum_of_its_parts_and_every_part_has_a_reason():
    m = mesh(
        "x",
        maturity="leading",
        clouds=frozenset({"aws"}),
        proxy_family="envoy",
        data_plane="per_node",
        config_lines=31,
        commercial_support="Vendor",
        support={"tracing": YES, "smi-traffic-split": YES},
        feature_sources={"tracing": "https://example.org/tracing"},
    )
    ranked = run(
        [*line_meshes(), m],
        cloud="aws",
        experience=frozenset({"envoy"}),
        standards="smi",
        nice=frozenset({"tracing"}),
        complexity_tolerance="low",
        latency_sensitive=True,
    ).shortlist[0]
    assert ranked.mesh.slug == "x"
    assert [p.points for p in ranked.parts] == [2, 3, 3, 2, 1, 1, -2, 1]
    assert ranked.score == 11
    assert all(p.reason for p in ranked.parts)
    # The nice-to-have line names its cell and where it was read.
    nice = ranked.parts[0]
    assert (nice.feature, nice.level, nice.source) == (
        "tracing",
        YES,
        "https://example.org/tracing",
    )


def test_must_have_evidence_carries_feature_level_and_source():
    m = mesh("a", support={"tracing": YES}, feature_sources={"tracing": "https://example.org/t"})
    ranked = run([m], must=frozenset({"tracing"})).shortlist[0]
    (line,) = ranked.evidence
    assert (line.points, line.reason, line.feature, line.level, line.source) == (
        0,
        "Tracing (must-have): supported",
        "tracing",
        YES,
        "https://example.org/t",
    )
    assert ranked.reasons == ranked.evidence + ranked.parts


def test_alternatives_follow_the_answers():
    def keys(**overrides):
        return [a.key for a in run([], **overrides).verdict.alternatives]

    assert keys() == []  # worth it: no alternatives pushed
    java_kafka_vms = keys(
        service_count="few", tech_diversity="low", mostly_synchronous=False, uses_kubernetes=False
    )
    assert java_kafka_vms == [
        "resilience4j",
        "dotnet-resilience",
        "grpc-retry",
        "opentelemetry",
        "kafka-security",
        "nats-security",
    ]
    ecs = keys(uses_kubernetes=False, outside_kubernetes=frozenset({"ecs"}), cloud="aws")
    assert ecs == ["ecs-service-connect", "vpc-lattice"]
    on_kubernetes = keys(change_frequency="rarely")
    assert on_kubernetes == ["cert-manager", "network-policies", "static-proxy"]
    for alternative in run([], service_count="few", tech_diversity="low").verdict.alternatives:
        assert alternative.url.startswith("https://")
        assert alternative.title and alternative.text


K8S = ["cert-manager", "network-policies"]
LIBRARIES = ["resilience4j", "dotnet-resilience", "grpc-retry", "opentelemetry"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, K8S),
        # Either few services or little tech diversity makes a library enough, with tracing.
        ({"tech_diversity": "low"}, LIBRARIES + K8S),
        ({"service_count": "few"}, LIBRARIES + K8S),
        # Tracing alone (needed or a must-have) points to instrumenting the services.
        ({"needed": frozenset({"tracing"})}, ["opentelemetry", *K8S]),
        ({"must": frozenset({"tracing"})}, ["opentelemetry", *K8S]),
        ({"mostly_synchronous": False}, ["kafka-security", "nats-security", *K8S]),
        # Off Kubernetes on AWS, or on ECS anywhere, AWS's own service networking fits.
        ({"uses_kubernetes": False, "cloud": "aws"}, ["ecs-service-connect", "vpc-lattice"]),
        (
            {"uses_kubernetes": False, "outside_kubernetes": frozenset({"ecs"})},
            ["ecs-service-connect", "vpc-lattice"],
        ),
        ({"uses_kubernetes": False, "cloud": "gcp"}, []),
        ({"uses_kubernetes": True, "cloud": "aws"}, K8S),
        ({"change_frequency": "rarely"}, [*K8S, "static-proxy"]),
        # Each answer adds to what the earlier ones brought.
        (
            {"service_count": "few", "mostly_synchronous": False, "uses_kubernetes": False},
            [*LIBRARIES, "kafka-security", "nats-security"],
        ),
        (
            {"service_count": "few", "uses_kubernetes": False, "cloud": "aws"},
            [*LIBRARIES, "ecs-service-connect", "vpc-lattice"],
        ),
    ],
)
def test_each_answer_brings_its_own_alternatives(overrides, expected):
    from questionnaire.decision import _alternatives

    assert [a.key for a in _alternatives(answers(**overrides))] == expected


def test_alternatives_carry_their_own_title_text_and_address():
    from questionnaire.decision import ALTERNATIVES

    result = run([], service_count="few", tech_diversity="low", mostly_synchronous=False)
    for alternative in result.verdict.alternatives:
        title, text, url = ALTERNATIVES[alternative.key]
        assert (alternative.title, alternative.text, alternative.url) == (title, str(text), url)
    first = result.verdict.alternatives[0]
    assert (first.key, first.title) == ("resilience4j", "Resilience4j")
    assert first.url == "https://resilience4j.readme.io/docs/getting-started"


# --- fits, lacks, caveats ------------------------------------------------------------------


def test_fits_lacks_and_caveats_name_features_and_levels():
    m = mesh(
        "a",
        config_lines=None,
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
        allow_partial=True,
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
        "mTLS for HTTP: only partly supported — check the note",
        "Header-based routing: only partly supported — check the note",
        "Fault injection: unknown, no source found — check it yourself",
        "Configuration complexity unknown: no 90/10 traffic split example recorded",
    )


def test_a_must_have_also_listed_as_nice_to_have_counts_once():
    m = mesh("a", support={"tracing": YES})
    ranked = run([m], must=frozenset({"tracing"}), nice=frozenset({"tracing"})).shortlist[0]
    assert ranked.fits == ("Tracing (must-have): supported",)
    assert ranked.score == 0


def test_feature_name_falls_back_to_the_slug():
    result = run([mesh("a")], must=frozenset({"rate-limiting"}))
    assert reasons_of(result) == {
        "a": "Lacks must-have rate-limiting (no source found: unknown never counts)."
    }
    assert result.relax == Relaxation("rate-limiting", "rate-limiting", 1)


# --- helpers and validation ----------------------------------------------------------------


def test_gate_must_haves_maps_gate_choices_to_feature_slugs():
    assert gate_must_haves({"routing", "mtls"}) == frozenset(
        {"header-routing", "path-routing", "mtls-http"}
    )
    assert gate_must_haves(()) == frozenset()
    with pytest.raises(ValueError, match="needed"):
        gate_must_haves({"speed"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("service_count", "lots"),
        ("tech_diversity", "medium"),
        ("change_frequency", "sometimes"),
        ("outside_kubernetes", frozenset({"mainframe"})),
        ("outside_kubernetes", "ecs"),
        ("support", "maybe"),
        ("open_source_only", "yes"),
        ("cloud", "ibm"),
        ("standards", "osm"),
        ("min_maturity", "discontinued"),
        ("complexity_tolerance", "none"),
        ("needed", frozenset({"speed"})),
        ("experience", frozenset({"kong"})),
        ("mostly_synchronous", "on"),
        ("allow_partial", None),
        ("must", "tracing"),
    ],
)
def test_invalid_answers_raise_value_error_naming_the_field(field, value):
    with pytest.raises(ValueError, match=rf"^{field} (must|may|has) "):
        answers(**{field: value})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"tracing", ""}, "must may hold only non-empty strings; got ''."),
        ({"tracing", 3, None}, "must may hold only non-empty strings; got 3, None."),
        ("tracing", "must must be a collection of strings, not the string 'tracing'."),
    ],
)
def test_feature_sets_hold_only_non_empty_strings(value, message):
    with pytest.raises(ValueError) as error:
        answers(must=value)
    assert str(error.value) == message


def test_unknown_choices_are_listed_with_the_allowed_ones():
    with pytest.raises(ValueError) as error:
        answers(experience={"zeta", "kong", "envoy"})
    allowed = ", ".join(repr(key) for key in EXPERIENCES)
    assert (
        str(error.value) == f"experience has unknown choice(s) 'kong', 'zeta'; allowed: {allowed}."
    )


def test_gate_must_haves_name_the_needed_field_in_errors():
    with pytest.raises(ValueError, match=r"^needed has unknown choice\(s\) 'speed'; "):
        gate_must_haves({"speed", "mtls"})
    with pytest.raises(ValueError, match=r"^needed must be a collection of strings"):
        gate_must_haves("mtls")


def test_invalid_choice_message_lists_allowed_values():
    with pytest.raises(ValueError, match=r"service_count must be one of 'few', 'many'; got 'lots'"):
        answers(service_count="lots")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("maturity", "mature"),
        ("data_plane", "ambient"),
        ("proxy_family", "haproxy"),
        ("builds_on", "nginx"),
        ("bound_to_cloud", "ibm"),
        ("cncf_status", "famous"),
        ("runs_without_kubernetes", "yes"),
        ("kubernetes_vm_workloads", 1),
        ("osi_open_source", "no"),
        ("stable_releases_free", 0),
        ("clouds", frozenset({"ibm"})),
        ("clouds", "aws"),
        ("orchestrators", frozenset({"mainframe"})),
        ("orchestrators", frozenset({""})),
        ("config_lines", -1),
        ("config_lines", True),
        ("config_lines", 2.5),
        ("support", {"tracing": "maybe"}),
    ],
)
def test_invalid_mesh_facts_raise_value_error(field, value):
    name = "support levels" if field == "support" else field
    with pytest.raises(ValueError, match=rf"^Mesh 'a':? {name} (must|may|has) "):
        mesh("a", **{field: value})


def test_invalid_mesh_fact_message_lists_the_allowed_values():
    with pytest.raises(ValueError) as error:
        mesh("a", data_plane="ambient")
    assert str(error.value) == (
        "Mesh 'a': data_plane must be one of 'sidecar', 'per_node', 'sidecarless', 'mixed'; "
        "got 'ambient'."
    )


def test_invalid_support_level_message_names_the_cells():
    with pytest.raises(ValueError) as error:
        mesh("a", support={"tracing": "maybe", "mtls-http": YES, "grpc": "sure"})
    assert str(error.value) == (
        "Mesh 'a': support levels must be one of 'yes', 'partial', 'no', 'unknown'; "
        "got grpc='sure', tracing='maybe'."
    )


def test_mesh_facts_freeze_their_lists_and_take_zero_lines():
    m = mesh("a", clouds=["aws"], orchestrators=["ecs", "nomad"], config_lines=0)
    assert m.clouds == frozenset({"aws"}) and isinstance(m.clouds, frozenset)
    assert m.orchestrators == frozenset({"ecs", "nomad"}) and isinstance(m.orchestrators, frozenset)
    assert m.config_lines == 0


def test_unknown_facts_are_accepted_as_empty():
    m = mesh("a", proxy_family="", builds_on="", bound_to_cloud="", runs_without_kubernetes=None)
    assert (m.proxy_family, m.builds_on, m.bound_to_cloud) == ("", "", "")


def test_a_mesh_needs_a_slug():
    with pytest.raises(ValueError, match=r"^A mesh needs a slug\.$"):
        mesh("")


def test_duplicate_meshes_raise_value_error():
    with pytest.raises(ValueError, match=r"^Each mesh may appear once; duplicated: a, b\.$"):
        run([mesh("a"), mesh("b"), mesh("c"), mesh("b"), mesh("a")])


def test_answers_of_another_type_raise_value_error():
    with pytest.raises(ValueError, match=r"^answers must be an Answers instance; got dict\.$"):
        decide({"service_count": "many"}, [], FEATURES)  # type: ignore[arg-type]


def test_the_result_carries_the_complexity_bands_and_the_notices():
    meshes = line_meshes()
    result = run(meshes, standards="smi")
    assert result.complexity_cuts == complexity_cuts(meshes)
    assert result.notices == (str(SMI_ARCHIVED_NOTICE),)
    for standards in ("none", "gateway_api"):
        assert run(meshes, standards=standards).notices == ()


def test_nothing_to_relax_while_the_shortlist_has_a_mesh():
    meshes = [mesh("a", support={"tracing": YES}), mesh("b", support={"tracing": NO})]
    result = run(meshes, must=frozenset({"tracing"}))
    assert slugs(result) == ["a"] and reasons_of(result).keys() == {"b"}
    assert result.relax is None


def test_mesh_facts_copy_support_so_later_edits_do_not_leak_in():
    support = {"tracing": YES}
    feature_sources = {"tracing": "https://example.org/t"}
    fact_sources = {"clouds": "https://example.org/c"}
    m = mesh("a", support=support, feature_sources=feature_sources, fact_sources=fact_sources)
    support["tracing"] = NO
    feature_sources["tracing"] = fact_sources["clouds"] = "https://elsewhere.example/"
    assert m.level("tracing") == YES
    assert m.level("mtls-http") == UNKNOWN
    assert dict(m.feature_sources) == {"tracing": "https://example.org/t"}
    assert dict(m.fact_sources) == {"clouds": "https://example.org/c"}
    for mapping in (m.support, m.feature_sources, m.fact_sources):
        with pytest.raises(TypeError):
            mapping["tracing"] = NO  # type: ignore[index]


def test_answers_accept_plain_sets_and_freeze_them():
    a = answers(must={"tracing"}, experience=["envoy"], outside_kubernetes=["ecs"])
    assert a.must == frozenset({"tracing"})
    assert a.experience == frozenset({"envoy"})
    assert a.outside_kubernetes == frozenset({"ecs"})
    assert replace(a, nice={"mtls-http"}).nice == frozenset({"mtls-http"})


# --- every text in German ------------------------------------------------------------------


def texts(result) -> list[str]:
    """Every sentence a result shows a reader (not names, slugs or addresses)."""
    verdict = result.verdict
    found = [verdict.headline, *verdict.in_favour, *result.notices]
    for reason in verdict.reasons:
        found += [reason.question, reason.answer, reason.message, reason.alternative]
    found += [alternative.text for alternative in verdict.alternatives]
    for ranked in result.shortlist:
        found += [part.reason for part in ranked.reasons]
        found += [*ranked.fits, *ranked.lacks, *ranked.caveats]
    found += [excluded.reason for excluded in result.excluded]
    return found


SCENARIOS = [
    # Every answer pointing away, and the alternatives they bring.
    (
        [],
        {
            "service_count": "few",
            "tech_diversity": "low",
            "mostly_synchronous": False,
            "change_frequency": "rarely",
        },
    ),
    (
        [],
        {
            "uses_kubernetes": False,
            "cloud": "aws",
            "service_count": "few",
            "needed": frozenset({"tracing"}),
        },
    ),
    # Scores, fits, lacks and caveats of every kind.
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
                support={"tracing": YES, "mtls-http": PARTIAL, "smi-traffic-split": YES},
            ),
            mesh(
                "b",
                maturity="followers",
                config_lines=40,
                proxy_family="",
                support={"tracing": YES},
            ),
            mesh(
                "c",
                config_lines=10,
                stable_releases_free=False,
                data_plane="sidecarless",
                support={"tracing": YES},
            ),
            mesh("m", config_lines=20, support={"tracing": YES}),
        ],
        {
            "cloud": "gcp",
            "support": "welcome",
            "experience": frozenset({"envoy"}),
            "must": frozenset({"tracing"}),
            "nice": frozenset({"mtls-http", "mtls-tcp", "fault-injection"}),
            "allow_partial": True,
            "standards": "smi",
            "complexity_tolerance": "low",
            "latency_sensitive": True,
            "needed": frozenset({"mtls", "tracing", "routing", "rollouts"}),
        },
    ),
    (
        [mesh("d", stable_releases_free=False), mesh("e"), mesh("f", bound_to_cloud="aws")],
        {"support": "not_wanted", "cloud": "multi", "standards": "gateway_api"},
    ),
    # Exclusions of every kind.
    (
        [
            mesh("g", maturity="discontinued", discontinued=True, status_label="Archived 2023"),
            mesh("h", maturity="leading", support={"tracing": NO}),
            mesh("i", maturity="leading"),
            mesh("j", maturity="leading", cncf_status="sandbox", support={"tracing": YES}),
            mesh("n"),
        ],
        {"must": frozenset({"tracing"}), "min_maturity": "followers", "cncf_graduated_only": True},
    ),
    ([mesh("k")], {"uses_kubernetes": False, "outside_kubernetes": frozenset({"ecs"})}),
    ([mesh("l")], {"support": "required"}),
    # Workloads outside Kubernetes, and no Kubernetes at all.
    (
        [
            mesh("o", orchestrators=frozenset({"nomad", "ecs"}), orchestrators_note="via agents"),
            mesh("p", orchestrators=frozenset({"ecs"})),
            mesh("q"),
        ],
        {"outside_kubernetes": frozenset({"nomad", "ecs"})},
    ),
    (
        [mesh("r", runs_without_kubernetes=None), mesh("s", runs_without_kubernetes=True)],
        {"uses_kubernetes": False},
    ),
    (
        [
            mesh("t", osi_open_source=False),
            mesh("u", osi_open_source=True, requires_openshift=True),
            mesh("v", osi_open_source=True, bound_to_cloud="azure"),
        ],
        {"open_source_only": True, "cloud": "aws"},
    ),
]


@pytest.mark.parametrize(("meshes", "overrides"), SCENARIOS)
def test_every_text_of_a_result_is_in_german_too(meshes, overrides):
    from django.utils import translation

    with translation.override("en"):
        english = texts(run(meshes, **overrides))
    with translation.override("de"):
        german = texts(run(meshes, **overrides))
    assert len(german) == len(english) and english
    untranslated = [text for text, same in zip(english, german, strict=True) if text == same]
    assert untranslated == []


def test_every_message_the_decision_logic_looks_up_has_a_german_translation(monkeypatch):
    # Sentences with names or numbers filled in differ from the English ones even when the
    # sentence itself is untranslated; so watch the lookups themselves.
    from django.utils import translation

    from questionnaire import decision

    looked_up, missing = [], []

    def german(message: str) -> str:
        translated = translation.gettext(message)
        looked_up.append(message)
        # A pattern of placeholders alone ("%(feature)s (%(kind)s): %(level)s") has no words.
        if translated == message and re.search(r"[a-z]{2}", re.sub(r"%\(\w+\)\w", "", message)):
            missing.append(message)
        return translated

    monkeypatch.setattr(decision, "_", german)
    with translation.override("de"):
        for meshes, overrides in SCENARIOS:
            run(meshes, **overrides)
    assert len(set(looked_up)) > 40
    assert missing == []
