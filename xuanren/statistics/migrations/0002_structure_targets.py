"""Load the structure targets shipped with the release (docs/decisions/0119)."""

from django.db import migrations


def load(apps, schema_editor):
    from xuanren.statistics.targets import load_shipped

    load_shipped(apps.get_model("statistics", "StructureTarget"))


def unload(apps, schema_editor):
    from xuanren.statistics.targets import TARGETS

    StructureTarget = apps.get_model("statistics", "StructureTarget")
    StructureTarget.objects.filter(code__in=[t["code"] for t in TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_structure_target")]

    operations = [migrations.RunPython(load, unload)]
