"""Schemas of the outreach endpoints (举报, 预警): one in, one out per view.

No output field carries a tip's ``contact`` except :class:`TipOut` ``contact``, which reads the
``shown_contact`` attribute the services set for supervisors only (absent: left out).
"""
from __future__ import annotations

import json

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.core.choices import ChoiceField
from app.core.fields import DateOrDateTime, LocationIn, UtcDateTime, UUIDStr
from app.core.pagination import page_args, page_schema
from app.hazards import choices as hazard_choices
from app.outreach.choices import (BULLETIN_KINDS, DECLINE_REASONS,
                                  RECEIPT_STATES, TIP_ACTIONS, TIP_STATES, WARNING)
from app.outreach.workflow import TIP_WORKFLOW
from app.registry.choices import RISK_LEVELS, configured_industries

LABEL = {"type": "object", "description": "zh/en label and colour",
         "properties": {"zh": {"type": "string"}, "en": {"type": "string"},
                        "color": {"type": "string"}}}
BOOLEAN = {"type": "boolean"}
STRING = {"type": "string"}


class JsonNested(fields.Nested):
    """A nested object given as JSON, or as a JSON string (a multipart form's field)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError("应为 JSON 对象 / Not a JSON object.") from None
        return super()._deserialize(value, attr, data, **kwargs)


class PageQuery(page_args(100, 20)):
    class Meta:
        unknown = EXCLUDE  # cache-busting query parameters are harmless


# --------------------------------------------------------------------------- public
class PublicEnterpriseOut(Schema):
    """What the gate QR code shows a stranger: nothing personal."""

    name = fields.String()
    community = fields.String(metadata={"description": "the community's name"})
    risk_level = fields.String(metadata={"description": "red | orange | yellow | blue"})


class TipIn(Schema):
    """举报: JSON, or multipart/form-data with up to 3 images as ``files`` (``location`` then a
    JSON string)."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    token = fields.String(allow_none=True, validate=validate.Length(max=128), metadata={
        "description": "the gate QR code's token, when reported from it"})
    text = fields.String(required=True, metadata={
        "description": "what the reporter saw (TIP_TEXT_MAX_CHARS, default 2000); plain text"})
    location = JsonNested(LocationIn, allow_none=True)
    contact = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={
        "description": "optional; read by supervisors only"})
    files = fields.List(Upload(), metadata={"description": "up to 3 images (multipart)"})


class TipCreatedOut(Schema):
    id = fields.String()
    tracking_code = fields.String(metadata={"description": "查询码, XXXX-XXXX-XXXX"})
    state = fields.String()
    received_at = UtcDateTime()


class TipLookupOut(Schema):
    """The tracking page: nothing internal."""

    tracking_code = fields.String()
    state = fields.String(metadata={"description": "received | accepted | declined"})
    received_at = UtcDateTime()
    triaged_at = UtcDateTime(allow_none=True)
    answer = fields.String(metadata={"description": "a short answer to the reporter"})


# --------------------------------------------------------------------------- tips (triage)
class TipQuery(PageQuery):
    state = fields.String(validate=validate.OneOf(list(TIP_STATES)))
    community_id = UUIDStr()
    enterprise_id = UUIDStr()
    overdue = fields.Boolean(metadata={"description": "untriaged longer than TIP_TRIAGE_DAYS"})


class HazardFromTipIn(Schema):
    """The hazard an accepted tip becomes (``found_at``: now; text, place and photos from the
    tip unless given)."""

    id = UUIDStr(metadata={"description": "client-chosen hazard id"})
    enterprise_id = UUIDStr(metadata={"description": "default: the tip's enterprise"})
    title = fields.String(validate=validate.Length(max=200), metadata={
        "description": "default: the start of the tip's text"})
    description = fields.String(validate=validate.Length(max=5000),
                                metadata={"description": "default: the tip's text"})
    category = ChoiceField(hazard_choices.configured_categories, required=True)
    level = fields.String(required=True,
                          validate=validate.OneOf(list(hazard_choices.HAZARD_LEVELS)))
    place = fields.String(load_default="", validate=validate.Length(max=200))
    responsible = fields.String(load_default="", validate=validate.Length(max=100))
    deadline = DateOrDateTime(end_of_day=True, allow_none=True)


