"""The structure targets shipped with the release (docs/decisions/0119): the
county documents ask for "一定的比例" and a better age structure without a
figure, so the counts and shares here are the department's setting of them;
`source` cites the document that asks for it by its own title and article.

Loaded by the data migration 0002 and, like the rule packs, made sure of
after every migrate (a test database's flush empties the table): a shipped
target missing by its code is created; one that exists is left as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xuanren.common.migrating import after_full_migrate

SECTION_RULES = "县关于选拔任用股级干部的规定"
SECTION_RULES_ARTICLE = (
    "第三项（4）（选拔任用股级干部时，对妇女干部、党外干部、"
    "少数民族干部和年轻干部在同等条件下要优先考虑，要确保一定的比例）"
)
COUNTY_OPINION = "本县《关于进一步加强科级领导班子建设的意见》"
COUNTY_OPINION_ARTICLE = (
    "（新提拔的党政“一把手”、副科级领导干部的年龄限制；超龄不提拔，改善班子的年龄结构）"
)
#: How the first release stored them, title and article in one text
#: (migration 0004 splits those rows).
COMBINED = {
    SECTION_RULES + SECTION_RULES_ARTICLE: (SECTION_RULES, SECTION_RULES_ARTICLE),
    COUNTY_OPINION + COUNTY_OPINION_ARTICLE: (COUNTY_OPINION, COUNTY_OPINION_ARTICLE),
}
SUBSECTION = ["subsection_principal", "subsection_deputy"]
SECTION = ["section_principal", "section_deputy"]
SINCE = dt.date(2000, 1, 1)

TARGETS: list[dict[str, Any]] = [
    {
        "code": "subsection-team-women",
        "name": "股级领导班子至少配备1名女干部",
        "kind": "women",
        "min_count": 1,
        "levels": SUBSECTION,
        "min_members": 2,
        "source": SECTION_RULES,
        "source_article": SECTION_RULES_ARTICLE,
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
        "source_article": SECTION_RULES_ARTICLE,
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
        "source_article": SECTION_RULES_ARTICLE,
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
        "source_article": COUNTY_OPINION_ARTICLE,
        "sort_order": 40,
    },
]


def load_shipped(model: Any) -> int:
    """Create the shipped targets that are missing (by code); how many were."""
    have = set(model.objects.values_list("code", flat=True))
    missing = [row for row in TARGETS if row["code"] not in have]
    # Migration 0002's model has no article field: title and article in one
    # text, as the first release stored them (migration 0004 splits them).
    split = any(f.name == "source_article" for f in model._meta.get_fields())
    rows = [
        row
        if split
        else {k: v for k, v in row.items() if k != "source_article"}
        | {"source": row["source"] + row["source_article"]}
        for row in missing
    ]
    model.objects.bulk_create([model(**row, effective_from=SINCE) for row in rows])
    return len(missing)


@after_full_migrate("xuanren.statistics")
def sync_targets_after_migrate() -> None:
    from xuanren.statistics.models import StructureTarget

    load_shipped(StructureTarget)
