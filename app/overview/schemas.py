"""Schemas of the overview endpoints: answers that combine several domains."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.registry.schemas import EnterpriseOut


class ScanHazard(Schema):
    id = fields.String()
    title = fields.String()
    level = fields.String()
    state = fields.String()
    category = fields.String()
    deadline = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean()
    listed = fields.Boolean(metadata={"description": "under 挂牌督办"})


class ScanInspection(Schema):
    id = fields.String()
    kind = fields.String()
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    inspector_name = fields.String(allow_none=True)
    on_site = fields.Boolean(allow_none=True)


class ScanInterview(Schema):
    id = fields.String()
    state = fields.String()
    scheduled_at = fields.AwareDateTime(allow_none=True)


class ScanCard(Schema):
    """The enterprise card a scanned QR code opens (扫码查看企业信息)."""

    enterprise = fields.Nested(EnterpriseOut)
    open_hazards = fields.List(fields.Nested(ScanHazard))
    last_inspection = fields.Nested(ScanInspection, allow_none=True)
    open_interviews = fields.List(fields.Nested(ScanInterview))
