"""A visitor's correction, in a real browser: from the cell's link to the form, through the
editors' review queue, to an accepted change in the table, the changes feed and the cell's
history."""

import re

import pytest

NOTE = "Only unary calls; server streaming is not routed."
SOURCE = "https://kuma.io/docs/latest/policies/meshhttproute/"


@pytest.fixture
def editor_login(live_data):
    from django.contrib.auth.models import Permission, User

    # The editors' permissions on the user itself: an earlier transactional test's flush removed
    # the group the migrations made, and other tests expect that group as the migrations left it.
    models = ["category", "feature", "mesh", "support"]
    codenames = [f"{a}_{m}" for m in models for a in ("add", "change", "delete", "view")]
    codenames += ["view_suggestion", "change_suggestion"]
    user = User.objects.create_user("reviewer", password="reviewer-pass-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="comparison", codename__in=codenames)
    )
    return "reviewer", "reviewer-pass-123"


def test_suggestion_travels_from_the_form_to_the_table(browser, live_server, editor_login, shot):
    from comparison.models import Support

    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    assert cell.level == "yes"

    # A visitor, no account: the link on the cell, then the form.
    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = visitor.new_page()
    page.goto("/meshes/kuma/")
    page.locator("#feature-grpc a.suggest").click()
    page.wait_for_url(re.compile(r"/suggest/\?mesh=kuma&feature=grpc"))
    assert page.locator("h1").inner_text() == "Suggest a correction"
    page.select_option("#id_level", "partial")
    page.fill("#id_note", NOTE)
    page.fill("#id_source", SOURCE)
    page.fill("#id_name", "Ada")
    page.check("#id_works_for_vendor")
    shot(page, "suggest-form", full_page=True)
    page.get_by_role("button", name="Send the suggestion").click()
    page.wait_for_url(re.compile(r"/suggest/thanks/"))
    assert "waits for an editor's review" in page.locator(".lede").inner_text()
    visitor.close()

    # An editor logs in, finds it in the queue, compares and accepts.
    username, password = editor_login
    editor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = editor.new_page()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.get_by_role("link", name="Suggestions waiting for review").click()
    page.wait_for_url(re.compile(r"/admin/comparison/suggestion/\?status__exact=pending"))
    page.locator("#result_list tbody tr a").first.click()
    side_by_side = page.locator("#side-by-side")
    assert NOTE in side_by_side.inner_text() and "Yes" in side_by_side.inner_text()
    shot(page, "suggestion-review", full_page=True)
    page.get_by_role("button", name="Accept").click()
    assert "Accepted" in page.locator(".messagelist").inner_text()

    # The cell's history credits the suggestion.
    page.get_by_role("link", name="History of this cell").click()
    assert re.search(r"Correction #\d+ suggested by Ada \(works for the vendor\)", page.content())
    editor.close()

    # Everyone sees it: the table, the changes page and the feed.
    public = browser.new_context(base_url=live_server.url)
    page = public.new_page()
    page.goto("/meshes/kuma/")
    grpc = page.locator("#feature-grpc td")
    assert "lvl-partial" in grpc.get_attribute("class")
    assert "Partial" in grpc.inner_text()
    page.goto("/")
    columns = page.locator("table.matrix thead th.mesh-col a").all_inner_texts()
    in_table = page.locator("#feature-grpc td").nth(columns.index("Kuma"))
    assert "lvl-partial" in in_table.get_attribute("class")
    page.goto("/changes/?mesh=kuma")
    first = page.locator("table.changes tbody tr").first
    assert "Correction accepted" in first.inner_text()
    assert "Suggested by Ada (works for the vendor)" in first.inner_text()
    feed = page.request.get("/changes/feed/").text()
    assert "Correction accepted: Kuma: gRPC Yes → Partial" in feed
    public.close()
