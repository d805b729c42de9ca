"""How the hazard domain (隐患) is plugged into the application: :func:`init_app`, called by
``create_app``, subscribes it to the registry's signals.

==========================  ==========================================================
registry signal             what follows
==========================  ==========================================================
``enterprise_moved``        the enterprise's hazards take its new community, each with a
                            ``move`` line in its trail (:func:`operations.on_enterprise_moved`)
==========================  ==========================================================

and keeps the hazard rollups (:mod:`app.hazards.rollups`) current on every flush.
"""
from __future__ import annotations

from flask import Flask

from app.hazards import operations, rollups
from app.registry.signals import enterprise_moved


def init_app(app: Flask) -> None:
    # A strong reference to a module function: one connection per process however many apps.
    enterprise_moved.connect(operations.on_enterprise_moved, weak=False)
    # The dashboard's rollups follow every flush that changes a hazard (app.hazards.rollups).
    rollups.init_app(app)
