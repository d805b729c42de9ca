"""零容忍 rules R1–R4: each alone, all together, once however often they are evaluated."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

T0 = datetime(2024, 6, 3, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


# --------------------------------------------------------------------------- helpers
def make_hazard(app, enterprise, reporter, *, level="general", state="reported",
                category="fire", found_at=T0, deadline=None, closed_at=None,
                rejection_count=0, title=None, **kw):
    """A committed hazard row (the hazard domain's own API is tested by its issue)."""
    from app.extensions import db
    from app.hazards.models import Hazard

    with app.app_context():
        hazard = Hazard(enterprise_id=enterprise.id, community_id=enterprise.community_id,
                        reporter_id=reporter.id, title=title or f"{category} 隐患",
                        description="描述", category=category, level=level, state=state,
                        found_at=found_at, deadline=deadline or found_at + timedelta(days=7),
                        closed_at=closed_at, rejection_count=rejection_count, **kw)
        db.session.add(hazard)
        db.session.commit()
        return hazard.id


def send_created(app, hazard_id, actor_id=None):
    """What the hazard domain does after creating a hazard: send ``hazard_created``; commit."""
    from app.auth.models import User
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.hazards.signals import hazard_created

    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        actor = db.session.get(User, actor_id) if actor_id else None
        hazard_created.send(app, hazard=hazard, actor=actor)
        db.session.commit()


def send_rejected(app, hazard_id, actor_id, note="整改照片不清晰"):
    """A ``reject`` transition as the hazard domain performs it, then its signal; commit."""
    from app.auth.models import User
    from app.core.workflow import Transition
    from app.extensions import db
    from app.hazards.models import Hazard, HazardEvent
    from app.hazards.signals import hazard_transitioned

    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        actor = db.session.get(User, actor_id)
        hazard.state = "rectifying"
        hazard.rejection_count += 1
        event = HazardEvent(hazard_id=hazard.id, actor_id=actor.id, action="reject",
                            from_state="submitted", to_state="rectifying", note=note)
        db.session.add(event)
        db.session.flush()
        hazard_transitioned.send(app, hazard=hazard, actor=actor, event=event,
                                 transition=Transition("submitted", "reject", "rectifying",
                                                       frozenset({"inspector"})))
        db.session.commit()


def evaluate(app, now):
    from app.escalation.jobs import run_time_rules
    with app.app_context():
        return run_time_rules(now)


def escalations(app, hazard_id=None):
    from app.escalation.models import Escalation
    from app.extensions import db
    with app.app_context():
        query = select(Escalation.rule, Escalation.hazard_id, Escalation.interview_id)
        if hazard_id:
            query = query.where(Escalation.hazard_id == hazard_id)
        return sorted(db.session.execute(query).all())


def rules_of(app, hazard_id):
    return [row[0] for row in escalations(app, hazard_id)]


def interviews_of(app, enterprise_id):
    from app.escalation.models import Interview
    from app.extensions import db
    with app.app_context():
        return [(i.id, i.state, i.open_slot) for i in db.session.scalars(
            select(Interview).where(Interview.enterprise_id == enterprise_id))]


def inbox(app, user_id, kind=None):
    from app.extensions import db
    from app.notifications.models import Notification
    with app.app_context():
        query = select(Notification).where(Notification.user_id == user_id)
        if kind:
            query = query.where(Notification.kind == kind)
        return [(n.kind, n.title, n.subject_type, n.subject_id)
                for n in db.session.scalars(query.order_by(Notification.created_at))]


@pytest.fixture
def world(app, factory):
    """A community with an enterprise, its officer, an inspector and a supervisor; plus a
    second community whose supervisor must hear nothing."""
    community = factory.community()
    enterprise = factory.enterprise(community)
    other_community = factory.community()
    return type("World", (), dict(
        community=community, enterprise=enterprise,
        officer=factory.user("officer", enterprise=enterprise),
        inspector=factory.user("inspector", communities=[community]),
        supervisor=factory.user("supervisor", communities=[community]),
        other_supervisor=factory.user("supervisor", communities=[other_community]),
        other_enterprise=factory.enterprise(other_community)))


# --------------------------------------------------------------------------- R1
def test_r1_a_major_hazard_escalates_when_reported(app, world):
    from app.extensions import db
    from app.hazards.models import Hazard, HazardEvent

    hazard_id = make_hazard(app, world.enterprise, world.inspector, level="major")
    send_created(app, hazard_id, world.inspector.id)

    assert rules_of(app, hazard_id) == ["R1"]
    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        assert hazard.escalated is True
        assert hazard.state == "reported"  # a flag, not a state
        assert hazard.version == 1  # a system flag never makes a client's version stale
        event = db.session.scalar(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id))
        assert (event.action, event.actor_id, event.from_state, event.to_state) == \
            ("escalate", None, "reported", "reported")
        assert event.note.startswith("R1") and event.data["rule"] == "R1"
    [(interview_id, state, slot)] = interviews_of(app, world.enterprise.id)
    assert state == "proposed" and slot == world.enterprise.id
    assert escalations(app, hazard_id)[0][2] == interview_id
    # supervisors of the community hear of the escalation; others do not
    [(kind, title, subject_type, subject_id)] = inbox(app, world.supervisor.id)
    assert kind == "escalation" and subject_type == "interview" and subject_id == interview_id
    assert "R1" in title and world.enterprise.name in title
    assert inbox(app, world.other_supervisor.id) == []
    # the officer hears of the new hazard; the inspector who reported it does not
    assert [k for k, *_ in inbox(app, world.officer.id)] == ["hazard_created"]
    assert inbox(app, world.inspector.id) == []


