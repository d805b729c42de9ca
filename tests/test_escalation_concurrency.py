"""Each rule fires once however many evaluators run at once: threads, `flask escalate` in four
processes, and the in-server job under its database lease."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.timeutil import utcnow
from config import BASE_DIR

# Relative to the real clock, so the in-server job (which evaluates "now") sees the same world
# as the explicit --now runs: two hazards per enterprise overdue, one approaching its deadline.
BASE = utcnow().replace(microsecond=0)
DEADLINE = BASE - timedelta(hours=1)
NOW = BASE + timedelta(minutes=1)


@pytest.fixture
def crowd(app, factory):
    """Twelve enterprises, each with two overdue hazards (one major), one hazard whose
    deadline approaches, an officer and (per community) a supervisor; bulk-inserted."""
    from app.extensions import db
    from app.hazards.models import Hazard

    communities = [factory.community() for _ in range(3)]
    supervisors = [factory.user("supervisor", communities=[c]) for c in communities]
    enterprises = [factory.enterprise(communities[i % 3]) for i in range(12)]
    officers = [factory.user("officer", enterprise=e) for e in enterprises]
    reporter = factory.user("inspector", communities=communities)
    with app.app_context():
        for enterprise in enterprises:
            for level, deadline in (("major", DEADLINE), ("general", DEADLINE),
                                    ("general", NOW + timedelta(days=1))):
                db.session.add(Hazard(
                    enterprise_id=enterprise.id, community_id=enterprise.community_id,
                    reporter_id=reporter.id, title=f"{level} hazard", category="fire",
                    level=level, state="rectifying", found_at=BASE - timedelta(days=10),
                    deadline=deadline))
        db.session.commit()
    return type("Crowd", (), dict(enterprises=enterprises, officers=officers,
                                  supervisors=supervisors))


def assert_fired_once(app, crowd):
    from app.escalation.models import Escalation, Interview
    from app.extensions import db
    from app.hazards.models import Hazard, HazardEvent
    from app.notifications.models import Notification

    with app.app_context():
        def count(q):
            return db.session.scalar(select(func.count()).select_from(q.subquery()))

        by_rule = dict(db.session.execute(select(Escalation.rule, func.count())
                                          .group_by(Escalation.rule)).all())
        assert by_rule == {"R1": 12, "R2": 24}
        assert count(select(Interview.id)) == 12
        assert count(select(Interview.enterprise_id).distinct()) == 12
        assert count(select(Escalation.id).where(Escalation.interview_id.is_(None))) == 0
        assert count(select(HazardEvent.id).where(HazardEvent.action == "escalate")) == 36
        assert count(select(Hazard.id).where(Hazard.escalated.is_(True))) == 24
        kinds = dict(db.session.execute(select(Notification.kind, func.count())
                                        .group_by(Notification.kind)).all())
        # one supervisor per community hears each of the 36 firings; each officer is told
        # of its two overdue hazards and reminded once of the third
        assert kinds == {"escalation": 36, "hazard_overdue": 24, "deadline_reminder": 12}


def test_concurrent_threads_fire_each_rule_once(app, crowd):
    from app.escalation.jobs import run_time_rules
    from app.extensions import db

    barrier = threading.Barrier(4)
    reports, errors = [], []

    def evaluate():
        with app.app_context():
            try:
                barrier.wait(10)
                reports.append(run_time_rules(NOW))
            except Exception as exc:  # noqa: BLE001 - asserted below  # pragma: no cover
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sum(len(r["fired"]) for r in reports) == 36  # split between them, never doubled
    assert_fired_once(app, crowd)


def test_flask_escalate_in_four_processes_at_once(app, crowd, database_url, media_dir, tmp_path):
    env = dict(os.environ, DATABASE_URL=database_url, MEDIA_DIR=str(media_dir),
               ANXUN_ENV="development", ESCALATION_INTERVAL_S="0", FLASK_APP="wsgi.py",
               ANXUN_INSTANCE_DIR=str(tmp_path), WEBHOOK_URL="", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "flask", "escalate", "--now", NOW.isoformat()]
    processes = [subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=180) for p in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    fired = [int(out.split(": ", 1)[1].split()[0]) for out, _ in outputs]
    assert sum(fired) == 36, [o for o, _ in outputs]
    assert_fired_once(app, crowd)
    again = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True,
                           timeout=120, check=False)
    assert again.returncode == 0 and "0 rule(s) fired" in again.stdout


# --------------------------------------------------------------------------- the job's lease
def test_the_lease_has_one_holder_until_it_expires(app):
    from app.core.timeutil import utcnow
    from app.escalation.jobs import acquire_lease

    ttl = timedelta(seconds=30)
    now = utcnow()
    with app.app_context():
        assert acquire_lease("escalation", "host-a:1", ttl, now) is True
        assert acquire_lease("escalation", "host-b:2", ttl, now + timedelta(seconds=5)) is False
        assert acquire_lease("escalation", "host-a:1", ttl, now + timedelta(seconds=20)) is True
        # renewed at +20, so still A's at +40
        assert acquire_lease("escalation", "host-b:2", ttl, now + timedelta(seconds=40)) is False
        assert acquire_lease("escalation", "host-b:2", ttl, now + timedelta(seconds=51)) is True
        assert acquire_lease("escalation", "host-a:1", ttl, now + timedelta(seconds=52)) is False


def test_of_two_workers_only_the_lease_holder_runs(app, crowd):
    from app.escalation.jobs import PeriodicEscalation
    from app.extensions import db
    from app.notifications.models import JobLease

    first, second = PeriodicEscalation(app, 60), PeriodicEscalation(app, 60)
    assert first.holder != second.holder
    assert first.tick() is True
    assert second.tick() is False
    assert first.tick() is True
    assert (first.runs, second.runs) == (2, 0)
    with app.app_context():
        lease = db.session.get(JobLease, "escalation")
        assert lease.holder == first.holder and lease.last_run_at is not None
        from app.escalation.models import Escalation
        assert db.session.scalar(select(func.count()).select_from(Escalation)) == 36


def test_the_server_starts_its_job_on_the_first_request_and_the_cli_does_not(
        app, crowd, database_url, media_dir):
    from app import create_app
    from app.escalation.models import Escalation
    from app.extensions import db
    from tests.conftest import make_config

    server = create_app(make_config(database_url, media_dir, ESCALATION_INTERVAL_S=1))
    try:
        result = server.test_cli_runner().invoke(args=["webhooks", "list"])
        assert result.exit_code == 0
        assert "anxun_escalation_job" not in server.extensions  # no job in a CLI process
        assert server.test_client().get("/healthz").status_code == 200
        pid, job = server.extensions["anxun_escalation_job"]
        assert pid == os.getpid() and job.is_alive()
        server.test_client().get("/healthz")
        assert server.extensions["anxun_escalation_job"][1] is job  # one job per process
        deadline = time.time() + 30
        fired = 0
        while time.time() < deadline and (fired < 36 or job.runs < 1):
            time.sleep(0.3)
            with app.app_context():
                fired = db.session.scalar(select(func.count()).select_from(Escalation))
        assert fired == 36 and job.runs >= 1
    finally:
        job = server.extensions.get("anxun_escalation_job", (None, None))[1]
        if job is not None:
            job.stop()
            job.join(30)
        with server.app_context():
            db.session.remove()
            db.engine.dispose()
    assert_fired_once(app, crowd)


def test_a_request_and_the_job_on_one_enterprise_do_not_deadlock(app, factory):
    """A request holding a hazard (a reject, firing R3) while the job fires R2 for it and for
    another hazard of the same enterprise that has no interview yet: both must complete."""
    from app.escalation.jobs import run_time_rules
    from app.escalation.models import Escalation, Interview
    from app.escalation.rules import check_rejections
    from app.extensions import db
    from app.hazards.models import Hazard
    from tests.test_escalation import make_hazard

    community = factory.community()
    enterprise = factory.enterprise(community)
    inspector = factory.user("inspector", communities=[community])
    factory.user("supervisor", communities=[community])
    overdue = dict(state="rectifying", found_at=BASE - timedelta(days=10), deadline=DEADLINE)
    held = make_hazard(app, enterprise, inspector, id="ffffffff-0000-4000-8000-000000000001",
                       rejection_count=1, **overdue)
    first = make_hazard(app, enterprise, inspector, id="00000000-0000-4000-8000-000000000001",
                        **overdue)
    locked, errors = threading.Event(), []

    def request_rejecting():
        with app.app_context():
            try:
                hazard = db.session.get(Hazard, held, with_for_update=True)
                hazard.rejection_count = 2
                db.session.flush()
                locked.set()
                time.sleep(1.0)  # the job works meanwhile and reaches this hazard
                check_rejections(hazard, note="二次复查不通过")
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - asserted below  # pragma: no cover
                errors.append(("request", exc))
                db.session.rollback()
            finally:
                db.session.remove()

    def job():
        locked.wait(10)
        with app.app_context():
            try:
                run_time_rules(NOW, send_webhooks=False)
            except Exception as exc:  # noqa: BLE001 - asserted below  # pragma: no cover
                errors.append(("job", exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request_rejecting), threading.Thread(target=job)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with app.app_context():
        rows = sorted(db.session.execute(select(Escalation.hazard_id, Escalation.rule)).all())
        assert rows == [(first, "R2"), (held, "R2"), (held, "R3")]
        assert db.session.scalar(select(func.count()).select_from(Interview)) == 1


def test_a_reason_never_lands_on_an_interview_being_closed(app, factory):
    """A supervisor closes the enterprise's interview while a rule fires: the reason waits for
    the close and opens a new interview instead of joining the closed one."""
    from app.escalation.models import Escalation, Interview
    from app.escalation.operations import fire
    from app.extensions import db
    from app.hazards.models import Hazard
    from tests.test_escalation import make_hazard, send_created

    community = factory.community()
    enterprise = factory.enterprise(community)
    inspector = factory.user("inspector", communities=[community])
    send_created(app, make_hazard(app, enterprise, inspector, level="major"))
    with app.app_context():
        old = db.session.scalar(select(Interview.id))
    later = make_hazard(app, enterprise, inspector, level="major")
    closing, errors = threading.Event(), []

    def supervisor_closes():
        with app.app_context():
            try:
                interview = db.session.get(Interview, old)
                interview.state, interview.open_slot = "closed", None
                db.session.flush()
                closing.set()
                time.sleep(1.0)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - asserted below  # pragma: no cover
                errors.append(exc)
            finally:
                db.session.remove()

    def rule_fires():
        closing.wait(10)
        with app.app_context():
            try:
                fire(db.session.get(Hazard, later), "R1", "重大隐患")
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - asserted below  # pragma: no cover
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=supervisor_closes), threading.Thread(target=rule_fires)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with app.app_context():
        attached = db.session.scalar(select(Escalation.interview_id).where(
            Escalation.hazard_id == later))
        assert attached != old
        assert db.session.get(Interview, attached).open_slot == enterprise.id
