"""The real mesh data: loaded once per test database, and put back after transactional tests.

Loading fixtures/meshes.json resolves every natural key with a query (several seconds on SQLite,
about twelve on PostgreSQL); a transactional test empties every table afterwards. So the rows the
load leaves are kept in memory once, and `live_data` inserts them again in one transaction.
"""

from __future__ import annotations

import os

import pytest

_snapshot: list[tuple[type, list]] = []


def _catalogue_models() -> list[type]:
    from django.apps import apps

    # With their many-to-many tables and history models: everything the load and its baseline write.
    return list(apps.get_app_config("comparison").get_models(include_auto_created=True))


def _take_snapshot() -> None:
    _snapshot[:] = [(model, list(model._base_manager.all())) for model in _catalogue_models()]


def _restore_snapshot() -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from core.caching import bump_data_version

    present = [model for model, _rows in _snapshot if model._base_manager.exists()]
    if present and len(present) == sum(1 for _model, rows in _snapshot if rows):
        return  # no transactional test has emptied the database yet
    if present:
        raise RuntimeError(f"catalogue tables only partly emptied: {present}")
    with transaction.atomic():
        # Foreign keys are checked at commit, so the order of the tables does not matter.
        for model, rows in _snapshot:
            model._base_manager.bulk_create(rows)
        # Rows inserted with their own primary keys leave PostgreSQL's sequences behind.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [model for model, _rows in _snapshot]
            ):
                cursor.execute(statement)
    bump_data_version()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load fixtures/meshes.json once; each test's transaction is rolled back around it."""
    from django.core.management import call_command

    from comparison.models import ensure_history_baseline

    with django_db_blocker.unblock():
        # With TEST_DATABASE_TEMPLATE (bench/mutation) the template was loaded the same way.
        if not os.environ.get("TEST_DATABASE_TEMPLATE"):
            call_command("loaddata", "meshes", verbosity=0)
            ensure_history_baseline()
        _take_snapshot()


@pytest.fixture
def live_data(transactional_db):
    """The real mesh data for tests that need committed rows (a live server in another thread).

    Transactional tests flush the database afterwards; pytest-django runs them last.
    """
    _restore_snapshot()
