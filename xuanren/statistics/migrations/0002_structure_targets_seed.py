"""The structure targets the county's documents ask for (docs/decisions/0119).
The documents ask for "一定的比例" and a better age structure without a figure:
the counts and shares here are the department's setting of them, changed by a
later data migration (a new row, the old one given an effective_to)."""

import datetime as dt

from django.db import migrations

SECTION_RULES = (
    "县关于选拔任用股级干部的规定第三项（4）（选拔任用股级干部时，对妇女干部、党外干部、"
    "少数民族干部和年轻干部在同等条件下要优先考虑，要确保一定的比例）"
)
COUNTY_OPINION = (
    "本县《关于进一步加强科级领导班子建设的意见》（新提拔的党政“一把手”、副科级领导干部的年龄限制；"
    "超龄不提拔，改善班子的年龄结构）"
)
SUBSECTION = ["subsection_principal", "subsection_deputy"]
SECTION = ["section_principal", "section_deputy"]
SINCE = dt.date(2000, 1, 1)

TARGETS = [
    {
        "code": "subsection-team-women",
        "name": "股级领导班子至少配备1名女干部",
        "kind": "women",
        "min_count": 1,
        "levels": SUBSECTION,
        "min_members": 2,
        "source": SECTION_RULES,
        "sort_order": 10,
    },
    {
        "code": "subsection-team-young",
        "name": "股级领导班子至少配备1名35周岁以下的年轻干部",
        "kind": "young",
        "min_count": 1,
        "age_at_most": 35,
        "levels": SUBSECTION,
        "min_members": 2,
        "source": SECTION_RULES,
        "sort_order": 20,
    },
    {
        "code": "subsection-team-non-party",
        "name": "3人以上的股级领导班子至少配备1名党外干部",
        "kind": "non_party",
        "min_count": 1,
        "levels": SUBSECTION,
        "min_members": 3,
        "source": SECTION_RULES,
        "sort_order": 30,
    },
    {
        "code": "section-team-young-share",
        "name": "科级领导班子中40周岁以下干部不少于30%",
        "kind": "young",
        "min_count": 0,
        "min_percent": 30,
        "age_at_most": 40,
        "levels": SECTION,
        "min_members": 3,
        "source": COUNTY_OPINION,
        "sort_order": 40,
    },
]


def load(apps, schema_editor):
    StructureTarget = apps.get_model("statistics", "StructureTarget")
    for row in TARGETS:
        StructureTarget.objects.update_or_create(
            code=row["code"], defaults={**row, "effective_from": SINCE}
        )


def unload(apps, schema_editor):
    StructureTarget = apps.get_model("statistics", "StructureTarget")
    StructureTarget.objects.filter(code__in=[t["code"] for t in TARGETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_structure_target")]

    operations = [migrations.RunPython(load, unload)]
