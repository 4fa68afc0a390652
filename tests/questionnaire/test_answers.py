"""Stored answers: the schema upgrades (1 → 5), the translation to the decision's input, relaxing,
and loading a stored result back into the wizard ("Change your answers") in another browser."""

import copy

import pytest
from django.test import Client
from django.urls import reverse

from questionnaire import decision
from questionnaire.answers import (
    SCHEMA_VERSION,
    STEP_KEYS,
    STEP_NAMES,
    build,
    flat,
    from_answers,
    must_haves,
    relaxed,
    to_decision,
    upgrade,
)
from questionnaire.models import Questionnaire

V1_STEPS = {
    "0": {
        "service_count": "many",
        "tech_diversity": "high",
        "mostly_synchronous": "yes",
        "uses_kubernetes": "yes",
        "change_frequency": "often",
        "needed": ["mtls"],
    },
    "1": {
        "infrastructure": "kubernetes_only",
        "cloud": "gcp",
        "knowledge": ["envoy", "kong"],
        "standards": "none",
    },
    "2": {"importance": {"mtls-http": "must", "tracing": "nice"}, "allow_partial": False},
    "3": {"min_maturity": "followers", "complexity_tolerance": "high", "latency_sensitive": "no"},
}

# A result as schema 4 stored it: yes/no strings, "needed", an importance map.
V4 = {
    "schema": 4,
    "steps": {
        "gate": {
            "service_count": "few",
            "tech_diversity": "low",
            "mostly_synchronous": "no",
            "uses_kubernetes": "yes",
            "change_frequency": "rarely",
            "needed": ["tracing", "mtls"],
        },
        "environment": {
            "outside_kubernetes": ["vms_on_prem", "ecs"],
            "cloud": "aws",
            "openshift": "yes",
            "experience": ["istio", "envoy"],
            "standards": "gateway_api",
        },
        "features": {
            "importance": {
                "mtls-http": "must",
                "tracing": "must",
                "fault-injection": "must",
                "traffic-split": "nice",
                "mtls-tcp": "ignore",
            },
            "allow_partial": True,
        },
        "fit": {
            "min_maturity": "leading",
            "complexity_tolerance": "low",
            "latency_sensitive": "yes",
            "open_source_only": "yes",
            "cncf_graduated_only": "no",
            "support": "not_wanted",
        },
    },
}


def test_schema_4_is_upgraded_to_schema_5_in_the_api_vocabulary():
    current = upgrade(copy.deepcopy(V4))
    assert current == {
        "schema": 5,
        "steps": {
            "gate": {
                "services": "few",
                "tech_diversity": "low",
                "communication": "async",
                "kubernetes": True,
                "change_frequency": "rarely",
                "needs": ["mtls", "tracing"],
            },
            "environment": {
                "outside_kubernetes": ["ecs", "vms_on_prem"],
                "cloud": "aws",
                "openshift": True,
                "experience": ["envoy", "istio"],
                "languages": [],
                "standards": "gateway_api",
            },
            "features": {
                "must": ["fault-injection", "mtls-http", "tracing"],
                "nice": ["traffic-split"],
                "partial_ok": True,
                "experimental_ok": False,
            },
            "fit": {
                "min_maturity": "leading",
                "complexity_tolerance": "low",
                "latency_sensitive": True,
                "pods": None,
                "open_source_only": True,
                "cncf_graduated_only": False,
                "support": "not_wanted",
            },
        },
    }
    # Each step holds exactly the keys the step asks, in the order asked.
    for name in STEP_NAMES:
        assert tuple(current["steps"][name]) == STEP_KEYS[name]
    # The stored original is not changed by reading it.
    assert V4["schema"] == 4 and "importance" in V4["steps"]["features"]


