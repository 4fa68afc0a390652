"""Editors add and change the mesh data but delete nothing: removing a mesh, feature, category or
cell loses its history trail from the public pages and is left to administrators."""

from django.db import migrations

MODELS = ["category", "feature", "mesh", "support"]


def revoke_delete(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    deletes = Permission.objects.filter(
        content_type__app_label="comparison", codename__in=[f"delete_{m}" for m in MODELS]
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*deletes)


def grant_delete(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    deletes = Permission.objects.filter(
        content_type__app_label="comparison", codename__in=[f"delete_{m}" for m in MODELS]
    )
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(*deletes)


class Migration(migrations.Migration):
    dependencies = [("comparison", "0010_successor_links")]

    operations = [migrations.RunPython(revoke_delete, grant_delete)]
