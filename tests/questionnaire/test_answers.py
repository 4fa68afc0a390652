"""Stored answers: the schema upgrade, the translation to the decision's input, relaxing, and
loading a stored result back into the wizard ("Change your answers") in another browser."""

import pytest
from django.test import Client

from questionnaire.answers import (
    SCHEMA_VERSION,
    STEP_NAMES,
    build,
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
        "knowledge": ["envoy"],
        "standards": "none",
    },
    "2": {"importance": {"mtls-http": "must", "tracing": "nice"}, "allow_partial": False},
    "3": {"min_maturity": "followers", "complexity_tolerance": "high", "latency_sensitive": "no"},
}


def test_schema_1_is_upgraded_to_the_current_schema():
    current = upgrade({"steps": V1_STEPS, "must": ["mtls-http"]})
    assert current["schema"] == SCHEMA_VERSION
    assert list(current["steps"]) == list(STEP_NAMES)
    assert current["steps"]["environment"]["cloud"] == "gcp"
    assert must_haves(current) == ["mtls-http"]


@pytest.mark.parametrize(
    "stored",
    [
        [],
        {"steps": {}},
        {"schema": 2, "steps": {"gate": {}}},
        {"schema": "x", "steps": V1_STEPS},
        {"schema": 99, "steps": V1_STEPS},
    ],
)
def test_unreadable_answers_raise_value_error(stored):
    with pytest.raises(ValueError):
        upgrade(stored)


def test_to_decision_reads_every_step():
    answers = to_decision(upgrade({"steps": V1_STEPS}))
    assert answers.uses_kubernetes is True
    assert answers.latency_sensitive is False
    assert answers.must == frozenset({"mtls-http"})
    assert answers.nice == frozenset({"tracing"})
    assert answers.cloud == "gcp"


def test_answers_lacking_a_question_raise_value_error():
    current = upgrade({"steps": V1_STEPS})
    del current["steps"]["fit"]["min_maturity"]
    with pytest.raises(ValueError, match="min_maturity"):
        to_decision(current)


def test_relaxed_turns_a_must_have_into_a_nice_to_have_and_forgets_the_gate_answer():
    current = upgrade({"steps": V1_STEPS})
    relaxed_answers = relaxed(current, "mtls-http")
    assert must_haves(relaxed_answers) == []
    assert relaxed_answers["steps"]["features"]["importance"]["mtls-http"] == "nice"
    assert relaxed_answers["steps"]["gate"]["needed"] == []
    assert must_haves(current) == ["mtls-http"]  # the original is untouched
    with pytest.raises(ValueError):
        relaxed(current, "tracing")


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


def test_change_your_answers_prefills_the_wizard_in_another_browser(db, wizard):
    stored = wizard.complete(env={**wizard.ENVIRONMENT, "cloud": "azure"})
    other = Client()
    response = other.post(f"{stored.get_absolute_url()}edit/")
    assert response.status_code == 302
    assert response["Location"].endswith("?step=0")
    gate = other.get(f"{wizard.start_url}?step=0").context["form"]
    assert gate["service_count"].value() == "many"
    assert gate["needed"].value() == ["mtls"]
    env = other.get(f"{wizard.start_url}?step=1").context["form"]
    assert env["cloud"].value() == "azure"
    features = other.get(f"{wizard.start_url}?step=2").context["form"]
    assert features["f_mtls-http"].value() == "must"
    # Every step is answered, so the last one can be submitted straight away.
    again = wizard.post(3, wizard.FIT, client=other)
    assert again.status_code == 302
    # Unchanged answers on unchanged data are the same stored result, not a copy of it.
    assert again["Location"] == stored.get_absolute_url()
    assert Questionnaire.objects.count() == 1
    changed = wizard.post(3, {**wizard.FIT, "latency_sensitive": "yes"}, client=other)
    newer = Questionnaire.objects.get(public_id=changed["Location"].split("/")[-2])
    assert newer.pk != stored.pk
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


def test_schema_3_is_upgraded_with_no_openshift():
    from questionnaire.answers import to_decision

    v3 = {"schema": 3, "steps": {name: {} for name in STEP_NAMES}}
    v3["steps"]["environment"] = {
        "outside_kubernetes": [],
        "cloud": "azure",
        "experience": [],
        "standards": "none",
    }
    current = upgrade(v3)
    assert current["schema"] == SCHEMA_VERSION == 4
    assert current["steps"]["environment"]["openshift"] == "no"
    assert current["steps"]["environment"]["cloud"] == "azure"
    # An upgraded result reads as a team not on OpenShift.
    complete = {
        "gate": {
            "service_count": "many",
            "tech_diversity": "high",
            "mostly_synchronous": "yes",
            "uses_kubernetes": "yes",
            "change_frequency": "often",
            "needed": ["mtls"],
        },
        "environment": v3["steps"]["environment"],
        "features": {"importance": {"mtls-http": "must"}, "allow_partial": False},
        "fit": {
            "min_maturity": "followers",
            "complexity_tolerance": "high",
            "latency_sensitive": "no",
            "open_source_only": "no",
            "cncf_graduated_only": "no",
            "support": "welcome",
        },
    }
    filled = upgrade({"schema": 3, "steps": complete})
    assert to_decision(filled).runs_openshift is False
    assert to_decision(filled).cloud == "azure"
