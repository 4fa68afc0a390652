from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparison"
    verbose_name = "Mesh comparison"

    def ready(self) -> None:
        from . import signals

        signals.connect()
