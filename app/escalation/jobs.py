"""Running the time rules: ``flask escalate`` and the periodic job inside the server.

:func:`run_time_rules` is a *runner* (like a CLI command): it evaluates the time rules, commits,
then sends the due webhooks (which commits around each HTTP call).

The periodic job is a daemon thread per server process, started lazily by the first request that
process serves (never in the CLI or during migrations, and after gunicorn forked its workers).
Every ``ESCALATION_INTERVAL_S`` it tries to take the database lease ``escalation`` (an UPSERT
that only succeeds when the lease is free, expired or already this process's); only the holder
runs. That keeps several workers on several hosts from doing the work twice at once, and the
unique constraints behind :func:`app.escalation.operations.fire` and the notification dedupe
keys stay the last line of defence if two runs ever overlap (a lease outliving a paused process).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from app.core.timeutil import utcnow
from app.escalation.rules import apply_time_rules, send_reminders, time_rule_candidates
from app.extensions import db
from app.notifications.models import JobLease
from app.notifications.webhooks import deliver_due

log = logging.getLogger(__name__)

LEASE_NAME = "escalation"
RETRIES = 3


def _committed(unit, *args):
    """Run ``unit(*args)`` and commit; a transaction the database aborted (a PostgreSQL
    deadlock or serialisation failure against a concurrent writer) is rolled back and run
    again, and what the other writer fired is then simply found fired."""
    for attempt in range(1, RETRIES + 1):
        try:
            result = unit(*args)
            db.session.commit()
            return result
        except DBAPIError:
            db.session.rollback()
            if attempt == RETRIES:
                raise
            log.warning("time rules: transaction aborted, retrying (%d)", attempt)
    raise AssertionError("unreachable")


def _fire_for(hazard_id: str, now: datetime) -> list[dict]:
    return [{"rule": e.rule, "hazard_id": e.hazard_id, "hazard_title": e.hazard.title,
             "interview_id": e.interview_id, "detail": e.detail}
            for e in apply_time_rules(hazard_id, now)]


def run_time_rules(now: datetime | None = None, *, send_webhooks: bool = True) -> dict:
    """Evaluate the time rules as of ``now`` (default: the current time); then deliver due
    webhooks. Each hazard is one short transaction, committed here; so are the reminders.

    Returns ``{"fired": [{rule, hazard_id, hazard_title, interview_id, detail}], "reminders",
    "follow_up_reminders", "follow_up_overdue", "webhooks": {delivered, retrying, failed}}``.
    """
    at = now or utcnow()
    candidates = time_rule_candidates(at)
    db.session.commit()  # end the read: on SQLite a CLI transaction holds the write lock
    fired = []
    for hazard_id in candidates:
        fired.extend(_committed(_fire_for, hazard_id, at))
    report = dict(_committed(send_reminders, at), fired=fired)
    report["webhooks"] = deliver_due(now) if send_webhooks else None
    return report


# --------------------------------------------------------------------------- the lease
def acquire_lease(name: str, holder: str, ttl: timedelta, now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + ttl``; commits.

    One statement: insert the lease, or take it over only where it expired or is ours already.
    """
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = JobLease.__table__
    stmt = insert(table).values(name=name, holder=holder, expires_at=now + ttl)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
        where=(table.c.expires_at < now) | (table.c.holder == holder))
    db.session.execute(stmt)
    current = db.session.scalar(select(table.c.holder).where(table.c.name == name))
    db.session.commit()
    return current == holder


def mark_run(name: str, holder: str, now: datetime | None = None) -> None:
    lease = db.session.get(JobLease, name)
    if lease is not None and lease.holder == holder:
        lease.last_run_at = now or utcnow()
    db.session.commit()


class PeriodicJob(threading.Thread):
    """An in-server job of one process: every ``interval_s`` it runs ``work()`` (in an app
    context) when this process holds the database lease ``lease_name``; ``stop()`` ends it."""

    def __init__(self, app: Flask, interval_s: float, lease_name: str, work):
        super().__init__(name=f"anxun-{lease_name}", daemon=True)
        self.app = app
        self.interval_s = interval_s
        self.lease_name = lease_name
        self.work = work
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.stopping = threading.Event()
        self.runs = 0

    def stop(self):
        self.stopping.set()

    def tick(self) -> bool:
        """One round: run if this process holds the lease. Returns whether it ran."""
        with self.app.app_context():
            try:
                # The lease outlives two intervals so a slow run keeps it; a dead holder's
                # lease expires and another process takes over.
                ttl = timedelta(seconds=max(3 * self.interval_s, 30))
                if not acquire_lease(self.lease_name, self.holder, ttl):
                    return False
                self.work()
                mark_run(self.lease_name, self.holder)
                self.runs += 1
                return True
            except Exception:  # a failed round must not end the job; the next round retries
                log.exception("%s job round failed", self.lease_name)
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    def run(self):
        while not self.stopping.wait(self.interval_s):
            self.tick()


def _escalation_round() -> None:
    report = run_time_rules()
    if report["fired"]:
        log.info("escalation job fired %d rule(s)", len(report["fired"]))


class PeriodicEscalation(PeriodicJob):
    """The time rules' in-server job (lease ``escalation``)."""

    def __init__(self, app: Flask, interval_s: float):
        super().__init__(app, interval_s, LEASE_NAME, _escalation_round)


def start_in_server(app: Flask, lease_name: str, interval_s: float, work) -> None:
    """Run ``work`` every ``interval_s`` in each server process (under the lease ``lease_name``,
    so one process at a time does it), started by the first request the process serves: never
    in the CLI or during migrations, and only after gunicorn forked its workers. Every job of
    the app is started by one ``before_request`` hook, which afterwards costs each request one
    comparison."""
    if interval_s <= 0:
        return
    jobs = app.extensions.get("anxun_jobs")
    if jobs is None:
        jobs = app.extensions["anxun_jobs"] = []
        lock = threading.Lock()
        started_in = [None]  # the pid whose jobs run

        @app.before_request
        def _start_periodic_jobs():
            # Keyed by pid: a worker forked after the parent served a request starts its own.
            if started_in[0] == os.getpid():
                return
            with lock:
                if started_in[0] == os.getpid():
                    return
                for name, interval, unit in jobs:
                    job = PeriodicJob(app, interval, name, unit)
                    app.extensions[f"anxun_{name}_job"] = (os.getpid(), job)
                    job.start()
                started_in[0] = os.getpid()
    jobs.append((lease_name, interval_s, work))


def init_app(app: Flask) -> None:
    """Start the periodic job lazily in each server process when ESCALATION_INTERVAL_S > 0."""
    start_in_server(app, LEASE_NAME, app.config.get("ESCALATION_INTERVAL_S") or 0,
                    _escalation_round)
