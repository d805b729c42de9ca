"""Time helpers: stored in UTC, shown in Asia/Shanghai, exchanged as ISO 8601 with offset."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

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


def local(value: datetime | None) -> datetime | None:
    return value.astimezone(SHANGHAI) if value is not None else None
