"""Campaigns (专项活动, e.g. 安全生产月), their activities (活动) and the communities' frozen
submissions (报送)."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String,
                        Text, UniqueConstraint)

from sqlalchemy.orm import deferred

from app.core.db import UTCDateTime, new_id
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db

activity_enterprises = db.Table(
    "activity_enterprises",
    db.Column("activity_id", String(36), ForeignKey("activities.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("enterprise_id", String(36), ForeignKey("enterprises.id"), primary_key=True,
              index=True),
)


class Campaign(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """专项活动: a campaign of the 街道 (安全生产月 1–30 June), its period (days in Asia/Shanghai,
    both included) and the day the communities' summaries are due (报送截止)."""

    __tablename__ = "campaigns"

    name = db.Column(String(100), nullable=False)
    starts_on = db.Column(Date, nullable=False)
    ends_on = db.Column(Date, nullable=False)
    submission_due = db.Column(Date, nullable=False)
    created_by = db.Column(String(36), ForeignKey("users.id"), nullable=True)


class Activity(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """活动: training, a drill, publicity… held in a community on one day, with the enterprises
    taking part. ``enterprise_id`` is the enterprise whose officer recorded it (its own training
    or drill); what a community's inspectors and supervisors record has none."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_community_held_on", "community_id", "held_on"),
        Index("ix_activities_campaign_community", "campaign_id", "community_id"),
    )

    campaign_id = db.Column(String(36), ForeignKey("campaigns.id"), nullable=True)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False)
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=True, index=True)
    kind = db.Column(String(24), nullable=False)
    state = db.Column(String(16), nullable=False)
    title = db.Column(String(200), nullable=False)
    held_on = db.Column(Date, nullable=False)
    place = db.Column(String(200), nullable=False, default="")
    participants = db.Column(Integer, nullable=False)
    note = db.Column(Text, nullable=True)
    scenario = db.Column(Text, nullable=True)   # 演练科目/情景 (drills)
    problems = db.Column(Text, nullable=True)   # 演练中发现的问题 (drills)
    recorder_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)

    campaign = db.relationship("Campaign")
    community = db.relationship("Community")
    recorder = db.relationship("User", foreign_keys=[recorder_id])
    enterprises = db.relationship("Enterprise", secondary=activity_enterprises,
                                  order_by="Enterprise.name")


class ActivityEvent(db.Model):
    """活动记录: one line per change of an activity (recorded, confirmed, returned, a photo
    added); append-only."""

    __tablename__ = "activity_events"
    __table_args__ = (Index("ix_activity_events_activity_at", "activity_id", "at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    activity_id = db.Column(String(36), ForeignKey("activities.id"), nullable=False)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    action = db.Column(String(32), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    note = db.Column(Text, nullable=True)
    data = db.Column(JSON, nullable=True)

    actor = db.relationship("User")


class Submission(IdMixin, db.Model):
    """报送: a community's summary of a campaign as it stood when its supervisor submitted it:
    the figures, the list of activities and the PDF, with their SHA-256. Written once in one
    INSERT and never changed (PostgreSQL refuses UPDATE and DELETE, SQLite UPDATE: migration
    0007); one per campaign and community (the unique constraint makes a second one a 409)."""

    __tablename__ = "campaign_submissions"
    __table_args__ = (UniqueConstraint("campaign_id", "community_id"),)

    campaign_id = db.Column(String(36), ForeignKey("campaigns.id"), nullable=False)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False,
                             index=True)
    submitted_by = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    submitted_at = db.Column(UTCDateTime, nullable=False)
    late = db.Column(Boolean, nullable=False)
    note = db.Column(Text, nullable=True)
    #: the frozen figures (hazards, inspections, activities by kind) and activity list
    figures = db.Column(JSON, nullable=False)
    activities = db.Column(JSON, nullable=False)
    #: SHA-256 of the canonical JSON of what was frozen (printed on the PDF)
    content_sha256 = db.Column(String(64), nullable=False)
    pdf = deferred(db.Column(LargeBinary, nullable=False))  # loaded only when served
    pdf_sha256 = db.Column(String(64), nullable=False)
    pdf_name = db.Column(String(255), nullable=False)

    campaign = db.relationship("Campaign")
    community = db.relationship("Community")
    submitter = db.relationship("User")
