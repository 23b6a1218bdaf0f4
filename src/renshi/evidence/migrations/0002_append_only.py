"""The evidence tables become append-only (triggers per database), and the log state row."""

from django.db import migrations

from renshi.evidence.triggers import migration_install, migration_remove


def create_log_state(apps, schema_editor):
    state = apps.get_model("evidence", "EvidenceLogState")
    state.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial")]

    operations = [
        migrations.RunPython(migration_install, migration_remove),
        migrations.RunPython(create_log_state, migrations.RunPython.noop),
    ]
