"""The hazard (隐患) state machine: 登记 → 整改 → 复查 → 销号 → 归档, exactly the CONTRACT table.

| state                | action      | next       | roles                                    |
|----------------------|-------------|------------|------------------------------------------|
| reported             | acknowledge | rectifying | officer (of that enterprise), inspector  |
| reported, rectifying | submit      | submitted  | officer, inspector                       |
| submitted            | verify      | verified   | inspector, supervisor                    |
| submitted            | reject      | rectifying | inspector, supervisor                    |
| verified             | close       | closed     | inspector, supervisor (major: supervisor)|
| closed               | archive     | archived   | supervisor                               |
| archived             | —           |            | read only forever                        |

Rules the table cannot express are guards in ``app.hazards.operations``: ``submit`` needs a
rectification photo, after a ``reject`` one added since (and a complete 治理方案 for a major
hazard), ``reject`` needs a note (and records the photos it judged), and
closing (销号) a major hazard is the supervisor's sign-off (DOMAIN.md: closed only after the
supervisor's sign-off), answered 403 for an inspector because the state does allow ``close``.

Administrators are deliberately absent: an admin keeps accounts and the registry and sees every
hazard, but the loop is signed by the people accountable for it (enterprise officer, inspector,
supervisor of the 领导小组), so an admin's transition is 403 like any role the table does not name.
"""
from __future__ import annotations

from app.auth.choices import INSPECTOR, OFFICER, SUPERVISOR
from app.core.workflow import Workflow
from app.hazards.choices import (ARCHIVED, CLOSED, HAZARD_ACTIONS, HAZARD_STATES, MAJOR,
                                 RECTIFYING, REPORTED, SUBMITTED, VERIFIED)

HAZARD_WORKFLOW = Workflow(
    name="hazard",
    initial=REPORTED,
    states=HAZARD_STATES,
    rows=[
        (REPORTED, "acknowledge", RECTIFYING, {OFFICER, INSPECTOR}),
        ((REPORTED, RECTIFYING), "submit", SUBMITTED, {OFFICER, INSPECTOR}),
        (SUBMITTED, "verify", VERIFIED, {INSPECTOR, SUPERVISOR}),
        (SUBMITTED, "reject", RECTIFYING, {INSPECTOR, SUPERVISOR}),
        (VERIFIED, "close", CLOSED, {INSPECTOR, SUPERVISOR}),
        (CLOSED, "archive", ARCHIVED, {SUPERVISOR}),
    ],
    action_choices=HAZARD_ACTIONS,
)

#: Who may close (销号) a major hazard: the supervisor's sign-off.
MAJOR_CLOSE_ROLES = frozenset({SUPERVISOR})


def role_may(hazard, role: str, action: str) -> bool:
    """Whether ``role`` may take ``action`` on ``hazard`` in its current state (guards aside)."""
    if action not in HAZARD_WORKFLOW.allowed_actions(hazard.state, role):
        return False
    if action == "close" and hazard.level == MAJOR:
        return role in MAJOR_CLOSE_ROLES
    return True


def allowed_actions(hazard, user) -> list[str]:
    """The actions the table (plus the major-close rule) lets ``user`` take now, for the PWA."""
    if user is None:
        return []
    return [action for action in HAZARD_WORKFLOW.allowed_actions(hazard.state, user.role)
            if role_may(hazard, user.role, action)]
