"""Which options are candidates (questionnaire/decision/candidates.py): the preconditions, in
their order, and each must-have met, met with a risk, unverified (no source) or failed."""

import pytest

from questionnaire.decision import STAGE_WORDS, check_musts, display_order, precondition_reason
from questionnaire.decision import weights as w

from .helpers import (
    FEATURES,
    NO,
    PARTIAL,
    UNKNOWN,
    YES,
    answers,
    mesh,
    part_reasons,
    plain,
    reasons_of,
    run,
    slugs,
)

# --- preconditions --------------------------------------------------------------------------


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
    assert result.shortlist == () and result.unverified == ()
    assert reasons_of(result) == {"dead": "Discontinued (Archived 2023-07-11): never recommended."}
    # Relaxing an answer cannot bring back a product that is out for its status.
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
    result = run(meshes, kubernetes=False)
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
    assert set(slugs(result)) == {"both", "vms"}
    assert reasons_of(result) == {
        "k8s-only": "Runs only on Kubernetes: no support for your workloads on VMs or bare "
        "metal on-premises.",
        "cloud-vms": "Outside Kubernetes it supports only Cloud VMs, Serverless functions, not "
        "your workloads on VMs or bare metal on-premises.",
    }
    ecs = run(meshes, outside_kubernetes=frozenset({"ecs", "vms_on_prem"}), cloud="aws")
    assert slugs(ecs) == ["both"]
    assert reasons_of(ecs)["vms"] == (
        "Outside Kubernetes it supports only VMs or bare metal on-premises, not your workloads "
        "on Amazon ECS/Fargate."
    )


def test_an_option_serving_only_outside_kubernetes_is_not_for_kubernetes_workloads():
    ecs_only = mesh(
        "ecs-only",
        platforms="outside_kubernetes",
        orchestrators=frozenset({"ecs"}),
        bound_to_cloud="aws",
        runs_without_kubernetes=True,
    )
    on_kubernetes = run([ecs_only], cloud="aws")
    assert reasons_of(on_kubernetes) == {
        "ecs-only": "Serves only Amazon ECS/Fargate, not your Kubernetes workloads."
    }
    no_ecs = run([ecs_only], cloud="aws", kubernetes=False)
    assert reasons_of(no_ecs) == {
        "ecs-only": "Serves only Amazon ECS, and you named no ECS workloads."
    }
    on_ecs = run([ecs_only], cloud="aws", kubernetes=False, outside_kubernetes={"ecs"})
    assert slugs(on_ecs) == ["ecs-only"]


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
    assert part_reasons(several[1])[
        "Works only with Google Cloud, and you run on several clouds"
    ] == (w.BOUND_ELSEWHERE_PENALTY)


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
    ranked = run([ossm, other], openshift=True).shortlist
    assert [r.mesh.slug for r in ranked] == ["ossm", "other"]
    fit = next(p for p in ranked[0].parts if p.reason.startswith("Made for your platform"))
    assert (fit.points, fit.source) == (w.PLATFORM_POINTS, source)
    # A product for any platform earns nothing extra on OpenShift.
    assert run([other], openshift=True).shortlist[0].parts == ()


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
    assert set(slugs(run(meshes))) == {"apache", "busl", "unknown", "unnamed"}


def test_cncf_graduated_only():
    meshes = [mesh("g", cncf_status="graduated"), mesh("s", cncf_status="sandbox"), mesh("n")]
    result = run(meshes, cncf_graduated_only=True)
    assert slugs(result) == ["g"]
    assert reasons_of(result) == {
        "s": "CNCF sandbox, and you want CNCF graduated projects only.",
        "n": "Not a CNCF project, and you want CNCF graduated projects only.",
    }


def test_support_required_excludes_only_options_nobody_sells_support_for():
    sold = mesh("sold", commercial_support="Vendor Inc.", stable_releases_free=False)
    free = mesh("free", stable_releases_free=True)
    unknown = mesh("unknown", commercial_support="Vendor Inc.")
    required = run([sold, free, unknown], support="required")
    assert set(slugs(required)) == {"sold", "unknown"}
    assert reasons_of(required) == {
        "free": "Nobody sells commercial support for it, and you require support."
    }
    # Required support earns no "welcome" point: it is a condition, not a preference.
    assert all(r.parts == () for r in required.shortlist)


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


def test_precondition_reason_is_none_for_a_fitting_option():
    assert precondition_reason(answers(), mesh("a")) is None
    assert precondition_reason(answers(min_maturity="leading"), mesh("a")) == (
        "Production readiness is very new, below your minimum (leading group)."
    )


# --- must-haves -----------------------------------------------------------------------------