def test_an_upgraded_schema_4_result_is_the_same_decision_input():
    answers = to_decision(upgrade(copy.deepcopy(V4)))
    assert answers == decision.Answers(
        services="few",
        tech_diversity="low",
        communication="async",
        kubernetes=True,
        change_frequency="rarely",
        needs=frozenset({"mtls", "tracing"}),
        outside_kubernetes=frozenset({"vms_on_prem", "ecs"}),
        cloud="aws",
        openshift=True,
        experience=frozenset({"istio", "envoy"}),
        standards="gateway_api",
        must=frozenset({"fault-injection", "mtls-http", "tracing"}),
        nice=frozenset({"traffic-split"}),
        partial_ok=True,
        min_maturity="leading",
        complexity_tolerance="low",
        latency_sensitive=True,
        open_source_only=True,
        support="not_wanted",
    )
    assert answers.languages == frozenset() and answers.pods is None
    assert answers.experimental_ok is False


def test_schema_1_is_upgraded_through_every_schema_to_5():
    current = upgrade({"steps": V1_STEPS, "must": ["mtls-http"]})
    assert current["schema"] == SCHEMA_VERSION == 5
    assert list(current["steps"]) == list(STEP_NAMES)
    env = current["steps"]["environment"]
    # 2 → 3: "kubernetes_only" means nothing outside it; Kong is no longer a choice.
    assert env["outside_kubernetes"] == [] and env["experience"] == ["envoy"]
    # 3 → 4: nobody said OpenShift; 4 → 5: booleans and the API's keys.
    assert env["openshift"] is False
    assert env["cloud"] == "gcp"
    assert current["steps"]["gate"]["kubernetes"] is True
    assert current["steps"]["gate"]["communication"] == "sync"
    assert current["steps"]["gate"]["needs"] == ["mtls"]
    fit = current["steps"]["fit"]
    assert (fit["open_source_only"], fit["cncf_graduated_only"], fit["support"]) == (
        False,
        False,
        "welcome",
    )
    assert fit["latency_sensitive"] is False and fit["pods"] is None
    assert current["steps"]["features"] == {
        "must": ["mtls-http"],
        "nice": ["tracing"],
        "partial_ok": False,
        "experimental_ok": False,
    }
    assert must_haves(current) == ["mtls-http"]


def test_schema_3_is_upgraded_with_no_openshift():
    v3 = copy.deepcopy(V4)
    v3["schema"] = 3
    del v3["steps"]["environment"]["openshift"]
    current = upgrade(v3)
    assert current["schema"] == SCHEMA_VERSION
    assert current["steps"]["environment"]["openshift"] is False
    assert current["steps"]["environment"]["cloud"] == "aws"
    # An upgraded result reads as a team not on OpenShift.
    assert to_decision(current).openshift is False


def test_the_current_schema_is_read_as_it_is():
    current = from_answers(decision.Answers(languages=frozenset({"go"}), pods=400))
    assert current["schema"] == SCHEMA_VERSION
    assert upgrade(current) == current
    assert to_decision(current) == decision.Answers(languages=frozenset({"go"}), pods=400)


@pytest.mark.parametrize(
    "stored",
    [
        [],
        {"steps": {}},
        {"schema": 2, "steps": {"gate": {}}},
        {"schema": "x", "steps": V1_STEPS},
        {"schema": 99, "steps": V1_STEPS},
        {"schema": 4, "steps": {name: {} for name in STEP_NAMES}},
        {"schema": 5, "steps": {"gate": {}}},
    ],
)
def test_unreadable_answers_raise_value_error(stored):
    with pytest.raises(ValueError):
        upgrade(stored)


def test_to_decision_reads_every_step():
    answers = to_decision(upgrade({"steps": V1_STEPS}))
    assert answers.kubernetes is True
    assert answers.communication == "sync"
    assert answers.latency_sensitive is False
    assert answers.needs == frozenset({"mtls"})
    assert answers.must == frozenset({"mtls-http"})
    assert answers.nice == frozenset({"tracing"})
    assert answers.cloud == "gcp"
    assert answers.experience == frozenset({"envoy"})


