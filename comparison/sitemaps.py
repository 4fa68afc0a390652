"""sitemap.xml: the public pages in English and German, each listing its other language."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Feature, Mesh


class BilingualSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(BilingualSitemap):
    priority = 0.8

    def items(self) -> list[str]:
        return [
            "comparison:matrix",
            "comparison:overview",
            "comparison:changes",
            "questionnaire:start",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class MeshSitemap(BilingualSitemap):
    def items(self):
        return Mesh.objects.order_by("slug")

    def lastmod(self, mesh: Mesh):
        return mesh.last_verified


class FeatureSitemap(BilingualSitemap):
    def items(self):
        return Feature.objects.order_by("slug")


SITEMAPS = {"pages": PageSitemap, "meshes": MeshSitemap, "features": FeatureSitemap}
