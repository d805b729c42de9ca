"""迁移: an enterprise moved to another community takes every record with it.

Scope is decided by the ``community_id`` each record carries (denormalised from its enterprise
so that lists and dashboards filter and group at scale). When an admin changes an enterprise's
community (``PATCH /enterprises/{id}`` or a registry import), its hazards, inspections,
interviews and escalations, open and closed alike, are given the new community in the same
transaction, so the old community's people no longer see or act on them (404) and the new
community's do. The move is recorded once as an :class:`EnterpriseMove` (who, from, to, when,
what moved) and as a ``move`` line in the trail of each hazard and interview it carried.

The alternative, scope following the enterprise's *current* community through a join, was not
taken: every scoped query and index would need the join, and a record's trail would not show
when it changed hands.

Lock order: the enterprise row is updated (locked) first, then its records; creators read the
enterprise ``FOR SHARE`` before stamping its community on a new record, so a record created
while a move commits waits for it and takes the new community.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from app.core.timeutil import utcnow
from app.extensions import db
from app.registry.models import Community, EnterpriseMove
from app.registry.signals import enterprise_moved

#: The action name of the trail lines a move writes (hazards, interviews).
MOVE = "move"


def carry_records(enterprise, actor, from_community_id: str, *,
                  now: datetime | None = None) -> EnterpriseMove:
    """Record that ``enterprise`` (its new community already changed and flushed) moved, and
    have every domain carry its records along (:data:`app.registry.signals.enterprise_moved`).
    Flushes."""
    now = now or utcnow()
    to_community_id = enterprise.community_id
    actor_id = actor.id if actor is not None else None
    move = EnterpriseMove(enterprise_id=enterprise.id, from_community_id=from_community_id,
                          to_community_id=to_community_id, actor_id=actor_id, at=now, moved={})
    db.session.add(move)
    db.session.flush()

    names = dict(db.session.execute(select(Community.id, Community.name).where(
        Community.id.in_([from_community_id, to_community_id]))).all())
    note = (f"企业所属社区由“{names.get(from_community_id, '')}”变更为"
            f"“{names.get(to_community_id, '')}”，记录随之迁移")
    moved = {}
    for _receiver, counts in enterprise_moved.send(enterprise, move=move, note=note,
                                                   actor_id=actor_id, now=now):
        moved.update(counts or {})
    move.moved = moved
    db.session.flush()
    return move


def move_data(move: EnterpriseMove) -> dict:
    """What a trail line of ``move`` records besides its note."""
    return {"move_id": move.id, "from_community_id": move.from_community_id,
            "to_community_id": move.to_community_id}


def carry(model, enterprise) -> list[tuple]:
    """Give every row of ``model`` (with ``enterprise_id`` and ``community_id`` columns) of
    ``enterprise`` its current community; answer the ``(id, state)`` of the rows moved (state
    ``None`` for a model without one), oldest id first."""
    elsewhere = ((model.enterprise_id == enterprise.id)
                 & (model.community_id != enterprise.community_id))
    state = getattr(model, "state", None)
    columns = (model.id, state) if state is not None else (model.id,)
    rows = db.session.execute(select(*columns).where(elsewhere).order_by(model.id)).all()
    db.session.execute(update(model).where(elsewhere)
                       .values(community_id=enterprise.community_id)
                       .execution_options(synchronize_session=False))
    # The rows changed behind the session's back: reload what it holds of them.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, model):
            db.session.expire(obj, ["community_id"])
    return [(row[0], row[1] if len(row) > 1 else None) for row in rows]
