"""No input gives a server error: every route of the URL conf, fuzzed.

The routes come from the URL conf itself (tests/conftest.py: all_url_patterns), so a new view is
fuzzed without a new test. Each request picks a route, then either a path to a real object or a
random path matching the route's regex, a method (GET, HEAD, POST, OPTIONS), a query string (odd
unicode, NUL bytes, invalid percent-encodings, huge and repeated parameters) and, for POST, a body
in an odd content type or charset. Anonymous visitors and a superuser both take part.

Runs on whichever database DATABASE_URL selects (CI runs it on SQLite and PostgreSQL). The number
of examples scales with FUZZ_EXAMPLES (default 500 for the main test); the whole module stays
around a minute.
"""

import json
import os
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))


def fuzz(share: float):
    return settings(
        max_examples=max(10, int(EXAMPLES * share)),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        database=None,
    )


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
    "o",
    "p",
    "_changelist_filters",
    "verified",
    "level__exact",
    "next",
    "csrfmiddlewaretoken",
]
KNOWN_VALUES = [
    "linkerd",
    "istio-sidecar",
    "mtls-tcp",
    "true",
    "all",
    "archived",
    "beyond_kubernetes",
    "2",
    "-1",
    "²",
    "1" * 5000,
    "99999999999999999999",
    "stale",
    "%",
    "%zz",
    "%C0%AF",
    "\x00",
]
# Any text, including NUL bytes, surrogate-free odd unicode and control characters.
path_characters = st.characters(exclude_categories=["Cs"])
text = st.text(path_characters, max_size=40)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), text)
values = st.one_of(st.sampled_from(KNOWN_VALUES), text)
pairs = st.lists(st.tuples(keys, values), max_size=8)
METHODS = ["GET", "HEAD", "POST", "OPTIONS"]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/x-www-form-urlencoded; charset=utf-32",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "application/json",
    "text/plain; charset=cp500",
    "",
]


def encoded(items: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in items)


@st.composite
def query_strings(draw) -> str:
    """Well-formed pairs, raw undecodable bytes and invalid escapes, or huge/repeated ones."""
    kind = draw(st.sampled_from(["pairs", "raw", "huge", "repeated"]))
    if kind == "pairs":
        return encoded(draw(pairs))
    if kind == "raw":
        return draw(st.binary(max_size=60)).decode("latin-1")
    if kind == "huge":
        return encoded([(draw(st.sampled_from(KNOWN_KEYS)), "x" * 200_000)])
    return encoded([(draw(st.sampled_from(KNOWN_KEYS)), draw(values))] * 1500)


@st.composite
def bodies(draw) -> tuple[bytes, str]:
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    kind = draw(st.sampled_from(["form", "raw", "utf16", "repeated"]))
    if kind == "form":
        body = encoded(draw(pairs)).encode()
    elif kind == "utf16":
        body = encoded(draw(pairs)).encode("utf-16")
    elif kind == "repeated":
        body = ("step=1&" * 1500).encode()
    else:
        body = draw(st.binary(max_size=200))
    return body, content_type


@st.composite
def paths(draw, patterns) -> str:
    """A path to a real object for a route, or a random path its regex accepts."""
    pattern = draw(st.sampled_from(patterns))
    if draw(st.booleans()):
        path = pattern.sample
    else:
        generated = draw(st.from_regex(pattern.regex, fullmatch=True, alphabet=path_characters))
        path = "/" + generated
    if not pattern.is_admin and draw(st.booleans()):
        path = "/de" + path
    return quote(path, safe="/%")


def send(client, method: str, path: str, query: str, body: bytes, content_type: str):
    extra = {"QUERY_STRING": query}
    if method == "POST":
        return client.generic("POST", path, body, content_type=content_type, **extra)
    return client.generic(method, path, **extra)


def _request(client, fuzz_tally, data, patterns) -> None:
    path = data.draw(paths(patterns))
    method = data.draw(st.sampled_from(METHODS))
    query = data.draw(query_strings())
    body, content_type = data.draw(bodies()) if method == "POST" else (b"", "")
    response = send(client, method, path, query, body, content_type)
    fuzz_tally.count(response)
    assert response.status_code < 500, (method, path, query[:200], content_type, body[:200])
    if method == "HEAD":
        assert response.content == b""


@fuzz(1.0)
@given(data=st.data())
def test_every_route_anonymously(client, fuzz_tally, url_patterns, data):
    _request(client, fuzz_tally, data, url_patterns)


@fuzz(0.4)
@given(data=st.data())
def test_every_route_as_a_superuser(client, superuser, fuzz_tally, url_patterns, data):
    client.force_login(superuser)
    _request(client, fuzz_tally, data, url_patterns)


@fuzz(0.25)
@given(step=st.one_of(st.sampled_from(["0", "1", "2", "3", "²", "1" * 5000]), text), items=pairs)
def test_questionnaire_steps_never_fail(client, db, fuzz_tally, step, items):
    data: dict[str, list[str]] = {"step": [step]}
    for key, value in items:
        data.setdefault(key, []).append(value)
    response = client.post("/questionnaire/step/", data)
    fuzz_tally.count(response)
    assert response.status_code < 500, data


@fuzz(0.25)
@given(items=pairs)
def test_api_always_answers_json(client, db, fuzz_tally, items):
    response = client.get(f"/api/meshes.json?{encoded(items)}")
    fuzz_tally.count(response)
    assert response.status_code in (200, 400)
    if response.headers["Content-Type"].startswith("application/json"):
        json.loads(response.content)
    else:
        assert response.status_code == 400  # the NUL-byte guard answers in plain text


@fuzz(0.25)
@given(feature=text)
def test_relax_never_fails(client, db, fuzz_tally, url_samples, feature):
    url = f"/questionnaire/result/{url_samples['public_id']}/relax/"
    response = client.post(url, {"feature": feature})
    fuzz_tally.count(response)
    assert response.status_code < 500


def test_every_route_is_fuzzed(url_patterns):
    """The fuzzed routes are the URL conf's: public pages, the questionnaire and the admin."""
    names = {pattern.name for pattern in url_patterns}
    assert {"matrix", "mesh-detail", "changes-feed", "healthz", "step", "relax"} <= names
    assert "comparison_mesh_simple_history" in names
    assert len(url_patterns) > 80


def test_samples_reach_real_objects(client, url_patterns):
    """The sample paths name real rows, so fuzzing reaches the views, not only their 404s."""
    public = [p for p in url_patterns if not p.is_admin and "<" not in p.sample]
    for pattern in public:
        response = client.get(pattern.sample)
        assert response.status_code in (200, 405), pattern
