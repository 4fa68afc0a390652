"""Stored answers: versioned JSON, and the one translation from it to the decision's input.

A stored questionnaire keeps what each step's form cleaned, under the step's name, with the schema
version it was written in. When the questions change, bump SCHEMA_VERSION and add an upgrade step
below, so old results are migrated on read instead of being lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import decision

SCHEMA_VERSION = 4
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


# Upgrade functions by the schema they read; each returns the next schema.
UPGRADES: dict[int, Callable[[Mapping[str, Any]], Stored]] = {
    1: _from_v1,
    2: _from_v2,
    3: _from_v3,
}


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
    return {"schema": SCHEMA_VERSION, "steps": {name: dict(steps[name]) for name in STEP_NAMES}}


def must_haves(stored: Stored) -> list[str]:
    importance = stored["steps"]["features"]["importance"]
    return sorted(slug for slug, level in importance.items() if level == MUST)


def to_decision(stored: Stored) -> decision.Answers:
    """The decision module's input; ValueError if the answers do not fit today's questions."""
    try:
        steps = stored["steps"]
        gate, env, feats, fit = (steps[name] for name in STEP_NAMES)
        importance: Mapping[str, str] = feats["importance"]
        return decision.Answers(
            service_count=gate["service_count"],
            tech_diversity=gate["tech_diversity"],
            mostly_synchronous=gate["mostly_synchronous"] == "yes",
            uses_kubernetes=gate["uses_kubernetes"] == "yes",
            change_frequency=gate["change_frequency"],
            needed=frozenset(gate["needed"]),
            outside_kubernetes=frozenset(env["outside_kubernetes"]),
            cloud=env["cloud"],
            experience=frozenset(env["experience"]),
            standards=env["standards"],
            must=frozenset(slug for slug, level in importance.items() if level == MUST),
            nice=frozenset(slug for slug, level in importance.items() if level == NICE),
            allow_partial=feats["allow_partial"],
            min_maturity=fit["min_maturity"],
            complexity_tolerance=fit["complexity_tolerance"],
            latency_sensitive=fit["latency_sensitive"] == "yes",
            open_source_only=fit["open_source_only"] == "yes",
            cncf_graduated_only=fit["cncf_graduated_only"] == "yes",
            support=fit["support"],
            runs_openshift=env["openshift"] == "yes",
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"Stored answers lack {error}.") from None


def gate_importance(gate: Mapping[str, Any]) -> dict[str, str]:
    """The features step's importance implied by the gate: the needed features are must-haves."""
    return {slug: MUST for slug in decision.gate_must_haves(gate.get("needed", []))}


def relaxed(stored: Stored, slug: str) -> Stored:
    """A copy with one must-have turned into a nice-to-have (and no gate answer naming it)."""
    steps = stored["steps"]
    importance = steps["features"]["importance"]
    if importance.get(slug) != MUST:
        raise ValueError(f"{slug!r} is not a must-have of these answers.")
    gate = dict(steps["gate"])
    # The gate's features would turn it back into a must-have; drop the one that named it.
    gate["needed"] = [n for n in gate["needed"] if slug not in decision.GATE_FEATURES.get(n, ())]
    features = {**steps["features"], "importance": {**importance, slug: NICE}}
    return build({**steps, "gate": gate, "features": features})
