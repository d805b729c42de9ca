"""Signals the registry domain (企业名录) sends; the domains whose records belong to an
enterprise subscribe.

Sent inside the transaction that caused them, after the change is flushed: a subscriber's writes
commit or roll back with it. Subscribers connect in their domain's ``wiring.init_app``, called
by ``create_app``.
"""
from blinker import Namespace

_signals = Namespace()

#: sent with ``enterprise=<Enterprise>`` (its new community already flushed),
#: ``move=<EnterpriseMove>``, ``note=<str>`` (the Chinese line for trails), ``actor_id`` and ``now``
#: when an enterprise moved to another community. Each receiver gives its records of the
#: enterprise the new community (:func:`app.registry.moves.carry`) and answers
#: ``{table: how many moved}``.
enterprise_moved = _signals.signal("enterprise-moved")