def test_a_general_hazard_does_not_escalate(app, world):
    hazard_id = make_hazard(app, world.enterprise, world.inspector, level="general")
    send_created(app, hazard_id, world.inspector.id)
    assert escalations(app) == []
    assert interviews_of(app, world.enterprise.id) == []
    assert inbox(app, world.supervisor.id) == []
    assert [k for k, *_ in inbox(app, world.officer.id)] == ["hazard_created"]


def test_the_officer_reporting_a_hazard_is_not_told_of_it(app, world, factory):
    colleague = factory.user("officer", enterprise=world.enterprise)
    hazard_id = make_hazard(app, world.enterprise, world.officer)
    send_created(app, hazard_id, world.officer.id)
    assert inbox(app, world.officer.id) == []
    assert [k for k, *_ in inbox(app, colleague.id)] == ["hazard_created"]


# --------------------------------------------------------------------------- R2
@pytest.mark.parametrize("state,fires", [("reported", True), ("rectifying", True),
                                         ("submitted", True), ("verified", False),
                                         ("closed", False), ("archived", False)])
def test_r2_fires_only_after_the_deadline_without_an_accepted_rectification(app, world, state,
                                                                            fires):
    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, state=state,
                            deadline=deadline)
    evaluate(app, deadline - timedelta(minutes=1))
    assert rules_of(app, hazard_id) == []
    report = evaluate(app, deadline + timedelta(minutes=1))
    assert rules_of(app, hazard_id) == (["R2"] if fires else [])
    assert [f["rule"] for f in report["fired"]] == (["R2"] if fires else [])
    if fires:
        assert len(inbox(app, world.officer.id, "hazard_overdue")) == 1
        assert [k for k, *_ in inbox(app, world.supervisor.id)] == ["escalation"]
    else:
        assert inbox(app, world.officer.id) == []  # no reminder either: nothing left to fix


def test_r2_fires_once_however_often_evaluated(app, world):
    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, deadline=deadline)
    for day in range(1, 5):
        evaluate(app, deadline + timedelta(days=day))
    assert rules_of(app, hazard_id) == ["R2"]
    assert len(inbox(app, world.supervisor.id, "escalation")) == 1
    assert len(interviews_of(app, world.enterprise.id)) == 1


