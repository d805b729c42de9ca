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
from app.escalation.models import Escalation, Interview, InterviewEvent
from app.extensions import db
from app.hazards.models import Hazard, HazardEvent
from app.inspections.models import Inspection
from app.registry.models import Community, EnterpriseMove

MOVE = "move"
#: Every table whose rows carry the community of their enterprise, by the key ``moved`` uses.
CARRIED = {"hazards": Hazard, "inspections": Inspection, "interviews": Interview,
           "escalations": Escalation}


def carry_records(enterprise, actor, from_community_id: str, *,
                  now: datetime | None = None) -> EnterpriseMove:
    """Give every record of ``enterprise`` its (already changed and flushed) community; write
    the :class:`EnterpriseMove` and the hazard and interview ``move`` lines. Flushes."""
    now = now or utcnow()
    to_community_id = enterprise.community_id
    elsewhere = {key: (model.enterprise_id == enterprise.id)
                 & (model.community_id != to_community_id) for key, model in CARRIED.items()}
    hazards = db.session.execute(select(Hazard.id, Hazard.state).where(elsewhere["hazards"])
                                 .order_by(Hazard.id)).all()
    interviews = db.session.execute(select(Interview.id, Interview.state)
                                    .where(elsewhere["interviews"]).order_by(Interview.id)).all()
    moved = {}
    for key, model in CARRIED.items():
        result = db.session.execute(
            update(model).where(elsewhere[key]).values(community_id=to_community_id)
            .execution_options(synchronize_session=False, preserve_rowcount=True))
        moved[key] = result.rowcount
    actor_id = actor.id if actor is not None else None
    move = EnterpriseMove(enterprise_id=enterprise.id, from_community_id=from_community_id,
                          to_community_id=to_community_id, actor_id=actor_id, at=now,
                          moved=moved)
    db.session.add(move)
    db.session.flush()

    names = dict(db.session.execute(select(Community.id, Community.name).where(
        Community.id.in_([from_community_id, to_community_id]))).all())
    note = (f"企业所属社区由“{names.get(from_community_id, '')}”变更为"
            f"“{names.get(to_community_id, '')}”，记录随之迁移")
    data = {"move_id": move.id, "from_community_id": from_community_id,
            "to_community_id": to_community_id}
    for hazard_id, state in hazards:
        db.session.add(HazardEvent(hazard_id=hazard_id, actor_id=actor_id, action=MOVE,
                                   from_state=state, to_state=state, at=now, note=note,
                                   data=data))
    for interview_id, state in interviews:
        db.session.add(InterviewEvent(interview_id=interview_id, actor_id=actor_id, action=MOVE,
                                      from_state=state, to_state=state, at=now, note=note,
                                      data=data))
    # The records' community changed behind the session's back: reload what it holds.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, tuple(CARRIED.values())):
            db.session.expire(obj, ["community_id"])
    db.session.flush()
    return move
