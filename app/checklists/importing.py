"""Reading checklist tables (检查表导入, CSV/XLSX) through the registry's table reader
(:func:`app.registry.importing.parse_table`) with the columns of a checklist, and the columns
of its export (which imports back unchanged).

One file may hold several checklists: the 检查表名称 column groups its rows (a file without it
is one checklist, named by the import's ``name``). Framework-free and database-free: the
service (:mod:`app.checklists.operations`) decides what becomes of each checklist.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from app.core.choices import ChoiceSet
from app.core.text import text_fault
from app.registry.importing import Column, ColumnSet, FormulaCell, RowError, formula_error

#: An item's code: letters, digits and ``. _ -`` (it is part of an answer's URL).
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
CODE_MESSAGE = ("编号只能由字母、数字和 . _ - 组成，最多 32 个字符 / A code is letters, digits "
                "and . _ - only, at most 32 characters.")
MAX_ITEMS = 300
MAX_LENGTH = {"name": 200, "code": 32, "text": 500, "basis": 300}

COLUMNS = ColumnSet((
    Column("name", "检查表名称", "checklist",
           ("检查表名称", "检查表", "检查表名", "表名", "checklist", "checklist_name")),
    Column("industries", "适用行业", "industries",
           ("适用行业", "行业", "所属行业", "industries", "industry")),
    Column("code", "编号", "code",
           ("编号", "检查项编号", "项目编号", "条目编号", "代码", "code", "item_code")),
    Column("text", "检查内容", "text",
           ("检查内容", "检查项目", "检查项", "检查要求", "检查标准", "内容", "text", "item",
            "content")),
    Column("category", "隐患类别", "category", ("隐患类别", "类别", "类型", "category")),
    Column("basis", "依据", "basis",
           ("依据", "检查依据", "法律依据", "依据条款", "判定依据", "basis", "legal_basis")),
    Column("requires_photo", "需拍照", "requires_photo",
           ("需拍照", "需要拍照", "需照片", "拍照", "requires_photo", "photo")),
    Column("major_if_failed", "重大隐患", "major_if_failed",
           ("重大隐患", "重大事故隐患", "判定为重大隐患", "不符合即重大隐患", "major",
            "major_if_failed")),
), "“编号”“检查内容”“隐患类别”", "code, text, category")
REQUIRED = ("code", "text", "category")

#: Export columns in import order: an exported checklist imports back unchanged.
EXPORT_COLUMNS = [(c.key, c.zh) for c in COLUMNS.columns]

_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "需要", "要", "重大"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "不需要", "不要", "一般", "-", "—"}
_LIST_SEPARATORS = re.compile(r"[、,，;；/|\s]+")


@dataclass
class ParsedChecklist:
    """The rows of one checklist in a file: its name, industries (union of its rows'), items
    in file order and the lines they came from."""

    name: str
    first_line: int
    industries: list[str] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _flag(text: str | None) -> bool | None:
    """是/否 (and the usual spellings) as a boolean; empty is 否; ``None`` when unreadable."""
    key = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not key or key in _NO:
        return False
    if key in _YES:
        return True
    return None


def group_rows(rows: list[tuple[int, dict]], *, default_name: str | None,
               categories: ChoiceSet, industries: ChoiceSet) -> list[ParsedChecklist]:
    """The checklists of a table's rows, each with its items (typed: booleans, category and
    industries as values) and its row errors (a row in error is left out of the items). Rows
    without a checklist name come first, as a checklist named ``""`` holding only errors."""
    groups: dict[str, ParsedChecklist] = {}
    order: list[ParsedChecklist] = []
    orphans = ParsedChecklist(name="", first_line=0)
    for line, row in rows:
        name = " ".join((row.get("name") or default_name or "").split())
        if not name:
            orphans.errors.append(RowError(line, "name", NAME_MISSING))
            continue
        target = groups.get(name)
        if target is None:
            target = groups[name] = ParsedChecklist(name=name, first_line=line)
            order.append(target)
        item = _clean_row(line, row, target, categories, industries)
        if item is None:
            continue
        seen = next((i for i, other in enumerate(target.items)
                     if other["code"] == item["code"]), None)
        if seen is not None:
            target.errors.append(RowError(
                line, "code", f"编号“{item['code']}”与第 {target.lines[seen]} 行重复 / The code "
                              f"'{item['code']}' repeats line {target.lines[seen]}."))
            continue
        target.items.append(item)
        target.lines.append(line)
    for checklist in order:
        if len(checklist.items) > MAX_ITEMS:
            checklist.errors.append(RowError(
                checklist.first_line, None, f"一张检查表最多 {MAX_ITEMS} 项 / A checklist has at "
                                            f"most {MAX_ITEMS} items."))
    if orphans.errors:
        order.insert(0, orphans)
    return order


NAME_MISSING = ("缺少检查表名称（填写“检查表名称”列，或导入时指定名称） / The checklist's name is "
                "missing (a checklist column, or the import's name).")


def _clean_row(line: int, row: dict, target: ParsedChecklist, categories: ChoiceSet,
               industries: ChoiceSet) -> dict | None:
    """The item of one row (its errors added to ``target``, ``None`` when it has any); the
    row's industries join ``target``'s."""
    errors: list[RowError] = []

    def err(key: str | None, message: str) -> None:
        errors.append(RowError(line, key, message))

    for key, value in row.items():
        if isinstance(value, FormulaCell):  # never imported as if the cell were empty
            err(key, formula_error(COLUMNS.by_key[key], value))
            continue
        fault = text_fault(str(value)) if value is not None else None
        if fault:
            column = COLUMNS.by_key[key]
            zh, en = fault[0].split(" / ", 1)
            err(key, f"{column.zh}{zh} / {column.en} {en}")
    if errors:
        target.errors.extend(errors)
        return None
    if len(target.name) > MAX_LENGTH["name"]:
        err("name", f"检查表名称过长（最多 {MAX_LENGTH['name']} 字） / The checklist's name is "
                    f"longer than {MAX_LENGTH['name']} characters.")
    item = {"code": (row.get("code") or "").strip(),
            "text": " ".join((row.get("text") or "").split()),
            "basis": " ".join((row.get("basis") or "").split())}
    for key in REQUIRED:
        if not row.get(key):
            column = COLUMNS.by_key[key]
            err(key, f"{column.zh}不能为空 / {column.en} is required.")
    if item["code"] and not CODE_PATTERN.match(item["code"]):
        err("code", CODE_MESSAGE)
    for key in ("text", "basis"):
        if len(item[key]) > MAX_LENGTH[key]:
            column = COLUMNS.by_key[key]
            err(key, f"{column.zh}过长（最多 {MAX_LENGTH[key]} 字） / {column.en} is longer than "
                     f"{MAX_LENGTH[key]} characters.")
    if row.get("category"):
        item["category"] = categories.parse(row["category"])
        if item["category"] is None:
            err("category", categories.unknown_message(row["category"]))
    for key in ("requires_photo", "major_if_failed"):
        value = _flag(row.get(key))
        if value is None:
            column = COLUMNS.by_key[key]
            err(key, f"{column.zh}应填“是”或“否”，而不是“{row[key]}” / {column.en} must be yes "
                     f"or no, not '{row[key]}'.")
        item[key] = bool(value)
    for word in _LIST_SEPARATORS.split(row.get("industries") or ""):
        if not word:
            continue
        value = industries.parse(word)
        if value is None:
            err("industries", industries.unknown_message(word))
        elif value not in target.industries:
            target.industries.append(value)
    if errors:
        target.errors.extend(errors)
        return None
    return item
