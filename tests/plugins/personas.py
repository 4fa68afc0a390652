"""Who is at the keyboard: anonymous (the plain client), an editor, a superuser; and the Editors
group the migrations make, kept across transactional tests' flushes."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _editors_group_survives_flushes(request):
    """Give transactional tests the Editors group a data migration made.

    A transactional test empties every table afterwards; post_migrate brings back content types
    and permissions, but not rows made by data migrations, which later tests expect."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional:
        return
    # Read before the first transactional test's flush, so from the migrated database.
    granted = request.getfixturevalue("editor_permissions")
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group, Permission

    group, created = Group.objects.get_or_create(name="Editors")
    if created:
        # Exactly what the migrations granted.
        group.permissions.add(
            *(
                permission
                for permission in Permission.objects.select_related("content_type")
                if (permission.content_type.app_label, permission.codename) in granted
            )
        )


@pytest.fixture(scope="session")
def editor_permissions(django_db_setup, django_db_blocker) -> frozenset[tuple[str, str]]:
    """The Editors group's permissions as the data migrations left them, before any flush."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        return frozenset(
            Group.objects.get(name="Editors").permissions.values_list(
                "content_type__app_label", "codename"
            )
        )


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("editor", password="editor-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def superuser(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client
