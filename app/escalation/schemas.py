"""Schemas of the 零容忍 and 约谈 endpoints: one in, one out per view."""
from __future__ import annotations

from datetime import datetime

from marshmallow import EXCLUDE, Schema, fields, post_load, validate
from webargs.fields import DelimitedList

from app.core import fields as core_fields
from app.core.pagination import page_args, page_schema
from app.core.timeutil import as_utc
from app.escalation.choices import INTERVIEW_ACTIONS, INTERVIEW_STATES, RULES
from app.escalation.workflow import INTERVIEW_WORKFLOW
from app.hazards.oversight_schemas import ListingOut

TEXT = validate.Length(max=20000)
NAME = validate.Length(min=1, max=100)
# OpenAPI types of computed fields (apispec cannot infer a Function field's type).
LABEL = {"type": "object", "description": "zh/en label and colour",
         "properties": {"zh": {"type": "string"}, "en": {"type": "string"},
                        "color": {"type": "string"}}}
STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}


class _UTC:
    """Aware datetimes in, stored and compared as UTC."""

    @post_load
    def _to_utc(self, data, **_):
        return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in data.items()}


class PageQuery(page_args(100, 20)):
    class Meta:
        unknown = EXCLUDE  # cache-busting query parameters are harmless


# --------------------------------------------------------------------------- interviews
class InterviewQuery(PageQuery):
    state = DelimitedList(fields.String(validate=validate.OneOf(list(INTERVIEW_STATES))),
                          metadata={"description":
                                    "comma-separated: proposed,scheduled,held,closed"})
    enterprise_id = fields.String(validate=validate.Length(max=36))
    community_id = fields.String(validate=validate.Length(max=36))
    overdue = fields.Boolean(metadata={"description": "held and its follow-up deadline passed"})


class InterviewCreateIn(Schema):
    """Open a 约谈 by hand (supervisor)."""

    id = fields.UUID(metadata={"description": "client-chosen id (offline outbox)"})
    enterprise_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    situation = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                              metadata={"description": "触发情况 the triggering situation"})


class InterviewTransitionIn(_UTC, Schema):
    """``{action, version, ...}``: the fields each action takes are listed per action."""

    action = fields.String(required=True, validate=validate.OneOf(
        sorted(INTERVIEW_WORKFLOW.actions)), metadata={"description": (
            "schedule (scheduled_at, place, interviewers; departments, convener) · "
            "reschedule (scheduled_at; place, interviewers, departments, convener) · "
            "hold (interviewee, interviewee_title, note_taker, minutes, commitments, "
            "follow_up_deadline; held_at, problems, requirements, situation) · "
            "close (completion_receipt)")})
    version = fields.Integer(required=True, strict=True)
    note = fields.String(validate=TEXT)
    convener = fields.String(validate=validate.Length(min=1, max=200),
                             metadata={"description": "约谈方"})
    scheduled_at = core_fields.AwareDateTime()
    place = fields.String(validate=validate.Length(min=1, max=200))
    interviewers = fields.List(fields.String(validate=NAME),
                               validate=validate.Length(min=1, max=50))
    departments = fields.List(fields.String(validate=NAME), validate=validate.Length(max=50),
                              metadata={"description": "街乡吹哨，部门报到: called-in departments"})
    interviewee = fields.String(validate=NAME, metadata={"description": "被约谈人（主要负责人）"})
    interviewee_title = fields.String(validate=NAME)
    note_taker = fields.String(validate=NAME, metadata={"description": "记录人"})
    situation = fields.String(validate=TEXT)
    minutes = fields.String(validate=TEXT, metadata={"description": "约谈纪要"})
    problems = fields.String(validate=TEXT, metadata={"description": "存在问题"})
    requirements = fields.String(validate=TEXT, metadata={"description": "整改要求"})
    commitments = fields.String(validate=TEXT, metadata={"description": "承诺事项"})
    held_at = core_fields.AwareDateTime(metadata={
        "description": "实际约谈时间 (hold): when the interview took place; default the scheduled "
                       "time. Not in the future, not before the interview was opened"})
    follow_up_deadline = core_fields.AwareDateTime(metadata={"description": "书面回复期限"})
    completion_receipt = fields.String(validate=TEXT, metadata={"description": "整改完成回执"})


class InterviewEnterpriseOut(Schema):
    id = fields.String()
    name = fields.String()
    credit_code = fields.String()
    legal_rep = fields.String()
    community_id = fields.String()


class InterviewActorOut(Schema):
    id = fields.String()
    display_name = fields.String()
    role = fields.String()


