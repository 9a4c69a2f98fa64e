"""Attack files for the upload tests, built in memory (nothing large on disk):
workbooks whose sheet claims or holds too many cells, ZIP bombs, archives of
very many members, nested archives, a directory that lies about its sizes."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Iterable, Iterator

from xuanren.exchange.xlsx_columns import CADRES

_CONTENT_TYPES = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
_WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _text_cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def header_row() -> bytes:
    """Row 1 of the 干部 sheet: the template's column titles."""
    cells = b"".join(
        _text_cell(f"{_letters(i)}1", c.title) for i, c in enumerate(CADRES.columns, start=1)
    )
    return b'<row r="1">' + cells + b"</row>"


def workbook(
    rows: Iterable[bytes],
    *,
    dimension: str | None = None,
    sheet: str = "干部",
    compresslevel: int = 6,
) -> bytes:
    """A minimal XLSX of one sheet whose <sheetData> is `rows` (streamed into
    the ZIP, so a million rows need no million-row string)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name=sheet).encode())
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(_SHEET_HEAD)
            if dimension:
                out.write(f'<dimension ref="{dimension}"/>'.encode())
            out.write(b"<sheetData>")
            for row in rows:
                out.write(row)
            out.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """The issue's 22 KB workbook: one real row, a dimension of A1:XFD1048576."""
    data = _text_cell("A2", "张三") + _text_cell("B2", "男")
    return workbook([header_row(), b'<row r="2">' + data + b"</row>"], dimension="A1:XFD1048576")


def far_cell() -> bytes:
    """An honest dimension, but a cell at XFD1048576."""
    far = b'<row r="1048576">' + _text_cell("XFD1048576", "x") + b"</row>"
    return workbook([header_row(), far], dimension="A1:Z2")


def wide_row_without_addresses(cells: int) -> bytes:
    """A row of `cells` cells that carry no address (placed one after another)."""
    row = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * cells + b"</row>"
    return workbook([header_row(), row])


def many_rows(n: int, *, seed: int = 7) -> bytes:
    """A workbook of n rows of varied real-looking data (so it compresses
    like a real sheet, about 10:1, and no ratio limit refuses it first)."""
    rnd = random.Random(seed)
    surnames = (
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    )

    def rows() -> Iterator[bytes]:
        yield header_row()
        for r in range(2, n + 2):
            name = rnd.choice(surnames) + "".join(rnd.choice(surnames) for _ in range(2))
            number = f"{rnd.randrange(10**17):018d}"
            yield (
                f'<row r="{r}">'
                f'<c r="A{r}" t="inlineStr"><is><t>{name}</t></is></c>'
                f'<c r="B{r}" t="inlineStr"><is><t>{number}</t></is></c>'
                f'<c r="C{r}"><v>{rnd.random():.12f}</v></c>'
                f"</row>"
            ).encode()

    return workbook(rows(), compresslevel=1)


def zip_bomb(member: str, size: int, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP whose `member` unpacks to `size` zero bytes (about 1000:1)."""
    buffer = io.BytesIO()
    block = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as out:
            left = size
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)
    return buffer.getvalue()


def xlsx_bomb(size: int) -> bytes:
    """A workbook whose sheet XML unpacks to `size` bytes of whitespace."""
    buffer = io.BytesIO()
    block = b" " * (1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK.format(name="干部").encode())
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(_SHEET_HEAD + b"<sheetData>")
            left = size
            while left > 0:
                out.write(block[: min(left, len(block))])
                left -= len(block)
            out.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def many_small_lrmx(count: int, size: int) -> bytes:
    """The issue's 309 KB ZIP that stored 419 MB: many files that compress
    extremely well (each under the per-member ratio floor)."""
    body = b"<Person><XingMing>" + b"a" * size + b"</XingMing></Person>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for i in range(count):
            z.writestr(f"{i:05d}.lrmx", body)
    return buffer.getvalue()


def many_members(count: int) -> bytes:
    """A ZIP of `count` empty, stored members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for i in range(count):
            z.writestr(f"{i}.lrmx", b"")
    return buffer.getvalue()


def nested(inner: bytes, name: str = "inner.lrmx") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, inner)
    return buffer.getvalue()


def lying_directory(member: str, content: bytes, claimed: int) -> bytes:
    """A ZIP whose central directory (and local header) claim `claimed`
    uncompressed bytes for a member that holds more."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, content)
    data = bytearray(buffer.getvalue())
    real = struct.pack("<I", len(content))
    fake = struct.pack("<I", claimed)
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, claimed)
    central = data.find(b"PK\x01\x02")
    assert data[central + 24 : central + 28] == real
    data[central + 24 : central + 28] = fake
    return bytes(data)
