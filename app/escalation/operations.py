"""零容忍 escalations (升级) and 约谈 interviews: the service layer.

A *firing* of a rule for a hazard is one :class:`Escalation` row. Its unique ``(hazard_id,
rule)`` is the guarantee that a rule fires once per hazard: the row is written with
``INSERT … ON CONFLICT DO NOTHING`` and only the writer that actually inserted it goes on to flag
the hazard, attach the reason to the enterprise's open interview, notify and enqueue the
webhook. A process that loses the race (or evaluates the rule again next time) does nothing.

Services flush; the request (or the CLI/job runner) commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.core.db import insert_ignore, new_id
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.core.permissions import get_or_404, in_scope, require, scope_clause
from app.core.timeutil import local, utcnow
from app.core.workflow import apply
from app.errors import Conflict, Invalid, NotFound
from app.escalation import counting
from app.escalation.choices import RULES
from app.escalation.models import Escalation, Interview, InterviewEvent
from app.escalation.workflow import ACTION_FIELDS, INTERVIEW_WORKFLOW
from app.extensions import db
from app.hazards import rollups
from app.hazards.choices import MAJOR
from app.hazards.models import Hazard, HazardEvent
from app.notifications import choices as kinds
from app.notifications import webhooks
from app.notifications.operations import notify, officers_of, supervisors_of
from app.registry import moves
from app.registry.models import Community, Enterprise

#: The 409 a stale ``version`` gets (see app.core.models.expect_version).
STALE_INTERVIEW = ("约谈已被他人修改，请刷新后重试 / "
                   "The interview was changed by someone else; reload and try again.")
#: 实际约谈时间 may be a little ahead of the server's clock (a phone's clock drifts), no more.
HELD_AT_MAX_SKEW = timedelta(minutes=10)


# --------------------------------------------------------------------------- firing a rule
def fire(hazard: Hazard, rule: str, detail: str, *, now: datetime | None = None
         ) -> Escalation | None:
    """Fire ``rule`` for ``hazard`` unless it already fired; returns the new escalation or None.

    Marks the hazard ``escalated`` (a flag, not a state: the hazard's own workflow is untouched),
    writes a system ``escalate`` hazard event, attaches the reason to the enterprise's open
    interview (opening one when none is open), notifies the community's supervisors and queues
    the ``escalation.fired`` webhook.
    """
    assert rule in RULES, rule
    # ``now`` is the time the rule is evaluated as of (``flask escalate --now`` may simulate
    # it): the firing time and what follows from it (the interview's opening, the inbox, the
    # webhook) carry it. The append-only trails record when their lines were *written*, so they
    # stay in real order; the evaluated time goes into the line's data.
    written = utcnow()
    now = now or written
    escalation_id = new_id()
    inserted = insert_ignore(Escalation, dict(
        id=escalation_id, hazard_id=hazard.id, rule=rule, enterprise_id=hazard.enterprise_id,
        community_id=hazard.community_id, fired_at=now, detail=detail), ["hazard_id", "rule"])
    if not inserted:
        return None
    counting.count_inserted(Escalation, escalation_id)

    reason = _reason_line(rule, hazard, detail)
    reason_data = {"rule": rule, "hazard_id": hazard.id, "escalation_id": escalation_id}
    interview, opened = _open_interview_for(hazard.enterprise_id, hazard.community_id,
                                            situation=reason, data=reason_data, now=now,
                                            written=written)
    db.session.execute(update(Escalation).where(Escalation.id == escalation_id)
                       .values(interview_id=interview.id)
                       .execution_options(synchronize_session=False))
    # The flag is set without bumping the hazard's version: a system flag must not turn a
    # client's pending update (perhaps queued offline) into a 409 stale-version conflict.
    db.session.execute(update(Hazard).where(Hazard.id == hazard.id)
                       .values(escalated=True, updated_at=written)
                       .execution_options(synchronize_session=False))
    set_committed_value(hazard, "escalated", True)
    set_committed_value(hazard, "updated_at", written)

    db.session.add(HazardEvent(
        hazard_id=hazard.id, actor_id=None, action="escalate", from_state=hazard.state,
        to_state=hazard.state, at=written, note=f"{rule} {RULES.label(rule, 'zh')}：{detail}",
        data={"rule": rule, "escalation_id": escalation_id, "interview_id": interview.id,
              "evaluated_at": now.isoformat()}))
    if not opened:  # a new interview's "open" event already names this first reason
        db.session.add(InterviewEvent(
            interview_id=interview.id, actor_id=None, action="attach",
            from_state=interview.state, to_state=interview.state, at=written, note=reason,
            data={**reason_data, "evaluated_at": now.isoformat()}))
    db.session.flush()

    enterprise = db.session.get(Enterprise, hazard.enterprise_id)
    notify(supervisors_of(hazard.community_id), kind=kinds.ESCALATION,
           title=f"零容忍升级 {rule}：{enterprise.name}", body=_reason_line(rule, hazard, detail),
           subject_type="interview", subject_id=interview.id, now=now)
    if rule == "R2":
        notify(officers_of(hazard.enterprise_id), kind=kinds.HAZARD_OVERDUE,
               title=f"隐患逾期未整改：{hazard.title}", body=detail, subject_type="hazard",
               subject_id=hazard.id, now=now)
    webhooks.enqueue(kinds.EVENT_ESCALATION, {
        "escalation_id": escalation_id, "rule": rule, "rule_label": RULES.labels(rule),
        "detail": detail,
        "fired_at": now.isoformat(), "interview_id": interview.id,
        "hazard": {"id": hazard.id, "title": hazard.title, "level": hazard.level,
                   "category": hazard.category, "state": hazard.state,
                   "deadline": hazard.deadline.isoformat() if hazard.deadline else None,
                   "found_at": hazard.found_at.isoformat()},
        "enterprise": {"id": enterprise.id, "name": enterprise.name,
                       "credit_code": enterprise.credit_code,
                       "community_id": enterprise.community_id},
    }, now=now)
    return db.session.get(Escalation, escalation_id)


def _reason_line(rule: str, hazard: Hazard, detail: str) -> str:
    return f"{rule} {RULES.label(rule, 'zh')}｜{hazard.title}｜{detail}"


def _default_convener(community_id: str) -> str:
    """约谈方: the 街道's leadership group (its office sits in the 综合执法队)."""
    community = db.session.get(Community, community_id)
    street = community.street if community is not None and community.street else "街道"
    return f"{street}安全生产领导小组"


def _open_interview_for(enterprise_id: str, community_id: str, *, situation: str,
                        data: dict, now: datetime, written: datetime
                        ) -> tuple[Interview, bool]:
    """The enterprise's open interview, created in state 待约谈 when there is none.

    ``now`` is the decision's (evaluated) time, the interview's ``created_at``; ``written``
    the real time its ``open`` event is stamped with, so the interview's trail stays in order.

    ``open_slot`` (= enterprise id while open) is unique, so of two processes opening at once
    one inserts and the other's ``ON CONFLICT DO NOTHING`` does nothing and re-reads the winner.
    """
    # Locked, so a supervisor closing it at this moment either finishes first (the row then no
    # longer matches and a new interview is opened) or waits until this reason is attached.
    current = (select(Interview).where(Interview.open_slot == enterprise_id).with_for_update()
               .execution_options(populate_existing=True))
    interview = db.session.scalar(current)
    if interview is not None:
        return interview, False
    interview_id = new_id()
    inserted = insert_ignore(Interview, dict(
        id=interview_id, enterprise_id=enterprise_id, community_id=community_id,
        state=INTERVIEW_WORKFLOW.initial, open_slot=enterprise_id,
        convener=_default_convener(community_id), situation=situation, created_at=now,
        updated_at=now, version=1), ["open_slot"])
    interview = db.session.scalar(current)
    if inserted:
        counting.count_inserted(Interview, interview_id)
        db.session.add(InterviewEvent(interview_id=interview.id, actor_id=None, action="open",
                                      from_state=None, to_state=interview.state, at=written,
                                      note=situation,
                                      data={**data, "evaluated_at": now.isoformat()}))
        db.session.flush()
    return interview, bool(inserted)


# --------------------------------------------------------------------------- interviews
def open_interview(actor, *, enterprise_id: str, situation: str, interview_id: str | None = None,
                   now: datetime | None = None) -> tuple[Interview, bool]:
    """Open a 约谈 by hand (a supervisor's decision); returns ``(interview, created)``.

    A client-chosen ``id`` sent again with the same body answers the stored interview; with a
    different body, or while another interview of the enterprise is still open, 409.
    """
    require(actor, "interview.open")
    now = now or utcnow()
    if interview_id is not None:
        existing = db.session.get(Interview, str(interview_id))
        if existing is not None:
            if not in_scope(actor, existing):
                raise NotFound("约谈不存在 / Interview not found.")
            if existing.enterprise_id != enterprise_id or existing.situation != situation:
                raise Conflict("该编号的约谈已存在且内容不同 / "
                               "An interview with this id already exists with different "
                               "content.", field="id")
            return _detailed(actor, existing), False
    # FOR SHARE: see app.registry.moves (a record never keeps a community left behind).
    enterprise = db.session.get(Enterprise, str(enterprise_id), with_for_update={"read": True})
    if enterprise is None or not in_scope(actor, enterprise):
        raise Invalid("企业不存在 / Unknown enterprise.", field="enterprise_id")
    current = db.session.scalar(select(Interview).where(Interview.open_slot == enterprise.id))
    if current is not None:
        raise Conflict(f"该企业已有未结案的约谈（{current.id}），请在该约谈中追加事由 / "
                       f"The enterprise already has an open interview ({current.id}); "
                       "add to it instead.", field="enterprise_id")
    new_id_ = str(interview_id) if interview_id else new_id()
    inserted = insert_ignore(Interview, dict(
        id=new_id_, enterprise_id=enterprise.id, community_id=enterprise.community_id,
        state=INTERVIEW_WORKFLOW.initial, open_slot=enterprise.id,
        convener=_default_convener(enterprise.community_id), situation=situation,
        created_at=now, updated_at=now, version=1), ["open_slot"])
    if not inserted:  # another request opened one in between
        raise Conflict("该企业已有未结案的约谈 / The enterprise already has an open interview.",
                       field="enterprise_id")
    counting.count_inserted(Interview, new_id_)
    interview = db.session.get(Interview, new_id_)
    db.session.add(InterviewEvent(interview_id=interview.id, actor_id=actor.id, action="open",
                                  from_state=None, to_state=interview.state, at=now,
                                  note=situation))
    db.session.flush()
    notify(supervisors_of(interview.community_id), kind=kinds.INTERVIEW_OPENED,
           title=f"待约谈：{enterprise.name}", body=situation, subject_type="interview",
           subject_id=interview.id, exclude=actor, now=now)
    return _detailed(actor, interview), True


def get_interview(user, interview_id: str, *, for_update: bool = False) -> Interview:
    """One interview in the user's scope (an officer: its own enterprise's), else 404.

    ``for_update`` locks the row so that concurrent transitions queue behind each other and the
    later one sees the new version (409), instead of racing to the same UPDATE; such a read is
    about to change, and :func:`transition_interview` gathers the details of its outcome.
    """
    interview = get_or_404(Interview, interview_id, user, for_update=for_update)
    return interview if for_update else _detailed(user, interview)


def _detailed(user, interview: Interview) -> Interview:
    """``interview`` with what its full answer shows, a query for each kind of detail whatever
    their number: its reasons with their hazards, its trail with the actors, and
    ``allowed_actions``, what ``user`` may do with it now."""
    reasons = db.session.scalars(
        select(Escalation).where(Escalation.interview_id == interview.id)
        .options(selectinload(Escalation.hazard)).order_by(Escalation.fired_at)).all()
    set_committed_value(interview, "reasons", reasons)
    events = db.session.scalars(
        select(InterviewEvent).where(InterviewEvent.interview_id == interview.id)
        .options(selectinload(InterviewEvent.actor))
        .order_by(InterviewEvent.at, InterviewEvent.id)).all()
    set_committed_value(interview, "events", events)
    interview.allowed_actions = INTERVIEW_WORKFLOW.allowed_actions(interview.state, user.role)
    return interview


def interview_filter(user, args: dict, now: datetime | None = None):
    """The WHERE clause of the interview list for ``args`` (``state``: a list of states,
    ``enterprise_id``, ``community_id``, ``overdue``: the follow-up as of ``now``), within the
    user's scope. The interview ledger (约谈台账) lists the same interviews by it."""
    conditions = [scope_clause(user, Interview)]
    if args.get("state"):
        conditions.append(Interview.state.in_(args["state"]))
    for name in ("enterprise_id", "community_id"):
        if args.get(name):
            conditions.append(getattr(Interview, name) == args[name])
    follow_up_due = Interview.follow_up_overdue_at(now or utcnow())
    if args.get("overdue") is True:
        conditions.append(follow_up_due)
    elif args.get("overdue") is False:
        conditions.append(~follow_up_due)
    return and_(*conditions)


def list_interviews(user, *, state=None, enterprise_id=None, community_id=None, overdue=None,
                    page=1, per_page=20, now=None) -> Page:
    query = (select(Interview).where(interview_filter(user, {
        "state": state, "enterprise_id": enterprise_id, "community_id": community_id,
        "overdue": overdue}, now))
             .options(selectinload(Interview.enterprise),
                      selectinload(Interview.reasons).selectinload(Escalation.hazard)))
    return paginate(query.order_by(Interview.created_at.desc(), Interview.id), page, per_page)


def transition_interview(interview: Interview, actor, data: dict, *,
                         now: datetime | None = None) -> Interview:
    """Move an interview by ``data["action"]`` and record the fields that step takes.

    409 for a stale ``version`` or an action the table has no row for in this state; 403 for a
    role the row does not name; 422 naming every missing field, or a field the action does not
    take. Each step writes one :class:`InterviewEvent` carrying what was recorded.
    """
    now = now or utcnow()
    action = data["action"]
    expect_version(interview, data["version"], STALE_INTERVIEW)
    given = {k: v for k, v in data.items() if k not in ("action", "version")}

    def check_and_record(_transition):
        spec = ACTION_FIELDS[action]
        action_zh = INTERVIEW_WORKFLOW.action_label(action, "zh")
        action_en = INTERVIEW_WORKFLOW.action_label(action, "en")
        errors: dict[str, list[str]] = {}
        for name in spec["required"]:
            value = given.get(name)
            if value is None or (isinstance(value, (str, list)) and not value):
                errors.setdefault(name, []).append(
                    f"“{action_zh}”时必填 / Required to '{action_en}'.")
        for name in given:
            if name not in spec["required"] and name not in spec["optional"]:
                errors.setdefault(name, []).append(
                    f"“{action_zh}”不接受此项 / Not taken by action '{action_en}'.")
        scheduled_at = given.get("scheduled_at") or interview.scheduled_at
        if action == "hold":
            given["held_at"] = resolve_held_at(interview, given.get("held_at"), now, errors)
        deadline = given.get("follow_up_deadline")
        after = given.get("held_at") or scheduled_at
        if deadline is not None and after is not None and deadline <= after:
            errors.setdefault("follow_up_deadline", []).append(
                "应晚于约谈时间 / Must be later than the time of the interview.")
        if errors:
            names = ", ".join(sorted(errors))
            raise Invalid(f"以下字段有误：{names} / The request has invalid fields: {names}",
                          errors=errors)
        for name, value in given.items():
            if name != "note":
                setattr(interview, name, value)
        if action == "close":
            interview.closed_at = now
            interview.open_slot = None  # frees the slot: the next escalation opens a new one

    from_state = interview.state
    apply(INTERVIEW_WORKFLOW, interview, action, actor, guard=check_and_record,
          make_event=lambda transition, **_: InterviewEvent(
              interview_id=interview.id, actor_id=actor.id, action=action,
              from_state=from_state, to_state=transition.target, at=now, note=given.get("note"),
              data=_jsonable({k: v for k, v in given.items() if k != "note"})))

    enterprise = interview.enterprise
    if action in ("schedule", "reschedule"):
        when = local(interview.scheduled_at).strftime("%Y-%m-%d %H:%M")
        notify(officers_of(interview.enterprise_id), kind=kinds.INTERVIEW_SCHEDULED,
               title=f"约谈通知：{when} {interview.place or ''}".strip(),
               body=f"{interview.convener}定于{when}在{interview.place or '—'}约谈"
                    f"{enterprise.name}主要负责人，请本人准时参加。"
                    f"事由：{interview.situation or ''}",
               subject_type="interview", subject_id=interview.id, now=now)
    elif action == "hold":
        due = local(interview.follow_up_deadline).strftime("%Y-%m-%d")
        notify(officers_of(interview.enterprise_id), kind=kinds.INTERVIEW_HELD,
               title=f"约谈纪要：请于{due}前书面回复整改情况",
               body=f"整改要求：{interview.requirements or '—'}\n承诺事项：{interview.commitments}",
               subject_type="interview", subject_id=interview.id, now=now)
    webhooks.enqueue(kinds.EVENT_INTERVIEW.format(action=action), {
        "interview_id": interview.id, "action": action, "state": interview.state,
        "enterprise": {"id": enterprise.id, "name": enterprise.name},
        "community_id": interview.community_id,
        "fields": _jsonable({k: v for k, v in given.items() if k != "note"}),
    }, now=now)
    return _detailed(actor, interview)  # its trail has one more line now


def resolve_held_at(interview: Interview, given: datetime | None, now: datetime,
                    errors: dict[str, list[str]]) -> datetime | None:
    """实际约谈时间 as the note-taker sets it (``given``), or else the scheduled time (the moment
    of recording if that is still to come). A time given is bounded: not later than now (phone
    clocks drift by :data:`HELD_AT_MAX_SKEW` at most), not before the interview was opened; a
    time outside is named in ``errors``."""
    if given is None:
        scheduled = interview.scheduled_at
        return scheduled if scheduled is not None and scheduled <= now else now
    if given > now + HELD_AT_MAX_SKEW:
        errors.setdefault("held_at", []).append(
            "实际约谈时间不能晚于当前时间 / The interview cannot have been held in the future.")
    elif interview.created_at is not None and given < interview.created_at:
        opened = local(interview.created_at).strftime("%Y-%m-%d %H:%M")
        errors.setdefault("held_at", []).append(
            f"实际约谈时间不能早于约谈立项时间（{opened}） / The interview cannot have been held "
            f"before it was opened ({opened}).")
    return given


def _jsonable(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}




# --------------------------------------------------------------------------- hazards
def hazard_escalations(user, hazard_id: str) -> list[Escalation]:
    """The reasons a hazard escalated (in the user's scope, else 404)."""
    hazard = get_or_404(Hazard, hazard_id, user)
    return list(db.session.scalars(select(Escalation).where(Escalation.hazard_id == hazard.id)
                                   .order_by(Escalation.fired_at, Escalation.rule)))


def listed_major_hazards(user, *, community_id=None, enterprise_id=None, overdue=None, page=1,
                         per_page=20, now=None) -> Page:
    """挂牌督办: major hazards in scope that are not yet closed (销号), earliest deadline first,
    each with ``fired_rules``, the 零容忍 rules that fired for it."""
    now = now or utcnow()
    query = (select(Hazard).where(scope_clause(user, Hazard), Hazard.level == MAJOR,
                                  Hazard.is_open)
             .options(selectinload(Hazard.enterprise)))
    if community_id:
        query = query.where(Hazard.community_id == community_id)
    if enterprise_id:
        query = query.where(Hazard.enterprise_id == enterprise_id)
    late = Hazard.overdue_at(now)
    if overdue is True:
        query = query.where(late)
    elif overdue is False:
        query = query.where(~late)
    listed = paginate(query.order_by(Hazard.deadline, Hazard.id), page, per_page)
    rules = fired_rules([hazard.id for hazard in listed.items])
    for hazard in listed.items:
        hazard.fired_rules = rules.get(hazard.id, [])
    return listed


def fired_rules(hazard_ids) -> dict[str, list[str]]:
    rows = db.session.execute(select(Escalation.hazard_id, Escalation.rule).where(
        Escalation.hazard_id.in_(list(hazard_ids))).order_by(Escalation.rule)) if hazard_ids \
        else []
    result: dict[str, list[str]] = {}
    for hazard_id, rule in rows:
        result.setdefault(hazard_id, []).append(rule)
    return result


def not_fired(rule: str):
    """SQL: no escalation of ``rule`` exists yet for the hazard."""
    return ~exists().where(Escalation.hazard_id == Hazard.id, Escalation.rule == rule)


def on_enterprise_moved(enterprise, *, move, note: str, actor_id, now, **_) -> dict:
    """The enterprise's interviews (each with a ``move`` line in its trail) and escalations
    follow it to its new community (:data:`app.registry.signals.enterprise_moved`)."""
    # the dashboard's counts of both (app.escalation.counting) follow them
    delta = rollups.Delta()

    def facts():
        return (counting.escalation_facts(Escalation.enterprise_id == enterprise.id)
                + counting.interview_facts(Interview.enterprise_id == enterprise.id))
    counting.add_facts(delta, facts(), -1)
    interviews = moves.carry(Interview, enterprise)
    for interview_id, state in interviews:
        db.session.add(InterviewEvent(interview_id=interview_id, actor_id=actor_id,
                                      action=moves.MOVE, from_state=state, to_state=state,
                                      at=now, note=note, data=moves.move_data(move)))
    carried = moves.carry(Escalation, enterprise)
    counting.add_facts(delta, facts(), +1)
    delta.apply()
    return {"interviews": len(interviews), "escalations": len(carried)}

