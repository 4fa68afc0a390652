"""The editors' admin: personas and what each may do."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from comparison.models import Level, Mesh, Support


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
