"""Coverage (检查覆盖率, 横向到边、纵向到底): which enterprises of the registry were inspected in a
period, and which nobody has visited.

Definitions (every figure limited to the user's scope and the optional community; enterprises
counted by their current community and risk colour):

* **registered** — enterprises in the registry.
* **inspected** — of them, those with at least one inspection started (``started_at``) in the
  period, whatever its kind, on site or not: an inspection is a visit by the 街道's people. An
  enterprise's own self-inspection (自查, kind ``self``) is not one.
* **rate** — inspected ÷ registered; ``None`` without enterprises.
* **never_inspected** — enterprises with no inspection at all, ever.

One grouped query for the figures (by community × risk colour), over the enterprises and their
last visit (:mod:`app.inspections.visits`, kept current as inspections are recorded): no
enterprise's inspections are read unless it was visited after the period; one query for the
list, where the index ``ix_inspections_enterprise_started`` answers each enterprise's question.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, case, exists, func, select, true

from app.core.permissions import scope_clause
from app.core.timeutil import SHANGHAI, utcnow
from app.documents.spreadsheet import write_xlsx
from app.extensions import db
from app.inspections import visits
from app.inspections.models import Inspection
from app.inspections.visits import EnterpriseVisit
from app.registry.choices import RISK_LEVELS, configured_industries
from app.registry.models import Community, Enterprise
from app.registry.scope import community_scope_clause, visible_community

#: An enterprise inspecting itself (自查, kind ``self``) is no visit.
SELF_INSPECTION = visits.SELF_INSPECTION

#: (key, 中文表头) of the list of enterprises nobody visited.
UNINSPECTED_COLUMNS = (
    ("name", "企业名称"), ("credit_code", "统一社会信用代码"), ("community", "所属社区"),
    ("risk_level", "风险等级"), ("industry", "行业"), ("address", "单位地址"),
    ("safety_officer", "安全管理人员"), ("phone", "联系电话"),
    ("last_inspected", "最近一次检查"), ("period", "统计期间"),
)


def _visit(start: datetime | None = None, end: datetime | None = None):
    """SQL: the enterprise (``Enterprise``) had a visit, in ``[start, end)`` when given."""
    conditions = [Inspection.enterprise_id == Enterprise.id,
                  Inspection.kind != SELF_INSPECTION]
    if start is not None:
        conditions += [Inspection.started_at >= start, Inspection.started_at < end]
    return exists(select(Inspection.id).where(and_(*conditions)))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(registered: int, inspected: int, never: int) -> dict:
    return {"registered": registered, "inspected": inspected, "never_inspected": never,
            "uninspected": registered - inspected, "rate": _rate(inspected, registered)}


def enterprise_scope(user, community: Community | None):
    clause = scope_clause(user, Enterprise)
    if community is not None:
        clause = and_(clause, Enterprise.community_id == community.id)
    return clause


def coverage(user, community: Community | None, start: datetime, end: datetime, *,
             communities=None) -> dict:
    """``{registered, inspected, uninspected, never_inspected, rate, by_community[],
    by_risk[]}`` for ``user``'s scope and the period ``[start, end)`` (see the module doc).
    ``communities``: the ``(id, name)`` rows of :func:`scope_communities`, when read already."""
    rows = db.session.execute(
        select(Enterprise.community_id, Enterprise.risk_level, func.count(),
               func.sum(case((visits.visited_in(Enterprise.id, start, end), 1), else_=0)),
               func.sum(case((EnterpriseVisit.last_at.is_(None), 1), else_=0)))
        .outerjoin(EnterpriseVisit, EnterpriseVisit.enterprise_id == Enterprise.id)
        .where(enterprise_scope(user, community))
        .group_by(Enterprise.community_id, Enterprise.risk_level)).all()
    by_community: dict[str, list[int]] = {}
    by_risk: dict[str, list[int]] = {}
    total = [0, 0, 0]
    for community_id, risk, n, inspected, never in rows:
        for bucket in (by_community.setdefault(community_id, [0, 0, 0]),
                       by_risk.setdefault(risk, [0, 0, 0]), total):
            bucket[0] += n
            bucket[1] += int(inspected or 0)
            bucket[2] += int(never or 0)
    if communities is None:
        communities = scope_communities(user, community)
    return {
        **_figures(*total),
        "by_community": [{"id": c.id, "name": c.name,
                          **_figures(*by_community.get(c.id, (0, 0, 0)))} for c in communities],
        "by_risk": [{"key": key, **RISK_LEVELS.labels(key),
                     **_figures(*by_risk.get(key, (0, 0, 0)))}
                    for key in [*RISK_LEVELS, *sorted(k for k in by_risk if k not in RISK_LEVELS)]],
    }


def scope_communities(user, community: Community | None) -> list:
    """The communities in ``user``'s scope (or just ``community``), ``(id, name)`` in order."""
    return db.session.execute(
        select(Community.id, Community.name).where(community_scope_clause(user))
        .where(Community.id == community.id if community is not None else true())
        .order_by(Community.code, Community.name)).all()


