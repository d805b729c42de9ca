"""Choice sets of 零容忍 (zero tolerance) and 约谈 (interviews), with zh/en labels and colours."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

# 零容忍 rules (CONTRACT.md "Zero tolerance"); thresholds live in config.py.
R1_MAJOR = "R1"
R2_OVERDUE = "R2"
R3_REJECTED = "R3"
R4_REPEAT = "R4"

RULES = ChoiceSet("零容忍规则", "zero-tolerance rule", [
    Choice(R1_MAJOR, "发现重大隐患", "Major hazard reported", "#d32f2f"),
    Choice(R2_OVERDUE, "逾期未整改", "Deadline passed unrectified", "#e64a19"),
    Choice(R3_REJECTED, "整改复查多次不通过", "Rectification rejected repeatedly", "#f57c00"),
    Choice(R4_REPEAT, "同类隐患反复出现", "Same category repeated after closing", "#8e24aa"),
])

# 约谈 states: one transition table in app.escalation.workflow.
PROPOSED = "proposed"
SCHEDULED = "scheduled"
HELD = "held"
CLOSED = "closed"

INTERVIEW_STATES = ChoiceSet("约谈状态", "interview state", [
    Choice(PROPOSED, "待约谈", "Proposed", "#f57c00"),
    Choice(SCHEDULED, "已安排", "Scheduled", "#1976d2"),
    Choice(HELD, "已约谈（待回执）", "Held, awaiting follow-up", "#7b1fa2"),
    Choice(CLOSED, "已结案", "Closed", "#388e3c"),
])

INTERVIEW_ACTIONS = ChoiceSet("约谈操作", "interview action", [
    Choice("open", "提出约谈", "Open"),
    Choice("schedule", "安排约谈", "Schedule"),
    Choice("reschedule", "改期", "Reschedule"),
    Choice("hold", "实施约谈", "Hold the interview"),
    Choice("close", "结案（整改回执）", "Close with completion receipt"),
    Choice("attach", "追加约谈事由", "Reason attached"),
    Choice("move", "随企业迁移社区", "Moved with its enterprise to another community"),
])
