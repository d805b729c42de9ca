"""零容忍 escalations and 约谈 interview records."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property

from app.core.db import UTCDateTime, new_id
from app.core.models import IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.escalation.choices import HELD
from app.extensions import db


class Escalation(db.Model):
    """升级记录: one zero-tolerance rule (R1–R4) firing for one hazard. The unique constraint is
    what makes a rule fire at most once per hazard, however many processes evaluate it."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("hazard_id", "rule"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=False)
    rule = db.Column(String(4), nullable=False)  # R1 | R2 | R3 | R4
    interview_id = db.Column(String(36), ForeignKey("interviews.id"), nullable=True, index=True)
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False, index=True)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False, index=True)
    fired_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    detail = db.Column(Text, nullable=True)

    hazard = db.relationship("Hazard")
    interview = db.relationship("Interview", back_populates="reasons")


class Interview(IdMixin, TimestampMixin, VersionedMixin, db.Model):
    """约谈: an interview with an enterprise's principal, scheduled → held → closed."""

    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_enterprise_state", "enterprise_id", "state"),)

    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False, index=True)
    state = db.Column(String(16), nullable=False)
    # Equals enterprise_id while the interview is open, NULL once closed: the unique index keeps
    # one open interview per enterprise even when two processes escalate at once.
    open_slot = db.Column(String(36), nullable=True, unique=True)
    convener = db.Column(String(200), nullable=False, default="")  # 约谈方
    scheduled_at = db.Column(UTCDateTime, nullable=True)
    place = db.Column(String(200), nullable=True)
    interviewers = db.Column(JSON, nullable=True)  # list of names/titles
    departments = db.Column(JSON, nullable=True)  # 街乡吹哨，部门报到: called-in departments
    interviewee = db.Column(String(100), nullable=True)  # 被约谈人 (principal, no substitute)
    interviewee_title = db.Column(String(100), nullable=True)
    note_taker = db.Column(String(100), nullable=True)
    situation = db.Column(Text, nullable=True)  # what was reported
    minutes = db.Column(Text, nullable=True)  # 约谈纪要
    problems = db.Column(Text, nullable=True)
    requirements = db.Column(Text, nullable=True)
    commitments = db.Column(Text, nullable=True)
    follow_up_deadline = db.Column(UTCDateTime, nullable=True)
    completion_receipt = db.Column(Text, nullable=True)  # 整改完成回执
    held_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)

    enterprise = db.relationship("Enterprise")
    reasons = db.relationship("Escalation", back_populates="interview",
                              order_by="Escalation.fired_at")
    events = db.relationship("InterviewEvent", viewonly=True,
                             order_by="(InterviewEvent.at, InterviewEvent.id)")

    @hybrid_method
    def follow_up_overdue_at(self, now: datetime) -> bool:
        """整改回执逾期 as of ``now``: held, and its follow-up deadline passed without the
        completion receipt (which closes it)."""
        return (self.state == HELD and self.follow_up_deadline is not None
                and self.follow_up_deadline < now)

    @follow_up_overdue_at.expression
    def follow_up_overdue_at(cls, now: datetime):
        return and_(cls.state == HELD, cls.follow_up_deadline < now)

    @hybrid_property
    def is_follow_up_overdue(self) -> bool:
        """整改回执逾期 now."""
        return self.follow_up_overdue_at(utcnow())


class InterviewEvent(db.Model):
    """约谈事件: one row per interview transition; append-only."""

    __tablename__ = "interview_events"
    __table_args__ = (Index("ix_interview_events_interview_at", "interview_id", "at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    interview_id = db.Column(String(36), ForeignKey("interviews.id"), nullable=False)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    action = db.Column(String(32), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    note = db.Column(Text, nullable=True)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    data = db.Column(JSON, nullable=True)

    actor = db.relationship("User")
