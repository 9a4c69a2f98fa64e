"""The shipped targets stored the document's title and the article in one
text; the editing page (docs/decisions/0143) keeps them apart."""

from django.db import migrations


def split(apps, schema_editor):
    from xuanren.statistics.targets import COMBINED

    StructureTarget = apps.get_model("statistics", "StructureTarget")
    for combined, (title, article) in COMBINED.items():
        StructureTarget.objects.filter(source=combined).update(
            source=title, source_article=article
        )


def join(apps, schema_editor):
    from xuanren.statistics.targets import COMBINED

    StructureTarget = apps.get_model("statistics", "StructureTarget")
    for combined, (title, article) in COMBINED.items():
        StructureTarget.objects.filter(source=title, source_article=article).update(
            source=combined, source_article=""
        )


class Migration(migrations.Migration):
    dependencies = [("statistics", "0003_structure_target_editing")]

    operations = [migrations.RunPython(split, join)]
