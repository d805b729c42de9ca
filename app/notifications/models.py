"""In-app inbox (消息), outgoing webhooks and the lease that keeps periodic jobs single."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text

from app.core.db import UTCDateTime, new_id
from app.core.timeutil import utcnow
from app.extensions import db


class Notification(db.Model):
    """消息: one inbox item for one user. ``dedupe_key`` makes reminders arrive once."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    user_id = db.Column(String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(String(32), nullable=False)
    title = db.Column(String(200), nullable=False)
    body = db.Column(Text, nullable=False, default="")
    subject_type = db.Column(String(16), nullable=True)  # hazard | interview
    subject_id = db.Column(String(36), nullable=True)
    dedupe_key = db.Column(String(160), nullable=True, unique=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    read_at = db.Column(UTCDateTime, nullable=True)


class WebhookDelivery(db.Model):
    """An outgoing webhook call (outbox pattern): written in the transaction that fires the event,
    sent afterwards with retries and backoff."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    event = db.Column(String(64), nullable=False)
    url = db.Column(String(500), nullable=False)
    payload = db.Column(JSON, nullable=False)
    status = db.Column(String(16), nullable=False, default="pending")  # pending|delivered|failed
    attempts = db.Column(Integer, nullable=False, default=0)
    next_attempt_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_error = db.Column(Text, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    delivered_at = db.Column(UTCDateTime, nullable=True)


class JobLease(db.Model):
    """A named lease in the database: the periodic job runs only in the process holding it, so
    several workers on several hosts never run it twice at once."""

    __tablename__ = "job_leases"

    name = db.Column(String(64), primary_key=True)
    holder = db.Column(String(100), nullable=False)
    expires_at = db.Column(UTCDateTime, nullable=False)
    last_run_at = db.Column(UTCDateTime, nullable=True)
