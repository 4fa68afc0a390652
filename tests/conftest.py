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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load fixtures/meshes.json once; each test's transaction is rolled back around it."""
    from django.core.management import call_command

    from comparison.models import ensure_history_baseline

    if os.environ.get("TEST_DATABASE_TEMPLATE"):
        return  # the template was loaded the same way when it was made
    with django_db_blocker.unblock():
        call_command("loaddata", "meshes", verbosity=0)
        ensure_history_baseline()


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Test transactions never commit, so the data version never moves: pages would go stale
    # between tests. The cache's own tests switch it on (tests/test_production.py).
    from django.core.cache import cache

    from core.caching import recent_version

    settings.PAGE_CACHE = False
    # A data version read by an earlier test (against another cache) is not this test's.
    recent_version.forget()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": settings.RATELIMIT_CACHE,
    }
    # Local-memory caches share their store across instances, and rate-limit counters live
    # there: every test starts empty, with a full allowance.
    cache.clear()


@pytest.fixture(autouse=True)
def _editors_group_survives_flushes(request):
    """Give transactional tests the Editors group a data migration made.

    A transactional test empties every table afterwards; post_migrate brings back content types
    and permissions, but not rows made by data migrations, which later tests expect."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        models = ["category", "feature", "mesh", "support", "overheadfigure", "meshalias"]
        models += ["releasecycle", "conformancemapping"]
        extra = ["view_conformancereport"]
        codenames = [f"{a}_{m}" for m in models for a in ("add", "change", "view")] + extra
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="comparison", codename__in=codenames
            ),
            *Permission.objects.filter(
                content_type__app_label="questionnaire", codename="view_questionnaire"
            ),
        )


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
        "services": "many",
        "tech_diversity": "high",
        "communication": "sync",
        "kubernetes": "yes",
        "change_frequency": "often",
        "needs": ["mtls"],
    }
    GATE_NO = {
        "services": "few",
        "tech_diversity": "low",
        "communication": "async",
        "kubernetes": "no",
        "change_frequency": "rarely",
    }
    ENVIRONMENT = {
        "outside_kubernetes": [],
        "cloud": "on_prem",
        "openshift": "no",
        "experience": ["envoy"],
        "languages": [],
        "standards": "none",
    }
    FIT = {
        "min_maturity": "followers",
        "complexity_tolerance": "high",
        "latency_sensitive": "no",
        "pods": "",
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

    def features_step(
        self, overrides=None, partial_ok=False, client=None, experimental_ok=False
    ) -> dict:
        """Step 2 exactly as shown (with its pre-set must-haves), plus overrides."""
        form = (client or self.client).get(f"{self.start_url}?step=2").context["form"]
        data = {name: form[name].value() for name in form.fields if name.startswith("f_")}
        data.update({f"f_{slug}": level for slug, level in (overrides or {}).items()})
        if partial_ok:
            data["partial_ok"] = "on"
        if experimental_ok:
            data["experimental_ok"] = "on"
        return data

    def complete(
        self,
        gate=None,
        env=None,
        fit=None,
        features=None,
        client=None,
        partial_ok=False,
        experimental_ok=False,
    ):
        from questionnaire.models import Questionnaire

        client = client or self.client
        assert self.post(0, gate or self.GATE_YES, client).status_code == 302
        assert self.post(1, env or self.ENVIRONMENT, client).status_code == 302
        features_data = self.features_step(
            features, partial_ok, client=client, experimental_ok=experimental_ok
        )
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
            "services": answers["services"],
            "tech_diversity": answers["tech_diversity"],
            "communication": answers["communication"],
            "kubernetes": yes_no(answers["kubernetes"]),
            "change_frequency": answers["change_frequency"],
            "needs": answers["needs"],
        }
        env = {
            "outside_kubernetes": answers["outside_kubernetes"],
            "cloud": answers["cloud"],
            "openshift": yes_no(answers["openshift"]),
            "experience": answers["experience"],
            "languages": answers["languages"],
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
            "pods": "" if answers["pods"] is None else str(answers["pods"]),
            "open_source_only": yes_no(answers["open_source_only"]),
            "cncf_graduated_only": yes_no(answers["cncf_graduated_only"]),
            "support": answers["support"],
        }
        return self.complete(
            gate,
            env,
            fit,
            features,
            client=client,
            partial_ok=answers["partial_ok"],
            experimental_ok=answers["experimental_ok"],
        )


@pytest.fixture
def wizard(client):
    return QuestionnaireDriver(client)


# URL patterns -----------------------------------------------------------------------------------


class UrlPattern:
    """One route of the URL conf: its full regular expression and a path to a real object."""

    def __init__(self, name: str, regex: str, sample: str) -> None:
        self.name = name
        self.regex = regex
        self.sample = sample
        self.is_admin = sample.startswith("/admin/")

    def __repr__(self) -> str:
        return f"UrlPattern({self.name!r}, {self.sample!r})"


def _sample_path(route: str, samples: dict[str, str], route_name: str = "") -> str:
    """A path matching a route's regex, with each group filled from `samples` by name (a key
    "<route name>.<group>" wins over "<group>", e.g. a feature page's slug)."""
    import re

    # Unnamed groups (the history revert route) are the object's id, then its history record's.
    unnamed = iter([samples["object_id"], samples["history_id"]])

    def group(match: re.Match) -> str:
        name = match.group(1)
        if not name:
            return next(unnamed, "1")
        return samples.get(f"{route_name}.{name}", samples.get(name, samples["object_id"]))

    route = route.lstrip("^").removesuffix("\\Z").removesuffix("$")
    filled = re.sub(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)|\(()[^()]*\)", group, route)
    return "/" + filled.replace("\\.", ".")


