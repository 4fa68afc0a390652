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


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"services": "lots"}, "services"),
        ({"services": 3}, "services"),
        ({"communication": "sometimes"}, "communication"),
        ({"kubernetes": "yes"}, "kubernetes"),
        ({"needs": "mtls"}, "needs"),
        ({"needs": ["speed"]}, "needs"),
        ({"outside_kubernetes": ["mainframe"]}, "outside_kubernetes"),
        ({"cloud": "ibm"}, "cloud"),
        ({"experience": ["kong"]}, "experience"),
        ({"experience": [1]}, "experience"),
        ({"open_source_only": 1}, "open_source_only"),
        ({"support": "maybe"}, "support"),
        ({"must": ["no-such-feature"]}, "must"),
        ({"nice": [None]}, "nice"),
        ({"partial_ok": None}, "partial_ok"),
        ({"min_maturity": "discontinued"}, "min_maturity"),
        ({"complexity_tolerance": "none"}, "complexity_tolerance"),
        ({"store": "true"}, "store"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_input_is_400_with_an_error_for_that_field(client, db, body, field):
    response = post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {field}
    assert errors[field]


def test_every_bad_field_is_reported_at_once(client, db):
    errors = post(client, {"services": "x", "cloud": "y", "must": "z"}).json()["errors"]
    assert set(errors) == {"services", "cloud", "must"}


@pytest.mark.parametrize("body", [b"{", b"[]", b'"text"', b"\xff\xfe", b"null", b"1" * 20000])
def test_a_body_that_is_not_a_json_object_is_400(client, db, body):
    response = post(client, body)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"body"}


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

    with django_assert_num_queries(6):
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
    assert "rate" in limited.json()["errors"]
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
