"""The activity (活动) transition table: an officer's record of its own enterprise's training or
drill waits as 待确认 until a supervisor of the community confirms it (or returns it with a
reason); what inspectors and supervisors record counts at once.

A new activity starts in :data:`RECORDED_STATE` of its recorder's role (the ``record`` line of
its trail); every later change is a row of :data:`ACTIVITY_WORKFLOW` (``app.core.workflow``).
"""
from __future__ import annotations

from app.campaigns.choices import ACTIVITY_ACTIONS, ACTIVITY_STATES, CONFIRMED, PENDING, RETURNED
from app.core.roles import INSPECTOR, OFFICER, SUPERVISOR
from app.core.workflow import Workflow

#: The state a new activity starts in, by the role of whoever records it.
RECORDED_STATE = {OFFICER: PENDING, INSPECTOR: CONFIRMED, SUPERVISOR: CONFIRMED}

ACTIVITY_WORKFLOW = Workflow(
    name="activity",
    initial=PENDING,
    states=ACTIVITY_STATES,
    rows=[
        (PENDING, "confirm", CONFIRMED, (SUPERVISOR,)),
        (PENDING, "return", RETURNED, (SUPERVISOR,)),
    ],
    action_choices=ACTIVITY_ACTIONS,
)

#: Steps that need a ``note`` (why it was returned).
NOTE_REQUIRED = frozenset({"return"})
