"""Outgoing webhooks (outbox pattern), so that a 街道 can connect its own messaging.

An event is *enqueued* as a :class:`WebhookDelivery` row inside the transaction that causes it,
so it exists exactly when the change is committed. It is *delivered* afterwards by
:func:`deliver_due` (the periodic job, ``flask escalate`` and ``flask webhooks send``):

- body: JSON ``{"event", "id", "occurred_at", "data"}`` (UTF-8, compact, sorted keys);
- headers: ``X-Anxun-Event``, ``X-Anxun-Delivery`` (the id; receivers dedupe on it, since
  delivery is at least once), ``X-Anxun-Timestamp`` (Unix seconds) and
  ``X-Anxun-Signature: sha256=<hex HMAC-SHA256(WEBHOOK_SECRET, timestamp + "." + body)>``;
- any 2xx answer is success; anything else is retried with exponential backoff
  (``WEBHOOK_BACKOFF_S`` doubling) until ``WEBHOOK_MAX_ATTEMPTS``, then the delivery is ``failed``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import select, update

from app.core.db import new_id
from app.core.timeutil import utcnow
from app.extensions import db
from app.notifications.choices import DELIVERED, FAILED, PENDING
from app.notifications.models import WebhookDelivery

MAX_BACKOFF = timedelta(hours=6)
USER_AGENT = "Anxun-Webhook/1"


def enqueue(event: str, data: dict, *, now: datetime | None = None) -> WebhookDelivery | None:
    """Queue one event for the configured ``WEBHOOK_URL``; nothing when none is configured."""
    url = current_app.config.get("WEBHOOK_URL") or ""
    if not url:
        return None
    now = now or utcnow()
    delivery_id = new_id()
    payload = {"event": event, "id": delivery_id, "occurred_at": now.isoformat(), "data": data}
    delivery = WebhookDelivery(id=delivery_id, event=event, url=url, payload=payload,
                               status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    db.session.flush()
    return delivery


def canonical_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 over ``timestamp + "." + body``: binding the timestamp
    lets a receiver reject replays of an old, validly signed body."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                   hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers_for(event: str, delivery_id: str, body: bytes, secret: str,
                timestamp: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
               "X-Anxun-Event": event, "X-Anxun-Delivery": delivery_id,
               "X-Anxun-Timestamp": timestamp}
    if secret:
        headers["X-Anxun-Signature"] = signature(secret, timestamp, body)
    return headers


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, 2×base, 4×base, … capped at six hours."""
    base = timedelta(seconds=current_app.config.get("WEBHOOK_BACKOFF_S", 30))
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def due_ids(now: datetime, limit: int = 100) -> list[str]:
    return list(db.session.scalars(
        select(WebhookDelivery.id).where(WebhookDelivery.status == PENDING,
                                         WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))


def claim(delivery_id: str, now: datetime) -> bool:
    """Take one due delivery for this sender (one conditional UPDATE, so two senders never post
    the same attempt); the claim pushes ``next_attempt_at`` past the HTTP timeout, so a sender
    that dies mid-attempt is retried later by someone else."""
    hold = timedelta(seconds=2 * current_app.config.get("WEBHOOK_TIMEOUT_S", 10) + 30)
    result = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == PENDING,
               WebhookDelivery.next_attempt_at <= now)
        .values(attempts=WebhookDelivery.attempts + 1, next_attempt_at=now + hold)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def post(url: str, event: str, delivery_id: str, payload: dict) -> str | None:
    """One HTTP attempt; returns None on success, else the reason it failed."""
    cfg = current_app.config
    body = canonical_body(payload)
    try:
        response = requests.post(url, data=body, timeout=cfg.get("WEBHOOK_TIMEOUT_S", 10),
                                 headers=headers_for(event, delivery_id, body,
                                                     cfg.get("WEBHOOK_SECRET") or ""),
                                 allow_redirects=False)
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:1000]
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"


def record_attempt(delivery_id: str, error: str | None, now: datetime) -> str:
    """Store the outcome of an attempt; returns the delivery's status afterwards."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if error is None:
        delivery.status = DELIVERED
        delivery.delivered_at = now
        delivery.last_error = None
    elif delivery.attempts >= current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 8):
        delivery.status = FAILED
        delivery.last_error = error
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.last_error = error
    db.session.flush()
    return delivery.status


def deliver_due(now: datetime | None = None, *, limit: int = 100) -> dict:
    """Send every due delivery once: a *runner* like a CLI command, not a service.

    It commits around each HTTP call on purpose: no transaction may stay open while a slow
    receiver answers (on SQLite an open write transaction blocks every other writer).
    Returns counts ``{"delivered", "retrying", "failed"}``.
    """
    fixed_now = now
    counts = {DELIVERED: 0, "retrying": 0, FAILED: 0}
    ids = due_ids(fixed_now or utcnow(), limit)
    db.session.commit()
    for delivery_id in ids:
        at = fixed_now or utcnow()
        if not claim(delivery_id, at):
            db.session.rollback()
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        url, event, payload = delivery.url, delivery.event, dict(delivery.payload)
        db.session.commit()
        error = post(url, event, delivery_id, payload)
        status = record_attempt(delivery_id, error, fixed_now or utcnow())
        db.session.commit()
        counts["retrying" if status == PENDING else status] += 1
    return counts