def all_url_patterns(samples: dict[str, str]) -> list[UrlPattern]:
    """Every route in the URL conf (admin included), so a new view is covered without a new test."""
    from django.urls import URLResolver, get_resolver
    from django.urls.resolvers import LocalePrefixPattern

    found: list[UrlPattern] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry.pattern, LocalePrefixPattern):
                part = ""
            else:
                part = entry.pattern.regex.pattern.lstrip("^")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + part.removesuffix("\\Z"))
                continue
            regex = prefix + part
            sample = _sample_path(regex, samples, entry.name or "")
            # Routes that read their object from the query string get it from "<name>?".
            sample += samples.get(f"{entry.name}?", "")
            found.append(UrlPattern(entry.name or regex, regex, sample))

    walk(get_resolver().url_patterns, "")
    # Answered by a middleware before URL resolution (core.observability), fuzzed all the same
    # (/metrics too is answered there, but only when switched on).
    for path in ("healthz",):
        found.append(UrlPattern(path, f"^{path}$", f"/{path}"))
    return found


@pytest.fixture
def url_samples(db) -> dict[str, str]:
    """Values for the URL conf's parameters that name real rows."""
    from django.test import Client

    from comparison.models import Mesh

    mesh = Mesh.objects.get(slug="linkerd")
    stored = QuestionnaireDriver(Client()).complete()
    history = mesh.history.earliest()
    return {
        "slug": mesh.slug,
        "feature-detail.slug": "mtls-tcp",
        "suggest?": "?mesh=linkerd&feature=mtls-tcp",
        "suggest-thanks?": "?mesh=linkerd&feature=mtls-tcp",
        "public_id": str(stored.public_id),
        "object_id": str(mesh.pk),
        "id": "1",
        "content_type_id": "1",
        "app_label": "comparison",
        "url": "nowhere/",
        "history_id": str(history.history_id),
    }


@pytest.fixture
def url_patterns(url_samples) -> list[UrlPattern]:
    return all_url_patterns(url_samples)


@pytest.fixture(scope="session")
def url_patterns_without_rows() -> list[UrlPattern]:
    """The URL conf's routes with parameter values that need no database (for servers started
    by a test, whose rows the test process does not see)."""
    samples = {
        "slug": "linkerd",
        "feature-detail.slug": "mtls-tcp",
        "suggest?": "?mesh=linkerd&feature=mtls-tcp",
        "suggest-thanks?": "?mesh=linkerd&feature=mtls-tcp",
        "public_id": "00000000-0000-4000-8000-000000000000",
        "object_id": "1",
        "history_id": "1",
        "id": "1",
        "content_type_id": "1",
        "app_label": "comparison",
        "url": "nowhere/",
    }
    return all_url_patterns(samples)


# Fuzzing totals ---------------------------------------------------------------------------------

FUZZ_TALLY = pytest.StashKey[dict]()


class FuzzTally:
    """Requests the fuzz tests sent and the 5xx answers they saw, reported after the run."""

    def __init__(self, config: pytest.Config) -> None:
        self.totals = config.stash.setdefault(FUZZ_TALLY, {"requests": 0, "5xx": 0})

    def count(self, response) -> None:
        self.totals["requests"] += 1
        self.totals["5xx"] += response.status_code >= 500


@pytest.fixture
def fuzz_tally(request) -> FuzzTally:
    return FuzzTally(request.config)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    totals = config.stash.get(FUZZ_TALLY, None)
    if totals:
        terminalreporter.write_line(
            f"fuzz: {totals['requests']} requests, {totals['5xx']} answered 5xx"
        )
