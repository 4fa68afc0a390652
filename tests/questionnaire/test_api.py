"""POST /api/recommend: defaults, errors per field, no CSRF, rate limit, storing on request."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

API = "/api/recommend"


def post(client, body, **extra):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(API, data, content_type="application/json", **extra)


def test_an_empty_body_takes_the_documented_defaults(client, db):
    from questionnaire.api import DEFAULTS

    response = post(client, {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    result = response.json()
    assert result == post(client, {k: v for k, v in DEFAULTS.items()}).json()
    assert result["verdict"] == "worth_it"
    assert set(result) >= {"verdict", "reasons", "alternatives", "shortlist", "excluded"}
    assert result["data_version"]
    first = result["shortlist"][0]
    assert set(first) >= {"slug", "rank", "score", "tied", "reasons", "caveats"}
    assert "permalink" not in result


def test_reasons_name_the_feature_level_and_source(client, db):
    from comparison.models import Support

    result = post(client, {"must": ["tracing"], "nice": ["fault-injection"]}).json()
    for entry in result["shortlist"]:
        reasons = {r["feature"]: r for r in entry["reasons"] if r["feature"]}
        cell = Support.objects.get(mesh__slug=entry["slug"], feature__slug="tracing")
        assert reasons["tracing"]["level"] == cell.level
        assert reasons["tracing"]["source"] == cell.source
        assert reasons["tracing"]["text"].startswith(f"{cell.feature.name} (must-have)")


def test_ties_share_a_rank_and_compare_takes_the_tied_group(client, db):
    result = post(client, {"cloud": "on_prem", "support": "not_wanted"}).json()
    ranks = [(e["rank"], e["score"], e["tied"]) for e in result["shortlist"]]
    for (rank, score, tied), (next_rank, next_score, _) in itertools.pairwise(ranks):
        assert (rank == next_rank) == (score == next_score)
        if score == next_score:
            assert tied
    assert 2 <= len(result["compare"]) <= 4


def error_codes(response) -> dict[str, list[str]]:
    """The codes per field of a 400/429 answer, after checking it has the one error format."""
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}
    codes = {}
    for field, errors in body["errors"].items():
        assert errors and all(set(e) == {"message", "code"} for e in errors), errors
        assert all(isinstance(e["message"], str) and e["message"] for e in errors)
        codes[field] = [e["code"] for e in errors]
    return codes


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"services": "lots"}, "services", "invalid_choice"),
        ({"services": 3}, "services", "invalid_choice"),
        ({"communication": "sometimes"}, "communication", "invalid_choice"),
        ({"kubernetes": "yes"}, "kubernetes", "not_boolean"),
        ({"needs": "mtls"}, "needs", "not_list"),
        ({"needs": ["speed"]}, "needs", "unknown_item"),
        ({"outside_kubernetes": ["mainframe"]}, "outside_kubernetes", "unknown_item"),
        ({"cloud": "ibm"}, "cloud", "invalid_choice"),
        ({"experience": ["kong"]}, "experience", "unknown_item"),
        ({"experience": [1]}, "experience", "not_list"),
        ({"open_source_only": 1}, "open_source_only", "not_boolean"),
        ({"support": "maybe"}, "support", "invalid_choice"),
        ({"must": ["no-such-feature"]}, "must", "unknown_item"),
        ({"nice": [None]}, "nice", "not_list"),
        ({"partial_ok": None}, "partial_ok", "not_boolean"),
        ({"min_maturity": "discontinued"}, "min_maturity", "invalid_choice"),
        ({"complexity_tolerance": "none"}, "complexity_tolerance", "invalid_choice"),
        ({"store": "true"}, "store", "not_boolean"),
        ({"colour": "blue"}, "colour", "unknown_key"),
    ],
)
def test_bad_input_is_400_with_an_error_for_that_field(client, db, body, field, code):
    response = post(client, body)
    assert response.status_code == 400
    assert error_codes(response) == {field: [code]}


def test_every_bad_field_is_reported_at_once(client, db):
    response = post(client, {"services": "x", "cloud": "y", "must": "z"})
    assert error_codes(response) == {
        "services": ["invalid_choice"],
        "cloud": ["invalid_choice"],
        "must": ["not_list"],
    }


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"", "application/json", "empty"),
        (b'{"services": "few"}', "text/plain", "content_type"),
        (b"services=few", "application/x-www-form-urlencoded", "content_type"),
        (b'{"services": "' + b"x" * 5 * 1024 * 1024 + b'"}', "application/json", "too_large"),
        (b"1" * 20000, "application/json", "too_large"),
        (b"{", "application/json", "invalid"),
        (b"\xff\xfe", "application/json", "invalid"),
        (b'{"must": ' + b"[" * 1000 + b"]" * 1000 + b"}", "application/json", "too_deep"),
        (b'{"services": ' + b"9" * 5000 + b"}", "application/json", "number"),
        (b'{"services": NaN}', "application/json", "number"),
        (b"[]", "application/json", "not_object"),
        (b'"text"', "application/json", "not_object"),
        (b"null", "application/json", "not_object"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(client, db, body, content_type, code):
    response = client.post(API, body, content_type=content_type)
    assert response.status_code == 400
    assert error_codes(response) == {"body": [code]}


def test_errors_are_documented_by_the_shared_schema(client, db):
    from jsonschema import validate

    from core.openapi import build_document

    document = build_document()
    answers = document["paths"]["/api/recommend"]["post"]["responses"]
    schema = {**answers["400"]["content"]["application/json"]["schema"], **document}
    for body in (b"", b"[]", b'{"cloud": "ibm", "colour": 1}'):
        validate(client.post(API, body, content_type="application/json").json(), schema)
    shared = document["paths"]["/api/meshes.json"]["get"]["responses"]["400"]["content"]
    assert (
        shared["application/json"]["schema"]
        == answers["400"]["content"]["application/json"]["schema"]
    )


def test_only_post(client, db):
    assert client.get(API).status_code == 405


def test_needs_no_csrf_token_and_sets_no_cookie(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = post(client, {"services": "few"})
    assert response.status_code == 200
    assert not response.cookies


def test_stores_nothing_unless_asked(client, db, django_assert_num_queries):
    from questionnaire.models import Questionnaire

    # Features, options with upstreams and release lines, cells, overhead figures; the data
    # version reads options, cells and figures; the rate limit's cache is local memory here.
    with django_assert_num_queries(9):
        post(client, {"needs": ["mtls"]})
    assert Questionnaire.objects.count() == 0
    result = post(client, {"needs": ["mtls"], "store": True}).json()
    stored = Questionnaire.objects.get()
    assert result["permalink"] == f"http://testserver{stored.get_absolute_url()}"
    page = client.get(stored.get_absolute_url())
    assert page.status_code == 200
    assert [r.mesh.slug for r in page.context["result"].shortlist] == [
        e["slug"] for e in result["shortlist"]
    ]


def test_rate_limited_per_address(client, db, settings):
    settings.RECOMMEND_RATE = "2/m"
    assert post(client, {}).status_code == 200
    assert post(client, {}).status_code == 200
    limited = post(client, {})
    assert limited.status_code == 429
    assert error_codes(limited) == {"rate": ["rate_limited"]}
    # Another address has its own allowance.
    assert post(client, {}, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_german_texts_under_de(client, db):
    result = client.post(
        "/de" + API, json.dumps({"services": "few"}), content_type="application/json"
    ).json()
    english = post(client, {"services": "few"}).json()
    assert result["verdict"] == english["verdict"]
    assert [e["slug"] for e in result["shortlist"]] == [e["slug"] for e in english["shortlist"]]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
KEYS = st.sampled_from(
    ["services", "kubernetes", "needs", "must", "cloud", "experience", "support", "partial_ok"]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(KEYS, JSON_VALUES, max_size=4))
def test_never_a_server_error(client, db, settings, body):
    settings.RECOMMEND_RATE = "10000/m"
    assert post(client, body).status_code in (200, 400)


def test_a_form_or_multipart_body_is_the_wrong_content_type(client, db):
    # Django's form parser reads a multipart stream before the view: the body then reads empty,
    # which must not be mistaken for an empty request.
    for response in (
        client.post("/api/recommend", {"services": "few"}),  # multipart/form-data
        client.post(
            "/api/recommend", "services=few", content_type="application/x-www-form-urlencoded"
        ),
    ):
        assert response.status_code == 400
        assert response.json()["errors"]["body"][0]["code"] == "content_type"


def test_storing_through_the_api_counts_against_the_hourly_limit(client, db, settings):
    from django.core.cache import cache

    cache.clear()
    settings.QUESTIONNAIRE_RESULTS_PER_HOUR = 1
    first = post(client, {"needs": ["mtls"], "store": True})
    assert first.status_code == 200
    refused = post(client, {"needs": ["tracing"], "store": True})
    assert refused.status_code == 429
    assert refused.json()["errors"]["store"][0]["code"] == "results_limited"
    # Answers already stored are not a new result; not storing is never limited.
    assert post(client, {"needs": ["mtls"], "store": True}).json()["permalink"]
    assert post(client, {"needs": ["tracing"]}).status_code == 200


def test_questionnaire_warns_about_smi(client, db):
    answers = {"services": "many", "standards": "smi"}
    response = client.post("/api/recommend", json.dumps(answers), content_type="application/json")
    assert response.status_code == 200, response.content
    assert any("archived" in notice for notice in response.json()["notices"])
    response = client.post(
        "/api/recommend",
        json.dumps({**answers, "standards": "gateway_api"}),
        content_type="application/json",
    )
    assert response.json()["notices"] == []
