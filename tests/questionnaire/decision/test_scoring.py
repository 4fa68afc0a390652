"""The score of a candidate (questionnaire/decision/scoring.py, weights in weights.py): one test
per row of weights.WEIGHTS showing the points it gives, then each rule's details."""

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from questionnaire.decision import WEIGHTS, charged_lines, complexity_cuts
from questionnaire.decision import weights as w

from .helpers import (
    LINES,
    PARTIAL,
    UNKNOWN,
    YES,
    answers,
    line_meshes,
    mesh,
    overhead,
    part_reasons,
    plain,
    ranked_of,
    run,
    slugs,
)


def points_of(meshes, slug=None, **overrides) -> int:
    """The score of one option (the first, or `slug`) under the answers."""
    result = run(meshes, **overrides)
    ranked = ranked_of(result, slug) if slug else result.shortlist[0]
    assert ranked.score == sum(p.points for p in ranked.parts)
    return ranked.score


def shown(*points: int, sep: str = " / ") -> str:
    """Points as the weight table shows them: "+3 / +1 / 0", "-1", "0 to +2"."""
    return sep.join(f"+{p}" if p > 0 else str(p) for p in points)


# --- one scenario per row of WEIGHTS: the points the decision gives, as the table words them ---


def maturity() -> str:
    return shown(
        *(points_of([mesh("a", maturity=m)]) for m in ("leading", "followers", "very_new"))
    )


def nice_to_have() -> str:
    nice = {"nice": {"tracing"}}
    full = points_of([mesh("a", support={"tracing": YES})], **nice)
    partly = {
        points_of([mesh("a", support={"tracing": PARTIAL})], **nice),
        *(
            points_of([mesh("a", support={"tracing": YES}, stages={"tracing": stage})], **nice)
            for stage in ("beta", "preview", "alpha", "deprecated")
        ),
    }
    assert len(partly) == 1, partly
    return shown(full, *partly)


def must_stage(level: str, stage: str, **allowed: bool) -> Callable[[], str]:
    def scenario() -> str:
        m = mesh("a", support={"tracing": level}, stages={"tracing": stage} if stage else {})
        return shown(points_of([m], must={"tracing"}, **allowed))

    return scenario


def must_risky_stage() -> str:
    found = {must_stage(YES, stage)() for stage in ("preview", "deprecated")}
    assert len(found) == 1, found
    return found.pop()


def own_cloud() -> str:
    m = mesh("own", clouds={"aws"}, bound_to_cloud="aws", support={"tracing": YES})
    # Full credit whatever the cloud's product covers of the wanted features.
    found = {points_of([m], cloud="aws"), points_of([m], cloud="aws", nice={"mtls-http"})}
    assert len(found) == 1, found
    return shown(*found)


def also_offered() -> str:
    # Four wanted features; the cloud's share runs from none covered to all covered.
    nice = {"tracing", "mtls-http", "mtls-tcp", "fault-injection"}
    scores = []
    for covered in range(5):
        support = {slug: YES for slug in sorted(nice)[:covered]}
        m = mesh("a", clouds={"gcp"}, support=support)
        with_cloud = points_of([m], cloud="gcp", nice=nice)
        without = points_of([m], cloud="on_prem", nice=nice)
        scores.append(with_cloud - without)
    assert scores == sorted(scores)  # more covered never earns less
    return f"{shown(min(scores))} to {shown(max(scores))}"


def openshift() -> str:
    return shown(points_of([mesh("a", requires_openshift=True)], openshift=True))


def bound_elsewhere() -> str:
    return shown(points_of([mesh("a", bound_to_cloud="azure")], cloud="multi"))


def experience() -> str:
    m = mesh("a", proxy_family="envoy", builds_on="istio")
    return shown(points_of([m], experience={"envoy", "istio"}))


def support_welcome() -> str:
    return shown(points_of([mesh("a", commercial_support="Vendor")], support="welcome"))


def not_free() -> str:
    return shown(points_of([mesh("a", stable_releases_free=False)], support="not_wanted"))


def smi_part() -> str:
    m = mesh("a", support={"smi-traffic-split": YES})
    return shown(points_of([m], standards="smi"))


def gateway_api() -> str:
    return shown(
        *(
            points_of([mesh("a", support={"gateway-api-mesh": level})], standards="gateway_api")
            for level in (YES, PARTIAL)
        )
    )


