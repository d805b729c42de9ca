"""The rollups (app.hazards.rollups, app.escalation.counting) say what the rows say.

After random transitions through the hazard operations, edits, new hazards, escalations,
interviews opened and moved along, a risk colour changed and an enterprise moved to another
community, (1) every stored count equals the count recomputed from the rows, and (2) the
dashboard read from the rollups equals the dashboard computed from the rows, for every scope
and for periods that start and end inside months and ten-day units, across a year's end too.
Correctness only: timings are in bench/.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from tests.test_reports_data import SHANGHAI, build_world, new_id

REVIEWS = ("verify", "reject")


def _compare(app, world) -> None:
    from app.escalation.counting import all_facts
    from app.extensions import db
    from app.hazards import rollups
    from app.hazards.summary import hazard_summary
    from app.reports.dashboard import dashboard

    db.session.expire_all()
    assert rollups.stored() == rollups.computed(others=all_facts())
    today = world.now.astimezone(SHANGHAI).date()
    periods = [(None, None), (today - timedelta(days=29), today),
               (date(today.year - 1, 12, 7), date(today.year, 1, 23)),
               (today - timedelta(days=200), today - timedelta(days=3)),
               (today.replace(day=1), today)]
    north = world.communities["north"].id
    cases = [(world.users["admin"], None), (world.users["admin"], north),
             (world.users["supervisor"], None), (world.users["both"], None),
             (world.users["both"], world.communities["south"].id)]
    for user, community_id in cases:
        user = db.session.merge(user)
        for first, last in periods:
            args = dict(community_id=community_id, date_from=first, date_to=last,
                        now=world.now)
            from_rollups = dashboard(user, from_rollups=True, **args)
            from_rows = dashboard(user, from_rollups=False, **args)
            assert from_rollups == from_rows, (user.username, community_id, first, last)
    for user in world.users.values():   # the home screen's 待办
        user = db.session.merge(user)
        assert hazard_summary(user) == hazard_summary(user, from_rollups=False), user.username


def test_rollups_equal_the_rows_after_random_changes(app, factory):
    from sqlalchemy import select

    from app.escalation.models import Interview
    from app.escalation.operations import fire, open_interview
    from app.extensions import db
    from app.hazards import operations
    from app.hazards.models import Hazard
    from app.registry.moves import carry_records
    from app.registry.models import Enterprise

    world = build_world(app, factory, n_random=70)
    north, south = world.communities["north"], world.communities["south"]
    checker = factory.user("inspector", communities=[north, south])
    supervisor = world.users["both"]
    rng = random.Random(18)
    with app.test_request_context():
        _compare(app, world)
        for _round in range(4):
            inspector, boss = db.session.merge(checker), db.session.merge(supervisor)
            hazards = db.session.scalars(select(Hazard).order_by(Hazard.id)).all()
            for hazard in rng.sample(hazards, 25):
                now = world.now - timedelta(minutes=rng.randint(1, 600))
                if hazard.state == "reported" and rng.random() < 0.5:
                    operations.transition_hazard(inspector, hazard.id, {
                        "action": "acknowledge", "version": hazard.version})
                elif hazard.state in ("reported", "rectifying"):
                    # a submission (its photo checks are not what is tested here)
                    hazard.state, hazard.submitted_at = "submitted", now
                elif hazard.state == "submitted":
                    action = rng.choice(REVIEWS)
                    operations.transition_hazard(boss, hazard.id, {
                        "action": action, "version": hazard.version, "note": "复查"})
                elif hazard.state == "verified":
                    operations.transition_hazard(boss, hazard.id, {
                        "action": "close", "version": hazard.version})
                elif hazard.state == "closed":
                    operations.transition_hazard(boss, hazard.id, {
                        "action": "archive", "version": hazard.version})
            edited = rng.sample(hazards, 9)   # edits behind the operations' back, one each
            for hazard in edited[:3]:
                hazard.category = rng.choice(("fire", "gas", "dust"))
            for hazard in edited[3:6]:
                hazard.deadline = hazard.deadline + timedelta(days=rng.choice((-3, 2, 40)))
            for hazard in edited[6:]:
                hazard.level = "major" if hazard.level == "general" else "general"
            for _ in range(5):
                enterprise = rng.choice(list(world.enterprises.values()))
                operations.create_hazard(inspector, {
                    "id": new_id(), "enterprise_id": enterprise.id, "title": "新发现",
                    "category": "electrical", "level": rng.choice(("general", "major")),
                    "found_at": world.now - timedelta(days=rng.uniform(0, 40))})
            for hazard in rng.sample(hazards, 3):
                fire(hazard, "R4", "同类隐患重复出现", now=world.now - timedelta(days=1))
            for interview in db.session.scalars(select(Interview).order_by(Interview.id)):
                if interview.state == "proposed" and rng.random() < 0.5:   # its steps (ORM)
                    interview.state = "held"
                    interview.held_at = world.now - timedelta(days=rng.randint(0, 50))
                elif interview.state == "held" and rng.random() < 0.5:
                    interview.state, interview.open_slot = "closed", None
            for name in ("B", "D"):   # opened by hand (plain SQL, counted as it is written)
                if db.session.scalar(select(Interview.id).where(
                        Interview.open_slot == world.enterprises[name].id)) is None:
                    open_interview(db.session.merge(world.users["admin"]),
                                   enterprise_id=world.enterprises[name].id, situation="约谈",
                                   now=world.now - timedelta(days=rng.randint(0, 90)))
            enterprise = db.session.get(Enterprise, rng.choice(list(world.enterprises.values())).id)
            enterprise.risk_level = rng.choice(("red", "orange", "yellow", "blue"))
            db.session.commit()
            _compare(app, world)
        # an enterprise moves from 北 to 南 with everything it has
        moved = db.session.get(Enterprise, world.enterprises["A"].id)
        moved.community_id = south.id
        db.session.flush()
        carry_records(moved, db.session.merge(world.users["admin"]), north.id)
        db.session.commit()
        _compare(app, world)


def test_a_rebuild_gives_what_the_flushes_kept(app, factory):
    """``rebuild`` (the bulk generator's and ``flask rollups rebuild``'s) counts the same."""
    from app.escalation.counting import all_facts
    from app.extensions import db
    from app.hazards import rollups

    build_world(app, factory, n_random=40)
    with app.app_context():
        kept = rollups.stored()
        rollups.rebuild(others=all_facts())
        db.session.commit()
        assert rollups.stored() == kept
        assert kept["hazard_counts"] and kept["hazard_day_counts"]


def test_period_units_cover_each_day_once():
    from app.hazards.rollups import period_units, unit_end

    rng = random.Random(5)
    for _ in range(300):
        first = date(2024, 1, 1) + timedelta(days=rng.randint(0, 800))
        last = first + timedelta(days=rng.randint(0, 400))
        days = []
        for grain, starts in period_units(first, last).items():
            for start in starts:
                end = unit_end(start, grain)
                days += [start + timedelta(days=i) for i in range((end - start).days + 1)]
        assert sorted(days) == [first + timedelta(days=i) for i in range((last - first).days + 1)]
    units = period_units(date(2025, 12, 2), date(2026, 12, 1))
    assert len(units["m"]) == 11 and len(units["t"]) == 2 and len(units["d"]) == 10


def test_the_median_of_counts_is_the_continuous_median():
    import statistics

    from app.reports.dashboard import median_of_counts

    rng = random.Random(3)
    assert median_of_counts({}) is None
    for _ in range(200):
        values = [rng.randint(0, 30) for _ in range(rng.randint(1, 40))]
        histogram = {}
        for v in values:
            histogram[v] = histogram.get(v, 0) + 1
        assert median_of_counts(histogram) == statistics.median(values)


def test_flask_rollups_check_finds_a_wrong_count_and_rebuild_mends_it(app, factory):
    from sqlalchemy import text

    from app.extensions import db
    build_world(app, factory, n_random=10)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rollups", "check"]).exit_code == 0
    with app.app_context():
        db.session.execute(text("UPDATE hazard_counts SET n = n + 1"))
        db.session.commit()
    wrong = runner.invoke(args=["rollups", "check"])
    assert wrong.exit_code == 1 and "differ" in wrong.output
    assert runner.invoke(args=["rollups", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["rollups", "check"]).exit_code == 0
