"""Schemas of the campaign (专项活动), activity (活动) and submission (报送) endpoints."""
from __future__ import annotations

from flask import url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.campaigns.choices import (ACTIVITY_ACTIONS, ACTIVITY_KINDS, ACTIVITY_STATES,
                                   CAMPAIGN_PHASES, SUBMISSION_STATUSES)
from app.campaigns.workflow import ACTIVITY_WORKFLOW
from app.core import fields as core_fields
from app.core.choices import ChoiceField
from app.core.fields import UtcDateTime, UUIDStr
from app.core.pagination import page_args, page_schema
from app.hazards.evidence_schemas import PhotoOut

LABEL = {"type": "object", "description": "zh/en label and colour",
         "properties": {"zh": {"type": "string"}, "en": {"type": "string"},
                        "color": {"type": "string"}}}
TEXT = validate.Length(max=5000)


# --------------------------------------------------------------------------- campaigns
class CampaignCreateIn(Schema):
    """设立专项活动: name, period (days in Asia/Shanghai, both included), reporting deadline."""

    id = UUIDStr(metadata={"description": "client-chosen id"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "e.g. 2026年安全生产月"})
    starts_on = core_fields.Date(required=True)
    ends_on = core_fields.Date(required=True, metadata={"description": "last day, included"})
    submission_due = core_fields.Date(required=True, metadata={
        "description": "社区总结报送截止 (e.g. 25 June); a later submission is marked late"})


class CampaignListArgs(page_args(100, 20)):
    class Meta:
        unknown = EXCLUDE


class CampaignOut(Schema):
    id = fields.String()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    submission_due = fields.Date()
    today = fields.Date(metadata={"description": "today in Asia/Shanghai, what the rest is "
                                                "counted from"})
    phase = fields.String(metadata={"description": "upcoming | running | reporting | ended"})
    phase_label = fields.Function(lambda c: CAMPAIGN_PHASES.labels(c.phase), metadata=LABEL)
    days_left = fields.Integer(allow_none=True, metadata={
        "description": "days of the campaign still to come, today included (running only)"})
    days_to_start = fields.Integer()
    days_to_due = fields.Integer(metadata={"description": "days until the submissions are "
                                                         "due; negative once passed"})
    created_at = UtcDateTime()
    version = fields.Integer()


CampaignPageOut = page_schema(CampaignOut, "CampaignPageOut")


class CurrentCampaignOut(Schema):
    campaign = fields.Nested(CampaignOut, allow_none=True, metadata={
        "description": "running today, else reporting, else starting within 14 days; or null"})


class SubmissionUserOut(Schema):
    id = fields.String()
    display_name = fields.String()


class SubmissionOut(Schema):
    """报送: a community's frozen summary (figures, activities, PDF) and their SHA-256."""

    id = fields.String()
    campaign_id = fields.String()
    community_id = fields.String()
    community_name = fields.String()
    submitted_at = UtcDateTime()
    submitted_by = fields.Nested(SubmissionUserOut, attribute="submitter")
    late = fields.Boolean(metadata={"description": "made after the campaign's submission_due"})
    status = fields.String(metadata={"description": "on_time | late"})
    status_label = fields.Function(lambda s: SUBMISSION_STATUSES.labels(s.status),
                                   metadata=LABEL)
    note = fields.String(allow_none=True)
    content_sha256 = fields.String(metadata={
        "description": "SHA-256 of the frozen figures and activities (printed on the PDF)"})
    pdf_sha256 = fields.String(metadata={"description": "SHA-256 of the frozen PDF's bytes"})
    pdf_name = fields.String()
    urls = fields.Function(lambda s: {"pdf": url_for(
        "campaigns.submission_pdf", campaign_id=s.campaign_id, submission_id=s.id)},
        metadata={"type": "object", "properties": {"pdf": {"type": "string"}}})


class SubmissionDetailOut(SubmissionOut):
    figures = fields.Dict(metadata={"description": "hazards, inspections and activities by "
                                                   "kind, as frozen"})
    activities = fields.List(fields.Dict(), metadata={"description": "the activities frozen"})


class MissingOut(Schema):
    community_id = fields.String()
    community_name = fields.String()
    late = fields.Boolean(metadata={"description": "the due day has passed"})
    status = fields.String(metadata={"description": "missing | missing_late"})
    status_label = fields.Function(lambda m: SUBMISSION_STATUSES.labels(m["status"]),
                                   metadata=LABEL)


class BoardCountsOut(Schema):
    communities = fields.Integer()
    submitted = fields.Integer()
    on_time = fields.Integer()
    late = fields.Integer()
    missing = fields.Integer()
    missing_late = fields.Integer()


class KindCountOut(Schema):
    key = fields.String()
    zh = fields.String()
    en = fields.String()
    color = fields.String()
    count = fields.Integer()
    participants = fields.Integer()


class ActivityCountsOut(Schema):
    confirmed = fields.Integer()
    pending = fields.Integer(metadata={"description": "officers' records awaiting confirmation"})
    by_kind = fields.List(fields.Nested(KindCountOut))


