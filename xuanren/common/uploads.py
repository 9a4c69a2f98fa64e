"""Bounded reading of uploads (issue 10, docs/decisions/0033).

Every upload is checked in this order, by the service that receives it:
permission first (the caller does that before calling anything here), then
the upload's declared size (nothing read), then, for a ZIP (LRMX batches, and
XLSX, which is a ZIP too), the central directory: member count, total
uncompressed size, each member's size and compression ratio. The directory
can lie, so members are then read in blocks and the bytes counted; a member
that gives more than it declared is refused mid-stream.

For a workbook, the sheets the import reads are scanned as raw XML in blocks
before python-calamine sees them: the declared `<dimension>`, the highest row
and column any cell names, and the cells of each row, against the row and
column limits. Calamine sizes its cell grid from these, so a workbook that
passes cannot make it allocate more than rows × columns cells.

The limits are settings (`XUANREN_UPLOAD_*`, `XUANREN_XLSX_*`, `XUANREN_ZIP_*`,
`XUANREN_LRMX_*`, see xuanren/settings.py); each refusal says which limit and
its value, in Chinese.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from xuanren.common.errors import ValidationFailed

BLOCK = 1024 * 1024
MB = 1024 * 1024
#: Members smaller than this are not held to the ratio limit: a few KB of
#: XML or of a blank form compresses far better than 100 to 1, harmlessly.
RATIO_FLOOR = 1 * MB


class UploadTooLarge(ValidationFailed):
    """An upload over a size limit (HTTP 413); nothing of it was kept."""

    code = "upload_too_large"
    http_status = 413


class UploadRefused(ValidationFailed):
    """An upload whose content breaks a limit or is not what it claims (422)."""

    code = "upload_refused"


def mb_text(n: int) -> str:
    """A byte count in MB, as the refusals show it."""
    return f"{n / MB:g}"


# ---- the limits -------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    members: int
    total_bytes: int
    ratio: int
    member_bytes: int


def zip_limits(*, member_bytes: int | None = None, total_bytes: int | None = None) -> ZipLimits:
    return ZipLimits(
        members=settings.XUANREN_ZIP_MAX_MEMBERS,
        total_bytes=total_bytes or settings.XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES,
        ratio=settings.XUANREN_ZIP_MAX_RATIO,
        member_bytes=member_bytes or total_bytes or settings.XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES,
    )


# ---- the upload itself ------------------------------------------------------------


def upload_size(upload: bytes | IO[bytes]) -> int:
    """The declared size of an upload, without reading it."""
    if isinstance(upload, bytes | bytearray):
        return len(upload)
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    position = upload.tell()
    upload.seek(0, io.SEEK_END)
    end = upload.tell()
    upload.seek(position)
    return end


def check_size(upload: bytes | IO[bytes], *, limit: int, what: str, setting: str) -> int:
    """Refuse an upload over `limit` bytes from its declared size (413), or
    an empty one (422)."""
    size = upload_size(upload)
    check_declared_size(size, limit=limit, what=what, setting=setting)
    if size == 0:
        raise UploadRefused(_("%(w)s为空，请选择要上传的文件。") % {"w": what})
    return size


def check_declared_size(size: int, *, limit: int, what: str, setting: str) -> None:
    if size > limit:
        raise UploadTooLarge(
            _("%(w)s大小为 %(n)s MB，超过上限 %(m)s MB（设置项 %(s)s）。请拆分后分批上传。")
            % {"w": what, "n": mb_text(size), "m": mb_text(limit), "s": setting}
        )


def as_file(upload: bytes | IO[bytes]) -> IO[bytes]:
    """A seekable binary file over the upload, at its start."""
    if isinstance(upload, bytes | bytearray):
        return io.BytesIO(upload)
    upload.seek(0)
    return upload


def sha256_of(upload: bytes | IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle = as_file(upload)
    while block := handle.read(BLOCK):
        digest.update(block)
    handle.seek(0)
    return digest.hexdigest()


def read_bounded(upload: bytes | IO[bytes], *, limit: int, what: str) -> bytes:
    """All of an upload of at most `limit` bytes, counted as read (a declared
    size can be wrong)."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        handle = as_file(upload)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(
            _("%(w)s超过上限 %(m)s MB。请拆分后分批上传。") % {"w": what, "m": mb_text(limit)}
        )
    return data


