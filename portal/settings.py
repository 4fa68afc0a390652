"""Settings for the service mesh comparison portal.

Everything that differs between a laptop and production comes from environment variables, parsed
strictly: a value that cannot be understood stops start-up instead of silently becoming a default.
"""

import ipaddress
import math
import os
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from core.jsonlog import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    """A duration or similar amount: a finite number, not below zero."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value < math.inf:  # also refuses nan
        raise ImproperlyConfigured(f"{name}={raw!r} is not a finite number from 0 up.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# Django's own check (security.W009) treats keys shorter than 50 characters, with fewer than
# 5 distinct characters, or with the "django-insecure-" prefix as weak; refuse them outright.
_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or weak. With DEBUG off, set SECRET_KEY to a random string of at "
        'least 50 characters, e.g. the output of: python -c "import secrets; '
        'print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "core",
    "comparison",
    "questionnaire",
]
# Developer tooling (the render benchmark's command): never part of the product.
if DEBUG:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # First: it times and counts every request, and gives each one an id for the logs.
    "core.observability.RequestObservabilityMiddleware",
    # Before the host and HTTPS checks: probes and Prometheus come by address, over plain HTTP.
    "core.observability.OperationsEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.CrossOriginResourcePolicyMiddleware",
    "core.compression.CompressionMiddleware",
    # Before anything reads the request, so its 400s still pass the header middleware above.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RejectUndecodableRequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.languages",
            ],
        },
    },
    # Second, so that render() and every {% include %} keep finding Django templates: only the
    # comparison table's body asks for this engine by name (comparison/matrix.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "comparison.jinja.environment"},
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# Several app servers share one cache (and so one data version) through Redis; without it the
# database holds the cache, which every process and machine using that database shares too.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
# Seconds to wait for Redis: an unreachable cache must cost pages little (core/caching.py then
# serves them uncached), never a worker timeout.
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }
# Public pages are cached until the data changes; off while developing so template edits show.
# POST /api/recommend: requests per client address, counted by django-ratelimit in the default
# cache (shared by every app server; with Redis the counting is atomic, with the database cache
# it may let a few extra requests through under heavy concurrency, which is acceptable here).
RECOMMEND_RATE = os.environ.get("RECOMMEND_RATE", "60/m")
# Counted through core.caching.FailSoftCache: the default cache while it answers, each process's
# memory while it does not, so a cache outage never fails a limited request.
RATELIMIT_CACHE: dict[str, Any] = {"BACKEND": "core.caching.FailSoftCache", "LOCATION": "ratelimit"}
CACHES = {**CACHES, "ratelimit": RATELIMIT_CACHE}
RATELIMIT_USE_CACHE = "ratelimit"
# The client address: by default the one login throttling uses (TRUSTED_PROXY_COUNT, below);
# RATELIMIT_IP_META_KEY may name a header a proxy sets instead.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or "core.client_ip.client_ip"

PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 3600)
# How long an HTTP cache in front (deploy/nginx/nginx.conf) may serve a public page before it
# revalidates it with the page's ETag (s-maxage), and how long it may serve its last copy while the
# app fails (stale-if-error). Browsers always revalidate (max-age=0).
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 2)
STALE_IF_ERROR_SECONDS = env_int("STALE_IF_ERROR_SECONDS", 24 * 3600)
# Part of every page's ETag, so a deploy retires cached pages: the package version, or a build id.
try:
    _PACKAGE_VERSION = metadata.version("service-mesh-portal")
except metadata.PackageNotFoundError:
    _PACKAGE_VERSION = "0+unknown"
RELEASE_VERSION = os.environ.get("RELEASE_VERSION", "").strip() or _PACKAGE_VERSION

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# An unresponsive database must fail requests quickly (and /healthz with 503), not hold workers
# until gunicorn kills them: seconds to connect, and milliseconds any one statement may run.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 2)
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 15_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers writing (sessions, cache) must wait for each other, not fail: WAL lets
    # readers go on during a write, IMMEDIATE takes the write lock up front, timeout waits for it.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic writes (and whitenoise serves from); a test run gives each server its own.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names let whitenoise send far-future cache headers; DEBUG needs no collectstatic.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

LOGIN_URL = "admin:login"
# Where a login goes when its "next" is missing or unsafe (Django's default is a profile page that
# does not exist here).
LOGIN_REDIRECT_URL = "admin:index"

# --- Security -------------------------------------------------------------------------------
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the proxy must
# set X-Forwarded-Proto itself); otherwise let Django redirect http to https (SECURE_SSL_REDIRECT).
# With the proxy header set Django knows the scheme, so it redirects http itself too (no W008);
# /healthz stays reachable over plain http for load balancers.
if proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip():
    SECURE_PROXY_SSL_HEADER = (proxy_header, "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", bool(proxy_header))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Where that redirect goes when HTTPS is served on another host or port (empty: the same host).
SECURE_SSL_HOST = os.environ.get("SECURE_SSL_HOST", "").strip() or None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# Scripts and styles only from our own origin: no inline code anywhere, htmx configured to need
# neither eval nor injected styles (see templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Login throttling: lock a username only for the address that failed, so an attacker elsewhere
# cannot lock an editor out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind reverse proxies every request comes from the nearest proxy's address, so the client's is
# read from X-Forwarded-For: TRUSTED_PROXY_COUNT is how many proxies in front of the app append to
# it (core/client_ip.py, used by django-axes through AXES_CLIENT_IP_CALLABLE). Only the entries
# those proxies added are believed; what a client sends itself is ignored. 0 (the default): no
# proxy, the socket's peer address is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# The site's public address, for links that leave it (the Atom feed): never taken from the Host
# header, which a client chooses.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or (
    "http://localhost:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
)
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.netloc or _site.path.strip("/"):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} is not a site origin: use scheme and host, "
        "e.g. https://meshes.example.org"
    )

# Stored questionnaire results a single address may create per hour (replays reuse a result).
QUESTIONNAIRE_RESULTS_PER_HOUR = env_int("QUESTIONNAIRE_RESULTS_PER_HOUR", 60)

# How old a "last verified" date may get before public pages flag the data as stale.
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 365)

# --- Operations -----------------------------------------------------------------------------
# LOG_FORMAT=json: every log record is one JSON line, and every request logs one line with its
# method, path, status, duration and request id (X-Request-ID, taken from a proxy or made here).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower() or "text"
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use text or json.")

# check_sources / check_releases: parallel requests, seconds to wait for an answer, seconds
# between two requests to the same host, and failed checks in a row before a source is broken.
CHECK_WORKERS = env_int("CHECK_WORKERS", 8)
# Where refresh_sources finds the machine-readable sources it imports: Gateway API conformance
# reports (with SOURCES.json), the lifecycle manifest, and Istio's feature status file with its map.
SOURCES_DIR = Path(os.environ.get("SOURCES_DIR", "") or BASE_DIR / "fixtures" / "sources")
CHECK_TIMEOUT = env_float("CHECK_TIMEOUT", 15)
CHECK_HOST_INTERVAL = env_float("CHECK_HOST_INTERVAL", 1)
SOURCE_BROKEN_AFTER = env_int("SOURCE_BROKEN_AFTER", 2)

# Public correction suggestions per client address (counted like RECOMMEND_RATE above).
SUGGESTION_RATE = os.environ.get("SUGGESTION_RATE", "").strip() or "5/h"

LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))

# Prometheus metrics at /metrics: off unless METRICS_ENABLED, and then only for clients in
# METRICS_ALLOWED_NETWORKS that did not come through a proxy (no X-Forwarded-For / Forwarded),
# so an ingress never exposes them. Under gunicorn the workers share them through
# PROMETHEUS_MULTIPROC_DIR (portal/gunicorn_conf.py sets one up).
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS: {_network!r} is no network."
        ) from None

# Fragments of the OpenAPI description at /api/openapi.json: each app describes its own API.
OPENAPI_FRAGMENTS = ["comparison.api_schema.fragment", "questionnaire.api_schema.fragment"]
