"""The decision's input (questionnaire/decision/inputs.py): answers by API key with defaults,
validated; contradictions; the plain data of each option, validated and frozen."""

from dataclasses import replace

import pytest

from questionnaire.decision import (
    ANSWER_DEFAULTS,
    ANSWER_KEYS,
    EXPERIENCES,
    GATE_FEATURES,
    MAX_PODS,
    Answers,
    ContradictoryAnswers,
    InvalidAnswer,
    contradictions,
    gate_must_haves,
)

from .helpers import NO, UNKNOWN, YES, answers, mesh

# --- answers: keys, defaults, the merged must-haves -----------------------------------------


def test_answer_keys_are_the_public_api_keys_in_the_order_asked():
    assert ANSWER_KEYS == (
        "services",
        "tech_diversity",
        "communication",
        "kubernetes",
        "change_frequency",
        "needs",
        "outside_kubernetes",
        "cloud",
        "openshift",
        "experience",
        "languages",
        "standards",
        "must",
        "nice",
        "partial_ok",
        "experimental_ok",
        "min_maturity",
        "complexity_tolerance",
        "latency_sensitive",
        "pods",
        "open_source_only",
        "cncf_graduated_only",
        "support",
    )


def test_answers_have_a_default_for_every_key():
    assert Answers().as_values() == ANSWER_DEFAULTS
    assert ANSWER_DEFAULTS == {
        "services": "many",
        "tech_diversity": "high",
        "communication": "sync",
        "kubernetes": True,
        "change_frequency": "often",
        "needs": [],
        "outside_kubernetes": [],
        "cloud": "on_prem",
        "openshift": False,
        "experience": [],
        "languages": [],
        "standards": "none",
        "must": [],
        "nice": [],
        "partial_ok": False,
        "experimental_ok": False,
        "min_maturity": "followers",
        "complexity_tolerance": "medium",
        "latency_sensitive": False,
        "pods": None,
        "open_source_only": False,
        "cncf_graduated_only": False,
        "support": "welcome",
    }


def test_as_values_sorts_lists_and_keeps_scalars():
    a = answers(must={"tracing", "mtls-http"}, languages=["python", "go"], pods=300)
    values = a.as_values()
    assert values["must"] == ["mtls-http", "tracing"]
    assert values["languages"] == ["go", "python"]
    assert values["pods"] == 300
    assert (
        Answers(**{k: frozenset(v) if isinstance(v, list) else v for k, v in values.items()}) == a
    )


def test_needs_are_merged_into_the_must_haves():
    a = answers(needs={"routing", "mtls"}, must={"tracing"})
    merged = frozenset({"tracing", "mtls-http", "header-routing", "path-routing"})
    assert a.all_must == merged
    # One normal form: the same answers compare equal however the must-haves arrived.
    assert a.must == merged
    assert a == answers(needs={"routing", "mtls"}, must=merged)
    assert answers().all_must == frozenset()


def test_mostly_synchronous_reads_the_communication_answer():
    assert answers(communication="sync").mostly_synchronous is True
    assert answers(communication="async").mostly_synchronous is False


# --- gate_must_haves ------------------------------------------------------------------------


def test_gate_must_haves_maps_gate_choices_to_feature_slugs():
    assert gate_must_haves({"routing", "mtls"}) == frozenset(
        {"header-routing", "path-routing", "mtls-http"}
    )
    assert gate_must_haves(()) == frozenset()
    assert gate_must_haves(GATE_FEATURES) == frozenset(
        {"mtls-http", "tracing", "header-routing", "path-routing", "traffic-split"}
    )


def test_gate_must_haves_name_the_needs_field_in_errors():
    with pytest.raises(InvalidAnswer, match=r"^needs: Unknown choice\(s\) 'speed'; ") as error:
        gate_must_haves({"speed", "mtls"})
    assert error.value.field == "needs"
    with pytest.raises(InvalidAnswer, match=r"^needs: Must be a list of strings"):
        gate_must_haves("mtls")


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("services", "lots"),
        ("tech_diversity", "medium"),
        ("communication", "yes"),
        ("change_frequency", "sometimes"),
        ("outside_kubernetes", frozenset({"mainframe"})),
        ("outside_kubernetes", "ecs"),
        ("support", "maybe"),
        ("open_source_only", "yes"),
        ("cloud", "ibm"),
        ("standards", "osm"),
        ("min_maturity", "discontinued"),
        ("complexity_tolerance", "none"),
        ("needs", frozenset({"speed"})),
        ("experience", frozenset({"kong"})),
        ("languages", frozenset({"cobol"})),
        ("kubernetes", "on"),
        ("openshift", 1),
        ("partial_ok", None),
        ("experimental_ok", "false"),
        ("latency_sensitive", 0),
        ("cncf_graduated_only", "no"),
        ("must", "tracing"),
        ("nice", {"tracing", ""}),
        ("pods", 0),
        ("pods", -5),
        ("pods", MAX_PODS + 1),
        ("pods", True),
        ("pods", 2.5),
        ("pods", "100"),
    ],
)
def test_invalid_answers_raise_invalid_answer_naming_the_field(field, value):
    with pytest.raises(InvalidAnswer, match=rf"^{field}: ") as error:
        answers(**{field: value})
    assert error.value.field == field
    assert isinstance(error.value, ValueError)  # callers that catch ValueError still do


