"""Kinds of inbox messages (消息类型) and webhook delivery states, with zh/en labels."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

HAZARD_CREATED = "hazard_created"
HAZARD_REJECTED = "hazard_rejected"
RECTIFICATION_SUBMITTED = "rectification_submitted"
HAZARD_OVERDUE = "hazard_overdue"
DEADLINE_REMINDER = "deadline_reminder"
ESCALATION = "escalation"
INTERVIEW_OPENED = "interview_opened"
INTERVIEW_SCHEDULED = "interview_scheduled"
INTERVIEW_HELD = "interview_held"
FOLLOW_UP_REMINDER = "follow_up_reminder"
FOLLOW_UP_OVERDUE = "follow_up_overdue"
EXTENSION_REQUESTED = "extension_requested"
EXTENSION_APPROVED = "extension_approved"
EXTENSION_REJECTED = "extension_rejected"
HAZARD_LISTED = "hazard_listed"
TIP_RECEIVED = "tip_received"
TIP_UNTRIAGED = "tip_untriaged"
BULLETIN = "bulletin"
BULLETIN_REMINDER = "bulletin_reminder"

NOTIFICATION_KINDS = ChoiceSet("消息类型", "message kind", [
    Choice(HAZARD_CREATED, "新隐患", "New hazard", "#1976d2"),
    Choice(HAZARD_REJECTED, "整改复查不通过", "Rectification rejected", "#f57c00"),
    Choice(RECTIFICATION_SUBMITTED, "待复查", "Awaiting re-check", "#fbc02d"),
    Choice(HAZARD_OVERDUE, "隐患逾期未整改", "Hazard overdue", "#d32f2f"),
    Choice(DEADLINE_REMINDER, "整改期限临近", "Deadline approaching", "#fbc02d"),
    Choice(ESCALATION, "零容忍升级", "Zero-tolerance escalation", "#d32f2f"),
    Choice(INTERVIEW_OPENED, "待约谈", "Interview proposed", "#f57c00"),
    Choice(INTERVIEW_SCHEDULED, "约谈安排", "Interview scheduled", "#1976d2"),
    Choice(INTERVIEW_HELD, "约谈纪要与整改承诺", "Interview held", "#7b1fa2"),
    Choice(FOLLOW_UP_REMINDER, "约谈整改回执期限临近", "Follow-up deadline approaching",
           "#fbc02d"),
    Choice(FOLLOW_UP_OVERDUE, "约谈整改回执逾期", "Follow-up overdue", "#d32f2f"),
    Choice(EXTENSION_REQUESTED, "延期申请待审批", "Extension request to decide", "#fbc02d"),
    Choice(EXTENSION_APPROVED, "延期申请已批准", "Extension approved", "#388e3c"),
    Choice(EXTENSION_REJECTED, "延期申请被驳回", "Extension rejected", "#d32f2f"),
    Choice(HAZARD_LISTED, "挂牌督办", "Listed for supervision", "#b71c1c"),
    Choice(TIP_RECEIVED, "新的群众举报", "New public report", "#1976d2"),
    Choice(TIP_UNTRIAGED, "举报逾期未处理", "Public report awaiting triage", "#d32f2f"),
    Choice(BULLETIN, "预警/安全提示", "Warning or safety notice", "#d32f2f"),
    Choice(BULLETIN_REMINDER, "请签收预警/安全提示", "Please acknowledge the notice", "#f57c00"),
])

SUBJECT_TYPES = ("hazard", "interview", "tip", "bulletin")

# Webhook deliveries (outbox).
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

DELIVERY_STATES = ChoiceSet("发送状态", "delivery state", [
    Choice(PENDING, "待发送", "Pending"),
    Choice(DELIVERED, "已送达", "Delivered"),
    Choice(FAILED, "发送失败", "Failed"),
])

# Webhook event names (the X-Anxun-Event header).
EVENT_ESCALATION = "escalation.fired"
EVENT_INTERVIEW = "interview.{action}"
