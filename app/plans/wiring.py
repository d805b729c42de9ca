"""How the plans domain (检查计划, 检查任务) is plugged into the application: :func:`init_app`,
called by ``create_app``, subscribes it to the inspection and registry signals.

==========================  ==========================================================
signal                      what follows (:mod:`app.plans.operations`)
==========================  ==========================================================
``inspection_starting``     a ``task_id`` must be a task the inspector is sent on, of
                            that enterprise, not withdrawn (422/409, nothing stored)
``inspection_started``      the task has begun (no redraw from now on); a trail line
``inspection_finished``     on site, by an inspector of the task: the task is done
``enterprise_moved``        the enterprise's tasks take its new community
==========================  ==========================================================
"""
from __future__ import annotations

from flask import Flask

from app.inspections import signals
from app.plans import operations
from app.registry.signals import enterprise_moved


def init_app(app: Flask) -> None:
    # Strong references to module functions: one connection per process however many apps.
    signals.inspection_starting.connect(operations.on_inspection_starting, weak=False)
    signals.inspection_started.connect(operations.on_inspection_started, weak=False)
    signals.inspection_finished.connect(operations.on_inspection_finished, weak=False)
    enterprise_moved.connect(operations.on_enterprise_moved, weak=False)
