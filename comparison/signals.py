"""The one place that retires cached pages: any committed change to the catalogue's data."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from core.caching import bump_data_version

# Sent by bulk writes (QuerySet.update() sends no save signals), e.g. "mark verified".
data_updated = Signal()


def on_data_change(**kwargs: Any) -> None:
    # After the commit: a page rendered before it must not be cached as current.
    transaction.on_commit(bump_data_version)


def connect() -> None:
    from .models import Category, Feature, Mesh, Support

    for model in (Category, Feature, Mesh, Support):
        for signal in (post_save, post_delete):
            signal.connect(
                on_data_change, sender=model, dispatch_uid=f"data-{model.__name__}-{id(signal)}"
            )
    data_updated.connect(on_data_change, dispatch_uid="data-bulk")
