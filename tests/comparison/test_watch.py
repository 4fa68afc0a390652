"""Source checks and release watch against a real local HTTP server; staleness; "still true"."""

import datetime
import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comparison.models import Mesh, ReleaseWatch, SourceCheck, Support, is_stale
from comparison.versions import is_newer, version_key
from comparison.watch import HostThrottle, fetch_all, latest_release, parse_feed

FEEDS = Path(__file__).parent / "feeds"
FAST = {"workers": 4, "timeout": 2.0, "interval": 0.0}


@pytest.fixture
def quick_checks(settings, db, site_server):
    """Fast settings, and every cited source on the local server (the checks visit no one else)."""
    Support.objects.exclude(source="").update(source=site_server.url("/ok"))
    settings.CHECK_WORKERS, settings.CHECK_TIMEOUT, settings.CHECK_HOST_INTERVAL = 4, 2.0, 0.0
    settings.SOURCE_BROKEN_AFTER = 2
    settings.STALE_AFTER_DAYS = 36500  # only the release rule decides in these tests
    return settings


def cite(site_server, mesh: str, feature: str, path: str) -> Support:
    cell = Support.objects.get(mesh__slug=mesh, feature__slug=feature)
    cell.source = site_server.url(path)
    cell.save()
    return cell


# Source checks ---------------------------------------------------------------------------------


def test_fetch_records_status_redirects_and_failures(site_server):
    urls = {name: site_server.url(f"/{name}") for name in ["ok", "moved", "gone", "no-head"]}
    urls["slow"], urls["hang"] = site_server.url("/slow"), site_server.url("/hang")
    results = fetch_all(urls.values(), workers=6, timeout=1.5, interval=0)
    by_name = {name: results[url] for name, url in urls.items()}
    assert (by_name["ok"].status, by_name["ok"].ok) == (200, True)
    assert by_name["moved"].status == 200
    assert by_name["moved"].redirects == [(301, site_server.url("/ok"))]
    assert by_name["moved"].final_url == site_server.url("/ok") and by_name["moved"].moved
    assert (by_name["gone"].status, by_name["gone"].ok) == (404, False)
    assert by_name["no-head"].status == 200  # HEAD refused with 405, GET works
    assert by_name["slow"].ok
    assert by_name["hang"].status is None and "timed out" in by_name["hang"].error
    methods = [(method, path) for method, path, *_ in site_server.requests]
    assert ("HEAD", "/no-head") in methods and ("GET", "/no-head") in methods
    assert ("GET", "/ok") not in methods, "HEAD was enough"
    agents = {agent for _, _, agent, _ in site_server.requests}
    assert len(agents) == 1 and agents.pop().startswith("service-mesh-portal/")


def test_requests_to_one_host_are_spaced(site_server):
    urls = [site_server.url(f"/ok?page={i}") for i in range(4)]
    started = time.monotonic()
    fetch_all(urls, workers=4, timeout=2, interval=0.2)
    times = sorted(t for *_, t in site_server.requests)
    # The k-th request leaves no sooner than k intervals after the start. A busy machine may
    # delay a request on its way, which narrows the gap to the next one but never makes any
    # request arrive earlier than its slot, so the slots are what is checked.
    assert len(times) == 4
    assert all(arrived - started >= 0.2 * k - 0.005 for k, arrived in enumerate(times)), [
        round(t - started, 3) for t in times
    ]


def test_host_throttle_keeps_hosts_apart():
    throttle = HostThrottle(10)
    throttle.wait("http://a.example/1")
    start = timezone.now()
    throttle.wait("http://b.example/1")  # another host: no waiting
    assert (timezone.now() - start).total_seconds() < 1


