"""Schemas of the hazard (隐患) endpoints."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_dump, validate, validates_schema

from app.core import fields as core_fields
from app.core.choices import ChoiceField
from app.core.fields import (DateOrDateTime, DictOut, LocationIn, LocationOut, UtcDateTime,
                             UUIDStr, location_of)
from app.core.i18n import LocalizedText
from app.core.pagination import page_args, page_schema
from app.hazards import choices
from app.hazards.evidence_schemas import PhotoOut
from app.hazards.oversight_schemas import (EvidenceFlagOut, ExtensionOut, ListingOut,
                                           OversightBlockedOut)
from app.hazards.workflow import HAZARD_WORKFLOW


# --------------------------------------------------------------------------- input
class GovernancePlanIn(Schema):
    """治理方案 of a major hazard; may be saved incomplete, must be complete to submit."""

    goals_tasks = fields.String(allow_none=True, validate=validate.Length(max=4000))
    methods_measures = fields.String(allow_none=True, validate=validate.Length(max=4000))
    funds_materials = fields.String(allow_none=True, validate=validate.Length(max=4000))
    responsible_body = fields.String(allow_none=True, validate=validate.Length(max=400))
    responsible_people = fields.String(allow_none=True, validate=validate.Length(max=400))
    deadline = core_fields.Date(allow_none=True)
    safety_measures = fields.String(allow_none=True, validate=validate.Length(max=4000))
    emergency_plan = fields.String(allow_none=True, validate=validate.Length(max=4000))


class HazardCreateIn(Schema):
    """登记隐患."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    enterprise_id = UUIDStr(required=True)
    inspection_id = UUIDStr(allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    category = ChoiceField(choices.configured_categories, required=True, metadata={
        "description": "one of config HAZARD_CATEGORIES, by its value or its Chinese or English "
                       "label (stored as the value)"})
    level = fields.String(required=True, validate=validate.OneOf(list(choices.HAZARD_LEVELS)))
    found_at = core_fields.AwareDateTime(required=True)
    place = fields.String(load_default="", validate=validate.Length(max=200))
    location = fields.Nested(LocationIn, allow_none=True)
    deadline = DateOrDateTime(end_of_day=True, allow_none=True, metadata={
        "description": "default: found_at + DEADLINE_DAYS_GENERAL/MAJOR days (end of that day)"})
    responsible = fields.String(load_default="", validate=validate.Length(max=100))
    governance_plan = fields.Nested(GovernancePlanIn, allow_none=True)
    checklist_item = fields.String(allow_none=True, validate=validate.Length(min=1, max=32),
                                   metadata={"description": "检查项: the code of the item of the "
                                                            "inspection's checklist it failed; a "
                                                            "major_if_failed item makes it major"})
    source = fields.String(validate=validate.OneOf([choices.SOURCE_INSPECTION,
                                                    choices.SOURCE_SELF]), metadata={
        "description": "隐患来源, set by who records it: inspection (inspectors, supervisors) "
                       "or self (an enterprise officer's own report); another value is 422"})


class HazardPatchIn(Schema):
    """Edit a hazard while it is reported or being rectified; writes an event."""

    version = fields.Integer(required=True, strict=True)
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(validate=validate.Length(max=5000))
    place = fields.String(validate=validate.Length(max=200))
    category = ChoiceField(choices.configured_categories)
    responsible = fields.String(validate=validate.Length(max=100))
    governance_plan = fields.Nested(GovernancePlanIn, allow_none=True)


class TransitionIn(Schema):
    """One step of the state machine (see app.hazards.workflow)."""

    id = UUIDStr(metadata={"description": "client-chosen event id; a replay answers the stored "
                                          "result"})
    action = fields.String(required=True,
                           validate=validate.OneOf(sorted(HAZARD_WORKFLOW.actions)))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))
    photo_ids = fields.List(UUIDStr(), validate=validate.Length(max=50))
    deadline = DateOrDateTime(end_of_day=True, allow_none=True,
                              metadata={"description": "a supervisor may extend the deadline"})
    version = fields.Integer(required=True, strict=True)
    location = fields.Nested(LocationIn, allow_none=True)


