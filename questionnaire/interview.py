"""What step 3's answers so far already mean: how many options still fit the gate, the environment
and the must-haves named until now (the decision engine's own checks, with the fit step's
preconditions left open because it is not answered yet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from comparison.choices import Maturity

from . import decision
from .answers import STEP_KEYS
from .decision.candidates import check_musts, precondition_reason
from .decision.inputs import Names
from .evaluation import mesh_facts

# The earlier steps' answers the count reads (API keys).
EARLIER_KEYS = (*STEP_KEYS["gate"], *STEP_KEYS["environment"])


@dataclass(frozen=True)
class StillFit:
    fit: int  # every precondition and must-have met, on sourced data
    unverified: int  # nothing failed, but some must-have has no source yet


def earlier_answers(answered: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The gate's and the environment's answers, as one mapping by API key."""
    values: dict[str, Any] = {}
    for step in ("gate", "environment"):
        values.update(answered.get(step, {}))
    return {key: value for key, value in values.items() if key in EARLIER_KEYS}


def still_fit(
    earlier: Mapping[str, Any],
    must: Iterable[str],
    partial_ok: bool = False,
    experimental_ok: bool = False,
) -> StillFit | None:
    """How many options meet the earlier answers and these must-haves; None if the answers
    cannot be read (the count is then not shown)."""
    try:
        answers = decision.Answers(
            **{key: earlier[key] for key in EARLIER_KEYS if key in earlier},
            must=frozenset(must),
            partial_ok=partial_ok,
            experimental_ok=experimental_ok,
            # The fit step comes later: none of its preconditions applies yet.
            min_maturity=Maturity.VERY_NEW.value,
        )
    except (TypeError, ValueError):
        return None
    musts = sorted(answers.all_must)
    fit = unverified = 0
    for mesh in mesh_facts():
        if precondition_reason(answers, mesh):
            continue
        check = check_musts(answers, mesh, musts, Names())
        if check.failed:
            continue
        if check.unknown:
            unverified += 1
        else:
            fit += 1
    return StillFit(fit, unverified)