@pytest.mark.parametrize("pods", [None, 1, 200, MAX_PODS])
def test_pods_may_be_unsaid_or_a_whole_number_in_range(pods):
    assert answers(pods=pods).pods == pods


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"tracing", ""}, "must: May hold only non-empty strings; got ''."),
        ({"tracing", 3, None}, "must: May hold only non-empty strings; got 3, None."),
        ("tracing", "must: Must be a list of strings, not the string 'tracing'."),
    ],
)
def test_feature_sets_hold_only_non_empty_strings(value, message):
    with pytest.raises(InvalidAnswer) as error:
        answers(must=value)
    assert str(error.value) == message


def test_unknown_choices_are_listed_with_the_allowed_ones():
    with pytest.raises(InvalidAnswer) as error:
        answers(experience={"zeta", "kong", "envoy"})
    allowed = ", ".join(repr(key) for key in EXPERIENCES)
    assert str(error.value) == f"experience: Unknown choice(s) 'kong', 'zeta'; allowed: {allowed}."
    assert error.value.message.startswith("Unknown choice(s)")


def test_invalid_choice_message_lists_allowed_values():
    with pytest.raises(InvalidAnswer, match=r"^services: Must be one of 'few', 'many'; got 'lots'"):
        answers(services="lots")


def test_answers_accept_plain_sets_and_freeze_them():
    a = answers(must={"tracing"}, experience=["envoy"], outside_kubernetes=["ecs"], cloud="aws")
    assert a.must == frozenset({"tracing"}) and isinstance(a.must, frozenset)
    assert a.experience == frozenset({"envoy"})
    assert a.outside_kubernetes == frozenset({"ecs"})
    assert replace(a, nice={"mtls-http"}).nice == frozenset({"mtls-http"})
    assert isinstance(replace(a, languages=["go"]).languages, frozenset)


def test_replace_validates_again():
    with pytest.raises(InvalidAnswer, match=r"^cloud: "):
        replace(answers(), cloud="moon")


# --- contradictions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fields", "words"),
    [
        ({"kubernetes": False, "openshift": True}, ("kubernetes", "openshift"), "OpenShift is"),
        (
            {"outside_kubernetes": {"ecs"}, "cloud": "gcp"},
            ("outside_kubernetes", "cloud"),
            "Amazon ECS runs only on AWS",
        ),
        (
            {"outside_kubernetes": {"ecs"}, "cloud": "on_prem"},
            ("outside_kubernetes", "cloud"),
            "Amazon ECS runs only on AWS",
        ),
        (
            {"must": {"tracing", "mtls-tcp"}, "nice": {"tracing"}},
            ("must", "nice"),
            "either a must-have or a nice-to-have, not both: tracing",
        ),
        (
            {"needs": {"routing"}, "nice": {"path-routing", "tracing"}},
            ("needs", "nice"),
            "is a must-have, not a nice-to-have: path-routing",
        ),
    ],
)
def test_contradictions_raise_naming_both_fields(overrides, fields, words):
    with pytest.raises(ContradictoryAnswers) as error:
        answers(**overrides)
    (found,) = error.value.contradictions
    assert found.fields == fields
    assert words in str(found.message)
    assert words in str(error.value)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("cloud", ["aws", "multi"])
def test_ecs_on_aws_or_several_clouds_is_no_contradiction(cloud):
    assert answers(outside_kubernetes={"ecs"}, cloud=cloud).cloud == cloud


def test_every_contradiction_is_reported_at_once():
    found = contradictions(
        {
            "kubernetes": False,
            "openshift": True,
            "outside_kubernetes": ["ecs"],
            "cloud": "azure",
            "must": ["tracing"],
            "nice": ["tracing", "mtls-http"],
            "needs": ["mtls"],
        }
    )
    assert [c.fields for c in found] == [
        ("kubernetes", "openshift"),
        ("outside_kubernetes", "cloud"),
        ("must", "nice"),
        ("needs", "nice"),
    ]


