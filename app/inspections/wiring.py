"""How the inspection domain (检查) is plugged into the application: :func:`init_app`, called
by ``create_app``, subscribes it to the registry's signals.

==========================  ==========================================================
registry signal             what follows
==========================  ==========================================================
``enterprise_moved``        the enterprise's inspections take its new community
==========================  ==========================================================

and keeps each enterprise's last visit (:mod:`app.inspections.visits`) current on every flush.
"""
from __future__ import annotations

from flask import Flask

from app.inspections import operations, visits
from app.registry.signals import enterprise_moved


def init_app(app: Flask) -> None:
    # A strong reference to a module function: one connection per process however many apps.
    enterprise_moved.connect(operations.on_enterprise_moved, weak=False)
    # Coverage reads each enterprise's last visit (app.inspections.visits).
    visits.init_app(app)
