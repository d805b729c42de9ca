"""Reading uploaded registry tables (CSV/XLSX); the registry's columns for its exports.

Framework-free and database-free. The registry service validates and upserts what comes out:

* :func:`read_table` / :func:`parse_table` turn an uploaded file into ``(line, row)`` pairs, where
  ``line`` is the row number a spreadsheet user sees (the header is line 1 when it is the first
  row) and ``row`` maps the normalised keys of :data:`COLUMNS` to stripped strings (``None`` for an
  empty cell). Only columns present in the file appear in ``row``. File-level problems (not a
  table, undecodable, no header, required column missing) raise :class:`TableError`.
* :func:`clean_row` converts one row's strings into typed values (credit code verified, risk level
  mapped to ``red|orange|yellow|blue``, employees as int, ``location {lat, lng}`` in WGS-84) and
  returns the :class:`RowError` list for that row.
* :func:`import_template_xlsx` is an empty table with the columns' Chinese headers, written by
  :mod:`app.documents.spreadsheet` like every export.
"""
from __future__ import annotations

import csv
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from openpyxl import load_workbook

from app.core import geo
from app.documents.spreadsheet import write_xlsx
from app.core.text import text_fault
from app.documents.cells import FORMULA_START
from app.registry import credit_code as cc
from app.registry.choices import RISK_LEVELS

__all__ = [
    "COLUMNS", "REGISTRY_COLUMNS", "REQUIRED", "RISK_LEVELS", "Column", "ColumnSet", "RowError",
    "Table", "TableError",
    "clean_row", "import_template_xlsx", "parse_risk_level", "parse_table", "read_table",
]


# --------------------------------------------------------------------------------------------
# Columns

@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


