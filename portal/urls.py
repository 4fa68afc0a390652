from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from comparison.sitemaps import SITEMAPS
from core.openapi import openapi_document
from questionnaire.views import api_recommend

# An unreachable database is a 503 with Retry-After, not a generic 500 (core/errors.py).
handler500 = "core.errors.server_error"

admin.site.site_header = "Service mesh portal: editors"
admin.site.site_title = "Service mesh portal"
admin.site.index_title = "Mesh data"

# English at /, German at /de/: the language is part of every shareable address.
urlpatterns = [
    path("admin/", admin.site.urls),
    # /healthz and /metrics are answered by core.observability.OperationsEndpointsMiddleware.
    path("api/openapi.json", openapi_document, name="openapi"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    *i18n_patterns(
        path("questionnaire/", include("questionnaire.urls")),
        path("api/recommend", api_recommend, name="api-recommend"),
        path("", include("comparison.urls")),
        prefix_default_language=False,
    ),
]
