import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.policy.models import RulePack
from xuanren.policy.packs import PACK_DIR
from xuanren.policy.selectors import pack_codes_for_post, rules_for_post
from xuanren.policy.services import post_rule_packs_set, rule_pack_load

pytestmark = pytest.mark.django_db

PACK = """
code = "test-pack"
version = {version}
name = "测试"
source = "测试来源"
effective_from = {start}
default_for_levels = ["subsection_deputy"]

[[rules]]
id = "t.age"
title = "年龄在 {age} 周岁以下"
measure = "age"
comparator = "{word}"
value = {age}
"""


def write(tmp_path: Path, name: str = "p.toml", **kw) -> Path:
    values = {"version": 1, "start": "2020-01-01", "age": 50, "word": "以下", **kw}
    path = tmp_path / name
    path.write_text(PACK.format(**values), encoding="utf-8")
    return path


def test_shipped_packs_are_loaded_by_migrate():
    codes = set(RulePack.objects.values_list("code", flat=True))
    assert codes == {p.stem for p in PACK_DIR.glob("*.toml")}


def test_new_version_loads_and_same_content_is_a_no_op(tmp_path, admin):
    path = write(tmp_path)
    pack = rule_pack_load(actor=admin, path=path)
    assert pack is not None
    assert Event.objects.filter(
        event_type=EventType.RULE_PACK_LOADED, subject_id=str(pack.pk)
    ).exists()
    assert rule_pack_load(actor=admin, path=path) is None


def test_changing_a_loaded_version_needs_a_new_version(tmp_path, admin):
    rule_pack_load(actor=admin, path=write(tmp_path))
    with pytest.raises(Conflict, match="提高版本号"):
        rule_pack_load(actor=admin, path=write(tmp_path, age=45))
    assert rule_pack_load(actor=admin, path=write(tmp_path, age=45, version=2))


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"word": "大约"}, "comparator"),
        ({"age": -1}, "value"),
    ],
)
def test_malformed_rule_is_refused_naming_the_rule(tmp_path, admin, kw, needle):
    with pytest.raises(ValidationFailed, match=needle) as info:
        rule_pack_load(actor=admin, path=write(tmp_path, **kw))
    assert "t.age" in str(info.value)
    assert not RulePack.objects.filter(code="test-pack").exists()


def test_not_toml_is_refused(tmp_path, admin):
    path = tmp_path / "bad.toml"
    path.write_text("code = [", encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"bad\.toml"):
        rule_pack_load(actor=admin, path=path)


def test_only_administrators_load_packs(tmp_path, personas):
    with pytest.raises(PermissionDenied):
        rule_pack_load(actor=personas.case_officer, path=write(tmp_path))


def test_version_in_force_on_the_reference_date(tmp_path, admin, county):
    from xuanren.org.models import Level
    from xuanren.org.services import post_create

    rule_pack_load(actor=admin, path=write(tmp_path, version=1, start="2020-01-01", age=50))
    rule_pack_load(actor=admin, path=write(tmp_path, version=2, start="2026-01-01", age=45))
    post = post_create(
        actor=admin, unit=county.town_office, title="副股长", level=Level.SUBSECTION_DEPUTY
    )
    post_rule_packs_set(actor=admin, post=post, pack_codes=["test-pack"])
    assert pack_codes_for_post(post) == ["test-pack"]
    (old,) = rules_for_post(post, dt.date(2025, 12, 31))
    (new,) = rules_for_post(post, dt.date(2026, 1, 1))
    assert old.condition.value == 50
    assert new.condition.value == 45


def test_post_without_choice_uses_defaults_for_its_level(county):
    assert pack_codes_for_post(county.town_secretary) == ["county-leading-rules", "national-2019"]


def test_unknown_pack_for_a_post_refused(admin, county):
    with pytest.raises(ValidationFailed, match="未知"):
        post_rule_packs_set(actor=admin, post=county.town_secretary, pack_codes=["nope"])


def test_admin_upload_page(client, admin, tmp_path):
    client.force_login(admin)
    assert client.get("/admin/policy/rulepack/upload/").status_code == 200
    upload = SimpleUploadedFile("p.toml", write(tmp_path).read_bytes())
    response = client.post("/admin/policy/rulepack/upload/", {"file": upload})
    assert response.status_code == 302
    assert RulePack.objects.filter(code="test-pack").exists()
    bad = SimpleUploadedFile("p.toml", b"code = [")
    response = client.post("/admin/policy/rulepack/upload/", {"file": bad})
    assert response.status_code == 200
    assert "TOML" in response.content.decode()


# ---- pack codes without "seed" (policy migration 0002, docs/decisions/0059) ---------------


def _code_migration():
    import importlib

    return importlib.import_module("xuanren.policy.migrations.0002_pack_codes_without_seed")


def test_the_rename_migration_renames_stored_codes_and_back(admin, county):
    """A database loaded before the rename: its packs and its posts' choices
    carry the old codes; the migration renames both, and reverses."""
    from django.apps import apps

    from xuanren.policy.models import PostRulePacks

    migration = _code_migration()
    post = county.town_secretary
    # Put the database back as it was before the rename (through the
    # migration's own reverse), with a post's choice of packs.
    PostRulePacks.objects.create(post=post, pack_codes=["county-leading-rules", "national-2019"])
    other = PostRulePacks.objects.create(post=county.town_deputy, pack_codes=["national-2019"])
    migration.backwards(apps, None)
    codes = set(RulePack.objects.values_list("code", flat=True))
    assert {"county-seed2", "section-level-seed3", "national-2019"} <= codes
    assert not {"county-leading-rules", "section-level-rules"} & codes
    assert PostRulePacks.objects.get(post=post).pack_codes == ["county-seed2", "national-2019"]
    before = {p.pk: (p.version, p.sha256) for p in RulePack.objects.all()}

    migration.forwards(apps, None)
    codes = set(RulePack.objects.values_list("code", flat=True))
    assert {"county-leading-rules", "section-level-rules", "national-2019"} <= codes
    assert not any("seed" in c for c in codes)
    assert {p.pk: (p.version, p.sha256) for p in RulePack.objects.all()} == before
    assert pack_codes_for_post(post) == ["county-leading-rules", "national-2019"]
    assert PostRulePacks.objects.get(pk=other.pk).pack_codes == ["national-2019"]
    # The shipped files match what is stored: nothing new to load.
    from xuanren.policy.services import rule_packs_sync_shipped

    assert rule_packs_sync_shipped() == []


def test_the_rename_migration_merges_a_version_already_loaded_under_the_new_code(admin):
    """Were the renamed file loaded before the migration ran, the old row of
    the same content goes; one of different content is left alone."""
    from django.apps import apps

    migration = _code_migration()
    new = RulePack.objects.get(code="county-leading-rules")
    twin = RulePack.objects.create(
        **{f.name: getattr(new, f.name) for f in RulePack._meta.fields if f.name not in ("id",)}
        | {"code": "county-seed2"}
    )
    differs = RulePack.objects.get(code="section-level-rules")
    stale = RulePack.objects.create(
        **{f.name: getattr(differs, f.name) for f in RulePack._meta.fields if f.name != "id"}
        | {"code": "section-level-seed3", "sha256": "0" * 64}
    )
    migration.forwards(apps, None)
    assert not RulePack.objects.filter(pk=twin.pk).exists()
    assert RulePack.objects.filter(code="county-leading-rules").count() == 1
    assert RulePack.objects.get(pk=stale.pk).code == "section-level-seed3"
