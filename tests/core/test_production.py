"""Production readiness: deploy checks, security headers, login throttling, caching, health."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

from comparison.models import Level, Mesh, Support
from core.caching import DATA_VERSION_KEY, data_version

STRONG_KEY = "deploy-" + "q7Zp2xLm9" * 6
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "meshes.example.org",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_PRELOAD": "true",
}
PUBLIC_PAGES = [
    "/",
    "/?must=mtls-tcp&must=fault-injection",
    "/compare/?mesh=linkerd&mesh=kuma",
    "/meshes/linkerd/",
    "/api/meshes.json",
    "/export/meshes.csv",
    "/changes/",
    "/changes/feed/",
    "/questionnaire/",
    "/admin/login/",
]


def test_check_deploy_passes_with_production_settings():
    ignored = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**env, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_security_headers_on_every_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, db):
    for url in PUBLIC_PAGES[:-1]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and " style=" not in html, url
        for tag in html.split("<script")[1:]:
            assert " src=" in tag.split(">")[0], url


# Login throttling --------------------------------------------------------------------------------


def login(client, username: str, password: str, ip: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def test_lockout_is_per_address_and_username(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, "editor", "wrong", "203.0.113.9")
    locked = login(client, "editor", "editor-pass-123", "203.0.113.9")
    assert locked.status_code == 429
    # The same editor from another address still gets in: an attacker cannot lock them out.
    assert login(client, "editor", "editor-pass-123", "198.51.100.7").status_code == 302
    # And another username from the attacker's address is not locked either.
    assert login(client, "someone", "x", "203.0.113.9").status_code == 200


# Caching ------------------------------------------------------------------------------------------


def test_unchanged_page_answers_304_without_rendering(
    client, db, page_cache, django_assert_max_num_queries
):
    first = client.get("/meshes/linkerd/")
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    with django_assert_max_num_queries(0):
        again = client.get("/meshes/linkerd/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    with django_assert_max_num_queries(0):
        cached = client.get("/meshes/linkerd/")
    assert cached.content == first.content


def test_editor_change_retires_cached_pages(
    client, db, page_cache, django_capture_on_commit_callbacks
):
    first = client.get("/api/meshes.json?mesh=linkerd")
    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    version = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        cell.level, cell.note = Level.PARTIAL, "Changed by an editor."
        cell.save()
    assert data_version() == version + 1
    second = client.get("/api/meshes.json?mesh=linkerd", headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second.json()[0]["features"]["grpc"]["level"] == "partial"


def test_cached_pages_carry_no_csrf_token(client, db, page_cache):
    assert "csrfmiddlewaretoken" not in client.get("/").content.decode()
    assert "csrftoken" not in client.get("/").cookies
    # The questionnaire is never cached, and its form carries the token htmx posts with it.
    assert "csrfmiddlewaretoken" in client.get("/questionnaire/").content.decode()


def test_htmx_fragment_and_full_page_are_cached_apart(client, db, page_cache):
    full = client.get("/?must=grpc")
    fragment = client.get("/?must=grpc", headers={"HX-Request": "true"})
    assert full["ETag"] != fragment["ETag"]
    assert b"<html" in full.content and b"<html" not in fragment.content
    assert "HX-Request" in full["Vary"]


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_redis_url_selects_the_redis_backend():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    code = "import portal.settings as s; print(s.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "REDIS_URL": "redis://127.0.0.1:6379/3", "SECRET_KEY": STRONG_KEY},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_data_version_is_shared_between_app_servers_through_redis(settings):
    from django.core.cache.backends.redis import RedisCache

    location = "redis://127.0.0.1:6379/3"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location},
        "ratelimit": settings.RATELIMIT_CACHE,
    }
    # Another app server: a separate client with its own connection to the same Redis.
    other_server = RedisCache(location, {})
    cache.delete(DATA_VERSION_KEY)
    from core.caching import bump_data_version

    before = data_version()
    bump_data_version()
    assert other_server.get(DATA_VERSION_KEY) == before + 1
    # A flushed cache never brings back an old version.
    other_server.delete(DATA_VERSION_KEY)
    assert data_version() > before + 1
    cache.delete(DATA_VERSION_KEY)


def test_database_cache_is_the_default_without_redis():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL"}}
    code = "import portal.settings as s; print(s.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**env, "SECRET_KEY": STRONG_KEY},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


# Health -----------------------------------------------------------------------------------------


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"status: ok\ndatabase: ok\ncache: ok\n"


def test_healthz_503_when_the_database_fails(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused")

    # Only the health view's connection fails, so the test's own transaction can still roll back.
    monkeypatch.setattr("core.health.connection", Unreachable())
    assert client.get("/healthz").status_code == 503


def test_persistent_database_connections():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_mesh_list_is_unchanged_by_caching(client, db, page_cache):
    assert len(client.get("/api/meshes.json?status=all&kind=all").json()) == Mesh.objects.count()
