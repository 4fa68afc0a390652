"""No input gives a server error: random query strings and form data against every public view.

Runs on whichever database DATABASE_URL selects (CI runs it on SQLite and PostgreSQL). The number
of examples per test comes from FUZZ_EXAMPLES (default 500; seven tests, so thousands in all).
"""

import json
import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

GET_VIEWS = [
    "/",
    "/compare/",
    "/api/meshes.json",
    "/export/meshes.csv",
    "/meshes/linkerd/",
    "/changes/",
    "/changes/feed/",
    "/questionnaire/",
    "/healthz",
]
KNOWN_KEYS = [
    "q",
    "must",
    "partial",
    "platforms",
    "data_plane",
    "smi",
    "maturity",
    "status",
    "offering",
    "mesh",
    "diff",
    "step",
    "feature",
]
KNOWN_VALUES = [
    "linkerd",
    "istio-sidecar",
    "mtls-tcp",
    "true",
    "false",
    "all",
    "archived",
    "beyond_kubernetes",
    "full",
    "none",
    "2",
    "-1",
    "99999999999999999999",
]
# Any text, including NUL bytes, surrogate-free odd unicode and control characters.
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), text)
values = st.one_of(st.sampled_from(KNOWN_VALUES), text)
pairs = st.lists(st.tuples(keys, values), max_size=8)


def query_string(items: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in items)


@FUZZ
@given(path=st.sampled_from(GET_VIEWS), items=pairs)
def test_get_views_never_fail(client, db, path, items):
    response = client.get(f"{path}?{query_string(items)}")
    assert response.status_code < 500, (path, items)


@FUZZ
@given(items=pairs)
def test_api_always_answers_json(client, db, items):
    response = client.get(f"/api/meshes.json?{query_string(items)}")
    assert response.status_code in (200, 400)
    if response.headers["Content-Type"].startswith("application/json"):
        json.loads(response.content)
    else:
        assert response.status_code == 400  # the NUL-byte guard answers in plain text


@FUZZ
@given(raw=st.binary(max_size=60))
def test_raw_query_bytes_never_fail(client, db, raw):
    # Not even valid percent-encoding or UTF-8: straight bytes into the query string.
    response = client.get("/", QUERY_STRING=raw.decode("latin-1"))
    assert response.status_code < 500


@FUZZ
@given(step=st.one_of(st.sampled_from(["0", "1", "2", "3"]), text), items=pairs)
def test_questionnaire_steps_never_fail(client, db, step, items):
    data: dict[str, list[str]] = {"step": [step]}
    for key, value in items:
        data.setdefault(key, []).append(value)
    response = client.post("/questionnaire/step/", data)
    assert response.status_code < 500, data


@FUZZ
@given(feature=text)
def test_relax_never_fails(client, db, feature):
    from questionnaire.models import Questionnaire

    stored = Questionnaire.objects.create(
        answers={"steps": {}, "must": []}, data_fingerprint="x", verdict="consider"
    )
    response = client.post(f"{stored.get_absolute_url()}relax/", {"feature": feature})
    assert response.status_code < 500


@FUZZ
@given(items=pairs)
def test_questionnaire_reset_never_fails(client, db, items):
    response = client.post("/questionnaire/reset/", dict(items))
    assert response.status_code < 500


@FUZZ
@given(items=pairs)
def test_admin_login_never_fails(client, db, items):
    data = dict(items)
    response = client.post("/admin/login/", data)
    assert response.status_code < 500


@pytest.mark.parametrize("path", GET_VIEWS)
def test_fuzz_targets_exist(client, db, path):
    assert client.get(path).status_code == 200