def latency() -> str:
    found = {
        points_of([mesh("a", data_plane=plane)], latency_sensitive=True)
        for plane in ("per_node", "sidecarless")
    }
    assert len(found) == 1, found
    return shown(*found)


def complexity(tolerance: str, slugs: tuple[str, ...]) -> Callable[[], str]:
    def scenario() -> str:
        return shown(*(points_of(line_meshes(), s, complexity_tolerance=tolerance) for s in slugs))

    return scenario


def sidecar_memory() -> str:
    # 5 GiB and 25 GiB of sidecars: 128 and 640 pods at 40 MiB each.
    m = mesh("a", overhead=overhead(40))
    return shown(points_of([m], pods=128), points_of([m], pods=640))


def sidecars_without_figure() -> str:
    m = mesh("a")
    return shown(points_of([m], pods=200), points_of([m], pods=1000))


SCENARIOS: dict[str, Callable[[], str]] = {
    "Production readiness: leading group / followers / very new": maturity,
    "Nice-to-have supported / partly (or only beta, preview, alpha)": nice_to_have,
    "Must-have met only partly (when partial counts)": must_stage(PARTIAL, "", partial_ok=True),
    "Must-have met only by beta support": must_stage(YES, "beta"),
    "Must-have met only by preview or deprecated support": must_risky_stage,
    "Must-have met only by alpha support (when experimental counts)": must_stage(
        YES, "alpha", experimental_ok=True
    ),
    "Your cloud's own managed product": own_cloud,
    "Also offered by your cloud: share of your features covered at a stable stage": also_offered,
    "Made for your platform (OpenShift)": openshift,
    "Works with one cloud only, and you use several": bound_elsewhere,
    "Builds on what your team knows": experience,
    "Commercial support available, and welcome": support_welcome,
    "Stable releases not free, and no paid support wanted": not_free,
    "SMI: per SMI part implemented": smi_part,
    "Gateway API for mesh traffic: supported / partly": gateway_api,
    "Latency-sensitive, and no proxy in each pod": latency,
    "Complexity: low tolerance, middle / most verbose third": complexity("low", ("f", "d")),
    "Complexity: medium tolerance, most verbose third": complexity("medium", ("d",)),
    "Sidecar memory for your pods: from 5 GiB / from 25 GiB": sidecar_memory,
    "Sidecars without a figure: from 200 / from 1,000 pods": sidecars_without_figure,
}


def test_every_weight_has_a_scenario_and_no_scenario_is_stale():
    assert sorted(SCENARIOS) == sorted(weight.rule for weight in WEIGHTS)
    assert len({weight.rule for weight in WEIGHTS}) == len(WEIGHTS)


@pytest.mark.parametrize("weight", WEIGHTS, ids=lambda weight: weight.rule)
def test_each_weight_gives_the_points_the_table_states(weight):
    assert SCENARIOS[weight.rule]() == weight.points


# --- the rules in detail --------------------------------------------------------------------


def test_maturity_lines_name_the_group():
    result = run([mesh("l", maturity="leading"), mesh("f", maturity="followers"), mesh("n")])
    assert plain(result.shortlist[0].parts) == ((3, "Production readiness: leading group"),)
    assert plain(result.shortlist[1].parts) == ((1, "Production readiness: followers"),)
    assert plain(result.shortlist[2].parts) == ()  # zero points: no line


def test_nice_to_haves_score_two_for_yes_one_for_partial_regardless_of_partial_ok():
    m = mesh("a", support={"tracing": YES, "mtls-http": PARTIAL, "mtls-tcp": "no"})
    for partial_ok in (False, True):
        ranked = run(
            [m], nice=frozenset({"tracing", "mtls-http", "mtls-tcp"}), partial_ok=partial_ok
        ).shortlist[0]
        assert plain(ranked.parts) == (
            (w.NICE_YES_POINTS, "Nice-to-have Tracing: supported"),
            (w.NICE_PARTIAL_POINTS, "Nice-to-have mTLS for HTTP: only partly supported"),
        )
        assert ranked.score == 3


