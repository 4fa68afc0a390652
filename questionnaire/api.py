"""The decision as JSON: request keys -> stored answers (the wizard's schema) -> response.

The API translates its keys into the same stored answers the wizard writes, so both run through
answers.to_decision() and evaluation.evaluate(): the same answers always give the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.jsonapi import FieldErrors, error

from . import decision
from .answers import Stored, from_answers
from .evaluation import Evaluation

# Every request key and the value a missing key takes (documented in the README and OpenAPI):
# the answers' one vocabulary (decision.ANSWER_KEYS), plus "store" and "format".
DEFAULTS: dict[str, Any] = {**decision.ANSWER_DEFAULTS, "store": False, "format": "json"}
FORMATS = ("json", "madr")
CHOICE_KEYS: dict[str, tuple[str, ...]] = {**decision.CHOICES, "format": FORMATS}
BOOL_KEYS = (*decision.BOOLEANS, "store")
LIST_KEYS: dict[str, tuple[str, ...] | None] = {
    **decision.LIST_CHOICES,
    "must": None,  # feature slugs: checked against the catalogue
    "nice": None,
}
MAX_BODY = 16_384  # bytes; the longest sensible request is far below


class InvalidRequest(ValueError):
    """Errors per request key, in the API's one error format (core/jsonapi.py):
    {"<key>": [{"message": "...", "code": "..."}]}."""

    def __init__(self, errors: FieldErrors) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Options:
    """What the request asks of the answer, beside the answers themselves."""

    store: bool = False  # keep the result and answer with its permalink
    format: str = "json"  # "madr": also the decision record as Markdown


def parse(data: dict, feature_slugs: Iterable[str]) -> tuple[Stored, Options]:
    """Stored answers and the "store" flag from a request body already read as a JSON object
    (core.jsonapi.read_json_object, which also bounds its size); InvalidRequest per field."""
    features = tuple(feature_slugs)
    errors: FieldErrors = {}
    for key in sorted(set(data) - set(DEFAULTS)):
        errors[key] = [error(f"Unknown key; known keys: {', '.join(DEFAULTS)}.", "unknown_key")]
    values = {**DEFAULTS, **{k: v for k, v in data.items() if k in DEFAULTS}}
    for key, allowed in CHOICE_KEYS.items():
        if not isinstance(values[key], str) or values[key] not in allowed:
            message = f"Must be one of {', '.join(map(repr, allowed))}; got {values[key]!r}."
            errors[key] = [error(message, "invalid_choice")]
    for key in BOOL_KEYS:
        if not isinstance(values[key], bool):
            errors[key] = [error(f"Must be true or false; got {values[key]!r}.", "not_boolean")]
    for key, allowed_choices in LIST_KEYS.items():
        items = values[key]
        allowed = allowed_choices if allowed_choices is not None else features
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            errors[key] = [error("Must be a list of strings.", "not_list")]
            continue
        unknown = sorted(set(items) - set(allowed))
        if unknown:
            what = "feature slug(s)" if allowed_choices is None else "choice(s)"
            hint = "see /api/meshes.json" if allowed_choices is None else ", ".join(allowed)
            message = f"Unknown {what} {', '.join(map(repr, unknown))}; allowed: {hint}."
            errors[key] = [error(message, "unknown_item")]
    if isinstance(values["pods"], float) and values["pods"].is_integer():
        values["pods"] = int(values["pods"])  # JSON Schema's integer admits 2000.0
    if values["pods"] is not None and (
        isinstance(values["pods"], bool) or not isinstance(values["pods"], int)
    ):
        errors["pods"] = [error("Must be a whole number or null.", "not_integer")]
    if errors:
        raise InvalidRequest(errors)
    answers_values = {key: values[key] for key in decision.ANSWER_KEYS}
    for key in LIST_KEYS:
        answers_values[key] = frozenset(answers_values[key])
    try:
        answers = decision.Answers(**answers_values)
    except decision.InvalidAnswer as invalid:
        raise InvalidRequest({invalid.field: [error(invalid.message, "invalid")]}) from None
    except decision.ContradictoryAnswers as contradictory:
        for found in contradictory.contradictions:
            for key in found.fields:
                errors.setdefault(key, []).append(error(str(found.message), "contradiction"))
        raise InvalidRequest(errors) from None
    return from_answers(answers), Options(store=values["store"], format=values["format"])


def _reason(part: decision.ScorePart) -> dict[str, Any]:
    return {
        "text": part.reason,
        "points": part.points,
        "feature": part.feature or None,
        "level": part.level or None,
        "source": part.source or None,
    }


def _risk(risk: decision.Risk) -> dict[str, Any]:
    return {"kind": risk.kind, "text": risk.text, "source": risk.source or None}


def as_json(evaluation: Evaluation, data_version: str) -> dict[str, Any]:
    """The response body for one evaluation (the wizard's stored answers give the same)."""
    result = evaluation.result
    verdict = result.verdict
    cuts = result.complexity_cuts
    relax = result.relax
    return {
        "verdict": verdict.code,
        "headline": verdict.headline,
        "summary": result.summary,
        "reasons": [
            {"question": r.question, "answer": r.answer, "text": r.message} for r in verdict.reasons
        ],
        "in_favour": list(verdict.in_favour),
        "alternatives": [
            {"key": a.key, "title": a.title, "text": a.text, "url": a.url, "kind": a.kind}
            for a in result.alternatives
        ],
        "shortlist": [
            {
                "slug": r.mesh.slug,
                "name": r.mesh.name,
                "kind": r.mesh.kind,
                "family": r.mesh.family,
                "rank": r.rank,
                "score": r.score,
                "tied": r.tied,
                "reasons": [_reason(p) for p in r.reasons],
                "lacks": list(r.lacks),
                "caveats": list(r.caveats),
                "risks": [_risk(k) for k in r.risks],
            }
            for r in result.shortlist
        ],
        "unverified": [
            {
                "slug": u.mesh.slug,
                "name": u.mesh.name,
                "score_if_confirmed": u.score,
                "check": list(u.features),
            }
            for u in result.unverified
        ],
        "compare": [r.mesh.slug for r in result.compare_group],
        "compare_tied": [r.mesh.slug for r in result.compare_tied],
        "differences": [
            {
                "label": d.label,
                "values": [
                    {"slug": c.slug, "text": c.text, "source": c.source or None} for c in d.cells
                ],
            }
            for d in result.differences
        ],
        "excluded": [{"slug": e.mesh.slug, "reason": e.reason} for e in result.excluded],
        "relax": (
            {
                "answer": relax.key,
                "text": relax.label,
                "feature": relax.feature or None,
                "would_admit": list(relax.admits),
            }
            if relax
            else None
        ),
        "complexity_bands": (
            {
                "low_max_lines": cuts.low_max,
                "high_min_lines": cuts.high_min,
                "meshes": cuts.counted,
                "api": result.complexity_api or "own",
            }
            if cuts
            else None
        ),
        "next_steps": [str(step) for step in decision.NEXT_STEPS],
        "notices": list(result.notices),
        "data_version": data_version,
    }
