"""The transition-table machinery behind every state machine in Anxun.

A workflow is one table of ``(state, action) -> (next state, roles)``; a row may narrow its
roles on some records by a :class:`Restriction` (closing a *major* hazard is the supervisor's).
Services call :func:`apply`; it refuses anything not in the table (409, nothing changed), refuses
a role the row does not name or its restriction excludes (403), assigns the next state and
appends the event row. :meth:`Workflow.actions_for` answers from the same rows what a role may
do to a record now. Nothing else in the code base assigns a state.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.core.choices import ChoiceSet
from app.errors import Conflict, Forbidden
from app.extensions import db


@dataclass(frozen=True)
class Restriction:
    """Fewer roles for one transition on the records ``applies`` to: only ``roles`` may then
    take it, and the others are refused with ``message`` (403 naming ``action``)."""

    applies: Callable[[object], bool]
    roles: frozenset[str]
    message: str


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]
    restriction: Restriction | None = None

    def roles_for(self, record) -> frozenset[str]:
        """The roles that may take this transition on ``record`` (its restriction applied)."""
        if self.restriction is not None and self.restriction.applies(record):
            return self.roles & self.restriction.roles
        return self.roles


@dataclass
class Workflow:
    """A named transition table; ``initial`` is the state of a new record. ``states`` and
    ``action_choices`` are the domain's choice sets: what a message names, it names by label."""

    name: str
    initial: str
    states: ChoiceSet
    #: ``(source state(s), action, target, roles)``, optionally a fifth item, a Restriction.
    rows: Iterable[tuple]
    action_choices: ChoiceSet
    _table: dict[tuple[str, str], Transition] = field(init=False, repr=False)

    def __post_init__(self):
        self._table = {}
        for sources, action, target, roles, *restriction in self.rows:
            for source in ([sources] if isinstance(sources, str) else sources):
                assert source in self.states and target in self.states, (source, target)
                key = (source, action)
                assert key not in self._table, f"duplicate transition {key}"
                self._table[key] = Transition(source, action, target, frozenset(roles),
                                              *restriction)

    @property
    def actions(self) -> set[str]:
        return {action for _, action in self._table}

    @property
    def transitions(self) -> list[Transition]:
        return list(self._table.values())

    def state_label(self, state: str, lang: str | None = None) -> str:
        return self.states.label(state, lang)

    def action_label(self, action: str, lang: str | None = None) -> str:
        return self.action_choices.label(action, lang)

    def lookup(self, state: str, action: str) -> Transition:
        try:
            return self._table[(state, action)]
        except KeyError:
            raise Conflict(f"“{self.state_label(state, 'zh')}”状态下不能"
                           f"“{self.action_label(action, 'zh')}” / Action "
                           f"'{self.action_label(action, 'en')}' is not possible in state "
                           f"'{self.state_label(state, 'en')}'.", field="action") from None

    def allowed_actions(self, state: str, role: str) -> list[str]:
        """What ``role`` may do in ``state`` by the rows alone, for a workflow without
        restrictions; :meth:`actions_for` answers for one record."""
        return sorted(t.action for t in self._table.values()
                      if t.source == state and role in t.roles)

    def actions_for(self, record, role: str) -> list[str]:
        """What ``role`` may do to ``record`` now: exactly what :func:`apply` lets it do
        (domain guards such as a required photo aside)."""
        return sorted(t.action for t in self._table.values()
                      if t.source == record.state and role in t.roles_for(record))


def apply(workflow: Workflow, record, action: str, actor, *, make_event: Callable[..., object],
          guard: Callable[[Transition], None] | None = None, **event_fields):
    """Move ``record`` along ``workflow`` by ``action`` on behalf of ``actor``.

    ``guard`` runs after the table and role checks, before anything changes: it raises a domain
    error for rules the table cannot express (a note required, a photo required, …).
    ``make_event(transition=…, **event_fields)`` builds the event row, which is added and flushed
    together with the new state. Returns ``(transition, event)``.
    """
    transition = workflow.lookup(record.state, action)
    if actor.role not in transition.roles:
        raise Forbidden(f"您的角色无权在此“{workflow.action_label(action, 'zh')}” / Your role "
                        f"may not take the action '{workflow.action_label(action, 'en')}' here.",
                        field="action")
    if actor.role not in transition.roles_for(record):
        raise Forbidden(transition.restriction.message, field="action")
    if guard is not None:
        guard(transition)
    record.state = transition.target
    event = make_event(transition=transition, **event_fields)
    db.session.add(event)
    db.session.flush()
    return transition, event