# ---- ZIP archives -----------------------------------------------------------------


def is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06")


def open_zip(
    source: IO[bytes], *, name: str, limits: ZipLimits, invalid: str = ""
) -> zipfile.ZipFile:
    """Open a ZIP and check its central directory against the limits before
    anything is extracted. `invalid` is the message for a file that is not a
    ZIP at all."""
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError):
        raise UploadRefused(
            invalid
            or _("“%(f)s”不是有效的 ZIP 压缩包（或已加密、已损坏），请重新打包后上传。")
            % {"f": name}
        ) from None
    if len(infos) > limits.members:
        raise UploadRefused(
            _(
                "压缩包“%(f)s”中有 %(n)d 个文件，超过上限 %(m)d 个"
                "（设置项 XUANREN_ZIP_MAX_MEMBERS）。请分批上传。"
            )
            % {"f": name, "n": len(infos), "m": limits.members}
        )
    total = packed = 0
    for info in infos:
        check_member(info, limits=limits)
        total += info.file_size
        packed += info.compress_size
    if total >= RATIO_FLOOR and total / max(packed, 1) > limits.ratio:
        raise UploadRefused(
            _(
                "压缩包“%(f)s”整体压缩比为 %(r)d:1，超过上限 %(m)d:1"
                "（设置项 XUANREN_ZIP_MAX_RATIO），疑为压缩炸弹，已拒绝。"
            )
            % {"f": name, "r": int(total / max(packed, 1)), "m": limits.ratio}
        )
    if total > limits.total_bytes:
        raise UploadRefused(
            _(
                "压缩包“%(f)s”解压后共 %(n)s MB，超过上限 %(m)s MB"
                "（设置项 XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES）。请分批上传。"
            )
            % {"f": name, "n": mb_text(total), "m": mb_text(limits.total_bytes)}
        )
    return archive


def check_member(info: zipfile.ZipInfo, *, limits: ZipLimits) -> None:
    if info.flag_bits & 0x1:
        raise UploadRefused(
            _("压缩包中的“%(f)s”已加密，无法读取。请不加密重新打包。") % {"f": info.filename}
        )
    if info.file_size > limits.member_bytes:
        raise UploadRefused(
            _("压缩包中的“%(f)s”解压后为 %(n)s MB，超过单个文件上限 %(m)s MB。")
            % {"f": info.filename, "n": mb_text(info.file_size), "m": mb_text(limits.member_bytes)}
        )
    if info.file_size >= RATIO_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.ratio:
            raise UploadRefused(
                _(
                    "压缩包中的“%(f)s”压缩比为 %(r)d:1，超过上限 %(m)d:1"
                    "（设置项 XUANREN_ZIP_MAX_RATIO），疑为压缩炸弹，已拒绝。"
                )
                % {"f": info.filename, "r": int(ratio), "m": limits.ratio}
            )


