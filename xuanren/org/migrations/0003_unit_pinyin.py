"""Units get their name's pinyin initials and full pinyin for the unit picker
(docs/decisions/0117): two columns, filled here for the existing units (in
batches, so 10,000 units are a few seconds), then indexed for prefix matches
(varchar_pattern_ops on PostgreSQL)."""

from django.db import migrations, models

BATCH = 2000


def fill(apps, schema_editor):
    from xuanren.org.pinyin import unit_pinyin

    Unit = apps.get_model("org", "Unit")
    alias = schema_editor.connection.alias
    last = 0
    while True:
        units = list(
            Unit.objects.using(alias).filter(pk__gt=last).order_by("pk").only("pk", "name")[:BATCH]
        )
        if not units:
            return
        for unit in units:
            unit.name_initials, unit.name_pinyin = unit_pinyin(unit.name)
        Unit.objects.using(alias).bulk_update(units, ["name_initials", "name_pinyin"])
        last = units[-1].pk


class Migration(migrations.Migration):
    dependencies = [("org", "0002_path_pattern_index")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="name_initials",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=100,
                verbose_name="名称拼音首字母",
            ),
        ),
        migrations.AddField(
            model_name="unit",
            name="name_pinyin",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=255, verbose_name="名称拼音"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(
                fields=["name_initials"],
                name="org_unit_initials_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(
                fields=["name_pinyin"],
                name="org_unit_pinyin_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
