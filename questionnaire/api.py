"""The decision as JSON: request keys -> stored answers (the wizard's schema) -> response.

The API translates its keys into the same stored answers the wizard writes, so both run through
answers.to_decision() and evaluation.evaluate(): the same answers always give the same result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from . import decision
from .answers import IGNORE, MUST, NICE, SCHEMA_VERSION, STEP_NAMES, Stored
from .evaluation import Evaluation

# Every request key and the value a missing key takes (documented in the README).
DEFAULTS: dict[str, Any] = {
    "services": "many",
    "tech_diversity": "high",
    "communication": "sync",
    "kubernetes": True,
    "change_frequency": "often",
    "needs": [],
    "outside_kubernetes": [],
    "cloud": "on_prem",
    "experience": [],
    "standards": "none",
    "must": [],
    "nice": [],
    "partial_ok": False,
    "min_maturity": "followers",
    "complexity_tolerance": "medium",
    "latency_sensitive": False,
    "open_source_only": False,
    "cncf_graduated_only": False,
    "openshift": False,
    "support": "welcome",
    "store": False,
}
CHOICE_KEYS: dict[str, tuple[str, ...]] = {
    "services": decision.CHOICES["service_count"],
    "tech_diversity": decision.CHOICES["tech_diversity"],
    "communication": ("sync", "async"),
    "change_frequency": decision.CHOICES["change_frequency"],
    "cloud": decision.CHOICES["cloud"],
    "standards": decision.CHOICES["standards"],
    "min_maturity": decision.CHOICES["min_maturity"],
    "complexity_tolerance": decision.CHOICES["complexity_tolerance"],
    "support": decision.CHOICES["support"],
}
BOOL_KEYS = (
    "kubernetes",
    "partial_ok",
    "latency_sensitive",
    "open_source_only",
    "cncf_graduated_only",
    "openshift",
    "store",
)
LIST_KEYS: dict[str, tuple[str, ...] | None] = {
    "needs": tuple(decision.GATE_FEATURES),
    "outside_kubernetes": decision.ORCHESTRATORS,
    "experience": decision.EXPERIENCES,
    "must": None,  # feature slugs: checked against the catalogue
    "nice": None,
}
MAX_BODY = 16_384  # bytes; the longest sensible request is far below


class InvalidRequest(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def parse(body: bytes, feature_slugs: Iterable[str]) -> tuple[Stored, bool]:
    """Stored answers and the "store" flag from a request body; InvalidRequest per field."""
    if len(body) > MAX_BODY:
        raise InvalidRequest({"body": f"The body may have at most {MAX_BODY} bytes."})
    try:
        data = json.loads(body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidRequest({"body": f"Not valid JSON: {error}"}) from None
    if not isinstance(data, dict):
        raise InvalidRequest({"body": "The body must be a JSON object of answers."})
    features = tuple(feature_slugs)
    errors: dict[str, str] = {}
    for key in sorted(set(data) - set(DEFAULTS)):
        errors[key] = f"Unknown key; known keys: {', '.join(DEFAULTS)}."
    values = {**DEFAULTS, **{k: v for k, v in data.items() if k in DEFAULTS}}
    for key, allowed in CHOICE_KEYS.items():
        if not isinstance(values[key], str) or values[key] not in allowed:
            errors[key] = f"Must be one of {', '.join(map(repr, allowed))}; got {values[key]!r}."
    for key in BOOL_KEYS:
        if not isinstance(values[key], bool):
            errors[key] = f"Must be true or false; got {values[key]!r}."
    for key, allowed_choices in LIST_KEYS.items():
        items = values[key]
        allowed = allowed_choices if allowed_choices is not None else features
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            errors[key] = "Must be a list of strings."
            continue
        unknown = sorted(set(items) - set(allowed))
        if unknown:
            what = "feature slug(s)" if allowed_choices is None else "choice(s)"
            hint = "see /api/meshes.json" if allowed_choices is None else ", ".join(allowed)
            errors[key] = f"Unknown {what} {', '.join(map(repr, unknown))}; allowed: {hint}."
    if errors:
        raise InvalidRequest(errors)
    return _stored(values, features), values["store"]


def _stored(values: Mapping[str, Any], features: Iterable[str]) -> Stored:
    # The gate's needed features are must-haves, as the wizard makes them.
    musts = set(values["must"]) | decision.gate_must_haves(values["needs"])
    nices = set(values["nice"]) - musts
    importance = {
        slug: MUST if slug in musts else NICE if slug in nices else IGNORE for slug in features
    }
    steps = {
        "gate": {
            "service_count": values["services"],
            "tech_diversity": values["tech_diversity"],
            "mostly_synchronous": _yes_no(values["communication"] == "sync"),
            "uses_kubernetes": _yes_no(values["kubernetes"]),
            "change_frequency": values["change_frequency"],
            "needed": sorted(values["needs"]),
        },
        "environment": {
            "outside_kubernetes": sorted(values["outside_kubernetes"]),
            "cloud": values["cloud"],
            "openshift": _yes_no(values["openshift"]),
            "experience": sorted(values["experience"]),
            "standards": values["standards"],
        },
        "features": {"importance": importance, "allow_partial": values["partial_ok"]},
        "fit": {
            "min_maturity": values["min_maturity"],
            "complexity_tolerance": values["complexity_tolerance"],
            "latency_sensitive": _yes_no(values["latency_sensitive"]),
            "open_source_only": _yes_no(values["open_source_only"]),
            "cncf_graduated_only": _yes_no(values["cncf_graduated_only"]),
            "support": values["support"],
        },
    }
    assert tuple(steps) == STEP_NAMES
    return {"schema": SCHEMA_VERSION, "steps": steps}


def _reason(part: decision.ScorePart) -> dict[str, Any]:
    return {
        "text": part.reason,
        "points": part.points,
        "feature": part.feature or None,
        "level": part.level or None,
        "source": part.source or None,
    }


def as_json(evaluation: Evaluation, data_version: str) -> dict[str, Any]:
    """The response body for one evaluation (the wizard's stored answers give the same)."""
    result = evaluation.result
    verdict = result.verdict
    cuts = result.complexity_cuts
    return {
        "verdict": verdict.code,
        "headline": verdict.headline,
        "reasons": [
            {"question": r.question, "answer": r.answer, "text": r.message} for r in verdict.reasons
        ],
        "in_favour": list(verdict.in_favour),
        "alternatives": [
            {"key": a.key, "title": a.title, "text": a.text, "url": a.url}
            for a in verdict.alternatives
        ],
        "shortlist": [
            {
                "slug": r.mesh.slug,
                "name": r.mesh.name,
                "rank": r.rank,
                "score": r.score,
                "tied": r.tied,
                "reasons": [_reason(p) for p in r.reasons],
                "lacks": list(r.lacks),
                "caveats": list(r.caveats),
            }
            for r in result.shortlist
        ],
        "compare": [r.mesh.slug for r in result.compare_group],
        "excluded": [{"slug": e.mesh.slug, "reason": e.reason} for e in result.excluded],
        "complexity_bands": (
            {"low_max_lines": cuts.low_max, "high_min_lines": cuts.high_min, "meshes": cuts.counted}
            if cuts
            else None
        ),
        "notices": list(result.notices),
        "data_version": data_version,
    }