def test_from_answers_and_to_decision_round_trip():
    answers = decision.Answers(
        services="few",
        needs=frozenset({"routing"}),
        must=frozenset({"tracing"}),
        nice=frozenset({"fault-injection"}),
        languages=frozenset({"python", "jvm"}),
        experimental_ok=True,
        pods=1200,
        cloud="multi",
    )
    stored = from_answers(answers)
    assert flat(stored) == answers.as_values()
    assert to_decision(stored) == answers


def test_answers_with_a_question_of_another_schema_raise_value_error():
    current = upgrade({"steps": V1_STEPS})
    current["steps"]["gate"]["service_count"] = "many"
    with pytest.raises(ValueError, match="service_count"):
        to_decision(current)


def test_answers_lacking_a_question_raise_value_error():
    current = upgrade({"steps": V1_STEPS})
    del current["steps"]["fit"]["min_maturity"]
    with pytest.raises(ValueError, match="min_maturity"):
        to_decision(current)


def test_invalid_stored_values_raise_invalid_answer():
    current = upgrade({"steps": V1_STEPS})
    current["steps"]["fit"]["pods"] = 0
    with pytest.raises(decision.InvalidAnswer) as error:
        to_decision(current)
    assert error.value.field == "pods"


FEATURE_NAMES = {"mtls-http": "mTLS for HTTP", "tracing": "Tracing"}


def test_relaxed_turns_a_must_have_into_a_nice_to_have_and_forgets_the_gate_answer():
    current = upgrade({"steps": V1_STEPS})
    relaxed_answers = relaxed(current, "must:mtls-http", FEATURE_NAMES)
    assert relaxed_answers["schema"] == SCHEMA_VERSION
    assert must_haves(relaxed_answers) == []
    assert relaxed_answers["steps"]["features"]["must"] == []
    assert relaxed_answers["steps"]["features"]["nice"] == ["mtls-http", "tracing"]
    assert relaxed_answers["steps"]["gate"]["needs"] == []
    assert must_haves(current) == ["mtls-http"]  # the original is untouched
    with pytest.raises(ValueError):
        relaxed(current, "must:tracing", FEATURE_NAMES)  # a nice-to-have already


def test_relaxed_accepts_a_list_of_slugs_and_relaxes_other_answers():
    current = from_answers(decision.Answers(open_source_only=True, support="required"))
    assert to_decision(relaxed(current, "open_source_only", ["tracing"])).open_source_only is False
    assert to_decision(relaxed(current, "support", ["tracing"])).support == "welcome"
    with pytest.raises(ValueError):
        relaxed(current, "cncf_graduated_only", ["tracing"])


def test_a_result_stored_in_schema_1_still_renders(client, db):
    stored = Questionnaire.objects.create(
        answers={"steps": V1_STEPS, "must": ["mtls-http"]},
        data_fingerprint="old",
        verdict="worth_it",
        shortlist=[],
    )
    response = client.get(stored.get_absolute_url())
    assert response.status_code == 200
    assert response.context["answers"].cloud == "gcp"


def test_a_result_stored_in_schema_4_reads_as_schema_5(db):
    stored = Questionnaire.objects.create(
        answers=copy.deepcopy(V4), data_fingerprint="old", verdict="consider", shortlist=[]
    )
    stored.refresh_from_db()
    assert stored.answers["schema"] == 4  # upgraded on read, never rewritten
    assert stored.current_answers["schema"] == 5
    assert stored.current_answers["steps"]["gate"]["kubernetes"] is True
    counts = dict(Questionnaire.objects.all().must_have_counts())
    assert counts == {"fault-injection": 1, "mtls-http": 1, "tracing": 1}


# --- the wizard, answered in the current vocabulary -----------------------------------------

