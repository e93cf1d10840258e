"""An .xlsx looked at before the reader opens it: is it a zip at all, what does it unpack
to, how far do its sheets reach.

python-calamine builds a sheet as one table from A1 to its last cell, so a 5 KB file with
a cell at XFD1048576 asks for 17 billion cells and the process aborts; a 4 MB zip can
unpack to gigabytes. Here, within the limits of ``workflow/sheets/limits.py``:

- the zip's directory: members, their declared sizes (summed) and how much each unpacks
  per packed byte, before anything is unpacked;
- every member unpacked here, in a stream, counting what it really gives (a size the
  directory understates is caught at the first byte too many) and checking its CRC;
- in every XML part, the ``<dimension ref="…">`` a sheet declares (near its start: a sheet
  refused for it is not unpacked further) and the cells it really has: for the usual layout
  (``<c r="B7"``) by a scan of the bytes; for any other (prefixed names, cells without
  ``r``) by an XML parser that counts as the reader does;
- no part may declare a DOCTYPE (an .xlsx never does; entities are how XML bombs work).
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from workflow.domain.errors import BadInput
from workflow.sheets.limits import Limits, column_index, column_letters, megabytes
from workflow.text.vntext import count

_CHUNK = 1 << 20
_MAX_MEMBERS = 10_000
_RATIO_FROM = 1 << 20  # a member smaller than this may unpack at any ratio: it costs nothing
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any Excel file with a password
_LOCAL_HEADER = struct.Struct("<4s22xHH")

# the usual layout: every cell's start tag is exactly <c r="LETTERS DIGITS"
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,3}\d{1,7}")')
_PREFIXED = re.compile(rb"<[^\s<>/!?]+:(?:c|row)(?=[\s/>])")
_DIMENSION = re.compile(rb"<(?:[^\s<>/!?:]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_REF = re.compile(r"\$?([A-Za-z]+)\$?([0-9]+)")
_FAR = 10**9  # a row or column too far to count exactly is this far


class _Refused(Exception):
    """A limit or a broken part, found while unpacking: (where, message)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def check_xlsx(path: Path, limits: Limits) -> None:
    """Refuse (BadInput naming the file, the sheet and what is over which limit) an .xlsx
    the reader should not be handed; return quietly otherwise. Remembered for an unchanged
    file, since ``import`` reads the headers first and then the whole sheet."""
    stat = path.stat()
    _checked(str(path.resolve()), stat.st_size, stat.st_mtime_ns, limits)


@lru_cache(maxsize=8)
def _checked(path: str, size: int, mtime: int, limits: Limits) -> None:
    name = Path(path).name
    with open(path, "rb") as f:
        if f.read(8) == _OLE:
            raise BadInput.one(
                "Tệp",
                f"'{name}' là tệp Excel cũ (.xls) hoặc tệp có đặt mật khẩu: mở bằng Excel, bỏ "
                "mật khẩu nếu có, rồi lưu lại dạng .xlsx",
            )
        f.seek(0)
        try:
            book = zipfile.ZipFile(f)
            infos = book.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise BadInput.one(
                "Tệp", f"'{name}' không đọc được như một tệp Excel (không phải tệp .xlsx)"
            ) from None
        _directory(name, infos, limits)
        sheets = _sheet_names(f, name, infos, limits)
        try:
            for info in infos:
                _member(f, info, sheets.get(info.filename) or f"{name} / {info.filename}", limits)
        except _Refused as exc:
            raise BadInput.one(exc.where, exc.message) from None


