"""The page cache: ETags from the data version and the release, error pages never stored."""

import pytest
from django.core.cache import cache

from core.caching import PAGE_KEY_PREFIX, local_pages


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE = True
    cache.clear()
    local_pages.pages.clear()
    local_pages.size = 0


def stored_pages() -> int:
    return len(local_pages.pages)


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
    assert cache.get(key).bodies["identity"] == first.content
    assert first["Cache-Control"] == "public, no-cache"


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
    local_pages.pages.clear()
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


def test_a_page_too_big_for_the_local_copies_leaves_the_others(settings):
    from core.caching import LocalPages, StoredPage

    settings.PAGE_CACHE_LOCAL_BYTES = 10
    pages = LocalPages()
    pages.put("a", StoredPage({"identity": b"1234"}, {}))
    pages.put("huge", StoredPage({"identity": b"x" * 11}, {}))
    assert pages.get("huge") is None
    assert pages.get("a") is not None and pages.size == 4
    # Exactly the budget fits (and pushes out the rest); the byte count stays true.
    pages.put("full", StoredPage({"identity": b"y" * 10}, {}))
    assert pages.get("full") is not None and pages.get("a") is None
    assert pages.size == 10 == sum(page.size for page in pages.pages.values())
