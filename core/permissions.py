"""Granting a group permissions from a data migration, written once for every app.

Permissions are created by post_migrate, after all migrations ran; a migration that grants
them must create its app's permissions first, or a fresh database has none to grant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.management import create_permissions

Operation = Callable[[Any, Any], None]


def group_permissions(
    app_label: str, group: str, codenames: Iterable[str]
) -> tuple[Operation, Operation]:
    """RunPython forward and backward functions: grant `codenames` of `app_label` to `group`
    (where that group exists), and take them back."""
    codenames = list(codenames)

    def permissions(apps: Any) -> Any:
        Permission = apps.get_model("auth", "Permission")
        return Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)

    def grant(apps: Any, schema_editor: Any) -> None:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
        for found in apps.get_model("auth", "Group").objects.filter(name=group):
            found.permissions.add(*permissions(apps))

    def revoke(apps: Any, schema_editor: Any) -> None:
        for found in apps.get_model("auth", "Group").objects.filter(name=group):
            found.permissions.remove(*permissions(apps))

    return grant, revoke
