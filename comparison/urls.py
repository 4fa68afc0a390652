from django.urls import path

from . import views

app_name = "comparison"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("compare/", views.compare, name="compare"),
    path("meshes/<slug:slug>/", views.mesh_detail, name="mesh-detail"),
    path("api/meshes.json", views.api_meshes, name="api-meshes"),
    path("export/meshes.csv", views.export_csv, name="export-csv"),
]