GATE = {
    "services": "many",
    "tech_diversity": "high",
    "communication": "sync",
    "kubernetes": "yes",
    "change_frequency": "often",
    "needs": ["mtls"],
}
ENVIRONMENT = {
    "outside_kubernetes": [],
    "cloud": "azure",
    "openshift": "no",
    "experience": ["envoy"],
    "languages": ["go"],
    "standards": "none",
}
FIT = {
    "min_maturity": "followers",
    "complexity_tolerance": "high",
    "latency_sensitive": "no",
    "pods": "",
    "open_source_only": "no",
    "cncf_graduated_only": "no",
    "support": "welcome",
}


def post(client, step, data):
    return client.post(reverse("questionnaire:step"), {"step": step, **data})


def features_step(client) -> dict:
    """Step 2 exactly as shown, with its pre-set must-haves."""
    form = client.get(f"{reverse('questionnaire:start')}?step=2").context["form"]
    return {name: form[name].value() for name in form.fields if name.startswith("f_")}


def complete(client) -> Questionnaire:
    assert post(client, 0, GATE).status_code == 302
    assert post(client, 1, ENVIRONMENT).status_code == 302
    assert post(client, 2, features_step(client)).status_code == 302
    response = post(client, 3, FIT)
    assert response.status_code == 302
    stored = Questionnaire.objects.latest("created")
    assert response["Location"] == stored.get_absolute_url()
    return stored


def test_the_wizard_stores_schema_5(client, db):
    stored = complete(client)
    assert stored.answers["schema"] == SCHEMA_VERSION
    steps = stored.answers["steps"]
    assert steps["gate"]["kubernetes"] is True
    assert steps["gate"]["needs"] == ["mtls"]
    assert steps["environment"]["languages"] == ["go"]
    assert steps["features"]["must"] == ["mtls-http"]
    assert steps["fit"]["pods"] is None
    # Exactly the keys each step asks (PostgreSQL's jsonb does not keep their order).
    assert {name: set(steps[name]) for name in steps} == {
        name: set(STEP_KEYS[name]) for name in STEP_NAMES
    }


def test_change_your_answers_prefills_the_wizard_in_another_browser(client, db):
    stored = complete(client)
    other = Client()
    response = other.post(f"{stored.get_absolute_url()}edit/")
    assert response.status_code == 302
    assert response["Location"].endswith("?step=0")
    start = reverse("questionnaire:start")
    gate = other.get(f"{start}?step=0").context["form"]
    assert gate["services"].value() == "many"
    assert gate["kubernetes"].value() == "yes"
    assert gate["needs"].value() == ["mtls"]
    env = other.get(f"{start}?step=1").context["form"]
    assert env["cloud"].value() == "azure"
    assert env["languages"].value() == ["go"]
    features = other.get(f"{start}?step=2").context["form"]
    assert features["f_mtls-http"].value() == "must"
    # Every step is answered, so the last one can be submitted straight away.
    again = post(other, 3, FIT)
    assert again.status_code == 302
    # Unchanged answers on unchanged data are the same stored result, not a copy of it.
    assert again["Location"] == stored.get_absolute_url()
    assert Questionnaire.objects.count() == 1
    changed = post(other, 3, {**FIT, "pods": "500"})
    newer = Questionnaire.objects.get(public_id=changed["Location"].split("/")[-2])
    assert newer.pk != stored.pk
    assert newer.current_answers["steps"]["fit"]["pods"] == 500
    assert (
        newer.current_answers["steps"]["environment"]
        == stored.current_answers["steps"]["environment"]
    )


def test_editing_an_unknown_result_is_404(client, db):
    response = client.post("/questionnaire/result/00000000-0000-0000-0000-000000000000/edit/")
    assert response.status_code == 404


def test_build_keeps_the_step_order():
    steps = upgrade({"steps": V1_STEPS})["steps"]
    assert list(build(dict(reversed(list(steps.items()))))["steps"]) == list(STEP_NAMES)


def test_looking_at_the_questionnaire_writes_no_session(client, db):
    from django.contrib.sessions.models import Session

    client.get("/questionnaire/")
    client.get("/questionnaire/?step=2")
    assert Session.objects.count() == 0
