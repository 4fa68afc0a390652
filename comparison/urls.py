from django.urls import path

from . import questionnaire_views as wizard
from . import views
from .caching import cached_public_page
from .feeds import ChangesFeed

app_name = "comparison"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("compare/", views.compare, name="compare"),
    path("meshes/<slug:slug>/", views.mesh_detail, name="mesh-detail"),
    path("overview/", views.overview, name="overview"),
    path("changes/", views.changes, name="changes"),
    path("changes/feed/", cached_public_page(ChangesFeed()), name="changes-feed"),
    path("healthz", views.healthz, name="healthz"),
    path("api/meshes.json", views.api_meshes, name="api-meshes"),
    path("export/meshes.csv", views.export_csv, name="export-csv"),
    path("questionnaire/", wizard.questionnaire, name="questionnaire"),
    path("questionnaire/step/", wizard.questionnaire_step, name="questionnaire-step"),
    path("questionnaire/reset/", wizard.questionnaire_reset, name="questionnaire-reset"),
    path(
        "questionnaire/result/<uuid:public_id>/",
        wizard.questionnaire_result,
        name="questionnaire-result",
    ),
    path(
        "questionnaire/result/<uuid:public_id>/relax/",
        wizard.questionnaire_relax,
        name="questionnaire-relax",
    ),
]
