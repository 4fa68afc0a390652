"""Step 3 as an interview: the problems and the features behind them, questions that adapt to the
earlier steps, the "options still fit" count, and the plain form that posts as before."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertInHTML, assertNotContains

from comparison.models import Feature
from questionnaire.answers import to_decision
from questionnaire.evaluation import evaluate
from questionnaire.forms import FeaturesForm
from questionnaire.interview import earlier_answers, still_fit
from questionnaire.models import Questionnaire
from questionnaire.problems import PROBLEM_SLUGS, PROBLEMS, RULES, applies

START = reverse("questionnaire:start")
STEP = reverse("questionnaire:step")
STILL_FIT = reverse("questionnaire:still-fit")
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "meshes.json"
FIXTURE_SLUGS = {
    row["fields"]["slug"]
    for row in json.loads(FIXTURE.read_text())
    if row["model"] == "comparison.feature"
}
GATE = {"kubernetes": True, "needs": []}
K8S_ONLY = {"outside_kubernetes": [], "standards": "none", **GATE}


# --- the mapping --------------------------------------------------------------------------------


def test_every_slug_of_the_mapping_is_a_feature_of_the_fixture():
    assert PROBLEM_SLUGS <= FIXTURE_SLUGS, PROBLEM_SLUGS - FIXTURE_SLUGS
    assert set(RULES) <= FIXTURE_SLUGS


def test_about_six_problems_each_with_a_few_features_once():
    assert [p.key for p in PROBLEMS] == [
        "encryption",
        "releases",
        "resilience",
        "visibility",
        "policy",
        "platform",
    ]
    for problem in PROBLEMS:
        assert 3 <= len(problem.slugs) <= 7, problem.key
        assert str(problem.question).endswith("?")
        assert str(problem.why)
    slugs = [s for p in PROBLEMS for s in p.slugs]
    assert len(slugs) == len(set(slugs))


def test_the_problems_cover_the_talks_reasons_for_a_mesh():
    wanted = {
        "encryption": {"mtls-http"},
        "releases": {"traffic-split", "header-routing"},
        "resilience": {"retries", "timeouts", "circuit-breaking", "fault-injection"},
        "visibility": {"golden-metrics", "tracing", "access-logs"},
        "policy": {"authz-policies", "rate-limiting", "egress-gateway"},
        "platform": {"multi-cluster", "vms", "gateway-api-mesh", "sidecarless"},
    }
    for problem in PROBLEMS:
        assert wanted[problem.key] <= set(problem.slugs), problem.key


# --- adapting to the earlier answers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "earlier", "expected"),
    [
        ("vms", K8S_ONLY, False),
        ("vms", {**K8S_ONLY, "outside_kubernetes": ["vms_on_prem"]}, True),
        ("vms", {**K8S_ONLY, "outside_kubernetes": ["cloud_vms"]}, True),
        ("vms", {**K8S_ONLY, "outside_kubernetes": ["ecs"]}, False),
        ("other-orchestrators", {**K8S_ONLY, "outside_kubernetes": ["nomad"]}, True),
        ("other-orchestrators", {**K8S_ONLY, "outside_kubernetes": ["vms_on_prem"]}, False),
        ("smi-traffic-split", K8S_ONLY, False),
        ("smi-traffic-split", {**K8S_ONLY, "standards": "smi"}, True),
        ("multi-cluster", K8S_ONLY, True),
        ("multi-cluster", {**K8S_ONLY, "kubernetes": False}, False),
        ("sidecarless", {**K8S_ONLY, "kubernetes": False}, False),
        ("mtls-http", {**K8S_ONLY, "kubernetes": False}, True),
        ("tracing", {}, True),
    ],
)
def test_a_feature_is_asked_only_where_it_can_apply(slug, earlier, expected):
    assert applies(slug, earlier) is expected


def slugs_of(form: FeaturesForm) -> dict[str, list[str]]:
    shown = {g.problem.key: [r.feature.slug for r in g.rows] for g in form.problems()}
    shown["others"] = [r.feature.slug for _c, rows in form.others() for r in rows]
    return shown


def test_each_feature_that_can_apply_is_shown_once(db):
    form = FeaturesForm(earlier=K8S_ONLY)
    shown = slugs_of(form)
    everything = [s for slugs in shown.values() for s in slugs]
    assert len(everything) == len(set(everything))
    applicable = {f.slug for f in Feature.objects.all() if applies(f.slug, K8S_ONLY)}
    assert set(everything) == applicable
    assert "vms" not in everything and "smi-traffic-split" not in everything
    assert (
        form.others_count()
        == len(shown["others"])
        == len(applicable)
        - len([s for key, slugs in shown.items() if key != "others" for s in slugs])
    )


def test_workloads_outside_kubernetes_reveal_their_features(db):
    earlier = {**K8S_ONLY, "outside_kubernetes": ["vms_on_prem", "nomad"]}
    assert {"vms", "other-orchestrators"} <= set(
        slugs_of(FeaturesForm(earlier=earlier))["platform"]
    )
    assert not {"vms", "other-orchestrators"} & set(
        slugs_of(FeaturesForm(earlier=K8S_ONLY))["platform"]
    )


def test_without_kubernetes_the_kubernetes_only_questions_go(db):
    earlier = {**K8S_ONLY, "kubernetes": False, "outside_kubernetes": ["vms_on_prem"]}
    platform = slugs_of(FeaturesForm(earlier=earlier))["platform"]
    assert "vms" in platform
    assert not {"multi-cluster", "gateway-api-mesh", "sidecarless"} & set(platform)


def test_an_importance_already_given_is_never_hidden(db):
    form = FeaturesForm(earlier=K8S_ONLY, initial={"f_vms": "must"})
    platform = {g.problem.key: g for g in form.problems()}["platform"]
    assert "vms" in [r.feature.slug for r in platform.rows]
    assert platform.marked == 1


# --- what the answers so far mean -------------------------------------------------------------


def test_the_count_is_the_engines_shortlist_before_the_fit_step(db):
    earlier = {**K8S_ONLY, "cloud": "on_prem", "openshift": False}
    answers = to_decision(
        {
            "schema": 5,
            "steps": {
                "gate": {
                    "services": "many",
                    "tech_diversity": "high",
                    "communication": "sync",
                    "kubernetes": True,
                    "change_frequency": "often",
                    "needs": [],
                },
                "environment": {
                    "outside_kubernetes": [],
                    "cloud": "on_prem",
                    "openshift": False,
                    "experience": [],
                    "languages": [],
                    "standards": "none",
                },
                "features": {
                    "must": ["mtls-http"],
                    "nice": [],
                    "partial_ok": False,
                    "experimental_ok": False,
                },
                "fit": {
                    "min_maturity": "very_new",
                    "complexity_tolerance": "high",
                    "latency_sensitive": False,
                    "pods": None,
                    "open_source_only": False,
                    "cncf_graduated_only": False,
                    "support": "welcome",
                },
            },
        }
    )
    result = evaluate(answers).result
    counted = still_fit(earlier, ["mtls-http"])
    assert counted is not None
    assert counted.fit == len(result.shortlist)
    assert counted.unverified == len(result.unverified)


def test_more_must_haves_never_mean_more_options(db):
    earlier = {**K8S_ONLY, "cloud": "on_prem"}
    none = still_fit(earlier, [])
    one = still_fit(earlier, ["mtls-http"])
    many = still_fit(earlier, ["mtls-http", "fault-injection", "sidecarless", "multi-cluster"])
    assert none and one and many
    assert none.fit >= one.fit >= many.fit
    assert none.fit > many.fit


def test_the_gate_and_environment_count_too(db):
    on_kubernetes = still_fit({**K8S_ONLY, "cloud": "on_prem"}, [])
    on_nomad = still_fit(
        {"kubernetes": False, "outside_kubernetes": ["nomad"], "cloud": "on_prem"}, []
    )
    assert on_kubernetes and on_nomad
    assert on_nomad.fit < on_kubernetes.fit


def test_unreadable_answers_show_no_count(db):
    assert still_fit({"cloud": "mars"}, []) is None


def test_earlier_answers_are_the_gate_and_the_environment():
    answered: dict[str, dict[str, object]] = {
        "gate": {"kubernetes": True, "needs": ["mtls"]},
        "environment": {"cloud": "gcp"},
        "features": {"must": ["x"]},
    }
    assert earlier_answers(answered) == {"kubernetes": True, "needs": ["mtls"], "cloud": "gcp"}


# --- the page and the plain form ----------------------------------------------------------------


def at_features(wizard, gate=None, env=None):
    assert wizard.post(0, gate or wizard.GATE_YES).status_code == 302
    assert wizard.post(1, env or wizard.ENVIRONMENT).status_code == 302
    return wizard.client.get(f"{START}?step=2")


def shown_fields(html: str) -> dict[str, str]:
    """The feature fields as a browser without JavaScript posts them: each shown radio group
    with its checked value."""
    posted = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="(f_[^"]+)"', tag)
        value = re.search(r'value="([^"]+)"', tag)
        if name and value and " checked" in tag:
            posted[name.group(1)] = value.group(1)
    return posted


def test_step_three_asks_problems_and_opens_those_already_answered(client, db, wizard):
    response = at_features(wizard)
    assertContains(response, "Step 3 of 4")
    # The gate's mTLS need is a must-have already: its problem is open, the others folded.
    assertContains(response, '<details class="problem" id="problem-encryption" open>')
    assertContains(response, '<details class="problem" id="problem-resilience">')
    assertContains(response, '<details class="problem all-features" id="problem-all">')
    assertContains(response, "Must calls survive slow or failing services?")
    assertContains(response, "All other features (")
    assertInHTML(
        '<a href="/features/retries/" target="_blank" rel="noopener" '
        'title="The feature and which meshes support it (opens in a new tab)">Retries</a>',
        response.content.decode(),
    )
    assertContains(response, 'name="f_mtls-http" value="must"', count=1)
    assertContains(response, 'value="must" id="id_f_mtls-http_0" checked')
    # Not asked of a team all in Kubernetes.
    assertNotContains(response, 'name="f_vms"')
    assertNotContains(response, 'name="f_other-orchestrators"')
    # What the answers so far mean, and where htmx asks again on a change.
    assertContains(response, "still fit your answers so far")
    assertContains(response, f'data-hx-post="{STILL_FIT}"')
    assertContains(response, 'data-hx-trigger="change from:closest form"')
    assertContains(response, 'data-hx-target="this"')


def test_outside_kubernetes_the_page_asks_about_vms(client, db, wizard):
    env = {**wizard.ENVIRONMENT, "outside_kubernetes": ["vms_on_prem"]}
    response = at_features(wizard, env=env)
    assertContains(response, 'name="f_vms"')
    assertNotContains(response, 'name="f_other-orchestrators"')


def test_the_form_as_shown_posts_and_stores_the_same_lists(client, db, wizard):
    html = at_features(wizard).content.decode()
    data = shown_fields(html)
    assert data["f_mtls-http"] == "must"
    assert "f_vms" not in data
    data.update({"f_retries": "must", "f_tracing": "nice", "f_dashboard": "nice"})
    assert wizard.post(2, {**data, "partial_ok": "on"}).status_code == 302
    assert wizard.post(3, wizard.FIT).status_code == 302
    stored = Questionnaire.objects.latest("created").answers["steps"]["features"]
    assert stored == {
        "must": ["mtls-http", "retries"],
        "nice": ["dashboard", "tracing"],
        "partial_ok": True,
        "experimental_ok": False,
    }


def test_features_not_posted_count_as_dont_care(client, db, wizard):
    at_features(wizard)
    assert wizard.post(2, {"f_mtls-http": "must", "f_grpc": "nice"}).status_code == 302
    assert wizard.post(3, wizard.FIT).status_code == 302
    stored = Questionnaire.objects.latest("created").answers["steps"]["features"]
    assert stored["must"] == ["mtls-http"] and stored["nice"] == ["grpc"]


def test_an_invalid_level_is_still_an_error(client, db, wizard):
    at_features(wizard)
    response = wizard.post(2, {"f_mtls-http": "sometimes"})
    assert response.status_code == 200
    assertContains(response, "Select a valid choice")


def test_stored_answers_reopen_their_problems(client, db, wizard):
    at_features(wizard)
    wizard.post(2, {"f_mtls-http": "must", "f_tracing": "nice", "f_grpc": "nice"})
    response = client.get(f"{START}?step=2")
    assertContains(response, '<details class="problem" id="problem-visibility" open>')
    assertContains(response, '<details class="problem all-features" id="problem-all" open>')
    assertContains(response, '<details class="problem" id="problem-releases">')
    assertContains(response, 'value="nice" id="id_f_tracing_1" checked')


def test_a_result_reopened_for_change_opens_its_problems(client, db, wizard):
    stored = wizard.complete(features={"traffic-split": "must"})
    client.post(reverse("questionnaire:edit", args=[stored.public_id]))
    response = client.get(f"{START}?step=2")
    assertContains(response, '<details class="problem" id="problem-releases" open>')


def test_the_count_follows_the_must_haves(client, db, wizard):
    page = at_features(wizard)
    before = page.context["still_fit"]
    response = client.post(
        STILL_FIT,
        {"step": 2, "f_mtls-http": "must", "f_fault-injection": "must", "f_sidecarless": "must"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<section" not in html and "<html" not in html
    after = still_fit(
        earlier_answers(client.session["questionnaire"]["answered"]),
        ["mtls-http", "fault-injection", "sidecarless"],
    )
    assert after is not None and after.fit < before.fit
    assert html.strip().startswith(f"<strong>{after.fit} option")


def test_the_count_endpoint_takes_posts_only(client, db):
    assert client.get(STILL_FIT).status_code == 405


def test_step_three_in_german(client, db, wizard):
    at_features(wizard)
    response = client.get(f"/de{START}?step=2")
    html = response.content.decode()
    assert "Müssen Aufrufe langsame oder ausfallende Services überstehen?" in html
    assert "Alle weiteren Features (" in html
    assert "passen noch zu Ihren bisherigen Antworten" in html
