"""The questionnaire: four steps kept in the session, then a stored, shareable result."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import questionnaire as q
from .models import Questionnaire, data_fingerprint

SESSION_KEY = "questionnaire"
STEP_NAMES = [
    gettext_lazy("Is a mesh sensible?"),
    gettext_lazy("Environment"),
    gettext_lazy("Features"),
    gettext_lazy("Subjective fit"),
]


def _state(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return request.session.setdefault(SESSION_KEY, {"raw": {}, "cleaned": {}})


def _first_open_step(state) -> int:
    for step in range(len(q.STEPS)):
        if str(step) not in state["cleaned"]:
            return step
    return q.LAST_STEP


def _parse_step(value: str | None) -> int | None:
    if value is None or not value.isdigit() or int(value) > q.LAST_STEP:
        return None
    return int(value)


def _initial(step: int, state) -> dict[str, Any]:
    """What the user entered last time on this step, so going back and forth loses nothing."""
    raw = state["raw"].get(str(step))
    if raw is None:
        return q.gate_preset(state["cleaned"].get("0", {})) if step == 2 else {}
    form = q.make_form(step)
    return {
        name: values if isinstance(form.fields[name], forms.MultipleChoiceField) else values[-1]
        for name, values in raw.items()
        if name in form.fields and values
    }


def _render_step(request: HttpRequest, step: int, form: forms.Form, status: int = 200):
    context = {"step": step, "form": form, "steps": STEP_NAMES, "last_step": q.LAST_STEP}
    template = "comparison/questionnaire.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#wizard"
    response = render(request, template, context, status=status)
    if request.htmx and request.method == "POST":
        response["HX-Push-Url"] = f"{reverse('comparison:questionnaire')}?step={step}"
    return response


@require_GET
def questionnaire(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    step = _parse_step(request.GET.get("step", "0"))
    if step is None:
        return HttpResponseBadRequest(_("The step must be a number from 0 to 3."))
    # Steps build on each other: never show one whose predecessors are unanswered.
    step = min(step, _first_open_step(state))
    return _render_step(request, step, q.make_form(step, initial=_initial(step, state)))


def _goto(request: HttpRequest, step: int, state) -> HttpResponse:
    if request.htmx:
        return _render_step(request, step, q.make_form(step, initial=_initial(step, state)))
    return redirect(f"{reverse('comparison:questionnaire')}?step={step}")


@require_POST
def questionnaire_step(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    step = _parse_step(request.POST.get("step"))
    if step is None:
        return HttpResponseBadRequest(_("The step must be a number from 0 to 3."))
    form = q.make_form(step, data=request.POST)
    state["raw"][str(step)] = {name: request.POST.getlist(name) for name in form.fields}
    valid = form.is_valid()
    if valid:
        state["cleaned"][str(step)] = q.cleaned_for_storage(step, form)
        if step == 0:
            # Features named at the gate become must-haves on step 2, whatever was there before.
            raw_features = state["raw"].setdefault("2", {})
            for name, level in q.gate_preset(state["cleaned"]["0"]).items():
                raw_features[name] = [level]
    request.session.modified = True
    if "back" in request.POST:
        return _goto(request, max(step - 1, 0), state)
    if not valid:
        return _render_step(request, step, form)
    if step < q.LAST_STEP:
        return _goto(request, step + 1, state)
    return _finish(request, state)


def _finish(request: HttpRequest, state) -> HttpResponse:
    open_step = next((s for s in range(len(q.STEPS)) if str(s) not in state["cleaned"]), None)
    if open_step is not None:
        return _goto(request, open_step, state)
    url = q.store(state["cleaned"]).get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
def questionnaire_reset(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("comparison:questionnaire")


@require_GET
def questionnaire_result(request: HttpRequest, public_id) -> HttpResponse:
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    try:
        evaluation = q.evaluate(q.answers_from(stored.answers["steps"]))
    except (KeyError, ValueError):
        return render(request, "comparison/result_gone.html", {"stored": stored}, status=410)
    shortlist = evaluation.result.shortlist
    context = {
        "stored": stored,
        "result": evaluation.result,
        "answers": q.answers_from(stored.answers["steps"]),
        "data_changed": stored.data_fingerprint != data_fingerprint(),
        "shortlist_changed": stored.shortlist != [r.mesh.slug for r in shortlist],
        "compare_query": "&".join(f"mesh={r.mesh.slug}" for r in shortlist[:3]),
        "feature_names": evaluation.feature_names,
    }
    return render(request, "comparison/result.html", context)


@require_POST
def questionnaire_relax(request: HttpRequest, public_id) -> HttpResponse:
    """Store a copy of the answers with one must-have turned into a nice-to-have."""
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    slug = request.POST.get("feature", "")
    steps = stored.answers.get("steps", {})
    importance = steps.get("2", {}).get("importance", {})
    if importance.get(slug) != q.MUST:
        return HttpResponseBadRequest(
            _("That feature is not one of this questionnaire's must-haves.")
        )
    relaxed_steps = {**steps, "2": {**steps["2"], "importance": {**importance, slug: q.NICE}}}
    # The gate's features would turn it back into a must-have; drop the one that named it.
    relaxed_steps["0"] = {
        **steps["0"],
        "needed": [n for n in steps["0"]["needed"] if slug not in q.decision.GATE_FEATURES[n]],
    }
    return redirect(q.store(relaxed_steps).get_absolute_url())