@pytest.mark.parametrize("stage", ["beta", "preview", "alpha", "deprecated"])
def test_a_nice_to_have_not_yet_stable_counts_as_partial(stage):
    m = mesh("a", support={"tracing": YES}, stages={"tracing": stage})
    (ranked,) = run([m], nice={"tracing"}).shortlist
    assert plain(ranked.parts) == (
        (w.NICE_PARTIAL_POINTS, "Nice-to-have Tracing: supported, but not yet stable"),
    )
    # Never a must-have risk: it is only nice to have.
    assert ranked.risks == ()


def test_a_nice_to_have_stage_stable_counts_in_full():
    m = mesh("a", support={"tracing": YES}, stages={"tracing": "stable"})
    assert run([m], nice={"tracing"}).shortlist[0].score == w.NICE_YES_POINTS


def test_the_clouds_own_product_earns_the_full_credit():
    own = mesh("own", clouds={"gcp"}, bound_to_cloud="gcp")
    (ranked,) = run([own], cloud="gcp").shortlist
    assert plain(ranked.parts) == (
        (w.CLOUD_POINTS, "Managed by your cloud, Google Cloud: its own product"),
    )


def test_a_product_the_cloud_also_offers_earns_its_share_of_stable_features():
    wanted = {"nice": {"tracing", "mtls-http"}}
    full = mesh("full", clouds={"aws"}, support={"tracing": YES, "mtls-http": YES})
    half = replace(full, slug="half", name="Half", stages={"mtls-http": "preview"})
    none = mesh("none", clouds={"aws"}, support={"tracing": PARTIAL})
    result = run([full, half, none], cloud="aws", **wanted)

    def cloud_line(slug):
        (line,) = [p for p in ranked_of(result, slug).parts if p.reason.startswith("Also")]
        return line.points, line.reason

    assert cloud_line("full") == (
        w.CLOUD_POINTS - 1,
        "Also offered in a managed form by your cloud, AWS: it covers 2 of your 2 features at "
        "a stable stage",
    )
    assert cloud_line("half")[0] == 1
    assert "covers 1 of your 2 features" in cloud_line("half")[1]
    assert cloud_line("none")[0] == 0  # partial support is not covered


def test_a_preview_subset_earns_less_than_the_clouds_own_product():
    # A cloud's managed offering of a product covering your features only in preview is not a
    # managed mesh: it must not rank with the cloud's own product.
    wanted = {"must": {"mtls-http"}, "nice": {"tracing"}}
    own = mesh(
        "own",
        clouds={"azure"},
        bound_to_cloud="azure",
        support={"mtls-http": YES, "tracing": YES},
    )
    preview = mesh(
        "subset",
        clouds={"azure"},
        support={"mtls-http": YES, "tracing": YES},
        stages={"mtls-http": "preview", "tracing": "preview"},
    )
    result = run([preview, own], cloud="azure", **wanted)
    assert slugs(result) == ["own", "subset"]
    own_cloud = part_reasons(ranked_of(result, "own"))[
        "Managed by your cloud, Azure: its own product"
    ]
    subset_cloud = [
        p.points for p in ranked_of(result, "subset").parts if "managed form" in p.reason
    ]
    assert own_cloud == w.CLOUD_POINTS
    assert subset_cloud == [0]
    # Stable, the same product still earns less than the cloud's own.
    stable = replace(preview, stages={})
    stable_cloud = [
        p.points
        for p in run([stable], cloud="azure", **wanted).shortlist[0].parts
        if "managed form" in p.reason
    ]
    assert stable_cloud == [w.CLOUD_POINTS - 1]


def test_no_cloud_credit_on_another_cloud_or_on_premises():
    m = mesh("a", clouds=frozenset({"gcp", "azure"}))
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
    assert plain(ranked.parts) == (
        (w.EXPERIENCE_POINTS, f"Builds on what your team knows: {named}"),
    )


def test_experience_without_match_scores_nothing_and_unknown_says_so():
    ranked = run([mesh("a", proxy_family="envoy")], experience=frozenset({"linkerd"})).shortlist[0]
    assert plain(ranked.parts) == ()
    assert run([mesh("a", proxy_family="envoy")]).shortlist[0].parts == ()
    unknown = run([mesh("a", proxy_family="")], experience=frozenset({"envoy"})).shortlist[0]
    (part,) = unknown.parts
    assert (part.points, part.level) == (0, UNKNOWN)


