"""Signals the hazard domain sends; other domains (escalation, notifications) subscribe.

They are sent inside the request (or CLI run) that caused them, after the change is flushed and
before it is committed, so a subscriber's writes share the same transaction: the 零容忍 event
rules fire in the request that causes them, and roll back with it.

Subscribers connect in their domain's registration, called by ``create_app``: the 零容忍 rules
and inbox messages in :func:`app.escalation.wiring.init_app` (its docstring lists what follows
each signal).
"""
from blinker import Namespace

_signals = Namespace()

#: sent with ``hazard=<Hazard>, actor=<User>`` after a hazard is created (not on an idempotent
#: replay)
hazard_created = _signals.signal("hazard-created")
#: sent with ``hazard=<Hazard>, actor=<User|None>, event=<HazardEvent>, transition=<Transition>``
hazard_transitioned = _signals.signal("hazard-transitioned")
#: sent with ``hazard=<Hazard>, actor=<User>, event=<HazardEvent>, changed=<list of field names>``
#: after an edit (PATCH) changed something; the 零容忍 rules re-check what depends on those fields
hazard_updated = _signals.signal("hazard-updated")