def test_first_failing_must_have_follows_display_order_not_alphabet():
    # "mtls-http" sorts before "tracing", but FEATURES lists Tracing first.
    meshes = [mesh("a", support={"mtls-http": NO, "tracing": NO})]
    result = run(meshes, must=frozenset({"mtls-http", "tracing"}))
    assert reasons_of(result) == {"a": "Lacks must-have Tracing (not supported)."}


def test_display_order_follows_the_feature_table_then_unknown_slugs_sorted():
    assert display_order({"zz-new", "mtls-http", "aa-new", "tracing"}, FEATURES) == (
        "tracing",
        "mtls-http",
        "aa-new",
        "zz-new",
    )


def test_unknown_must_have_is_unverified_not_excluded():
    # Changed on purpose: unknown used to exclude; now the option could fit once checked.
    meshes = [
        mesh("explicit", maturity="leading", support={"tracing": UNKNOWN}),
        mesh("missing", support={}),
        mesh("known", support={"tracing": YES}),
    ]
    result = run(meshes, must=frozenset({"tracing"}))
    assert slugs(result) == ["known"]
    assert result.excluded == ()
    assert [(u.mesh.slug, u.features, u.feature_names) for u in result.unverified] == [
        ("explicit", ("tracing",), ("Tracing",)),
        ("missing", ("tracing",), ("Tracing",)),
    ]
    # Its score is what it would earn if the must-have holds; best first.
    assert [u.score for u in result.unverified] == [w.MATURITY_POINTS["leading"], 0]


def test_unknown_must_have_does_not_hide_a_failing_one():
    m = mesh("a", support={"mtls-http": NO})  # tracing unknown, mTLS not supported
    result = run([m], must=frozenset({"mtls-http", "tracing"}))
    assert result.unverified == ()
    assert reasons_of(result) == {"a": "Lacks must-have mTLS for HTTP (not supported)."}


def test_unverified_lists_every_unknown_must_have_in_display_order():
    m = mesh("a", support={"header-routing": YES})
    result = run([m], must=frozenset({"mtls-http", "tracing", "header-routing"}))
    (unverified,) = result.unverified
    assert unverified.features == ("tracing", "mtls-http")
    assert unverified.feature_names == ("Tracing", "mTLS for HTTP")


def test_unverified_fewer_unknowns_first_at_equal_score():
    one = mesh("one", support={"tracing": YES})
    two = mesh("two")
    result = run([two, one], must=frozenset({"tracing", "mtls-http"}))
    assert [u.mesh.slug for u in result.unverified] == ["one", "two"]


def test_no_never_satisfies_a_must_have():
    result = run([mesh("a", support={"tracing": NO})], must=frozenset({"tracing"}))
    assert reasons_of(result) == {"a": "Lacks must-have Tracing (not supported)."}


def test_partial_meets_a_must_have_only_when_allowed_and_then_costs_points_and_is_a_risk():
    source = "https://example.org/mtls"
    meshes = [
        mesh("p", support={"mtls-http": PARTIAL}, feature_sources={"mtls-http": source}),
        mesh("y", support={"mtls-http": YES}),
    ]
    strict = run(meshes, must=frozenset({"mtls-http"}), partial_ok=False)
    assert slugs(strict) == ["y"]
    assert reasons_of(strict) == {
        "p": "Lacks must-have mTLS for HTTP "
        "(only partly supported, and you asked for full support)."
    }
    lenient = run(meshes, must=frozenset({"mtls-http"}), partial_ok=True)
    # Changed on purpose: partial is no longer a free pass; it costs points and is a risk.
    assert slugs(lenient) == ["y", "p"]
    assert [(r.score, r.rank, r.tied) for r in lenient.shortlist] == [
        (0, 1, False),
        (w.MUST_PARTIAL_PENALTY, 2, False),
    ]
    (part,) = lenient.shortlist[1].parts
    assert (part.points, part.reason, part.feature, part.level, part.source) == (
        w.MUST_PARTIAL_PENALTY,
        "Must-have mTLS for HTTP: only partly supported",
        "mtls-http",
        PARTIAL,
        source,
    )
    (risk,) = lenient.shortlist[1].risks
    assert (risk.kind, risk.text, risk.source, risk.feature) == (
        "must_partial",
        "Must-have mTLS for HTTP: only partly supported",
        source,
        "mtls-http",
    )
    assert lenient.shortlist[1].caveats == ("Must-have mTLS for HTTP: only partly supported",)
    assert lenient.excluded == ()


