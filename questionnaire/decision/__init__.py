"""The questionnaire's decision: answers plus plain option data in, verdict and shortlist out.

Plain Python on purpose (no ORM, no HTTP; of Django only its translation functions), so every
rule can be unit-tested on small hand-made options and the views only turn forms and rows into
these dataclasses. Split by concern: inputs (answers and options, validated), candidates
(preconditions and must-haves), scoring (named weights in weights.py), explain (verdict,
alternatives, risks, what separates the top choices) and ranking (decide). Everything is
deterministic: the same input gives the same verdict, order and wording (in the active language).
"""

from .candidates import STAGE_WORDS, check_musts, display_order, precondition_reason
from .explain import (
    ALTERNATIVES,
    HEADLINES,
    LEVEL_WORDS,
    NEXT_STEPS,
    SMI_ARCHIVED_NOTICE,
    gate_reasons,
)
from .inputs import (
    ANSWER_DEFAULTS,
    ANSWER_KEYS,
    BOOLEANS,
    CHOICES,
    EXPERIENCES,
    GATE_FEATURE_LABELS,
    GATE_FEATURES,
    LANGUAGES,
    LIST_CHOICES,
    MAX_PODS,
    ORCHESTRATORS,
    Answers,
    Contradiction,
    ContradictoryAnswers,
    InvalidAnswer,
    MeshFacts,
    OverheadEstimate,
    contradictions,
    gate_must_haves,
)
from .ranking import decide, relaxation, relaxed_answers
from .results import (
    COMPARE_LIMIT,
    Alternative,
    ComplexityCuts,
    Difference,
    DifferenceCell,
    Excluded,
    Family,
    GateReason,
    Ranked,
    Relaxation,
    Result,
    Risk,
    ScorePart,
    Unverified,
    Verdict,
)
from .scoring import charged_lines, complexity_cuts
from .weights import WEIGHTS

__all__ = [
    "ALTERNATIVES",
    "ANSWER_DEFAULTS",
    "ANSWER_KEYS",
    "BOOLEANS",
    "CHOICES",
    "COMPARE_LIMIT",
    "EXPERIENCES",
    "GATE_FEATURES",
    "GATE_FEATURE_LABELS",
    "HEADLINES",
    "LANGUAGES",
    "LEVEL_WORDS",
    "LIST_CHOICES",
    "MAX_PODS",
    "NEXT_STEPS",
    "ORCHESTRATORS",
    "SMI_ARCHIVED_NOTICE",
    "STAGE_WORDS",
    "WEIGHTS",
    "Alternative",
    "Answers",
    "ComplexityCuts",
    "Contradiction",
    "ContradictoryAnswers",
    "Difference",
    "DifferenceCell",
    "Excluded",
    "Family",
    "GateReason",
    "InvalidAnswer",
    "MeshFacts",
    "OverheadEstimate",
    "Ranked",
    "Relaxation",
    "Result",
    "Risk",
    "ScorePart",
    "Unverified",
    "Verdict",
    "charged_lines",
    "check_musts",
    "complexity_cuts",
    "contradictions",
    "decide",
    "display_order",
    "gate_must_haves",
    "gate_reasons",
    "precondition_reason",
    "relaxation",
    "relaxed_answers",
]
