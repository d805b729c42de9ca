"""``flask seed-demo --hazards M``: a year of hazards generated in bulk must be a consistent
history: timestamps in order and matching each state, every state, level and category, overdue
and escalated cases with their escalations and interviews, events that replay to the state."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from tests.test_reports_data import SHANGHAI

STATE_STAMPS = {   # which timestamps a hazard in each state has (None: must be empty)
    "reported": {"submitted_at": None, "verified_at": None, "closed_at": None,
                 "archived_at": None, "acknowledged_at": None},
    "rectifying": {"verified_at": None, "closed_at": None, "archived_at": None},
    "submitted": {"submitted_at": True, "verified_at": None, "closed_at": None,
                  "archived_at": None},
    "verified": {"submitted_at": True, "verified_at": True, "closed_at": None,
                 "archived_at": None},
    "closed": {"submitted_at": True, "verified_at": True, "closed_at": True, "archived_at": None},
    "archived": {"submitted_at": True, "verified_at": True, "closed_at": True,
                 "archived_at": True},
}


def seed(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def rows(app):
    from app.escalation.models import Escalation, Interview, InterviewEvent
    from app.extensions import db
    from app.hazards.models import Hazard, HazardEvent
    from app.inspections.models import Inspection
    from app.registry.models import Enterprise
    with app.app_context():
        out = {name: db.session.scalars(select(model)).all() for name, model in (
            ("hazards", Hazard), ("events", HazardEvent), ("inspections", Inspection),
            ("escalations", Escalation), ("interviews", Interview),
            ("interview_events", InterviewEvent), ("enterprises", Enterprise))}
        db.session.expunge_all()
    return out


@pytest.fixture
def year(app):
    """The demo street with 30 enterprises and 4,000 hazards."""
    started = datetime.now(timezone.utc)
    output = seed(app, "--enterprises", "30", "--hazards", "4000", "--seed", "5")
    return started, output, rows(app)


def test_the_command_reports_what_it_made_and_the_rate(year):
    _, output, data = year
    assert "generated 4000 hazards" in output and "hazards/s" in output
    assert "logins" in output
    assert len(data["hazards"]) == 4000
    assert len(data["enterprises"]) == 30


def test_timestamps_follow_each_state(year):
    started, _, data = year
    now = datetime.now(timezone.utc)
    for h in data["hazards"]:
        stamps = [h.found_at, h.acknowledged_at, h.submitted_at, h.verified_at, h.closed_at,
                  h.archived_at]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present), h.id
        assert present[-1] <= now
        assert h.found_at >= started - timedelta(days=366)
        assert h.deadline > h.found_at
        for name, want in STATE_STAMPS[h.state].items():
            value = getattr(h, name)
            assert (value is None) if want is None else (value is not None), (h.state, name)
        if h.state == "rectifying":   # acknowledged, or sent back by a rejection
            assert h.acknowledged_at is not None or h.rejection_count > 0
        if h.verified_at is not None:
            assert h.recheck_note
        assert h.version >= 1 and h.created_at == h.found_at and h.updated_at >= h.found_at


def test_every_state_level_and_category_with_a_realistic_shape(app, year):
    _, _, data = year
    hazards = data["hazards"]
    states = Counter(h.state for h in hazards)
    assert set(states) == set(STATE_STAMPS)
    assert states["archived"] > states["reported"]   # most of a year is done with
    levels = Counter(h.level for h in hazards)
    assert 0.05 <= levels["major"] / len(hazards) <= 0.12     # ≈ 8 % major
    assert {h.category for h in hazards} == set(app.config["HAZARD_CATEGORIES"])
    months = Counter(h.found_at.astimezone(SHANGHAI).month for h in hazards)
    assert months[6] > 1.5 * len(hazards) / 12, "安全生产月 is the peak"
    weekdays = Counter(h.found_at.astimezone(SHANGHAI).weekday() for h in hazards)
    assert weekdays[6] * 4 < weekdays[1], "few inspections on Sundays"
    hours = Counter(h.found_at.astimezone(SHANGHAI).hour for h in hazards)
    assert sum(hours[x] for x in range(8, 19)) > 0.95 * len(hazards), "office hours"


def test_inspections_belong_to_their_hazards_enterprise(year):
    _, _, data = year
    inspections = {i.id: i for i in data["inspections"]}
    kinds = Counter(i.kind for i in data["inspections"])
    assert set(kinds) == {"routine", "special", "unannounced", "follow_up", "holiday"}
    for h in data["hazards"]:
        inspection = inspections[h.inspection_id]
        assert inspection.enterprise_id == h.enterprise_id
        assert inspection.community_id == h.community_id
        assert inspection.started_at <= h.found_at
    assert any(i.on_site is False for i in data["inspections"])
    assert all((i.distance_m > 200) == (i.on_site is False) for i in data["inspections"])


def test_escalations_are_what_the_zero_tolerance_rules_fire(app, year):
    """R1 for every major hazard, R2 exactly when the deadline passed before a rectification
    was accepted, R3 at the second rejection; the flag says the same."""
    _, _, data = year
    now = datetime.now(timezone.utc)
    fired = defaultdict(set)
    for e in data["escalations"]:
        fired[e.hazard_id].add(e.rule)
    limit = app.config["ESCALATION_REJECTIONS"]
    for h in data["hazards"]:
        want = set()
        if h.level == "major":
            want.add("R1")
        if h.deadline <= now and (h.verified_at is None or h.verified_at > h.deadline):
            want.add("R2")
        if h.rejection_count >= limit:
            want.add("R3")
        assert fired[h.id] == want, (h.id, h.state)
        assert h.escalated == bool(want)
    overdue = [h for h in data["hazards"] if h.state in ("reported", "rectifying", "submitted")
               and h.deadline < now]
    assert overdue and all("R2" in fired[h.id] for h in overdue)


def test_interviews_collect_the_escalations_one_open_per_enterprise(year):
    _, _, data = year
    interviews = {i.id: i for i in data["interviews"]}
    assert interviews and {i.state for i in interviews.values()} >= {"closed", "held"}
    open_by_enterprise = Counter(i.enterprise_id for i in interviews.values()
                                 if i.state != "closed")
    assert max(open_by_enterprise.values()) == 1
    for i in interviews.values():
        assert i.open_slot == (None if i.state == "closed" else i.enterprise_id)
        if i.state in ("held", "closed"):
            assert i.held_at and i.interviewee and i.minutes and i.follow_up_deadline
        if i.state == "closed":
            assert i.closed_at and i.completion_receipt
    for e in data["escalations"]:
        interview = interviews[e.interview_id]
        assert interview.enterprise_id == e.enterprise_id
        assert interview.created_at <= e.fired_at
        assert interview.closed_at is None or e.fired_at < interview.closed_at
    attached = Counter(ev.interview_id for ev in data["interview_events"] if ev.action == "attach")
    assert attached == Counter(e.interview_id for e in data["escalations"])


def test_events_replay_to_the_state(year):
    """Hazards still in work carry their whole audit trail (archived ones have none by
    default): the transitions run report → … → the current state, in time order."""
    _, _, data = year
    by_hazard = defaultdict(list)
    for ev in data["events"]:
        by_hazard[ev.hazard_id].append(ev)
    for h in data["hazards"]:
        events = sorted(by_hazard[h.id], key=lambda e: (e.at, e.action != "report"))
        if h.state == "archived":
            assert events == []
            continue
        steps = [e for e in events if e.action != "escalate"]
        assert steps[0].action == "report" and steps[0].from_state is None
        assert steps[0].at == h.found_at
        for before, after in pairwise(steps):
            assert before.to_state == after.from_state
        assert steps[-1].to_state == h.state
        assert len(steps) == h.version
        assert sum(1 for e in steps if e.action == "reject") == h.rejection_count
        assert len([e for e in events if e.action == "escalate"]) == len(
            [x for x in data["escalations"] if x.hazard_id == h.id])


def test_major_hazards_have_a_complete_governance_plan(app, year):
    from app.hazards.operations import missing_plan_fields
    majors = [h for h in year[2]["hazards"] if h.level == "major"]
    assert majors and all(missing_plan_fields(h) == [] for h in majors)


def test_all_events_and_a_second_run(app):
    """``events="all"`` gives every hazard its trail; a second run adds a year without
    clashing ids or a second open interview; more enterprises are added on request."""
    from app.demo.bulk import generate_year
    from app.extensions import db
    seed(app, "--enterprises", "12", "--hazards", "0")  # not the demo's year of hazards
    with app.app_context():
        lines = generate_year(n_hazards=600, seed=1, events="all")
        db.session.commit()
    assert any("hazard events" in line for line in lines)
    data = rows(app)
    assert {e.hazard_id for e in data["events"]} == {h.id for h in data["hazards"]}
    output = seed(app, "--enterprises", "20", "--hazards", "600")
    assert "added 8 enterprises" in output
    data = rows(app)
    assert len(data["hazards"]) == 1200 and len(data["enterprises"]) == 20
    assert len({h.id for h in data["hazards"]}) == 1200
    assert max(Counter(i.open_slot for i in data["interviews"] if i.open_slot).values()) == 1
    with app.app_context():
        from app.hazards.models import Hazard
        assert db.session.scalar(select(func.count(func.distinct(Hazard.enterprise_id)))) > 12


def test_without_registry_it_says_so(app):
    from app.demo.bulk import generate_year
    with app.app_context():
        with pytest.raises(RuntimeError, match="enterprises"):
            generate_year(n_hazards=10)


def test_the_schema_is_intact_afterwards(app):
    """On SQLite the generator builds the indexes once at the end instead of row by row; they
    come back exactly as the migrations made them."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from app.extensions import db

    def indexes():
        with app.app_context():
            inspector = inspect(db.engine)
            return {t: sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(t))
                    for t in ("hazards", "hazard_events", "inspections", "escalations",
                              "interviews", "interview_events")}
    before = indexes()
    seed(app, "--enterprises", "12", "--hazards", "500")
    assert indexes() == before
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []
