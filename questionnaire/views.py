"""The questionnaire: four steps (state owned by wizard.Wizard), then a stored, shareable result."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect
from django_ratelimit.decorators import ratelimit

from comparison.models import Feature
from core.http import HtmxHttpRequest

from . import api
from .answers import relaxed, to_decision
from .evaluation import data_fingerprint, evaluate, store
from .models import Questionnaire
from .wizard import LAST_STEP, STEPS, Wizard, answer_steps, parse_step

TEMPLATE = "questionnaire/questionnaire.html"


def _bad_step() -> HttpResponse:
    return HttpResponseBadRequest(
        _("The step must be a number from 0 to %(last)d.") % {"last": LAST_STEP}
    )


def _render_step(request: HtmxHttpRequest, step: int, form: forms.Form) -> HttpResponse:
    context = {
        "step": step,
        "step_name": STEPS[step].name,
        "form": form,
        "steps": [s.title for s in STEPS],
        "last_step": LAST_STEP,
    }
    template = TEMPLATE
    if request.htmx and not request.htmx.history_restore_request:
        template += "#wizard"
    response = render(request, template, context)
    if request.htmx and request.method == "POST":
        response["HX-Push-Url"] = f"{reverse('questionnaire:start')}?step={step}"
    return response


def _goto(request: HtmxHttpRequest, wizard: Wizard, step: int) -> HttpResponse:
    if request.htmx:
        return _render_step(request, step, wizard.form(step))
    return redirect(f"{reverse('questionnaire:start')}?step={step}")


@require_safe
def start(request: HtmxHttpRequest) -> HttpResponse:
    step = parse_step(request.GET.get("step", "0"))
    if step is None:
        return _bad_step()
    wizard = Wizard(request.session)
    step = wizard.reachable(step)
    return _render_step(request, step, wizard.form(step))


@require_POST
def submit_step(request: HtmxHttpRequest) -> HttpResponse:
    step = parse_step(request.POST.get("step"))
    if step is None:
        return _bad_step()
    wizard = Wizard(request.session)
    form = wizard.form(step, data=request.POST)
    valid = wizard.submit(step, form, request.POST)
    if "back" in request.POST:
        return _goto(request, wizard, max(step - 1, 0))
    if not valid:
        return _render_step(request, step, form)
    if step < LAST_STEP:
        return _goto(request, wizard, wizard.reachable(step + 1))
    open_step = wizard.first_open_step()
    if open_step is not None:
        return _goto(request, wizard, open_step)
    url = store(wizard.stored_answers()).get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
def reset(request: HtmxHttpRequest) -> HttpResponse:
    Wizard(request.session).reset()
    return redirect("questionnaire:start")


@require_safe
def result(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    try:
        answers = to_decision(stored.current_answers)
        evaluation = evaluate(answers)
    except ValueError:
        return render(request, "questionnaire/result_gone.html", {"stored": stored}, status=410)
    shortlist = evaluation.result.shortlist
    compare = evaluation.result.compare_group
    context = {
        "stored": stored,
        "result": evaluation.result,
        "answers": answers,
        "answer_steps": answer_steps(stored.current_answers, evaluation.feature_names),
        "data_changed": stored.data_fingerprint != data_fingerprint(),
        "shortlist_changed": stored.shortlist != [r.mesh.slug for r in shortlist],
        "compare": compare,
        "compare_query": "&".join(f"mesh={r.mesh.slug}" for r in compare),
        "feature_names": evaluation.feature_names,
    }
    return render(request, "questionnaire/result.html", context)


@require_POST
def edit(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Load a stored result's answers into this visitor's wizard, to change them."""
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    try:
        answers = stored.current_answers
        to_decision(answers)
    except ValueError:
        return render(request, "questionnaire/result_gone.html", {"stored": stored}, status=410)
    Wizard(request.session).load(answers)
    return redirect(f"{reverse('questionnaire:start')}?step=0")


@require_POST
def relax(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Store a copy of the answers with one must-have turned into a nice-to-have."""
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    try:
        answers = relaxed(stored.current_answers, request.POST.get("feature", ""))
    except ValueError:
        return HttpResponseBadRequest(
            _("That feature is not one of this questionnaire's must-haves.")
        )
    return redirect(store(answers).get_absolute_url())


# No CSRF token: the API reads no cookie and keeps no session, so a forged cross-site request
# could do nothing a direct one can't. Abuse is bounded by a per-address rate limit instead
# (counted in the default cache, so every app server shares it).
@csrf_exempt
@require_POST
@ratelimit(
    key="ip", rate=lambda group, request: settings.RECOMMEND_RATE, method="POST", block=False
)
def api_recommend(request: HtmxHttpRequest) -> JsonResponse:
    """POST /api/recommend: answers as JSON in, verdict and ranked shortlist out."""
    if getattr(request, "limited", False):
        return JsonResponse(
            {"errors": {"rate": "Too many requests from your address; try again in a minute."}},
            status=429,
        )
    slugs = [f.slug for f in Feature.objects.in_display_order()]
    try:
        stored, keep = api.parse(request.body, slugs)
        answers = to_decision(stored)
    except api.InvalidRequest as error:
        return JsonResponse({"errors": error.errors}, status=400)
    except ValueError as error:
        return JsonResponse({"errors": {"body": str(error)}}, status=400)
    body = api.as_json(evaluate(answers), data_fingerprint())
    if keep:
        body["permalink"] = request.build_absolute_uri(store(stored).get_absolute_url())
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
