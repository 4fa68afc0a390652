"""Public pages and exports. Views stay short: queries live on the models and the FilterSet,
layout in matrix.py, serialisation in export.py."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from . import charts, export
from .caching import cached_public_page
from .filters import MeshFilter
from .forms import CompareForm
from .matrix import Matrix, build_matrix
from .models import Mesh, recent_level_changes, stale_before


def filtered_matrix(request: HttpRequest) -> tuple[MeshFilter, Matrix]:
    mesh_filter = MeshFilter(request.GET, queryset=Mesh.objects.all())
    matrix = build_matrix(mesh_filter.qs, mesh_filter.features())
    if mesh_filter.cleaned.get("diff"):
        matrix = matrix.only_differences()
    return mesh_filter, matrix


def render_fragment(request: HttpRequest, template: str, fragment: str, context, status=200):
    """The whole page, or only the named partial when htmx swaps it in place."""
    if request.htmx and not request.htmx.history_restore_request:
        template = f"{template}#{fragment}"
    return render(request, template, context, status=status)


@require_GET
@cached_public_page
def matrix(request: HttpRequest) -> HttpResponse:
    mesh_filter, matrix = filtered_matrix(request)
    total = Mesh.objects.count()
    context = {
        "filter": mesh_filter,
        "matrix": matrix,
        "total_meshes": total,
        "hidden_meshes": total - len(matrix.meshes),
        "stale_before": stale_before(),
        "query": request.GET.urlencode(),
    }
    status = 400 if mesh_filter.errors else 200
    return render_fragment(request, "comparison/matrix.html", "results", context, status)


@require_GET
@cached_public_page
def compare(request: HttpRequest) -> HttpResponse:
    if "mesh" not in request.GET:
        # No choice yet: offer every mesh to pick from (the same form, as a plain GET).
        meshes = Mesh.objects.order_by("name")
        return render(request, "comparison/compare.html", {"picker": meshes})
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render(request, "comparison/compare.html", {"form": form}, status=400)
    matrix = build_matrix(form.cleaned_data["mesh"])
    if form.cleaned_data["diff"]:
        matrix = matrix.only_differences()
    context = {
        "form": form,
        "matrix": matrix,
        "query": request.GET.urlencode(),
        "stale_before": stale_before(),
    }
    return render(request, "comparison/compare.html", context)


@require_GET
@cached_public_page
def mesh_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mesh = get_object_or_404(Mesh, slug=slug)
    context = {
        "mesh": mesh,
        "matrix": build_matrix([mesh]),
        "stale_before": stale_before(),
        "coverage": charts.coverage_by_category(mesh),
    }
    return render(request, "comparison/mesh_detail.html", context)


@require_GET
@cached_public_page
def api_meshes(request: HttpRequest) -> JsonResponse:
    mesh_filter, matrix = filtered_matrix(request)
    if mesh_filter.errors:
        return JsonResponse({"errors": mesh_filter.errors.get_json_data()}, status=400)
    return JsonResponse(export.meshes_as_json(matrix), safe=False)


@require_GET
@cached_public_page
def export_csv(request: HttpRequest) -> HttpResponse:
    mesh_filter, matrix = filtered_matrix(request)
    if mesh_filter.errors:
        return HttpResponse(
            export.errors_as_text(mesh_filter.errors), status=400, content_type="text/plain"
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="service-meshes.csv"'
    export.write_csv(matrix, response)
    return response


@require_GET
@cached_public_page
def overview(request: HttpRequest) -> HttpResponse:
    meshes = list(Mesh.objects.order_by("name"))
    active = [mesh for mesh in meshes if not mesh.is_discontinued]
    context = {
        "tiers": charts.tier_chart(meshes),
        "coverage": charts.coverage_by_mesh(active),
        "complexity": charts.complexity_chart(active),
    }
    return render(request, "comparison/overview.html", context)


@require_GET
@cached_public_page
def changes(request: HttpRequest) -> HttpResponse:
    return render(request, "comparison/changes.html", {"changes": recent_level_changes(100)})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
