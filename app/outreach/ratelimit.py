"""How many public tips one address may send: TIP_RATE_LIMIT in each window of
TIP_RATE_WINDOW_S, counted in the database (``tip_rate_counters``) so that every worker on every
host shares one count; over it, 429 with ``Retry-After`` (the seconds left in the window).

An IPv6 address counts by its /64 network (one household's or one phone's prefix), an IPv4
address by itself. Every attempt counts, refused ones too, so a flood of bad requests is
limited like a flood of good ones.
"""
from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete

from app.core.db import upsert
from app.core.timeutil import utcnow
from app.errors import TooManyRequests
from app.extensions import db
from app.outreach.models import TipRateCounter


def address_key(address: str | None) -> str:
    """The counter's key of a client address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return f"tip:{(address or '-')[:100]}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"tip:{ip.ipv4_mapped}"
        return f"tip:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"tip:{ip}"


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["TIP_RATE_WINDOW_S"])


def count_attempt(address: str | None, now: datetime | None = None) -> None:
    """Count one tip from ``address``; 429 once the address is over its limit in this window.
    The caller commits, whatever the answer: the count must outlive a refused request."""
    limit = current_app.config["TIP_RATE_LIMIT"]
    if limit <= 0:
        return
    now = now or utcnow()
    window = _window()
    table = TipRateCounter.__table__
    expired = table.c.window_start <= now - window
    count, started = upsert(TipRateCounter, {"key": address_key(address), "count": 1,
                                             "window_start": now}, ["key"], {
        "count": case((expired, 1), else_=table.c.count + 1),
        "window_start": case((expired, now), else_=table.c.window_start),
    }, returning=(table.c.count, table.c.window_start)).one()
    if count > limit:
        retry = int((started + window - now).total_seconds()) + 1
        raise TooManyRequests(
            "举报过于频繁，请稍后再试 / Too many reports from this address; try again later.",
            headers={"Retry-After": str(max(retry, 1))})


def purge(now: datetime | None = None) -> int:
    """Forget counters whose window has passed; flushes. Returns how many."""
    result = db.session.execute(delete(TipRateCounter).where(
        TipRateCounter.window_start <= (now or utcnow()) - _window()))
    db.session.flush()
    return result.rowcount