def test_support_welcome_and_not_wanted():
    sold = mesh("sold", commercial_support="Vendor Inc.", stable_releases_free=False)
    free = mesh("free", stable_releases_free=True)
    unknown = mesh("unknown", commercial_support="Vendor Inc.")
    welcome = run([sold, free], support="welcome")
    assert part_reasons(ranked_of(welcome, "sold")) == {
        "Commercial support available: Vendor Inc.": w.SUPPORT_POINTS
    }
    assert ranked_of(welcome, "free").parts == ()
    not_wanted = run([sold, free, unknown], support="not_wanted")
    assert slugs(not_wanted)[0] == "free"
    assert [r.score for r in not_wanted.shortlist] == [0, w.NOT_FREE_PENALTY, w.NOT_FREE_PENALTY]
    (unknown_part,) = ranked_of(not_wanted, "unknown").parts
    assert unknown_part.level == UNKNOWN
    assert unknown_part.reason.startswith("Unknown whether stable releases are free")
    (sold_part,) = ranked_of(not_wanted, "sold").parts
    assert sold_part.level == "no"
    assert sold_part.reason.startswith("Stable releases are not free")


FACT_SOURCES = {
    fact: f"https://example.org/{fact}"
    for fact in (
        "proxy_family",
        "commercial_support",
        "stable_releases_free",
        "traffic_split",
        "clouds",
        "requires_openshift",
    )
}


