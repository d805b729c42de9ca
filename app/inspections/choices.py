"""Inspection kinds (检查类型) and the answers to a checklist's items (检查结果)."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

#: 企业自查: an enterprise officer inspects its own enterprise against a checklist (自查自报).
SELF = "self"

INSPECTION_KINDS = ChoiceSet("检查类型", "inspection kind", [
    Choice("routine", "日常检查", "Routine"),
    Choice("special", "专项检查", "Special campaign"),
    Choice("unannounced", "四不两直", "Unannounced"),
    Choice("follow_up", "回头看", "Follow-up"),
    Choice("holiday", "节假日检查", "Holiday / key period"),
    Choice(SELF, "企业自查", "Self-inspection"),
])
#: The kinds an inspector or supervisor starts (a self-inspection is the enterprise's own).
OFFICIAL_KINDS = tuple(kind for kind in INSPECTION_KINDS if kind != SELF)

# 检查结果: the answer to one item of a checklist.
PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "na"
ANSWER_RESULTS = ChoiceSet("检查结果", "answer", [
    Choice(PASS, "符合", "Pass", "#388e3c"),
    Choice(FAIL, "不符合", "Fail", "#d32f2f"),
    Choice(NOT_APPLICABLE, "不适用", "Not applicable", "#757575"),
])
