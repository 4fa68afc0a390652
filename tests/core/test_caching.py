"""The page cache: ETags from the data version and the release, error pages never stored."""

import pytest
from django.core.cache import cache

from comparison.models import Mesh
from core.caching import PAGE_KEY_PREFIX


def stored_pages() -> int:
    """Pages stored in the shared cache (the tests' local-memory cache)."""
    return len([key for key in cache._cache if PAGE_KEY_PREFIX in key])


def test_a_404_is_never_cached_nor_tagged(client, db, page_cache):
    response = client.get("/meshes/no-such-mesh/")
    assert response.status_code == 404
    assert not response.has_header("ETag")
    assert stored_pages() == 0
    assert client.get("/meshes/no-such-mesh/").status_code == 404


def test_a_400_is_never_cached_nor_tagged(client, db, page_cache):
    response = client.get("/?partial=maybe")
    assert response.status_code == 400
    assert not response.has_header("ETag")
    assert stored_pages() == 0


def test_a_good_page_is_stored_once_under_its_etag(client, db, page_cache):
    first = client.get("/meshes/linkerd/")
    assert first.status_code == 200
    assert stored_pages() == 1
    key = PAGE_KEY_PREFIX + first["ETag"].strip('"')
    assert cache.get(key)[0] == first.content
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=2, stale-if-error=86400"


def test_head_answers_like_get_without_a_body(client, db, page_cache):
    get = client.get("/meshes/linkerd/")
    head = client.head("/meshes/linkerd/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert (
        client.head("/meshes/linkerd/", headers={"If-None-Match": get["ETag"]}).status_code == 304
    )


def test_a_new_release_retires_cached_pages(client, db, page_cache, settings):
    before = client.get("/meshes/linkerd/")["ETag"]
    settings.RELEASE_VERSION = "next-release"
    after = client.get("/meshes/linkerd/", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after["ETag"] != before


def test_language_and_address_give_different_etags(client, db, page_cache):
    english = client.get("/meshes/linkerd/")["ETag"]
    german = client.get("/de/meshes/linkerd/")["ETag"]
    other = client.get("/meshes/istio-sidecar/")["ETag"]
    assert len({english, german, other}) == 3


def test_without_the_page_cache_there_is_no_etag(client, db):
    response = client.get("/meshes/linkerd/")
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert stored_pages() == 0


def test_an_outage_is_logged_once_and_the_cache_left_alone_until_the_retry(monkeypatch, caplog):
    from core import caching

    health = caching.CacheHealth()
    clock = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock[0])
    assert health.available
    health.failed(ConnectionError("refused"))
    assert not health.available, "the cache is left alone right after a failure"
    health.failed(ConnectionError("refused again"))
    outages = [r for r in caplog.records if "unavailable" in r.getMessage()]
    assert len(outages) == 1
    assert outages[0].getMessage() == (
        "Shared cache unavailable, serving pages uncached: ConnectionError('refused')"
    )
    clock[0] += caching.CACHE_RETRY_SECONDS - 0.1
    assert not health.available
    clock[0] += 0.2
    assert health.available, "retried once the pause is over"


def never_expires(key: str) -> bool:
    # The local-memory cache of the tests keeps each key's expiry time; None means never.
    return cache._expire_info[cache.make_and_validate_key(key)] is None


def test_a_lost_data_version_is_replaced_not_left_missing(db):
    from core.caching import DATA_VERSION_KEY, bump_data_version, data_version

    cache.delete(DATA_VERSION_KEY)
    bump_data_version()
    first = cache.get(DATA_VERSION_KEY)
    assert first is not None and never_expires(DATA_VERSION_KEY)
    bump_data_version()
    assert cache.get(DATA_VERSION_KEY) not in (None, first)
    # Read with none stored: one is made, and it stays until the data changes.
    cache.delete(DATA_VERSION_KEY)
    made = data_version()
    assert cache.get(DATA_VERSION_KEY) == made and never_expires(DATA_VERSION_KEY)


