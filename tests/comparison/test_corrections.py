"""Public corrections: the link on every cell, the form (CSRF, honeypot, rate limit) and the
editors' review queue (accept applies atomically with history, reject keeps the reason)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comparison.models import Mesh, Suggestion, Support, public_changes
from core.caching import data_version

SUGGEST = reverse("comparison:suggest")


def form_url(mesh: str = "kuma", feature: str = "grpc") -> str:
    return f"{SUGGEST}?mesh={mesh}&feature={feature}"


VALID = {
    "level": "partial",
    "note": "Only unary calls; streaming needs a MeshHTTPRoute workaround.",
    "source": "https://kuma.io/docs/latest/policies/meshhttproute/",
    "name": "Ada",
    "email": "ada@example.org",
    "works_for_vendor": "on",
}


@pytest.fixture
def suggestion(db):
    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    return Suggestion.objects.create(
        support=cell,
        level="partial",
        note="Only unary calls.",
        source="https://kuma.io/docs/latest/policies/meshhttproute/",
        name="Ada",
        works_for_vendor=True,
        seen_level=cell.level,
        seen_note=cell.note,
        seen_source=cell.source,
    )


# The link and the form --------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["table", "compare", "mesh"])
def test_every_cell_links_to_the_form_without_a_token(client, db, page):
    urls = {
        "table": reverse("comparison:matrix"),
        "compare": reverse("comparison:compare") + "?mesh=kuma&mesh=linkerd",
        "mesh": reverse("comparison:mesh-detail", args=["kuma"]),
    }
    response = client.get(urls[page])
    body = response.content.decode()
    meshes = len(response.context["matrix"].meshes)
    shown = {"table": Mesh.objects.active().service_meshes().count(), "compare": 2, "mesh": 1}
    assert meshes == shown[page]
    cells = body.count('<td class="lvl-')
    assert cells > 0 and body.count('class="suggest"') == cells
    assert cells == meshes * response.context["matrix"].row_count
    assert 'href="/suggest/?mesh=kuma&amp;feature=grpc"' in body
    assert "Suggest a correction for Kuma, gRPC" in body
    assert "csrfmiddlewaretoken" not in body and "csrftoken" not in response.cookies


def test_pages_with_the_link_stay_publicly_cached(client, db, settings):
    settings.PAGE_CACHE = True
    response = client.get(reverse("comparison:mesh-detail", args=["kuma"]))
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=2, stale-if-error=86400"
    assert response.has_header("ETag")
    assert "Cookie" not in response.get("Vary", "")


def test_form_shows_the_cell_and_carries_a_token(client, db):
    response = client.get(form_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "csrfmiddlewaretoken" in body
    assert "Kuma: gRPC" in body
    assert 'class="honeypot"' in body
    assert "public" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("?mesh=kuma", 400),
        ("?mesh=kuma&feature=nope", 404),
        ("?mesh=x&feature=grpc", 404),
    ],
)
def test_form_needs_an_existing_cell(client, db, query, status):
    assert client.get(SUGGEST + query).status_code == status
    assert client.post(SUGGEST + query, VALID).status_code == status
    assert not Suggestion.objects.exists()


def test_a_suggestion_is_stored_with_the_cell_as_seen(client, db):
    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    response = client.post(form_url(), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("comparison:suggest-thanks") + "?mesh=kuma&feature=grpc"
    assert "waits for an editor" in client.get(response["Location"]).content.decode()
    stored = Suggestion.objects.get()
    assert (stored.support, stored.level, stored.status) == (cell, "partial", "pending")
    assert (stored.seen_level, stored.seen_note, stored.seen_source) == (
        cell.level,
        cell.note,
        cell.source,
    )
    assert stored.works_for_vendor and stored.credit == "Ada (works for the vendor)"
    cell.refresh_from_db()
    assert cell.level != "partial", "nothing changes before an editor accepts"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": ""}, "source"),
        ({"level": "partial", "note": " "}, "note"),
        ({"level": "sometimes"}, "level"),
        ({"source": "javascript:alert(1)"}, "source"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_bad_suggestions_are_refused_with_form_errors(client, db, change, field):
    response = client.post(form_url(), {**VALID, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Suggestion.objects.exists()


def test_unknown_needs_no_source(client, db):
    response = client.post(form_url(), {"level": "unknown", "note": "The page is gone."})
    assert response.status_code == 302 and Suggestion.objects.get().level == "unknown"


def test_honeypot_drops_the_suggestion_quietly(client, db):
    response = client.post(form_url(), {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not Suggestion.objects.exists()


def test_rate_limit_per_address(client, db, settings):
    settings.SUGGESTION_RATE = "2/h"
    assert client.post(form_url(), VALID).status_code == 302
    assert client.post(form_url(), VALID).status_code == 302
    response = client.post(form_url(), VALID)
    assert response.status_code == 429
    assert "Too many suggestions" in response.content.decode()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(form_url(), VALID).status_code == 302
    assert Suggestion.objects.count() == 3
    assert client.get(form_url()).status_code == 200, "reading the form is not limited"


def test_csrf_is_required(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(form_url(), VALID).status_code == 403
    page = strict.get(form_url())
    token = page.context["csrf_token"]
    response = strict.post(form_url(), {**VALID, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


# The review queue -------------------------------------------------------------------------------


def test_review_shows_current_and_proposed_side_by_side(editor_client, suggestion):
    url = reverse("admin:comparison_suggestion_change", args=[suggestion.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="side-by-side"' in body
    assert "Only unary calls." in body and suggestion.support.source in body
    assert 'name="accept"' in body and 'name="reject"' in body
    assert "changed meanwhile" not in body
    queue = editor_client.get(
        reverse("admin:comparison_suggestion_changelist") + "?status__exact=pending"
    )
    assert list(queue.context["cl"].queryset) == [suggestion]
    index = editor_client.get(reverse("admin:index")).context["queues"]
    assert ("Suggestions waiting for review", 1) in [(label, n) for label, n, _ in index]


def test_accept_applies_the_change_with_history_and_a_new_data_version(
    editor_client, editor, suggestion, django_capture_on_commit_callbacks
):
    cell = suggestion.support
    old_level = cell.level
    mesh_version = cell.mesh.version
    before = data_version()
    decide = reverse("admin:comparison_suggestion_decide", args=[suggestion.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(decide, {"accept": "Accept"})
    assert response.status_code == 302
    cell.refresh_from_db()
    assert (cell.level, cell.note, cell.source) == (
        "partial",
        "Only unary calls.",
        "https://kuma.io/docs/latest/policies/meshhttproute/",
    )
    assert cell.last_verified == timezone.localdate()
    record = cell.history.latest()
    assert record.history_change_reason == (
        f"Correction #{suggestion.pk} suggested by Ada (works for the vendor)"
    )
    assert record.history_user == editor
    assert data_version() > before
    assert Mesh.objects.get(pk=cell.mesh_id).version == mesh_version + 1
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by, suggestion.replaced_level) == (
        "accepted",
        editor,
        old_level,
    )
    corrections = [c for c in public_changes() if c.kind == "correction"]
    assert [(c.mesh_slug, c.feature_slug, c.old, c.new, c.credit) for c in corrections] == [
        ("kuma", "grpc", old_level, "partial", "Ada (works for the vendor)")
    ]
    assert not [c for c in public_changes() if c.kind == "level"], "reported once, as correction"
    # Deciding twice is refused.
    editor_client.post(decide, {"reject": "Reject", "reason": "late"})
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"


def test_accept_rolls_back_when_the_cell_would_be_invalid(editor, suggestion):
    Suggestion.objects.filter(pk=suggestion.pk).update(note="")
    suggestion.refresh_from_db()
    before = Support.objects.get(pk=suggestion.support_id)
    with pytest.raises(Exception, match="partial"):
        suggestion.accept(editor)
    after = Support.objects.get(pk=suggestion.support_id)
    assert (after.level, after.note) == (before.level, before.note)
    assert Suggestion.objects.get(pk=suggestion.pk).status == "pending"


def test_reject_needs_and_keeps_a_reason(editor_client, editor, suggestion):
    decide = reverse("admin:comparison_suggestion_decide", args=[suggestion.pk])
    editor_client.post(decide, {"reject": "Reject", "reason": "  "})
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"
    level = suggestion.support.level
    editor_client.post(decide, {"reject": "Reject", "reason": "The page says streaming works."})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reject_reason, suggestion.decided_by) == (
        "rejected",
        "The page says streaming works.",
        editor,
    )
    assert Support.objects.get(pk=suggestion.support_id).level == level


def test_a_cell_changed_meanwhile_is_marked(editor_client, suggestion):
    cell = suggestion.support
    cell.note = "An editor reworded this."
    cell.save()
    suggestion.refresh_from_db()
    assert suggestion.changed_meanwhile
    url = reverse("admin:comparison_suggestion_change", args=[suggestion.pk])
    assert "The cell changed meanwhile" in editor_client.get(url).content.decode()


def test_visitors_cannot_decide(client, suggestion):
    decide = reverse("admin:comparison_suggestion_decide", args=[suggestion.pk])
    response = client.post(decide, {"accept": "Accept"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


def test_the_form_speaks_german(client, db):
    response = client.get("/de" + form_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Korrektur vorschlagen" in body and "Ich arbeite für den Hersteller" in body
    table = client.get("/de/meshes/kuma/").content.decode()
    assert 'href="/de/suggest/?mesh=kuma&amp;feature=grpc"' in table
    assert "Korrektur vorschlagen für Kuma" in table


@pytest.mark.parametrize("object_id", [":", "x1", "1%201", "١"])
def test_a_review_address_with_no_number_is_not_found(superuser_client, db, object_id):
    response = superuser_client.get(f"/admin/comparison/suggestion/{object_id}/change/")
    assert response.status_code == 404
