"""Public reports (举报) with their photos and trail, the per-address counter that limits them,
and bulletins (预警、安全提示) with their attachment, receipts (签收) and trail."""
from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)

from app.core.db import UTCDateTime, new_id
from app.core.models import ClientCreatedMixin, IdMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db


class Tip(IdMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """举报: what a member of the public reported, anonymously or with a contact, about the
    enterprise whose gate QR code they scanned (or about no enterprise in particular). Triaged
    by a supervisor through the table in ``app.outreach.workflow``; an accepted tip names the
    hazard it became. ``contact`` is read by supervisors only (CONTRACT.md)."""

    __tablename__ = "tips"
    __table_args__ = (Index("ix_tips_community_state", "community_id", "state"),
                      Index("ix_tips_state_received", "state", "received_at"))

    tracking_code = db.Column(String(16), nullable=False, unique=True)  # 查询码, XXXX-XXXX-XXXX
    # None: reported without a QR code; every supervisor triages it.
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=True, index=True)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=True)
    text = db.Column(Text, nullable=False)
    contact = db.Column(String(100), nullable=True)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    accuracy_m = db.Column(Float, nullable=True)
    state = db.Column(String(16), nullable=False)
    received_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    triaged_at = db.Column(UTCDateTime, nullable=True)
    triaged_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    decline_reason = db.Column(String(16), nullable=True)  # choices.DECLINE_REASONS
    answer = db.Column(String(500), nullable=True)  # what the reporter reads
    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=True)

    enterprise = db.relationship("Enterprise")
    triaged_by = db.relationship("User")
    photos = db.relationship("TipPhoto", order_by="TipPhoto.position", viewonly=True)


class TipPhoto(IdMixin, db.Model):
    """举报照片: checked and stored like every photo (app.photos.intake), kept with the tip; an
    accepted tip's photos become the finding photos of its hazard (same files)."""

    __tablename__ = "tip_photos"
    __table_args__ = (UniqueConstraint("tip_id", "position"),)

    tip_id = db.Column(String(36), ForeignKey("tips.id"), nullable=False)
    position = db.Column(Integer, nullable=False)
    sha256 = db.Column(String(64), nullable=False)
    mime = db.Column(String(32), nullable=False)
    size = db.Column(Integer, nullable=False)
    width = db.Column(Integer, nullable=False)
    height = db.Column(Integer, nullable=False)
    taken_at = db.Column(UTCDateTime, nullable=True)
    exif_lat = db.Column(Float, nullable=True)
    exif_lng = db.Column(Float, nullable=True)
    original_path = db.Column(String(255), nullable=False)
    full_path = db.Column(String(255), nullable=False)
    thumb_path = db.Column(String(255), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class TipEvent(db.Model):
    """举报记录: one row per step of a tip (received, accepted, declined, reminded, moved)."""

    __tablename__ = "tip_events"
    __table_args__ = (Index("ix_tip_events_tip_at", "tip_id", "at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    tip_id = db.Column(String(36), ForeignKey("tips.id"), nullable=False)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)  # None: public/system
    action = db.Column(String(16), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    note = db.Column(Text, nullable=True)
    data = db.Column(JSON, nullable=True)

    actor = db.relationship("User")


class TipRateCounter(db.Model):
    """Public tips per address in a fixed window (TIP_RATE_LIMIT per TIP_RATE_WINDOW_S), in the
    database so that every worker on every host counts the same."""

    __tablename__ = "tip_rate_counters"

    key = db.Column(String(160), primary_key=True)
    count = db.Column(Integer, nullable=False, default=0)
    window_start = db.Column(UTCDateTime, nullable=False)


class BulletinAttachment(IdMixin, ClientCreatedMixin, db.Model):
    """附件 of a bulletin: a PDF notice, uploaded before the bulletin that names it."""

    __tablename__ = "bulletin_attachments"

    filename = db.Column(String(200), nullable=False)
    mime = db.Column(String(64), nullable=False)
    size = db.Column(Integer, nullable=False)
    sha256 = db.Column(String(64), nullable=False)
    path = db.Column(String(255), nullable=False)  # relative to MEDIA_DIR
    uploader_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class Bulletin(IdMixin, ClientCreatedMixin, db.Model):
    """预警 / 安全提示: a supervisor's notice to the enterprises its ``target`` matched when it was
    published (communities, industries, risk colours); each has a :class:`BulletinReceipt`."""

    __tablename__ = "bulletins"

    kind = db.Column(String(16), nullable=False)  # choices.BULLETIN_KINDS
    title = db.Column(String(200), nullable=False)
    body = db.Column(Text, nullable=False)
    target = db.Column(JSON, nullable=False)  # {community_ids, industries, risk_levels}
    requires_ack = db.Column(Boolean, nullable=False, default=False)
    attachment_id = db.Column(String(36), ForeignKey("bulletin_attachments.id"), nullable=True)
    author_id = db.Column(String(36), ForeignKey("users.id"), nullable=False, index=True)
    published_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    author = db.relationship("User")
    attachment = db.relationship("BulletinAttachment")


class BulletinReceipt(IdMixin, VersionedMixin, db.Model):
    """签收: one enterprise's copy of a bulletin, pending until one of its officers acknowledges
    it (``app.outreach.workflow``). ``community_id`` is its enterprise's (scope)."""

    __tablename__ = "bulletin_receipts"
    __table_args__ = (UniqueConstraint("bulletin_id", "enterprise_id"),
                      Index("ix_bulletin_receipts_enterprise", "enterprise_id", "state"),
                      Index("ix_bulletin_receipts_community", "community_id", "bulletin_id"))

    bulletin_id = db.Column(String(36), ForeignKey("bulletins.id"), nullable=False)
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False)
    state = db.Column(String(16), nullable=False)
    acknowledged_at = db.Column(UTCDateTime, nullable=True)
    acknowledged_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    reminded_at = db.Column(UTCDateTime, nullable=True)

    bulletin = db.relationship("Bulletin")
    enterprise = db.relationship("Enterprise")
    acknowledged_by = db.relationship("User")


class BulletinEvent(db.Model):
    """通知记录: published, acknowledged (by which enterprise), reminded, moved."""

    __tablename__ = "bulletin_events"
    __table_args__ = (Index("ix_bulletin_events_bulletin_at", "bulletin_id", "at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    bulletin_id = db.Column(String(36), ForeignKey("bulletins.id"), nullable=False)
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=True)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    action = db.Column(String(16), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    data = db.Column(JSON, nullable=True)
