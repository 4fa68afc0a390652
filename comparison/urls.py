from django.urls import path
from django.views.decorators.http import require_safe

from core.caching import cached_public_page

from . import views
from .feeds import ChangesFeed

app_name = "comparison"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("compare/", views.compare, name="compare"),
    path("meshes/<slug:slug>/", views.mesh_detail, name="mesh-detail"),
    path("features/<slug:slug>/", views.feature_detail, name="feature-detail"),
    path("overview/", views.overview, name="overview"),
    path("changes/", views.changes, name="changes"),
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/thanks/", views.suggest_thanks, name="suggest-thanks"),
    path(
        "changes/feed/",
        require_safe(cached_public_page(parameters=("mesh",))(ChangesFeed())),
        name="changes-feed",
    ),
    path("api/meshes.json", views.api_meshes, name="api-meshes"),
    path("export/meshes.csv", views.export_csv, name="export-csv"),
]