@pytest.mark.parametrize(
    ("facts", "answered", "expected"),
    [
        (
            {"proxy_family": "envoy", "builds_on": "istio"},
            {"experience": frozenset({"envoy"})},
            (w.EXPERIENCE_POINTS, "", "proxy_family"),
        ),
        ({"proxy_family": ""}, {"experience": frozenset({"envoy"})}, (0, UNKNOWN, "proxy_family")),
        (
            {"commercial_support": "Vendor"},
            {"support": "welcome"},
            (w.SUPPORT_POINTS, "", "commercial_support"),
        ),
        (
            {"stable_releases_free": None},
            {"support": "not_wanted"},
            (w.NOT_FREE_PENALTY, UNKNOWN, "stable_releases_free"),
        ),
        (
            {"stable_releases_free": False},
            {"support": "not_wanted"},
            (w.NOT_FREE_PENALTY, "no", "stable_releases_free"),
        ),
        (
            {"clouds": frozenset({"aws"}), "bound_to_cloud": "aws"},
            {"cloud": "aws"},
            (w.CLOUD_POINTS, "", "clouds"),
        ),
        # Offered by the cloud, no features named: half of what a managed form can earn.
        (
            {"clouds": frozenset({"aws"})},
            {"cloud": "aws"},
            ((w.CLOUD_POINTS - 1) // 2, "", "clouds"),
        ),
        ({"bound_to_cloud": "aws"}, {"cloud": "multi"}, (w.BOUND_ELSEWHERE_PENALTY, "", "clouds")),
        (
            {"requires_openshift": True},
            {"openshift": True},
            (w.PLATFORM_POINTS, "", "requires_openshift"),
        ),
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
    assert [(p.points, p.feature, p.level, p.source) for p in ranked.parts] == [
        (2, "tracing", YES, ""),
        (1, "mtls-http", PARTIAL, ""),
        (1, "", "", ""),  # the cloud covers one of two wanted features at a stable stage
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
    assert [(p.points, p.feature) for p in smi.parts] == [(w.SMI_PART_POINTS, "smi-traffic-split")]
    gateway = run([m], standards="gateway_api").shortlist[0]
    assert [(p.points, p.feature) for p in gateway.parts] == [
        (w.GATEWAY_API_YES_POINTS, "gateway-api-mesh")
    ]
    partial = replace(m, support={"gateway-api-mesh": PARTIAL})
    gateway = run([partial], standards="gateway_api").shortlist[0]
    assert [(p.points, p.feature, p.level) for p in gateway.parts] == [
        (w.GATEWAY_API_PARTIAL_POINTS, "gateway-api-mesh", PARTIAL)
    ]


def test_features_not_in_the_table_come_last_in_name_order():
    m = mesh("a", support={"tracing": YES, "zz-new": YES, "aa-new": YES, "mtls-http": YES})
    ranked = run([m], nice=frozenset({"zz-new", "tracing", "aa-new", "mtls-http"})).shortlist[0]
    assert [p.feature for p in ranked.parts] == ["tracing", "mtls-http", "aa-new", "zz-new"]


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
    assert ranked.score == 3 * w.SMI_PART_POINTS
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
    for support in ({"gateway-api-mesh": "no"}, {}):
        result = run([mesh("a", support=support)], standards="gateway_api")
        assert plain(result.shortlist[0].parts) == ()


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
            (w.LATENCY_POINTS, "Latency: no proxy in each pod, so fewer hops on the request path"),
        )
    assert run([m], latency_sensitive=False).shortlist[0].score == 0


# --- configuration complexity ---------------------------------------------------------------


def test_complexity_bands_are_the_thirds_of_the_active_families_counts():
    # A discontinued mesh's count does not move the bands.
    dead = {"z": {"config_lines": 5, "maturity": "discontinued", "discontinued": True}}
    cuts = complexity_cuts(answers(), line_meshes(**dead), None)
    assert cuts is not None
    assert (cuts.low_max, cuts.high_min, cuts.counted) == (27, 31, 9)
    assert [cuts.band(n) for n in (18, 27, 28, 30, 31, 45)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]
    assert complexity_cuts(answers(), [mesh("a", config_lines=None)], None) is None
    # Four counts: the thirds (rounded up) hold two each.
    four = complexity_cuts(
        answers(),
        [mesh(s, config_lines=n) for s, n in zip("abcd", (10, 20, 30, 40), strict=True)],
        None,
    )
    assert four is not None
    assert (four.low_max, four.high_min, four.counted) == (20, 30, 4)
    # Even all-equal counts give a usable "low" band.
    same = complexity_cuts(answers(), [mesh(s, config_lines=20) for s in "abc"], None)
    assert same is not None
    assert (same.low_max, same.high_min) == (20, 21)


def test_complexity_thirds_count_each_family_once():
    # Five distributions of the simplest product would otherwise fill the low third alone.
    family = [mesh(f"i-dist-{n}", upstream="i", config_lines=18) for n in range(5)]
    with_family = complexity_cuts(answers(), [*line_meshes(), *family], None)
    assert with_family == complexity_cuts(answers(), line_meshes(), None)
    assert with_family is not None and with_family.counted == 9
    # Counting every option, the five would pull "low" down to 18 lines and "high" to 30.
    as_products = [replace(m, upstream="") for m in family]
    separate = complexity_cuts(answers(), [*line_meshes(), *as_products], None)
    assert separate is not None
    assert (separate.low_max, separate.counted) == (18, 14)
    # A distribution is charged its family's band.
    result = run([*line_meshes(), *family], complexity_tolerance="low")
    assert all(ranked_of(result, m.slug).score == 0 for m in family)


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
    ranked = ranked_of(result, slug)
    assert ranked.score == points
    if points:
        (part,) = ranked.parts
        assert f"takes {LINES[slug]} lines in its own API" in part.reason
        assert f"your {tolerance} tolerance" in part.reason
    else:
        assert plain(ranked.parts) == ()


def test_every_tolerance_changes_the_ranking():
    results = {
        tolerance: run(line_meshes(), complexity_tolerance=tolerance)
        for tolerance in ("low", "medium", "high")
    }
    scores = {
        tolerance: [r.score for r in result.shortlist] for tolerance, result in results.items()
    }
    assert scores == {
        "low": [0] * 3 + [-1] * 2 + [-2] * 4,
        "medium": [0] * 5 + [-1] * 4,
        "high": [0] * 9,
    }
    assert len({tuple(slugs(result)) for result in results.values()}) == 3


def test_unknown_configuration_size_is_never_a_free_pass():
    result = run(line_meshes(x={"config_lines": None}), complexity_tolerance="low")
    ranked = ranked_of(result, "x")
    (part,) = ranked.parts
    assert (part.points, part.level) == (
        w.COMPLEXITY_POINTS[("low", "high")],
        UNKNOWN,
    )
    assert part.reason.startswith("Configuration complexity unknown")
    high = run(line_meshes(x={"config_lines": None}), complexity_tolerance="high")
    assert plain(ranked_of(high, "x").parts) == ()


def test_complexity_lines_cite_the_traffic_split_example():
    meshes = line_meshes(u={"config_lines": None, "fact_sources": FACT_SOURCES})
    meshes = [replace(m, fact_sources=FACT_SOURCES) if m.slug == "a" else m for m in meshes]
    result = run(meshes, complexity_tolerance="low")
    (unknown,) = ranked_of(result, "u").parts
    assert (unknown.points, unknown.level, unknown.source) == (
        -2,
        UNKNOWN,
        "https://example.org/traffic_split",
    )
    (counted,) = ranked_of(result, "a").parts
    assert (counted.points, counted.level, counted.source) == (
        -2,
        "",
        "https://example.org/traffic_split",
    )


def gamma_meshes():
    # The three most verbose families support GAMMA; with gateway_api they are charged the
    # HTTPRoute's lines, all the same, instead of their own.
    return [
        mesh(slug, config_lines=lines, gateway_api=slug in ("a", "b", "c"))
        for slug, lines in LINES.items()
    ]


def test_gateway_api_charges_the_same_lines_to_every_gamma_option():
    a = answers(standards="gateway_api", complexity_tolerance="low")
    for m in gamma_meshes():
        expected = 12 if m.gateway_api else m.config_lines
        assert charged_lines(a, m, 12) == expected
    # Only for the team that chose the standard, and only with an HTTPRoute count.
    assert charged_lines(answers(standards="none"), gamma_meshes()[-1], 12) == 31
    assert charged_lines(a, gamma_meshes()[-1], None) == 31
    result = run(gamma_meshes(), 12, standards="gateway_api", complexity_tolerance="low")
    assert result.complexity_api == "gateway_api"
    # The three GAMMA options were the most verbose third; at 12 lines each they are the
    # simplest now, and each is charged alike.
    for slug in ("a", "b", "c"):
        assert ranked_of(result, slug).parts == ()
    assert result.complexity_cuts is not None and result.complexity_cuts.low_max == 12
    (d_part,) = ranked_of(result, "d").parts
    assert "takes 31 lines in its own API" in d_part.reason
    assert d_part.points == -2


def test_gateway_api_wording_names_the_httproute():
    meshes = [*gamma_meshes(), mesh("x", config_lines=99, gateway_api=True)]
    meshes = [replace(m, config_lines=5) if m.slug == "i" else m for m in meshes]
    result = run(meshes, 40, standards="gateway_api", complexity_tolerance="low")
    (part,) = ranked_of(result, "x").parts
    assert "takes 40 lines in a Gateway API HTTPRoute" in part.reason
    # All four GAMMA options score alike on complexity, whatever their own API's length.
    gamma_points = {sum(p.points for p in ranked_of(result, s).parts) for s in "abcx"}
    assert len(gamma_points) == 1


def test_without_gateway_api_standard_own_lines_are_charged():
    result = run(gamma_meshes(), 12, standards="none", complexity_tolerance="low")
    assert result.complexity_api == ""
    assert ranked_of(result, "a").score == -2
    assert "takes 31 lines in its own API" in ranked_of(result, "a").parts[0].reason


# --- resource overhead ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pods", "mib", "points"),
    [
        (127, 40.0, 0),  # 4.96 GiB
        (128, 40.0, -1),  # 5 GiB
        (639, 40.0, -1),  # 24.96 GiB
        (640, 40.0, -2),  # 25 GiB
        (10_000, 1.0, -1),  # small proxies, many pods: 9.8 GiB
    ],
)
def test_sidecar_overhead_scales_with_pods_times_the_figure(pods, mib, points):
    m = mesh("a", overhead=overhead(mib))
    (ranked,) = run([m], pods=pods).shortlist
    assert ranked.score == points
    if points:
        (part,) = ranked.parts
        assert part.reason.startswith(
            f"Resource overhead: a proxy in each of your {pods} pods, about {round(mib)} MiB each "
            "(measured on 1.24, 2024-11), about "
        )
        assert (part.level, part.source) == (YES, "https://example.org/benchmark")
    else:
        assert ranked.parts == ()


def test_overhead_wording_gives_the_total():
    (ranked,) = run([mesh("a", overhead=overhead(50))], pods=1000).shortlist
    assert plain(ranked.parts) == (
        (
            -2,
            "Resource overhead: a proxy in each of your 1000 pods, about 50 MiB each (measured "
            "on 1.24, 2024-11), about 48.8 GiB in all",
        ),
    )


@pytest.mark.parametrize(("pods", "points"), [(199, 0), (200, -1), (999, -1), (1000, -2)])
def test_sidecars_without_a_figure_are_charged_by_pods(pods, points):
    (ranked,) = run([mesh("a")], pods=pods).shortlist
    assert ranked.score == points
    if points:
        (part,) = ranked.parts
        assert (part.reason, part.level) == (
            f"Resource overhead: a proxy in each of your {pods} pods, and no published figure "
            "to size it",
            UNKNOWN,
        )


def test_overhead_only_for_sidecars_and_only_when_pods_are_said():
    heavy = overhead(500)
    for plane in ("per_node", "sidecarless", "mixed"):
        assert (
            run([mesh("a", data_plane=plane, overhead=heavy)], pods=5000).shortlist[0].parts == ()
        )
    assert run([mesh("a", overhead=heavy)], pods=None).shortlist[0].parts == ()
    assert run([mesh("a")], pods=None).shortlist[0].parts == ()


def test_an_outdated_figure_says_so_and_is_a_risk():
    old = mesh("a", overhead=overhead(50, outdated=True, version="1.12", published="2021-06"))
    (ranked,) = run([old], pods=1000).shortlist
    (part,) = ranked.parts
    assert part.reason.endswith("about 48.8 GiB in all (an old figure: measure it yourself)")
    assert "measured on 1.12, 2021-06" in part.reason
    overhead_risks = [r for r in ranked.risks if r.kind == "overhead"]
    assert [(r.text, r.source) for r in overhead_risks] == [
        (
            "The overhead figure was measured on 1.12 (2021-06), an old version: measure it "
            "with your own load.",
            "https://example.org/benchmark",
        )
    ]
    fresh = replace(old, overhead=overhead(50))
    assert "old figure" not in run([fresh], pods=1000).shortlist[0].parts[0].reason
    assert run([fresh], pods=1000).shortlist[0].risks == ()


# --- the whole score ------------------------------------------------------------------------


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
    # nice, maturity, cloud (1 of 1 wanted), experience, support, SMI, complexity, latency
    assert [p.points for p in ranked.parts] == [2, 3, 2, 2, 1, 1, -2, 1]
    assert ranked.score == 10
    assert all(p.reason for p in ranked.parts)
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


def test_a_must_have_also_listed_as_nice_to_have_is_refused():
    # Changed on purpose: it used to count once; now the answers contradict each other.
    from questionnaire.decision import ContradictoryAnswers

    with pytest.raises(ContradictoryAnswers):
        run([mesh("a")], must=frozenset({"tracing"}), nice=frozenset({"tracing"}))


# --- the README documents exactly these weights ---------------------------------------------

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "How the shortlist is ranked"


def readme_weight_table() -> list[tuple[str, str]]:
    """The rows of the table with the columns "Rule" and "Points" in the README's section."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^#+\s+{SECTION}\s*$", line))
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    section = []
    for line in lines[start + 1 :]:
        heading = re.match(r"^(#+)\s", line)
        if heading and len(heading.group(1)) <= level:
            break
        section.append(line)

    def cells(line: str) -> list[str]:
        inner = line.strip().removeprefix("|").removesuffix("|")
        return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]

    for i, line in enumerate(section):
        if not line.lstrip().startswith("|"):
            continue
        header = [c.casefold() for c in cells(line)]
        if "rule" in header and "points" in header:
            rule, points = header.index("rule"), header.index("points")
            rows = []
            for row in section[i + 2 :]:  # past the |---|---| line
                if not row.lstrip().startswith("|"):
                    break
                values = cells(row)
                rows.append((values[rule], values[points].replace("\u2212", "-")))
            return rows
    raise AssertionError(f'No table with columns "Rule" and "Points" under "{SECTION}".')


def test_the_readme_weight_table_lists_exactly_the_weights():
    # The README's table is generated from WEIGHTS; this keeps the two from drifting apart.
    documented = readme_weight_table()
    assert documented == [(weight.rule, weight.points) for weight in WEIGHTS]


def test_the_clouds_own_product_earns_the_full_credit_even_without_clouds_listed():
    (ranked,) = run([mesh("own", bound_to_cloud="aws")], cloud="aws").shortlist
    assert [p.points for p in ranked.parts] == [w.CLOUD_POINTS]
