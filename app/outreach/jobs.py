"""The outreach job: tips left untriaged longer than TIP_TRIAGE_DAYS remind their supervisors,
and spent rate-limit counters are forgotten. Run by ``flask tips remind`` and in the server
every OUTREACH_INTERVAL_S, one process at a time under the database lease ``outreach``
(:func:`app.escalation.jobs.start_in_server`, the escalation job's machinery)."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask

from app.escalation.jobs import start_in_server
from app.extensions import db
from app.outreach import ratelimit, tips

log = logging.getLogger(__name__)

LEASE_NAME = "outreach"


def run_outreach(now: datetime | None = None) -> dict:
    """One round (a runner: it commits). Returns ``{"reminders", "rate_counters"}``."""
    reminders = tips.remind_untriaged(now)
    db.session.commit()
    purged = ratelimit.purge(now)
    db.session.commit()
    if reminders:
        log.info("outreach job: %d reminder(s) of untriaged tips", reminders)
    return {"reminders": reminders, "rate_counters": purged}


def init_app(app: Flask) -> None:
    start_in_server(app, LEASE_NAME, app.config.get("OUTREACH_INTERVAL_S") or 0, run_outreach)
