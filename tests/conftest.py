"""Shared fixtures: the personas (anonymous visitor, editor, superuser), the loaded data, and a
questionnaire driver with typical answers."""

import os

import pytest

# Set before pytest-django loads the settings (it does so after this conftest is imported), so no
# Django model may be imported at module level here. Tests run with DEBUG off, as production does,
# so they need a strong key of their own.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x1y2z3" * 8)


def pytest_configure(config: pytest.Config) -> None:
    import django

    django.setup()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under mutmut (bench/mutation), a mutant of an app's code is judged by that app's own tests
    (tests mirror the apps), quickest first by the durations its stats run recorded: most mutants
    are caught by a fast unit test, so -x stops early."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" not in mutant:
        return
    import json
    from pathlib import Path

    own = f"tests/{mutant.split('.')[0]}/"
    if any(item.nodeid.startswith(own) for item in items):
        others = [item for item in items if not item.nodeid.startswith(own)]
        items[:] = [item for item in items if item.nodeid.startswith(own)]
        config.hook.pytest_deselected(items=others)
    stats = Path("mutmut-stats.json")
    if stats.exists():
        durations = json.loads(stats.read_text())["duration_by_test"]
        items.sort(key=lambda item: durations.get(item.nodeid, float("inf")))


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed-name manifest exists only after collectstatic; tests need not run it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _portal_request_class(monkeypatch):
    # The test client builds Django's WSGIRequest itself; production uses core.wsgi's subclass.
    from core.wsgi import PortalRequest

    monkeypatch.setattr("django.test.client.WSGIRequest", PortalRequest)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """With TEST_DATABASE_TEMPLATE (bench/mutation), start from a private copy of a migrated,
    loaded SQLite database; run with --reuse-db, each run then skips migrating, which otherwise
    costs most of a mutant's time. A copy per process keeps parallel runs apart."""
    template = os.environ.get("TEST_DATABASE_TEMPLATE")
    if not template:
        yield
        return
    import shutil
    import tempfile
    from pathlib import Path

    from django.conf import settings

    copy = Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}.sqlite3"
    shutil.copyfile(template, copy)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(copy)
    yield
    for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
        leftover.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _default_language():
    # A request to a /de/ page leaves German active in this thread, and reverse() would then
    # build German addresses in the next test.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


# Fixtures and hooks by theme, each a small plugin under tests/plugins/.
pytest_plugins = [
    "tests.plugins.caching",
    "tests.plugins.data",
    "tests.plugins.fuzz",
    "tests.plugins.personas",
    "tests.plugins.questionnaire",
    "tests.plugins.urls",
]