def test_check_sources_flags_a_gone_page_after_one_run(db, site_server, quick_checks, client):
    gone = cite(site_server, "linkerd", "grpc", "/gone")
    cite(site_server, "kuma", "grpc", "/moved")
    cite(site_server, "istio-sidecar", "grpc", "/ok")
    call_command("check_sources", stdout=io.StringIO())
    check = SourceCheck.objects.get(url=gone.source)
    assert check.broken and check.status == 404 and check.failures == 1
    assert check.last_ok is None and check.failing_since is not None
    moved = SourceCheck.objects.get(url=site_server.url("/moved"))
    assert moved.moved and not moved.broken and moved.final_url == site_server.url("/ok")
    assert moved.redirects == [[301, site_server.url("/ok")]]
    ok = SourceCheck.objects.get(url=site_server.url("/ok"))
    assert ok.status == 200 and ok.last_ok is not None and not ok.broken
    # Buoyant Enterprise follows Linkerd's cell, source included.
    assert list(Support.objects.source_broken().order_by("mesh__slug")) == [
        Support.objects.get(mesh__slug="buoyant-enterprise-linkerd", feature__slug="grpc"),
        gone,
    ]
    # Kong Mesh follows Kuma's cell.
    moved = Support.objects.source_moved().values_list("mesh__slug", flat=True)
    assert sorted(moved) == ["kong-mesh", "kuma"]

    # The public cell says since when instead of linking to the dead page.
    page = client.get(reverse("comparison:mesh-detail", args=["linkerd"])).content.decode()
    today = timezone.localdate()
    assert f"source unreachable since {today.day} {today:%b %Y}" in page
    assert f'href="{gone.source}"' not in page
    assert (
        f'href="{site_server.url("/ok")}"'
        in client.get(reverse("comparison:matrix")).content.decode()
    )


def test_unreachable_source_is_broken_only_after_repeated_failures(db, site_server, quick_checks):
    site_server.hang_seconds = 3
    cell = cite(site_server, "linkerd", "grpc", "/hang")
    call_command("check_sources", "--timeout", "0.5", stdout=io.StringIO())
    check = SourceCheck.objects.get(url=cell.source)
    assert (check.failures, check.broken, check.status) == (1, False, None)
    first_failure = check.failing_since
    call_command("check_sources", "--timeout", "0.5", stdout=io.StringIO())
    check.refresh_from_db()
    assert (check.failures, check.broken) == (2, True)
    assert check.failing_since == first_failure, "unreachable since the first failure"
    # It comes back: the flag goes, and when it last worked is recorded.
    cell.source = site_server.url("/slow")
    cell.save()
    call_command("check_sources", stdout=io.StringIO())
    assert not SourceCheck.objects.filter(url=site_server.url("/hang")).exists(), "no longer cited"
    assert SourceCheck.objects.get(url=cell.source).last_ok is not None


def test_server_errors_count_as_failures(db, site_server, quick_checks):
    cell = cite(site_server, "linkerd", "grpc", "/error")
    call_command("check_sources", stdout=io.StringIO())
    assert not SourceCheck.objects.get(url=cell.source).broken
    call_command("check_sources", stdout=io.StringIO())
    assert SourceCheck.objects.get(url=cell.source).broken


def test_admin_shows_broken_sources_and_counts(editor_client, site_server, quick_checks):
    cite(site_server, "linkerd", "grpc", "/gone")
    call_command("check_sources", stdout=io.StringIO())
    changelist = reverse("admin:comparison_support_changelist")
    response = editor_client.get(changelist + "?source_check=broken")
    assert response.status_code == 200
    assert sorted(response.context["cl"].queryset.values_list("mesh__slug", flat=True)) == [
        "buoyant-enterprise-linkerd",  # inherited from Linkerd
        "linkerd",
    ]
    index = editor_client.get(reverse("admin:index"))
    assert ("Cells whose source is broken", 2, changelist + "?source_check=broken") in (
        index.context["queues"]
    )


# Release watch ---------------------------------------------------------------------------------


def serve_feed(site_server, name: str) -> str:
    site_server.documents[f"/{name}"] = ("application/atom+xml", (FEEDS / name).read_bytes())
    return site_server.url(f"/{name}")


def test_versions_compare_by_number():
    assert version_key("v1.20.0") == version_key("1.20") == (1, 20)
    assert is_newer("1.20.1", "1.20") and not is_newer("2.14.4", "3.0.1")
    assert not is_newer("November 12, 2026", "1.31.3-asm.9 (managed: rolling)")
    assert is_newer("v1.13.3", "API 2019-01-25 (controller v1.13.1)")


