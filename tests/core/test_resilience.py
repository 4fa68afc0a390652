"""Faults and hostile requests, in process: a missing cache, a hung database, undecodable bodies,
HEAD everywhere, client addresses behind proxies and the proxy route's deploy checks.

The same faults against a real gunicorn, Redis and database are in test_faults.py.
"""

import io
import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse

STRONG_KEY = "resilience-" + "k8Vt3mQz1" * 6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_settings(code: str, **env: str) -> str:
    """Run Python with the portal's settings loaded from the given environment; its stdout."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, "SECRET_KEY": STRONG_KEY, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# The shared cache is down -------------------------------------------------------------------


@pytest.fixture
def unreachable_redis(settings):
    """A Redis cache on a loopback port nothing listens on, with the page cache on."""
    from core.caching import cache_health

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
        "ratelimit": settings.RATELIMIT_CACHE,
    }
    settings.PAGE_CACHE = True
    cache_health.down_since, cache_health.retry_at = None, 0.0
    yield
    cache_health.down_since, cache_health.retry_at = None, 0.0


def test_pages_render_uncached_when_the_cache_is_down(client, db, unreachable_redis, caplog):
    caplog.set_level(logging.ERROR, logger="core.caching")
    urls = ["/", "/meshes/linkerd/", "/api/meshes.json", "/changes/feed/", "/export/meshes.csv"]
    for _ in range(3):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert "ETag" not in response  # no data version: nothing may claim to be current
    assert b"Linkerd" in client.get("/meshes/linkerd/").content
    outage_logs = [r for r in caplog.records if "Shared cache unavailable" in r.getMessage()]
    assert len(outage_logs) == 1


def test_cache_outage_ends_with_a_new_data_version(client, db, unreachable_redis, settings):
    from core.caching import DATA_VERSION_KEY, cache_health, data_version

    assert client.get("/").status_code == 200
    assert cache_health.down_since is not None
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": settings.RATELIMIT_CACHE,
    }
    from django.core.cache import cache

    cache.set(DATA_VERSION_KEY, 5, timeout=None)
    cache_health.retry_at = 0.0
    # Pages stored before the outage must not come back as current: the version is replaced.
    assert data_version() > 5
    assert cache_health.down_since is None


def test_editor_saves_work_while_the_cache_is_down(
    db, unreachable_redis, django_capture_on_commit_callbacks
):
    from comparison.models import Support

    cell = Support.objects.get(mesh__slug="linkerd", feature__slug="grpc")
    with django_capture_on_commit_callbacks(execute=True):
        cell.note = "Saved during a cache outage."
        cell.save()
    cell.refresh_from_db()
    assert cell.note == "Saved during a cache outage."


def test_healthz_names_a_degraded_cache_but_stays_up(client, db, unreachable_redis):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"status: degraded\ndatabase: ok\ncache: degraded\n"


def test_healthz_503_names_the_database(client, db, monkeypatch):
    from django.db import DatabaseError

    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("core.health.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database: unavailable" in response.content


# The database does not answer -------------------------------------------------------------------


def test_database_timeouts_come_from_the_environment():
    code = (
        "from django.conf import settings as s; o = s.DATABASES['default']['OPTIONS']; "
        "print(o['connect_timeout'], o['options'])"
    )
    url = "postgres://u@127.0.0.1:5432/x"
    assert run_settings(code, DATABASE_URL=url) == "2 -c statement_timeout=15000"
    tuned = run_settings(
        code,
        DATABASE_URL=url,
        DATABASE_CONNECT_TIMEOUT="5",
        DATABASE_STATEMENT_TIMEOUT_MS="3000",
    )
    assert tuned == "5 -c statement_timeout=3000"


def test_health_check_gives_up_on_a_silent_database_within_3_seconds(black_hole):
    code = (
        "import django, time; django.setup(); from core.health import database_ok; "
        "t = time.monotonic(); ok = database_ok(); print(ok, round(time.monotonic() - t, 2))"
    )
    started = time.monotonic()
    out = run_settings(code, DATABASE_URL=f"postgres://portal@127.0.0.1:{black_hole}/portal")
    ok, seconds = out.split()
    assert ok == "False"
    assert float(seconds) <= 3.0
    assert time.monotonic() - started < 20


# Undecodable request bodies ----------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1", "cp500"])
@pytest.mark.parametrize("url", ["/", "/questionnaire/step/", "/admin/login/", "/nowhere/"])
def test_non_utf8_form_bodies_are_400_with_security_headers(client, db, charset, url):
    client.cookies["csrftoken"] = "A" * 32
    response = client.post(
        url, data="x=1", content_type=f"application/x-www-form-urlencoded; charset={charset}"
    )
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_utf8_charset_is_accepted(client, db):
    response = client.post(
        reverse("questionnaire:reset"),
        data="x=1",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 302


def wsgi_call(environ_extra: dict) -> tuple[str, dict[str, str]]:
    """Call the production WSGI application directly, as gunicorn does."""
    from core.wsgi import PortalWSGIHandler

    body = environ_extra.pop("body", b"")
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(body)),
        **environ_extra,
    }
    seen: dict = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    b"".join(PortalWSGIHandler()(environ, start_response))
    return seen["status"], seen["headers"]


def test_too_many_parameters_with_a_charset_are_400_not_a_bare_500(db):
    # Django's own request class parses the query string in its constructor when the
    # Content-Type names a charset, before any middleware could answer.
    status, headers = wsgi_call(
        {
            "QUERY_STRING": "a=1&" * 1500,
            "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        }
    )
    assert status.startswith("400")
    assert headers["X-Frame-Options"] == "DENY"


def test_django_s_own_request_class_fails_before_any_middleware():
    """The bug core.wsgi.PortalRequest works around: with the stock WSGIRequest the same request
    raises while the request is built, which gunicorn turns into a bare 500. When this test
    fails, Django has fixed it and core/wsgi.py can go."""
    from django.core.exceptions import TooManyFieldsSent
    from django.core.handlers.wsgi import WSGIRequest

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "QUERY_STRING": "a=1&" * 1500,
        "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
        "wsgi.input": io.BytesIO(b""),
    }
    with pytest.raises(TooManyFieldsSent):
        WSGIRequest(environ)


def test_utf16_body_through_the_wsgi_application_is_400(db):
    status, headers = wsgi_call(
        {
            "HTTP_COOKIE": "csrftoken=" + "A" * 32,
            "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-16",
            "body": b"x=1",
        }
    )
    assert status.startswith("400")
    assert "Content-Security-Policy" in headers


# HEAD answers like GET --------------------------------------------------------------------------


def test_every_public_route_answers_head_like_get(client, db, url_patterns, page_cache):
    public = [p for p in url_patterns if not p.is_admin]
    assert len(public) >= 12
    for pattern in public:
        get = client.get(pattern.sample)
        head = client.head(pattern.sample)
        assert head.status_code == get.status_code, pattern
        assert head.content == b"", pattern
        assert head.get("Content-Type") == get.get("Content-Type"), pattern
        if get.status_code == 405:
            continue  # a form's POST-only address: HEAD is refused exactly like GET
        assert get.status_code == 200, pattern
        if etag := get.get("ETag"):
            assert head["ETag"] == etag, pattern
            again = client.head(pattern.sample, headers={"If-None-Match": etag})
            assert again.status_code == 304, pattern
            assert client.get(pattern.sample, headers={"If-None-Match": etag}).status_code == 304


def test_healthz_answers_head(client, db):
    response = client.head("/healthz")
    assert response.status_code == 200 and response.content == b""


def test_feed_refuses_post(client, db):
    assert client.post("/changes/feed/").status_code == 405


# Client addresses behind proxies -----------------------------------------------------------------


def login(client, password: str, **meta):
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": password, "next": "/admin/"},
        **meta,
    )


PROXY = "10.0.0.2"


def test_behind_a_trusted_proxy_lockout_is_per_client(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(3):
        # The attacker forges an address; the proxy appends the one it saw.
        login(client, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    attacker = login(
        client, "editor-pass-123", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert attacker.status_code == 429
    # The editor comes through the same proxy from elsewhere and is not locked out.
    editor_login = login(
        client, "editor-pass-123", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert editor_login.status_code == 302


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(client, editor, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for index in range(3):
        # Forged X-Forwarded-For headers do not give an attacker fresh addresses.
        login(client, "wrong", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
    locked = login(
        client, "editor-pass-123", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.77"
    )
    assert locked.status_code == 429


def test_client_address_behind_two_proxies(rf, settings):
    from core.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = 2
    # forged by the client, then appended by the outer proxy, then by the inner one
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9, 10.0.0.1")
    assert client_ip(request) == "203.0.113.9"
    # Fewer entries than proxies, or garbage: the request did not come through them.
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.1")) == PROXY
    assert client_ip(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="x, y")) == PROXY


def test_trusted_proxy_count_comes_from_the_environment():
    code = "from django.conf import settings as s; print(s.TRUSTED_PROXY_COUNT)"
    assert run_settings(code) == "0"
    assert run_settings(code, TRUSTED_PROXY_COUNT="2") == "2"


# The proxy route's deploy checks ----------------------------------------------------------------


def test_check_deploy_passes_with_the_proxy_route():
    code = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    run_settings(
        code,
        DEBUG="false",
        ALLOWED_HOSTS="meshes.example.org",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        SECURE_HSTS_PRELOAD="true",
    )


def test_behind_the_proxy_healthz_stays_on_plain_http(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_site_url_must_be_absolute():
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    assert run_settings(code, SITE_URL="https://meshes.example.org/") == (
        "https://meshes.example.org"
    )
    base = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, "SECRET_KEY": STRONG_KEY, "SITE_URL": "meshes.example.org"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SITE_URL" in result.stderr
