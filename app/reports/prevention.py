"""The dashboard's figures of prevention work (双重预防): checklists and the enterprises' own
self-inspections (企业自查自报), for the user's scope, an optional community and the period.

* **most_failed_items** — checklist items by how often they were answered ``fail`` in the
  period (answers' ``answered_at``), with how often they were judged at all (pass or fail) and
  the item's text (from the latest version of its checklist that has the code); the top ten.
* **last_scores** — each enterprise's last finished inspection with a checklist (finished
  before the period's end), its kind and score (pass ÷ (pass + fail)); lowest first.
* **self_inspections** — finished self-inspections (``kind: self``) begun in the period: their
  number, the enterprises that ran one, and per enterprise per month (Asia/Shanghai).
* **self_check_missed** — hazards found in the period flagged 自查不实.

Each is one or two grouped queries.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, case, func, literal_column, select, tuple_

from app.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from app.core.db import OneRow
from app.core.permissions import scope_clause
from app.extensions import db
from app.hazards.models import Hazard
from app.inspections.answers import score_of
from app.inspections.choices import FAIL, PASS, SELF
from app.inspections.models import Inspection, InspectionAnswer
from app.registry.models import Community, Enterprise

TOP_ITEMS = 10
MAX_SCORES = 200


def month_of(column):
    """``YYYY-MM`` (Asia/Shanghai) of a UTC timestamp column; China keeps UTC+8 all year."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")


def _scope(user, model, community: Community | None):
    clause = scope_clause(user, model)
    if community is not None:
        clause = and_(clause, model.community_id == community.id)
    return clause


def most_failed_items(scope, start: datetime, end: datetime) -> list[dict]:
    failed = func.sum(case((InspectionAnswer.result == FAIL, 1), else_=0))
    judged = func.sum(case((InspectionAnswer.result.in_((PASS, FAIL)), 1), else_=0))
    rows = db.session.execute(
        select(ChecklistVersion.checklist_id, InspectionAnswer.code, failed.label("failed"),
               judged.label("judged"))
        .join(Inspection, Inspection.id == InspectionAnswer.inspection_id)
        .join(ChecklistVersion, ChecklistVersion.id == Inspection.checklist_version_id)
        .where(scope, InspectionAnswer.answered_at >= start, InspectionAnswer.answered_at < end)
        .group_by(ChecklistVersion.checklist_id, InspectionAnswer.code)
        .having(failed > 0)
        .order_by(failed.desc(), ChecklistVersion.checklist_id, InspectionAnswer.code)
        .limit(TOP_ITEMS)).all()
    pairs = [(r.checklist_id, r.code) for r in rows]
    texts: dict[tuple[str, str], tuple[int, ChecklistItem]] = {}
    names: dict[str, str] = {}
    if pairs:
        for checklist_id, version, item in db.session.execute(
                select(ChecklistVersion.checklist_id, ChecklistVersion.version, ChecklistItem)
                .join(ChecklistVersion, ChecklistVersion.id == ChecklistItem.version_id)
                .where(tuple_(ChecklistVersion.checklist_id, ChecklistItem.code).in_(pairs))):
            key = (checklist_id, item.code)
            if key not in texts or texts[key][0] < version:
                texts[key] = (version, item)
        names = dict(db.session.execute(select(Checklist.id, Checklist.name).where(
            Checklist.id.in_({p[0] for p in pairs}))).all())
    out = []
    for r in rows:
        item = texts.get((r.checklist_id, r.code), (None, None))[1]
        out.append({"checklist_id": r.checklist_id, "checklist_name": names.get(r.checklist_id),
                    "code": r.code, "text": item.text if item else None,
                    "basis": item.basis if item else None,
                    "major_if_failed": bool(item.major_if_failed) if item else False,
                    "failed": int(r.failed), "judged": int(r.judged or 0),
                    "fail_rate": round(int(r.failed) / int(r.judged), 4) if r.judged else None})
    return out


