"""The dashboard's counts of 零容忍 escalations (``esc`` in :mod:`app.hazards.rollups`): by day
fired, community and rule, kept current in the transaction that writes them.

Escalations are fired with plain SQL (``INSERT … ON CONFLICT DO NOTHING``,
:func:`app.escalation.operations.fire`), which counts its own; rows written through the ORM
(imports, tests) are counted by the flush, as hazards are; an enterprise's move recounts its
escalations (:func:`app.escalation.operations.on_enterprise_moved`).
"""
from __future__ import annotations

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.core.db import new_id
from app.escalation.models import Escalation
from app.extensions import db
from app.hazards import rollups

WATCHED = ("community_id", "fired_at", "rule")


def escalation_facts(where=None, session=None) -> list[tuple]:
    """``(community, fired day, rule, n)`` of the escalations matching ``where``: what the
    rollups count of them (:func:`app.hazards.rollups.rebuild` takes them)."""
    session = session or db.session
    day = rollups.local_day(Escalation.fired_at, session.get_bind().dialect.name)
    stmt = (select(Escalation.community_id, day, Escalation.rule, func.count())
            .group_by(Escalation.community_id, day, Escalation.rule))
    if where is not None:
        stmt = stmt.where(where)
    return [tuple(row) for row in session.execute(stmt)]


def add_facts(delta: rollups.Delta, rows, sign: int) -> None:
    for community_id, day, rule, n in rows:
        delta.add_day("esc", rollups.as_date(day), community_id, rule, sign * n)


def _before_flush(session, flush_context, _instances) -> None:
    ids = set()
    for obj in session.new:
        if isinstance(obj, Escalation):
            if obj.id is None:
                obj.id = new_id()
            ids.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Escalation) and any(
                inspect(obj).attrs[name].history.has_changes() for name in WATCHED):
            ids.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Escalation):
            ids.add(obj.id)
    if not ids:
        return
    where = Escalation.id.in_(sorted(ids))
    delta = rollups.Delta()
    add_facts(delta, escalation_facts(where, session), -1)
    flush_context.attributes["anxun_escalation_counts"] = (where, delta)


def _after_flush(session, flush_context) -> None:
    pending = flush_context.attributes.pop("anxun_escalation_counts", None)
    if pending is None:
        return
    where, delta = pending
    add_facts(delta, escalation_facts(where, session), +1)
    delta.apply(session)


def init_app(_app) -> None:
    """Count escalations on every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