#: Registry columns in template/export order. ``aliases`` are extra accepted header spellings;
#: matching ignores case, spaces, ``_ - . *`` and anything in brackets, e.g. ``*纬度（WGS-84）``.
COLUMNS: tuple[Column, ...] = (
    Column("name", "企业名称", "name",
           ("企业名称", "名称", "企业全称", "单位名称", "企业(单位)名称", "公司名称", "企业",
            "enterprise", "enterprise_name", "company", "company_name")),
    Column("credit_code", "统一社会信用代码", "credit_code",
           ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码", "credit_code", "uscc",
            "unified_social_credit_code", "social_credit_code")),
    Column("community", "所属社区", "community",
           ("所属社区", "社区", "社区名称", "所在社区", "community", "community_id",
            "community_name")),
    Column("address", "地址", "address",
           ("地址", "企业地址", "经营地址", "生产经营地址", "注册地址", "详细地址", "address")),
    Column("lat", "纬度", "lat", ("纬度", "lat", "latitude")),
    Column("lng", "经度", "lng", ("经度", "lng", "lon", "long", "longitude")),
    Column("industry", "行业", "industry",
           ("行业", "所属行业", "行业类别", "行业分类", "industry")),
    Column("risk_level", "风险等级", "risk_level",
           ("风险等级", "风险分级", "风险级别", "风险颜色", "安全风险等级", "risk_level", "risk",
            "risk_colour", "risk_color")),
    Column("legal_rep", "法定代表人", "legal_rep",
           ("法定代表人", "法人代表", "法人", "负责人", "主要负责人", "legal_rep",
            "legal_representative")),
    Column("safety_officer", "安全员", "safety_officer",
           ("安全员", "安全管理员", "安全管理人员", "安全负责人", "safety_officer")),
    Column("phone", "联系电话", "phone",
           ("联系电话", "电话", "联系方式", "手机", "手机号", "电话号码", "phone", "tel",
            "telephone", "mobile")),
    Column("employees", "从业人数", "employees",
           ("从业人数", "从业人员", "从业人员数", "员工人数", "职工人数", "人数", "employees",
            "employee_count", "staff")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED: tuple[str, ...] = ("name", "credit_code", "community")

#: Longest text accepted per field (characters; the column sizes of app/registry/models.py);
#: longer values are a row error rather than a database error.
MAX_LENGTH = {"name": 200, "community": 100, "address": 300, "industry": 50,
              "legal_rep": 100, "safety_officer": 100, "phone": 32}

#: Spellings a registry file uses for each risk level (风险等级) besides its labels.
_RISK_ALIASES = {
    "red": ("red", "r", "红", "红色", "重大", "重大风险", "重大风险(红)", "红色风险", "一级"),
    "orange": ("orange", "o", "橙", "橙色", "较大", "较大风险", "橙色风险", "二级"),
    "yellow": ("yellow", "y", "黄", "黄色", "一般", "一般风险", "黄色风险", "三级"),
    "blue": ("blue", "b", "蓝", "蓝色", "低", "低风险", "较低", "较低风险", "蓝色风险", "四级"),
}

_BRACKETS = re.compile(r"[(\[【{<《].*?[)\]】}>》]")
_HEADER_JUNK = re.compile(r"[\s_\-.*:：#/\\]+")


def _header_key(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = _BRACKETS.sub("", t)
    return _HEADER_JUNK.sub("", t)



_RISK_TO_CODE: dict[str, str] = {}
for _choice in RISK_LEVELS.choices:
    for _n in (_choice.value, _choice.zh, _choice.en, *_RISK_ALIASES[_choice.value]):
        _RISK_TO_CODE[_header_key(_n)] = _choice.value


_CRS_WORDS = re.compile(r"gcj02|gcj|bd09|wgs84|wgs|gps|cgcs2000|百度|高德|腾讯|火星|天地图|坐标")


class ColumnSet:
    """The columns a kind of table may have, matched by header (any spelling of
    :class:`Column`), and the example headers a "no header" message names. The registry's is
    :data:`REGISTRY_COLUMNS`; other tables (检查表, app.checklists) read with their own."""

    def __init__(self, columns: Sequence[Column], example_zh: str, example_en: str):
        self.columns = tuple(columns)
        self.by_key = {c.key: c for c in self.columns}
        self.example_zh, self.example_en = example_zh, example_en
        self._alias_to_key: dict[str, str] = {}
        for c in self.columns:
            for alias in (c.key, c.zh, c.en, *c.aliases):
                self._alias_to_key.setdefault(_header_key(alias), c.key)

    def match(self, text: str) -> str | None:
        """The key of a header cell, or ``None``; tolerates a coordinate-system word
        (百度纬度)."""
        k = _header_key(text)
        if not k:
            return None
        return self._alias_to_key.get(k) or self._alias_to_key.get(_CRS_WORDS.sub("", k))


#: The registry's columns (企业名录).
REGISTRY_COLUMNS = ColumnSet(COLUMNS, "“企业名称”“统一社会信用代码”", "name, credit_code")


def _coord_hint(header: str) -> str | None:
    """Coordinate system named in a lat/lng header, e.g. ``经度(GCJ-02)`` or ``百度纬度``."""
    t = unicodedata.normalize("NFKC", header).lower().replace("-", "").replace("_", "")
    if any(s in t for s in ("gcj", "高德", "腾讯", "火星", "国测局", "amap")):
        return geo.GCJ02
    if any(s in t for s in ("bd09", "百度", "baidu")):
        return geo.BD09
    if any(s in t for s in ("wgs", "gps", "cgcs", "天地图", "tianditu")):
        return geo.WGS84
    return None


# --------------------------------------------------------------------------------------------
# Errors

@dataclass(frozen=True)
class RowError:
    """A problem in one row (``line`` as the spreadsheet shows it) and field (a key of
    :data:`COLUMNS`, or ``None`` for the whole row/file)."""
    line: int
    field: str | None
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = f"第 {self.line} 行" + (f"（{COLUMN_BY_KEY[self.field].zh}）"
                                        if self.field in COLUMN_BY_KEY else "")
        return f"{where}: {self.message}"


class TableError(ValueError):
    """The file as a whole cannot be read (the API answers 415/422 with ``errors``)."""

    def __init__(self, message: str, errors: Sequence[RowError] = ()):
        super().__init__(message)
        self.message = message
        self.errors = list(errors) or [RowError(1, None, message)]

    def as_problem_errors(self) -> dict[str, list[str]]:
        """``{field: [message]}`` for a problem+json body (``file`` for file-level errors)."""
        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(e.field or "file", []).append(e.message)
        return out


# --------------------------------------------------------------------------------------------
# Reading

@dataclass
class Table:
    """What :func:`parse_table` found in a file."""
    format: str                              # "csv" | "xlsx"
    header_line: int
    columns: dict[int, str]                  # 0-based column index -> key
    headers: dict[str, str]                  # key -> header text as written in the file
    ignored_headers: list[str]
    coord_system: str                        # system of the lat/lng columns (header hint)
    rows: list[tuple[int, dict]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HEADER_SCAN_ROWS = 10
#: Unpacked size an XLSX (a zip) may reach: a 20,000-row registry is a few megabytes, while a
#: zip bomb of 195 KB unpacks to 190 MB. Checked from the zip directory before anything is read.
DEFAULT_MAX_UNPACKED = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 20000


def read_table(data: bytes, filename: str | None = None, *,
               columns: ColumnSet = REGISTRY_COLUMNS,
               required: Sequence[str] = REQUIRED,
               max_rows: int = DEFAULT_MAX_ROWS,
               max_unpacked: int = DEFAULT_MAX_UNPACKED) -> list[tuple[int, dict]]:
    """``[(line, {key: str | None})]`` of the data rows of an uploaded CSV or XLSX file.

    XLSX is recognised by content (zip magic), anything else is read as CSV. Blank rows are
    skipped (their line numbers are not reused). Raises :class:`TableError`."""
    return parse_table(data, filename, columns=columns, required=required, max_rows=max_rows,
                       max_unpacked=max_unpacked).rows


def parse_table(data: bytes, filename: str | None = None, *,
                columns: ColumnSet = REGISTRY_COLUMNS,
                required: Sequence[str] = REQUIRED,
                max_rows: int = DEFAULT_MAX_ROWS,
                max_unpacked: int = DEFAULT_MAX_UNPACKED) -> Table:
    """Like :func:`read_table` but also tells which columns were recognised or ignored, the
    coordinate system of lat/lng, the encoding and delimiter. ``columns`` are the columns of
    the kind of table read (default: the registry's)."""
    if not data or not data.strip():
        raise TableError("文件为空 / the file is empty")
    if data.startswith(_ZIP_MAGIC):
        sheets = _xlsx_sheets(data, max_unpacked)
        fmt, encoding, delimiter = "xlsx", None, None
    elif data.startswith(_OLE_MAGIC):
        raise TableError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后再导入 / "
                         "legacy .xls files are not supported: save as .xlsx or CSV")
    else:
        text, encoding = _decode(data)
        delimiter = _sniff_delimiter(text, columns)
        sheets = [(None, _csv_rows(text, delimiter))]
        fmt = "csv"
    last_error: TableError | None = None
    for sheet_name, rows in sheets:
        try:
            table = _build(rows, columns, required, max_rows, fmt)
        except _NoHeader as e:
            last_error = last_error or TableError(str(e))
            continue
        table.encoding, table.delimiter, table.sheet = encoding, delimiter, sheet_name
        return table
    raise last_error or TableError("未找到表头 / no header row found")


class _NoHeader(Exception):
    pass


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]           # Excel "Unicode text" export
    else:
        candidates = ["utf-8", "gb18030"]  # gb18030 is a superset of GBK/GB2312
    for enc in candidates:
        try:
            # A BOM inside the text (two exported files joined into one) is an encoding mark,
            # never content: left in, it would start a name with an invisible character.
            return data.decode(enc).replace("\ufeff", ""), enc
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码（支持 UTF-8 与 GBK/GB18030）/ "
                     "cannot decode the file (UTF-8 or GBK/GB18030 expected)")