class ReasonOut(Schema):
    """One reason of an interview: a rule that fired for a hazard."""

    id = fields.String(metadata={"description": "escalation id"})
    rule = fields.String()
    rule_label = fields.Function(lambda e: RULES.labels(e.rule), metadata=LABEL)
    hazard_id = fields.String()
    hazard_title = fields.Function(lambda e: e.hazard.title, metadata=STRING)
    hazard_level = fields.Function(lambda e: e.hazard.level, metadata=STRING)
    hazard_state = fields.Function(lambda e: e.hazard.state, metadata=STRING)
    fired_at = fields.AwareDateTime()
    detail = fields.String()


class InterviewEventOut(Schema):
    id = fields.String()
    action = fields.String()
    action_label = fields.Function(lambda e: INTERVIEW_ACTIONS.labels(e.action), metadata=LABEL)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    actor = fields.Nested(InterviewActorOut, allow_none=True,
                          metadata={"description": "null: the system"})
    note = fields.String(allow_none=True)
    data = fields.Dict(allow_none=True)


class InterviewOut(Schema):
    """约谈 record (DOMAIN.md): parties, reasons, time and place, participants, minutes,
    problems, requirements, commitments, follow-up deadline, completion receipt."""

    id = fields.String()
    enterprise_id = fields.String()
    community_id = fields.String()
    enterprise = fields.Nested(InterviewEnterpriseOut, metadata={"description": "被约谈方"})
    convener = fields.String(metadata={"description": "约谈方"})
    state = fields.String()
    state_label = fields.Function(lambda i: INTERVIEW_STATES.labels(i.state), metadata=LABEL)
    reasons = fields.List(fields.Nested(ReasonOut))
    scheduled_at = fields.AwareDateTime(allow_none=True)
    place = fields.String(allow_none=True)
    interviewers = fields.List(fields.String(), allow_none=True)
    departments = fields.List(fields.String(), allow_none=True)
    interviewee = fields.String(allow_none=True)
    interviewee_title = fields.String(allow_none=True)
    note_taker = fields.String(allow_none=True)
    situation = fields.String(allow_none=True)
    minutes = fields.String(allow_none=True)
    problems = fields.String(allow_none=True)
    requirements = fields.String(allow_none=True)
    commitments = fields.String(allow_none=True)
    follow_up_deadline = fields.AwareDateTime(allow_none=True)
    overdue = fields.Function(lambda i: i.is_follow_up_overdue, metadata=dict(
        BOOLEAN, description="follow-up deadline passed while held"))
    completion_receipt = fields.String(allow_none=True)
    held_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer()


class InterviewDetailOut(InterviewOut):
    events = fields.List(fields.Nested(InterviewEventOut),
                         metadata={"description": "append-only trail"})
    allowed_actions = fields.List(fields.String(), dump_only=True, metadata={
        "description": "actions the current user may take now"})


InterviewPageOut = page_schema(InterviewOut, "InterviewPageOut")


# --------------------------------------------------------------------------- hazards
class EscalationOut(Schema):
    id = fields.String()
    rule = fields.String()
    rule_label = fields.Function(lambda e: RULES.labels(e.rule), metadata=LABEL)
    hazard_id = fields.String()
    fired_at = fields.AwareDateTime()
    detail = fields.String()
    interview_id = fields.String(allow_none=True)


class EscalationListOut(Schema):
    items = fields.List(fields.Nested(EscalationOut))


class ListedHazardQuery(PageQuery):
    community_id = fields.String(validate=validate.Length(max=36))
    enterprise_id = fields.String(validate=validate.Length(max=36))
    overdue = fields.Boolean()


class ListedHazardOut(Schema):
    """A major hazard under 挂牌督办 (listed supervision)."""

    id = fields.String()
    title = fields.String()
    category = fields.String()
    level = fields.String()
    state = fields.String()
    enterprise_id = fields.String()
    community_id = fields.String()
    enterprise = fields.Nested(InterviewEnterpriseOut)
    found_at = fields.AwareDateTime()
    deadline = fields.AwareDateTime()
    overdue = fields.Function(lambda h: h.is_overdue, metadata=BOOLEAN)
    escalated = fields.Boolean()
    rejection_count = fields.Integer()
    rules = fields.List(fields.String(), attribute="fired_rules", dump_only=True, metadata={
        "description": "零容忍 rules fired for it"})
    has_governance_plan = fields.Function(lambda h: bool(h.governance_plan), metadata=dict(
        BOOLEAN, description="治理方案 recorded"))
    listed = fields.Function(lambda h: h.is_listed, metadata=dict(
        BOOLEAN, description="挂牌督办 recorded (unit, deadline, responsible): see listing"))
    listing = fields.Nested(ListingOut, allow_none=True)
    version = fields.Integer()


ListedHazardPageOut = page_schema(ListedHazardOut, "ListedHazardPageOut")
