"""Checklists (检查表): what an inspection or a self-inspection looks at, item by item.

A checklist is versioned data: :class:`Checklist` is the list as it stands now (its ``version``
is the current one); every version, the first included, is a :class:`ChecklistVersion` with its
own :class:`ChecklistItem` rows, never changed once written. An inspection keeps the version it
began with (``inspections.checklist_version_id``), so editing a checklist never rewrites what an
earlier inspection answered.
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from app.core.db import UTCDateTime
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db


class Checklist(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """检查表: the current state of a checklist; ``version`` is its current version's number."""

    __tablename__ = "checklists"

    name = db.Column(String(200), nullable=False, unique=True)
    #: 适用行业: industry codes it is offered for first; empty: every industry.
    industries = db.Column(JSON, nullable=False, default=list)
    description = db.Column(Text, nullable=False, default="")
    #: A retired checklist is no longer offered for new inspections (its versions stay).
    active = db.Column(Boolean, nullable=False, default=True)
    #: The shipped lists (app.checklists.standard) by key, so seeding never adds one twice.
    standard_key = db.Column(String(64), nullable=True, unique=True)
    created_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)


class ChecklistVersion(IdMixin, db.Model):
    """检查表版本: one version of a checklist as it was written; never changed."""

    __tablename__ = "checklist_versions"
    __table_args__ = (UniqueConstraint("checklist_id", "version"),)

    checklist_id = db.Column(String(36), ForeignKey("checklists.id"), nullable=False)
    version = db.Column(Integer, nullable=False)
    name = db.Column(String(200), nullable=False)
    industries = db.Column(JSON, nullable=False, default=list)
    description = db.Column(Text, nullable=False, default="")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)

    items = db.relationship("ChecklistItem", order_by="ChecklistItem.position",
                            lazy="selectin")
    checklist = db.relationship("Checklist")


class ChecklistItem(IdMixin, db.Model):
    """检查项: ``code`` (unique within its version), what to check, the hazard category a
    failure is, its legal basis (依据), whether a failure needs a photo and whether it is a
    major hazard (重大事故隐患判定)."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("version_id", "code"),
                      Index("ix_checklist_items_version_position", "version_id", "position"))

    version_id = db.Column(String(36), ForeignKey("checklist_versions.id"), nullable=False)
    position = db.Column(Integer, nullable=False)
    code = db.Column(String(32), nullable=False)
    text = db.Column(String(500), nullable=False)
    category = db.Column(String(50), nullable=False)
    basis = db.Column(String(300), nullable=False, default="")
    requires_photo = db.Column(Boolean, nullable=False, default=False)
    major_if_failed = db.Column(Boolean, nullable=False, default=False)
