"""Signals the inspection domain (检查) sends; the plans domain (检查任务) subscribes.

Sent inside the request that caused them; a receiver's writes share its transaction. Receivers
connect in their domain's ``wiring.init_app``, called by ``create_app``.
"""
from blinker import Namespace

_signals = Namespace()

#: sent with ``inspection=<Inspection>`` (built, not yet stored), ``actor=<User>`` and
#: ``enterprise=<Enterprise>`` while an inspection is being started. A receiver refuses what it
#: cannot accept by raising a domain error (a ``task_id`` that is not the actor's: 422), and
#: nothing is stored.
inspection_starting = _signals.signal("inspection-starting")
#: sent with ``inspection=<Inspection>, actor=<User>`` after an inspection was started (stored and
#: flushed; not on an idempotent replay)
inspection_started = _signals.signal("inspection-started")
#: sent with ``inspection=<Inspection>, actor=<User>`` after an inspection was finished (its
#: ``ended_at`` flushed)
inspection_finished = _signals.signal("inspection-finished")
