"""Upload limits at the service level (issue 10): the permission before a byte
is read, the declared size, the ZIP directory, the counted bytes, the sheet's
extent before any cell is parsed; refused uploads keep nothing. The live
server versions of these attacks are in tests/security/test_uploads.py."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import IO, Any, cast

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.exchange.test_lrmx_import import export, wipe
from tests.security import attack_files as attacks
from xuanren.common import uploads
from xuanren.common.errors import Conflict, PermissionDenied, ValidationFailed
from xuanren.common.uploads import UploadRefused, UploadTooLarge, _scan_sheet, xlsx_limits
from xuanren.exchange import lrmx_services
from xuanren.exchange import xlsx_import as xlsx_module
from xuanren.exchange.lrmx_services import (
    import_batches_purge,
    lrmx_import_confirm,
    lrmx_import_preview,
)
from xuanren.exchange.models import ImportBatch, ImportStatus
from xuanren.exchange.xlsx_import import xlsx_import
from xuanren.journal.models import Event, EventType
from xuanren.people.models import Cadre

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


class Poisoned(io.RawIOBase):
    """An upload that fails the test if anything reads or seeks it."""

    def __init__(self, size: int, name: str = "x.xlsx") -> None:
        self.size = size
        self.name = name

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the upload was read")

    def seek(self, *args: Any) -> int:
        raise AssertionError("the upload was opened")

    def tell(self) -> int:
        raise AssertionError("the upload was opened")


def poisoned(size: int) -> IO[bytes]:
    return cast(IO[bytes], Poisoned(size))


@pytest.fixture
def zhang(admin: Any, county: Any, make_cadre: Any) -> Cadre:
    return make_cadre(county.town, name="张伟")


# ---- permission first ---------------------------------------------------------------


def test_xlsx_outsider_is_refused_before_a_byte_is_read(personas: Any, monkeypatch: Any) -> None:
    def parser_called(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("parsed before the permission check")

    monkeypatch.setattr(xlsx_module, "check_workbook", parser_called)
    monkeypatch.setattr(xlsx_module, "CalamineWorkbook", parser_called)
    with pytest.raises(PermissionDenied, match="没有导入数据的权限"):
        xlsx_import(actor=personas.outsider, content=poisoned(22 * 1024))
    with pytest.raises(PermissionDenied):
        xlsx_import(actor=personas.outsider, content=attacks.dimension_bomb())


def test_lrmx_outsider_is_refused_before_a_byte_is_read(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        lrmx_import_preview(actor=personas.outsider, upload_name="a.zip", data=poisoned(1000))
    assert ImportBatch.objects.count() == 0


def test_declared_size_is_refused_without_reading(admin: Any, settings: Any) -> None:
    with pytest.raises(
        UploadTooLarge, match="超过上限 20 MB（设置项 XUANREN_XLSX_MAX_UPLOAD_BYTES）"
    ):
        xlsx_import(actor=admin, content=poisoned(21 * MB))
    with pytest.raises(UploadTooLarge, match="XUANREN_LRMX_MAX_UPLOAD_BYTES"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=poisoned(101 * MB))
    assert UploadTooLarge.http_status == 413


# ---- workbooks ----------------------------------------------------------------------


def test_the_issue_workbook_is_refused_by_its_declared_dimension(admin: Any) -> None:
    content = attacks.dimension_bomb()
    assert len(content) < 30 * 1024
    with pytest.raises(UploadRefused) as caught:
        xlsx_import(actor=admin, content=content, filename="bomb.xlsx")
    assert caught.value.message == (
        "工作表“干部”声明的范围为 16384 列 × 1048576 行，超过上限 100 列 × 200000 行"
        "（设置项 XUANREN_XLSX_MAX_COLUMNS、XUANREN_XLSX_MAX_ROWS，不含第 1 行列名）。"
        "请删除多余的行列后重新上传。"
    )
    assert caught.value.http_status == 422


def test_a_cell_far_away_is_refused_though_the_dimension_is_small(admin: Any) -> None:
    with pytest.raises(UploadRefused, match=r"含有单元格的范围达 \d+ 列 × 1048576 行"):
        xlsx_import(actor=admin, content=attacks.far_cell())
    same_row = attacks.workbook(
        [attacks.header_row(), b'<row r="2"><c r="XFD2" t="n"><v>1</v></c></row>'],
        dimension="A1:Z2",
    )
    with pytest.raises(UploadRefused, match="含有单元格的范围达 16384 列 × 2 行"):
        xlsx_import(actor=admin, content=same_row)


def test_cells_without_addresses_are_counted(admin: Any) -> None:
    with pytest.raises(UploadRefused, match="101 列"):
        xlsx_import(actor=admin, content=attacks.wide_row_without_addresses(150))


def test_rows_over_the_limit_are_refused_and_the_limit_itself_passes(
    admin: Any, settings: Any, county: Any
) -> None:
    settings.XUANREN_XLSX_MAX_ROWS = 50
    with pytest.raises(UploadRefused, match="超过上限 100 列 × 50 行"):
        xlsx_import(actor=admin, content=attacks.many_rows(51))
    # 50 data rows pass the limits and reach the row checks (these rows are
    # not valid cadres, so the import lists their errors instead).
    with pytest.raises(ValidationFailed) as caught:
        xlsx_import(actor=admin, content=attacks.many_rows(50))
    assert not isinstance(caught.value, UploadRefused)
    assert Cadre.objects.count() == 0


def test_a_workbook_bomb_is_refused_by_its_directory(admin: Any) -> None:
    content = attacks.xlsx_bomb(300 * MB)
    assert len(content) < 1 * MB
    with pytest.raises(UploadRefused, match="超过单个文件上限 250 MB"):
        xlsx_import(actor=admin, content=content)
    with pytest.raises(UploadRefused, match=r"压缩比为 1\d\d\d:1，超过上限 100:1"):
        xlsx_import(actor=admin, content=attacks.xlsx_bomb(20 * MB))


def test_a_file_that_is_not_a_workbook_is_refused_by_its_content(admin: Any) -> None:
    with pytest.raises(UploadRefused, match="文件内容与扩展名不符"):
        xlsx_import(actor=admin, content=b"%PDF-1.7\n" + b"x" * 100, filename="a.xlsx")
    with pytest.raises(UploadRefused, match="文件内容与扩展名不符"):
        xlsx_import(actor=admin, content=attacks.nested(b"x", "a.txt"), filename="a.xlsx")


def test_a_shared_strings_table_is_capped(admin: Any, settings: Any) -> None:
    settings.XUANREN_XLSX_MAX_SHARED_STRINGS = 1000
    content = attacks.workbook([attacks.header_row()])
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info, source.read(info))
        strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(1001))
        out.writestr("xl/sharedStrings.xml", b"<sst>" + strings + b"</sst>")
    with pytest.raises(UploadRefused, match="共享字符串超过上限 1000 条"):
        xlsx_import(actor=admin, content=buffer.getvalue())


def _blocks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 64, 4096])
def test_the_scan_sees_a_far_cell_cut_at_any_block_boundary(size: int) -> None:
    limits = xlsx_limits()
    far = b'<sheetData><row r="1"><c r="A1"/><c r="XFD1" t="n"><v>1</v></c></row></sheetData>'
    with pytest.raises(UploadRefused, match="16384 列"):
        _scan_sheet(_blocks(far, size), "干部", limits)
    deep = b'<sheetData><row r="1"><c r="A1"/></row><row r="200002"><c r="A200002"/></row>'
    with pytest.raises(UploadRefused, match="200002 行"):
        _scan_sheet(_blocks(deep, size), "干部", limits)
    fine = b'<sheetData><row r="1"><c r="CV1"/></row><row r="200001"><c r="A200001"/></row>'
    _scan_sheet(_blocks(fine, size), "干部", limits)


def test_the_scan_reads_prefixed_tags_and_addresses_in_any_order() -> None:
    limits = xlsx_limits()
    for xml in (
        b'<x:sheetData><x:row r="1"><x:c r="XFD1"/></x:row></x:sheetData>',
        b'<sheetData><row r="1"><c s="1" r="CW1"/></row></sheetData>',
        b'<sheetData><row spans="1:2"><c t="s"/></row>' + b"<row/>" * 200_001,
    ):
        with pytest.raises(UploadRefused):
            _scan_sheet([xml], "干部", limits)


def test_a_tag_longer_than_the_tail_is_refused() -> None:
    xml = b'<sheetData><row r="1"><c r="A1" ' + b'x="y" ' * 2000
    with pytest.raises(UploadRefused, match="格式异常"):
        _scan_sheet(_blocks(xml, 1024), "干部", xlsx_limits())


# ---- LRMX archives ------------------------------------------------------------------


def test_lrmx_zip_bomb_is_refused_by_its_directory(admin: Any) -> None:
    content = attacks.zip_bomb("a.lrmx", 50 * MB)
    with pytest.raises(UploadRefused, match="超过单个文件上限 5 MB"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=content)
    assert ImportBatch.objects.count() == 0


def test_lrmx_many_members_are_refused_by_count(admin: Any) -> None:
    with pytest.raises(UploadRefused, match="2001 个文件，超过上限 2000 个"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=attacks.many_members(2001))


def test_lrmx_archive_ratio_is_capped(admin: Any) -> None:
    content = attacks.many_small_lrmx(300, 20_000)
    assert len(content) < 200 * 1024
    with pytest.raises(UploadRefused, match=r"压缩比.*超过上限 100:1"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=content)
    assert ImportBatch.objects.count() == 0


def test_lrmx_total_uncompressed_is_capped(admin: Any, settings: Any, zhang: Cadre) -> None:
    settings.XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES = 1000
    data = export(zhang)
    content = attacks.nested(data, "a.lrmx")
    with pytest.raises(UploadRefused, match="XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=content)


def test_lrmx_nested_zip_is_refused(admin: Any) -> None:
    inner = attacks.zip_bomb("b.lrmx", 1 * MB)
    with pytest.raises(UploadRefused, match="压缩包套压缩包"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=attacks.nested(inner))


def test_lrmx_lying_directory_is_refused_while_reading(admin: Any, zhang: Cadre) -> None:
    content = attacks.lying_directory("a.lrmx", export(zhang) * 3, claimed=100)
    with pytest.raises(UploadRefused, match=r"已损坏|不符"):
        lrmx_import_preview(actor=admin, upload_name="a.zip", data=content)
    assert ImportBatch.objects.count() == 0


def test_the_counted_read_stops_a_member_longer_than_declared() -> None:
    info = zipfile.ZipInfo("a.lrmx")
    info.file_size, info.compress_size = 10, 10

    class Archive:
        def open(self, _info: Any) -> Any:
            return io.BytesIO(b"x" * 100)

    limits = uploads.zip_limits()
    with pytest.raises(UploadRefused, match="与其目录所记不符"):
        uploads.read_member(Archive(), info, budget=uploads.Budget(10**9), limits=limits)  # type: ignore[arg-type]


def test_lrmx_single_file_over_5_mb_is_refused(admin: Any) -> None:
    with pytest.raises(UploadTooLarge, match="超过上限 5 MB（设置项 XUANREN_LRMX_MAX_FILE_BYTES）"):
        lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=b"<" * (5 * MB + 1))


# ---- what a batch keeps, and for how long -------------------------------------------------


def test_a_batch_keeps_only_files_that_passed_compressed(admin: Any, zhang: Cadre) -> None:
    good = export(zhang)
    wipe(zhang)
    bad = good.replace("张伟".encode(), b"")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.lrmx", good)
        z.writestr("b.lrmx", bad)
    batch = lrmx_import_preview(actor=admin, upload_name="two.zip", data=buffer.getvalue())
    assert [row["action"] for row in batch.preview] == ["create", "error"]
    assert [f["name"] for f in batch.files] == ["a.lrmx"]
    assert len(batch.files[0]["content"]) < len(good)  # compressed
    confirmed = lrmx_import_confirm(actor=admin, batch=batch, unit=zhang.unit)
    assert [r["saved"] for r in confirmed.result] == [True, False]
    assert confirmed.files == []


def test_a_batch_over_the_stored_limit_is_refused_whole(
    admin: Any, zhang: Cadre, settings: Any
) -> None:
    settings.XUANREN_IMPORT_MAX_STORED_BYTES = 100
    with pytest.raises(UploadRefused, match="XUANREN_IMPORT_MAX_STORED_BYTES"):
        lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=export(zhang))
    assert ImportBatch.objects.count() == 0


def _age(batch: ImportBatch, days: float) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


def test_an_expired_batch_cannot_be_confirmed(admin: Any, zhang: Cadre) -> None:
    batch = lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=export(zhang))
    _age(batch, 7.01)
    with pytest.raises(Conflict, match="超过保留期限（7 天）"):
        lrmx_import_confirm(actor=admin, batch=batch, unit=None)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_purge_deletes_expired_batches_and_journals_counts(
    admin: Any, zhang: Cadre, capsys: Any
) -> None:
    data = export(zhang)
    old = [lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=data) for _ in range(3)]
    recent = lrmx_import_preview(actor=admin, upload_name="b.lrmx", data=data)
    for batch in old:
        _age(batch, 8)
    _age(recent, 6.9)
    call_command("purge_imports")
    assert "已删除 3 个过期导入批次" in capsys.readouterr().out
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [recent.pk]
    event = Event.objects.filter(event_type=EventType.IMPORTS_PURGED).get()
    assert event.payload["deleted"] == 3
    assert event.payload["by_status"]["previewed"] == 3
    assert event.actor_id is None
    assert zhang.id_number not in str(event.payload)
    assert import_batches_purge()["deleted"] == 0


def test_retention_is_a_setting(admin: Any, zhang: Cadre, settings: Any) -> None:
    settings.XUANREN_IMPORT_RETENTION_DAYS = 1
    batch = lrmx_import_preview(actor=admin, upload_name="a.lrmx", data=export(zhang))
    _age(batch, 1.5)
    assert lrmx_services.batch_expired(batch.__class__.objects.get(pk=batch.pk))
    assert import_batches_purge()["deleted"] == 1


# ---- the request as a whole -------------------------------------------------------


def test_a_request_over_the_body_limit_is_refused_before_it_is_read(
    client: Any, personas: Any, settings: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.XUANREN_UPLOAD_MAX_BYTES = 10_000
    client.force_login(personas.case_officer)
    big = SimpleUploadedFile("a.xlsx", b"x" * 20_000)
    response = client.post("/api/v1/xlsx/import", {"file": big})
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "upload_too_large"
    assert "XUANREN_UPLOAD_MAX_BYTES" in body["message"] and body["errors"] == []
    response = client.post("/exchange/xlsx/", {"file": SimpleUploadedFile("a.xlsx", b"x" * 20_000)})
    assert response.status_code == 413
    assert "超过上限" in response.content.decode()
