"""Choice sets of inspection plans (检查计划) and their tasks (检查任务), with zh/en labels."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

# 检查计划 states: one transition table in app.plans.workflow.
DRAFT = "draft"
DRAWN = "drawn"
CANCELLED = "cancelled"

PLAN_STATES = ChoiceSet("计划状态", "plan state", [
    Choice(DRAFT, "待抽取", "Not drawn yet", "#f57c00"),
    Choice(DRAWN, "已抽取", "Drawn", "#1976d2"),
    Choice(CANCELLED, "已撤销", "Cancelled", "#78909c"),
])

PLAN_ACTIONS = ChoiceSet("计划操作", "plan action", [
    Choice("create", "制定计划", "Create"),
    Choice("draw", "随机抽取", "Draw"),
    Choice("redraw", "重新抽取", "Redraw"),
    Choice("cancel", "撤销计划", "Cancel"),
])

# 检查任务 states (stored). "overdue" (逾期) is not stored: an open task whose due day has
# passed is shown as overdue (PlanTask.is_overdue), as hazards are.
OPEN = "open"
DONE = "done"
WITHDRAWN = "withdrawn"
OVERDUE = "overdue"

TASK_STATES = ChoiceSet("任务状态", "task state", [
    Choice(OPEN, "待检查", "Open", "#1976d2"),
    Choice(OVERDUE, "已逾期", "Overdue", "#d32f2f"),
    Choice(DONE, "已完成", "Done", "#388e3c"),
    Choice(WITHDRAWN, "已撤回", "Withdrawn", "#78909c"),
])

TASK_ACTIONS = ChoiceSet("任务操作", "task action", [
    Choice("begin", "开始检查", "Inspection begun"),
    Choice("complete", "现场检查完成", "Completed on site"),
    Choice("withdraw", "重新抽取时撤回", "Withdrawn by a redraw or cancellation"),
])

#: How much more often an enterprise of each risk colour comes up in a draw than a yellow or
#: blue one (README "Inspection plans"): the weight w of weighted sampling without replacement.
DRAW_WEIGHTS = {"red": 3, "orange": 2, "yellow": 1, "blue": 1}
