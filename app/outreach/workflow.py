"""The transition tables of outreach.

Tips (举报), triaged by the supervisors (领导小组/监管) of their communities:

| state    | action  | next     | roles      |
|----------|---------|----------|------------|
| received | accept  | accepted | supervisor |
| received | decline | declined | supervisor |

Accepting creates the hazard (``source: tip``); declining needs a reason
(``choices.DECLINE_REASONS``). Accepted and declined tips are final.

Receipts of a bulletin (签收), one per enterprise reached:

| state   | action      | next         | roles                       |
|---------|-------------|--------------|-----------------------------|
| pending | acknowledge | acknowledged | officer (of that enterprise)|

Acknowledging again is answered with the stored receipt (idempotent), not a 409
(``app.outreach.bulletins.acknowledge``).
"""
from __future__ import annotations

from app.auth.choices import OFFICER, SUPERVISOR
from app.core.workflow import Workflow
from app.outreach.choices import (ACCEPTED, ACKNOWLEDGED, BULLETIN_ACTIONS, DECLINED, PENDING,
                                  RECEIPT_STATES, RECEIVED, TIP_ACTIONS, TIP_STATES)

TIP_WORKFLOW = Workflow(
    name="tip",
    initial=RECEIVED,
    states=TIP_STATES,
    rows=[
        (RECEIVED, "accept", ACCEPTED, {SUPERVISOR}),
        (RECEIVED, "decline", DECLINED, {SUPERVISOR}),
    ],
    action_choices=TIP_ACTIONS,
)

RECEIPT_WORKFLOW = Workflow(
    name="bulletin receipt",
    initial=PENDING,
    states=RECEIPT_STATES,
    rows=[
        (PENDING, "acknowledge", ACKNOWLEDGED, {OFFICER}),
    ],
    action_choices=BULLETIN_ACTIONS,
)