def _directory(name: str, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """What the zip's directory declares, judged before anything is unpacked."""
    broken = BadInput.one("Tệp", f"'{name}' không đọc được như một tệp Excel (tệp nén bị hỏng)")
    if len(infos) > _MAX_MEMBERS or len({i.filename for i in infos}) != len(infos):
        raise broken
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise BadInput.one("Tệp", f"'{name}' có phần được mã hóa: bỏ mật khẩu rồi lưu lại")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise broken
        declared += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size >= _RATIO_FROM and ratio > limits.max_ratio:
            raise BadInput.one(
                "Tệp",
                f"'{name}': phần '{info.filename}' nén {megabytes(info.compress_size)} nhưng "
                f"giải nén ra {megabytes(info.file_size)} (gấp {count(int(ratio))} lần, giới hạn "
                f"{count(limits.max_ratio)} lần: KETNAP_IMPORT_MAX_RATIO); không phải bảng tính "
                "bình thường, không đọc",
            )
    if declared > limits.max_bytes:
        raise BadInput.one(
            "Tệp",
            f"'{name}' giải nén ra {megabytes(declared)}, quá giới hạn {limits.size_words()}; "
            "chia thành nhiều tệp nhỏ hơn",
        )


def _unpacked(f: IO[bytes], info: zipfile.ZipInfo, where: str) -> Iterator[bytes]:
    """The member's bytes, unpacked here a chunk at a time: never more than the directory
    declared (whose sum the limit bounds), and checked against its CRC."""
    broken = _Refused(where, "phần này của tệp nén bị hỏng; lưu lại tệp bằng Excel")
    f.seek(info.header_offset)
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(f.read(30))
    except struct.error:
        raise broken from None
    if signature != b"PK\x03\x04":
        raise broken
    f.seek(info.header_offset + 30 + name_length + extra_length)
    packed_left = info.compress_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    given, crc = 0, 0
    while True:
        raw = f.read(min(_CHUNK, packed_left)) if packed_left > 0 else b""
        packed_left -= len(raw)
        pieces = [raw] if inflate is None else _inflated(inflate, raw, not raw)
        for piece in pieces:
            given += len(piece)
            if given > info.file_size:  # the directory understated it: a bomb's trick
                raise _Refused(
                    where,
                    f"giải nén ra nhiều hơn {megabytes(info.file_size)} mà tệp nén khai báo: "
                    "tệp hỏng hoặc bị sửa, không đọc",
                )
            crc = zlib.crc32(piece, crc)
            yield piece
        if not raw:
            break
    if given != info.file_size or crc != info.CRC:
        raise broken


def _inflated(inflate: Any, raw: bytes, last: bool) -> Iterator[bytes]:
    """Inflate ``raw`` at most a chunk of output at a time (a bomb never unpacks whole)."""
    try:
        piece = inflate.decompress(raw, _CHUNK)
        while piece:
            yield piece
            piece = inflate.decompress(inflate.unconsumed_tail, _CHUNK)
        if last:
            yield inflate.flush()
    except zlib.error:
        return


_XML_NAMES = (".xml", ".rels", ".vml")


def _member(f: IO[bytes], info: zipfile.ZipInfo, where: str, limits: Limits) -> None:
    """Unpack one member, scanning it when it is XML (by its name, or by its first bytes,
    since the reader takes a sheet from wherever the workbook's relationships point)."""
    stream = _unpacked(f, info, where)
    first = b""
    for piece in stream:
        first += piece
        if len(first) >= 64:
            break
    start = first.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    if not (info.filename.lower().endswith(_XML_NAMES) or start.startswith(b"<")):
        for _ in stream:  # an image, a printer's settings …: unpacked, counted, not read
            pass
        return
    if b"\x00" in first:
        raise _Refused(where, "phần XML không ở dạng UTF-8; lưu lại tệp bằng Excel")
    _Scan(where, limits).run(first, stream, lambda: _unpacked(f, info, where))


class _Scan:
    """How far an XML part's cells reach: the usual layout by its bytes, anything else by
    an XML parser (a part is re-read once when it turns out unusual)."""

    def __init__(self, where: str, limits: Limits) -> None:
        self.where, self.limits = where, limits
        self.columns: set[bytes] = set()
        self.height = 0
        self.dimension_seen = False

    def run(self, first: bytes, rest: Iterator[bytes], again: Any) -> None:
        carry = b""
        for chunk in _chain(first, rest):
            data = carry + chunk
            cut = data.rfind(b"<")
            part, carry = (data[:cut], data[cut:]) if cut > 0 else (b"", data)
            if len(carry) > _CHUNK:  # a long text: only where its '<' starts matters
                part, carry = part + carry[:_CHUNK], b""
            if not self._usual(part):
                return self._parsed(again())
        if not self._usual(carry):
            self._parsed(again())

    def _usual(self, part: bytes) -> bool:
        """Judge one stretch of the part; False when it is not in the usual layout."""
        if b"<!DOCTYPE" in part:
            raise _Refused(self.where, "có khai báo DOCTYPE: không phải bảng tính Excel thường")
        if not self.dimension_seen:
            self._dimension(part)
        if (b":c" in part or b":row" in part) and _PREFIXED.search(part):
            return False
        rows = _CELL_ROW.findall(part)
        if part.count(b"<c") != len(rows) and _ODD_CELL.search(part):
            return False
        if rows:  # two passes of C, not a million tuples: 0.3 s for bench/import.py's sheet
            self.columns.update(_CELL_COLUMN.findall(part))
            self.height = max(self.height, max(map(int, rows)))
            width = max(column_index(c.decode()) for c in self.columns)
            self._judge(self.height, width)
        return True

    def _dimension(self, part: bytes) -> None:
        found = _DIMENSION.search(part)
        if found is None:
            self.dimension_seen = b"<sheetData" in part  # it comes before the cells
            return
        self.dimension_seen = True
        ref = found.group(1).decode("ascii", "replace").strip()
        last = _REF.fullmatch(ref.rpartition(":")[2])
        if last is None:
            return
        rows, columns = _position(last)
        if self.limits.beyond(rows, columns):
            raise _Refused(
                self.where,
                f"vùng dữ liệu khai báo trong tệp là {ref[:30]} ({count(rows)} dòng × "
                f"{count(columns)} cột), quá giới hạn {self.limits.table_words()}; xóa các "
                "dòng, cột thừa ở cuối trang (Ctrl+End cho thấy ô cuối) rồi lưu lại",
            )

    def _judge(self, height: int, width: int, cell: str | None = None) -> None:
        if not self.limits.beyond(height, width):
            return
        limits = self.limits
        if height > limits.max_rows:
            what = f"có ô ở dòng {count(height)}"
        elif width > limits.max_columns:
            what = f"có ô ở cột {column_letters(width)} (cột thứ {count(width)})"
        else:
            what = (
                f"dữ liệu trải từ A1 tới dòng {count(height)}, cột {column_letters(width)}: "
                f"{count(height * width)} ô"
            )
        if cell:
            what = f"ô {cell}: {what}"
        raise _Refused(
            self.where,
            f"{what}, quá giới hạn {limits.table_words()}; xóa các dòng, cột thừa rồi lưu lại",
        )

    def _parsed(self, stream: Iterator[bytes]) -> None:
        """The part read by an XML parser, positions counted as the reader counts them: a
        row without ``r`` follows the one before, a cell without ``r`` the cell before."""
        parser = expat.ParserCreate()
        state = {"row": 0, "column": 0, "height": 0, "width": 0}

        def start(tag: str, attrs: dict[str, str]) -> None:
            local = tag.rpartition(":")[2]
            if local == "row":
                r = attrs.get("r", "")
                state["row"] = int(r) if r.isascii() and r.isdigit() else state["row"] + 1
                state["column"] = 0
            elif local == "c":
                ref = _REF.fullmatch(attrs.get("r", "").strip())
                if ref is not None:
                    row, state["column"] = _position(ref)
                else:
                    state["column"] += 1
                    row = max(state["row"], 1)
                state["height"] = max(state["height"], row)
                state["width"] = max(state["width"], state["column"])
                cell = f"{column_letters(state['column'])}{row}"
                self._judge(state["height"], state["width"], cell)

        def no_doctype(*_: Any) -> None:
            raise _Refused(self.where, "có khai báo DOCTYPE: không phải bảng tính Excel thường")

        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = no_doctype
        parser.EntityDeclHandler = no_doctype
        try:
            for chunk in stream:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except (expat.ExpatError, ValueError):
            raise _Refused(self.where, "phần XML bị hỏng; lưu lại tệp bằng Excel") from None


def _position(ref: re.Match[str]) -> tuple[int, int]:
    """(row, column) of a cell reference's letters and digits, capped at _FAR."""
    letters, digits = ref.group(1), ref.group(2)
    row = int(digits) if len(digits) <= 9 else _FAR
    return row, column_index(letters) if len(letters) <= 5 else _FAR


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _sheet_names(
    f: IO[bytes], name: str, infos: list[zipfile.ZipInfo], limits: Limits
) -> dict[str, str]:
    """Part name → "file / sheet" for messages, from workbook.xml and its relationships;
    best effort (a part it cannot name is named by its path)."""
    by_name = {i.filename: i for i in infos}

    def xml(part: str) -> ElementTree.Element | None:
        info = by_name.get(part)
        if info is None or info.file_size > limits.max_bytes:
            return None
        try:
            data = b"".join(_unpacked(f, info, part))
            if b"<!DOCTYPE" in data:
                return None
            return ElementTree.fromstring(data)
        except (_Refused, ElementTree.ParseError, ValueError):
            return None

    def targets(rels_part: str, base: str) -> dict[str, str]:
        root = xml(rels_part)
        found = {}
        for rel in root.iter() if root is not None else ():
            if rel.tag.rpartition("}")[2] == "Relationship":
                target = rel.get("Target", "")
                path = target[1:] if target.startswith("/") else posixpath.join(base, target)
                found[rel.get("Id", "")] = posixpath.normpath(path)
        return found

    root_rels = targets("_rels/.rels", "")
    workbook = next((t for t in root_rels.values() if t.endswith(".xml")), "xl/workbook.xml")
    folder, leaf = posixpath.split(workbook)
    parts = targets(posixpath.join(folder, "_rels", leaf + ".rels"), folder)
    names: dict[str, str] = {}
    root = xml(workbook)
    for sheet in root.iter() if root is not None else ():
        if sheet.tag.rpartition("}")[2] != "sheet":
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.rpartition("}")[2] == "id"), "")
        if rid in parts:
            names[parts[rid]] = f"{name} / {sheet.get('name', '?')}"
    return names
