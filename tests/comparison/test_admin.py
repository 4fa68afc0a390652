"""The editors' admin: personas and what each may do, reverting from history, and edit
conflicts on every admin page that writes a cell."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from comparison.models import Category, Feature, Level, Mesh, Support


def test_anonymous_visitor_is_sent_to_log_in(client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    response = client.get(mesh_admin.url(mesh))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_editors_group_may_change_mesh_data_but_not_users_or_groups(db):
    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"change_mesh", "change_support", "change_feature", "change_category"} <= perms
    assert not {p for p in perms if p.endswith(("_user", "_group", "_permission"))}


def test_editor_cannot_open_users(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_superuser_can_open_users(superuser_client):
    assert superuser_client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_staff_without_group_cannot_edit_meshes(client, db, mesh_admin):
    user = User.objects.create_user("nobody", password="x-pass-12345", is_staff=True)
    client.force_login(user)
    mesh = Mesh.objects.get(slug="linkerd")
    assert client.get(mesh_admin.url(mesh)).status_code == 403


def test_mesh_page_shows_every_cell_inline_in_category_order(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    response = editor_client.get(mesh_admin.url(mesh))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    cells = [form.instance for form in formset.forms]
    assert len(cells) == Support.objects.filter(mesh=mesh).count()
    order = [(c.feature.category.position, c.feature.position) for c in cells]
    assert order == sorted(order)
    assert b"Security \xe2\x80\xba mTLS for HTTP" in response.content


def test_editor_saves_a_cell_in_place(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    data = mesh_admin.form_data(editor_client, mesh)
    cell = Support.objects.get(mesh=mesh, feature__slug="traffic-mirroring")
    index = next(
        i for i in range(int(data["supports-TOTAL_FORMS"])) if data[f"supports-{i}-id"] == cell.pk
    )
    data[f"supports-{index}-level"] = Level.PARTIAL
    data[f"supports-{index}-note"] = "Only with an extra controller."
    response = editor_client.post(mesh_admin.url(mesh), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    cell.refresh_from_db()
    assert (cell.level, cell.note) == (Level.PARTIAL, "Only with an extra controller.")


def test_editor_gets_a_form_error_for_yes_without_source(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="linkerd")
    data = mesh_admin.form_data(editor_client, mesh)
    data["supports-0-level"] = Level.YES
    data["supports-0-source"] = ""
    response = editor_client.post(mesh_admin.url(mesh), data)
    assert response.status_code == 200
    assert "needs the source" in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["comparison_mesh_changelist", "comparison_feature_changelist"]
)
def test_list_pages_search_and_filter(editor_client, db, url_name):
    response = editor_client.get(reverse(f"admin:{url_name}"), {"q": "mtls"})
    assert response.status_code == 200


def test_mesh_list_filters_by_status(editor_client, db):
    url = reverse("admin:comparison_mesh_changelist")
    response = editor_client.get(url, {"status__exact": "archived"})
    names = {m.slug for m in response.context["cl"].result_list}
    assert "open-service-mesh" in names
    assert "linkerd" not in names


def history_form(client, model, obj, record):
    """The revert page for one historical record, and its data as the browser would post it."""
    name = model._meta.model_name
    url = reverse(f"admin:comparison_{name}_simple_history", args=[obj.pk, record.history_id])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[field.name] = "on" if value is True else value
    return url, data


# Reverting from history --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reverting_a_mesh_feature_and_category_works_outside_a_test_transaction(live_data):
    """Run with autocommit, as in production: the revert needs its own transaction (the mesh
    form locks the row), and must not be refused as an edit conflict."""
    from django.contrib.auth.models import User

    client = Client()
    # Flushed databases lose the migration-made Editors group: a superuser stands in for one.
    client.force_login(User.objects.create_superuser("reverter", password="revert-pass-123"))

    mesh = Mesh.objects.get(slug="linkerd")
    original = mesh.history.earliest()
    # An editor's change after the original, as the admin saves it (with a new edit version).
    mesh.summary, mesh.version = "Vandalised.", mesh.version + 1
    mesh.save()
    url, data = history_form(client, Mesh, mesh, original)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mesh.refresh_from_db()
    assert mesh.summary == original.summary

    feature = Feature.objects.get(slug="grpc")
    first = feature.history.earliest()
    feature.name = "Vandalised"
    feature.save()
    url, data = history_form(client, Feature, feature, first)
    assert client.post(url, data).status_code == 302
    feature.refresh_from_db()
    assert feature.name == first.name

    category = Category.objects.order_by("position").first()
    first = category.history.earliest()
    category.name = "Vandalised"
    category.save()
    url, data = history_form(client, Category, category, first)
    assert client.post(url, data).status_code == 302
    category.refresh_from_db()
    assert category.name == first.name


@pytest.mark.parametrize(
    "url",
    [
        "/admin/comparison/mesh/abc/history/",
        "/admin/comparison/support/abc/history/",
        "/admin/comparison/mesh/abc/history/1/",
        "/admin/comparison/mesh/1/history/abc/",
        "/admin/comparison/mesh/1/history/99999999999999999999999/",
    ],
)
def test_history_of_an_impossible_id_is_404(superuser_client, url):
    assert superuser_client.get(url).status_code == 404


# Every path that writes a cell takes part in conflict detection ----------------------------------


def test_cell_saved_on_its_own_page_refuses_an_older_mesh_form(editor, superuser, db, mesh_admin):
    mesh = Mesh.objects.get(slug="consul")
    cell = Support.objects.get(mesh=mesh, feature__slug="grpc")
    a, b = Client(), Client()
    a.force_login(editor)
    b.force_login(superuser)
    a_data = mesh_admin.form_data(a, mesh)  # A opens Consul's mesh form

    cell_url = reverse("admin:comparison_support_change", args=[cell.pk])
    form = b.get(cell_url).context["adminform"].form
    b_data = {f.name: f.value() or "" for f in form}
    b_data.update(level=Level.PARTIAL, note="B's change.", source="https://example.org/b")
    assert b.post(cell_url, b_data).status_code == 302  # B changes one of its cells

    index = next(
        i
        for i in range(int(a_data["supports-TOTAL_FORMS"]))
        if a_data[f"supports-{i}-id"] == cell.pk
    )
    a_data[f"supports-{index}-level"] = Level.NO
    a_data[f"supports-{index}-source"] = "https://example.org/a"
    response = a.post(mesh_admin.url(mesh), a_data)
    assert response.status_code == 200
    assert "Another editor saved this mesh after you opened it" in response.content.decode()
    cell.refresh_from_db()
    assert (cell.level, cell.note) == (Level.PARTIAL, "B's change.")  # B's change survives


def test_cell_page_refuses_a_save_after_the_mesh_changed(editor_client, db, mesh_admin):
    mesh = Mesh.objects.get(slug="consul")
    cell = Support.objects.get(mesh=mesh, feature__slug="grpc")
    cell_url = reverse("admin:comparison_support_change", args=[cell.pk])
    form = editor_client.get(cell_url).context["adminform"].form
    stale = {f.name: f.value() or "" for f in form}

    other = Support.objects.get(mesh=mesh, feature__slug="retries")
    other.note = "Changed elsewhere meanwhile."
    other.save()

    stale.update(note="Overwrites without seeing.")
    response = editor_client.post(cell_url, stale)
    assert response.status_code == 200
    assert "Another editor saved this mesh" in response.content.decode()
    cell.refresh_from_db()
    assert cell.note != "Overwrites without seeing."


# Editors' permissions ----------------------------------------------------------------------------


def test_editors_may_add_and_change_but_not_delete(db):
    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    for model in ("mesh", "feature", "category", "support"):
        assert f"change_{model}" in perms
        assert f"delete_{model}" not in perms
    assert {"add_mesh", "add_feature", "add_category"} <= perms


@pytest.mark.parametrize("model", [Mesh, Feature, Category, Support])
def test_editor_cannot_delete(editor_client, model):
    obj = model.objects.first()
    url = reverse(f"admin:comparison_{model._meta.model_name}_delete", args=[obj.pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
