from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Developer tooling, not part of the product: sample data, render benchmark, header score."""

    name = "devtools"
    verbose_name = "Developer tools"
