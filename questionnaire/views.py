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
from prometheus_client import Counter

from comparison.models import Feature
from core import jsonapi
from core.http import HtmxHttpRequest

from . import api, madr
from .answers import Stored, relaxed, to_decision
from .decision import COMPARE_LIMIT, NEXT_STEPS
from .evaluation import data_fingerprint, evaluate, store, stored_result
from .forms import FeaturesForm
from .interview import StillFit, still_fit
from .limits import may_store_result
from .models import Questionnaire
from .wizard import LAST_STEP, STEPS, Wizard, answer_steps, parse_step

TEMPLATE = "questionnaire/questionnaire.html"

COMPLETIONS = Counter(
    "portal_questionnaire_completions_total", "Questionnaires completed and stored as a result."
)


def _bad_step() -> HttpResponse:
    return HttpResponseBadRequest(
        _("The step must be a number from 0 to %(last)d.") % {"last": LAST_STEP}
    )


def _still_fit(form: forms.Form) -> StillFit | None:
    """What step 3's answers so far mean, as entered (posted or stored)."""
    if not isinstance(form, FeaturesForm):
        return None
    return still_fit(form.earlier, **form.so_far())


def _render_step(request: HtmxHttpRequest, step: int, form: forms.Form) -> HttpResponse:
    context = {
        "step": step,
        "step_name": STEPS[step].name,
        "form": form,
        "steps": [s.title for s in STEPS],
        "last_step": LAST_STEP,
        "still_fit": _still_fit(form),
    }
    template = TEMPLATE
    if request.htmx and not request.htmx.history_restore_request:
        template += "#wizard"
    response = render(request, template, context)
    if request.htmx and request.method == "POST":
        response["HX-Push-Url"] = f"{reverse('questionnaire:start')}?step={step}"
    return response


def _result_url(request: HtmxHttpRequest, answers: Stored) -> str | None:
    """The address of the stored result for these answers: stored now unless already kept.
    None when the client has stored too many new results this hour."""
    existing = stored_result(answers)
    if existing is not None:
        return existing.get_absolute_url()
    if not may_store_result(request):
        return None
    return store(answers).get_absolute_url()


def _too_many_results() -> HttpResponse:
    return HttpResponse(
        _("Too many questionnaires were completed from your address; try again in an hour."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )


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
    url = _result_url(request, wizard.stored_answers())
    if url is None:
        return _too_many_results()
    COMPLETIONS.inc()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
def still_fit_count(request: HtmxHttpRequest) -> HttpResponse:
    """The features step's "options still fit" line for the answers as now entered (htmx asks on
    every change; nothing is stored)."""
    step = STEPS.index(next(s for s in STEPS if s.form_class is FeaturesForm))
    form = Wizard(request.session).form(step, data=request.POST)
    context = {"still_fit": _still_fit(form)}
    return render(request, f"{TEMPLATE}#still-fit", context)


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
    result = evaluation.result
    compare = result.compare_group
    # The choices shown first: the compare group and those tied for its last places, or the one
    # or two families there are.
    top = (compare + result.compare_tied) or tuple(f.head for f in result.families[:2])
    context = {
        "stored": stored,
        "result": result,
        "answers": answers,
        "answer_steps": answer_steps(stored.current_answers, evaluation.feature_names),
        "data_changed": stored.data_fingerprint != data_fingerprint(),
        "shortlist_changed": stored.shortlist != [r.mesh.slug for r in result.shortlist],
        "compare": compare,
        "compare_query": "&".join(f"mesh={r.mesh.slug}" for r in compare),
        "top": top[:COMPARE_LIMIT],
        "families": result.families,
        "next_steps": NEXT_STEPS,
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
    """Store a copy of the answers with one answer relaxed (a must-have made a nice-to-have,
    partial support allowed, open source only dropped, ...), as the result page offers."""
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    key = request.POST.get("answer", "")
    if not key and request.POST.get("feature"):
        key = f"must:{request.POST['feature']}"
    names = {f.slug: f.display_name for f in Feature.objects.in_display_order()}
    try:
        answers = relaxed(stored.current_answers, key, names)
    except ValueError:
        return HttpResponseBadRequest(_("That answer cannot be relaxed in this questionnaire."))
    url = _result_url(request, answers)
    return redirect(url) if url is not None else _too_many_results()


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
        message = "Too many requests from your address; try again in a minute."
        return jsonapi.error_response(
            {"rate": [jsonapi.error(message, "rate_limited")]}, status=429
        )
    try:
        data = jsonapi.read_json_object(request, max_bytes=api.MAX_BODY)
    except jsonapi.InvalidJsonBody as problem:
        return jsonapi.error_response(problem.errors)
    slugs = [f.slug for f in Feature.objects.in_display_order()]
    try:
        stored, options = api.parse(data, slugs)
        answers = to_decision(stored)
    except api.InvalidRequest as problem:
        return jsonapi.error_response(problem.errors)
    except ValueError as problem:
        return jsonapi.error_response({"body": [jsonapi.error(str(problem), "invalid")]})
    evaluation = evaluate(answers)
    version = data_fingerprint()
    body = api.as_json(evaluation, version)
    kept = None
    if options.store:
        # The wizard's limit on new stored results per address applies here too.
        kept = stored_result(stored)
        if kept is None and not may_store_result(request):
            message = "Too many new results stored from your address; try again in an hour."
            return jsonapi.error_response(
                {"store": [jsonapi.error(message, "results_limited")]}, status=429
            )
        kept = kept or store(stored)
    if kept is not None:
        body["permalink"] = request.build_absolute_uri(kept.get_absolute_url())
    if options.format == "madr":
        lines = answer_steps(stored, evaluation.feature_names)
        body["madr"] = madr.madr_for(
            kept or stored, evaluation, lines, body.get("permalink", ""), version
        )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _decision_record(request: HtmxHttpRequest, public_id: UUID) -> dict | HttpResponse:
    """A stored result's decision record, or the page saying it can no longer be computed."""
    stored = get_object_or_404(Questionnaire, public_id=public_id)
    try:
        evaluation = evaluate(to_decision(stored.current_answers))
    except ValueError:
        return render(request, "questionnaire/result_gone.html", {"stored": stored}, status=410)
    return madr.record(
        stored,
        evaluation,
        answer_steps(stored.current_answers, evaluation.feature_names),
        request.build_absolute_uri(stored.get_absolute_url()),
        data_fingerprint(),
    )


@require_safe
def decision_markdown(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """The result as a Markdown Architecture Decision Record (MADR), as a download."""
    found = _decision_record(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    response = HttpResponse(madr.markdown(found), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{madr.filename(found)}"'
    return response


@require_safe
def decision_json(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """The same decision record as JSON."""
    found = _decision_record(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})
