"""Ledgers (台账): the hazard ledger (隐患台账) and the interview ledger (约谈台账) as XLSX/CSV.

The hazard ledger carries the fields DOMAIN.md lists for it (check date, place, hazard detail and
level, who found it, who is responsible for the fix, deadline, re-check result, closing date …,
and its 挂牌督办: unit, deadline, responsible person, 摘牌 and its assessment), and where it came
from (隐患来源, the checklist item it failed, 自查不实)
under Chinese headers, for exactly the hazards ``GET /api/v1/hazards`` lists with the same
filters. It may hold a whole year of a 街道 (hundreds of thousands of rows), so rows are
read from the database in batches and sent as they come: XLSX written by
:class:`app.documents.spreadsheet.XlsxStream`, CSV (UTF-8 with BOM), both streamed responses
whose first bytes leave with the first rows, both in the format of
:func:`~app.documents.spreadsheet.write_xlsx` / ``write_csv``, which build the whole table
in memory and are used as they are for the interview ledger (small).
"""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, case, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core.timeutil import SHANGHAI, utcnow
from app.documents.spreadsheet import ChunkSink, XlsxStream, write_csv, write_xlsx
from app.documents.cells import guard_formula
from app.escalation.choices import INTERVIEW_STATES, RULES
from app.escalation.models import Escalation, Interview
from app.escalation.operations import interview_filter
from app.extensions import db
from app.checklists.models import ChecklistItem
from app.hazards.choices import (HAZARD_LEVELS, HAZARD_SOURCES, HAZARD_STATES, LISTING_STATES,
                                 configured_categories)
from app.hazards.models import Hazard
from app.hazards.operations import hazard_filter
from app.hazards.oversight_models import HazardListing
from app.inspections.choices import INSPECTION_KINDS
from app.inspections.models import Inspection
from app.registry.models import Community, Enterprise
from app.reports.dashboard import period_bounds

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Asia/Shanghai as a fixed offset: China has had no summer time since 1991, and a fixed offset
# converts several times faster than the zoneinfo rules on a year of rows.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
CSV_MIME = "text/csv; charset=utf-8"
BATCH = 2000
#: The first rows are sent on their own, so that a download starts at once.
FIRST = 100

#: (key, 中文表头, column width) of the hazard ledger, in order.
HAZARD_LEDGER_COLUMNS = (
    ("check_date", "检查日期", 12),
    ("enterprise_name", "企业名称", 30),
    ("credit_code", "统一社会信用代码", 22),
    ("community_name", "所属社区", 12),
    ("place", "隐患地点", 16),
    ("title", "隐患名称", 28),
    ("description", "隐患描述", 40),
    ("level", "隐患等级", 10),
    ("category", "隐患类别", 12),
    ("inspection_kind", "检查类型", 12),
    ("source", "隐患来源", 10),
    ("checklist_item", "检查项", 36),
    ("reporter", "发现人", 16),
    ("found_at", "发现时间", 17),
    ("responsible", "整改责任人", 12),
    ("deadline", "整改期限", 17),
    ("state", "状态", 10),
    ("overdue", "是否逾期", 9),
    ("escalated", "零容忍升级", 10),
    ("self_check_missed", "自查不实", 9),
    ("rejection_count", "复查不通过次数", 9),
    ("submitted_at", "整改提交时间", 17),
    ("verified_at", "复查时间", 17),
    ("recheck_note", "复查结果", 30),
    ("closed_date", "销号日期", 12),
    ("archived_date", "归档日期", 12),
    ("listing_state", "挂牌督办", 11),
    ("listing_unit", "督办单位", 16),
    ("listing_deadline", "督办期限", 12),
    ("listing_responsible", "督办责任人", 12),
    ("delisted_date", "摘牌日期", 12),
    ("delisting_assessment", "摘牌评估意见", 30),
    ("id", "隐患编号", 38),
)

INTERVIEW_LEDGER_COLUMNS = (
    ("created_at", "提出时间"), ("enterprise_name", "被约谈企业"),
    ("credit_code", "统一社会信用代码"),
    ("community_name", "所属社区"), ("state", "状态"), ("reasons", "约谈事由（零容忍规则）"),
    ("convener", "约谈方"), ("scheduled_at", "约谈时间"), ("place", "约谈地点"),
    ("interviewers", "约谈人员"), ("departments", "参加部门"), ("interviewee", "被约谈人"),
    ("interviewee_title", "职务"), ("note_taker", "记录人"), ("situation", "情况通报"),
    ("problems", "存在问题"), ("requirements", "整改要求"), ("commitments", "承诺事项"),
    ("follow_up_deadline", "书面回复期限"), ("held_at", "约谈实施时间"),
    ("completion_receipt", "整改完成回执"), ("closed_at", "结案时间"), ("id", "约谈编号"),
)


