"""The OpenAPI description: a valid 3.1 document, and the live API keeps to it (Schemathesis)."""

import pytest
import schemathesis
from django.core.cache import cache
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import negative_data_rejection

from core import caching
from core.openapi import build_document


def test_document_is_valid_openapi_3_1(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_json_endpoint_is_described(db):
    described = set(build_document()["paths"])
    routes = {
        "/" + str(pattern.pattern)
        for pattern in get_resolver().url_patterns[-1].url_patterns  # the i18n_patterns
        for pattern in getattr(pattern, "url_patterns", [pattern])
        if str(pattern.pattern).startswith("api/")
    }
    assert {"/api/meshes.json", "/api/recommend"} <= routes <= described


def test_documented_enumerations_are_the_filters_choices(client, db):
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in build_document()["paths"]["/api/meshes.json"]["get"]["parameters"]
    }
    for name in ("platforms", "data_plane", "maturity", "status", "offering", "smi", "diff"):
        for value in parameters[name]["enum"]:
            assert client.get(f"/api/meshes.json?{name}={value}").status_code == 200, value
    assert client.get("/api/meshes.json?maturity=nonsense").status_code == 400


@pytest.fixture
def live_api(live_server, live_data, settings):
    # As in production: pages cached (and compressed) until the data changes.
    settings.PAGE_CACHE = True
    cache.clear()
    caching.local_pages.pages.clear()
    caching.local_pages.size = 0
    return schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_live_api_keeps_to_its_description(live_api, mode):
    """Generated requests for every operation and documented parameter, valid ones and invalid
    ones: no 5xx, and status, content type, headers and body always as documented."""

    @given(case=live_api.as_strategy(generation_mode=mode))
    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(case):
        # The filters read yes/no words in any letter case, more than the enumeration lists, so
        # invalid data need not always be refused; everything else is checked.
        excluded = [negative_data_rejection] if mode == schemathesis.GenerationMode.NEGATIVE else []
        case.call_and_validate(excluded_checks=excluded)

    check()
