"""Schemas of the inbox endpoints (消息)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from app.core.pagination import page_args, page_schema
from app.notifications.choices import NOTIFICATION_KINDS


class NotificationQuery(page_args(100, 20)):
    class Meta:
        unknown = EXCLUDE

    unread = fields.Boolean(metadata={"description": "true: unread only; false: read only"})
    kind = fields.String(validate=validate.OneOf(list(NOTIFICATION_KINDS)))


class NotificationOut(Schema):
    id = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda n: NOTIFICATION_KINDS.labels(n.kind), metadata={
        "type": "object", "description": "zh/en label and colour",
        "properties": {"zh": {"type": "string"}, "en": {"type": "string"},
                       "color": {"type": "string"}}})
    title = fields.String()
    body = fields.String()
    subject_type = fields.String(allow_none=True, metadata={"description": "hazard | interview"})
    subject_id = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)
    read = fields.Function(lambda n: n.read_at is not None, metadata={"type": "boolean"})


NotificationPageOut = page_schema(NotificationOut, "NotificationPageOut", unread=fields.Integer(
    metadata={"description": "unread messages in the whole inbox"}))


class UnreadCountOut(Schema):
    unread = fields.Integer()


class ReadAllOut(Schema):
    updated = fields.Integer(metadata={"description": "messages marked read now"})
    unread = fields.Integer()
