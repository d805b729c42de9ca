"""The dashboard's figures of public reports (举报), for the dashboard's scope and period:

* **received** — tips received (``received_at``) in the period;
* **accepted / declined** — of those, how many are accepted (became hazards) or declined now;
* **untriaged_now** — tips of any period still waiting for triage, **overdue_now** those among
  them older than TIP_TRIAGE_DAYS;
* **median_days_to_triage** — median of ``triaged_at − received_at`` in days over the period's
  triaged tips (the continuous median, computed by the database).

Tips without an enterprise count in a supervisor's figures, not in one community's.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, select, true

from app.core.db import OneRow
from app.extensions import db
from app.outreach.choices import ACCEPTED, DECLINED, RECEIVED
from app.outreach.models import Tip
from app.outreach.scope import tip_clause
from app.outreach.tips import triage_due


def _days(later, earlier):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _median(value, where):
    """SQL: the continuous median of ``value`` over the tips matching ``where`` (NULL without
    any): ``percentile_cont`` on PostgreSQL; on SQLite the mean of the middle one or two of
    the ordered values, found with their count in the same statement."""
    if db.session.get_bind().dialect.name == "postgresql":
        return select(func.percentile_cont(0.5).within_group(value)).select_from(Tip).where(
            where).scalar_subquery()
    count = select(func.count()).select_from(Tip).where(where).scalar_subquery()
    middle = (select(value.label("v")).select_from(Tip).where(where).order_by(value)
              .limit(2 - count % 2).offset((count - 1) // 2).subquery())
    return select(func.avg(middle.c.v)).scalar_subquery()


def tip_figures(user, community, start: datetime, end: datetime,
                now: datetime | None = None, *, due=None) -> OneRow:
    """The figures (module doc) as one statement, read with the dashboard's other counts
    (``app.core.db.read_together``). ``due``: :func:`triage_due` of ``now``, when given (a
    bound parameter of a cached statement)."""
    scope = tip_clause(user)
    if community is not None:
        scope = and_(scope, Tip.community_id == community.id)
    in_period = and_(scope, Tip.received_at >= start, Tip.received_at < end)
    received = select(
        func.count(), func.sum(case((Tip.state == ACCEPTED, 1), else_=0)),
        func.sum(case((Tip.state == DECLINED, 1), else_=0))).where(in_period).subquery()
    due = triage_due(now) if due is None else due
    untriaged = select(
        func.count(), func.sum(case((Tip.received_at <= due, 1), else_=0))
    ).where(scope, Tip.state == RECEIVED).subquery()
    median = _median(_days(Tip.triaged_at, Tip.received_at),
                     and_(in_period, Tip.triaged_at.is_not(None)))
    statement = select(*received.c, *untriaged.c, median).select_from(
        received.join(untriaged, true()))

    def read(row):
        received, accepted, declined, untriaged, overdue, median = row
        return {"received": int(received or 0), "accepted": int(accepted or 0),
                "declined": int(declined or 0), "untriaged_now": int(untriaged or 0),
                "overdue_now": int(overdue or 0),
                "median_days_to_triage": None if median is None else round(float(median), 2)}
    return OneRow(statement, read)