def test_flask_escalate_with_now_applies_r2_and_prints_it(app, world):
    from app.extensions import db
    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, deadline=deadline,
                            title="配电箱未接地")
    runner = app.test_cli_runner()
    before = runner.invoke(args=["escalate", "--now", "2024-06-10T09:00:00+08:00"])
    assert before.exit_code == 0, before.output
    assert "0 rule(s) fired" in before.output and rules_of(app, hazard_id) == []
    after = runner.invoke(args=["escalate", "--now", "2024-06-10T10:30:00+08:00"])
    assert after.exit_code == 0, after.output
    assert "1 rule(s) fired" in after.output
    assert f"R2 hazard={hazard_id}" in after.output and "配电箱未接地" in after.output
    assert rules_of(app, hazard_id) == ["R2"]
    with app.app_context():
        from app.escalation.models import Escalation
        fired_at = db.session.scalar(select(Escalation.fired_at))
    assert fired_at == datetime(2024, 6, 10, 2, 30, tzinfo=timezone.utc)
    again = runner.invoke(args=["escalate", "--now", "2024-06-11T10:30:00+08:00"])
    assert "0 rule(s) fired" in again.output
    bad = runner.invoke(args=["escalate", "--now", "next tuesday"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_a_simulated_now_keeps_the_trails_in_real_order(app, world):
    """``--now`` sets the firing time; the append-only trails are stamped when written."""
    from app.escalation.models import Escalation, InterviewEvent
    from app.extensions import db
    from app.hazards.models import HazardEvent

    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, deadline=deadline)
    with app.app_context():  # recorded today (a finding of 2024 entered late)
        db.session.add(HazardEvent(hazard_id=hazard_id, actor_id=world.inspector.id,
                                   action="report", from_state=None, to_state="reported"))
        db.session.commit()
    simulated = deadline + timedelta(hours=1)
    written_after = datetime.now(timezone.utc)
    result = app.test_cli_runner().invoke(args=["escalate", "--now", simulated.isoformat()])
    assert result.exit_code == 0 and "1 rule(s) fired" in result.output, result.output
    written_before = datetime.now(timezone.utc)

    with app.app_context():
        escalation = db.session.scalar(select(Escalation))
        assert escalation.fired_at == simulated  # the rule's time is the evaluated one
        trail = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
                                   .order_by(HazardEvent.at, HazardEvent.id)).all()
        assert [e.action for e in trail] == ["report", "escalate"]
        escalate = trail[1]
        assert written_after <= escalate.at <= written_before
        assert escalate.data["evaluated_at"] == simulated.isoformat()
        [opened] = db.session.scalars(select(InterviewEvent).where(
            InterviewEvent.interview_id == escalation.interview_id)).all()
        assert opened.action == "open" and written_after <= opened.at <= written_before
        assert opened.data["evaluated_at"] == simulated.isoformat()
        assert opened.data["hazard_id"] == hazard_id


# --------------------------------------------------------------------------- R3
def test_r3_fires_on_the_second_rejection(app, world):
    hazard_id = make_hazard(app, world.enterprise, world.inspector, state="submitted")
    send_rejected(app, hazard_id, world.inspector.id, note="灭火器仍过期")
    assert rules_of(app, hazard_id) == []
    rejected = inbox(app, world.officer.id, "hazard_rejected")
    assert len(rejected) == 1 and rejected[0][3] == hazard_id
    send_rejected(app, hazard_id, world.inspector.id, note="照片不是整改后的")
    assert rules_of(app, hazard_id) == ["R3"]
    assert len(inbox(app, world.officer.id, "hazard_rejected")) == 2
    send_rejected(app, hazard_id, world.inspector.id)
    assert rules_of(app, hazard_id) == ["R3"]
    from app.escalation.models import Escalation
    from app.extensions import db
    with app.app_context():
        detail = db.session.scalar(select(Escalation.detail))
    assert "第 2 次" in detail and "照片不是整改后的" in detail


def test_r3_threshold_is_configurable(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "ESCALATION_REJECTIONS", 3)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, state="submitted")
    send_rejected(app, hazard_id, world.inspector.id)
    send_rejected(app, hazard_id, world.inspector.id)
    assert rules_of(app, hazard_id) == []
    send_rejected(app, hazard_id, world.inspector.id)
    assert rules_of(app, hazard_id) == ["R3"]


