"""How housekeeping is plugged into the application: :func:`init_app`, called by
``create_app``, starts the periodic job (every MAINTENANCE_INTERVAL_S, one process at a time under
the database lease ``housekeeping``) with the escalation job's machinery
(:func:`app.escalation.jobs.start_in_server`)."""
from __future__ import annotations

from flask import Flask

from app.escalation.jobs import start_in_server
from app.maintenance.housekeeping import run_housekeeping

HOUSEKEEPING_LEASE = "housekeeping"


def init_app(app: Flask) -> None:
    start_in_server(app, HOUSEKEEPING_LEASE, app.config.get("MAINTENANCE_INTERVAL_S") or 0,
                    run_housekeeping)
