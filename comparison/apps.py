from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comparison"
    verbose_name = "Mesh comparison"

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from .caching import bump_data_version
        from .models import Category, Feature, Mesh, Support

        def data_changed(**kwargs) -> None:
            # After the commit: a page rendered before it must not be cached as current.
            transaction.on_commit(bump_data_version)

        for model in (Category, Feature, Mesh, Support):
            # weak=False: the receiver is local to this method and would be collected.
            for signal in (post_save, post_delete):
                signal.connect(data_changed, sender=model, weak=False)
