"""The questionnaire's state, in one place: its steps, their forms, what is answered, what's next.

The state lives in the session under one key: per step, the raw input (so going back and forth
loses nothing, even invalid input) and the cleaned answers. Views ask the wizard; nothing else
reads or writes that session key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import decision
from .answers import STEP_KEYS, STEP_NAMES, Stored, build, gate_importance
from .forms import EnvironmentForm, FeaturesForm, FitForm, GateForm
from .interview import earlier_answers

SESSION_KEY = "questionnaire"
Raw = dict[str, list[str]]


@dataclass(frozen=True)
class Step:
    name: str
    title: str | Promise
    form_class: type[forms.Form]


STEPS: tuple[Step, ...] = (
    Step("gate", _("Is a mesh sensible?"), GateForm),
    Step("environment", _("Environment"), EnvironmentForm),
    Step("features", _("Features"), FeaturesForm),
    Step("fit", _("Subjective fit"), FitForm),
)
assert tuple(step.name for step in STEPS) == STEP_NAMES
LAST_STEP = len(STEPS) - 1


def parse_step(value: str | None) -> int | None:
    """A step number from the query or form; None unless it is one of 0..LAST_STEP exactly."""
    if value is None or len(value) != 1 or value not in "0123456789"[: LAST_STEP + 1]:
        return None
    return int(value)


class Wizard:
    """The questionnaire as one visitor has answered it so far."""

    def __init__(self, session: SessionBase) -> None:
        self.session = session
        state = session.get(SESSION_KEY)
        if not isinstance(state, dict) or set(state) != {"raw", "answered"}:
            state = {"raw": {}, "answered": {}}
        self.raw: dict[str, Raw] = state["raw"]
        self.answered: dict[str, dict[str, Any]] = state["answered"]

    # --- reading ------------------------------------------------------------------------------

    def is_answered(self, step: int) -> bool:
        return STEPS[step].name in self.answered

    def first_open_step(self) -> int | None:
        return next((i for i in range(len(STEPS)) if not self.is_answered(i)), None)

    def reachable(self, step: int) -> int:
        """The step to show for a request of `step`: never one whose predecessors are open."""
        open_step = self.first_open_step()
        return step if open_step is None else min(step, open_step)

    def form(self, step: int, data: Mapping[str, Any] | None = None) -> forms.Form:
        form_class = STEPS[step].form_class
        kwargs: dict[str, Any] = {}
        if form_class is FeaturesForm:
            # Step 3's questions adapt to what the gate and the environment said.
            kwargs["earlier"] = self.earlier()
        if data is not None:
            return form_class(data, **kwargs)
        return form_class(initial=self._initial(step), **kwargs)

    def earlier(self) -> dict[str, Any]:
        """The gate's and the environment's accepted answers, by API key."""
        return earlier_answers(self.answered)

    def _initial(self, step: int) -> dict[str, Any]:
        name = STEPS[step].name
        raw = self.raw.get(name)
        if raw is None:
            if name == "features":
                # Never visited: the features named at the gate arrive as must-haves.
                gate = self.answered.get("gate", {})
                return FeaturesForm.initial_from({"importance": gate_importance(gate)})
            return {}
        fields = STEPS[step].form_class.base_fields
        multiple = {n for n, f in fields.items() if isinstance(f, forms.MultipleChoiceField)}
        # Feature fields are added per instance, so only the class's own fields are checked here.
        return {
            key: values if key in multiple else values[-1]
            for key, values in raw.items()
            if values and (key in fields or key.startswith("f_"))
        }

    def stored_answers(self) -> Stored:
        """The complete answers in the storage schema; only when every step is answered."""
        if self.first_open_step() is not None:
            raise ValueError("The questionnaire is not complete.")
        return build(self.answered)

    # --- writing ------------------------------------------------------------------------------

    def submit(self, step: int, form: forms.Form, data: Mapping[str, Any]) -> bool:
        """Record a step's input (valid or not); True when its answers were accepted."""
        name = STEPS[step].name
        self.raw[name] = {key: list(data.getlist(key)) for key in form.fields}  # type: ignore[attr-defined]
        valid = form.is_valid() and self._consistent(name, form)
        if valid:
            cleaned = form.for_storage() if isinstance(form, FeaturesForm) else form.cleaned_data
            # Lists sorted, as the API stores them: the same answers are the same stored JSON.
            self.answered[name] = {
                key: sorted(value) if isinstance(value, list) else value
                for key, value in cleaned.items()
            }
            if name == "gate":
                # The gate's needed features become must-haves, whatever step 2 said before.
                features = self.raw.setdefault("features", {})
                for slug, level in gate_importance(self.answered["gate"]).items():
                    features[f"f_{slug}"] = [level]
        self._save()
        return valid

    def _consistent(self, name: str, form: forms.Form) -> bool:
        """No contradiction between this step's answers and the other steps' (the same check as
        the API's); each one is shown on this step's field it concerns."""
        values: dict[str, Any] = {}
        for other, answers in self.answered.items():
            if other != name:
                values.update(answers)
        values.update(form.for_storage() if isinstance(form, FeaturesForm) else form.cleaned_data)
        found = decision.contradictions(values)
        for contradiction in found:
            fields = [f for f in contradiction.fields if f in form.fields]
            form.add_error(fields[0] if fields else None, str(contradiction.message))
        return not found

    def load(self, stored: Stored) -> None:
        """Pre-fill every step from stored answers ("change your answers" from a permalink)."""
        self.answered = {name: dict(stored["steps"][name]) for name in STEP_NAMES}
        self.raw = {}
        for step in STEPS:
            answers = self.answered[step.name]
            initial = FeaturesForm.initial_from(answers) if step.name == "features" else answers
            fields = step.form_class.base_fields
            raw: Raw = {}
            for key, value in initial.items():
                field = fields.get(key)
                if value is None:
                    raw[key] = []
                elif isinstance(value, list):
                    raw[key] = [str(v) for v in value]
                elif isinstance(value, bool) and isinstance(field, forms.TypedChoiceField):
                    raw[key] = ["yes" if value else "no"]
                elif isinstance(value, bool):
                    raw[key] = ["on"] if value else []
                else:
                    raw[key] = [str(value)]
            self.raw[step.name] = raw
        self._save()

    def reset(self) -> None:
        self.session.pop(SESSION_KEY, None)
        self.raw, self.answered = {}, {}

    def _save(self) -> None:
        self.session[SESSION_KEY] = {"raw": self.raw, "answered": self.answered}


def _display(field: forms.Field, value: Any) -> str:
    choices = dict(getattr(field, "choices", ()))
    if value is None:
        return str(_("Not said"))
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value) or str(_("None of these"))
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    return str(choices.get(value, value))


def answer_steps(
    stored: Stored, feature_names: Mapping[str, str]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every answer of every step as (question, answer) texts, for the result page."""
    steps: list[tuple[str, list[tuple[str, str]]]] = []
    for step in STEPS:
        answers = stored["steps"][step.name]
        lines: list[tuple[str, str]] = []
        if step.form_class is FeaturesForm:
            for key, label in (("must", _("Must-haves")), ("nice", _("Nice-to-haves"))):
                chosen = set(answers[key])
                names = [name for slug, name in feature_names.items() if slug in chosen]
                lines.append((str(label), ", ".join(names) or str(_("None"))))
        fields = step.form_class.base_fields
        for key in STEP_KEYS[step.name]:
            if key in fields and key in answers:
                lines.append((str(fields[key].label), _display(fields[key], answers[key])))
        steps.append((str(step.title), lines))
    return steps
