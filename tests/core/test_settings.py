"""Settings come from the environment and are parsed strictly."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

STRONG_KEY = "k" + "abcdefghij" * 6


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings as s; print(s.DEBUG, s.DATABASES)"],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_is_off_by_default_and_needs_a_strong_key():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is missing or weak" in result.stderr


@pytest.mark.parametrize("key", ["short", "django-insecure-" + "x" * 60, "ab" * 30])
def test_weak_secret_key_refuses_to_start(key):
    result = load_settings(SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_strong_key_starts_with_debug_off():
    result = load_settings(SECRET_KEY=STRONG_KEY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")


def test_bad_boolean_is_an_error_not_false():
    result = load_settings(DEBUG="ture", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf"])
def test_a_timeout_is_a_finite_number_of_seconds(value):
    result = load_settings(SECRET_KEY=STRONG_KEY, REDIS_TIMEOUT=value)
    assert result.returncode != 0
    assert f"REDIS_TIMEOUT={value!r} is not a finite number from 0 up." in result.stderr
    assert load_settings(SECRET_KEY=STRONG_KEY, REDIS_TIMEOUT="0.25").returncode == 0


def test_debug_true_runs_without_a_key():
    result = load_settings(DEBUG="yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")


def test_database_url_switches_to_postgresql():
    result = load_settings(
        SECRET_KEY=STRONG_KEY, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
    )
    assert "django.db.backends.postgresql" in result.stdout


def test_sqlite_file_by_default():
    result = load_settings(SECRET_KEY=STRONG_KEY, DATABASE_URL="")
    assert "django.db.backends.sqlite3" in result.stdout
