"""Strict JSON request bodies and the one error format of the JSON API.

Every JSON endpoint answers a request it cannot use with 400 and

    {"errors": {"<field>": [{"message": "...", "code": "..."}]}}

the shape of Django's form.errors.get_json_data(): one list of errors per request key or query
parameter, `body` for the request body as a whole. `code` is stable (clients may branch on it),
`message` is for people. ERRORS_SCHEMA describes it; core/openapi.py adds it to the document as
the component `ApiErrors`, which every endpoint's 400 (and 429) refers to.

read_json_object() reads a body and refuses, before anything else looks at it, what could make
the JSON parser slow or fail: too many bytes (by Content-Length and by what arrives; it never
reads more than max_bytes + 1), nesting deeper than max_depth (counted without recursing, before
json.loads, whose recursion would otherwise end in a RecursionError), integers with more digits
than any answer needs (int() of a 5,000-digit literal trips Python's int_max_str_digits guard),
and NaN/Infinity, which are not JSON.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.http import HttpRequest, JsonResponse, UnreadablePostError

# What an error list holds: {"<field>": [{"message": "...", "code": "..."}, ...]}.
FieldErrors = dict[str, list[dict[str, str]]]

BODY = "body"  # the field name of errors about the request body as a whole
MAX_INT_DIGITS = 15  # no key takes a number this long; int() of a long literal is quadratic
MAX_FLOAT_LENGTH = 32  # characters of a number with a fraction or exponent

# The characters that matter when counting the depth: brackets, and what starts or ends a string.
_STRUCTURE = re.compile(r'[\[\]{}"\\]')

ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["errors"],
    "description": "What is wrong with a request: per request key or query parameter (`body` "
    "for the body as a whole, `rate` for the rate limit), a list of errors.",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["message", "code"],
                    "properties": {
                        "message": {"type": "string", "description": "For people."},
                        "code": {
                            "type": "string",
                            "minLength": 1,
                            "description": "Stable, for programs, e.g. `invalid_choice`.",
                        },
                    },
                },
            },
        }
    },
}


def error(message: str, code: str) -> dict[str, str]:
    """One entry of a field's error list."""
    return {"message": message, "code": code}


def error_response(errors: FieldErrors, status: int = 400) -> JsonResponse:
    """The JSON answer for these errors (400 unless told otherwise)."""
    return JsonResponse({"errors": errors}, status=status)


class InvalidJsonBody(ValueError):
    """A request body read_json_object() refuses: one error for the field `body`."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code
        self.errors: FieldErrors = {BODY: [error(message, code)]}


class _NumberRefused(ValueError):
    pass


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _NumberRefused(f"Integers may have at most {MAX_INT_DIGITS} digits.")
    return int(literal)


def _parse_float(literal: str) -> float:
    value = float(literal) if len(literal) <= MAX_FLOAT_LENGTH else math.inf
    if not math.isfinite(value):
        raise _NumberRefused(f"Numbers may be at most {MAX_FLOAT_LENGTH} characters long.")
    return value


def _parse_constant(name: str) -> float:
    raise _NumberRefused(f"{name} is not a JSON number.")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text, brackets in strings not counted
    (a malformed text gives some number; json.loads refuses it afterwards). One pass, no
    recursion and no backtracking: linear in the length of the text."""
    depth = deepest = 0
    in_string = False
    skip_to = 0  # the character after a backslash inside a string is escaped
    for match in _STRUCTURE.finditer(text):
        position, char = match.start(), match.group()
        if position < skip_to:
            continue
        if in_string:
            if char == "\\":
                skip_to = position + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    return "null" if value is None else "a number"


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _read(request: HttpRequest, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes of the body (one more shows that there were too many)."""
    if hasattr(request, "_body"):  # already read, by a middleware or an earlier call
        return request.body[: max_bytes + 1]
    try:
        return request.read(max_bytes + 1)
    except UnreadablePostError:
        raise InvalidJsonBody("The body could not be read.", "invalid") from None


def read_json_object(request: HttpRequest, *, max_bytes: int, max_depth: int = 8) -> dict:
    """The request's body as a JSON object; InvalidJsonBody (code and message) when it is not one.

    Checked in this order (the first that applies answers): too_large, empty, content_type,
    invalid (not UTF-8), too_deep, number, invalid (not JSON), not_object. A body that is empty
    or too large is that whatever its type, so a request without a body reads "empty".
    """
    too_large = f"The body may have at most {max_bytes} bytes."
    declared = _content_length(request)
    if declared is not None and declared > max_bytes:
        raise InvalidJsonBody(too_large, "too_large")
    body = _read(request, max_bytes)
    if len(body) > max_bytes:
        raise InvalidJsonBody(too_large, "too_large")
    empty = InvalidJsonBody("The body is empty; send a JSON object, e.g. {}.", "empty")
    # A multipart body announced by its length but already consumed by Django's form parser
    # reads empty here: that is the wrong content type, not an empty body.
    if not body.strip() and not declared:
        raise empty
    content_type = request.content_type or ""
    charset = (request.content_params or {}).get("charset", "utf-8").lower()
    if content_type.lower() != "application/json" or charset not in ("utf-8", "utf8"):
        raise InvalidJsonBody(
            "The body must be JSON sent as Content-Type: application/json (UTF-8); "
            f"got {request.META.get('CONTENT_TYPE') or 'none'!r}.",
            "content_type",
        )
    if not body.strip():
        raise empty
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise InvalidJsonBody(f"Not valid UTF-8 (byte {problem.start}).", "invalid") from None
    if nesting_depth(text) > max_depth:
        raise InvalidJsonBody(
            f"Arrays and objects may be nested at most {max_depth} levels deep.", "too_deep"
        )
    try:
        data = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except _NumberRefused as problem:
        raise InvalidJsonBody(str(problem), "number") from None
    except json.JSONDecodeError as problem:
        raise InvalidJsonBody(f"Not valid JSON: {problem}.", "invalid") from None
    if not isinstance(data, dict):
        raise InvalidJsonBody(
            f"The body must be a JSON object; got {_json_kind(data)}.", "not_object"
        )
    return data
