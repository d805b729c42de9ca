"""Kinds of inbox messages (消息类型) and webhook delivery states, with zh/en labels."""
from __future__ import annotations

HAZARD_CREATED = "hazard_created"
HAZARD_REJECTED = "hazard_rejected"
HAZARD_OVERDUE = "hazard_overdue"
DEADLINE_REMINDER = "deadline_reminder"
ESCALATION = "escalation"
INTERVIEW_OPENED = "interview_opened"
INTERVIEW_SCHEDULED = "interview_scheduled"
INTERVIEW_HELD = "interview_held"
FOLLOW_UP_REMINDER = "follow_up_reminder"
FOLLOW_UP_OVERDUE = "follow_up_overdue"

NOTIFICATION_KINDS = {
    HAZARD_CREATED: {"zh": "新隐患", "en": "New hazard", "color": "#1976d2"},
    HAZARD_REJECTED: {"zh": "整改复查不通过", "en": "Rectification rejected", "color": "#f57c00"},
    HAZARD_OVERDUE: {"zh": "隐患逾期未整改", "en": "Hazard overdue", "color": "#d32f2f"},
    DEADLINE_REMINDER: {"zh": "整改期限临近", "en": "Deadline approaching", "color": "#fbc02d"},
    ESCALATION: {"zh": "零容忍升级", "en": "Zero-tolerance escalation", "color": "#d32f2f"},
    INTERVIEW_OPENED: {"zh": "待约谈", "en": "Interview proposed", "color": "#f57c00"},
    INTERVIEW_SCHEDULED: {"zh": "约谈安排", "en": "Interview scheduled", "color": "#1976d2"},
    INTERVIEW_HELD: {"zh": "约谈纪要与整改承诺", "en": "Interview held", "color": "#7b1fa2"},
    FOLLOW_UP_REMINDER: {"zh": "约谈整改回执期限临近", "en": "Follow-up deadline approaching",
                         "color": "#fbc02d"},
    FOLLOW_UP_OVERDUE: {"zh": "约谈整改回执逾期", "en": "Follow-up overdue", "color": "#d32f2f"},
}

SUBJECT_TYPES = ("hazard", "interview")

# Webhook deliveries (outbox).
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"

DELIVERY_STATES = {
    PENDING: {"zh": "待发送", "en": "Pending"},
    DELIVERED: {"zh": "已送达", "en": "Delivered"},
    FAILED: {"zh": "发送失败", "en": "Failed"},
}

# Webhook event names (the X-Anxun-Event header).
EVENT_ESCALATION = "escalation.fired"
EVENT_INTERVIEW = "interview.{action}"
