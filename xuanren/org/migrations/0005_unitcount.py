"""The per-unit counts (docs/decisions/0136): the table, filled here from the
records already in the database (four grouped queries; seconds at a million
cadres), after which the services keep it."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def fill(apps, schema_editor):
    from xuanren.org.counts import grouped_counts

    alias = schema_editor.connection.alias
    counts = grouped_counts(
        cadre=apps.get_model("people", "Cadre"),
        post=apps.get_model("org", "Post"),
        quota=apps.get_model("org", "Quota"),
        tenure=apps.get_model("people", "Tenure"),
        using=alias,
    )
    UnitCount = apps.get_model("org", "UnitCount")
    rows = [
        UnitCount(unit_id=u, level=lv, cadres=c, posts=p, approved=a, filled=f)
        for (u, lv), (c, p, a, f) in sorted(counts.items())
    ]
    UnitCount.objects.using(alias).bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0004_post_title_pinyin'),
        ('people', '0012_tenure_probation_cadre_active_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='UnitCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(blank=True, choices=[('bureau_principal', '正厅级'), ('bureau_deputy', '副厅级'), ('division_principal', '正处级'), ('division_deputy', '副处级'), ('section_principal', '正科级'), ('section_deputy', '副科级'), ('subsection_principal', '正股级'), ('subsection_deputy', '副股级')], default='', max_length=32, verbose_name='职务层次')),
                ('cadres', models.IntegerField(default=0, verbose_name='在职干部数')),
                ('posts', models.IntegerField(default=0, verbose_name='职位数')),
                ('approved', models.IntegerField(default=0, verbose_name='核定职数')),
                ('filled', models.IntegerField(default=0, verbose_name='在任人数')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='counts', to='org.unit', verbose_name='单位')),
            ],
            options={
                'verbose_name': '单位计数',
                'verbose_name_plural': '单位计数',
                'constraints': [models.UniqueConstraint(fields=('unit', 'level'), name='unitcount_unique_unit_level')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
