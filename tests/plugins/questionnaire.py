"""The questionnaire filled in through its views, as a visitor's browser would post it."""

from __future__ import annotations

import pytest


class QuestionnaireDriver:
    """Fills in the questionnaire through its views, as a visitor's browser would post it."""

    GATE_YES = {
        "services": "many",
        "tech_diversity": "high",
        "communication": "sync",
        "kubernetes": "yes",
        "change_frequency": "often",
        "needs": ["mtls"],
    }
    GATE_NO = {
        "services": "few",
        "tech_diversity": "low",
        "communication": "async",
        "kubernetes": "no",
        "change_frequency": "rarely",
    }
    ENVIRONMENT = {
        "outside_kubernetes": [],
        "cloud": "on_prem",
        "openshift": "no",
        "experience": ["envoy"],
        "languages": [],
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

    def __init__(self, client) -> None:
        from django.urls import reverse

        self.client = client
        self.start_url = reverse("questionnaire:start")
        self.step_url = reverse("questionnaire:step")

    def post(self, step: int, data: dict, client=None, **extra):
        return (client or self.client).post(self.step_url, {"step": step, **data, **extra})

    def features_step(
        self, overrides=None, partial_ok=False, client=None, experimental_ok=False
    ) -> dict:
        """Step 2 exactly as shown (with its pre-set must-haves), plus overrides."""
        form = (client or self.client).get(f"{self.start_url}?step=2").context["form"]
        data = {name: form[name].value() for name in form.fields if name.startswith("f_")}
        data.update({f"f_{slug}": level for slug, level in (overrides or {}).items()})
        if partial_ok:
            data["partial_ok"] = "on"
        if experimental_ok:
            data["experimental_ok"] = "on"
        return data

    def complete(
        self,
        gate=None,
        env=None,
        fit=None,
        features=None,
        client=None,
        partial_ok=False,
        experimental_ok=False,
    ):
        from questionnaire.models import Questionnaire

        client = client or self.client
        assert self.post(0, gate or self.GATE_YES, client).status_code == 302
        assert self.post(1, env or self.ENVIRONMENT, client).status_code == 302
        features_data = self.features_step(
            features, partial_ok, client=client, experimental_ok=experimental_ok
        )
        assert self.post(2, features_data, client).status_code == 302
        response = self.post(3, fit or self.FIT, client)
        assert response.status_code == 302
        stored = Questionnaire.objects.latest("created")
        assert response["Location"] == stored.get_absolute_url()
        return stored

    def answer_like_the_api(self, body: dict, client=None):
        """Fill in every step with the answers an API request body gives (defaults included)."""
        from questionnaire.api import DEFAULTS
        from questionnaire.decision import gate_must_haves

        answers = {**DEFAULTS, **body}

        def yes_no(value: bool) -> str:
            return "yes" if value else "no"

        gate = {
            "services": answers["services"],
            "tech_diversity": answers["tech_diversity"],
            "communication": answers["communication"],
            "kubernetes": yes_no(answers["kubernetes"]),
            "change_frequency": answers["change_frequency"],
            "needs": answers["needs"],
        }
        env = {
            "outside_kubernetes": answers["outside_kubernetes"],
            "cloud": answers["cloud"],
            "openshift": yes_no(answers["openshift"]),
            "experience": answers["experience"],
            "languages": answers["languages"],
            "standards": answers["standards"],
        }
        # As a visitor would: mark the nice-to-haves, then the must-haves; the gate's stay musts.
        features = {slug: "nice" for slug in answers["nice"]}
        features.update({slug: "must" for slug in answers["must"]})
        features.update({slug: "must" for slug in gate_must_haves(answers["needs"])})
        fit = {
            "min_maturity": answers["min_maturity"],
            "complexity_tolerance": answers["complexity_tolerance"],
            "latency_sensitive": yes_no(answers["latency_sensitive"]),
            "pods": "" if answers["pods"] is None else str(answers["pods"]),
            "open_source_only": yes_no(answers["open_source_only"]),
            "cncf_graduated_only": yes_no(answers["cncf_graduated_only"]),
            "support": answers["support"],
        }
        return self.complete(
            gate,
            env,
            fit,
            features,
            client=client,
            partial_ok=answers["partial_ok"],
            experimental_ok=answers["experimental_ok"],
        )


@pytest.fixture
def wizard(client):
    return QuestionnaireDriver(client)