@pytest.mark.parametrize(
    ("stage", "points"),
    [
        ("beta", w.MUST_BETA_PENALTY),
        ("preview", w.MUST_RISKY_STAGE_PENALTY),
        ("deprecated", w.MUST_RISKY_STAGE_PENALTY),
    ],
)
def test_a_must_have_met_only_at_a_risky_stage_costs_points_and_is_a_risk(stage, points):
    m = mesh("a", support={"tracing": YES}, stages={"tracing": stage})
    for experimental_ok in (False, True):
        (ranked,) = run([m], must={"tracing"}, experimental_ok=experimental_ok).shortlist
        text = f"Must-have Tracing: the project calls its support {STAGE_WORDS[stage]}"
        assert plain(ranked.parts) == ((points, text),)
        assert [(r.kind, r.text, r.feature) for r in ranked.risks] == [("stage", text, "tracing")]
        assert ranked.score == points


@pytest.mark.parametrize("stage", ["", "stable"])
def test_a_stable_must_have_costs_nothing(stage):
    m = mesh("a", support={"tracing": YES}, stages={"tracing": stage} if stage else {})
    (ranked,) = run([m], must={"tracing"}).shortlist
    assert ranked.parts == () and ranked.risks == ()


def test_alpha_must_have_is_excluded_unless_experimental_counts():
    m = mesh("a", support={"tracing": YES}, stages={"tracing": "alpha"})
    strict = run([m], must={"tracing"})
    assert strict.shortlist == () and strict.unverified == ()
    assert reasons_of(strict) == {
        "a": "Lacks must-have Tracing (only alpha/experimental, and you asked for production "
        "support)."
    }
    (ranked,) = run([m], must={"tracing"}, experimental_ok=True).shortlist
    text = "Must-have Tracing: the project calls its support alpha/experimental"
    assert plain(ranked.parts) == ((w.MUST_EXPERIMENTAL_PENALTY, text),)
    assert [r.kind for r in ranked.risks] == ["stage"]


def test_partial_and_beta_on_one_must_have_cost_both():
    m = mesh("a", support={"tracing": PARTIAL}, stages={"tracing": "beta"})
    (ranked,) = run([m], must={"tracing"}, partial_ok=True).shortlist
    assert [p.points for p in ranked.parts] == [w.MUST_PARTIAL_PENALTY, w.MUST_BETA_PENALTY]
    assert [r.kind for r in ranked.risks] == ["must_partial", "stage"]
    assert ranked.score == w.MUST_PARTIAL_PENALTY + w.MUST_BETA_PENALTY


def test_partial_alpha_needs_both_permissions():
    m = mesh("a", support={"tracing": PARTIAL}, stages={"tracing": "alpha"})
    assert run([m], must={"tracing"}, experimental_ok=True).shortlist == ()
    assert run([m], must={"tracing"}, partial_ok=True).shortlist == ()
    (ranked,) = run([m], must={"tracing"}, partial_ok=True, experimental_ok=True).shortlist
    assert ranked.score == w.MUST_PARTIAL_PENALTY + w.MUST_EXPERIMENTAL_PENALTY


def test_needs_are_must_haves_too():
    meshes = [mesh("a", support={"mtls-http": YES}), mesh("b", support={"mtls-http": NO})]
    result = run(meshes, needs={"mtls"})
    assert slugs(result) == ["a"]
    assert reasons_of(result) == {"b": "Lacks must-have mTLS for HTTP (not supported)."}
    routing = run(
        [mesh("c", support={"header-routing": YES, "path-routing": NO})], needs={"routing"}
    )
    assert reasons_of(routing) == {"c": "Lacks must-have Path-based routing (not supported)."}


def test_check_musts_reports_unknowns_costs_and_risks_without_deciding():
    m = mesh("a", support={"tracing": YES, "mtls-http": PARTIAL}, stages={"tracing": "beta"})
    check = check_musts(
        answers(partial_ok=True), m, ("tracing", "mtls-http", "fault-injection"), FEATURES
    )
    assert check.failed is None
    assert check.unknown == ("fault-injection",)
    assert [p.points for p in check.parts] == [w.MUST_BETA_PENALTY, w.MUST_PARTIAL_PENALTY]
    assert [r.feature for r in check.risks] == ["tracing", "mtls-http"]
    failed = check_musts(answers(), m, ("tracing", "mtls-http"), FEATURES)
    assert failed.failed == ("mtls-http", "only partly supported, and you asked for full support")
    assert failed.parts == () and failed.risks == ()


def test_feature_name_falls_back_to_the_slug():
    result = run([mesh("a", support={"rate-limiting": NO})], must=frozenset({"rate-limiting"}))
    assert reasons_of(result) == {"a": "Lacks must-have rate-limiting (not supported)."}
    unknown = run([mesh("a")], must=frozenset({"rate-limiting"}))
    assert unknown.unverified[0].feature_names == ("rate-limiting",)
