"""Attack files for the upload tests, built in memory (nothing large on disk):
workbooks whose sheet claims or holds too many cells, ZIP bombs, archives of
very many members, nested archives, a directory that lies about its sizes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
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


def many_rows(n: int) -> bytes:
    """A workbook of n rows of data (a name and a number in each), about
    15:1 compressed like a real sheet, so no ratio limit refuses it first."""

    def rows() -> Iterator[bytes]:
        yield header_row()
        chars = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
        for r in range(2, n + 2):
            name = chars[r % 20] + chars[(r // 20) % 20] + chars[(r // 400) % 20]
            yield (
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{name}</t></is></c>'
                f'<c r="B{r}"><v>{r * 7919 % 1000003}</v></c></row>'
            ).encode()

    return workbook(rows(), compresslevel=1)


def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """Raw deflate data of `size` zero bytes (a multiple of 1 MiB) and its
    CRC-32, built from one compressed MiB repeated (each piece ends in a full
    flush, so the pieces stand alone)."""
    mib = 1024 * 1024
    assert size % mib == 0
    block = b"\0" * mib
    piece_maker = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = piece_maker.compress(block) + piece_maker.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // mib):
        crc = zlib.crc32(block, crc)
    return piece * (size // mib) + b"\x03\x00", crc


def _raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP from (name, data, method, crc, uncompressed size) members, data
    already compressed: written by hand, so nothing is compressed here."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, size in members:
        encoded = name.encode()
        offset = out.tell()
        head = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0,
            method,
            0,
            0,
            crc,
            len(data),
            size,
            len(encoded),
            0,
        )
        out.write(head + encoded + data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(
        struct.pack(
            "<4sHHHHIIH",
            b"PK\x05\x06",
            0,
            0,
            len(central),
            len(central),
            len(directory),
            start,
            0,
        )
    )
    return out.getvalue()


def zip_bomb(member: str, size: int, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A ZIP whose `member` unpacks to `size` zero bytes (about 1000:1);
    `size` a multiple of 1 MiB."""
    members = [
        (name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data))
        for name, data in (extra or {}).items()
    ]
    data, crc = _deflated_zeros(size)
    members.append((member, data, zipfile.ZIP_DEFLATED, crc, size))
    return _raw_zip(members)


def xlsx_bomb(size: int) -> bytes:
    """A workbook whose sheet XML unpacks to `size` bytes (zeros; a multiple
    of 1 MiB): the directory says so, and that is where it must be refused."""
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _RELS,
        "xl/workbook.xml": _WORKBOOK.format(name="干部").encode(),
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
    }
    return zip_bomb("xl/worksheets/sheet1.xml", size, extra=parts)


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
    """A ZIP holding `inner` stored as is (a ZIP inside is not compressed again)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
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
