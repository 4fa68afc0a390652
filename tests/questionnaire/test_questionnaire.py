"""The questionnaire's views: steps, validation, going back, stored results, relaxing."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from comparison.models import Mesh, Support
from questionnaire.answers import must_haves
from questionnaire.models import Questionnaire

START = reverse("questionnaire:start")
STEP = reverse("questionnaire:step")


def test_first_step_shows_the_gate_questions(client, db):
    response = client.get(START)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Step 1 of 4" in html
    assert "How many services do you run?" in html
    assert 'aria-current="step"' in html


def test_a_step_cannot_be_skipped(client, db):
    response = client.get(f"{START}?step=3")
    assert "Step 1 of 4" in response.content.decode()


@pytest.mark.parametrize("step", ["x", "9", "-1", ""])
def test_bad_step_number_is_400(client, db, step):
    assert client.get(f"{START}?step={step}").status_code == 400
    assert client.post(STEP, {"step": step}).status_code == 400


def test_missing_answers_show_form_errors(client, db, wizard):
    response = wizard.post(0, {"services": "lots"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Select a valid choice" in html
    assert "This field is required" in html


def test_back_keeps_answers_of_both_steps(client, db, wizard):
    wizard.post(0, wizard.GATE_YES)
    wizard.post(1, wizard.ENVIRONMENT)
    # Going back from step 2 to step 1 and then to step 0 shows what was entered.
    response = client.get(f"{START}?step=1")
    form = response.context["form"]
    assert form["cloud"].value() == "on_prem"
    assert form["experience"].value() == ["envoy"]
    back = wizard.post(1, {**wizard.ENVIRONMENT, "cloud": "gcp"}, back="1")
    assert back["Location"].endswith("?step=0")
    assert client.get(f"{START}?step=0").context["form"]["services"].value() == "many"
    assert client.get(f"{START}?step=1").context["form"]["cloud"].value() == "gcp"


def test_back_keeps_even_incomplete_answers(client, db, wizard):
    wizard.post(0, wizard.GATE_YES)
    wizard.post(1, {"cloud": "azure"}, back="1")
    assert client.get(f"{START}?step=1").context["form"]["cloud"].value() == "azure"


def test_gate_features_arrive_as_must_haves(client, db, wizard):
    wizard.post(0, {**wizard.GATE_YES, "needs": ["mtls", "tracing"]})
    wizard.post(1, wizard.ENVIRONMENT)
    form = client.get(f"{START}?step=2").context["form"]
    assert form["f_mtls-http"].value() == "must"
    assert form["f_tracing"].value() == "must"
    assert form["f_grpc"].value() == "ignore"


def test_htmx_step_returns_the_next_step_fragment_and_pushes_the_url(client, db, wizard):
    response = client.post(STEP, {"step": 0, **wizard.GATE_YES}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"{START}?step=1"
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="wizard"')
    assert "Step 2 of 4" in html


def test_htmx_finish_redirects_the_browser_to_the_result(client, db, wizard):
    wizard.post(0, wizard.GATE_YES)
    wizard.post(1, wizard.ENVIRONMENT)
    wizard.post(2, wizard.features_step())
    response = client.post(STEP, {"step": 3, **wizard.FIT}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == Questionnaire.objects.get().get_absolute_url()


def test_completed_questionnaire_is_stored_and_has_a_permalink(client, db, wizard):
    stored = wizard.complete()
    assert must_haves(stored.current_answers) == ["mtls-http"]
    assert len(str(stored.public_id)) == 36
    response = client.get(stored.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "A service mesh looks like a sensible next step." in html
    shortlist = response.context["result"].shortlist
    assert [r.mesh.slug for r in shortlist] == stored.shortlist
    for ranked in shortlist:
        level = Support.objects.get(mesh__slug=ranked.mesh.slug, feature__slug="mtls-http").level
        assert level == "yes"
    assert not Mesh.objects.filter(slug__in=stored.shortlist).discontinued().exists()
    assert "Discontinued" in html  # the excluded list says why


def test_few_services_without_kubernetes_and_async_is_not_worth_it(client, db, wizard):
    stored = wizard.complete(
        gate=wizard.GATE_NO,
        env={**wizard.ENVIRONMENT, "outside_kubernetes": ["vms_on_prem"]},
    )
    html = client.get(stored.get_absolute_url()).content.decode()
    assert "A service mesh is probably not worth it for you." in html
    assert stored.verdict == "not_worth_it"
    assert stored.shortlist
    for slug in stored.shortlist:
        mesh = Mesh.objects.get(slug=slug)
        assert mesh.runs_without_kubernetes is True
        assert "vms_on_prem" in mesh.orchestrator_set


def test_result_notes_when_the_data_changed(client, db, wizard):
    stored = wizard.complete()
    changed = "The mesh data was updated after this questionnaire was answered"
    assert changed not in client.get(stored.get_absolute_url()).content.decode()
    top = stored.shortlist[0]
    Support.objects.filter(mesh__slug=top, feature__slug="mtls-http").update(
        level="no", stage="", since_version="", source="https://example.org/changed"
    )
    html = client.get(stored.get_absolute_url()).content.decode()
    assert changed in html
    assert "and the shortlist changed" in html


def test_impossible_must_haves_offer_to_relax_the_worst_one(client, db, wizard):
    musts = {"vms": "must", "sidecarless": "must", "live-tap": "must"}
    stored = wizard.complete(features=musts)
    response = client.get(stored.get_absolute_url())
    result = response.context["result"]
    assert result.shortlist == ()
    assert result.relax.feature in musts
    assert "and try again" in response.content.decode()
    relaxed = client.post(
        reverse("questionnaire:relax", args=[stored.public_id]),
        {"feature": result.relax.feature},
    )
    assert relaxed.status_code == 302
    newer = Questionnaire.objects.latest("created")
    assert result.relax.feature not in must_haves(newer.current_answers)


def test_relaxing_a_feature_that_is_not_a_must_have_is_400(client, db, wizard):
    stored = wizard.complete()
    url = reverse("questionnaire:relax", args=[stored.public_id])
    assert client.post(url, {"feature": "grpc"}).status_code == 400


def test_unknown_result_is_404(client, db):
    url = reverse("questionnaire:result", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_step_needs_post_and_csrf(client, db, wizard):
    from django.test import Client

    assert client.get(STEP).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(STEP, {"step": 0, **wizard.GATE_YES}).status_code == 403


def test_result_view_is_read_only(client, db, wizard):
    stored = wizard.complete()
    assert client.post(stored.get_absolute_url()).status_code == 405


def test_editors_see_submissions_read_only_with_must_have_counts(editor_client, db, wizard):
    from django.test import Client

    wizard.complete(client=Client())
    url = reverse("admin:questionnaire_questionnaire_changelist")
    response = editor_client.get(url)
    assert response.status_code == 200
    assert ("mtls-http", 1) in response.context["must_have_counts"]
    stored = Questionnaire.objects.get()
    change = reverse("admin:questionnaire_questionnaire_change", args=[stored.pk])
    page = editor_client.get(change)
    assert page.status_code == 200
    assert editor_client.post(change, {}).status_code == 403
    assert editor_client.get(reverse("admin:questionnaire_questionnaire_add")).status_code == 403


def test_anonymous_cannot_see_submissions(client, db):
    url = reverse("admin:questionnaire_questionnaire_changelist")
    assert client.get(url).status_code == 302


# Bounded by hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["²", "٣", "1" * 5000, " 1", "1\n", "+1", "0x1"])
def test_odd_step_numbers_are_400(client, db, step):
    assert client.get(START, {"step": step}).status_code == 400
    assert client.post(STEP, {"step": step}).status_code == 400


def test_opening_the_questionnaire_creates_no_session(client, db):
    from django.contrib.sessions.models import Session

    before = Session.objects.count()
    for _ in range(3):
        assert client.get(START).status_code == 200
        assert client.head(START).status_code == 200
    assert Session.objects.count() == before
    assert "sessionid" not in client.cookies


def test_replaying_the_same_answers_stores_one_result(client, db, wizard):
    first = wizard.complete()
    second = wizard.complete()
    assert first.pk == second.pk
    assert Questionnaire.objects.filter(digest=first.digest).count() == 1
    # Relaxing the same must-have twice gives one stored copy too.
    feature = must_haves(first.current_answers)[0]
    relax = reverse("questionnaire:relax", args=[first.public_id])
    one = client.post(relax, {"feature": feature})["Location"]
    two = client.post(relax, {"feature": feature})["Location"]
    assert one == two


def test_changed_data_gives_a_new_result_for_the_same_answers(client, db, wizard):
    first = wizard.complete()
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="mtls-http")
    cell.level = "no" if cell.level != "no" else "yes"
    cell.source = cell.source or "https://example.org/source"
    cell.save()
    assert wizard.complete().pk != first.pk


def test_new_results_per_address_are_limited(client, db, wizard, settings):
    settings.QUESTIONNAIRE_RESULTS_PER_HOUR = 1
    wizard.complete()
    wizard.post(0, wizard.GATE_YES)
    wizard.post(1, {**wizard.ENVIRONMENT, "cloud": "gcp"})
    wizard.post(2, wizard.features_step())
    refused = wizard.post(3, wizard.FIT)
    assert refused.status_code == 429
    # Another address is not affected.
    other = client.post(STEP, {"step": 3, **wizard.FIT}, REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 302


SCHEMA_2 = {
    "schema": 2,
    "steps": {
        "gate": {
            "service_count": "many",
            "tech_diversity": "high",
            "mostly_synchronous": "yes",
            "uses_kubernetes": "yes",
            "change_frequency": "often",
            "needed": ["mtls"],
        },
        "environment": {
            "infrastructure": "beyond_kubernetes",
            "cloud": "other",
            "knowledge": ["envoy", "kong"],
            "standards": "none",
        },
        "features": {"importance": {"mtls-http": "must"}, "allow_partial": False},
        "fit": {
            "min_maturity": "followers",
            "complexity_tolerance": "high",
            "latency_sensitive": "no",
        },
    },
}


def test_results_stored_with_the_previous_questions_still_render(client, db):
    from questionnaire.answers import upgrade

    upgraded = upgrade(SCHEMA_2)
    assert upgraded["schema"] == 5
    assert upgraded["steps"]["environment"] == {
        "outside_kubernetes": ["vms_on_prem"],
        "cloud": "on_prem",
        "experience": ["envoy"],
        "languages": [],
        "standards": "none",
        "openshift": False,
    }
    assert upgraded["steps"]["fit"] == {
        "min_maturity": "followers",
        "complexity_tolerance": "high",
        "latency_sensitive": False,
        "pods": None,
        "open_source_only": False,
        "cncf_graduated_only": False,
        "support": "welcome",
    }
    old = Questionnaire.objects.create(
        answers=SCHEMA_2, data_fingerprint="old", verdict="worth_it", shortlist=[]
    )
    response = client.get(old.get_absolute_url())
    assert response.status_code == 200
    assert "VMs or bare metal on-premises" in response.content.decode()


def test_result_lists_every_answer_of_every_step(client, db, wizard):
    stored = wizard.complete(
        env={**wizard.ENVIRONMENT, "outside_kubernetes": ["cloud_vms"], "cloud": "gcp"},
        fit={**wizard.FIT, "support": "required"},
        features={"tracing": "nice"},
    )
    response = client.get(stored.get_absolute_url())
    steps = dict(response.context["answer_steps"])
    assert list(steps) == ["Is a mesh sensible?", "Environment", "Features", "Subjective fit"]
    assert ("Where do workloads run outside Kubernetes?", "Cloud VMs") in steps["Environment"]
    assert ("Where do you run?", "Google Cloud") in steps["Environment"]
    assert ("Commercial support", "Required") in steps["Subjective fit"]
    assert ("Open source only?", "No") in steps["Subjective fit"]
    features = dict(steps["Features"])
    assert features["Must-haves"] == "mTLS for HTTP"
    assert "Distributed tracing" in features["Nice-to-haves"]
    assertInHTML("<dt>Commercial support</dt><dd>Required</dd>", response.content.decode())


def test_reasons_link_to_the_cell_and_show_its_source(client, db, wizard):
    stored = wizard.complete()
    html = client.get(stored.get_absolute_url()).content.decode()
    first = stored.shortlist[0]
    cell = Support.objects.get(mesh__slug=first, feature__slug="mtls-http")
    assert f'href="/meshes/{first}/#feature-mtls-http"' in html
    assert f'href="{cell.source}"' in html


def test_ties_are_labelled_and_compare_takes_the_tied_group(client, db, wizard):
    # Followers and up, on-premises, no experience: several meshes share a score.
    stored = wizard.complete(env={**wizard.ENVIRONMENT, "experience": []})
    response = client.get(stored.get_absolute_url())
    result = response.context["result"]
    tied = [r for r in result.shortlist if r.tied]
    assert tied
    html = response.content.decode()
    # Marked in the full ranking, and again where a tied option is among the top choices.
    top_tied = [r for r in response.context["top"] if r.tied]
    assert html.count('<span class="badge tied">tied</span>') == len(tied) + len(top_tied)
    group = result.compare_group
    assert 2 <= len(group) <= 4
    assert response.context["compare_query"] == "&".join(f"mesh={r.mesh.slug}" for r in group)
    # One per family: the third *choice*, and every choice tied with it.
    heads = [family.head for family in result.families]
    third = heads[min(3, len(heads)) - 1]
    assert all(r.rank <= third.rank for r in group)
    assert len({r.mesh.family for r in group}) == len(group)


def test_change_your_answers_from_a_permalink_prefills_another_browser(client, db, wizard):
    from django.test import Client

    stored = wizard.complete(
        env={**wizard.ENVIRONMENT, "outside_kubernetes": ["ecs"], "cloud": "aws"},
        fit={**wizard.FIT, "support": "not_wanted", "open_source_only": "yes"},
    )
    other = Client()
    response = other.post(reverse("questionnaire:edit", args=[stored.public_id]))
    assert response.status_code == 302
    environment = other.get(f"{START}?step=1").context["form"]
    assert environment["outside_kubernetes"].value() == ["ecs"]
    assert environment["cloud"].value() == "aws"
    fit = other.get(f"{START}?step=3").context["form"]
    assert fit["support"].value() == "not_wanted"
    assert fit["open_source_only"].value() == "yes"
    # Finishing again without changes gives the same answers.
    again = other.post(
        reverse("questionnaire:step"),
        {"step": 3, **{k: "" if fit[k].value() is None else fit[k].value() for k in fit.fields}},
    )
    assert again.status_code == 302
    assert Questionnaire.objects.latest("created").current_answers == stored.current_answers
