"""The post picker at scale (docs/decisions/0140): posts get their title's
pinyin initials and full pinyin (filled here, once per distinct title, in
batches), indexed for prefix matches like the units' (decision 0117); and on
PostgreSQL only, trigram indexes (pg_trgm) for the picker's contains matches
on post titles and unit names and short names. Django's icontains compares
UPPER(column::text), so the indexes are on that expression. SQLite has no
pg_trgm: there both the extension and these indexes are skipped."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

BATCH = 2000

#: (index name, table, column) of the trigram indexes.
TRIGRAM_INDEXES = [
    ("org_post_title_trgm", "org_post", "title"),
    ("org_unit_name_trgm", "org_unit", "name"),
    ("org_unit_short_name_trgm", "org_unit", "short_name"),
]


def fill(apps, schema_editor):
    from xuanren.org.pinyin import unit_pinyin

    Post = apps.get_model("org", "Post")
    alias = schema_editor.connection.alias
    seen: dict[str, tuple[str, str]] = {}
    last = 0
    while True:
        posts = list(
            Post.objects.using(alias).filter(pk__gt=last).order_by("pk").only("pk", "title")[:BATCH]
        )
        if not posts:
            return
        for post in posts:
            if post.title not in seen:
                seen[post.title] = unit_pinyin(post.title)
            post.title_initials, post.title_pinyin = seen[post.title]
        Post.objects.using(alias).bulk_update(posts, ["title_initials", "title_pinyin"])
        last = posts[-1].pk


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("org", "0003_unit_pinyin")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="title_initials",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=60,
                verbose_name="职务名称拼音首字母",
            ),
        ),
        migrations.AddField(
            model_name="post",
            name="title_pinyin",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=255,
                verbose_name="职务名称拼音",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["title_initials"],
                name="org_post_initials_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(
                fields=["title_pinyin"],
                name="org_post_pinyin_pattern",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        # A no-op on SQLite (Django's operation checks the vendor itself).
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
