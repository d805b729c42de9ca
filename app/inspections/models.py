"""Inspections (检查): a visit to an enterprise with a GPS check-in."""
from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text

from app.core.db import UTCDateTime
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.extensions import db


class Inspection(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """检查: one visit by an inspector; ``distance_m``/``on_site`` prove presence (四不两直)."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_enterprise_started", "enterprise_id", "started_at"),)

    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False, index=True)
    inspector_id = db.Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    kind = db.Column(String(16), nullable=False)
    started_at = db.Column(UTCDateTime, nullable=False)
    ended_at = db.Column(UTCDateTime, nullable=True)
    summary = db.Column(Text, nullable=True)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    accuracy_m = db.Column(Float, nullable=True)
    distance_m = db.Column(Float, nullable=True)
    on_site = db.Column(Boolean, nullable=True)

    enterprise = db.relationship("Enterprise")
    inspector = db.relationship("User")
