"""What awaits the user (待办): counts of the hazards in scope by the step the user's role takes
next, for the home screen (an inspector's 待复查, an officer's 待整改)."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import case, func, select

from app.core.permissions import scope_clause
from app.core.timeutil import utcnow
from app.extensions import db
from app.hazards.choices import SUBMITTED
from app.hazards.models import Hazard
from app.hazards.workflow import allowed_actions

#: Each count and the step it waits for: a hazard counts when the user's role may take that
#: step in the hazard's state and level (the transition table, with its major-close rule).
COUNTED_STEPS = {"to_rectify": "submit", "to_recheck": "verify", "to_close": "close",
                 "to_archive": "archive"}


def hazard_summary(user) -> dict:
    """``{to_rectify, to_recheck, to_recheck_mine, to_close, to_archive, overdue}`` over the
    user's scope, in one grouped query; ``to_recheck_mine``: awaiting re-check among the hazards
    the user found; ``overdue``: every overdue hazard in scope, whoever acts next."""
    now = utcnow()
    overdue = Hazard.overdue_at(now)
    rows = db.session.execute(
        select(Hazard.state, Hazard.level, func.count(),
               func.sum(case((Hazard.reporter_id == user.id, 1), else_=0)),
               func.sum(case((overdue, 1), else_=0)))
        .where(scope_clause(user, Hazard)).group_by(Hazard.state, Hazard.level)).all()
    summary = dict.fromkeys([*COUNTED_STEPS, "to_recheck_mine", "overdue"], 0)
    for state, level, count, mine, late in rows:
        steps = allowed_actions(SimpleNamespace(state=state, level=level), user)
        for name, step in COUNTED_STEPS.items():
            if step in steps:
                summary[name] += count
        if state == SUBMITTED and "verify" in steps:
            summary["to_recheck_mine"] += int(mine or 0)
        summary["overdue"] += int(late or 0)
    return summary
