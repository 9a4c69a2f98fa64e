"""Fill the kept reminders from the records (decision 0195)."""

from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from xuanren.reminders.kept import reminders_refresh_all

    reminders_refresh_all(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
