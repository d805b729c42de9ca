"""How the escalation domain (零容忍, 约谈) is plugged into the application.

:func:`init_app` is called by ``create_app``. It subscribes the 零容忍 event rules to the hazard
domain's signals (:mod:`app.hazards.signals`), so a hazard's transition and its consequences
read side by side:

========================  ==========================================================
hazard signal             what follows (:mod:`app.escalation.rules`)
========================  ==========================================================
``hazard_created``        the officers hear of it; R1 (major) and R4 (repeat) checked
``hazard_transitioned``   on ``submit``: whoever re-checks hears of it (待复查);
                          on ``reject``: the officers hear of it; R3 checked
``hazard_updated``        a changed category: R4 checked again
========================  ==========================================================

subscribes its interviews and escalations to the registry's ``enterprise_moved`` (they take the
enterprise's new community, interviews with a ``move`` line in their trail), and starts the
periodic job that applies the time rules (R2 and reminders) in a server
process (:mod:`app.escalation.jobs`).
"""
from __future__ import annotations

from flask import Flask

from app.escalation import counting, jobs, operations, rules
from app.hazards import signals
from app.registry.signals import enterprise_moved


def init_app(app: Flask) -> None:
    # Strong references: the receivers are module functions, connected once per process (blinker
    # keeps one connection per receiver however many apps are created, e.g. in tests).
    signals.hazard_created.connect(rules.on_hazard_created, weak=False)
    signals.hazard_transitioned.connect(rules.on_hazard_transitioned, weak=False)
    signals.hazard_updated.connect(rules.on_hazard_updated, weak=False)
    enterprise_moved.connect(operations.on_enterprise_moved, weak=False)
    counting.init_app(app)   # the dashboard's escalation counts follow every flush
    jobs.init_app(app)
