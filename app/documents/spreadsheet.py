"""Spreadsheets (电子表格) every export is written as: XLSX and CSV with Chinese headers.

Framework-free and database-free.

* :func:`write_xlsx` / :func:`write_csv` build a whole table in memory from mappings or objects:
  the registry export and its import template, the interview ledger.
* :class:`XlsxStream` writes a sheet row by row into a file at constant memory, for the hazard
  ledger (a year of a 街道 is hundreds of thousands of rows), in the look of :func:`write_xlsx`.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.documents.cells import guard_formula

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --------------------------------------------------------------------------------------------
# In memory

ColumnSpec = Sequence[tuple[str, str]]


def _lookup(row, key: str):
    """``row[key]`` for a mapping (dotted keys walk nested mappings), else ``getattr``."""
    if isinstance(row, Mapping) and key in row:
        return row[key]
    cur = row
    for part in key.split("."):
        if cur is None:
            return None
        cur = cur.get(part) if isinstance(cur, Mapping) else getattr(cur, part, None)
    return cur


def _plain(value):
    """A value a spreadsheet can hold: aware datetimes shown in Asia/Shanghai (naive), enums by
    value, booleans as 是/否, containers as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(SHANGHAI).replace(tzinfo=None)
        return value.replace(microsecond=0)
    if isinstance(value, (date, int, float, Decimal, str)):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _display_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value)
    longest = max(text.split("\n"), key=len) if "\n" in text else text
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def write_xlsx(rows: Iterable, columns: ColumnSpec, *, sheet_title: str = "Sheet1",
               min_width: int = 6, max_width: int = 50) -> bytes:
    """An XLSX workbook: bold shaded header of ``columns``' Chinese titles, frozen first row,
    auto filter, column widths fitted to the content (CJK counted double).

    ``rows`` are mappings (dotted keys such as ``"location.lat"`` reach nested mappings) or
    objects (attributes). Strings are always stored as text, never as formulas."""
    rows = list(rows)
    keys = [k for k, _ in columns]
    table = [[_plain(_lookup(r, k)) for k in keys] for r in rows]

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(sheet_title))
    for j, (_, title) in enumerate(columns):
        width = max([_display_width(title)] + [_display_width(t[j]) for t in table[:2000]])
        ws.column_dimensions[get_column_letter(j + 1)].width = max(min_width,
                                                                   min(max_width, width + 2))
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(table) + 1}"

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for _, title in columns:
        cell = WriteOnlyCell(ws, value=title)
        cell.font, cell.fill, cell.alignment = bold, fill, center
        header.append(cell)
    ws.append(header)

    for t in table:
        out = []
        for v in t:
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
                if v.startswith("="):
                    cell = WriteOnlyCell(ws, value=v)
                    cell.data_type = "s"   # text, not a formula
                    v = cell
            elif isinstance(v, datetime):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd hh:mm"
                v = cell
            elif isinstance(v, date):
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = "yyyy-mm-dd"
                v = cell
            out.append(v)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str) -> str:
    t = re.sub(r"[\[\]:*?/\\]", "_", title or "Sheet1").strip("'")
    return t[:31] or "Sheet1"


