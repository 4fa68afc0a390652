from django.urls import path

from . import views

app_name = "comparison"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("meshes/<slug:slug>/", views.mesh_detail, name="mesh-detail"),
]
