"""Stored answers: versioned JSON in the one vocabulary of the answers (the keys and values of
POST /api/recommend), grouped by the questionnaire's steps.

A stored questionnaire keeps each step's answers under the step's name, with the schema version it
was written in. When the questions change, bump SCHEMA_VERSION and add an upgrade step below, so
old results are migrated on read instead of being lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import decision

SCHEMA_VERSION = 5
STEP_NAMES = ("gate", "environment", "features", "fit")
MUST, NICE, IGNORE = "must", "nice", "ignore"

Stored = dict[str, Any]


def _from_v1(stored: Mapping[str, Any]) -> Stored:
    # Schema 1 kept the steps under "0".."3" and a copy of the must-haves beside them.
    steps = stored["steps"]
    return {
        "schema": 2,
        "steps": {name: dict(steps[str(index)]) for index, name in enumerate(STEP_NAMES)},
    }


# Answers to the questions schema 3 added, for older results (and the API's missing keys).
FIT_DEFAULTS = {"open_source_only": "no", "cncf_graduated_only": "no", "support": "welcome"}


def _from_v2(stored: Mapping[str, Any]) -> Stored:
    # Schema 2 asked "only Kubernetes / also outside it" and "what does your team know" with
    # Kong and NGINX among the choices; its cloud "other" meant on-premises or another provider.
    steps = {name: dict(stored["steps"][name]) for name in STEP_NAMES}
    env = steps["environment"]
    beyond = env.pop("infrastructure") == "beyond_kubernetes"
    # The old wording named VMs first; they are what "also outside Kubernetes" mostly meant.
    env["outside_kubernetes"] = ["vms_on_prem"] if beyond else []
    env["cloud"] = "on_prem" if env["cloud"] == "other" else env["cloud"]
    known = env.pop("knowledge")
    env["experience"] = [key for key in decision.EXPERIENCES if key in known]
    steps["fit"] = {**FIT_DEFAULTS, **steps["fit"]}
    return {"schema": 3, "steps": steps}


def _from_v3(stored: Mapping[str, Any]) -> Stored:
    # Schema 4 asks whether the clusters run Red Hat OpenShift; before, nobody said so.
    steps = {name: dict(stored["steps"][name]) for name in STEP_NAMES}
    steps["environment"].setdefault("openshift", "no")
    return {"schema": 4, "steps": steps}


def _yes(value: object) -> bool:
    return value == "yes"


def _from_v4(stored: Mapping[str, Any]) -> Stored:
    # Schema 5 speaks the API's vocabulary: booleans for yes/no, "communication", "services",
    # "needs", must and nice lists instead of an importance map; it adds languages, pods and
    # experimental_ok.
    gate, env, feats, fit = (dict(stored["steps"][name]) for name in STEP_NAMES)
    importance: Mapping[str, str] = feats["importance"]
    steps = {
        "gate": {
            "services": gate["service_count"],
            "tech_diversity": gate["tech_diversity"],
            "communication": "sync" if _yes(gate["mostly_synchronous"]) else "async",
            "kubernetes": _yes(gate["uses_kubernetes"]),
            "change_frequency": gate["change_frequency"],
            "needs": sorted(gate["needed"]),
        },
        "environment": {
            "outside_kubernetes": sorted(env["outside_kubernetes"]),
            "cloud": env["cloud"],
            "openshift": _yes(env["openshift"]),
            "experience": sorted(env["experience"]),
            "languages": [],
            "standards": env["standards"],
        },
        "features": {
            "must": sorted(slug for slug, level in importance.items() if level == MUST),
            "nice": sorted(slug for slug, level in importance.items() if level == NICE),
            "partial_ok": bool(feats["allow_partial"]),
            "experimental_ok": False,
        },
        "fit": {
            "min_maturity": fit["min_maturity"],
            "complexity_tolerance": fit["complexity_tolerance"],
            "latency_sensitive": _yes(fit["latency_sensitive"]),
            "pods": None,
            "open_source_only": _yes(fit["open_source_only"]),
            "cncf_graduated_only": _yes(fit["cncf_graduated_only"]),
            "support": fit["support"],
        },
    }
    return {"schema": 5, "steps": steps}


# Upgrade functions by the schema they read; each returns the next schema.
UPGRADES: dict[int, Callable[[Mapping[str, Any]], Stored]] = {
    1: _from_v1,
    2: _from_v2,
    3: _from_v3,
    4: _from_v4,
}
# Which answers each step asks (API keys, in the order asked).
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "gate": (
        "services",
        "tech_diversity",
        "communication",
        "kubernetes",
        "change_frequency",
        "needs",
    ),
    "environment": (
        "outside_kubernetes",
        "cloud",
        "openshift",
        "experience",
        "languages",
        "standards",
    ),
    "features": ("must", "nice", "partial_ok", "experimental_ok"),
    "fit": (
        "min_maturity",
        "complexity_tolerance",
        "latency_sensitive",
        "pods",
        "open_source_only",
        "cncf_graduated_only",
        "support",
    ),
}
assert tuple(STEP_KEYS) == STEP_NAMES
assert sorted(k for keys in STEP_KEYS.values() for k in keys) == sorted(decision.ANSWER_KEYS)


def upgrade(stored: Mapping[str, Any]) -> Stored:
    """The stored answers in the current schema; ValueError if they cannot be read."""
    if not isinstance(stored, Mapping):
        raise ValueError("Stored answers must be a JSON object.")
    data: Stored = dict(stored)
    try:
        version = int(data.get("schema", 1))
        while version < SCHEMA_VERSION:
            data = UPGRADES[version](data)
            version = int(data["schema"])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"Stored answers cannot be read: {error!r}") from None
    if version != SCHEMA_VERSION or set(data.get("steps", {})) != set(STEP_NAMES):
        raise ValueError(f"Stored answers have schema {version} or lack steps.")
    return data


def build(steps: Mapping[str, Mapping[str, Any]]) -> Stored:
    """Answers for storage from the wizard's cleaned steps (in the current schema)."""
    return {
        "schema": SCHEMA_VERSION,
        "steps": {name: {key: steps[name][key] for key in STEP_KEYS[name]} for name in STEP_NAMES},
    }


