"""Each enterprise's last visit (app.inspections.visits) says what the inspections say, and
coverage read from it equals coverage from the inspections themselves, for periods before,
around and after the visits (an enterprise visited in a past period and again since included)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

KINDS = ("routine", "special", "follow_up", "self", "self", "unannounced")


def _coverage_from_rows(enterprises, inspections, start, end):
    """Coverage's definition, from the rows: (registered, inspected, never inspected)."""
    visits = [(e, t) for e, kind, t in inspections if kind != "self"]
    inspected = {e for e, t in visits if start <= t < end}
    ever = {e for e, _ in visits}
    return (len(enterprises), len(inspected & set(enterprises)),
            len(set(enterprises) - ever))


def test_last_visits_and_coverage_equal_the_inspections(app, factory):
    from app.extensions import db
    from app.inspections import visits
    from app.inspections.models import Inspection
    from app.reports.coverage import coverage

    rng = random.Random(18)
    community = factory.community()
    firms = [factory.enterprise(community) for _ in range(8)]
    inspector = factory.user("inspector", communities=[community])
    admin = factory.user("admin")
    now = datetime(2026, 6, 15, 4, 0, tzinfo=timezone.utc)
    made = []
    with app.app_context():
        for batch in range(4):   # several flushes, several visits to one enterprise in one
            for _ in range(6):
                firm = rng.choice(firms[:6])   # the last two are never inspected
                kind = rng.choice(KINDS)
                started = now - timedelta(days=rng.randrange(0, 700), minutes=batch)
                db.session.add(Inspection(
                    enterprise_id=firm.id, community_id=community.id,
                    inspector_id=inspector.id, kind=kind, started_at=started))
                made.append((firm.id, kind, started))
            db.session.commit()
            assert visits.stored() == visits.computed()
        assert visits.stored() == {e: max(t for f, k, t in made if f == e and k != "self")
                                   for e in {f for f, k, _ in made if k != "self"}}

        user = db.session.merge(admin)
        ids = [f.id for f in firms]
        for days_back, length in ((0, 365), (30, 60), (400, 90), (800, 30), (200, 1)):
            end = now - timedelta(days=days_back)
            start = end - timedelta(days=length)
            figures = coverage(user, None, start, end)
            registered, inspected, never = _coverage_from_rows(ids, made, start, end)
            mine = next(c for c in figures["by_community"] if c["id"] == community.id)
            assert (mine["registered"], mine["inspected"], mine["never_inspected"]) == (
                registered, inspected, never), (days_back, length)

        # A rebuild gives what the flushes kept.
        kept = visits.stored()
        visits.rebuild()
        assert visits.stored() == kept
