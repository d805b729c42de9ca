"""Choice sets of outreach (举报, 预警): each value with its Chinese and English label."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

# 举报状态: a tip is received, then triaged by a supervisor: accepted (it becomes a hazard) or
# declined with a reason. One transition table in app.outreach.workflow.
RECEIVED = "received"
ACCEPTED = "accepted"
DECLINED = "declined"

TIP_STATES = ChoiceSet("举报状态", "report state", [
    Choice(RECEIVED, "已收到，待处理", "Received", "#f57c00"),
    Choice(ACCEPTED, "已受理", "Accepted", "#388e3c"),
    Choice(DECLINED, "未受理", "Declined", "#757575"),
])

TIP_ACTIONS = ChoiceSet("举报操作", "report action", [
    Choice("receive", "收到举报", "Received"),
    Choice("accept", "受理并登记隐患", "Accept as a hazard"),
    Choice("decline", "不予受理", "Decline"),
    Choice("remind", "逾期未处理提醒", "Reminder: not triaged in time"),
    Choice("move", "随企业迁移社区", "Moved with its enterprise to another community"),
])

# 不予受理的理由 (CONTRACT.md): duplicate, unclear, outside jurisdiction, other.
DUPLICATE = "duplicate"
UNCLEAR = "unclear"
OUTSIDE = "outside"
OTHER = "other"
DECLINE_REASONS = ChoiceSet("不予受理理由", "decline reason", [
    Choice(DUPLICATE, "重复举报", "Duplicate"),
    Choice(UNCLEAR, "内容不清，无法核实", "Unclear, cannot be checked"),
    Choice(OUTSIDE, "不属本辖区或职责范围", "Outside our jurisdiction"),
    Choice(OTHER, "其他", "Other"),
])

#: What the reporter reads on the tracking page when the supervisor wrote no answer of their own.
DEFAULT_ANSWERS = {
    RECEIVED: "您的举报已收到，我们会尽快核实处理。 / Your report was received; we will look "
              "into it soon.",
    ACCEPTED: "您的举报已受理，已交由检查人员督促整改。感谢您的监督！ / Your report was accepted "
              "and passed to the inspectors, who will see it fixed. Thank you!",
    DUPLICATE: "已有相同内容的举报，正在处理中。感谢您的监督！ / The same report was already "
               "made and is being dealt with. Thank you!",
    UNCLEAR: "举报内容不够具体，暂无法核实。欢迎补充地点、照片后重新举报。 / The report is too "
             "vague to check. You are welcome to report again with the place and photos.",
    OUTSIDE: "该事项不属于本街道安全生产监管范围，建议向相关部门反映"
             "（全国安全生产举报电话 12350）。 / This is outside our safety supervision; please "
             "turn to the competent department (national safety hotline 12350).",
    OTHER: "您的举报未予受理。 / Your report was not taken up.",
}

# 预警 and 安全提示: what a bulletin is.
WARNING = "warning"
SAFETY_TIP = "safety_tip"
BULLETIN_KINDS = ChoiceSet("通知类型", "bulletin kind", [
    Choice(WARNING, "预警", "Warning", "#d32f2f"),
    Choice(SAFETY_TIP, "安全提示", "Safety notice", "#1976d2"),
])

# 签收: each enterprise a bulletin reaches has a receipt, pending until its officer acknowledges.
PENDING = "pending"
ACKNOWLEDGED = "acknowledged"
RECEIPT_STATES = ChoiceSet("签收状态", "acknowledgement state", [
    Choice(PENDING, "未签收", "Not acknowledged", "#f57c00"),
    Choice(ACKNOWLEDGED, "已签收", "Acknowledged", "#388e3c"),
])

BULLETIN_ACTIONS = ChoiceSet("通知操作", "bulletin action", [
    Choice("publish", "发布", "Published"),
    Choice("acknowledge", "签收", "Acknowledged"),
    Choice("remind", "催签", "Reminded"),
    Choice("move", "随企业迁移社区", "Moved with its enterprise to another community"),
])

# Webhook event names (the X-Anxun-Event header).
EVENT_BULLETIN_PUBLISHED = "bulletin.published"
EVENT_BULLETIN_REMINDER = "bulletin.reminder"