# --------------------------------------------------------------------------- R4
@pytest.mark.parametrize("closed_days_before,same_enterprise,same_category,fires", [
    (30, True, True, True),
    (89, True, True, True),
    (91, True, True, False),
    (30, False, True, False),
    (30, True, False, False),
])
def test_r4_same_category_again_within_90_days_of_a_closed_hazard(
        app, world, closed_days_before, same_enterprise, same_category, fires):
    enterprise = world.enterprise if same_enterprise else world.other_enterprise
    closed_at = T0 - timedelta(days=closed_days_before)
    make_hazard(app, enterprise, world.inspector, state="closed", category="gas",
                found_at=closed_at - timedelta(days=10), closed_at=closed_at)
    hazard_id = make_hazard(app, world.enterprise, world.inspector,
                            category="gas" if same_category else "fire", found_at=T0)
    send_created(app, hazard_id, world.inspector.id)
    assert rules_of(app, hazard_id) == (["R4"] if fires else [])


def test_r4_ignores_open_hazards_and_the_window_is_configurable(app, world, monkeypatch):
    make_hazard(app, world.enterprise, world.inspector, state="rectifying", category="dust",
                found_at=T0 - timedelta(days=5))
    first = make_hazard(app, world.enterprise, world.inspector, category="dust")
    send_created(app, first, world.inspector.id)
    assert rules_of(app, first) == []  # the earlier one is not closed

    monkeypatch.setitem(app.config, "ESCALATION_REPEAT_DAYS", 200)
    closed_at = T0 - timedelta(days=150)
    make_hazard(app, world.enterprise, world.inspector, state="archived", category="dust",
                found_at=closed_at - timedelta(days=3), closed_at=closed_at)
    second = make_hazard(app, world.enterprise, world.inspector, category="dust")
    send_created(app, second, world.inspector.id)
    assert rules_of(app, second) == ["R4"]


# --------------------------------------------------------------------------- together
def test_all_rules_on_one_hazard_attach_to_one_interview(app, world):
    from app.extensions import db
    from app.hazards.models import HazardEvent

    closed_at = T0 - timedelta(days=20)
    make_hazard(app, world.enterprise, world.inspector, state="closed", category="gas",
                found_at=closed_at - timedelta(days=5), closed_at=closed_at)
    deadline = T0 + timedelta(days=30)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, level="major",
                            category="gas", state="submitted", deadline=deadline)
    send_created(app, hazard_id, world.inspector.id)
    send_rejected(app, hazard_id, world.inspector.id)
    send_rejected(app, hazard_id, world.inspector.id)
    for _ in range(3):
        evaluate(app, deadline + timedelta(hours=1))
        send_created(app, hazard_id, world.inspector.id)  # a replayed signal changes nothing

    rows = escalations(app, hazard_id)
    assert [r[0] for r in rows] == ["R1", "R2", "R3", "R4"]
    [(interview_id, state, _)] = interviews_of(app, world.enterprise.id)
    assert {r[2] for r in rows} == {interview_id}
    assert len(inbox(app, world.supervisor.id, "escalation")) == 4
    with app.app_context():
        notes = db.session.scalars(select(HazardEvent.note).where(
            HazardEvent.hazard_id == hazard_id, HazardEvent.action == "escalate")).all()
    assert sorted(n[:2] for n in notes) == ["R1", "R2", "R3", "R4"]


def test_two_hazards_of_one_enterprise_share_the_open_interview(app, world):
    first = make_hazard(app, world.enterprise, world.inspector, level="major")
    second = make_hazard(app, world.enterprise, world.inspector, level="major")
    other = make_hazard(app, world.other_enterprise, world.inspector, level="major")
    for hazard_id in (first, second, other):
        send_created(app, hazard_id, world.inspector.id)
    [(interview_id, _, _)] = interviews_of(app, world.enterprise.id)
    from app.escalation.models import InterviewEvent
    from app.extensions import db
    with app.app_context():
        events = db.session.execute(select(InterviewEvent.action, InterviewEvent.data).where(
            InterviewEvent.interview_id == interview_id).order_by(InterviewEvent.at)).all()
    assert [(a, d["hazard_id"]) for a, d in events] == [("open", first), ("attach", second)]
    assert len(interviews_of(app, world.other_enterprise.id)) == 1