class TipTransitionIn(Schema):
    """``accept`` (with ``hazard``) or ``decline`` (with ``reason``)."""

    id = UUIDStr(metadata={"description": "client-chosen event id; a replay answers the stored "
                                          "result"})
    action = fields.String(required=True, validate=validate.OneOf(sorted(TIP_WORKFLOW.actions)))
    version = fields.Integer(required=True, strict=True)
    reason = fields.String(allow_none=True, validate=validate.Length(max=16), metadata={
        "description": "decline: " + " | ".join(DECLINE_REASONS)})
    answer = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "a short answer the reporter reads on the tracking page"})
    hazard = fields.Nested(HazardFromTipIn, allow_none=True)


def _tip_photo_urls(photo) -> dict:
    return {variant: url_for("tips.tip_photo_file", tip_id=photo.tip_id, photo_id=photo.id,
                             variant=variant) for variant in ("full", "thumb", "original")}


class TipPhotoOut(Schema):
    id = fields.String()
    sha256 = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    taken_at = UtcDateTime(allow_none=True)
    urls = fields.Function(_tip_photo_urls, metadata={"type": "object"})


class TipEnterpriseOut(Schema):
    id = fields.String()
    name = fields.String()
    community_id = fields.String()
    risk_level = fields.String()


class OutreachActorOut(Schema):
    id = fields.String()
    display_name = fields.String()
    role = fields.String()


class TipEventOut(Schema):
    id = fields.String()
    action = fields.String()
    action_label = fields.Function(lambda e: TIP_ACTIONS.labels(e.action), metadata=LABEL)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    at = UtcDateTime()
    actor = fields.Nested(OutreachActorOut, allow_none=True,
                          metadata={"description": "null: the reporter or the system"})
    note = fields.String(allow_none=True)
    # null on the events that have none (a receipt, an acceptance has no reason)
    reason = fields.Function(lambda e: (e.data or {}).get("reason"), allow_none=True,
                             metadata=STRING)
    hazard_id = fields.Function(lambda e: (e.data or {}).get("hazard_id"), allow_none=True,
                                metadata=STRING)


def _location(tip):
    if tip.lat is None or tip.lng is None:
        return None
    return {"lat": tip.lat, "lng": tip.lng, "accuracy": tip.accuracy_m}


class TipOut(Schema):
    """举报 as the triage sees it. ``contact`` only in a supervisor's answer."""

    id = fields.String()
    tracking_code = fields.String()
    state = fields.String()
    state_label = fields.Function(lambda t: TIP_STATES.labels(t.state), metadata=LABEL)
    text = fields.String(metadata={"description": "plain text, never HTML"})
    contact = fields.String(attribute="shown_contact", allow_none=True, metadata={
        "description": "supervisors only; absent from anyone else's answer"})
    location = fields.Function(_location, metadata={"type": "object", "nullable": True})
    enterprise_id = fields.String(allow_none=True)
    community_id = fields.String(allow_none=True)
    enterprise = fields.Nested(TipEnterpriseOut, allow_none=True)
    received_at = UtcDateTime()
    triaged_at = UtcDateTime(allow_none=True)
    triaged_by = fields.Nested(OutreachActorOut, allow_none=True)
    decline_reason = fields.String(allow_none=True)
    answer = fields.String(allow_none=True)
    hazard_id = fields.String(allow_none=True)
    overdue = fields.Boolean(dump_only=True, metadata={
        "description": "untriaged longer than TIP_TRIAGE_DAYS"})
    photos = fields.List(fields.Nested(TipPhotoOut))
    allowed_actions = fields.List(fields.String(), dump_only=True)
    version = fields.Integer()


class TipDetailOut(TipOut):
    events = fields.List(fields.Nested(TipEventOut), metadata={"description": "the trail"})


TipPageOut = page_schema(TipOut, "TipPageOut")