def _csv_reader(text: str, delimiter: str):
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _sniff_delimiter(text: str, columns: ColumnSet) -> str:
    """Comma, semicolon or tab: the one that splits the first rows into the most known headers;
    failing that, the one giving the most columns consistently."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[:sample.rfind("\n")]
    best, best_score = ",", (-1, -1, -1)
    for delim in (",", ";", "\t"):
        try:
            rows = [r for r, _ in zip(_csv_reader(sample, delim), range(_HEADER_SCAN_ROWS * 2),
                                      strict=False)]  # the first rows only
        except csv.Error:
            continue
        known = max((len({columns.match(c) for c in r} - {None})
                     for r in rows[:_HEADER_SCAN_ROWS]), default=0)
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        width = max(widths, default=1)
        consistent = sum(1 for w in widths if w == width) if width > 1 else 0
        score = (known, consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _csv_rows(text: str, delimiter: str):
    try:
        for row in _csv_reader(text, delimiter):
            yield [_unguard(c) for c in row]
    except csv.Error as e:
        raise TableError(f"CSV 格式错误：{e} / malformed CSV: {e}") from e


def _unguard(value: str) -> str:
    """Undo the formula guard :func:`write_csv` adds (``'=...`` -> ``=...``)."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _xlsx_sheets(data: bytes, max_unpacked: int):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile as e:
        raise TableError("文件不是有效的 XLSX / not a valid XLSX file") from e
    if "xl/workbook.xml" not in names:
        raise TableError("文件不是有效的 XLSX / not a valid XLSX file (zip without a workbook)")
    if total > max_unpacked:
        # The sizes come from the zip's own directory; zipfile stops (and fails the CRC) at a
        # member's declared size, so a member lying about its size cannot unpack more either.
        raise TableError(f"XLSX 文件解压后为 {total} 字节，超过上限 {max_unpacked} 字节"
                         f"（疑似压缩炸弹）/ the XLSX file unpacks to {total} bytes, more than "
                         f"the {max_unpacked} allowed (a zip bomb?)")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The same book as written: a formula whose value was never saved (a book made by a
        # program rather than Excel) reads as an empty cell above, and would be lost silently.
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many types for damaged files
        raise TableError(f"无法读取 XLSX 文件 / cannot read the XLSX file "
                         f"({type(e).__name__})") from e
    try:
        active = wb.active
        ordered = ([active] + [ws for ws in wb.worksheets if ws is not active]
                   if active else wb.worksheets)
        for ws in ordered:
            if getattr(ws, "sheet_state", "visible") != "visible" and ws is not active:
                continue
            yield ws.title, _xlsx_rows(ws, formulas[ws.title])
    finally:  # read-only books keep their archive open until closed
        wb.close()
        formulas.close()


def _xlsx_rows(values_sheet, formulas_sheet):
    """The rows of a sheet as text; a damaged sheet (its XML is read lazily, row by row) is a
    :class:`TableError`, not a crash halfway through."""
    try:
        for values, written in zip(values_sheet.iter_rows(values_only=True),
                                   formulas_sheet.iter_rows(values_only=True), strict=False):
            yield [FormulaCell(w) if v is None and isinstance(w, str) and w.startswith("=")
                   else _cell_text(v) for v, w in itertools.zip_longest(values, written)]
    except Exception as e:  # XML errors, bad cell references, …: the file is damaged
        raise TableError(f"XLSX 文件的工作表已损坏，无法读取 / a sheet of the XLSX file is "
                         f"damaged and cannot be read ({type(e).__name__})") from e


class FormulaCell(str):
    """An XLSX cell holding a formula with no saved value: its text is the formula. The row is
    refused naming that field (:func:`formula_error`), never imported with the cell empty."""


def formula_error(column, formula: str) -> str:
    """The row error of a :class:`FormulaCell` in ``column`` (a :class:`Column`)."""
    return (f"{column.zh}是没有计算结果的公式（{formula[:40]}），请粘贴为数值后再导入 / "
            f"{column.en} is a formula without a saved value ({formula[:40]}): paste it as a "
            f"value and import again")


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, (date, time)):
        return v.isoformat()
    return str(v)


def _build(rows, columns: ColumnSet, required: Sequence[str], max_rows: int, fmt: str) -> Table:
    it = iter(rows)
    header_line, header = None, None
    best_known: dict[int, str] = {}
    for line, row in zip(range(1, _HEADER_SCAN_ROWS + 1), it, strict=False):  # the first rows only
        known = {i: columns.match(c) for i, c in enumerate(row)}
        known = {i: k for i, k in known.items() if k}
        if len(set(known.values())) >= 2:
            header_line, header, best_known = line, row, known
            break
    if header is None:
        raise _NoHeader(f"未找到表头：前 10 行中没有可识别的列名（如{columns.example_zh}）/ "
                        "no header row: none of the first 10 rows has known column names "
                        f"(e.g. {columns.example_en})")
    for i, text in enumerate(header):
        fault = text_fault(str(text))
        if fault:
            zh, en = fault[0].split(" / ", 1)
            raise TableError(f"表头第 {i + 1} 列{zh} / column {i + 1} of the header {en}",
                             [RowError(header_line, None, f"表头第 {i + 1} 列{zh} / column "
                                                          f"{i + 1} of the header {en}")])
    found: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for i, text in enumerate(header):
        key = best_known.get(i)
        if key and key not in headers:
            found[i], headers[key] = key, text.strip()
        elif text.strip():
            ignored.append(text.strip())
    missing = [k for k in required if k not in headers]
    if missing:
        errs = [RowError(header_line, k, _missing_message(columns.by_key[k])) for k in missing]
        names = "、".join(columns.by_key[k].zh for k in missing)
        en = ", ".join(columns.by_key[k].en for k in missing)
        raise TableError(f"缺少必填列：{names} / missing required column(s): {en}", errs)

    hints = {k: _coord_hint(headers[k]) for k in ("lat", "lng") if k in headers}
    systems = {h for h in hints.values() if h}
    if len(systems) > 1:
        raise TableError("纬度与经度列标注了不同的坐标系 / the lat and lng headers name "
                         "different coordinate systems",
                         [RowError(header_line, "lat",
                                   "坐标系不一致 / inconsistent coordinate systems")])
    coord_system = systems.pop() if systems else geo.WGS84

    table = Table(format=fmt, header_line=header_line, columns=found, headers=headers,
                  ignored_headers=ignored, coord_system=coord_system)
    for line, row in enumerate(it, start=header_line + 1):
        if not any(c.strip() for c in row):
            continue
        if len(table.rows) >= max_rows:
            raise TableError(f"数据行超过上限 {max_rows} 行，请分批导入 / "
                             f"more than {max_rows} data rows: split the file")
        values = {}
        for i, key in found.items():
            cell = row[i] if i < len(row) else ""
            values[key] = cell if isinstance(cell, FormulaCell) else (cell.strip() or None)
        table.rows.append((line, values))
    return table


def _missing_message(c: Column) -> str:
    return f"缺少必填列“{c.zh}”（也可写作 {c.en}）/ missing required column {c.en!r} ({c.zh})"


# --------------------------------------------------------------------------------------------
# Cleaning one row

def parse_risk_level(value: str | None) -> str | None:
    """``red|orange|yellow|blue`` from 红/橙/黄/蓝, 重大/较大/一般/低, English, any case;
    ``None`` for empty. Raises ValueError otherwise."""
    if value is None or not str(value).strip():
        return None
    code = _RISK_TO_CODE.get(_header_key(str(value)))
    if code is None:
        raise ValueError(f"风险等级“{value}”无法识别，应为 红/橙/黄/蓝（重大/较大/一般/低）/ "
                         f"unknown risk level {value!r} (red, orange, yellow or blue)")
    return code


_PHONE_OK = re.compile(r"^[0-9+()\-\s,;/、，；转ext.xX#]+$")


def clean_row(line: int, row: Mapping[str, str | None], *,
              coord_system: str = geo.WGS84,
              required: Sequence[str] = REQUIRED) -> tuple[dict, list[RowError]]:
    """Typed values for one row from :func:`read_table`, and the errors found.

    Keys present in ``row`` are present in the result (empty cells as ``None``), except that
    ``lat``/``lng`` become ``location: {"lat", "lng"} | None`` in WGS-84 (converted from
    ``coord_system``, see :attr:`Table.coord_system`). Fields with an error are left out."""
    out: dict = {}
    errors: list[RowError] = []

    def err(fieldname: str, message: str) -> None:
        errors.append(RowError(line, fieldname, message))

    formulas = [key for key, value in row.items() if isinstance(value, FormulaCell)]
    for key in formulas:
        err(key, formula_error(COLUMN_BY_KEY[key], row[key]))
    row = {key: value for key, value in row.items() if key not in formulas}
    if {"lat", "lng"} & set(formulas):
        row.pop("lat", None)
        row.pop("lng", None)
    # NUL, control characters and lone surrogates are never meant (and NUL cannot be stored):
    # that cell is the error, as the same text in a request is (app.core.text).
    faults = {key: fault for key, value in row.items()
              if value is not None and (fault := text_fault(str(value)))}
    for key in sorted(faults, key=list(COLUMN_BY_KEY).index):
        c = COLUMN_BY_KEY[key]
        zh, en = faults[key][0].split(" / ", 1)
        err(key, f"{c.zh}{zh} / {c.en} {en}")
    if faults:
        row = {key: value for key, value in row.items() if key not in faults}
        if faults.keys() & {"lat", "lng"}:
            row.pop("lat", None)
            row.pop("lng", None)

    for key in required:
        if key in row and not row[key]:
            c = COLUMN_BY_KEY[key]
            err(key, f"{c.zh}不能为空 / {c.en} is required")

    for key in ("name", "community", "address", "industry", "legal_rep", "safety_officer"):
        if key in row and row[key]:
            text = " ".join(str(row[key]).split())
            if len(text) > MAX_LENGTH[key]:
                c = COLUMN_BY_KEY[key]
                err(key, f"{c.zh}过长（最多 {MAX_LENGTH[key]} 字）/ {c.en} is longer than "
                         f"{MAX_LENGTH[key]} characters")
            else:
                out[key] = text
        elif key in row and key not in required:
            out[key] = None

    if "credit_code" in row and row["credit_code"]:
        try:
            out["credit_code"] = cc.validate(row["credit_code"])
        except cc.CreditCodeError as e:
            err("credit_code", str(e))
    elif "credit_code" in row and "credit_code" not in required:
        out["credit_code"] = None

    if "risk_level" in row:
        try:
            out["risk_level"] = parse_risk_level(row["risk_level"])
        except ValueError as e:
            err("risk_level", str(e))

    if "phone" in row:
        phone = " ".join(unicodedata.normalize("NFKC", row["phone"] or "").split())
        if not phone:
            out["phone"] = None
        elif (not _PHONE_OK.match(phone) or sum(ch.isdigit() for ch in phone) < 5
              or len(phone) > MAX_LENGTH["phone"]):
            err("phone", f"联系电话“{row['phone']}”格式不正确 / invalid phone number")
        else:
            out["phone"] = phone

    if "employees" in row:
        raw = unicodedata.normalize("NFKC", row["employees"] or "").strip()
        raw = raw.removesuffix("人").removesuffix("名").replace(",", "").strip()
        if not raw:
            out["employees"] = None
        else:
            try:
                n = float(raw)
                if not n.is_integer() or not 0 <= n <= 1_000_000:
                    raise ValueError
                out["employees"] = int(n)
            except ValueError:
                err("employees", f"从业人数“{row['employees']}”应为非负整数 / "
                                 "employees must be a whole number ≥ 0")

    if "lat" in row or "lng" in row:
        loc = _location(row.get("lat"), row.get("lng"), coord_system, err)
        if loc is not False:
            out["location"] = loc
    return out, errors


def _location(lat_text, lng_text, coord_system, err):
    """``{"lat","lng"}`` in WGS-84, ``None`` when both are empty, ``False`` after an error."""
    if not lat_text and not lng_text:
        return None
    if not lat_text or not lng_text:
        missing = "lat" if not lat_text else "lng"
        err(missing, "纬度和经度须同时填写 / lat and lng must both be given")
        return False
    try:
        lat = _parse_degrees(lat_text)
        lng = _parse_degrees(lng_text)
    except ValueError:
        bad = "lat" if not _is_number(lat_text) else "lng"
        err(bad, "坐标应为十进制度数，如 26.0745 / coordinates must be decimal degrees")
        return False
    if not geo.valid_lat_lng(lat, lng):
        if geo.valid_lat_lng(lng, lat):
            err("lat", f"纬度 {lat} 超出范围，纬度与经度可能填反了 / latitude {lat} out of range: "
                       "lat and lng look swapped")
        else:
            err("lat" if abs(lat) > 90 else "lng",
                "坐标超出范围（纬度 ±90，经度 ±180）/ coordinates out of range")
        return False
    if coord_system != geo.WGS84:
        lat, lng = geo.convert(lat, lng, coord_system, geo.WGS84)
    return {"lat": round(lat, 7), "lng": round(lng, 7)}


def _parse_degrees(text: str) -> float:
    t = unicodedata.normalize("NFKC", str(text)).strip().rstrip("°").strip()
    v = float(t)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


def _is_number(text) -> bool:
    try:
        _parse_degrees(text)
        return True
    except ValueError:
        return False


def import_template_xlsx() -> bytes:
    """An empty registry import template with the Chinese headers of :data:`COLUMNS`."""
    return write_xlsx([], [(c.key, c.zh) for c in COLUMNS], sheet_title="企业名录")