# --------------------------------------------------------------------------- hazard ledger
def hazard_conditions(user, args: dict, now: datetime):
    """The WHERE clause of the hazard list for ``args`` (:func:`app.hazards.operations.
    hazard_filter`), narrowed to the dashboard's period when ``date_from``/``date_to`` are
    given (whole Asia/Shanghai days, defaults as the dashboard's)."""
    where = hazard_filter(user, args, now)
    if args.get("date_from") or args.get("date_to"):
        _, _, start, end = period_bounds(args.get("date_from"), args.get("date_to"), now=now)
        where = and_(where, Hazard.found_at >= start, Hazard.found_at < end)
    return where


def hazard_ledger_query(user, args: dict, now: datetime | None = None):
    """The ledger's SELECT (scope and filters resolved now, so that it can run later, e.g. while
    a response streams), newest finding first like the list."""
    now = now or utcnow()
    reporter = aliased(User)
    # The hazards must stay the outer loop, read in found_at order from their index, so that the
    # first rows leave before the last are read. SQLite starts an inner join from the smallest
    # table (the communities) and sorts a million rows: there the joins (every hazard has both
    # rows) are written as outer ones. PostgreSQL plans a fast start for a cursor by itself, and
    # outer joins would cost it that freedom.
    outer = db.session.get_bind().dialect.name == "sqlite"
    return (select(Hazard.id, Hazard.found_at, Hazard.place, Hazard.title, Hazard.description,
                   Hazard.level, Hazard.category, Hazard.responsible, Hazard.deadline,
                   Hazard.state, Hazard.escalated, Hazard.rejection_count, Hazard.submitted_at,
                   Hazard.verified_at, Hazard.recheck_note, Hazard.closed_at, Hazard.archived_at,
                   case((Hazard.overdue_at(now), True), else_=False).label("overdue"),
                   Enterprise.name.label("enterprise_name"), Enterprise.credit_code,
                   Community.name.label("community_name"),
                   reporter.display_name.label("reporter"),
                   Inspection.kind.label("inspection_kind"),
                   Inspection.started_at.label("inspection_started_at"),
                   Hazard.source, Hazard.checklist_item, Hazard.self_check_missed,
                   ChecklistItem.text.label("checklist_item_text"),
                   HazardListing.state.label("listing_state"),
                   HazardListing.unit.label("listing_unit"),
                   HazardListing.deadline.label("listing_deadline"),
                   HazardListing.responsible.label("listing_responsible"),
                   HazardListing.delisted_at, HazardListing.assessment)
            .join(Enterprise, Enterprise.id == Hazard.enterprise_id, isouter=outer)
            .join(Community, Community.id == Hazard.community_id, isouter=outer)
            .outerjoin(reporter, reporter.id == Hazard.reporter_id)
            .outerjoin(Inspection, Inspection.id == Hazard.inspection_id)
            .outerjoin(ChecklistItem, and_(
                ChecklistItem.version_id == Inspection.checklist_version_id,
                ChecklistItem.code == Hazard.checklist_item))
            .outerjoin(HazardListing, HazardListing.hazard_id == Hazard.id)
            .where(hazard_conditions(user, args, now))
            .order_by(Hazard.found_at.desc(), Hazard.id)
            .execution_options(yield_per=BATCH))


def hazard_ledger_rows(query) -> Iterator[list]:
    """The rows of :func:`hazard_ledger_query` as lists of values in the order of
    :data:`HAZARD_LEDGER_COLUMNS`, read ``BATCH`` at a time. Times are Asia/Shanghai wall time
    to the minute, dates Asia/Shanghai dates, choices their Chinese labels."""
    categories = configured_categories()

    def local(value):
        if value is None:
            return None
        return value.astimezone(CHINA).replace(tzinfo=None, second=0, microsecond=0)

    def day(value):
        return None if value is None else value.astimezone(CHINA).date()

    for r in db.session.execute(query):
        yield [
            day(r.inspection_started_at or r.found_at), r.enterprise_name, r.credit_code,
            r.community_name, r.place, r.title, r.description,
            HAZARD_LEVELS.label(r.level, "zh"), categories.label(r.category, "zh"),
            INSPECTION_KINDS.label(r.inspection_kind, "zh"), HAZARD_SOURCES.label(r.source, "zh"),
            " ".join(x for x in (r.checklist_item, r.checklist_item_text) if x),
            r.reporter or "",
            local(r.found_at), r.responsible, local(r.deadline),
            HAZARD_STATES.label(r.state, "zh"), bool(r.overdue), bool(r.escalated),
            bool(r.self_check_missed), r.rejection_count, local(r.submitted_at),
            local(r.verified_at), r.recheck_note or "", day(r.closed_at), day(r.archived_at),
            LISTING_STATES.label(r.listing_state, "zh") if r.listing_state else "",
            r.listing_unit or "", day(r.listing_deadline), r.listing_responsible or "",
            day(r.delisted_at), r.assessment or "", r.id,
        ]