def test_contradictions_accept_partial_answers():
    # The wizard checks a step against the steps before it: absent keys contradict nothing.
    assert contradictions({}) == ()
    assert contradictions({"openshift": True}) == ()
    assert contradictions({"outside_kubernetes": ["ecs"]}) == ()
    assert contradictions({"kubernetes": True, "openshift": True}) == ()


# --- mesh facts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("maturity", "mature"),
        ("data_plane", "ambient"),
        ("proxy_family", "haproxy"),
        ("builds_on", "nginx"),
        ("bound_to_cloud", "ibm"),
        ("cncf_status", "famous"),
        ("kind", "gateway"),
        ("platforms", "everywhere"),
        ("runs_without_kubernetes", "yes"),
        ("kubernetes_vm_workloads", 1),
        ("osi_open_source", "no"),
        ("stable_releases_free", 0),
        ("gateway_api", "yes"),
        ("clouds", frozenset({"ibm"})),
        ("clouds", "aws"),
        ("orchestrators", frozenset({"mainframe"})),
        ("orchestrators", frozenset({""})),
        ("config_lines", -1),
        ("config_lines", True),
        ("config_lines", 2.5),
        ("support", {"tracing": "maybe"}),
        ("stages", {"tracing": "gamma"}),
    ],
)
def test_invalid_mesh_facts_raise_value_error(field, value):
    name = "support levels" if field in ("support", "stages") else field
    with pytest.raises(ValueError, match=rf"^Mesh 'a':? {name}:? (must|may|Must|May|Unknown) "):
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
    assert str(error.value).endswith("got grpc='sure', tracing='maybe'.")
    assert "support levels must be one of 'yes', 'partial', 'no', 'unknown'" in str(error.value)


def test_mesh_facts_freeze_their_lists_and_take_zero_lines():
    m = mesh("a", clouds=["aws"], orchestrators=["ecs", "nomad"], config_lines=0)
    assert m.clouds == frozenset({"aws"}) and isinstance(m.clouds, frozenset)
    assert m.orchestrators == frozenset({"ecs", "nomad"}) and isinstance(m.orchestrators, frozenset)
    assert m.config_lines == 0


def test_unknown_facts_are_accepted_as_empty():
    m = mesh("a", proxy_family="", builds_on="", bound_to_cloud="", runs_without_kubernetes=None)
    assert (m.proxy_family, m.builds_on, m.bound_to_cloud) == ("", "", "")
    assert m.runs_without_kubernetes is None


def test_a_mesh_needs_a_slug():
    with pytest.raises(ValueError, match=r"^A mesh needs a slug\.$"):
        mesh("")


def test_mesh_facts_copy_their_mappings_so_later_edits_do_not_leak_in():
    support = {"tracing": YES}
    stages = {"tracing": "beta"}
    feature_sources = {"tracing": "https://example.org/t"}
    fact_sources = {"clouds": "https://example.org/c"}
    m = mesh(
        "a",
        support=support,
        stages=stages,
        feature_sources=feature_sources,
        fact_sources=fact_sources,
    )
    support["tracing"] = NO
    stages["tracing"] = "alpha"
    feature_sources["tracing"] = fact_sources["clouds"] = "https://elsewhere.example/"
    assert m.level("tracing") == YES
    assert m.stage("tracing") == "beta"
    assert m.level("mtls-http") == UNKNOWN
    assert m.stage("mtls-http") == ""
    assert dict(m.feature_sources) == {"tracing": "https://example.org/t"}
    assert dict(m.fact_sources) == {"clouds": "https://example.org/c"}
    for mapping in (m.support, m.stages, m.feature_sources, m.fact_sources):
        with pytest.raises(TypeError):
            mapping["tracing"] = NO  # type: ignore[index]


def test_family_is_the_upstream_or_the_option_itself():
    assert mesh("istio").family == "istio"
    assert mesh("ossm", upstream="istio").family == "istio"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, False),
        ({"kind": "platform_networking"}, True),
        ({"bound_to_cloud": "aws"}, True),
        # A cloud's distribution of an upstream is still that upstream's product.
        ({"bound_to_cloud": "gcp", "upstream": "istio"}, False),
    ],
)
def test_platform_options_are_the_clouds_own(overrides, expected):
    assert mesh("a", **overrides).is_platform_option is expected


def test_discontinued_by_either_flag():
    assert mesh("a", discontinued=True, maturity="leading").is_discontinued
    assert mesh("a", maturity="discontinued").is_discontinued
    assert not mesh("a").is_discontinued