def test_a_closed_interview_frees_the_slot_for_the_next_escalation(app, world):
    from app.escalation.models import Interview
    from app.extensions import db

    send_created(app, make_hazard(app, world.enterprise, world.inspector, level="major"))
    [(first_id, _, _)] = interviews_of(app, world.enterprise.id)
    with app.app_context():  # closed through the API in test_interviews; here only the slot
        interview = db.session.get(Interview, first_id)
        interview.state, interview.open_slot = "closed", None
        db.session.commit()
    send_created(app, make_hazard(app, world.enterprise, world.inspector, level="major"))
    states = sorted(state for _, state, _ in interviews_of(app, world.enterprise.id))
    assert states == ["closed", "proposed"]


def test_time_sweep_catches_major_and_rejected_hazards_without_a_signal(app, world):
    """A hazard whose level or count changed by a path that sent no signal is still caught."""
    major = make_hazard(app, world.enterprise, world.inspector, level="major",
                        deadline=T0 + timedelta(days=60))
    rejected = make_hazard(app, world.enterprise, world.inspector, state="rectifying",
                           rejection_count=2, deadline=T0 + timedelta(days=60))
    finished = make_hazard(app, world.enterprise, world.inspector, level="major",
                           state="archived", closed_at=T0)
    evaluate(app, T0 + timedelta(days=1))
    assert rules_of(app, major) == ["R1"]
    assert rules_of(app, rejected) == ["R3"]
    assert rules_of(app, finished) == []


# --------------------------------------------------------------------------- reminders
def test_deadline_reminder_reaches_officers_once_per_deadline(app, world):
    from app.extensions import db
    from app.hazards.models import Hazard

    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, deadline=deadline)
    verified = make_hazard(app, world.enterprise, world.inspector, state="verified",
                           deadline=deadline)
    evaluate(app, deadline - timedelta(days=3))  # outside the 2-day window
    assert inbox(app, world.officer.id, "deadline_reminder") == []
    report = evaluate(app, deadline - timedelta(days=2))
    evaluate(app, deadline - timedelta(days=1))
    evaluate(app, deadline - timedelta(hours=1))
    reminders = inbox(app, world.officer.id, "deadline_reminder")
    assert report["reminders"] == 1 and len(reminders) == 1
    assert reminders[0][3] == hazard_id and verified != hazard_id
    assert inbox(app, world.supervisor.id, "deadline_reminder") == []
    # an extended deadline is a new deadline: reminded again when it approaches
    with app.app_context():
        db.session.get(Hazard, hazard_id).deadline = deadline + timedelta(days=10)
        db.session.commit()
    evaluate(app, deadline + timedelta(days=9))
    assert len(inbox(app, world.officer.id, "deadline_reminder")) == 2
    assert rules_of(app, hazard_id) == []


@pytest.mark.parametrize("state,reminded", [("reported", True), ("rectifying", True),
                                             ("submitted", False), ("verified", False)])
def test_reminders_only_for_hazards_the_enterprise_still_has_to_act_on(app, world, state,
                                                                       reminded):
    """A submitted rectification waits for the re-check: nothing for the officer to do."""
    deadline = T0 + timedelta(days=7)
    hazard_id = make_hazard(app, world.enterprise, world.inspector, state=state,
                            deadline=deadline)
    report = evaluate(app, deadline - timedelta(days=1))
    assert report["reminders"] == (1 if reminded else 0)
    reminders = inbox(app, world.officer.id, "deadline_reminder")
    assert [r[3] for r in reminders] == ([hazard_id] if reminded else [])


def test_reminder_window_is_configurable(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_DAYS_BEFORE_DEADLINE", 5)
    deadline = T0 + timedelta(days=7)
    make_hazard(app, world.enterprise, world.inspector, deadline=deadline)
    evaluate(app, deadline - timedelta(days=4))
    assert len(inbox(app, world.officer.id, "deadline_reminder")) == 1


# --------------------------------------------------------------------------- fire()
def test_fire_twice_in_one_transaction_returns_none_the_second_time(app, world):
    from app.escalation.models import Escalation
    from app.escalation.operations import fire
    from app.extensions import db
    from app.hazards.models import Hazard

    hazard_id = make_hazard(app, world.enterprise, world.inspector)
    with app.app_context():
        hazard = db.session.get(Hazard, hazard_id)
        first = fire(hazard, "R2", "test")
        second = fire(hazard, "R2", "test")
        assert first is not None and first.rule == "R2" and first.interview_id
        assert second is None
        assert hazard.escalated is True
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Escalation)) == 1