class HazardQueryArgs(page_args(200, 50)):
    cursor = fields.String(validate=validate.Length(max=400), metadata={
        "description": "the `next` of a previous answer: the hazards after its last one "
                       "(keyset paging; `page` is then ignored and `total` is null)"})
    state = fields.String(validate=validate.OneOf(list(choices.HAZARD_STATES)))
    level = fields.String(validate=validate.OneOf(list(choices.HAZARD_LEVELS)))
    enterprise_id = UUIDStr()
    community_id = UUIDStr()
    inspection_id = UUIDStr()
    category = ChoiceField(choices.configured_categories, strict=False,
                           validate=validate.Length(max=50))
    overdue = fields.Boolean()
    escalated = fields.Boolean()
    listed = fields.Boolean(metadata={"description": "under 挂牌督办 now"})
    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "words in title, description, place or enterprise"})
    found_from = DateOrDateTime()
    found_to = DateOrDateTime(end_of_day=True)

    @validates_schema
    def _range(self, data, **kwargs):
        found_from, found_to = data.get("found_from"), data.get("found_to")
        if found_from and found_to and found_from > found_to:
            raise ValidationError("结束日期早于开始日期 / found_to is before found_from.",
                                  field_name="found_to")


# --------------------------------------------------------------------------- output
class GovernancePlanOut(Schema):
    goals_tasks = fields.String(allow_none=True)
    methods_measures = fields.String(allow_none=True)
    funds_materials = fields.String(allow_none=True)
    responsible_body = fields.String(allow_none=True)
    responsible_people = fields.String(allow_none=True)
    deadline = fields.String(allow_none=True, metadata={"format": "date"})
    safety_measures = fields.String(allow_none=True)
    emergency_plan = fields.String(allow_none=True)


_SUMMARY_COLUMNS = ("id", "enterprise_id", "community_id", "inspection_id", "title", "category",
                    "level", "state", "source", "place", "found_at", "deadline", "rejection_count",
                    "escalated", "version", "checklist_item", "self_check_missed")


def _summary(hazard) -> dict:
    return {**{name: getattr(hazard, name) for name in _SUMMARY_COLUMNS},
            "enterprise_name": hazard.enterprise.name if hazard.enterprise else None,
            "overdue": hazard.is_overdue, "listed": hazard.is_listed}


class HazardSummaryOut(DictOut):
    """A hazard in a list (a dict: the list's row, or what ``_computed`` makes of a hazard)."""

    id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    community_id = fields.String()
    inspection_id = fields.String(allow_none=True)
    title = fields.String()
    category = fields.String()
    level = fields.String()
    state = fields.String()
    source = fields.String(metadata={"description": "隐患来源: inspection | self | tip"})
    place = fields.String()
    found_at = UtcDateTime()
    deadline = UtcDateTime()
    overdue = fields.Boolean(metadata={"description": "deadline passed without an accepted "
                                                      "rectification (reported, rectifying, "
                                                      "submitted)"})
    rejection_count = fields.Integer()
    escalated = fields.Boolean()
    listed = fields.Boolean(metadata={"description": "under 挂牌督办 (listed supervision) now"})
    version = fields.Integer()
    checklist_item = fields.String(allow_none=True, metadata={
        "description": "检查项: the code of the checklist item it was found at"})
    self_check_missed = fields.Boolean(metadata={
        "description": "自查不实: an inspector found it in a category the enterprise's own "
                       "self-inspection answered pass within SELF_CHECK_DAYS (30) before"})

    @pre_dump
    def _computed(self, hazard, **kwargs):
        # the hazard list's items are summaries already (operations.list_hazards)
        return hazard if isinstance(hazard, dict) else _summary(hazard)


