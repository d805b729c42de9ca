"""Mixins shared by domain models."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import declared_attr

from app.core.db import UTCDateTime, new_id
from app.core.timeutil import utcnow
from app.errors import Conflict
from app.extensions import db

#: The 409 a stale version gets, unless the record's domain words it its own way; a template
#: with ``{current}`` (the stored version) and ``{sent}`` (the client's).
STALE_VERSION = ("记录已更新为第 {current} 版（您提交的是第 {sent} 版），请刷新后重试 / "
                 "The record is at version {current}, not {sent}; reload and try again.")


class IdMixin:
    id = db.Column(String(36), primary_key=True, default=new_id)


class TimestampMixin:
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic concurrency: every UPDATE bumps ``version``; clients send the one they saw."""

    version = db.Column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


def expect_version(record, version: int, message: str = STALE_VERSION) -> None:
    """Refuse (409 naming ``version``) a change made from a copy older than ``record``: the
    client sends the version it read, and must reload when someone else changed it since."""
    if record.version != version:
        raise Conflict(message.format(current=record.version, sent=version), field="version")


class ClientCreatedMixin:
    """Records an offline client may create with its own id.

    ``payload_hash`` is the hash of the canonical create body, so a replay of the same body
    answers the stored record and a different body under the same id is a 409.
    """

    payload_hash = db.Column(String(64), nullable=True)
