"""Public pages. Views stay short: queries live on the models, layout in matrix.py."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .matrix import build_matrix
from .models import Mesh


@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    meshes = Mesh.objects.all()
    return render(request, "comparison/matrix.html", {"matrix": build_matrix(meshes)})


@require_GET
def mesh_detail(request: HttpRequest, slug: str) -> HttpResponse:
    mesh = get_object_or_404(Mesh, slug=slug)
    return render(
        request, "comparison/mesh_detail.html", {"mesh": mesh, "matrix": build_matrix([mesh])}
    )
