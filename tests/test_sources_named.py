"""Every rule and step names the document it comes from by its own title and
article (docs/decisions/0059); no page, template, rule pack or catalogue entry
a user can see names the project's internal source file instead of the
document (the words are listed in FORBIDDEN below)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.urls import reverse

from tests.web.helpers import page_text
from xuanren.policy.models import RulePack
from xuanren.policy.packs import read_pack_file, shipped_pack_files
from xuanren.procedure.catalogue import DEFINITION_DIR, GUARDS, STEPS, read_template_file
from xuanren.procedure.models import ProcedureTemplate
from xuanren.procedure.services import case_open, committee_create, committee_member_add

pytestmark = pytest.mark.django_db

FORBIDDEN = re.compile(r"种子|seed", re.IGNORECASE)
REGULATION = "《党政领导干部选拔任用工作条例》（2019）"
COUNTY_OPINION = "《关于进一步加强科级领导班子建设的意见》"
SECTION_RULES = "县关于选拔任用股级干部的规定"
#: Titles that must never be cited: the seed text gives the 股级 rules no title.
INVENTED = ("股级干部选拔任用工作办法", "关于加强和改进干部选拔任用工作的意见")


def clean(text: str, where: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, f"{where}: …{text[max(0, found.start() - 40) : found.end() + 40]}…"
    for title in INVENTED:
        assert title not in text, f"{where}: {title}"


def test_loaded_templates_cite_documents_for_the_template_and_every_step():
    templates = list(ProcedureTemplate.objects.all())
    assert {t.code for t in templates} == {"county-leading", "section-level", "competitive"}
    for t in templates:
        clean(f"{t.name} {t.source}", str(t))
        assert t.source
        for step in t.steps:
            source = step.get("source", "")
            clean(source, f"{t} {step['code']}")
            assert REGULATION in source or SECTION_RULES in source, (t, step["code"], source)
    county = ProcedureTemplate.objects.filter(code="county-leading").latest("version")
    assert COUNTY_OPINION in county.source
    decision = next(s for s in county.steps if s["code"] == "decision")
    assert decision["source"].startswith(REGULATION + "第六章 讨论决定")


def test_template_files_name_no_internal_source():
    for path in sorted(DEFINITION_DIR.glob("*.toml")):
        clean(path.read_text(encoding="utf-8").split("\n", 1)[1], path.name)  # code lines stay
        read_template_file(path)  # and still parse


def test_rule_packs_cite_their_documents():
    packs = list(RulePack.objects.all())
    assert packs
    for pack in packs:
        clean(f"{pack.name} {pack.source}", pack.code)
        for rule in pack.rules:
            clean(f"{rule.get('title', '')} {rule.get('source', '')}", rule["id"])
    latest = {p.code: p for p in sorted(packs, key=lambda p: p.version)}
    assert latest["county-leading-rules"].source == f"本县{COUNTY_OPINION}"
    assert latest["section-level-rules"].source == f"{SECTION_RULES}第三项"
    national = {r["id"]: r for r in latest["national-2019"].rules}
    assert national["national.work_years"]["source"] == f"{REGULATION}第八条第（一）项"
    assert "第五章 考察" in national["national.negative.assessment"]["source"]
    for path in shipped_pack_files():
        data = read_pack_file(path)
        clean(json.dumps(data, ensure_ascii=False, default=str), path.name)
        clean(path.name, path.name)


def test_no_pack_or_template_code_shown_to_users_says_seed(client, admin, county):
    """Codes are shown too (the API, the administration pages): the loaded
    packs and templates, the shipped files and their names, and the pages
    that list them name no internal source."""
    for pack in RulePack.objects.all():
        clean(f"{pack.code} {pack.name} {pack.source}", pack.code)
    for template in ProcedureTemplate.objects.all():
        clean(f"{template.code} {template.name} {template.source}", template.code)
    for path in sorted(DEFINITION_DIR.glob("*.toml")):
        clean(f"{path.name} {path.read_text(encoding='utf-8')}", path.name)
    from xuanren.org.models import Level
    from xuanren.org.services import post_create

    office = post_create(
        actor=admin, unit=county.town_office, title="副股长", level=Level.SUBSECTION_DEPUTY
    )
    client.force_login(admin)
    seen = set()
    for post in (county.town_secretary, office):
        rules = client.get(f"/api/v1/posts/{post.pk}/rules").json()
        seen |= {r["pack"] for r in rules}
    assert seen == {"county-leading-rules", "section-level-rules", "national-2019"}
    for url in (
        f"/api/v1/posts/{county.town_secretary.pk}/rules",
        f"/api/v1/posts/{office.pk}/rules",
        "/api/v1/procedure-templates",
        reverse("admin:policy_rulepack_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        clean(response.content.decode(), url)


def test_catalogue_names_nothing_internal():
    for table in (STEPS, GUARDS):
        for code, label in table.items():
            clean(str(label), code)


@pytest.fixture
def case(county: Any, admin: Any, personas: Any) -> Any:
    committee = committee_create(
        actor=admin, unit=county.root, name="中共青山县委常委会", kind="standing_committee"
    )
    for i in range(11):
        committee_member_add(
            actor=admin, committee=committee, name=f"常委{i}", start_date=dt.date(2021, 10, 1)
        )
    return case_open(
        actor=personas.case_officer,
        title="城关镇副镇长选任",
        template_code="county-leading",
        unit=county.root,
        committee=committee,
        posts=[(county.town_deputy, 1)],
        reference_date=dt.date(2026, 11, 27),
    )


def test_case_record_and_candidate_pages_name_no_internal_source(
    client, county, personas, case, make_cadre
):
    client.force_login(personas.case_officer)
    cadre = make_cadre(county.town)
    pages = {
        "case": reverse("web:case_detail", args=[case.pk]),
        "record": reverse("web:case_record", args=[case.pk]),
        "record json": reverse("web:case_record_json", args=[case.pk]),
        "templates": reverse("web:case_new"),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        clean(page_text(response), where)
    detail = page_text(client.get(pages["case"]))
    assert "依据：" + REGULATION + "第三章 分析研判和动议" in detail
    assert COUNTY_OPINION in page_text(client.get(pages["record"]))
    params = {"post": county.town_secretary.pk, "ref_date": "2026-11-27"}
    search = client.get(reverse("web:candidates"), params)
    assert search.status_code == 200
    clean(page_text(search), "candidates")
    explain = client.get(
        reverse("web:candidate_explain"),
        {**params, "cadre": cadre.pk},
        headers={"HX-Request": "true"},
    )
    assert explain.status_code == 200
    text = page_text(explain)
    clean(text, "explanation")
    assert COUNTY_OPINION in text
