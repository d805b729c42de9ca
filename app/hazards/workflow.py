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

Closing (销号) a major hazard is the supervisor's sign-off (DOMAIN.md: closed only after the
supervisor's sign-off): the ``close`` row carries that restriction, so an inspector is answered
403 and ``allowed_actions`` (what the PWA shows) leaves ``close`` out for it, from the same row.

Rules the table cannot express are checks in ``app.hazards.operations``: ``submit`` needs a
rectification photo, after a ``reject`` one added since (and a complete 治理方案 for a major
hazard), ``reject`` needs a note (and records the photos it judged).

Administrators are deliberately absent: an admin keeps accounts and the registry and sees every
hazard, but the loop is signed by the people accountable for it (enterprise officer, inspector,
supervisor of the 领导小组), so an admin's transition is 403 like any role the table does not name.
"""
from __future__ import annotations

from app.auth.choices import INSPECTOR, OFFICER, SUPERVISOR
from app.core.workflow import Restriction, Workflow
from app.hazards.choices import (APPROVED, ARCHIVED, CLOSED, DELISTED, EXTENSION_ACTIONS,
                                 EXTENSION_STATES, HAZARD_ACTIONS, HAZARD_STATES, LISTED,
                                 LISTING_ACTIONS, LISTING_STATES, MAJOR, PENDING, RECTIFYING,
                                 REJECTED, REPORTED, SUBMITTED, VERIFIED)

#: 销号 of a major hazard (重大隐患) is the supervisor's sign-off.
MAJOR_CLOSE = Restriction(
    applies=lambda hazard: hazard.level == MAJOR, roles=frozenset({SUPERVISOR}),
    message="重大隐患须由监管人员审核销号 / "
            "Closing a major hazard is the supervisor's sign-off.")

HAZARD_WORKFLOW = Workflow(
    name="hazard",
    initial=REPORTED,
    states=HAZARD_STATES,
    rows=[
        (REPORTED, "acknowledge", RECTIFYING, {OFFICER, INSPECTOR}),
        ((REPORTED, RECTIFYING), "submit", SUBMITTED, {OFFICER, INSPECTOR}),
        (SUBMITTED, "verify", VERIFIED, {INSPECTOR, SUPERVISOR}),
        (SUBMITTED, "reject", RECTIFYING, {INSPECTOR, SUPERVISOR}),
        (VERIFIED, "close", CLOSED, {INSPECTOR, SUPERVISOR}, MAJOR_CLOSE),
        (CLOSED, "archive", ARCHIVED, {SUPERVISOR}),
    ],
    action_choices=HAZARD_ACTIONS,
)


def allowed_actions(hazard, user) -> list[str]:
    """The actions the table (restrictions included) lets ``user`` take on ``hazard`` now: what
    the server accepts, sent with each hazard for the PWA."""
    if user is None:
        return []
    return HAZARD_WORKFLOW.actions_for(hazard, user.role)


#: 延期申请: a supervisor of the hazard's community decides (the request itself is made by the
#: enterprise's officer: ``hazard.request_extension``). Rules the table cannot express (a
#: rejection says why; an approval needs a deadline still ahead) are in
#: ``app.hazards.deadline_extensions``.
EXTENSION_WORKFLOW = Workflow(
    name="extension",
    initial=PENDING,
    states=EXTENSION_STATES,
    rows=[
        (PENDING, "approve", APPROVED, {SUPERVISOR}),
        (PENDING, "reject", REJECTED, {SUPERVISOR}),
    ],
    action_choices=EXTENSION_ACTIONS,
)

#: 挂牌督办: listed by a supervisor (``hazard.list``), delisted (摘牌) by a supervisor once the
#: hazard is closed and the fix assessed (``app.hazards.listing``).
LISTING_WORKFLOW = Workflow(
    name="listing",
    initial=LISTED,
    states=LISTING_STATES,
    rows=[(LISTED, "delist", DELISTED, {SUPERVISOR})],
    action_choices=LISTING_ACTIONS,
)