def hazard_ledger_xlsx_chunks(query) -> Iterator[bytes]:
    """The rows of :func:`hazard_ledger_query` as an XLSX workbook, in chunks as it is written
    (``BATCH`` rows at a time): the download starts with the first rows and the server holds a
    batch, never the workbook (issue 18; bench/RESULTS.md).

    A year of a 街道 is hundreds of thousands of rows; openpyxl (even write-only) manages a few
    tens of thousands of cells a second here, so the sheet is written by :class:`XlsxStream`
    into the response as it goes. The look matches :func:`app.documents.spreadsheet.write_xlsx`:
    bold shaded header, frozen first row, auto filter, dates as real dates."""
    sink = ChunkSink()
    with XlsxStream(sink, sheet_title="隐患台账",
                    columns=[(title, width) for _, title, width in HAZARD_LEDGER_COLUMNS]) as out:
        for n, row in enumerate(hazard_ledger_rows(query), start=1):
            out.append(row)
            if n % BATCH == 0 or n == FIRST:
                yield sink.take()
    yield sink.take()


def hazard_ledger_xlsx(user, args: dict, *, now: datetime | None = None):
    """The hazard ledger as an XLSX workbook in a temporary file (positioned at 0)."""
    spool = tempfile.TemporaryFile()
    for chunk in hazard_ledger_xlsx_chunks(hazard_ledger_query(user, args, now)):
        spool.write(chunk)
    spool.seek(0)
    return spool


def hazard_ledger_csv(query) -> Iterator[bytes]:
    """The rows of :func:`hazard_ledger_query` as CSV chunks of ``BATCH`` rows, in the format of
    :func:`app.documents.spreadsheet.write_csv` (UTF-8 with BOM, CRLF, Chinese header, times
    ``YYYY-MM-DD HH:MM:SS``, 是/否, a ``'`` before text that a spreadsheet would run as a
    formula), written directly because its generic per-cell lookups cost more than the query
    on a year of hazards."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([title for _, title, _ in HAZARD_LEDGER_COLUMNS])
    first = True
    n = 0
    for row in hazard_ledger_rows(query):
        writer.writerow([_csv_text(v) for v in row])
        n += 1
        if n % BATCH == 0 or n == FIRST:
            yield _drain(buffer, first)
            first = False
    yield _drain(buffer, first)


def _drain(buffer: io.StringIO, bom: bool) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return (b"\xef\xbb\xbf" + data) if bom else data


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.isoformat(" ", "seconds")
    if isinstance(value, date):
        return value.isoformat()
    return guard_formula(str(value))


# --------------------------------------------------------------------------- interviews
def interview_ledger_rows(user, args: dict, now: datetime | None = None) -> list[dict]:
    """Interviews in scope matching ``args``, newest first, with their reasons (rule + hazard)
    gathered by one grouped query."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Interview, Enterprise.name.label("enterprise_name"), Enterprise.credit_code,
               Community.name.label("community_name"))
        .join(Enterprise, Enterprise.id == Interview.enterprise_id)
        .join(Community, Community.id == Interview.community_id)
        .where(interview_filter(user, args, now))
        .order_by(Interview.created_at.desc(), Interview.id)).all()
    ids = [r.Interview.id for r in rows]
    reasons: dict[str, list[str]] = {}
    for i in range(0, len(ids), 500):
        for esc_interview, rule, title in db.session.execute(
                select(Escalation.interview_id, Escalation.rule, Hazard.title)
                .join(Hazard, Hazard.id == Escalation.hazard_id)
                .where(Escalation.interview_id.in_(ids[i:i + 500]))
                .order_by(Escalation.fired_at, Escalation.id)):
            reasons.setdefault(esc_interview, []).append(
                f"{rule} {RULES.label(rule, 'zh')}：{title}")
    out = []
    for r in rows:
        iv = r.Interview
        out.append({
            "id": iv.id, "created_at": iv.created_at, "enterprise_name": r.enterprise_name,
            "credit_code": r.credit_code, "community_name": r.community_name,
            "state": INTERVIEW_STATES.label(iv.state, "zh"),
            "reasons": "\n".join(reasons.get(iv.id, [])), "convener": iv.convener,
            "scheduled_at": iv.scheduled_at, "place": iv.place,
            "interviewers": "、".join(iv.interviewers or []),
            "departments": "、".join(iv.departments or []), "interviewee": iv.interviewee,
            "interviewee_title": iv.interviewee_title, "note_taker": iv.note_taker,
            "situation": iv.situation, "problems": iv.problems,
            "requirements": iv.requirements, "commitments": iv.commitments,
            "follow_up_deadline": iv.follow_up_deadline, "held_at": iv.held_at,
            "completion_receipt": iv.completion_receipt, "closed_at": iv.closed_at,
        })
    return out


def interview_ledger_xlsx(user, args: dict) -> bytes:
    return write_xlsx(interview_ledger_rows(user, args), INTERVIEW_LEDGER_COLUMNS,
                      sheet_title="约谈台账")


def interview_ledger_csv(user, args: dict) -> bytes:
    return write_csv(interview_ledger_rows(user, args), INTERVIEW_LEDGER_COLUMNS)


def stamp(now: datetime | None = None) -> str:
    """``YYYYMMDD`` (Asia/Shanghai) for download file names."""
    return (now or utcnow()).astimezone(SHANGHAI).strftime("%Y%m%d")
