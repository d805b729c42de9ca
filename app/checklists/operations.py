"""Checklist (检查表) services: list and read (everyone logged in), create, change and import
(administrators and supervisors, ``checklist.manage``), and the shipped lists.

A change never rewrites a version: it writes the next :class:`ChecklistVersion` with its items,
and the checklist's ``version`` (its :class:`~app.core.models.VersionedMixin` counter) names it.
Inspections keep the version they began with (app.inspections).
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.checklists import importing
from app.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from app.checklists.standard import STANDARD_CHECKLISTS
from app.core.db import new_id
from app.core.idempotency import CreateResult, create_or_replay
from app.core.imports import ImportReport
from app.core.models import expect_version
from app.core.pagination import Page
from app.core.permissions import can, require
from app.core.timeutil import utcnow
from app.documents.spreadsheet import write_xlsx
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.hazards.choices import configured_categories
from app.registry import importing as tables
from app.registry.choices import configured_industries

ITEM_FIELDS = ("code", "text", "category", "basis", "requires_photo", "major_if_failed")
NOT_FOUND = "检查表不存在 / Checklist not found."
STALE_CHECKLIST = ("检查表已更新为第 {current} 版（您提交的是第 {sent} 版），请刷新后重试 / "
                   "The checklist is at version {current}, not {sent}; reload and try again.")


# --------------------------------------------------------------------------- reading
def version_of(checklist_id: str, version: int) -> ChecklistVersion | None:
    return db.session.scalar(select(ChecklistVersion).where(
        ChecklistVersion.checklist_id == checklist_id, ChecklistVersion.version == version))


def _with_current(checklists: list[Checklist]) -> list[Checklist]:
    """``checklists`` with ``current`` set to their current version (one query, items
    loaded with it)."""
    if not checklists:
        return checklists
    pairs = [(c.id, c.version) for c in checklists]
    versions = {(v.checklist_id, v.version): v for v in db.session.scalars(
        select(ChecklistVersion).where(
            tuple_(ChecklistVersion.checklist_id, ChecklistVersion.version).in_(pairs)))}
    for checklist in checklists:
        checklist.current = versions.get((checklist.id, checklist.version))
    return checklists


def _industry_rank(checklist: Checklist, industry: str | None) -> int:
    """Offered by industry: lists made for ``industry`` first, then lists for every industry,
    then the rest."""
    if industry and industry in (checklist.industries or []):
        return 0
    return 1 if not checklist.industries else 2


def list_checklists(user, args: dict) -> Page:
    """Checklists in use (managers may ask for retired ones too), the ones made for
    ``industry`` first (each with ``matches_industry``), then by name."""
    stmt = select(Checklist)
    if not (args.get("include_inactive") and can(user, "checklist.manage")):
        stmt = stmt.where(Checklist.active.is_(True))
    industry = args.get("industry")
    checklists = list(db.session.scalars(stmt.order_by(Checklist.created_at, Checklist.name)))
    checklists.sort(key=lambda c: _industry_rank(c, industry))
    for checklist in checklists:
        checklist.matches_industry = bool(industry) and industry in (checklist.industries or [])
    page, per_page = args["page"], args["per_page"]
    shown = checklists[(page - 1) * per_page:page * per_page]
    return Page(_with_current(shown), len(checklists), page, per_page)


def get_checklist(user, checklist_id: str, version: int | None = None) -> Checklist:
    """A checklist with its current version, or with ``version`` (an earlier one) as
    ``current``; 404 naming ``version`` when it has no such version."""
    checklist = db.session.get(Checklist, checklist_id)
    if checklist is None:
        raise NotFound(NOT_FOUND)
    _with_current([checklist])
    checklist.matches_industry = False
    if version is not None and version != checklist.version:
        found = version_of(checklist.id, version)
        if found is None:
            raise NotFound(f"检查表没有第 {version} 版 / The checklist has no version {version}.",
                           field="version")
        checklist.current = found
    return checklist


def list_versions(user, checklist_id: str) -> dict:
    checklist = db.session.get(Checklist, checklist_id)
    if checklist is None:
        raise NotFound(NOT_FOUND)
    versions = list(db.session.scalars(
        select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist.id)
        .order_by(ChecklistVersion.version.desc())))
    return {"items": versions, "total": len(versions)}


# --------------------------------------------------------------------------- writing
def _check_items(items: list[dict]) -> None:
    """Codes unique within the checklist (422 naming ``items.<n>.code``)."""
    first: dict[str, int] = {}
    for n, item in enumerate(items):
        if item["code"] in first:
            raise Invalid(f"编号“{item['code']}”与第 {first[item['code']] + 1} 项重复 / The code "
                          f"'{item['code']}' repeats item {first[item['code']] + 1}.",
                          field=f"items.{n}.code")
        first[item["code"]] = n


def _name_taken(name: str, except_id: str | None = None) -> bool:
    stmt = select(Checklist.id).where(Checklist.name == name)
    if except_id:
        stmt = stmt.where(Checklist.id != except_id)
    return db.session.scalar(stmt) is not None


def _name_conflict(name: str) -> Conflict:
    return Conflict(f"已有名为“{name}”的检查表 / A checklist named '{name}' already exists.",
                    field="name")


def _clean_items(items: list[dict]) -> list[dict]:
    return [{"code": i["code"].strip(), "text": " ".join(i["text"].split()),
             "category": i["category"], "basis": " ".join((i.get("basis") or "").split()),
             "requires_photo": bool(i.get("requires_photo")),
             "major_if_failed": bool(i.get("major_if_failed"))} for i in items]


def _write_version(checklist: Checklist, user, *, name: str, industries: list[str],
                   description: str, items: list[dict]) -> ChecklistVersion:
    """The version row named by ``checklist.version`` (flushed) with its items."""
    version = ChecklistVersion(id=new_id(), checklist_id=checklist.id, version=checklist.version,
                               name=name, industries=list(industries), description=description,
                               created_at=utcnow(),
                               created_by_id=user.id if user is not None else None)
    db.session.add(version)
    for position, item in enumerate(items, start=1):
        db.session.add(ChecklistItem(id=new_id(), version_id=version.id, position=position,
                                     **{k: item[k] for k in ITEM_FIELDS}))
    db.session.flush()
    db.session.expire(version, ["items"])
    return version


def create_checklist(user, data: dict) -> CreateResult:
    """新建检查表 at version 1 (idempotent by client id)."""
    require(user, "checklist.manage")
    items = _clean_items(data["items"])
    _check_items(items)
    name = " ".join(data["name"].split())

    def build(checklist_id: str, body_hash: str) -> Checklist:
        if _name_taken(name):
            raise _name_conflict(name)
        return Checklist(id=checklist_id, payload_hash=body_hash, name=name,
                         industries=list(dict.fromkeys(data.get("industries") or [])),
                         description=data.get("description") or "", active=True,
                         created_by_id=user.id)

    result = create_or_replay(Checklist, data.get("id"), data, build, user=user,
                              scope=lambda *_: True)
    if result.created:
        checklist = result.record
        _write_version(checklist, user, name=checklist.name, industries=checklist.industries,
                       description=checklist.description, items=items)
        current_app.logger.info("checklists: %s created %r", user.username, checklist.name)
    return CreateResult(get_checklist(user, result.record.id), result.created)


def _content(checklist: Checklist) -> dict:
    current = checklist.current
    return {"name": checklist.name, "industries": list(checklist.industries or []),
            "description": checklist.description or "",
            "items": [{k: getattr(i, k) for k in ITEM_FIELDS} for i in current.items]}


def _apply_change(user, checklist: Checklist, wanted: dict) -> bool:
    """Make ``wanted`` (name, industries, description, items, active) the checklist's state;
    a new version when any of it differs. Returns whether anything changed."""
    before = _content(checklist)
    after = {**before, **{k: v for k, v in wanted.items() if k in before}}
    active_changed = "active" in wanted and wanted["active"] != checklist.active
    if after == before and not active_changed:
        return False
    if after["name"] != checklist.name and _name_taken(after["name"], checklist.id):
        raise _name_conflict(after["name"])
    checklist.name, checklist.industries = after["name"], after["industries"]
    checklist.description = after["description"]
    if active_changed:
        checklist.active = wanted["active"]
    checklist.updated_at = utcnow()  # an UPDATE even when only the items change: a new version
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("检查表已被他人修改，请刷新后重试 / The checklist was changed by someone "
                       "else; reload and try again.", field="version") from None
    except IntegrityError:
        raise _name_conflict(after["name"]) from None
    _write_version(checklist, user, name=after["name"], industries=after["industries"],
                   description=after["description"], items=after["items"])
    return True


def update_checklist(user, checklist_id: str, data: dict) -> Checklist:
    """修改检查表 with the ``version`` last seen: any change makes the next version (the
    earlier ones stay, and so do the inspections that use them)."""
    require(user, "checklist.manage")
    checklist = db.session.get(Checklist, checklist_id, with_for_update=True)
    if checklist is None:
        raise NotFound(NOT_FOUND)
    expect_version(checklist, data["version"], STALE_CHECKLIST)
    _with_current([checklist])
    wanted = {k: v for k, v in data.items() if k != "version"}
    if "name" in wanted:
        wanted["name"] = " ".join(wanted["name"].split())
    if "industries" in wanted:
        wanted["industries"] = list(dict.fromkeys(wanted["industries"] or []))
    if "items" in wanted:
        wanted["items"] = _clean_items(wanted["items"])
        _check_items(wanted["items"])
    if _apply_change(user, checklist, wanted):
        current_app.logger.info("checklists: %s changed %r to version %d", user.username,
                                checklist.name, checklist.version)
    return get_checklist(user, checklist.id)


# --------------------------------------------------------------------------- import, export
def import_checklists(user, data: bytes, filename: str | None, *, dry_run: bool,
                      name: str | None = None) -> ImportReport:
    """Import checklists from a CSV/XLSX table (see :mod:`app.checklists.importing`): a
    checklist of a new name is created, one of an existing name gets a new version when its
    items (or industries, when the file names them) differ, and is left alone otherwise, so
    importing the same file again changes nothing. A checklist with a bad row is not imported
    (its rows are reported, ``result: invalid``); the others are. ``dry_run`` reports the same
    and writes nothing."""
    require(user, "checklist.manage")
    try:
        table = tables.parse_table(data, filename, columns=importing.COLUMNS,
                                   required=importing.REQUIRED,
                                   max_unpacked=current_app.config["IMPORT_MAX_UNPACKED_BYTES"])
    except tables.TableError as exc:
        raise Invalid(exc.message, errors=exc.as_problem_errors()) from exc
    if name is None and "name" not in table.headers:
        raise Invalid("文件没有“检查表名称”列：请在导入时指定检查表名称 / The file has no "
                      "checklist column: give the checklist's name with the import.",
                      field="name")
    report = ImportReport.of(table, dry_run=dry_run)
    parsed = importing.group_rows(table.rows, default_name=name,
                                  categories=configured_categories(),
                                  industries=configured_industries())
    existing = {c.name: c for c in db.session.scalars(select(Checklist).where(
        Checklist.name.in_([p.name for p in parsed if p.name])))}
    _with_current(list(existing.values()))
    for group in parsed:
        outcome = {"name": group.name, "items": len(group.items), "lines": group.lines[:1] + (
            group.lines[-1:] if len(group.lines) > 1 else [])}
        if group.errors or not group.items:
            report.errors.extend(e.as_dict() for e in group.errors)
            if group.name:
                report.add({**outcome, "id": None, "version": None}, "invalid")
            continue
        checklist = existing.get(group.name)
        if checklist is None:
            outcome.update(version=1, id=None)
            if not dry_run:
                created = create_checklist(user, {"name": group.name, "items": group.items,
                                                  "industries": group.industries})
                outcome["id"] = created.record.id
            report.add(outcome, "created")
        else:
            wanted = {"items": group.items}
            if "industries" in table.headers:
                wanted["industries"] = group.industries
            before = _content(checklist)
            changed = {**before, **wanted} != before
            outcome["id"] = checklist.id
            if changed:
                outcome["version"] = checklist.version + 1
                if not dry_run:
                    _apply_change(user, checklist, wanted)
                report.add(outcome, "updated")
            else:
                outcome["version"] = checklist.version
                report.add(outcome, "unchanged")
    return report


def export_xlsx(user, checklist_id: str, version: int | None = None) -> tuple[bytes, str]:
    """A checklist version as the import's table (re-importable), and its file name."""
    checklist = get_checklist(user, checklist_id, version)
    current = checklist.current
    rows = [{"name": current.name, "industries": "、".join(
                configured_industries().label(v, "zh") for v in current.industries or []),
             **{k: getattr(item, k) for k in ITEM_FIELDS},
             "category": configured_categories().label(item.category, "zh")}
            for item in current.items]
    content = write_xlsx(rows, importing.EXPORT_COLUMNS, sheet_title="检查表")
    return content, f"{current.name}-第{current.version}版.xlsx"