def test_feed_parsing_skips_previews_and_orders_by_version():
    releases = parse_feed((FEEDS / "cilium-releases.atom").read_bytes())
    assert [r.name for r in releases] == ["1.21.0-rc.1", "1.20.1", "1.19.6", "1.20.0"]
    latest = latest_release(releases)
    assert latest.name == "1.20.1" and latest.url.endswith("/releases/tag/v1.20.1")
    assert latest.date == datetime.datetime(2026, 11, 18, 15, 2, 41, tzinfo=datetime.UTC)
    with pytest.raises(ValueError):
        parse_feed(b"<html><body>not a feed</body></html>")
    with pytest.raises(ValueError):
        parse_feed(b"{not xml")


def test_check_releases_flags_a_new_release_and_stales_older_cells(
    db, site_server, quick_checks, client, editor_client
):
    # The data as it stood before 1.20.1 (the recorded feed's newest stable release).
    Mesh.objects.filter(slug="cilium").update(
        current_version="1.20", release_feed_url=serve_feed(site_server, "cilium-releases.atom")
    )
    cilium = Mesh.objects.get(slug="cilium")
    Mesh.objects.filter(slug="kuma").update(
        current_version="3.0.1", release_feed_url=serve_feed(site_server, "kuma-releases.atom")
    )
    Mesh.objects.exclude(slug__in=["cilium", "kuma"]).update(release_feed_url="")
    before = Support.objects.filter(mesh=cilium, feature__slug="grpc")
    after = Support.objects.filter(mesh=cilium, feature__slug="mtls-tcp")
    before.update(last_verified=datetime.date(2026, 11, 1))
    after.update(last_verified=datetime.date(2026, 11, 20))
    Support.objects.filter(mesh=cilium).exclude(pk__in=[before.get().pk, after.get().pk]).update(
        last_verified=datetime.date(2026, 11, 26)
    )
    data_before = list(Support.objects.filter(mesh=cilium).values_list("level", "note", "source"))

    call_command("check_releases", stdout=io.StringIO())

    watch = ReleaseWatch.objects.get(mesh=cilium)
    assert (watch.new_release, watch.new_release_date) == ("1.20.1", datetime.date(2026, 11, 18))
    assert watch.latest_release == "1.20.1" and watch.error == ""
    kuma = ReleaseWatch.objects.get(mesh__slug="kuma")
    assert kuma.latest_release == "3.0.1" and kuma.new_release == "", "2.14.4 is an older line"
    # The data itself is untouched.
    assert list(Support.objects.filter(mesh=cilium).values_list("level", "note", "source")) == (
        data_before
    )
    assert Mesh.objects.get(slug="cilium").current_version == "1.20"

    # Verified before the release: stale; after it: fresh. The same rule in SQL and Python.
    assert list(Support.objects.filter(mesh=cilium).stale()) == [before.get()]
    assert before.get().is_stale and not after.get().is_stale
    assert after.get() in Support.objects.filter(mesh=cilium).fresh()
    assert list(Mesh.objects.with_new_release()) == [cilium]

    page = client.get(cilium.get_absolute_url()).content.decode()
    assert "1 cell is stale." in page
    assert "Release 1.20.1 came out on" in page
    assert page.count('class="stale-mark"') == 1
    assert "stale: verified Nov 2026" in page

    response = editor_client.get(reverse("admin:comparison_mesh_changelist") + "?release=new")
    assert list(response.context["cl"].queryset) == [cilium]
    index = editor_client.get(reverse("admin:index")).context["queues"]
    assert ("Meshes with a new release", 1) in [(label, count) for label, count, _ in index]

    # An editor enters the new version: the flag goes, and the cells are fresh again.
    cilium = Mesh.objects.get(slug="cilium")
    cilium.current_version = "1.20.1"
    cilium.save()
    assert ReleaseWatch.objects.get(mesh=cilium).new_release == ""
    assert not Support.objects.filter(mesh=cilium).stale().exists()


def test_feed_without_versions_is_read_by_date(db, site_server, quick_checks):
    url = serve_feed(site_server, "servicemesh-release-notes.xml")
    Mesh.objects.update(release_feed_url="")
    Mesh.objects.filter(slug="google-cloud-service-mesh").update(
        release_feed_url=url, last_verified=datetime.date(2026, 11, 26)
    )
    call_command("check_releases", stdout=io.StringIO())
    watch = ReleaseWatch.objects.get(mesh__slug="google-cloud-service-mesh")
    assert watch.new_release == "December 03, 2026"
    assert watch.new_release_date == datetime.date(2026, 12, 3)