def test_reading_a_stored_data_version_is_one_round_trip(db, monkeypatch):
    # It is read on every page request: one GET, nothing more.
    from core import caching

    cache.set(caching.DATA_VERSION_KEY, 41, timeout=None)
    calls = []
    real_call = caching.cache_call
    monkeypatch.setattr(
        caching,
        "cache_call",
        lambda method, *args, **kw: calls.append((method, *args)) or real_call(method, *args, **kw),
    )
    assert caching.data_version() == 41
    assert calls == [("get", caching.DATA_VERSION_KEY)]


def test_an_edit_retires_its_pages_at_once(client, db, page_cache):
    from core.caching import bump_data_version

    before = client.get("/meshes/linkerd/")
    assert client.get("/meshes/linkerd/")["ETag"] == before["ETag"]
    bump_data_version()
    after = client.get("/meshes/linkerd/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_a_cache_back_from_an_outage_retires_the_version_read_before_it(db):
    from core import caching

    cache.set(caching.DATA_VERSION_KEY, 5, timeout=None)
    assert caching.data_version() == 5
    caching.cache_health.failed(ConnectionError("gone"))
    caching.cache_health.retry_at = 0.0
    caching.cache_health.recover()
    assert caching.cache_health.down_since is None
    assert caching.data_version() == cache.get(caching.DATA_VERSION_KEY) != 5


CACHED_URLS = [
    "/",
    "/de/",
    "/?must=mtls-tcp&notes=true",
    "/meshes/linkerd/",
    "/de/features/mtls-tcp/",
    "/compare/?mesh=istio-sidecar&mesh=linkerd",
    "/overview/",
    "/changes/feed/",
    "/api/meshes.json",
    "/export/meshes.csv",
]


def whole_response(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k != "X-Request-ID"}
    return response.status_code, headers, response.content


@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
def test_a_stored_page_is_the_same_response_as_the_rendered_one(client, db, page_cache, encoding):
    for url in CACHED_URLS:
        first = client.get(url, headers={"Accept-Encoding": encoding})
        assert first.status_code == 200, url
        key = PAGE_KEY_PREFIX + first["ETag"].removeprefix("W/").strip('"')
        assert cache.get(key) is not None, url
        again = client.get(url, headers={"Accept-Encoding": encoding})
        assert whole_response(again) == whole_response(first), url
        conditional = {"Accept-Encoding": encoding, "If-None-Match": first["ETag"]}
        assert client.get(url, headers=conditional).status_code == 304
        with_cookie = client.get(url, headers={"Accept-Encoding": encoding, "Cookie": "a=b"})
        assert whole_response(with_cookie) == whole_response(first), url


def test_requests_with_cookies_get_what_the_per_user_middleware_says(client, db, page_cache):
    client.get("/meshes/linkerd/")
    client.get("/meshes/linkerd/")
    # A session cookie that names no session: the whole stack deletes it, and says so in Vary.
    stale = client.get("/meshes/linkerd/", headers={"Cookie": "sessionid=gone"})
    assert stale.cookies["sessionid"].value == ""
    assert "Cookie" in stale["Vary"]
    client.cookies.clear()
    plain = client.get("/meshes/linkerd/")
    assert "sessionid" not in plain.cookies
    assert "Cookie" not in plain["Vary"]


def test_a_stored_page_is_retired_with_the_data_version(client, db, page_cache):
    from core.caching import bump_data_version

    first = client.get("/meshes/linkerd/")
    assert client.get("/meshes/linkerd/")["ETag"] == first["ETag"]
    Mesh.objects.filter(slug="linkerd").update(summary="A new summary.")
    bump_data_version()
    after = client.get("/meshes/linkerd/")
    assert after["ETag"] != first["ETag"]
    assert b"A new summary." in after.content


def test_a_view_decorated_with_the_page_cache_is_tagged_stored_and_revalidated(rf, db, page_cache):
    # The portal's views are decorated when they are imported; this one is decorated here, so the
    # decorator itself runs inside the test.
    from django.http import HttpResponse

    from core.caching import cached_public_page

    rendered = []

    def page(request):
        rendered.append(request.get_full_path())
        return HttpResponse("<p>a page long enough to be worth compressing</p>" * 20)

    def missing(request):
        return HttpResponse("gone", status=404)

    view = cached_public_page(parameters=("a",))(page)
    assert view.__wrapped__ is page and view.__name__ == "page"
    first = view(rf.get("/some/?a=1"))
    assert first.status_code == 200 and first.has_header("ETag")
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=2, stale-if-error=86400"
    assert set(first["Vary"].split(", ")) == {
        "HX-Request",
        "HX-History-Restore-Request",
        "Accept-Encoding",
    }
    revalidated = view(rf.get("/some/?a=1", headers={"If-None-Match": first["ETag"]}))
    assert revalidated.status_code == 304 and revalidated["ETag"] == first["ETag"]
    again = view(rf.get("/some/?a=1"))
    assert (again.content, again["ETag"]) == (first.content, first["ETag"])
    assert rendered == ["/some/?a=1"]  # rendered once, then answered from the store
    assert view(rf.get("/some/?a=2"))["ETag"] != first["ETag"]

    gone = cached_public_page(parameters=())(missing)(rf.get("/gone/"))
    assert gone.status_code == 404
    assert not gone.has_header("ETag") and not gone.has_header("Cache-Control")


def test_a_stored_page_is_never_the_answer_to_a_foreign_host(client, db, page_cache):
    from django.test import Client

    assert client.get("/overview/").status_code == 200
    assert client.get("/overview/").status_code == 200  # now answered from the stored copy
    foreign = Client(HTTP_HOST="evil.example")
    assert foreign.get("/overview/").status_code == 400


def test_a_page_is_cached_under_its_canonical_query(rf, db, page_cache):
    from django.http import HttpResponse

    from core.caching import cached_public_page

    seen = []

    def page(request):
        seen.append(request.GET.urlencode())
        return HttpResponse(f"<p>{request.GET.urlencode()}</p>" * 40)

    view = cached_public_page(parameters=("a", "b", "size"), defaults={"size": "m"})(page)
    first = view(rf.get("/p/?b=2&a=1&a=0"))
    for same in ("/p/?a=1&a=0&b=2", "/p/?a=1&zz=9&b=2&a=0&size=m&size=", "/p/?b=2&x=&a=1&a=0"):
        assert view(rf.get(same))["ETag"] == first["ETag"], same
    assert seen == ["b=2&a=1&a=0"]  # the view saw the known parameters only, and once
    # The order of one name's values can matter (the compare page's columns): another page.
    assert view(rf.get("/p/?a=0&a=1&b=2"))["ETag"] != first["ETag"]
    assert view(rf.get("/p/?size=l&a=1&a=0&b=2"))["ETag"] != first["ETag"]


def test_unknown_parameters_add_no_cache_entries(client, db, page_cache):
    assert client.get("/").status_code == 200
    assert client.get("/meshes/linkerd/").status_code == 200
    stored = stored_pages()
    shared = len(cache._cache)  # the test settings' local-memory cache
    for number in range(50):
        assert client.get(f"/?zz={number}").status_code == 200
        assert client.get(f"/meshes/linkerd/?utm_source={number}&density=").status_code == 200
    assert stored_pages() == stored
    assert len(cache._cache) == shared


def test_a_stray_parameter_never_reaches_the_cached_page_s_links(client, db, page_cache):
    poisoned = client.get("/?zz=stray-text&density=comfortable")
    assert b"stray-text" not in poisoned.content
    assert b"stray-text" not in client.get("/?density=comfortable").content
