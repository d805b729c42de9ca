"""Each enterprise's last visit (最近一次检查), kept current in the transaction that records an
inspection, so that coverage (检查覆盖率, ``app.reports.coverage``) reads one small row per
enterprise instead of probing the inspections of each (issue 18; bench/RESULTS.md).

A *visit* is an inspection of any kind but the enterprise's own self-inspection (自查, kind
``self``). :class:`EnterpriseVisit` holds, for every enterprise ever visited, the latest
``started_at`` of its visits; an enterprise without a row was never visited. From it:

* *never visited* — no row;
* *visited in* ``[start, end)`` — ``start <= last_at < end``, or, when its last visit is at or
  after ``end`` (a period in the past), a visit found among its inspections of the period
  (:func:`visited_in`: the few enterprises visited since are looked up, the rest are not).

How it stays current: inspections are only ever added (none is deleted, and their enterprise,
kind and start never change), so each flush that adds visits raises their enterprises' ``last_at``
to the latest of its own and theirs, in one upsert that keeps the larger value: two transactions
adding visits to one enterprise at once leave the later of the two, whichever commits first.
A flush that did change one of those columns or delete an inspection recounts the enterprises
concerned from their inspections (:func:`refresh`). The bulk generator writes inspections
without the ORM and calls :func:`rebuild`; ``flask rollups check`` compares with the rows.
"""
from __future__ import annotations

from sqlalchemy import String, case, delete, event, exists, func, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.core.db import UTCDateTime
from app.extensions import db
from app.inspections.models import Inspection

#: An enterprise inspecting itself (自查, kind ``self``) is no visit.
SELF_INSPECTION = "self"
#: The columns of an inspection its visit depends on.
WATCHED = ("enterprise_id", "kind", "started_at")


class EnterpriseVisit(db.Model):
    """The latest start of a visit (an inspection not of kind ``self``) to an enterprise."""

    __tablename__ = "enterprise_visits"

    enterprise_id = db.Column(String(36), primary_key=True)
    last_at = db.Column(UTCDateTime, nullable=False)


def is_visit():
    """SQL: the inspection (``Inspection``) is a visit."""
    return Inspection.kind != SELF_INSPECTION


def visited_in(enterprise_id, start, end):
    """SQL: the enterprise ``enterprise_id`` (a column) was visited in ``[start, end)``, given
    its :class:`EnterpriseVisit` joined (outer) alongside. Only enterprises last visited at or
    after ``end`` look at their inspections."""
    last = EnterpriseVisit.last_at
    return case(
        (last.is_(None), False),
        (last < start, False),
        (last < end, True),
        else_=exists(select(Inspection.id).where(
            Inspection.enterprise_id == enterprise_id, is_visit(),
            Inspection.started_at >= start, Inspection.started_at < end)))


def _insert(session):
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(EnterpriseVisit.__table__)


def _raise_to(session, latest: dict) -> None:
    """Raise each enterprise's ``last_at`` to ``latest[enterprise_id]`` where that is later."""
    stmt = _insert(session)
    table = EnterpriseVisit.__table__
    stmt = stmt.on_conflict_do_update(index_elements=["enterprise_id"], set_={
        "last_at": case((stmt.excluded.last_at > table.c.last_at, stmt.excluded.last_at),
                        else_=table.c.last_at)})
    session.execute(stmt, [{"enterprise_id": k, "last_at": v} for k, v in sorted(latest.items())])


def refresh(enterprise_ids, session=None) -> None:
    """Recount the last visit of ``enterprise_ids`` from their inspections."""
    session = session or db.session
    ids = sorted(enterprise_ids)
    session.execute(delete(EnterpriseVisit).where(EnterpriseVisit.enterprise_id.in_(ids)))
    session.execute(EnterpriseVisit.__table__.insert().from_select(
        ["enterprise_id", "last_at"],
        select(Inspection.enterprise_id, func.max(Inspection.started_at))
        .where(Inspection.enterprise_id.in_(ids), is_visit())
        .group_by(Inspection.enterprise_id)))


def rebuild(session=None) -> int:
    """Every enterprise's last visit counted again from the inspections; returns the rows."""
    session = session or db.session
    session.execute(delete(EnterpriseVisit))
    session.execute(EnterpriseVisit.__table__.insert().from_select(
        ["enterprise_id", "last_at"],
        select(Inspection.enterprise_id, func.max(Inspection.started_at))
        .where(is_visit()).group_by(Inspection.enterprise_id)))
    return int(session.scalar(select(func.count()).select_from(EnterpriseVisit)) or 0)


def stored() -> dict:
    return dict(db.session.execute(select(EnterpriseVisit.enterprise_id,
                                          EnterpriseVisit.last_at)).all())


def computed() -> dict:
    return dict(db.session.execute(
        select(Inspection.enterprise_id, func.max(Inspection.started_at))
        .where(is_visit()).group_by(Inspection.enterprise_id)).all())


def _changed(obj) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in WATCHED)


def _before_flush(session, flush_context, _instances) -> None:
    latest: dict = {}
    recount: set = set()
    for obj in session.new:
        if isinstance(obj, Inspection) and obj.kind != SELF_INSPECTION:
            if obj.enterprise_id is None or obj.started_at is None:
                continue   # the flush will refuse it
            if obj.enterprise_id not in latest or latest[obj.enterprise_id] < obj.started_at:
                latest[obj.enterprise_id] = obj.started_at
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Inspection) and (obj in session.deleted or _changed(obj)):
            history = inspect(obj).attrs.enterprise_id.history
            recount.update(v for v in (*history.deleted, *history.unchanged, *history.added)
                           if v is not None)
    if latest or recount:
        flush_context.attributes["anxun_visits"] = (latest, recount)


def _after_flush(session, flush_context) -> None:
    pending = flush_context.attributes.pop("anxun_visits", None)
    if pending is None:
        return
    latest, recount = pending
    latest = {k: v for k, v in latest.items() if k not in recount}
    if latest:
        _raise_to(session, latest)
    if recount:
        refresh(recount, session)


def init_app(_app) -> None:
    """Keep the last visits current on every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)