def test_broken_feed_is_reported_not_flagged(db, site_server, quick_checks):
    Mesh.objects.update(release_feed_url="")
    Mesh.objects.filter(slug="kuma").update(release_feed_url=site_server.url("/ok"))
    Mesh.objects.filter(slug="cilium").update(release_feed_url=site_server.url("/gone"))
    call_command("check_releases", stdout=io.StringIO())
    assert "neither an Atom nor an RSS feed" in ReleaseWatch.objects.get(mesh__slug="kuma").error
    assert ReleaseWatch.objects.get(mesh__slug="cilium").error == "HTTP 404"
    assert not Mesh.objects.with_new_release().exists()


def test_staleness_by_age_still_applies(settings):
    settings.STALE_AFTER_DAYS = 365
    today = timezone.localdate()
    assert is_stale(today - datetime.timedelta(days=366))
    assert not is_stale(today - datetime.timedelta(days=10))
    assert is_stale(today - datetime.timedelta(days=10), release=today)


# "Still true" ----------------------------------------------------------------------------------


def test_still_true_per_cell_and_per_mesh(editor_client):
    old = datetime.date(2025, 1, 1)
    Support.objects.filter(mesh__slug="kuma").update(last_verified=old)
    Mesh.objects.filter(slug="kuma").update(last_verified=old)
    cell = Support.objects.get(mesh__slug="kuma", feature__slug="grpc")
    unchanged = (cell.level, cell.note, cell.source)
    url = reverse("admin:comparison_support_verify", args=[cell.pk])
    assert editor_client.get(url).status_code == 405
    changelist = reverse("admin:comparison_support_changelist")
    kuma_cells = editor_client.get(changelist + f"?mesh__id__exact={cell.mesh_id}")
    assert f'formaction="{url}"' in kuma_cells.content.decode()
    response = editor_client.post(url, HTTP_REFERER="http://testserver" + changelist + "?level=yes")
    assert response.status_code == 302 and response["Location"].endswith("?level=yes")
    cell.refresh_from_db()
    assert cell.last_verified == timezone.localdate()
    assert (cell.level, cell.note, cell.source) == unchanged
    assert Support.objects.filter(mesh__slug="kuma", last_verified=old).count() > 0

    kuma = Mesh.objects.get(slug="kuma")
    mesh_url = reverse("admin:comparison_mesh_verify", args=[kuma.pk])
    change_page = editor_client.get(reverse("admin:comparison_mesh_change", args=[kuma.pk]))
    assert f'formaction="{mesh_url}"' in change_page.content.decode()
    assert editor_client.post(mesh_url).status_code == 302
    kuma.refresh_from_db()
    # Each write of a cell counts as a change of its mesh: one for the cell, one for the mesh.
    assert kuma.last_verified == timezone.localdate() and kuma.version == 3
    assert not Support.objects.filter(mesh=kuma, last_verified=old).exists()


def test_still_true_needs_an_editor(client, db):
    cell = Support.objects.first()
    Support.objects.filter(pk=cell.pk).update(last_verified=datetime.date(2025, 1, 1))
    response = client.post(reverse("admin:comparison_support_verify", args=[cell.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    cell.refresh_from_db()
    assert cell.last_verified == datetime.date(2025, 1, 1)


def test_mesh_admin_pages_show_the_release_watch(editor_client):
    assert editor_client.get(reverse("admin:comparison_mesh_add")).status_code == 200
    kuma = Mesh.objects.get(slug="kuma")
    page = editor_client.get(reverse("admin:comparison_mesh_change", args=[kuma.pk]))
    assert "Not checked yet (manage.py check_releases)." in page.content.decode()
    ReleaseWatch.objects.create(
        mesh=kuma,
        checked_at=timezone.now(),
        latest_release="3.1.0",
        new_release="3.1.0",
        new_release_date=datetime.date(2026, 12, 1),
        new_release_url="https://github.com/kumahq/kuma/releases/tag/3.1.0",
    )
    page = editor_client.get(reverse("admin:comparison_mesh_change", args=[kuma.pk]))
    assert "new release 3.1.0 (2026-12-01) since last verification" in page.content.decode()
    listing = editor_client.get(reverse("admin:comparison_mesh_changelist"))
    assert "3.1.0 (2026-12-01)" in listing.content.decode()
