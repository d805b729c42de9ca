"""The transition tables of plans (检查计划) and tasks (检查任务).

A plan is drawn by a supervisor, and may be drawn again (``redraw``) or cancelled until one of
its tasks has begun (a guard in the operations, 409). A task is completed by the inspection
an assigned inspector started from it, once it ends on site; a redraw or a cancellation
withdraws the tasks still open. Overdue (逾期) is no state: an open task past its day
(``PlanTask.overdue_on``). Anything not in a table is 409 (``app.core.workflow``).
"""
from __future__ import annotations

from app.core.roles import INSPECTOR, SUPERVISOR
from app.core.workflow import Workflow
from app.plans.choices import (CANCELLED, DONE, DRAFT, DRAWN, OPEN, PLAN_ACTIONS, PLAN_STATES,
                               TASK_ACTIONS, TASK_STATES, WITHDRAWN)

PLAN_WORKFLOW = Workflow(
    name="plan",
    initial=DRAFT,
    states=PLAN_STATES,
    rows=[
        (DRAFT, "draw", DRAWN, (SUPERVISOR,)),
        (DRAWN, "redraw", DRAWN, (SUPERVISOR,)),
        ((DRAFT, DRAWN), "cancel", CANCELLED, (SUPERVISOR,)),
    ],
    action_choices=PLAN_ACTIONS,
)

TASK_WORKFLOW = Workflow(
    name="task",
    initial=OPEN,
    states=TASK_STATES,
    rows=[
        # by whoever finished the inspection: one of its inspectors, or a supervisor
        (OPEN, "complete", DONE, (INSPECTOR, SUPERVISOR)),
        (OPEN, "withdraw", WITHDRAWN, (SUPERVISOR,)),
    ],
    action_choices=TASK_ACTIONS,
)
