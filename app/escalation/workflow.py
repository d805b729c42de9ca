"""The 约谈 (interview) transition table: 待约谈 → 已安排 → 已约谈 → 已结案.

Only supervisors (领导小组/监管) and admins move an interview; inspectors and the enterprise's
officers read it. Anything not in the table is 409 (``app.core.workflow``).
"""
from __future__ import annotations

from app.auth.choices import ADMIN, SUPERVISOR
from app.core.workflow import Workflow
from app.escalation.choices import (CLOSED, HELD, INTERVIEW_ACTIONS, INTERVIEW_STATES, PROPOSED,
                                    SCHEDULED)

MANAGERS = (SUPERVISOR, ADMIN)

INTERVIEW_WORKFLOW = Workflow(
    name="interview",
    initial=PROPOSED,
    states=INTERVIEW_STATES,
    rows=[
        (PROPOSED, "schedule", SCHEDULED, MANAGERS),
        (SCHEDULED, "reschedule", SCHEDULED, MANAGERS),
        (SCHEDULED, "hold", HELD, MANAGERS),
        (HELD, "close", CLOSED, MANAGERS),
    ],
    action_choices=INTERVIEW_ACTIONS,
)

#: The record fields each action takes; ``required`` must be given, the rest may be.
ACTION_FIELDS = {
    "schedule": {"required": ("scheduled_at", "place", "interviewers"),
                 "optional": ("departments", "convener", "note")},
    "reschedule": {"required": ("scheduled_at",),
                   "optional": ("place", "interviewers", "departments", "convener", "note")},
    "hold": {"required": ("interviewee", "interviewee_title", "note_taker", "minutes",
                          "commitments", "follow_up_deadline"),
             "optional": ("held_at", "problems", "requirements", "situation", "note")},
    "close": {"required": ("completion_receipt",), "optional": ("note",)},
}