def import_template_xlsx() -> bytes:
    """An empty checklist table with the import's Chinese headers."""
    return write_xlsx([], importing.EXPORT_COLUMNS, sheet_title="检查表")


# --------------------------------------------------------------------------- shipped lists
def ensure_standard_checklists() -> list[str]:
    """Add the shipped checklists (app.checklists.standard) that this database lacks, by key
    (a list renamed since is not added again; a name taken by another list is skipped).
    Returns the names added."""
    present = set(db.session.scalars(select(Checklist.standard_key).where(
        Checklist.standard_key.is_not(None))))
    names = set(db.session.scalars(select(Checklist.name)))
    added = []
    for standard in STANDARD_CHECKLISTS:
        if standard.key in present or standard.name in names:
            continue
        if db.session.get(Checklist, standard.id) is not None:
            continue
        checklist = Checklist(id=standard.id, name=standard.name,
                              industries=list(standard.industries),
                              description=standard.description, active=True,
                              standard_key=standard.key)
        db.session.add(checklist)
        db.session.flush()
        version = ChecklistVersion(id=standard.version_id, checklist_id=checklist.id, version=1,
                                   name=standard.name, industries=list(standard.industries),
                                   description=standard.description, created_at=utcnow())
        db.session.add(version)
        for position, item in enumerate(standard.items, start=1):
            db.session.add(ChecklistItem(
                id=standard.item_id(item.code), version_id=version.id, position=position,
                **{k: getattr(item, k) for k in ITEM_FIELDS}))
        db.session.flush()
        added.append(standard.name)
    return added


def items_by_code(version_id: str) -> dict[str, ChecklistItem]:
    """The items of a checklist version by code."""
    return {item.code: item for item in db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.version_id == version_id)
        .order_by(ChecklistItem.position))}


def item_texts(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], ChecklistItem]:
    """``{(version id, code): item}`` of the pairs asked for, in one query."""
    if not pairs:
        return {}
    return {(i.version_id, i.code): i for i in db.session.scalars(
        select(ChecklistItem).where(tuple_(ChecklistItem.version_id, ChecklistItem.code)
                                    .in_(pairs)))}

