from django.urls import path

from . import questionnaire_views, views

app_name = "comparison"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("compare/", views.compare, name="compare"),
    path("meshes/<slug:slug>/", views.mesh_detail, name="mesh-detail"),
    path("api/meshes.json", views.api_meshes, name="api-meshes"),
    path("export/meshes.csv", views.export_csv, name="export-csv"),
    path("questionnaire/", questionnaire_views.questionnaire, name="questionnaire"),
    path("questionnaire/step/", questionnaire_views.questionnaire_step, name="questionnaire-step"),
    path(
        "questionnaire/reset/", questionnaire_views.questionnaire_reset, name="questionnaire-reset"
    ),
    path(
        "questionnaire/result/<uuid:public_id>/",
        questionnaire_views.questionnaire_result,
        name="questionnaire-result",
    ),
    path(
        "questionnaire/result/<uuid:public_id>/relax/",
        questionnaire_views.questionnaire_relax,
        name="questionnaire-relax",
    ),
]
