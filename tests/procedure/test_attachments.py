import hashlib

import pytest

from tests.procedure.conftest import open_case
from xuanren.common.errors import PermissionDenied, ValidationFailed
from xuanren.journal.models import Event, EventType
from xuanren.procedure.services import attachment_path, case_attachment_add

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_stored_by_hash_once_and_journalled(personas, county, committee):
    case = open_case(personas, county, committee)
    a = case_attachment_add(actor=personas.case_officer, case=case, name="方案.pdf", content=PDF,
                            content_type="application/pdf")  # fmt: skip
    sha = hashlib.sha256(PDF).hexdigest()
    assert a.sha256 == sha and attachment_path(sha).read_bytes() == PDF
    b = case_attachment_add(actor=personas.case_officer, case=case, name="方案副本.pdf", content=PDF,
                            content_type="application/pdf")  # fmt: skip
    assert b.sha256 == a.sha256 and b.pk != a.pk
    assert Event.objects.filter(event_type=EventType.ATTACHMENT_ADDED).count() == 2


def test_type_size_and_permission_checked(personas, county, committee):
    case = open_case(personas, county, committee)
    officer = personas.case_officer
    with pytest.raises(ValidationFailed, match="只接受"):
        case_attachment_add(
            actor=officer,
            case=case,
            name="x.exe",
            content=b"MZ",
            content_type="application/x-msdownload",
        )
    with pytest.raises(ValidationFailed, match="不符"):
        case_attachment_add(
            actor=officer, case=case, name="x.pdf", content=b"MZ...", content_type="application/pdf"
        )
    with pytest.raises(ValidationFailed, match="20 MB"):
        case_attachment_add(actor=officer, case=case, name="big.pdf", content=PDF + b"0" * (20 * 1024 * 1024),
                            content_type="application/pdf")  # fmt: skip
    with pytest.raises(PermissionDenied):
        case_attachment_add(actor=personas.committee_member, case=case, name="x.pdf", content=PDF,
                            content_type="application/pdf")  # fmt: skip
