"""Choice sets of 零容忍 (zero tolerance) and 约谈 (interviews), with zh/en labels and colours."""
from __future__ import annotations

# 零容忍 rules (CONTRACT.md "Zero tolerance"); thresholds live in config.py.
R1_MAJOR = "R1"
R2_OVERDUE = "R2"
R3_REJECTED = "R3"
R4_REPEAT = "R4"

RULES = {
    R1_MAJOR: {"zh": "发现重大隐患", "en": "Major hazard reported", "color": "#d32f2f"},
    R2_OVERDUE: {"zh": "逾期未整改", "en": "Deadline passed unrectified", "color": "#e64a19"},
    R3_REJECTED: {"zh": "整改复查多次不通过", "en": "Rectification rejected repeatedly",
                  "color": "#f57c00"},
    R4_REPEAT: {"zh": "同类隐患反复出现", "en": "Same category repeated after closing",
                "color": "#8e24aa"},
}

# 约谈 states: one transition table in app.escalation.workflow.
PROPOSED = "proposed"
SCHEDULED = "scheduled"
HELD = "held"
CLOSED = "closed"

INTERVIEW_STATES = {
    PROPOSED: {"zh": "待约谈", "en": "Proposed", "color": "#f57c00"},
    SCHEDULED: {"zh": "已安排", "en": "Scheduled", "color": "#1976d2"},
    HELD: {"zh": "已约谈（待回执）", "en": "Held, awaiting follow-up", "color": "#7b1fa2"},
    CLOSED: {"zh": "已结案", "en": "Closed", "color": "#388e3c"},
}

INTERVIEW_ACTIONS = {
    "open": {"zh": "提出约谈", "en": "Open"},
    "schedule": {"zh": "安排约谈", "en": "Schedule"},
    "reschedule": {"zh": "改期", "en": "Reschedule"},
    "hold": {"zh": "实施约谈", "en": "Hold"},
    "close": {"zh": "结案（整改回执）", "en": "Close with completion receipt"},
    "attach": {"zh": "追加约谈事由", "en": "Reason attached"},
    "move": {"zh": "随企业迁移社区", "en": "Moved with its enterprise to another community"},
}