class TipSummaryOut(Schema):
    untriaged = fields.Integer(metadata={"description": "tips awaiting triage in reach"})
    overdue = fields.Integer(metadata={"description": "of them, older than TIP_TRIAGE_DAYS"})


# --------------------------------------------------------------------------- bulletins
class BulletinTargetIn(Schema):
    """Who a bulletin reaches: each list given narrows (an empty target is refused)."""

    community_ids = fields.List(UUIDStr(), load_default=list, validate=validate.Length(max=500))
    industries = fields.List(ChoiceField(configured_industries), load_default=list,
                             validate=validate.Length(max=100))
    risk_levels = fields.List(fields.String(validate=validate.OneOf(list(RISK_LEVELS))),
                              load_default=list, validate=validate.Length(max=4))


class BulletinIn(Schema):
    """预警 / 安全提示."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    kind = fields.String(load_default=WARNING, validate=validate.OneOf(list(BULLETIN_KINDS)))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    target = fields.Nested(BulletinTargetIn, required=True)
    requires_ack = fields.Boolean(load_default=False)
    attachment_id = UUIDStr(allow_none=True, metadata={
        "description": "a PDF uploaded first to POST /api/v1/bulletins/attachments"})


class AttachmentUploadIn(Schema):
    file = Upload(required=True, metadata={"description": "a PDF notice"})
    id = UUIDStr(metadata={"description": "client-chosen id"})


class AttachmentOut(Schema):
    id = fields.String()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = UtcDateTime()


class BulletinQuery(PageQuery):
    pending_only = fields.Boolean(metadata={
        "description": "an officer: only what its enterprise has not acknowledged"})


class ReceiptOut(Schema):
    """One enterprise's 签收."""

    enterprise_id = fields.String()
    enterprise_name = fields.Function(lambda r: r.enterprise.name, metadata=STRING)
    community_id = fields.String()
    state = fields.String()
    state_label = fields.Function(lambda r: RECEIPT_STATES.labels(r.state), metadata=LABEL)
    acknowledged_at = UtcDateTime(allow_none=True)
    acknowledged_by = fields.Function(
        lambda r: r.acknowledged_by.display_name if r.acknowledged_by else None,
        metadata=dict(STRING, nullable=True))
    reminded_at = UtcDateTime(allow_none=True)
    officers = fields.Integer(attribute="officer_count", dump_only=True, metadata={
        "description": "active officer accounts of the enterprise (0: nobody to tell)"})


class OwnReceiptOut(Schema):
    state = fields.String()
    acknowledged_at = UtcDateTime(allow_none=True)


class BulletinOut(Schema):
    id = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda b: BULLETIN_KINDS.labels(b.kind), metadata=LABEL)
    title = fields.String()
    body = fields.String(metadata={"description": "plain text"})
    target = fields.Dict()
    requires_ack = fields.Boolean()
    published_at = UtcDateTime()
    author = fields.Nested(OutreachActorOut)
    attachment = fields.Nested(AttachmentOut, allow_none=True)
    attachment_url = fields.String(allow_none=True, dump_only=True)
    my_state = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "an officer: its enterprise's receipt (pending | acknowledged)"})
    acknowledged_count = fields.Integer(dump_only=True)
    pending_count = fields.Integer(dump_only=True)


class BulletinDetailOut(BulletinOut):
    receipt = fields.Nested(OwnReceiptOut, allow_none=True, dump_only=True, metadata={
        "description": "an officer: its own enterprise's receipt"})
    acknowledged = fields.List(fields.Nested(ReceiptOut), dump_only=True, metadata={
        "description": "enterprises in scope that acknowledged (supervisors, inspectors, "
                       "admins)"})
    pending = fields.List(fields.Nested(ReceiptOut), dump_only=True, metadata={
        "description": "enterprises in scope that have not"})
    can_remind = fields.Boolean(dump_only=True, metadata=BOOLEAN)


BulletinPageOut = page_schema(BulletinOut, "BulletinPageOut")


class RemindOut(Schema):
    enterprises = fields.Integer(metadata={"description": "enterprises reminded"})
    messages = fields.Integer(metadata={"description": "inbox messages sent"})

