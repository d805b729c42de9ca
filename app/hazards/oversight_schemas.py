"""Schemas of 延期申请 (extension requests), 挂牌督办 (listing) and 证据存疑 (evidence flags)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.fields import DateOrDateTime, UtcDateTime, UUIDStr
from app.core.i18n import LocalizedText
from app.core.pagination import page_args, page_schema
from app.hazards.choices import EXTENSION_ACTIONS, LISTING_STATES
from app.hazards.evidence_schemas import PhotoOut


# --------------------------------------------------------------------------- input
class ExtensionIn(Schema):
    """延期申请 (the enterprise's officer, before the deadline)."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    new_deadline = DateOrDateTime(end_of_day=True, required=True, metadata={
        "description": "the deadline asked for (a date: the end of that day, Asia/Shanghai); "
                       "later than the current one, else 422"})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    photo_id = UUIDStr(allow_none=True, metadata={
        "description": "a photo of kind `document` (证明材料) of this hazard, uploaded first"})


class ExtensionDecisionIn(Schema):
    """批准 or 驳回 a request (a supervisor of the community)."""

    action = fields.String(required=True, validate=validate.OneOf(list(EXTENSION_ACTIONS)))
    version = fields.Integer(required=True, strict=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000), metadata={
        "description": "required to reject"})


class ListingIn(Schema):
    """挂牌督办 of a major hazard (a supervisor)."""

    id = UUIDStr(metadata={"description": "client-chosen id of the listing"})
    unit = fields.String(required=True, validate=validate.Length(min=1, max=200),
                         metadata={"description": "督办单位, the supervising unit"})
    deadline = DateOrDateTime(end_of_day=True, required=True,
                              metadata={"description": "督办期限, in the future"})
    responsible = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                metadata={"description": "责任人"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class DelistIn(Schema):
    """摘牌, once the hazard is closed (销号)."""

    assessment = fields.String(required=True, validate=validate.Length(min=1, max=5000),
                               metadata={"description": "评估意见: how the fix was assessed"})
    version = fields.Integer(strict=True, allow_none=True,
                             metadata={"description": "the listing's version, if known"})


class RegisterArgs(page_args(200, 50)):
    state = fields.String(validate=validate.OneOf(list(LISTING_STATES)))
    community_id = UUIDStr()
    overdue = fields.Boolean(metadata={"description": "the hazard is overdue (逾期)"})


# --------------------------------------------------------------------------- output
class PersonOut(Schema):
    id = fields.String()
    display_name = fields.String()


class ExtensionOut(Schema):
    """延期申请 with its decision."""

    id = fields.String()
    hazard_id = fields.String()
    state = fields.String(metadata={"description": "pending | approved | rejected"})
    requested_at = UtcDateTime()
    requester = fields.Nested(PersonOut)
    old_deadline = UtcDateTime(metadata={"description": "the deadline when asked"})
    new_deadline = UtcDateTime(metadata={"description": "the deadline asked for"})
    reason = fields.String()
    photo = fields.Nested(PhotoOut, allow_none=True, metadata={"description": "证明材料"})
    decided_at = UtcDateTime(allow_none=True)
    decided_by = fields.Nested(PersonOut, allow_none=True)
    decision_note = fields.String(allow_none=True)
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "the decisions the current user may take now"})
    version = fields.Integer()


class ExtensionListOut(Schema):
    items = fields.List(fields.Nested(ExtensionOut))
    total = fields.Integer()


class ListingOut(Schema):
    """挂牌督办 of the hazard."""

    id = fields.String()
    state = fields.String(metadata={"description": "listed | delisted"})
    unit = fields.String(metadata={"description": "督办单位"})
    deadline = UtcDateTime(metadata={"description": "督办期限"})
    responsible = fields.String(metadata={"description": "责任人"})
    listed_at = UtcDateTime()
    listed_by = fields.Nested(PersonOut)
    delisted_at = UtcDateTime(allow_none=True)
    delisted_by = fields.Nested(PersonOut, allow_none=True)
    assessment = fields.String(allow_none=True, metadata={"description": "摘牌评估意见"})
    version = fields.Integer()


class EvidenceFlagOut(Schema):
    """证据存疑 about one photo, explained."""

    code = fields.String(metadata={
        "description": "photo_before_finding | photo_far_from_site | photo_reused"})
    photo_id = fields.String()
    detail = fields.Dict(metadata={"description": "taken_at and found_at; distance_m and "
                                                  "radius_m; or hazard_ids"})
    message = LocalizedText(metadata={"description": "the explanation, in the reader's language"})
    created_at = UtcDateTime()
    standing = fields.Boolean(metadata={"description": "not answered by a verification yet: "
                                                       "verify needs a note"})
    overridden_at = UtcDateTime(allow_none=True, metadata={
        "description": "when a verification accepted the fix in spite of it"})


class OversightBlockedOut(Schema):
    reason = fields.String(metadata={"description": "the field at fault: state, deadline, …"})
    message = LocalizedText()


class RegisterRowOut(Schema):
    """A line of the 挂牌督办台账."""

    id = fields.String()
    hazard_id = fields.String()
    title = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    credit_code = fields.String()
    community_id = fields.String()
    community_name = fields.String()
    place = fields.String()
    category = fields.String(attribute="category_code")
    unit = fields.String()
    responsible = fields.String()
    deadline = UtcDateTime()
    listed_at = UtcDateTime()
    listed_by = fields.String(allow_none=True)
    hazard_state = fields.String(attribute="hazard_state_code")
    hazard_deadline = UtcDateTime()
    overdue = fields.Boolean()
    closed_at = UtcDateTime(allow_none=True)
    state = fields.String(attribute="state_code")
    delisted_at = UtcDateTime(allow_none=True)
    delisted_by = fields.String(allow_none=True)
    assessment = fields.String(allow_none=True)
    version = fields.Integer()


RegisterPageOut = page_schema(RegisterRowOut, "ListingRegisterPageOut")
