"""The questionnaire's views: steps, validation, going back, stored results, relaxing."""

import pytest
from django.urls import reverse

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
    response = wizard.post(0, {"service_count": "lots"})
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
    assert form["cloud"].value() == "other"
    assert form["knowledge"].value() == ["envoy"]
    back = wizard.post(1, {**wizard.ENVIRONMENT, "cloud": "gcp"}, back="1")
    assert back["Location"].endswith("?step=0")
    assert client.get(f"{START}?step=0").context["form"]["service_count"].value() == "many"
    assert client.get(f"{START}?step=1").context["form"]["cloud"].value() == "gcp"


def test_back_keeps_even_incomplete_answers(client, db, wizard):
    wizard.post(0, wizard.GATE_YES)
    wizard.post(1, {"cloud": "azure"}, back="1")
    assert client.get(f"{START}?step=1").context["form"]["cloud"].value() == "azure"


def test_gate_features_arrive_as_must_haves(client, db, wizard):
    wizard.post(0, {**wizard.GATE_YES, "needed": ["mtls", "tracing"]})
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
        env={**wizard.ENVIRONMENT, "infrastructure": "beyond_kubernetes"},
    )
    html = client.get(stored.get_absolute_url()).content.decode()
    assert "A service mesh is probably not worth it for you." in html
    assert stored.verdict == "not_worth_it"
    for slug in stored.shortlist:
        assert Mesh.objects.get(slug=slug).platforms == "beyond_kubernetes"


def test_result_notes_when_the_data_changed(client, db, wizard):
    stored = wizard.complete()
    changed = "The mesh data was updated after this questionnaire was answered"
    assert changed not in client.get(stored.get_absolute_url()).content.decode()
    top = stored.shortlist[0]
    Support.objects.filter(mesh__slug=top, feature__slug="mtls-http").update(
        level="no", source="https://example.org/changed"
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
