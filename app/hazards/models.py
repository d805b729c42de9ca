"""Hazards (隐患) and their append-only audit trail (事件)."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)

from app.core.db import UTCDateTime, new_id
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db


class Hazard(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """隐患: a finding at an enterprise, moved through 登记→整改→复查→销号→归档 by the transition
    table in ``app.hazards.workflow``."""

    __tablename__ = "hazards"
    __table_args__ = (
        Index("ix_hazards_community_state", "community_id", "state"),
        Index("ix_hazards_enterprise_state", "enterprise_id", "state"),
        Index("ix_hazards_state_deadline", "state", "deadline"),
        Index("ix_hazards_found_at", "found_at"),
        Index("ix_hazards_enterprise_category_closed", "enterprise_id", "category", "closed_at"),
        # Covers every column the dashboard groups or filters the period's hazards by, so its
        # GROUP BYs read this index alone (app/reports/dashboard.py, bench/RESULTS.md).
        Index("ix_hazards_dashboard", "found_at", "community_id", "enterprise_id", "state",
              "level", "category", "deadline", "verified_at", "closed_at"),
    )

    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False)
    # Denormalised from the enterprise: scope filters and dashboards group by it at scale.
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False)
    inspection_id = db.Column(String(36), ForeignKey("inspections.id"), nullable=True, index=True)
    reporter_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    title = db.Column(String(200), nullable=False)
    description = db.Column(Text, nullable=False, default="")
    category = db.Column(String(50), nullable=False)
    level = db.Column(String(10), nullable=False)  # general | major
    state = db.Column(String(16), nullable=False)
    place = db.Column(String(200), nullable=False, default="")  # where in the enterprise
    found_at = db.Column(UTCDateTime, nullable=False)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    accuracy_m = db.Column(Float, nullable=True)
    deadline = db.Column(UTCDateTime, nullable=False)
    responsible = db.Column(String(100), nullable=False, default="")  # 整改责任人
    governance_plan = db.Column(JSON, nullable=True)  # 治理方案 of a major hazard
    rejection_count = db.Column(Integer, nullable=False, default=0)
    escalated = db.Column(Boolean, nullable=False, default=False)
    acknowledged_at = db.Column(UTCDateTime, nullable=True)
    submitted_at = db.Column(UTCDateTime, nullable=True)
    verified_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)
    archived_at = db.Column(UTCDateTime, nullable=True)
    recheck_note = db.Column(Text, nullable=True)  # 复查结果

    enterprise = db.relationship("Enterprise")
    reporter = db.relationship("User")
    photos = db.relationship("Photo", back_populates="hazard", order_by="Photo.created_at")


class HazardEvent(db.Model):
    """隐患事件: one row per transition (and per recorded change); never updated or deleted.

    Tamper-evident (``app.hazards.audit``): each row is sealed with ``seq`` (its place in the
    hazard's trail), ``prev_hash`` (the ``hash`` of the row before it), ``photo_sha256`` (the
    SHA-256 of every photo it names) and ``hash``, the SHA-256 of all of it. PostgreSQL refuses
    UPDATE and DELETE on the table (a trigger, migration 0003)."""

    __tablename__ = "hazard_events"
    __table_args__ = (Index("ix_hazard_events_hazard_at", "hazard_id", "at"),
                      UniqueConstraint("hazard_id", "seq"))

    id = db.Column(String(36), primary_key=True, default=new_id)
    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=False)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)  # None: the system
    action = db.Column(String(32), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    note = db.Column(Text, nullable=True)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    accuracy_m = db.Column(Float, nullable=True)
    data = db.Column(JSON, nullable=True)
    seq = db.Column(Integer, nullable=False)
    prev_hash = db.Column(String(64), nullable=True)   # None: the first line of the trail
    photo_sha256 = db.Column(JSON, nullable=True)       # {photo id: sha256} of photos it names
    hash = db.Column(String(64), nullable=False)

    actor = db.relationship("User")


class HazardEventHead(db.Model):
    """The last sealed line of a hazard's trail (隐患事件链头): a trail cut short at its end
    shows against it, and its row lock orders concurrent writers of one trail."""

    __tablename__ = "hazard_event_heads"

    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), primary_key=True)
    seq = db.Column(Integer, nullable=False)
    hash = db.Column(String(64), nullable=False)
