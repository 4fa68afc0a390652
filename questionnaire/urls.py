from django.urls import path

from . import views

app_name = "questionnaire"

urlpatterns = [
    path("", views.start, name="start"),
    path("step/", views.submit_step, name="step"),
    path("still-fit/", views.still_fit_count, name="still-fit"),
    path("reset/", views.reset, name="reset"),
    path("result/<uuid:public_id>/", views.result, name="result"),
    path("result/<uuid:public_id>/edit/", views.edit, name="edit"),
    path("result/<uuid:public_id>/relax/", views.relax, name="relax"),
    path("result/<uuid:public_id>/decision.md", views.decision_markdown, name="decision-markdown"),
    path("result/<uuid:public_id>/decision.json", views.decision_json, name="decision-json"),
]
