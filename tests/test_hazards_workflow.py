"""Every (state, action, role) against the CONTRACT table, over HTTP, for both levels.

The expected answers are written out here from CONTRACT.md, not read from the code: 2xx where the
table lets the role act, 403 where the state allows the action for some other role, 409 where the
action is impossible in that state. A refused request changes nothing (state, version, events).
"""
from __future__ import annotations

import pytest

from app.hazards.models import HazardEvent
from app.hazards.workflow import HAZARD_WORKFLOW
from tests.test_hazards_support import ROLES
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

STATES = ("reported", "rectifying", "submitted", "verified", "closed", "archived")
ACTIONS = ("acknowledge", "submit", "verify", "reject", "close", "archive")

# CONTRACT.md "Inspections and hazards", the state table.
CONTRACT = {
    ("reported", "acknowledge"): ("rectifying", {"officer", "inspector"}),
    ("reported", "submit"): ("submitted", {"officer", "inspector"}),
    ("rectifying", "submit"): ("submitted", {"officer", "inspector"}),
    ("submitted", "verify"): ("verified", {"inspector", "supervisor"}),
    ("submitted", "reject"): ("rectifying", {"inspector", "supervisor"}),
    ("verified", "close"): ("closed", {"inspector", "supervisor"}),
    ("closed", "archive"): ("archived", {"supervisor"}),
}
MAJOR_CLOSE = {"supervisor"}  # "a major hazard: supervisor only"


def expected(state, action, role, level):
    if (state, action) not in CONTRACT:
        return 409, None
    target, roles = CONTRACT[(state, action)]
    if level == "major" and action == "close":
        roles = MAJOR_CLOSE
    return (200, target) if role in roles else (403, None)


def test_the_code_table_is_the_contract_table():
    table = {(t.source, t.action): (t.target, set(t.roles)) for t in HAZARD_WORKFLOW.transitions}
    assert table == CONTRACT
    assert HAZARD_WORKFLOW.initial == "reported"


@pytest.mark.parametrize("level", ["general", "major"])
def test_every_state_action_role(world, level):
    answers = {}
    for state in STATES:
        base = world.hazard_in(state, level)
        events_before = world.count(HazardEvent, hazard_id=base["id"])
        allowed_by_role = {role: world.hazard(base["id"], role)["allowed_actions"]
                           for role in ROLES}
        for action in ACTIONS:
            for role in ROLES:
                status, target = expected(state, action, role, level)
                # allowed_actions (for the PWA) agrees with the table
                assert (action in allowed_by_role[role]) == (status == 200), (
                    state, action, role, allowed_by_role[role])
                if status != 200:
                    response = world.act(base["id"], action, role, version=base["version"],
                                         note="复查意见")
                    answers[(state, action, role)] = response.status_code
                    assert response.mimetype == "application/problem+json"
                    continue
                # A success changes the hazard, so it gets a fresh one in the same state.
                fresh = world.hazard_in(state, level)
                response = world.act(fresh["id"], action, role, version=fresh["version"],
                                     note="复查意见")
                answers[(state, action, role)] = response.status_code
                body = response.get_json()
                assert response.status_code == 200, (state, action, role, body)
                assert body["state"] == target and body["version"] > fresh["version"]
        # Nothing that was refused changed anything.
        after = world.hazard(base["id"])
        assert after == base
        assert world.count(HazardEvent, hazard_id=base["id"]) == events_before

    wanted = {(s, a, r): expected(s, a, r, level)[0] for s in STATES for a in ACTIONS
              for r in ROLES}
    assert answers == wanted
