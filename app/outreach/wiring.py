"""How outreach is plugged into the application: :func:`init_app`, called by ``create_app``.

==========================  ==========================================================
registry signal             what follows
==========================  ==========================================================
``enterprise_moved``        the enterprise's tips and bulletin receipts take its new
                            community (tips with a ``move`` line in their trail)
==========================  ==========================================================

and the periodic job that reminds supervisors of untriaged tips (:mod:`app.outreach.jobs`).
"""
from __future__ import annotations

from flask import Flask

from app.outreach import bulletins, jobs, tips
from app.registry.signals import enterprise_moved


def init_app(app: Flask) -> None:
    # Strong references to module functions: one connection per process however many apps.
    enterprise_moved.connect(tips.on_enterprise_moved, weak=False)
    enterprise_moved.connect(bulletins.on_enterprise_moved, weak=False)
    jobs.init_app(app)
