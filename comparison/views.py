"""Public pages and exports. Views stay short: queries live on the models and the FilterSet,
layout in matrix.py, serialisation in export.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponsePermanentRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import push_url
from django_ratelimit.decorators import ratelimit

from core.caching import cached_public_page
from core.http import HtmxHttpRequest
from core.jsonapi import error_response

from . import charts, export
from .conformance import evidence
from .filters import (
    ALL_KINDS,
    DEFAULT_VALUES,
    FACTS_SHOWN,
    TABLE_PARAMETERS,
    TableQuery,
    clean_query,
)
from .forms import CompareForm, SuggestionForm
from .freshness import freshness
from .matrix import FACTS, MORE_FACTS, PROVABLE, build_matrix
from .models import Feature, Mesh, MeshAlias, OverheadFigure, Support, public_changes

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def current_mesh_slugs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A renamed mesh's former slug in `?mesh=` redirects, for good, to the same address with
    the current slug: old links and bookmarks keep working, and caches see one address."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        chosen = request.GET.getlist("mesh")
        # Only well-formed slugs are looked up; anything else is the view's to refuse.
        if chosen and all(SLUG.fullmatch(slug) for slug in chosen):
            renamed = dict(
                MeshAlias.objects.filter(slug__in=chosen).values_list("slug", "mesh__slug")
            )
            if renamed:
                query = request.GET.copy()
                query.setlist("mesh", [renamed.get(slug, slug) for slug in chosen])
                return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
        return view(request, *args, **kwargs)

    return wrapper


def render_fragment(
    request: HtmxHttpRequest, template: str, fragment: str, context: dict, status: int = 200
) -> HttpResponse:
    """The whole page, or only the named partial when htmx swaps it in place."""
    if request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#{fragment}"
    return render(request, template, context, status=status)


def toggled(query: QueryDict, name: str, value: str) -> str:
    """The query string with `name=value` added, or removed when it is there."""
    query = query.copy()
    if query.get(name) == value:
        del query[name]
    else:
        query[name] = value
    return query.urlencode()


@require_safe
@current_mesh_slugs
@cached_public_page(parameters=TABLE_PARAMETERS, defaults=DEFAULT_VALUES)
def matrix(request: HtmxHttpRequest) -> HttpResponse:
    table = TableQuery(request.GET)
    matrix = table.matrix()
    counts = Mesh.objects.counts()
    total, platform_count = counts["total"], counts["active_platforms"]
    context = {
        "table": table,
        "filter": table.filter,
        "matrix": matrix,
        "total_meshes": total,
        "active_meshes": counts["active_meshes"],
        "hidden_meshes": total - len(matrix.meshes),
        "query": request.GET.urlencode(),
        "notes_toggle": toggled(request.GET, "notes", "true"),
        "facts_toggle": toggled(request.GET, "facts", FACTS_SHOWN),
        "platform_count": platform_count,
        "platform_options": toggled(request.GET, "kind", ALL_KINDS) if platform_count else "",
    }
    status = 400 if table.errors else 200
    response = render_fragment(request, "comparison/matrix.html", "results", context, status)
    if request.htmx and not table.errors:
        # The form sends every field; the address keeps only what was chosen.
        query = clean_query(request.GET)
        push_url(response, f"{request.path}?{query}" if query else request.path)
    return response


@require_safe
@current_mesh_slugs
@cached_public_page(parameters=CompareForm.base_fields)
def compare(request: HtmxHttpRequest) -> HttpResponse:
    if "mesh" not in request.GET:
        # No choice yet: offer every mesh to pick from (the same form, as a plain GET).
        meshes = Mesh.objects.order_by("name")
        return render(request, "comparison/compare.html", {"picker": meshes})
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render(request, "comparison/compare.html", {"form": form}, status=400)
    matrix = build_matrix(
        form.cleaned_data["mesh"],
        facts=[*FACTS, *MORE_FACTS],
        show_notes=form.cleaned_data["notes"],
    )
    if form.cleaned_data["diff"]:
        matrix = matrix.only_differences()
    context = {
        "form": form,
        "matrix": matrix,
        "query": request.GET.urlencode(),
    }
    return render(request, "comparison/compare.html", context)


@require_safe
@cached_public_page(parameters=())
def mesh_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    mesh = Mesh.objects.filter(slug=slug).first()
    if mesh is None:
        alias = get_object_or_404(MeshAlias.objects.select_related("mesh"), slug=slug)
        return HttpResponsePermanentRedirect(alias.mesh.get_absolute_url())
    # One column has room for every note: shown in the cells, not behind the level word.
    matrix = build_matrix([mesh], show_notes=True)
    today = timezone.localdate()
    context = {
        "mesh": mesh,
        "today": today,
        "cycles": mesh.cycles,
        "reports": list(mesh.conformance_reports.newest_first()),
        "tested_cells": matrix.tested_count(mesh),
        "overhead": list(mesh.overhead_figures.comparable()),
        "former_names": list(mesh.aliases.all()),
        "matrix": matrix,
        "stale_cells": matrix.stale_count(mesh),
        "overrides": sum(not cell.inherited for row in matrix.rows for cell in row.cells),
        "coverage": charts.coverage_by_category(mesh),
    }
    return render(request, "comparison/mesh_detail.html", context)


@require_safe
@cached_public_page(parameters=())
def feature_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    feature = get_object_or_404(Feature.objects.select_related("category"), slug=slug)
    groups = feature.support_by_level()
    tested = evidence().tested
    cells = sorted(
        (cell for _level, _label, group in groups for cell in group),
        key=lambda cell: cell.mesh.name.casefold(),
    )
    # caniuse's view: which mesh supports it since which version, at which stage, tested or not.
    timeline = [
        (cell, tested.get((cell.mesh_id, feature.pk)) if cell.level in PROVABLE else None)
        for cell in cells
        if cell.level in PROVABLE or cell.removed_in
    ]
    context = {
        "feature": feature,
        "groups": groups,
        "timeline": timeline,
        "tested": {cell.mesh_id: proof for cell, proof in timeline if proof},
    }
    return render(request, "comparison/feature_detail.html", context)


@require_safe
@current_mesh_slugs
@cached_public_page(parameters=TABLE_PARAMETERS, defaults=DEFAULT_VALUES)
def api_meshes(request: HtmxHttpRequest) -> JsonResponse:
    table = TableQuery(request.GET)
    if table.errors:
        return error_response(table.errors.get_json_data())  # the API's one error format
    return JsonResponse(export.meshes_as_json(table.matrix(with_facts=True)), safe=False)


@require_safe
@current_mesh_slugs
@cached_public_page(parameters=TABLE_PARAMETERS, defaults=DEFAULT_VALUES)
def export_csv(request: HtmxHttpRequest) -> HttpResponse:
    table = TableQuery(request.GET)
    if table.errors:
        return HttpResponse(
            export.errors_as_text(table.errors), status=400, content_type="text/plain"
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = csv_filename(request)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    export.write_csv(table.matrix(with_facts=True), response)
    return response


def csv_filename(request: HtmxHttpRequest) -> str:
    """Say what is in the file: language, date and the must-haves or search, e.g.
    service-meshes-2026-11-26-mtls-tcp.csv."""
    parts = ["service-meshes"]
    if get_language() != "en":
        parts.append(get_language())
    parts.append(timezone.localdate().isoformat())
    parts += [slugify(slug) for slug in request.GET.getlist("must")[:4]]
    if request.GET.get("q"):
        parts.append(slugify(request.GET["q"])[:30])
    return "-".join(part for part in parts if part) + ".csv"


@require_safe
@cached_public_page(parameters=())
def overview(request: HtmxHttpRequest) -> HttpResponse:
    meshes = list(Mesh.objects.order_by("name"))
    active = [mesh for mesh in meshes if not mesh.is_discontinued]
    figures = list(OverheadFigure.objects.comparable().select_related("mesh"))
    context = {
        "tiers": charts.tier_chart(meshes),
        "coverage": charts.coverage_by_mesh(active),
        "complexity": charts.complexity_chart(active),
        "overhead_figures": figures,
        "overhead_latency": charts.overhead_chart(
            figures, "latency_p99_ms", _("Latency added at p99, as published"), _("ms")
        ),
        "overhead_memory": charts.overhead_chart(
            figures, "memory_mib", _("Memory used, as published"), "MiB"
        ),
        "none_published": [m for m in active if not any(f.mesh_id == m.pk for f in figures)],
        "freshness": [(mesh, proof[mesh.pk]) for proof in [freshness(active)] for mesh in active],
    }
    return render(request, "comparison/overview.html", context)


@require_safe
@current_mesh_slugs
@cached_public_page(parameters=("mesh",))
def changes(request: HtmxHttpRequest) -> HttpResponse:
    meshes = list(Mesh.objects.order_by("name").values_list("slug", "name"))
    chosen = request.GET.get("mesh", "")
    if chosen and chosen not in dict(meshes):
        return HttpResponseBadRequest("Unknown mesh.")
    context = {
        "changes": public_changes(100, mesh=chosen or None),
        "meshes": meshes,
        "chosen": chosen,
    }
    return render(request, "comparison/changes.html", context)


def suggestion_rate(group: str, request: HttpRequest) -> str:
    return settings.SUGGESTION_RATE


def cell_from_query(request: HtmxHttpRequest) -> Support:
    mesh, feature = request.GET.get("mesh", ""), request.GET.get("feature", "")
    return get_object_or_404(
        Support.objects.select_related("mesh", "feature"), mesh__slug=mesh, feature__slug=feature
    )


@require_http_methods(["GET", "HEAD", "POST"])
@current_mesh_slugs
@ratelimit(key="ip", rate=suggestion_rate, method="POST", block=False)
def suggest(request: HtmxHttpRequest) -> HttpResponse:
    """The correction form for one cell (not cached: it carries the visitor's CSRF token)."""
    if not request.GET.get("mesh") or not request.GET.get("feature"):
        return HttpResponseBadRequest("Say which cell: ?mesh=…&feature=…")
    cell = cell_from_query(request)
    status = 200
    if request.method == "POST":
        form = SuggestionForm(request.POST)
        if getattr(request, "limited", False):
            form.add_error(None, _("Too many suggestions from your address; try again later."))
            status = 429
        elif form.is_bot:
            # Pretend it worked: a bot learns nothing, and nothing is stored.
            return redirect(thanks_url(cell))
        elif form.is_valid():
            form.instance.support = cell
            form.instance.seen_level = cell.level
            form.instance.seen_note = cell.note
            form.instance.seen_source = cell.source
            form.save()
            return redirect(thanks_url(cell))
        else:
            status = 400
    else:
        form = SuggestionForm(initial={"level": cell.level, "source": cell.source})
    return render(request, "comparison/suggest.html", {"cell": cell, "form": form}, status=status)


def thanks_url(cell: Support) -> str:
    query = urlencode({"mesh": cell.mesh.slug, "feature": cell.feature.slug})
    return f"{reverse('comparison:suggest-thanks')}?{query}"


@require_safe
def suggest_thanks(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "comparison/suggest_thanks.html", {"cell": cell_from_query(request)})