class CampaignDetailOut(CampaignOut):
    submissions = fields.List(fields.Nested(SubmissionOut), metadata={
        "description": "of the communities you follow"})
    missing = fields.List(fields.Nested(MissingOut), metadata={
        "description": "communities you follow that have not submitted; late once overdue"})
    counts = fields.Nested(BoardCountsOut)
    activity_counts = fields.Nested(ActivityCountsOut, metadata={
        "description": "the campaign's activities in your scope"})


class SubmissionIn(Schema):
    community_id = UUIDStr(required=True, metadata={
        "description": "the community whose summary is submitted (one of yours)"})
    note = fields.String(validate=validate.Length(max=2000), metadata={
        "description": "a word to the street (说明)"})


# --------------------------------------------------------------------------- activities
class ActivityCreateIn(Schema):
    """登记活动."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    campaign_id = UUIDStr(allow_none=True, metadata={
        "description": "default: the campaign running on held_on, if any"})
    community_id = UUIDStr(required=True)
    kind = ChoiceField(ACTIVITY_KINDS, required=True, metadata={
        "description": "training | drill | publicity | consultation | warning_education | "
                       "commitment | other (or its Chinese or English label)"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    held_on = core_fields.Date(required=True, metadata={
        "description": "the day it was held (Asia/Shanghai); within the campaign, not later "
                       "than today"})
    place = fields.String(required=True, validate=validate.Length(min=1, max=200))
    participants = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=0, max=1_000_000),
                                  metadata={"description": "人次"})
    enterprise_ids = fields.List(UUIDStr(), load_default=list,
                                 validate=validate.Length(max=500), metadata={
                                     "description": "enterprises taking part, all in the "
                                                    "community"})
    note = fields.String(allow_none=True, validate=TEXT)
    scenario = fields.String(allow_none=True, validate=TEXT, metadata={
        "description": "a drill's scenario (演练科目); required for a drill, only for a drill"})
    problems = fields.String(allow_none=True, validate=TEXT, metadata={
        "description": "what went wrong in a drill (发现的问题)"})


class ActivityQuery(page_args(100, 20)):
    class Meta:
        unknown = EXCLUDE

    campaign_id = UUIDStr()
    community_id = UUIDStr()
    kind = ChoiceField(ACTIVITY_KINDS, strict=False, validate=validate.Length(max=30))
    state = fields.String(validate=validate.OneOf(list(ACTIVITY_STATES)))
    held_from = core_fields.Date()
    held_to = core_fields.Date()

    @validates_schema
    def _range(self, data, **kwargs):
        if data.get("held_from") and data.get("held_to") and data["held_from"] > data["held_to"]:
            raise ValidationError("结束日期早于开始日期 / held_to is before held_from.",
                                  field_name="held_to")


class ActivityTransitionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(
        sorted(ACTIVITY_WORKFLOW.actions)), metadata={"description": "confirm | return (note)"})
    version = fields.Integer(required=True, strict=True)
    note = fields.String(allow_none=True, validate=TEXT)


class ActivityEnterpriseOut(Schema):
    id = fields.String()
    name = fields.String()


class ActivityActorOut(Schema):
    id = fields.String()
    display_name = fields.String()
    role = fields.String()


class ActivityEventOut(Schema):
    id = fields.String()
    action = fields.String()
    action_label = fields.Function(lambda e: ACTIVITY_ACTIONS.labels(e.action), metadata=LABEL)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    at = UtcDateTime()
    actor = fields.Nested(ActivityActorOut, allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)


class ActivityOut(Schema):
    """活动: what was held, where and when, who took part."""

    id = fields.String()
    campaign_id = fields.String(allow_none=True)
    community_id = fields.String()
    community_name = fields.Function(lambda a: a.community.name if a.community else "",
                                     metadata={"type": "string"})
    enterprise_id = fields.String(allow_none=True, metadata={
        "description": "the enterprise whose officer recorded it"})
    kind = fields.String()
    kind_label = fields.Function(lambda a: ACTIVITY_KINDS.labels(a.kind), metadata=LABEL)
    state = fields.String()
    state_label = fields.Function(lambda a: ACTIVITY_STATES.labels(a.state), metadata=LABEL)
    title = fields.String()
    held_on = fields.Date()
    place = fields.String()
    participants = fields.Integer()
    enterprises = fields.List(fields.Nested(ActivityEnterpriseOut))
    enterprise_ids = fields.Function(lambda a: [e.id for e in a.enterprises], metadata={
        "type": "array", "items": {"type": "string"}})
    note = fields.String(allow_none=True)
    scenario = fields.String(allow_none=True)
    problems = fields.String(allow_none=True)
    recorder = fields.Nested(ActivityActorOut)
    photo_count = fields.Integer(dump_only=True)
    cover = fields.Nested(PhotoOut, allow_none=True, dump_only=True,
                          metadata={"description": "its first photo"})
    allowed_actions = fields.List(fields.String(), dump_only=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = fields.Integer()


ActivityPageOut = page_schema(ActivityOut, "ActivityPageOut")


class ActivityDetailOut(ActivityOut):
    photos = fields.List(fields.Nested(PhotoOut), dump_only=True)
    events = fields.List(fields.Nested(ActivityEventOut), dump_only=True,
                         metadata={"description": "append-only trail"})