def quarter(now: datetime | None = None) -> tuple[date, date]:
    """The first and last day of the current quarter (Asia/Shanghai)."""
    today = (now or utcnow()).astimezone(SHANGHAI).date()
    first_month = 3 * ((today.month - 1) // 3) + 1
    first = date(today.year, first_month, 1)
    last = (date(today.year + 1, 1, 1) if first_month == 10
            else date(today.year, first_month + 3, 1))
    return first, date.fromordinal(last.toordinal() - 1)


def last_visits(end: datetime):
    """A subquery: each enterprise's last visit before ``end`` (``enterprise_id``, ``last``)."""
    return (select(Inspection.enterprise_id, func.max(Inspection.started_at).label("last"))
            .where(Inspection.kind != SELF_INSPECTION, Inspection.started_at < end)
            .group_by(Inspection.enterprise_id).subquery())


def uninspected(user, community: Community | None, start: datetime, end: datetime) -> list:
    """The enterprises in scope with no visit in ``[start, end)``: red first, then by community
    and name; each with its last visit before the period ends (None: never)."""
    last = last_visits(end)
    order = case({value: n for n, value in enumerate(RISK_LEVELS)}, value=Enterprise.risk_level,
                 else_=len(RISK_LEVELS))
    return db.session.execute(
        select(Enterprise, Community.name.label("community_name"), last.c.last)
        .join(Community, Community.id == Enterprise.community_id)
        .outerjoin(last, last.c.enterprise_id == Enterprise.id)
        .where(enterprise_scope(user, community), ~_visit(start, end))
        .order_by(order, Community.code, Community.name, Enterprise.name, Enterprise.id)).all()


def uninspected_xlsx(user, *, community_id: str | None, first: date, last: date,
                     start: datetime, end: datetime) -> bytes:
    """未检查企业清单 as XLSX, every value in Chinese."""
    community = visible_community(user, community_id)
    industries = configured_industries()
    period = f"{first.isoformat()} 至 {last.isoformat()}"
    rows = [{
        "name": row.Enterprise.name, "credit_code": row.Enterprise.credit_code,
        "community": row.community_name,
        "risk_level": RISK_LEVELS.label(row.Enterprise.risk_level, "zh"),
        "industry": industries.label(row.Enterprise.industry, "zh"),
        "address": row.Enterprise.address, "safety_officer": row.Enterprise.safety_officer,
        "phone": row.Enterprise.phone,
        "last_inspected": (row.last.astimezone(SHANGHAI).date() if row.last is not None
                           else "从未检查"),
        "period": period,
    } for row in uninspected(user, community, start, end)]
    return write_xlsx(rows, UNINSPECTED_COLUMNS, sheet_title="未检查企业清单")
