"""Schemas of the inbox endpoints (消息)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from app.core.fields import PageNumber, PerPage
from app.notifications.choices import NOTIFICATION_KINDS


class NotificationQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    unread = fields.Boolean(metadata={"description": "true: unread only; false: read only"})
    kind = fields.String(validate=validate.OneOf(list(NOTIFICATION_KINDS)))
    page = PageNumber()
    per_page = PerPage(100, 20)


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


class NotificationPageOut(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    total = fields.Integer()
    unread = fields.Integer(metadata={"description": "unread messages in the whole inbox"})
    page = fields.Integer()
    per_page = fields.Integer()


class UnreadCountOut(Schema):
    unread = fields.Integer()


class ReadAllOut(Schema):
    updated = fields.Integer(metadata={"description": "messages marked read now"})
    unread = fields.Integer()
