"""Shared fixtures: the personas (anonymous visitor, editor, superuser) and the loaded data."""

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


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed-name manifest exists only after collectstatic; tests need not run it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load fixtures/meshes.json once; each test's transaction is rolled back around it."""
    from django.core.management import call_command

    from comparison.models import ensure_history_baseline

    with django_db_blocker.unblock():
        call_command("loaddata", "meshes", verbosity=0)
        ensure_history_baseline()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Test transactions never commit, so the data version never moves: pages would go stale
    # between tests. The cache's own tests switch it on (tests/test_production.py).
    settings.PAGE_CACHE = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def fixture_data(db):
    """The real mesh data (loaded once per session by django_db_setup)."""


@pytest.fixture
def live_data(transactional_db):
    """The real mesh data for tests that need committed rows (a live server in another thread).

    Transactional tests flush the database afterwards; pytest-django runs them last.
    """
    from django.core.management import call_command

    from comparison.models import ensure_history_baseline

    call_command("loaddata", "meshes", verbosity=0)
    ensure_history_baseline()


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("editor", password="editor-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser import ARGS, CHROMIUM

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures in
    # the same thread are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
