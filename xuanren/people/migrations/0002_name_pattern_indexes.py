"""Prefix search on names and pinyin initials (see org 0002 for why)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS people_cadre_name_pattern "
            "ON people_cadre (name varchar_pattern_ops)"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS people_cadre_initials_pattern "
            "ON people_cadre (name_initials varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS people_cadre_name_pattern")
        schema_editor.execute("DROP INDEX IF EXISTS people_cadre_initials_pattern")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
