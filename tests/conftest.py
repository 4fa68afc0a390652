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
    from django.core.cache import cache

    # Rate-limit counters (API, corrections) live there: every test starts with a full allowance.
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request to a /de/ page leaves German active in this thread, and reverse() would then
    # build German addresses in the next test.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


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


class QuestionnaireDriver:
    """Fills in the questionnaire through its views, as a visitor's browser would post it."""

    GATE_YES = {
        "service_count": "many",
        "tech_diversity": "high",
        "mostly_synchronous": "yes",
        "uses_kubernetes": "yes",
        "change_frequency": "often",
        "needed": ["mtls"],
    }
    GATE_NO = {
        "service_count": "few",
        "tech_diversity": "low",
        "mostly_synchronous": "no",
        "uses_kubernetes": "no",
        "change_frequency": "rarely",
    }
    ENVIRONMENT = {
        "outside_kubernetes": [],
        "cloud": "on_prem",
        "experience": ["envoy"],
        "standards": "none",
    }
    FIT = {
        "min_maturity": "followers",
        "complexity_tolerance": "high",
        "latency_sensitive": "no",
        "open_source_only": "no",
        "cncf_graduated_only": "no",
        "support": "welcome",
    }

    def __init__(self, client) -> None:
        from django.urls import reverse

        self.client = client
        self.start_url = reverse("questionnaire:start")
        self.step_url = reverse("questionnaire:step")

    def post(self, step: int, data: dict, client=None, **extra):
        return (client or self.client).post(self.step_url, {"step": step, **data, **extra})

    def features_step(self, overrides=None, allow_partial=False, client=None) -> dict:
        """Step 2 exactly as shown (with its pre-set must-haves), plus overrides."""
        form = (client or self.client).get(f"{self.start_url}?step=2").context["form"]
        data = {name: form[name].value() for name in form.fields if name.startswith("f_")}
        data.update({f"f_{slug}": level for slug, level in (overrides or {}).items()})
        if allow_partial:
            data["allow_partial"] = "on"
        return data

    def complete(
        self, gate=None, env=None, fit=None, features=None, client=None, allow_partial=False
    ):
        from questionnaire.models import Questionnaire

        client = client or self.client
        assert self.post(0, gate or self.GATE_YES, client).status_code == 302
        assert self.post(1, env or self.ENVIRONMENT, client).status_code == 302
        features_data = self.features_step(features, allow_partial, client=client)
        assert self.post(2, features_data, client).status_code == 302
        response = self.post(3, fit or self.FIT, client)
        assert response.status_code == 302
        stored = Questionnaire.objects.latest("created")
        assert response["Location"] == stored.get_absolute_url()
        return stored

    def answer_like_the_api(self, body: dict, client=None):
        """Fill in every step with the answers an API request body gives (defaults included)."""
        from questionnaire.api import DEFAULTS
        from questionnaire.decision import gate_must_haves

        answers = {**DEFAULTS, **body}

        def yes_no(value: bool) -> str:
            return "yes" if value else "no"

        gate = {
            "service_count": answers["services"],
            "tech_diversity": answers["tech_diversity"],
            "mostly_synchronous": yes_no(answers["communication"] == "sync"),
            "uses_kubernetes": yes_no(answers["kubernetes"]),
            "change_frequency": answers["change_frequency"],
            "needed": answers["needs"],
        }
        env = {
            "outside_kubernetes": answers["outside_kubernetes"],
            "cloud": answers["cloud"],
            "experience": answers["experience"],
            "standards": answers["standards"],
        }
        # As a visitor would: mark the nice-to-haves, then the must-haves; the gate's stay musts.
        features = {slug: "nice" for slug in answers["nice"]}
        features.update({slug: "must" for slug in answers["must"]})
        features.update({slug: "must" for slug in gate_must_haves(answers["needs"])})
        fit = {
            "min_maturity": answers["min_maturity"],
            "complexity_tolerance": answers["complexity_tolerance"],
            "latency_sensitive": yes_no(answers["latency_sensitive"]),
            "open_source_only": yes_no(answers["open_source_only"]),
            "cncf_graduated_only": yes_no(answers["cncf_graduated_only"]),
            "support": answers["support"],
        }
        return self.complete(
            gate, env, fit, features, client=client, allow_partial=answers["partial_ok"]
        )


@pytest.fixture
def wizard(client):
    return QuestionnaireDriver(client)
