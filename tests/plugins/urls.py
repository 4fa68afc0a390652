"""Every route of the URL conf with a sample path, for the fuzz, HEAD and HTML-validity tests."""

from __future__ import annotations

import pytest

from tests.plugins.questionnaire import QuestionnaireDriver

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
    # What re.escape escaped in a literal part of the route ("still\\-fit", "decision\\.md").
    return "/" + re.sub(r"\\(.)", r"\1", filled)


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
