from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Service mesh portal: editors"
admin.site.site_title = "Service mesh portal"
admin.site.index_title = "Mesh data"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("comparison.urls")),
]