def write_csv(rows: Iterable, columns: ColumnSpec, *, bom: bool = True,
              delimiter: str = ",", formula_guard: bool = True) -> bytes:
    """CSV bytes, UTF-8 with a BOM (so Excel opens Chinese correctly), CRLF line ends, header of
    the Chinese titles. Datetimes are written as Asia/Shanghai ``YYYY-MM-DD HH:MM:SS``.

    With ``formula_guard`` a text cell a spreadsheet could run as a formula gets a leading ``'``
    (:func:`app.documents.cells.guard_formula`); the registry import removes that quote again.
    Values are otherwise written as they are (an 18-digit credit code stays text for machines;
    Excel users should prefer the XLSX export)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow([title for _, title in columns])
    keys = [k for k, _ in columns]
    for r in rows:
        out = []
        for k in keys:
            v = _plain(_lookup(r, k))
            if v is None:
                v = ""
            elif isinstance(v, datetime):
                v = v.strftime("%Y-%m-%d %H:%M:%S")
            elif isinstance(v, date):
                v = v.isoformat()
            else:
                v = guard_formula(str(v)) if formula_guard else str(v)
            out.append(v)
        w.writerow(out)
    data = buf.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


# --------------------------------------------------------------------------------------------
# Streamed

class ChunkSink(io.RawIOBase):
    """A write-only, unseekable file collecting what is written, for :class:`XlsxStream` to
    write a workbook into while it is being sent: :meth:`take` hands over what came so far
    (the zip is written with data descriptors, so nothing needs to go back)."""

    def __init__(self):
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


class XlsxStream:
    """A minimal streaming XLSX (SpreadsheetML) writer: one sheet, a styled header row, then rows
    of text, numbers, booleans (是/否), dates and naive datetimes, written straight into the zip.

    Strings are inline strings (never formulas); control characters XML cannot hold are removed.
    """

    _XF_TEXT, _XF_HEADER, _XF_DATE, _XF_DATETIME = 0, 1, 2, 3
    _EPOCH = datetime(1899, 12, 30)

    def __init__(self, fileobj, *, sheet_title: str, columns: list[tuple[str, float]]):
        self._zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED,
                                    compresslevel=5)
        self._title = sheet_title[:31]
        self._columns = columns
        self._letters = [_column_letter(i) for i in range(1, len(columns) + 1)]
        self._row = 0
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._buffer: list[str] = []
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, (_, w) in enumerate(columns, start=1))
        self._write(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
        self.append([title for title, _ in columns], header=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._sheet.close()
            self._zip.close()

    def _write(self, text: str) -> None:
        self._buffer.append(text)
        if len(self._buffer) >= 512:
            self._flush()

    def _flush(self) -> None:
        self._sheet.write("".join(self._buffer).encode("utf-8"))
        self._buffer.clear()

    def append(self, values, *, header: bool = False) -> None:
        self._row += 1
        r = self._row
        cells = []
        for letter, value in zip(self._letters, values, strict=True):
            ref = f"{letter}{r}"
            if value is None or value == "":
                continue
            if header:
                cells.append(f'<c r="{ref}" s="{self._XF_HEADER}" t="inlineStr"><is><t>'
                             f"{_xml_text(str(value))}</t></is></c>")
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{"是" if value else "否"}'
                             "</t></is></c>")
            elif isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif isinstance(value, datetime):
                serial = (value.replace(tzinfo=None) - self._EPOCH).total_seconds() / 86400
                cells.append(f'<c r="{ref}" s="{self._XF_DATETIME}"><v>{serial:.10f}</v></c>')
            elif isinstance(value, date):
                serial = (value - self._EPOCH.date()).days
                cells.append(f'<c r="{ref}" s="{self._XF_DATE}"><v>{serial}</v></c>')
            else:
                text = _xml_text(str(value))
                space = ' xml:space="preserve"' if text != text.strip() else ""
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
        self._write(f'<row r="{r}">{"".join(cells)}</row>')

    def close(self) -> None:
        last = f"{self._letters[-1]}{self._row}"
        self._write(f'</sheetData><autoFilter ref="A1:{last}"/>'
                    '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" '
                    'footer="0.3"/></worksheet>')
        self._flush()
        self._sheet.close()
        z = self._zip
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/styles" Target="styles.xml"/></Relationships>'))
        z.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{_xml_text(self._title)}" sheetId="1" r:id="rId1"/></sheets>'
            '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
            f'hidden="1">\'{_xml_text(self._title)}\'!$A$1:${self._letters[-1]}${self._row}'
            '</definedName></definedNames></workbook>'))
        z.writestr("xl/styles.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
            '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill>'
            '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/>'
            '<bgColor indexed="64"/></patternFill></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs><cellXfs count="4">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" '
            'applyFill="1" applyAlignment="1"><alignment horizontal="center" vertical="center" '
            'wrapText="1"/></xf>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/>'
            '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles></styleSheet>'))
        z.close()


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return escape(_XML_ILLEGAL.sub("", text))
