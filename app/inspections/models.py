"""Inspections (检查): a visit to an enterprise with a GPS check-in."""
from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text

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

    # 检查任务 it was started from (app.plans), if any
    task_id = db.Column(String(36), ForeignKey("plan_tasks.id"), nullable=True, index=True)

    enterprise = db.relationship("Enterprise")
    inspector = db.relationship("User")
    members = db.relationship("InspectionMember", order_by="InspectionMember.position",
                              cascade="all, delete-orphan", lazy="selectin")

    @property
    def inspector_ids(self) -> list[str]:
        """联合检查: everyone taking part, the inspector who started it first."""
        return [self.inspector_id, *(m.user_id for m in self.members)]

    @property
    def inspector_names(self) -> list[str]:
        people = [self.inspector, *(m.user for m in self.members)]
        return [user.display_name for user in people if user is not None]


class InspectionMember(db.Model):
    """联合检查人员: another inspector taking part in an inspection (区安委办, experts,
    communities inspect together); each records hazards in it like the one who started it."""

    __tablename__ = "inspection_members"

    inspection_id = db.Column(String(36), ForeignKey("inspections.id", ondelete="CASCADE"),
                              primary_key=True)
    user_id = db.Column(String(36), ForeignKey("users.id"), primary_key=True, index=True)
    position = db.Column(Integer, nullable=False)  # 1, 2 … after the one who started it

    user = db.relationship("User", lazy="joined")
