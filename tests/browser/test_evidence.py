"""Stages, since-versions and distributions in a real browser: what a visitor sees in the table
and on a feature page, and the editor's three flows (change a cell, "checked, unchanged",
override an inherited cell)."""

import datetime
import re

import pytest


@pytest.fixture
def editor_login(live_data):
    from django.contrib.auth.models import Permission, User

    # The editors' permissions on the user itself (a transactional test's flush removed the group).
    codenames = [f"{a}_{m}" for m in ("mesh", "support") for a in ("change", "view")]
    user = User.objects.create_user("checker", password="checker-pass-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="comparison", codename__in=codenames)
    )
    return "checker", "checker-pass-123"


def log_in(browser, live_server, login):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", login[0])
    page.fill("#id_password", login[1])
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    return context, page


def test_a_visitor_sees_stage_since_and_upstream(browser, live_server, live_data, shot):
    from comparison.models import Support

    beta = Support.objects.filter(stage="beta", mesh__status="active", inherited=False).exclude(
        since_version=""
    )[0]
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"/?q={beta.feature.slug}")
    cell = page.locator(f"#feature-{beta.feature.slug} td.lvl-{beta.level} .stage-beta").first
    assert cell.inner_text() == "beta"
    shot(page, "evidence-table-stage")
    page.goto(f"/features/{beta.feature.slug}/")
    item = page.locator(f"#mesh-{beta.mesh.slug}")
    assert f"Beta, since {beta.since_version}" in item.inner_text()
    # A distribution's inherited cell names its upstream and links to that cell.
    inherited = Support.objects.filter(inherited=True, feature=beta.feature).first()
    if inherited is not None:
        link = page.locator(f"#mesh-{inherited.mesh.slug} .inherited-from a")
        assert link.inner_text() == inherited.mesh.upstream.name
        link.click()
        page.wait_for_url(re.compile(rf"/meshes/{inherited.mesh.upstream.slug}/#feature-"))
    shot(page, "evidence-feature-page", full_page=False)
    # The platform options join the table on request.
    page.goto("/")
    assert page.locator("th.mesh-col a", has_text="Amazon VPC Lattice").count() == 0
    page.get_by_role("link", name=re.compile(r"add \d+ platform networking option")).click()
    assert page.locator("th.mesh-col a", has_text="Amazon VPC Lattice").count() == 1
    context.close()


def test_an_editor_changes_a_cell_and_it_is_verified_today(
    browser, live_server, editor_login, shot
):
    from comparison.models import Support

    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    Support.objects.filter(pk=cell.pk).update(last_verified=datetime.date(2025, 1, 2))
    context, page = log_in(browser, live_server, editor_login)
    page.goto(f"/admin/comparison/support/{cell.pk}/change/")
    page.select_option("#id_stage", "beta")
    page.fill("#id_since_version", "2.9")
    shot(page, "evidence-admin-cell")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/comparison/support/"))
    cell.refresh_from_db()
    assert (cell.stage, cell.since_version) == ("beta", "2.9")
    assert cell.last_verified == datetime.date.today()
    context.close()


def test_checked_unchanged_marks_selected_cells_verified(browser, live_server, editor_login):
    from comparison.models import Support

    cells = Support.objects.filter(mesh__slug="consul", feature__slug__in=["grpc", "tcp"])
    cells.update(last_verified=datetime.date(2025, 1, 2))
    before = {c.pk: (c.level, c.note, c.source) for c in cells}
    context, page = log_in(browser, live_server, editor_login)
    page.goto(f"/admin/comparison/support/?mesh__id__exact={cells[0].mesh_id}")
    for cell in cells:
        page.locator(f"input[name=_selected_action][value='{cell.pk}']").check()
    page.select_option("select[name=action]", "mark_cells_verified")
    page.locator("button[name=index]").click()
    assert "Marked 2 cell(s) as verified today." in page.locator(".messagelist").inner_text()
    for cell in Support.objects.filter(pk__in=before):
        assert cell.last_verified == datetime.date.today()
        assert (cell.level, cell.note, cell.source) == before[cell.pk]
    context.close()


def test_an_editor_overrides_an_inherited_cell(browser, live_server, editor_login, shot):
    from comparison.models import Mesh, Support

    mesh = Mesh.objects.get(slug="kong-mesh")
    cell = Support.objects.get(mesh=mesh, feature__slug="live-tap")
    assert cell.inherited
    context, page = log_in(browser, live_server, editor_login)
    page.goto(f"/admin/comparison/support/?follows=inherited&mesh__id__exact={mesh.pk}")
    assert (
        page.locator("#result_list tbody tr").count()
        == Support.objects.filter(mesh=mesh, inherited=True).count()
    )
    page.goto(f"/admin/comparison/support/{cell.pk}/change/")
    page.uncheck("#id_inherited")
    page.select_option("#id_level", "no")
    page.select_option("#id_stage", "")
    page.fill("#id_note", "Kong Mesh has no live request stream.")
    page.fill("#id_source", "https://developer.konghq.com/mesh/")
    shot(page, "evidence-admin-override")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/comparison/support/"))
    cell.refresh_from_db()
    assert (cell.inherited, cell.level) == (False, "no")
    # The upstream's later change no longer reaches the override.
    origin = Support.objects.get(mesh__slug="kuma", feature__slug="live-tap")
    origin.note = "Changed upstream."
    origin.save()
    cell.refresh_from_db()
    assert cell.note == "Kong Mesh has no live request stream."
    context.close()
