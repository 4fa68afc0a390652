"""Moving the Questionnaire model from the comparison app keeps its table, rows and permission;
a result stored then (schema 1) still reads, upgraded to the current schema (5)."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.questionnaire.test_answers import V1_STEPS

BEFORE_MOVE = [("comparison", "0007_bilingual_names"), ("questionnaire", None)]
# Before the migration that gives editors their view permission: migrating forward from here
# recreates it even when an earlier transactional test flushed the migrations' data rows.
BEFORE_GRANT = [("comparison", "0003_questionnaire"), ("questionnaire", None)]


@pytest.mark.django_db(transaction=True)
def test_stored_results_survive_the_move_to_the_questionnaire_app():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_GRANT)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_MOVE)
    old_apps = executor.loader.project_state([BEFORE_MOVE[0]]).apps
    OldQuestionnaire = old_apps.get_model("comparison", "Questionnaire")
    public_id = uuid.uuid4()
    OldQuestionnaire.objects.create(
        public_id=public_id,
        answers={"steps": V1_STEPS, "must": ["mtls-http"]},
        data_fingerprint="x",
        verdict="consider",
        shortlist=["linkerd"],
    )
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    assert ContentType.objects.filter(app_label="comparison", model="questionnaire").exists()

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType as CurrentContentType

    from questionnaire.models import Questionnaire

    CurrentContentType.objects.clear_cache()
    moved = Questionnaire.objects.get(public_id=public_id)
    assert moved.shortlist == ["linkerd"]
    assert moved.verdict == "consider"
    # Kept as stored (schema 1), read in the current schema: v1 -> v2 -> ... -> v5.
    from questionnaire.answers import SCHEMA_VERSION, to_decision

    assert "schema" not in moved.answers
    current = moved.current_answers
    assert current["schema"] == SCHEMA_VERSION == 5
    assert current["steps"]["gate"]["kubernetes"] is True
    assert current["steps"]["features"]["must"] == ["mtls-http"]
    assert to_decision(current).cloud == "gcp"
    assert Questionnaire.objects.all().must_have_counts() == [("mtls-http", 1)]
    editors = Group.objects.get(name="Editors")
    view = editors.permissions.get(codename="view_questionnaire")
    assert (view.content_type.app_label, view.content_type.model) == (
        "questionnaire",
        "questionnaire",
    )
    assert not CurrentContentType.objects.filter(
        app_label="comparison", model="questionnaire"
    ).exists()
