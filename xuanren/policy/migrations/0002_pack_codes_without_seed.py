"""Rename the shipped rule packs' codes that carried the word "seed"
(docs/decisions/0059): county-seed2 → county-leading-rules, section-level-seed3
→ section-level-rules, in the loaded packs and in the posts' own choices of
packs. Reversible. The journal keeps the events as they were written."""

from typing import Any

from django.db import migrations

RENAMES = {
    "county-seed2": "county-leading-rules",
    "section-level-seed3": "section-level-rules",
}


def _rename(apps: Any, names: dict[str, str]) -> None:
    RulePack = apps.get_model("policy", "RulePack")
    PostRulePacks = apps.get_model("policy", "PostRulePacks")
    for old, new in names.items():
        for pack in RulePack.objects.filter(code=old):
            twin = RulePack.objects.filter(code=new, version=pack.version).first()
            if twin is not None:
                if twin.sha256 == pack.sha256:
                    pack.delete()  # the same version is already loaded under the new code
                continue  # a different pack under that code: left for the administrator
            pack.code = new
            pack.save(update_fields=["code"])
    for choice in PostRulePacks.objects.all():
        codes = [names.get(c, c) for c in choice.pack_codes]
        if codes != choice.pack_codes:
            choice.pack_codes = codes
            choice.save(update_fields=["pack_codes"])


def forwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, RENAMES)


def backwards(apps: Any, schema_editor: Any) -> None:
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