def _rare(condition):
    """``condition``, telling SQLite few rows meet it. Its planner otherwise reads
    ``ix_inspections_checklist_ended`` by skip-scan, every distinct checklist version *and*
    NULL, so every inspection made without a checklist (most of them: issue 18)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.likelihood(condition, literal_column("0.01"))
    return condition


def last_scores(scope, end: datetime) -> list[dict]:
    ranked = (select(Inspection.id, Inspection.enterprise_id, Inspection.kind,
                     Inspection.ended_at,
                     func.row_number().over(partition_by=Inspection.enterprise_id,
                                            order_by=(Inspection.ended_at.desc(),
                                                      Inspection.id.desc())).label("rn"))
              .where(scope, _rare(Inspection.checklist_version_id.is_not(None)),
                     Inspection.ended_at.is_not(None), Inspection.ended_at < end)
              .subquery())
    counts = (select(InspectionAnswer.inspection_id,
                     func.sum(case((InspectionAnswer.result == PASS, 1), else_=0)).label("p"),
                     func.sum(case((InspectionAnswer.result == FAIL, 1), else_=0)).label("f"))
              .where(InspectionAnswer.inspection_id.in_(select(ranked.c.id).where(
                  ranked.c.rn == 1)))
              .group_by(InspectionAnswer.inspection_id).subquery())
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.enterprise_id, ranked.c.kind, ranked.c.ended_at,
               Enterprise.name, counts.c.p, counts.c.f)
        .join(Enterprise, Enterprise.id == ranked.c.enterprise_id)
        .outerjoin(counts, counts.c.inspection_id == ranked.c.id)
        .where(ranked.c.rn == 1)).all()
    out = [{"enterprise_id": r.enterprise_id, "enterprise_name": r.name, "inspection_id": r.id,
            "kind": r.kind, "ended_at": r.ended_at,
            "score": score_of({PASS: int(r.p or 0), FAIL: int(r.f or 0)})} for r in rows]
    out.sort(key=lambda e: (e["score"] is None, e["score"] or 0, e["enterprise_name"]))
    return out[:MAX_SCORES]


def self_inspections(scope, start: datetime, end: datetime) -> dict:
    month = month_of(Inspection.started_at)
    rows = db.session.execute(
        select(Inspection.enterprise_id, Enterprise.name, month.label("month"),
               func.count().label("n"))
        .join(Enterprise, Enterprise.id == Inspection.enterprise_id)
        .where(scope, Inspection.kind == SELF, Inspection.ended_at.is_not(None),
               Inspection.started_at >= start, Inspection.started_at < end)
        .group_by(Inspection.enterprise_id, Enterprise.name, month)).all()
    by_enterprise: dict[str, dict] = {}
    by_month: dict[str, dict] = defaultdict(lambda: {"count": 0, "enterprises": 0})
    for r in rows:
        key = str(r.month)
        entry = by_enterprise.setdefault(r.enterprise_id, {
            "enterprise_id": r.enterprise_id, "enterprise_name": r.name, "months": {},
            "total": 0})
        entry["months"][key] = int(r.n)
        entry["total"] += int(r.n)
        by_month[key]["count"] += int(r.n)
        by_month[key]["enterprises"] += 1
    return {
        "total": sum(e["total"] for e in by_enterprise.values()),
        "enterprises": len(by_enterprise),
        "by_month": [{"month": m, **v} for m, v in sorted(by_month.items())],
        "by_enterprise": sorted(by_enterprise.values(),
                                key=lambda e: (-e["total"], e["enterprise_name"])),
    }


def self_check_missed(user, community: Community | None, start: datetime,
                      end: datetime) -> OneRow:
    """自查不实 hazards found in the period (read with the dashboard's other counts,
    ``app.core.db.read_together``)."""
    return OneRow(select(func.count()).select_from(Hazard).where(
        _scope(user, Hazard, community), Hazard.self_check_missed.is_(True),
        Hazard.found_at >= start, Hazard.found_at < end), lambda row: int(row[0] or 0))


def prevention_figures(user, community: Community | None, start: datetime,
                       end: datetime, *, missed: int) -> dict:
    """The figures (module doc); ``missed``: :func:`self_check_missed`'s."""
    inspections = _scope(user, Inspection, community)
    return {"most_failed_items": most_failed_items(inspections, start, end),
            "last_scores": last_scores(inspections, end),
            "self_inspections": self_inspections(inspections, start, end),
            "self_check_missed": missed}
