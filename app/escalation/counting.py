"""The dashboard's counts of 零容忍 escalations and 约谈 interviews, kept with the hazard rollups
(:mod:`app.hazards.rollups`, table ``hazard_day_counts``) in the transaction that writes them:

==============  ==================  =====================================================
dimension       day                 key
==============  ==================  =====================================================
``esc``         fired               the rule (``R1``…): escalations fired that day
``ivo``         opened              the interview's state now: interviews opened that day
``ivh``         held                ``""``: interviews held that day
==============  ==================  =====================================================

Escalations are fired with plain SQL (``INSERT … ON CONFLICT DO NOTHING``,
:func:`app.escalation.operations.fire`), which counts its own; everything written through the
ORM (an interview's steps, imports, tests) is counted by the flush, as hazards are; an
enterprise's move recounts both (:func:`app.escalation.operations.on_enterprise_moved`).
"""
from __future__ import annotations

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.core.db import new_id
from app.escalation.models import Escalation, Interview
from app.extensions import db
from app.hazards import rollups

#: per model: the columns whose change changes its counts
WATCHED = {Escalation: ("community_id", "fired_at", "rule"),
           Interview: ("community_id", "created_at", "state", "held_at")}


def escalation_facts(where=None, session=None) -> list[tuple]:
    """``(dimension, community, day, key, n)`` of the escalations matching ``where``."""
    session = session or db.session
    day = rollups.local_day(Escalation.fired_at, session.get_bind().dialect.name)
    stmt = (select(Escalation.community_id, day, Escalation.rule, func.count())
            .group_by(Escalation.community_id, day, Escalation.rule))
    if where is not None:
        stmt = stmt.where(where)
    return [("esc", *row) for row in session.execute(stmt)]


def interview_facts(where=None, session=None) -> list[tuple]:
    """``(dimension, community, day, key, n)`` of the interviews matching ``where``: opened by
    day and current state, held by day."""
    session = session or db.session
    dialect = session.get_bind().dialect.name
    opened = rollups.local_day(Interview.created_at, dialect)
    held = rollups.local_day(Interview.held_at, dialect)
    out = []
    for dimension, columns, extra in (
            ("ivo", (Interview.community_id, opened, Interview.state), None),
            ("ivh", (Interview.community_id, held), Interview.held_at.is_not(None))):
        stmt = select(*columns, func.count()).group_by(*columns)
        for condition in (where, extra):
            if condition is not None:
                stmt = stmt.where(condition)
        for row in session.execute(stmt):
            row = tuple(row)
            out.append((dimension, *row) if len(row) == 4 else (dimension, row[0], row[1], "",
                                                                row[2]))
    return out


_FACTS = {Escalation: escalation_facts, Interview: interview_facts}


def all_facts(session=None) -> list[tuple]:
    """Every escalation and interview, counted (for :func:`app.hazards.rollups.rebuild`)."""
    return escalation_facts(session=session) + interview_facts(session=session)


def count_inserted(model, record_id: str) -> None:
    """A row of ``model`` was inserted with plain SQL (the flush does not see it): count it."""
    delta = rollups.Delta()
    add_facts(delta, _FACTS[model](model.id == record_id), +1)
    delta.apply()


def add_facts(delta: rollups.Delta, rows, sign: int) -> None:
    for dimension, community_id, day, key, n in rows:
        delta.add_day(dimension, rollups.as_date(day), community_id, key, sign * n)


def _before_flush(session, flush_context, _instances) -> None:
    ids: dict = {model: set() for model in _FACTS}
    for obj in session.new:
        model = type(obj)
        if model in ids:
            if obj.id is None:
                obj.id = new_id()
            ids[model].add(obj.id)
    for obj in session.dirty:
        model = type(obj)
        if model in ids and any(inspect(obj).attrs[name].history.has_changes()
                                for name in WATCHED[model]):
            ids[model].add(obj.id)
    for obj in session.deleted:
        if type(obj) in ids:
            ids[type(obj)].add(obj.id)
    wheres = [(model, model.id.in_(sorted(found))) for model, found in ids.items() if found]
    if not wheres:
        return
    delta = rollups.Delta()
    for model, where in wheres:
        add_facts(delta, _FACTS[model](where, session), -1)
    flush_context.attributes["anxun_escalation_counts"] = (wheres, delta)


def _after_flush(session, flush_context) -> None:
    pending = flush_context.attributes.pop("anxun_escalation_counts", None)
    if pending is None:
        return
    wheres, delta = pending
    for model, where in wheres:
        add_facts(delta, _FACTS[model](where, session), +1)
    delta.apply(session)


def init_app(_app) -> None:
    """Count escalations and interviews on every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