class BlockedActionOut(Schema):
    """Why a step the table allows is not offered now."""

    reason = fields.String(metadata={"description": "governance_plan_incomplete"})
    message = LocalizedText(metadata={"description": "in the reader's language"})
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", metadata={
        "description": "what to fill in first (治理方案 fields)"})


class HazardWarningOut(Schema):
    """Something to know that refuses nothing."""

    field = fields.String(metadata={"description": "e.g. governance_plan.deadline"})
    code = fields.String(metadata={"description": "plan_ends_after_deadline"})
    message = LocalizedText(metadata={"description": "in the reader's language"})


class HazardChecklistItemOut(Schema):
    """检查项 a hazard was found at."""

    code = fields.String()
    text = fields.String(allow_none=True)
    basis = fields.String(allow_none=True)
    checklist_id = fields.String(allow_none=True)
    checklist_name = fields.String(allow_none=True)
    checklist_version = fields.Integer(allow_none=True)


class HazardOut(HazardSummaryOut):
    """A hazard with everything about it."""

    reporter_id = fields.String()
    reporter_name = fields.String()
    description = fields.String()
    location = fields.Nested(LocationOut, allow_none=True)
    responsible = fields.String()
    governance_plan = fields.Nested(GovernancePlanOut, allow_none=True)
    governance_plan_missing = fields.List(fields.String(), metadata={
        "description": "治理方案 fields still empty (a major hazard cannot be submitted before)"})
    acknowledged_at = UtcDateTime(allow_none=True)
    submitted_at = UtcDateTime(allow_none=True)
    verified_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    archived_at = UtcDateTime(allow_none=True)
    recheck_note = fields.String(allow_none=True, metadata={"description": "复查结果"})
    photos = fields.List(fields.Nested(PhotoOut), metadata={
        "description": "the evidence: finding photos, and the rectification and re-check photos "
                       "a step handed in"})
    pending_photos = fields.List(fields.Nested(PhotoOut), metadata={
        "description": "step photos uploaded for a step that has not succeeded yet (e.g. a "
                       "refused submission), that the current user may hand in: name them in "
                       "the step's photo_ids. A step naming photo_ids sets the other pending "
                       "ones aside; naming none hands them all in"})
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "what the current user may do now (from the transition table, less "
                       "blocked_actions)"})
    blocked_actions = fields.Dict(keys=fields.String(), values=fields.Nested(BlockedActionOut),
                                  metadata={"description": "steps the table allows the current "
                                                           "user that would be refused now, "
                                                           "and why"})
    warnings = fields.List(fields.Nested(HazardWarningOut))
    listing = fields.Nested(ListingOut, allow_none=True, metadata={
        "description": "挂牌督办: who listed it, the unit, deadline and responsible person; "
                       "摘牌 and its assessment"})
    extensions = fields.List(fields.Nested(ExtensionOut), metadata={
        "description": "延期申请, newest first, each with the decisions you may take"})
    evidence_flags = fields.List(fields.Nested(EvidenceFlagOut), metadata={
        "description": "证据存疑 about its rectification photos, explained; verify needs a note "
                       "while one is standing"})
    oversight_actions = fields.List(fields.String(), metadata={
        "description": "what you may do now besides the steps: request_extension, list, delist"})
    oversight_blocked = fields.Dict(keys=fields.String(),
                                    values=fields.Nested(OversightBlockedOut), metadata={
        "description": "request_extension or delist not possible yet, and why"})
    checklist = fields.Nested(HazardChecklistItemOut, allow_none=True, metadata={
        "description": "the checklist item it was found at, with its legal basis"})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    @pre_dump
    def _computed(self, hazard, **kwargs):
        out = _summary(hazard)
        # governance_plan_missing, allowed/blocked actions, warnings and the photos sorted into
        # evidence and pending: supplied by the operation that answers (_detailed)
        out.update({name: getattr(hazard, name) for name in (
            "reporter_id", "description", "responsible", "governance_plan", "acknowledged_at",
            "submitted_at", "verified_at", "closed_at", "archived_at", "recheck_note",
            "created_at", "updated_at", "governance_plan_missing", "allowed_actions",
            "blocked_actions", "warnings", "pending_photos", "listing", "extensions",
            "evidence_flags", "oversight_actions", "oversight_blocked")})
        out["photos"] = hazard.evidence_photos
        out["checklist"] = hazard.checklist_item_detail
        out["reporter_name"] = hazard.reporter.display_name if hazard.reporter else None
        out["location"] = location_of(hazard)
        return out


