"""What awaits the user (待办): counts of the hazards in scope by the step the user's role takes
next, for the home screen (an inspector's 待复查, an officer's 待整改)."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import case, func, select

from app.core.permissions import scope_clause
from app.core.timeutil import utcnow
from app.extensions import db
from app.hazards import operations, rollups
from app.hazards.choices import GENERAL, SUBMITTED
from app.hazards.models import Hazard
from app.hazards.workflow import allowed_actions

#: Each count and the step it waits for: a hazard counts when the user's role may take that
#: step in the hazard's state and level (the transition table, with its major-close rule).
COUNTED_STEPS = {"to_rectify": "submit", "to_recheck": "verify", "to_close": "close",
                 "to_archive": "archive"}


def hazard_summary(user, *, from_rollups: bool | None = None) -> dict:
    """``{to_rectify, to_recheck, to_recheck_mine, to_close, to_archive, overdue}`` over the
    user's scope; ``to_recheck_mine``: awaiting re-check among the hazards the user found;
    ``overdue``: every overdue hazard in scope, whoever acts next.

    Every user's home screen asks: for a scope of communities the counts come from the
    rollups (:mod:`app.hazards.rollups`) and only the hazards awaiting re-check are read; an
    officer's one enterprise is counted directly, in one grouped query (so is everything with
    ``from_rollups=False``)."""
    now = utcnow()
    communities = operations.rollup_scope(user)
    if from_rollups is False:   # counted from the rows (the tests compare)
        communities = False
    if communities is not False:
        rows = [(state, level, n, 0, 0) for state, level, n in
                rollups.totals(communities, group_by=("state", "level"))]
    else:
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
    if communities is not False:
        summary["overdue"] = rollups.overdue(communities, now)
        if "verify" in allowed_actions(SimpleNamespace(state=SUBMITTED, level=GENERAL), user):
            summary["to_recheck_mine"] = db.session.scalar(
                select(func.count()).select_from(Hazard).where(
                    scope_clause(user, Hazard), Hazard.state == SUBMITTED,
                    Hazard.reporter_id == user.id))
    return summary