def from_answers(answers: decision.Answers) -> Stored:
    """The stored form of validated answers (what the API keeps)."""
    values = answers.as_values()
    return build({name: values for name in STEP_NAMES})


def flat(stored: Stored) -> dict[str, Any]:
    """Every answer by API key."""
    return {key: value for name in STEP_NAMES for key, value in stored["steps"][name].items()}


def must_haves(stored: Stored) -> list[str]:
    return sorted(to_decision(stored).all_must)


def to_decision(stored: Stored) -> decision.Answers:
    """The decision's input; ValueError if the answers do not fit today's questions."""
    try:
        values = flat(stored)
        missing = sorted(set(decision.ANSWER_KEYS) - set(values))
        if missing:
            # A stored result must hold every answer: a default would change what was answered.
            raise ValueError(f"Stored answers lack {', '.join(missing)}.")
        for key, value in values.items():
            if isinstance(value, list):
                values[key] = frozenset(value)
        return decision.Answers(**values)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"Stored answers lack {error}.") from None


def gate_importance(gate: Mapping[str, Any]) -> dict[str, str]:
    """The features step's importance implied by the gate: the needed features are must-haves."""
    return {slug: MUST for slug in decision.gate_must_haves(gate.get("needs", []))}


def relaxed(stored: Stored, key: str, feature_names: Sequence[str] | Mapping[str, str]) -> Stored:
    """A copy with one answer relaxed (decision.relaxed_answers); ValueError if not on offer."""
    names = feature_names if isinstance(feature_names, Mapping) else {s: s for s in feature_names}
    return from_answers(decision.relaxed_answers(to_decision(stored), key, names))