HazardPageOut = page_schema(HazardSummaryOut, "HazardPageOut", next=fields.String(
    allow_none=True, metadata={"description": "cursor of the next page (pass it as `cursor`); "
                                              "null on the last page"}))


class ActorOut(Schema):
    id = fields.String()
    display_name = fields.String()
    role = fields.String()


class HazardEventOut(Schema):
    """One line of the append-only audit trail (隐患事件)."""

    id = fields.String()
    hazard_id = fields.String()
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    at = UtcDateTime()
    note = fields.String(allow_none=True)
    location = fields.Nested(LocationOut, allow_none=True)
    actor = fields.Nested(ActorOut, allow_none=True, metadata={"description": "null: the system"})
    data = fields.Dict(allow_none=True)
    seq = fields.Integer(metadata={"description": "place in the hazard's trail: 1, 2, 3 …"})
    hash = fields.String(metadata={"description": "SHA-256 sealing this line and the one before "
                                                  "it (flask audit verify)"})

    @pre_dump
    def _computed(self, event, **kwargs):
        data = dict(event.data or {})
        data.pop("payload_hash", None)  # an implementation detail of replays
        return {**{name: getattr(event, name) for name in (
            "id", "hazard_id", "action", "from_state", "to_state", "at", "note", "actor", "seq",
            "hash")},
            "location": location_of(event), "data": data or None}


class HazardEventListOut(Schema):
    items = fields.List(fields.Nested(HazardEventOut))
    total = fields.Integer()


class LabelOut(Schema):
    zh = fields.String()
    en = fields.String()
    color = fields.String()


class HazardCategoryOut(Schema):
    value = fields.String()
    zh = fields.String()
    en = fields.String()


class HazardChoicesOut(Schema):
    """Labels (zh/en) and colours of every choice the hazard screens show."""

    states = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut))
    levels = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut))
    categories = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut),
                             metadata={"description": "labels by code; JSON objects carry no "
                                                      "order (kept for earlier app versions)"})
    category_list = fields.List(fields.Nested(HazardCategoryOut),
                                metadata={"description": "the configured categories "
                                                         "(HAZARD_CATEGORIES) in their order"})
    actions = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut))
    photo_kinds = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut))
    governance_plan_fields = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut))
    inspection_kinds = fields.Dict(keys=fields.String(), values=fields.Nested(LabelOut))
    deadline_days = fields.Dict(keys=fields.String(), values=fields.Integer())
    transitions = fields.List(fields.Dict())


class HazardSummaryCountsOut(Schema):
    """待办: hazards in scope awaiting a step the user's role takes."""

    to_rectify = fields.Integer(metadata={"description": "reported or being rectified, where "
                                                         "the role submits (待整改)"})
    to_recheck = fields.Integer(metadata={"description": "submitted, where the role re-checks "
                                                         "(待复查)"})
    to_recheck_mine = fields.Integer(metadata={"description": "of to_recheck, the hazards the "
                                                              "user found"})
    to_close = fields.Integer(metadata={"description": "verified, where the role may close "
                                                       "(待销号; a major one: supervisors)"})
    to_archive = fields.Integer(metadata={"description": "closed, where the role archives"})
    overdue = fields.Integer(metadata={"description": "every overdue hazard in scope"})