class Budget:
    """Uncompressed bytes still allowed for one archive, counted while reading."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise UploadRefused(
                _(
                    "压缩包解压后的内容超过上限 %(m)s MB"
                    "（设置项 XUANREN_ZIP_MAX_UNCOMPRESSED_BYTES），且与其目录所记不符，已拒绝。"
                )
                % {"m": mb_text(self.limit)}
            )


def stream_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, budget: Budget, limits: ZipLimits
) -> Iterator[bytes]:
    """The member's bytes in blocks, counted: more than the directory said,
    more than one member may hold, or a ratio over the limit stops it."""
    got = 0
    try:
        with archive.open(info) as handle:
            while block := handle.read(BLOCK):
                got += len(block)
                budget.spend(len(block))
                if got > max(info.file_size, 0) or got > limits.member_bytes:
                    raise UploadRefused(
                        _("压缩包中的“%(f)s”解压后的大小与其目录所记不符，已拒绝。")
                        % {"f": info.filename}
                    )
                if got >= RATIO_FLOOR and got / max(info.compress_size, 1) > limits.ratio:
                    raise UploadRefused(
                        _("压缩包中的“%(f)s”压缩比超过上限 %(m)d:1，疑为压缩炸弹，已拒绝。")
                        % {"f": info.filename, "m": limits.ratio}
                    )
                yield block
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise UploadRefused(
            _("压缩包中的“%(f)s”已损坏，无法读取。请重新打包后上传。") % {"f": info.filename}
        ) from None


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, budget: Budget, limits: ZipLimits
) -> bytes:
    return b"".join(stream_member(archive, info, budget=budget, limits=limits))


# ---- workbooks --------------------------------------------------------------------

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

#: A start tag of a row or a cell, any namespace prefix; group 1 the local
#: name, group 2 the attributes.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
_REF_ATTR = re.compile(rb"""\s(?:r|ref)\s*=\s*["']([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?["']""")
#: Bytes kept from the end of one block, so a tag cut by the block boundary is
#: seen whole in the next (a start tag longer than this is refused).
_TAIL = 4096


def column_number(letters: bytes | str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    text = letters.decode() if isinstance(letters, bytes) else letters
    n = 0
    for ch in text.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


@dataclass(frozen=True)
class XlsxLimits:
    rows: int  # data rows, the header row not counted
    columns: int
    upload_bytes: int
    zip: ZipLimits


def xlsx_limits() -> XlsxLimits:
    return XlsxLimits(
        rows=settings.XUANREN_XLSX_MAX_ROWS,
        columns=settings.XUANREN_XLSX_MAX_COLUMNS,
        upload_bytes=settings.XUANREN_XLSX_MAX_UPLOAD_BYTES,
        zip=zip_limits(total_bytes=settings.XUANREN_XLSX_MAX_UNCOMPRESSED_BYTES),
    )


def _too_big(sheet: str, cols: int, rows: int, limits: XlsxLimits, declared: bool) -> UploadRefused:
    values = {"s": sheet, "c": cols, "r": rows, "mc": limits.columns, "mr": limits.rows}
    if declared:
        message = _(
            "工作表“%(s)s”声明的范围为 %(c)d 列 × %(r)d 行，超过上限 %(mc)d 列 × %(mr)d 行"
            "（设置项 XUANREN_XLSX_MAX_COLUMNS、XUANREN_XLSX_MAX_ROWS，不含第 1 行列名）。"
            "请删除多余的行列后重新上传。"
        )
    else:
        message = _(
            "工作表“%(s)s”含有单元格的范围达 %(c)d 列 × %(r)d 行，超过上限 %(mc)d 列 × %(mr)d 行"
            "（设置项 XUANREN_XLSX_MAX_COLUMNS、XUANREN_XLSX_MAX_ROWS，不含第 1 行列名）。"
            "请删除多余的行列后重新上传。"
        )
    return UploadRefused(message % values)


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _fast_block(data: bytes, max_rows: int, max_cols: int) -> tuple[int, int, int] | None:
    """(highest row, highest column, the column of the row still open at
    the end) named in a block of whole tags where every cell and row carries
    its address first, as Excel, WPS and openpyxl write them; None when the
    block needs the tag-by-tag walk. Only counts and a few short matches run
    in Python; the rest is C."""
    if b"<dimension" in data or b":c " in data or b":c>" in data or b":row" in data:
        return None
    if data.count(b"<c") != data.count(b'<c r="'):
        return None  # a cell without its address (or a <col>): walk the block
    if data.count(b"<row") != data.count(b'<row r="'):
        return None
    col_width = len(_letters(max_cols))
    row_digits = len(str(max_rows))
    odd = rb'<c r="(?:[A-Z]{%d}|[A-Z]*[^A-Z\d]|[A-Z]+\d{%d})|<row r="(?:\d{%d}|[^\d])' % (
        col_width + 1,
        row_digits + 1,
        row_digits + 1,
    )
    if re.search(odd, data):
        return None  # too wide, too deep, or an unusual address: the walk says which
    wide = {column_number(x) for x in re.findall(rb'<c r="([A-Z]{%d})\d' % col_width, data)}
    deep = re.findall(rb'r="[A-Z]*(\d{%d})"' % row_digits, data)
    # Columns or rows written with fewer letters or digits than the limit's
    # are below it: only the longest ones need their values.
    top_col = max(wide, default=0)
    top_row = max({int(x) for x in deep}, default=0)
    last_row = data.rfind(b'<row r="')
    if last_row >= 0:
        match = re.match(rb'<row r="(\d+)"', data[last_row:])
        top_row = max(top_row, int(match.group(1)) if match else 0)
    open_col = 0
    last_cell = data.rfind(b'<c r="')
    if last_cell > data.rfind(b"<row"):
        match = re.match(rb'<c r="([A-Z]+)', data[last_cell:])
        open_col = column_number(match.group(1)) if match else 0
    return top_row, top_col, open_col


def _scan_sheet(blocks: Iterable[bytes], sheet: str, limits: XlsxLimits) -> int:
    """Walk a worksheet's XML in blocks; refuse as soon as the declared
    dimension, a cell's address, or the cells of a row exceed the limits.
    Returns the number of the last row that has cells."""
    max_rows = limits.rows + 1  # the header row
    max_cols = limits.columns
    row = 0  # the current row number (1-based), explicit or counted
    col = 0  # the current column number within the row
    widest = 0  # the widest row so far, for the message
    pending = b""
    for block in blocks:
        data = pending + block
        whole = data.rfind(b">") + 1
        fast = _fast_block(data[:whole], max_rows, max_cols) if whole else None
        if fast is not None:
            top_row, top_col, open_col = fast
            if top_row > max_rows or top_col > max_cols:
                raise _too_big(sheet, max(top_col, widest), max(top_row, row), limits, False)
            row = max(row, top_row)
            widest = max(widest, top_col, open_col)
            col = open_col  # r-less cells after this block follow the last one
            rest = data[whole:]
            pending = rest
            if len(pending) > _TAIL:
                raise UploadRefused(
                    _("工作表“%(s)s”的内容格式异常，无法读取。请用 Excel 另存后重新上传。")
                    % {"s": sheet}
                )
            continue
        end = 0
        for match in _TAG.finditer(data):
            end = match.end()
            tag, attrs = match.group(1), match.group(2)
            ref = _REF_ATTR.search(attrs)
            if tag == b"c":
                if ref and ref.group(1):
                    col = column_number(ref.group(1))
                    if ref.group(2):
                        row = max(row, int(ref.group(2)))
                else:
                    col += 1
                widest = max(widest, col)
                if col > max_cols or row > max_rows:
                    raise _too_big(sheet, widest, row, limits, False)
            elif tag == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
                if row > max_rows:
                    raise _too_big(sheet, widest, row, limits, False)
            elif ref:  # <dimension ref="A1:XFD1048576"/>
                last_col = column_number(ref.group(3) or ref.group(1) or b"A")
                last_row = int(ref.group(4) or ref.group(2) or 1)
                if last_col > max_cols or last_row > max_rows:
                    raise _too_big(sheet, last_col, last_row, limits, True)
        rest = data[end:]
        cut = rest.rfind(b"<")
        # An unfinished tag at the end of the block is read again with the next.
        pending = rest[cut:] if cut >= 0 and b">" not in rest[cut:] else b""
        if len(pending) > _TAIL:
            raise UploadRefused(
                _("工作表“%(s)s”的内容格式异常，无法读取。请用 Excel 另存后重新上传。")
                % {"s": sheet}
            )
    return row


def _xml(archive: zipfile.ZipFile, name: str, budget: Budget, limits: ZipLimits) -> ET.Element:
    info = archive.getinfo(name)
    if info.file_size > 4 * MB:
        raise UploadRefused(_("工作簿结构文件“%(f)s”过大，无法读取。") % {"f": name})
    try:
        return ET.fromstring(read_member(archive, info, budget=budget, limits=limits))
    except ET.ParseError:
        raise UploadRefused(
            _("无法读取该文件：它不是有效的 XLSX 工作簿。请上传从本系统下载的模板填写后的文件。")
        ) from None


def workbook_parts(
    archive: zipfile.ZipFile, budget: Budget, limits: ZipLimits, invalid: str
) -> tuple[dict[str, str], set[str]]:
    """Sheet name → the path of its XML part inside the workbook; and where
    its shared strings may be (the usual path, and any part the workbook's
    relationships name as shared strings). The relationships are read once,
    bounded like every other part."""
    try:
        book = _xml(archive, "xl/workbook.xml", budget, limits)
        rels = _xml(archive, "xl/_rels/workbook.xml.rels", budget, limits)
    except KeyError:
        raise UploadRefused(invalid) from None
    relationships = list(rels.iter(f"{{{_NS_PKG_REL}}}Relationship"))
    targets = {r.get("Id"): r.get("Target", "") for r in relationships}
    sheets = {}
    for sheet in book.iter(f"{{{_NS_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS_REL}}}id"), "")
        if not target:
            continue
        sheets[sheet.get("name", "")] = _part_path(target)
    strings = {"xl/sharedStrings.xml"} | {
        _part_path(r.get("Target", ""))
        for r in relationships
        if r.get("Type", "").endswith("/sharedStrings") and r.get("Target")
    }
    return sheets, strings & set(archive.namelist())


def _part_path(target: str) -> str:
    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(path)


def _count_strings(blocks: Iterable[bytes], limit: int) -> None:
    """Refuse a shared strings table of more than `limit` strings (calamine
    holds every one of them in memory)."""
    count = 0
    for block in blocks:
        count += block.count(b"<si>") + block.count(b"<si ") + block.count(b":si>")
        count += block.count(b":si ")
        if count > limit:
            raise UploadRefused(
                _(
                    "工作簿的共享字符串超过上限 %(m)d 条（设置项 XUANREN_XLSX_MAX_SHARED_STRINGS）。"
                    "请删除无关的工作表或内容后重新上传。"
                )
                % {"m": limit}
            )


def check_workbook(upload: bytes | IO[bytes], *, name: str, sheets: Iterable[str]) -> int:
    """Check an XLSX upload against every limit before a cell is parsed:
    the ZIP's directory, then each named sheet's XML, streamed and counted.
    Returns how many rows below the header the named sheets reach (blank
    rows in between included: an upper bound of the data rows)."""
    limits = xlsx_limits()
    handle = as_file(upload)
    invalid = _(
        "“%(f)s”不是有效的 XLSX 工作簿（文件内容与扩展名不符，或已损坏）。"
        "请上传从本系统下载的模板填写后的 .xlsx 文件。"
    ) % {"f": name}
    if not is_zip(handle.read(4)):
        raise UploadRefused(invalid)
    handle.seek(0)
    archive = open_zip(handle, name=name, limits=limits.zip, invalid=invalid)
    budget = Budget(limits.zip.total_bytes)
    parts, strings = workbook_parts(archive, budget, limits.zip, invalid)
    names = set(archive.namelist())
    rows = 0
    for sheet in sheets:
        part = parts.get(sheet)
        if part is None or part not in names:
            continue
        info = archive.getinfo(part)
        blocks = stream_member(archive, info, budget=budget, limits=limits.zip)
        rows += max(_scan_sheet(blocks, sheet, limits) - 1, 0)
    for part in sorted(strings):
        info = archive.getinfo(part)
        blocks = stream_member(archive, info, budget=budget, limits=limits.zip)
        _count_strings(blocks, settings.XUANREN_XLSX_MAX_SHARED_STRINGS)
    handle.seek(0)
    return rows


def too_many_rows(sheet: str, limits: XlsxLimits | None = None) -> UploadRefused:
    limits = limits or xlsx_limits()
    return UploadRefused(
        _(
            "工作表“%(s)s”超过上限 %(m)d 行（设置项 XUANREN_XLSX_MAX_ROWS，不含第 1 行列名）。"
            "请拆分后分批导入。"
        )
        % {"s": sheet, "m": limits.rows}
    )


# ---- the request as a whole ---------------------------------------------------------


class RequestSizeMiddleware:
    """Refuse a request body over XUANREN_UPLOAD_MAX_BYTES from its
    Content-Length, before anything reads it (413, Chinese, the API's error
    shape under /api/)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.XUANREN_UPLOAD_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            message = _(
                "提交的内容为 %(n)s MB，超过上限 %(m)s MB（设置项 XUANREN_UPLOAD_MAX_BYTES）。"
                "请拆分后分批上传。"
            ) % {"n": mb_text(length), "m": mb_text(limit)}
            if request.path.startswith("/api/"):
                body = {"code": UploadTooLarge.code, "message": message, "errors": []}
                response: HttpResponse = JsonResponse(body, status=413)
            else:
                response = HttpResponse(
                    message, status=413, content_type="text/plain; charset=utf-8"
                )
            return response
        return self.get_response(request)
