"""The enterprise card (企业卡片) a scanned QR code opens (扫码): the enterprise with its open
hazards, its last inspection and its open interviews."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.permissions import in_scope, require_user
from app.core.timeutil import utcnow
from app.errors import NotFound
from app.escalation.choices import CLOSED as INTERVIEW_CLOSED
from app.escalation.models import Interview
from app.extensions import db
from app.hazards.models import Hazard
from app.inspections.models import Inspection
from app.registry.models import Enterprise


def scan(token: str) -> dict:
    """The enterprise card for a QR token: unknown, rotated and out-of-scope tokens are one 404."""
    user = require_user()
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.qr_token == token))
    if enterprise is None or not in_scope(user, enterprise):
        raise NotFound("Enterprise not found.")

    now = utcnow()
    hazards = db.session.scalars(
        select(Hazard).where(Hazard.enterprise_id == enterprise.id,
                             Hazard.is_open)
        .order_by(Hazard.deadline, Hazard.found_at, Hazard.id)).all()
    open_hazards = [{
        "id": h.id, "title": h.title, "level": h.level, "state": h.state,
        "category": h.category, "deadline": h.deadline,
        "overdue": h.overdue_at(now), "listed": h.is_listed,
    } for h in hazards]

    last = db.session.scalar(
        select(Inspection).options(joinedload(Inspection.inspector))
        .where(Inspection.enterprise_id == enterprise.id)
        .order_by(Inspection.started_at.desc(), Inspection.id.desc()).limit(1))
    last_inspection = None if last is None else {
        "id": last.id, "kind": last.kind, "started_at": last.started_at,
        "ended_at": last.ended_at, "on_site": last.on_site,
        "inspector_name": last.inspector.display_name if last.inspector else None,
    }

    interviews = db.session.scalars(
        select(Interview).where(Interview.enterprise_id == enterprise.id,
                                Interview.state != INTERVIEW_CLOSED)
        .order_by(Interview.created_at, Interview.id)).all()
    return {
        "enterprise": enterprise,
        "open_hazards": open_hazards,
        "last_inspection": last_inspection,
        "open_interviews": [{"id": i.id, "state": i.state, "scheduled_at": i.scheduled_at}
                            for i in interviews],
    }
