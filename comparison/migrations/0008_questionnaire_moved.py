"""The Questionnaire model moved to the questionnaire app; its table stays (see there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comparison", "0007_bilingual_names"),
        ("questionnaire", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Questionnaire")],
            database_operations=[],
        ),
    ]
