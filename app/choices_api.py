"""Every choice set in one answer: ``GET /api/v1/choices``.

The values and labels (zh/en, colour, display order) of every set a screen shows or a form
offers, the configured ones (hazard categories, industries) cut to the configuration. Nothing
personal is in it, so it needs no login: the PWA's service worker caches it for offline use.

It reads every domain's ``choices`` module, so it lives above the domains (like
``create_app``), not in ``app.core``.
"""
from __future__ import annotations

from app.core.blueprints import Blueprint
from marshmallow import Schema, fields

from app.auth.choices import ROLES
from app.campaigns.choices import (ACTIVITY_ACTIONS, ACTIVITY_KINDS, ACTIVITY_STATES,
                                   CAMPAIGN_PHASES, SUBMISSION_STATUSES)
from app.escalation.choices import INTERVIEW_ACTIONS, INTERVIEW_STATES, RULES
from app.hazards.choices import (EVIDENCE_FLAGS, EXTENSION_ACTIONS, EXTENSION_STATES,
                                 GOVERNANCE_PLAN_FIELDS, HAZARD_ACTIONS, HAZARD_LEVELS,
                                 HAZARD_SOURCES, HAZARD_STATES, LISTING_STATES, PHOTO_KINDS,
                                 configured_categories, deadline_days)
from app.inspections.choices import ANSWER_RESULTS, INSPECTION_KINDS
from app.notifications.choices import NOTIFICATION_KINDS
from app.outreach.choices import (BULLETIN_ACTIONS, BULLETIN_KINDS, DECLINE_REASONS,
                                  RECEIPT_STATES, TIP_ACTIONS, TIP_STATES)
from app.plans.choices import PLAN_ACTIONS, PLAN_STATES, TASK_ACTIONS, TASK_STATES
from app.registry.choices import RISK_LEVELS, configured_industries

blp = Blueprint("choices", __name__, url_prefix="/api/v1",
                description="选项 Every choice set: values, zh/en labels, colours, order")


#: Every set the API serves: name → (the set, or a function giving the configured one; what it
#: is). One entry per set: the answer and its OpenAPI schema are both built from it.
CHOICE_SETS = {
    "hazard_states": (HAZARD_STATES, "隐患状态"),
    "hazard_levels": (HAZARD_LEVELS, "隐患等级"),
    "hazard_categories": (configured_categories,
                          "隐患类别: the configured HAZARD_CATEGORIES, in their order"),
    "hazard_actions": (HAZARD_ACTIONS,
                       "actions of the hazard transition table and other recorded changes"),
    "hazard_sources": (HAZARD_SOURCES, "隐患来源: inspection, self-inspection, public report"),
    "photo_kinds": (PHOTO_KINDS, "照片类型"),
    "governance_plan_fields": (GOVERNANCE_PLAN_FIELDS, "治理方案 fields of a major hazard"),
    "extension_states": (EXTENSION_STATES, "延期申请 states"),
    "extension_actions": (EXTENSION_ACTIONS, "延期申请 decisions"),
    "listing_states": (LISTING_STATES, "挂牌督办 states"),
    "evidence_flags": (EVIDENCE_FLAGS, "证据存疑: evidence flags of rectification photos"),
    "inspection_kinds": (INSPECTION_KINDS, "检查类型 (self: 企业自查, an officer's)"),
    "answer_results": (ANSWER_RESULTS, "检查结果 of a checklist item: pass, fail, not applicable"),
    "risk_levels": (RISK_LEVELS, "风险等级 (four colours)"),
    "industries": (configured_industries, "行业: the configured INDUSTRIES, in their order"),
    "interview_states": (INTERVIEW_STATES, "约谈 states"),
    "interview_actions": (INTERVIEW_ACTIONS, "约谈 actions"),
    "escalation_rules": (RULES, "零容忍 rules R1–R4"),
    "notification_kinds": (NOTIFICATION_KINDS, "消息类型"),
    "tip_states": (TIP_STATES, "举报 states"),
    "tip_actions": (TIP_ACTIONS, "举报 actions and trail lines"),
    "tip_decline_reasons": (DECLINE_REASONS, "不予受理 reasons"),
    "bulletin_kinds": (BULLETIN_KINDS, "预警 / 安全提示"),
    "receipt_states": (RECEIPT_STATES, "签收 states of a bulletin's enterprises"),
    "bulletin_actions": (BULLETIN_ACTIONS, "预警 trail lines"),
    "plan_states": (PLAN_STATES, "检查计划 states"),
    "plan_actions": (PLAN_ACTIONS, "检查计划 actions (the plan's trail)"),
    "task_states": (TASK_STATES, "检查任务 states (overdue: an open task past its day)"),
    "task_actions": (TASK_ACTIONS, "检查任务 actions (the task's trail)"),
    "roles": (ROLES, "角色"),
    "activity_kinds": (ACTIVITY_KINDS, "活动类型 (安全生产月)"),
    "activity_states": (ACTIVITY_STATES, "活动状态"),
    "activity_actions": (ACTIVITY_ACTIONS, "活动操作"),
    "campaign_phases": (CAMPAIGN_PHASES, "专项活动阶段"),
    "submission_statuses": (SUBMISSION_STATUSES, "报送情况"),
}


def all_choices() -> dict[str, list[dict]]:
    """``{set name: [{value, zh, en, color?}]}``, each list in display order."""
    return {name: (source() if callable(source) else source).as_list()
            for name, (source, _) in CHOICE_SETS.items()}


class ChoiceOut(Schema):
    value = fields.String(required=True)
    zh = fields.String(required=True, metadata={"description": "Chinese label"})
    en = fields.String(required=True, metadata={"description": "English label"})
    color = fields.String(metadata={"description": "display colour (#rrggbb), when it has one"})


ChoicesOut = Schema.from_dict({
    **{name: fields.List(fields.Nested(ChoiceOut), metadata={"description": description})
       for name, (_, description) in CHOICE_SETS.items()},
    "deadline_days": fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "整改期限 defaults in days after the finding, by hazard level "
                       "(DEADLINE_DAYS_GENERAL, DEADLINE_DAYS_MAJOR): what a form proposes"}),
}, name="ChoicesOut")


@blp.route("/choices", methods=["GET"])
@blp.response(200, ChoicesOut)
def choices():
    """Every choice set with its labels (zh/en), colours and display order, and the default
    deadlines by hazard level. No login needed."""
    return {**all_choices(), "deadline_days": deadline_days()}
