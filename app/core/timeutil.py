"""Time helpers: stored in UTC, shown in Asia/Shanghai, exchanged as ISO 8601 with offset."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import click

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC; a naive value is taken as Asia/Shanghai wall time (what a local user means)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(timezone.utc)


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601 (``Z`` accepted) into aware UTC; raises ValueError."""
    return as_utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def _parse_now(_ctx, _param, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise click.BadParameter("an ISO 8601 time, e.g. 2024-06-01T09:00:00+08:00") from None


def now_option(help_text: str = "Evaluate as of this ISO 8601 time (default: the current time)."):
    """A command's ``--now ISO``, the time a job runs as of (to replay or simulate one): aware
    UTC, ``None`` when not given, a usage error naming the format when not ISO 8601."""
    return click.option("--now", callback=_parse_now, default=None, help=help_text)


def local(value: datetime | None) -> datetime | None:
    return value.astimezone(SHANGHAI) if value is not None else None
