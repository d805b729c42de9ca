"""The hazard rules that have one home: 逾期 and the groups of states on the model, the major
close restriction in the transition table, the stale-version 409, the effects of each step, the
零容忍 rules wired to the hazard signals by ``create_app``; and an interview's 整改回执逾期."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.core.models import expect_version
from app.errors import Conflict
from app.hazards.choices import STATE_ORDER
from app.hazards.models import Hazard, overdue
from app.hazards.operations import STEP_EFFECTS, apply_step_effects
from app.hazards.workflow import HAZARD_WORKFLOW
from tests.test_hazards_support import ROLES
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=timezone.utc)


def test_the_named_state_groups_split_every_state():
    assert set(Hazard.UNRECTIFIED_STATES) | set(Hazard.RECTIFIED_STATES) == set(STATE_ORDER)
    assert not set(Hazard.UNRECTIFIED_STATES) & set(Hazard.RECTIFIED_STATES)
    assert set(Hazard.CLOSED_STATES) | set(Hazard.NOT_CLOSED_STATES) == set(STATE_ORDER)
    assert not set(Hazard.CLOSED_STATES) & set(Hazard.NOT_CLOSED_STATES)
    assert Hazard.CLOSED_STATES == ("closed", "archived")
    assert Hazard.UNRECTIFIED_STATES == ("reported", "rectifying", "submitted")


def test_overdue_on_plain_values():
    # the bulk generator's form: epoch seconds
    assert overdue("submitted", 100.0, 101.0)
    assert not overdue("submitted", 101.0, 101.0)  # due at the deadline itself is not late
    assert not overdue("verified", 100.0, 101.0)


def test_overdue_open_rectified_agree_in_python_and_in_sql(app, factory):
    from app.extensions import db

    enterprise = factory.enterprise()
    reporter = factory.user("inspector")
    deadlines = {"past": NOW - timedelta(hours=1), "now": NOW, "future": NOW + timedelta(hours=1)}
    with app.app_context():
        for state in STATE_ORDER:
            for when, deadline in deadlines.items():
                db.session.add(Hazard(
                    enterprise_id=enterprise.id, community_id=enterprise.community_id,
                    reporter_id=reporter.id, title=f"{state} {when}", category="fire",
                    level="general", state=state, found_at=NOW - timedelta(days=30),
                    deadline=deadline))
        db.session.commit()
        hazards = db.session.scalars(select(Hazard)).all()
        assert len(hazards) == len(STATE_ORDER) * 3

        def in_sql(clause):
            return set(db.session.scalars(select(Hazard.id).where(clause)))

        def in_python(predicate):
            return {h.id for h in hazards if predicate(h)}

        late = in_sql(Hazard.overdue_at(NOW))
        assert late == in_python(lambda h: h.overdue_at(NOW))
        assert {h.title for h in hazards if h.id in late} == {
            "reported past", "rectifying past", "submitted past"}
        assert in_sql(~Hazard.overdue_at(NOW)) == in_python(lambda h: not h.overdue_at(NOW))
        # now = the current time: every deadline above lies in 2024
        assert in_sql(Hazard.is_overdue) == in_python(lambda h: h.is_overdue) == {
            h.id for h in hazards if h.state in Hazard.UNRECTIFIED_STATES}
        assert in_sql(Hazard.is_open) == in_python(lambda h: h.is_open) == {
            h.id for h in hazards if h.state not in ("closed", "archived")}
        assert in_sql(Hazard.is_rectified) == in_python(lambda h: h.is_rectified) == {
            h.id for h in hazards if h.state in ("verified", "closed", "archived")}


def test_follow_up_overdue_agrees_in_python_and_in_sql(app, factory):
    from app.escalation.models import Interview
    from app.extensions import db

    enterprises = [factory.enterprise() for _ in range(4)]
    cases = [("held", NOW - timedelta(days=1), True), ("held", NOW + timedelta(days=1), False),
             ("closed", NOW - timedelta(days=1), False), ("scheduled", None, False)]
    with app.app_context():
        for enterprise, (state, deadline, _) in zip(enterprises, cases, strict=True):
            db.session.add(Interview(enterprise_id=enterprise.id,
                                     community_id=enterprise.community_id, state=state,
                                     follow_up_deadline=deadline))
        db.session.commit()
        interviews = db.session.scalars(select(Interview)).all()
        late = set(db.session.scalars(select(Interview.id).where(
            Interview.follow_up_overdue_at(NOW))))
        assert late == {i.id for i in interviews if i.follow_up_overdue_at(NOW)}
        assert {(i.state, i.follow_up_deadline, i.id in late) for i in interviews} == set(cases)
        assert {i.id for i in interviews if i.is_follow_up_overdue} == set(db.session.scalars(
            select(Interview.id).where(Interview.is_follow_up_overdue)))


@pytest.mark.parametrize("level", ["general", "major"])
def test_allowed_actions_on_a_verified_hazard_are_what_the_server_accepts(world, level):
    expected = {"admin": [], "supervisor": ["close"],
                "inspector": ["close"] if level == "general" else [], "officer": []}
    hazard = world.hazard_in("verified", level)
    for role in ROLES:
        allowed = world.hazard(hazard["id"], role)["allowed_actions"]
        assert allowed == expected[role], role
        if allowed:  # a success closes it: the others are asked about a fresh one
            hazard = world.hazard_in("verified", level)
        response = world.act(hazard["id"], "close", role, version=hazard["version"])
        if allowed:
            assert response.status_code == 200, (role, response.get_json())
            hazard = world.hazard_in("verified", level)
        else:
            assert response.status_code == 403 and "action" in response.get_json()["errors"]
            if role == "inspector":
                # the sign-off rule's own answer (the table's generic one for the others)
                assert response.get_json()["errors"]["action"] == ["重大隐患须由监管人员审核销号"]


def test_the_choices_name_the_major_close_roles_from_the_table(world):
    close = next(t for t in world.client("inspector").get("/api/v1/hazards/choices")
                 .get_json()["transitions"] if t["action"] == "close")
    row = next(t for t in HAZARD_WORKFLOW.transitions if t.action == "close")
    assert close["major_roles"] == sorted(row.roles_for(Hazard(level="major"))) == ["supervisor"]
    assert sorted(row.roles_for(Hazard(level="general"))) == close["roles"]


def test_expect_version_answers_409_naming_version():
    record = type("Record", (), {"version": 3})()
    expect_version(record, 3)
    with pytest.raises(Conflict) as caught:
        expect_version(record, 2)
    assert caught.value.errors == {"version": [
        "记录已更新为第 3 版（您提交的是第 2 版），请刷新后重试 / "
        "The record is at version 3, not 2; reload and try again."]}
    with pytest.raises(Conflict) as caught:
        expect_version(record, 4, "约谈已被他人修改 / changed")
    assert caught.value.detail == "约谈已被他人修改 / changed"


def test_each_step_stamps_its_time_and_a_new_deadline_is_recorded():
    hazard = Hazard(deadline=NOW, rejection_count=0)
    later = NOW + timedelta(days=3)
    recorded = apply_step_effects(hazard, "verify", now=NOW, note="已整改到位",
                                  new_deadline=later, photos=[])
    assert (hazard.verified_at, hazard.recheck_note, hazard.deadline) == (NOW, "已整改到位", later)
    assert recorded == {"deadline": {"from": NOW.isoformat(), "to": later.isoformat()}}
    assert hazard.rejection_count == 0
    stamps = {action: effects.stamp for action, effects in STEP_EFFECTS.items()}
    assert stamps == {"acknowledge": "acknowledged_at", "submit": "submitted_at",
                      "verify": "verified_at", "reject": None, "close": "closed_at",
                      "archive": "archived_at"}
    assert set(STEP_EFFECTS) == HAZARD_WORKFLOW.actions


def test_the_escalation_rules_follow_the_hazard_signals(app):
    from app.escalation import rules
    from app.hazards import signals

    for signal, receiver in ((signals.hazard_created, rules.on_hazard_created),
                             (signals.hazard_transitioned, rules.on_hazard_transitioned),
                             (signals.hazard_updated, rules.on_hazard_updated)):
        assert receiver in list(signal.receivers_for(app))
