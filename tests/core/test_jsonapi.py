"""core/jsonapi.py: a request body read strictly as one JSON object, each refusal with its code."""

import io
import json
import time

import pytest
from django.test import RequestFactory

from core.jsonapi import (
    BODY,
    ERRORS_SCHEMA,
    InvalidJsonBody,
    error,
    error_response,
    nesting_depth,
    read_json_object,
)

MAX = 16_384  # as POST /api/recommend's


def post(body: bytes, content_type: str = "application/json", **extra):
    return RequestFactory().generic("POST", "/api/x", body, content_type=content_type, **extra)


def refusal(request, **options) -> InvalidJsonBody:
    with pytest.raises(InvalidJsonBody) as caught:
        read_json_object(request, **{"max_bytes": MAX, **options})
    problem = caught.value
    assert problem.errors == {BODY: [{"message": str(problem), "code": problem.code}]}
    return problem


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_reads_a_json_object(content_type):
    body = b'{"a": [1, 2.5, -3, "x", {"b": null}], "c": true}'
    data = read_json_object(post(body, content_type), max_bytes=MAX)
    assert data == {"a": [1, 2.5, -3, "x", {"b": None}], "c": True}


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"{}", "text/plain", "content_type"),
        (b"a=1", "application/x-www-form-urlencoded", "content_type"),
        (b"{}", "application/json; charset=latin-1", "content_type"),
        (b"{}", "application/jsonx", "content_type"),
        (b"{}", "", "content_type"),
        (b"", "application/json", "empty"),
        (b"", "", "empty"),
        (b"", "text/plain", "empty"),
        (b"  \n ", "application/json", "empty"),
        (b"{", "application/json", "invalid"),
        (b"\xff\xfe{}", "application/json", "invalid"),
        (b'{"a": 1} x', "application/json", "invalid"),
        (b"[" * 1000 + b"]" * 1000, "application/json", "too_deep"),
        (b'{"a": ' + b"1" * 5000 + b"}", "application/json", "number"),
        (b'{"a": -' + b"1" * 16 + b"}", "application/json", "number"),
        (b'{"a": 1' + b"0" * 400 + b".5}", "application/json", "number"),
        (b'{"a": 1e999}', "application/json", "number"),
        (b'{"a": NaN}', "application/json", "number"),
        (b'{"a": [Infinity]}', "application/json", "number"),
        (b'{"a": -Infinity}', "application/json", "number"),
        (b"[]", "application/json", "not_object"),
        (b'"text"', "application/json", "not_object"),
        (b"null", "application/json", "not_object"),
        (b"12", "application/json", "not_object"),
    ],
)
def test_refusals_carry_a_code_and_a_message(body, content_type, code):
    problem = refusal(post(body, content_type))
    assert problem.code == code
    assert str(problem)


def test_fifteen_digits_are_a_number():
    assert read_json_object(post(b'{"a": -999999999999999}'), max_bytes=MAX) == {
        "a": -999_999_999_999_999
    }


def test_too_large_by_the_bytes_that_arrive():
    assert read_json_object(post(b'{"a": "' + b"x" * (MAX - 9) + b'"}'), max_bytes=MAX)
    request = post(b'{"a": "' + b"x" * MAX + b'"}')
    assert refusal(request).code == "too_large"


def test_too_large_by_content_length_reads_nothing():
    request = post(b"{}", CONTENT_LENGTH=str(5 * 1024 * 1024))
    assert refusal(request).code == "too_large"
    assert not request._read_started  # nothing of the body was read


def test_never_reads_more_than_one_byte_past_the_limit():
    # A stream holding more than its Content-Length said (Django's own stream stops at the
    # declared length; this is the check behind it).
    request = post(b"{}")
    request._stream = io.BytesIO(b"{" + b" " * (5 * 1024 * 1024) + b"}")
    assert refusal(request).code == "too_large"
    assert request._stream.tell() == MAX + 1


def test_nesting_is_counted_outside_strings():
    assert nesting_depth('{"a": "[[[[{{{{", "b": "\\"[[["}') == 1
    assert nesting_depth('[[], [[]], {"a": [{}]}]') == 4
    data = read_json_object(post(b'{"a": [[[[[[["x"]]]]]]]}'), max_bytes=MAX, max_depth=8)
    assert data["a"][0][0][0][0][0][0] == ["x"]
    assert refusal(post(b'{"a": [[[[[[[["x"]]]]]]]]}'), max_depth=8).code == "too_deep"


def test_nesting_check_is_linear_even_for_escapes():
    text = '"' + '\\"' * 500_000
    started = time.monotonic()
    assert nesting_depth(text) == 0
    assert time.monotonic() - started < 1


def test_a_body_read_before_is_used():
    request = post(b'{"a": 1}')
    assert request.body == b'{"a": 1}'
    assert read_json_object(request, max_bytes=MAX) == {"a": 1}


def test_error_response_is_the_shared_shape():
    response = error_response({"rate": [error("Slow down.", "rate_limited")]}, status=429)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "errors": {"rate": [{"message": "Slow down.", "code": "rate_limited"}]}
    }
    assert error_response({}).status_code == 400


def test_the_documented_schema_matches_a_refusal():
    from jsonschema import validate

    problem = refusal(post(b"[]"))
    validate({"errors": problem.errors}, ERRORS_SCHEMA)


def test_core_knows_no_app():
    import ast
    from pathlib import Path

    import core.jsonapi

    tree = ast.parse(Path(core.jsonapi.__file__).read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] in ("comparison", "questionnaire")}
