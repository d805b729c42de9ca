"""Inspections (检查): a visit to an enterprise with a GPS check-in, by one inspector or several
(联合检查), and the answers to the checklist it follows (检查结果)."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)

from app.core.db import UTCDateTime
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db


class Inspection(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """检查: one visit by an inspector; ``distance_m``/``on_site`` prove presence (四不两直)."""

    __tablename__ = "inspections"
    __table_args__ = (Index("ix_inspections_enterprise_started", "enterprise_id", "started_at"),
                      # the dashboard's prevention figures: self-inspections of a period, the
                      # inspections made with a checklist (issue 18)
                      Index("ix_inspections_kind_started", "kind", "started_at"),
                      Index("ix_inspections_checklist_ended", "checklist_version_id",
                            "ended_at"))

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
    # 检查表: the version the inspection began with (kept when the checklist changes later).
    checklist_version_id = db.Column(String(36), ForeignKey("checklist_versions.id"),
                                     nullable=True)

    # 检查任务 it was started from (app.plans), if any
    task_id = db.Column(String(36), ForeignKey("plan_tasks.id"), nullable=True, index=True)

    enterprise = db.relationship("Enterprise")
    inspector = db.relationship("User")
    checklist_version = db.relationship("ChecklistVersion")
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


class InspectionAnswer(IdMixin, db.Model):
    """检查结果: the answer to one item (``code``) of the inspection's checklist: pass, fail or
    not applicable, with a note, the photos and the hazard a failure became. ``category`` is the
    item's hazard category, kept for 自查不实 (a self-inspection's pass in a category)."""

    __tablename__ = "inspection_answers"
    __table_args__ = (UniqueConstraint("inspection_id", "code"),
                      Index("ix_inspection_answers_category_at", "category", "answered_at"),
                      Index("ix_inspection_answers_answered_at", "answered_at"))

    inspection_id = db.Column(String(36), ForeignKey("inspections.id"), nullable=False)
    code = db.Column(String(32), nullable=False)
    result = db.Column(String(8), nullable=False)  # choices.ANSWER_RESULTS
    note = db.Column(Text, nullable=True)
    photo_ids = db.Column(JSON, nullable=True)
    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=True, index=True)
    category = db.Column(String(50), nullable=False)
    answered_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    answered_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    payload_hash = db.Column(String(64), nullable=False)

    answered_by = db.relationship("User")
