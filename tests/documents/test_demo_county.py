"""Every document from the demo county (synthetic data, built the way the
demo is): approval forms of ordinary cadres are two pages, and each demo
case yields its ZIP, 纪实 and (where published) notice."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.core.cache import cache

from tests.documents.conftest import pdf_pages, pdf_text
from xuanren.documents.approval_form import FormContext
from xuanren.documents.services import (
    approval_form_generate,
    approval_forms_zip_generate,
    case_record_generate,
    notice_generate,
)
from xuanren.people.models import Cadre
from xuanren.synth.cases import build_demo_cases
from xuanren.synth.demo import demo_users
from xuanren.synth.loader import seed

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 27)


@pytest.fixture
def demo(settings: Any, monkeypatch: pytest.MonkeyPatch, django_user_model: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    root = seed(cadres=1500, units=60, seed=7, as_of=ON).root
    monkeypatch.setattr("xuanren.synth.demo.build_demo_cases", lambda **kwargs: [])
    demo_users()
    admin = django_user_model.objects.get(username="admin")
    built = build_demo_cases(admin=admin, county_root=root, on=ON)
    yield {d.stage: d.case for d in built}, django_user_model.objects.get(username="officer")
    cache.clear()


def test_documents_of_the_demo_county(demo: Any, tmp_path: Any) -> None:
    cases, officer = demo
    # Approval forms of a spread of demo cadres: two A4 pages each.
    cadres = list(Cadre.objects.order_by("id").values_list("pk", flat=True)[::300])
    assert len(cadres) >= 5
    for pk in cadres:
        f = approval_form_generate(actor=officer, cadre_pk=pk, context=FormContext(), fmt="pdf")
        assert pdf_pages(f.data, tmp_path) == 2, pk
        name = Cadre.objects.get(pk=pk).name
        assert name in pdf_text(f.data, tmp_path).replace(" ", "")
    # Each case: its forms (where it has candidates) and its 纪实.
    for stage, case in cases.items():
        record = case_record_generate(actor=officer, case_pk=case.pk)
        assert case.number in pdf_text(record.data, tmp_path), stage
        if case.candidates.exclude(status__in=["excluded", "rejected"]).exists():
            z = approval_forms_zip_generate(actor=officer, case_pk=case.pk)
            with zipfile.ZipFile(io.BytesIO(z.data)) as archive:
                assert archive.namelist(), stage
    notice = notice_generate(actor=officer, case_pk=cases["public_notice"].pk, fmt="pdf")
    assert "任前公示" in pdf_text(notice.data, tmp_path)
    notice = notice_generate(actor=officer, case_pk=cases["public_notice"].pk, fmt="docx")
    assert notice.data.startswith(b"PK")
