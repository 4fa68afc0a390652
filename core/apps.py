from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide concerns: caching, security middleware, context processors, health check."""

    name = "core"
    verbose_name = "Site"
