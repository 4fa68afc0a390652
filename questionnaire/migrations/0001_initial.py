"""Take over the Questionnaire model from the comparison app: same table, same rows.

Only Django's state moves (the table keeps its name, comparison_questionnaire); the content type
moves with it, so the Editors' view permission and the admin log entries stay attached.
"""

import uuid

from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="questionnaire", model="questionnaire").exists():
        ContentType.objects.filter(app_label="comparison", model="questionnaire").update(
            app_label="questionnaire"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="comparison", model="questionnaire").exists():
        ContentType.objects.filter(app_label="questionnaire", model="questionnaire").update(
            app_label="comparison"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("comparison", "0007_bilingual_names"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Questionnaire",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        ("answers", models.JSONField()),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("data_fingerprint", models.CharField(max_length=64)),
                        ("verdict", models.CharField(max_length=20)),
                        (
                            "shortlist",
                            models.JSONField(
                                default=list, help_text="Slugs of the ranked shortlist then."
                            ),
                        ),
                    ],
                    options={"db_table": "comparison_questionnaire", "ordering": ["-created"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
