"""Plan (检查计划) and task (检查任务) services: create, draw (双随机), cancel, read, and what
follows an inspection started from a task.

Every change of state goes through :func:`app.core.workflow.apply` with the tables of
:mod:`app.plans.workflow` and writes a :class:`PlanEvent`; services flush, the request commits.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User
from app.core.db import new_id
from app.core.idempotency import CreateResult, create_or_replay, payload_hash
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.core.permissions import can, require
from app.core.timeutil import SHANGHAI, utcnow
from app.core.workflow import apply
from app.errors import Conflict, Invalid
from app.extensions import db
from app.inspections.models import Inspection
from app.plans import draw as drawing
from app.plans.choices import DONE, DRAFT, DRAW_WEIGHTS, OPEN, OVERDUE, WITHDRAWN
from app.plans.models import Plan, PlanEvent, PlanTask
from app.plans.scope import (get_plan_or_404, get_task_or_404, plan_in_scope, plan_scope_clause,
                             reach_plans, reach_tasks, task_scope_clause)
from app.plans.workflow import PLAN_WORKFLOW, TASK_WORKFLOW
from app.registry import moves
from app.registry.models import Community, Enterprise

STALE_PLAN = ("检查计划已更新为第 {current} 版（您提交的是第 {sent} 版），请刷新后重试 / "
              "The plan is at version {current}, not {sent}; reload and try again.")
BEGUN = ("计划中已有任务开始检查，不能再重新抽取或撤销 / A task of this plan has begun: the plan "
         "can no longer be drawn again or cancelled.")


def today() -> date:
    """Today on the Shanghai clock: what 今日 and 逾期 mean."""
    return utcnow().astimezone(SHANGHAI).date()


def _event(plan, actor, action: str, *, task=None, from_state=None, to_state=None,
           data: dict | None = None, event_id: str | None = None,
           at: datetime | None = None) -> PlanEvent:
    event = PlanEvent(id=event_id or new_id(), plan_id=plan.id,
                      task_id=task.id if task is not None else None,
                      actor_id=actor.id if actor is not None else None, action=action,
                      from_state=from_state, to_state=to_state, at=at or utcnow(),
                      data=data or None)
    db.session.add(event)
    return event


# --------------------------------------------------------------------------- eligibility
def _pool_users(user_ids) -> list[User]:
    return list(db.session.scalars(select(User).where(User.id.in_(list(user_ids)))))


def _pool_map(plan: Plan) -> dict[str, set[str]]:
    """``{inspector id: communities they work in, of the plan's}`` for the pool members who can
    inspect today (an account disabled since the plan was made drops out)."""
    covered = {c.id for c in plan.communities}
    return {u.id: set(u.community_ids) & covered for u in plan.inspectors
            if u.active and can(u, "inspection.create")}


def eligible(plan: Plan, pool: dict[str, set[str]]) -> list[drawing.Candidate]:
    """The enterprises the plan may draw: in its communities, of its industries and risk
    colours (none named: all), in a community where at least ``inspectors_per_task`` of the
    pool work. Their weight is DRAW_WEIGHTS of their colour (1 when not weighted)."""
    staffed = [c.id for c in plan.communities
               if sum(1 for communities in pool.values() if c.id in communities)
               >= plan.inspectors_per_task]
    if not staffed:
        return []
    conditions = [Enterprise.community_id.in_(staffed)]
    if plan.industries:
        conditions.append(Enterprise.industry.in_(plan.industries))
    if plan.risk_levels:
        conditions.append(Enterprise.risk_level.in_(plan.risk_levels))
    rows = db.session.execute(select(Enterprise.id, Enterprise.community_id,
                                     Enterprise.risk_level)
                              .where(and_(*conditions)).order_by(Enterprise.id)).all()
    return [drawing.Candidate(row.id, row.community_id,
                              DRAW_WEIGHTS.get(row.risk_level, 1) if plan.weighted else 1)
            for row in rows]


def _too_many(count: int, available: int) -> Invalid:
    return Invalid(f"要抽取 {count} 家企业，但符合条件的只有 {available} 家 / {count} "
                   f"enterprises to draw, but only {available} are eligible.", field="count")


# --------------------------------------------------------------------------- create (制定计划)
def pool_candidates(user, community_id: str | None) -> list[User]:
    """Who a plan of ``user``'s may draw from (its form's list): active accounts that inspect,
    working in the community named (else in any of ``user``'s), by name."""
    reach_plans(user)
    require(user, "plan.manage")
    communities = {c.id for c in _covered_communities(user, community_id)}
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.display_name, User.id))
    return [u for u in people
            if can(u, "inspection.create") and communities & set(u.community_ids)]



def _covered_communities(user, community_id: str | None) -> list[Community]:
    mine = set(user.community_ids)
    if community_id is not None:
        community = db.session.get(Community, community_id)
        if community is None or community.id not in mine:
            raise Invalid("社区不存在 / Unknown community.", field="community_id")
        return [community]
    communities = list(db.session.scalars(select(Community).where(Community.id.in_(mine))
                                          .order_by(Community.name)))
    if not communities:
        raise Invalid("您没有可制定计划的社区 / You have no community to plan for.",
                      field="community_id")
    return communities


def _check_pool(inspector_ids: list[str], communities: list[Community]) -> list[User]:
    covered = {c.id for c in communities}
    users = {u.id: u for u in _pool_users(inspector_ids)}
    for inspector_id in inspector_ids:
        member = users.get(inspector_id)
        if (member is None or not member.active or not can(member, "inspection.create")
                or not covered & set(member.community_ids)):
            who = member.display_name if member is not None else inspector_id
            where = communities[0].name if len(communities) == 1 else "计划所含的社区"
            raise Invalid(f"检查人员“{who}”（{inspector_id}）不能参加：账号不存在、已停用、不做检查"
                          f"或不在{where}工作 / Inspector {inspector_id} cannot take part: "
                          "unknown, disabled, not an inspector, or not working in the plan's "
                          "communities.", field="inspector_ids")
    return [users[i] for i in inspector_ids]


def create_plan(user, data: dict) -> CreateResult:
    """制定检查计划 (idempotent by client id): checked whole, then stored as a draft."""
    reach_plans(user)
    require(user, "plan.manage")

    def build(plan_id: str, body_hash: str) -> Plan:
        if data["due_on"] < data["starts_on"]:
            raise Invalid("截止日期早于开始日期 / due_on is before starts_on.", field="due_on")
        if data["due_on"] < today():
            raise Invalid("截止日期已过 / due_on is in the past.", field="due_on")
        communities = _covered_communities(user, data.get("community_id"))
        inspector_ids = list(dict.fromkeys(data["inspector_ids"]))
        pool = _check_pool(inspector_ids, communities)
        if data["inspectors_per_task"] > len(pool):
            raise Invalid(f"每项任务需 {data['inspectors_per_task']} 名检查人员，人员库只有 "
                          f"{len(pool)} 名 / Each task needs {data['inspectors_per_task']} "
                          f"inspectors, the pool has {len(pool)}.", field="inspectors_per_task")
        plan = Plan(id=plan_id, payload_hash=body_hash, name=data["name"].strip(),
                    kind=data["kind"], state=PLAN_WORKFLOW.initial,
                    community_id=data.get("community_id"), starts_on=data["starts_on"],
                    due_on=data["due_on"], industries=list(data.get("industries") or []),
                    risk_levels=list(data.get("risk_levels") or []),
                    weighted=data.get("weighted", True), count=data["count"],
                    inspectors_per_task=data["inspectors_per_task"],
                    note=(data.get("note") or "").strip() or None, author_id=user.id,
                    communities=communities, inspectors=pool)
        available = len(eligible(plan, _pool_map(plan)))
        if plan.count > available:
            raise _too_many(plan.count, available)
        return plan

    result = create_or_replay(Plan, data.get("id"), data, build, user=user, scope=plan_in_scope)
    if result.created:
        plan = result.record
        _event(plan, user, "create", to_state=plan.state,
               data={"count": plan.count, "inspector_ids": [u.id for u in plan.inspectors]})
        db.session.flush()
    _detailed(user, result.record)
    return result


# --------------------------------------------------------------------------- draw (双随机)
def _begun(plan: Plan) -> bool:
    """Whether any task of the plan has begun: an inspection was started from it."""
    return db.session.scalar(select(func.count()).select_from(PlanTask).where(
        PlanTask.plan_id == plan.id, PlanTask.begun_at.is_not(None))) > 0


def _open_tasks(plan: Plan) -> list[PlanTask]:
    return list(db.session.scalars(select(PlanTask).where(
        PlanTask.plan_id == plan.id, PlanTask.state == OPEN).order_by(PlanTask.position)))


def _withdraw(plan: Plan, actor, now: datetime) -> None:
    for task in _open_tasks(plan):
        apply(TASK_WORKFLOW, task, "withdraw", actor, make_event=lambda transition, task=task: (
            _new_event(plan, actor, transition, task=task, at=now)))


def _new_event(plan, actor, transition, *, task=None, data=None, event_id=None, at=None):
    return PlanEvent(id=event_id or new_id(), plan_id=plan.id,
                     task_id=task.id if task is not None else None, actor_id=actor.id,
                     action=transition.action, from_state=transition.source,
                     to_state=transition.target, at=at or utcnow(), data=data or None)


def _replayed(plan: Plan, event_id: str | None, body_hash: str) -> bool:
    """Whether ``event_id`` names a change already made to ``plan`` with this body (the outbox
    or a double tap sending it again); another body under that id is a 409."""
    if not event_id:
        return False
    prior = db.session.get(PlanEvent, event_id)
    if prior is None:
        return False
    if prior.plan_id != plan.id or (prior.data or {}).get("payload_hash") != body_hash:
        raise Conflict("该操作编号已用于另一次变更 / "
                       "This id was already used for a different change.", field="id")
    return True


def draw_plan(user, plan_id: str, data: dict) -> tuple[Plan, bool]:
    """随机抽取: pick ``count`` enterprises and their inspectors with a recorded seed (see
    :mod:`app.plans.draw`); drawing again withdraws the tasks of the last draw, and is refused
    (409) once one has begun. Returns ``(plan, replayed)``."""
    reach_plans(user)
    plan = get_plan_or_404(plan_id, user, for_update=True)
    require(user, "plan.manage")
    body_hash = payload_hash(data)
    if _replayed(plan, data.get("id"), body_hash):
        return _detailed(user, plan), True
    if data.get("version") is not None:
        expect_version(plan, data["version"], STALE_PLAN)
    action = "draw" if plan.state == DRAFT else "redraw"
    seed = data.get("seed") or secrets.token_hex(8)
    now = utcnow()
    record: dict = {}

    def guard(transition):
        if transition.action == "redraw" and _begun(plan):
            raise Conflict(BEGUN, field="state")
        pool = _pool_map(plan)
        candidates = eligible(plan, pool)
        if plan.count > len(candidates):
            raise _too_many(plan.count, len(candidates))
        tasks = drawing.draw(seed, candidates, pool, plan.count, plan.inspectors_per_task)
        draws = db.session.scalar(select(func.count()).select_from(PlanEvent).where(
            PlanEvent.plan_id == plan.id, PlanEvent.action.in_(("draw", "redraw"))))
        record.update({
            "payload_hash": body_hash, "draw_no": draws + 1, "algorithm": drawing.ALGORITHM,
            "seed": seed, "count": plan.count, "inspectors_per_task": plan.inspectors_per_task,
            "weighted": plan.weighted, "weights": DRAW_WEIGHTS if plan.weighted else {},
            "eligible": [[c.id, c.community_id, c.weight] for c in candidates],
            "pool": {i: sorted(communities) for i, communities in sorted(pool.items())},
            "tasks": [[t.enterprise_id, list(t.inspector_ids)] for t in tasks]})

    try:
        apply(PLAN_WORKFLOW, plan, action, user, guard=guard, make_event=lambda transition: (
            _new_event(plan, user, transition, data=record, event_id=data.get("id"), at=now)))
        _withdraw(plan, user, now)
        communities = dict(db.session.execute(select(Enterprise.id, Enterprise.community_id)
                                              .where(Enterprise.id.in_(
                                                  [t[0] for t in record["tasks"]]))).all())
        people = {u.id: u for u in _pool_users(record["pool"])}
        for position, (enterprise_id, inspector_ids) in enumerate(record["tasks"], start=1):
            db.session.add(PlanTask(
                plan_id=plan.id, enterprise_id=enterprise_id,
                community_id=communities[enterprise_id], position=position,
                draw_no=record["draw_no"], starts_on=plan.starts_on, due_on=plan.due_on,
                state=TASK_WORKFLOW.initial, inspectors=[people[i] for i in inspector_ids]))
        plan.seed, plan.drawn_at, plan.drawn_by_id = seed, now, user.id
        db.session.flush()
    except StaleDataError:
        raise Conflict("计划或任务已被他人修改，请刷新后重试 / The plan or a task was changed "
                       "by someone else; reload and try again.", field="version") from None
    return _detailed(user, plan), False


def cancel_plan(user, plan_id: str, data: dict) -> Plan:
    """撤销计划: before any task has begun; its open tasks are withdrawn."""
    reach_plans(user)
    plan = get_plan_or_404(plan_id, user, for_update=True)
    require(user, "plan.manage")
    expect_version(plan, data["version"], STALE_PLAN)
    now = utcnow()
    note = (data.get("note") or "").strip() or None

    def guard(_transition):
        if _begun(plan):
            raise Conflict(BEGUN, field="state")

    try:
        apply(PLAN_WORKFLOW, plan, "cancel", user, guard=guard, make_event=lambda transition: (
            _new_event(plan, user, transition, data={"note": note} if note else None, at=now)))
        _withdraw(plan, user, now)
        db.session.flush()
    except StaleDataError:
        raise Conflict("计划或任务已被他人修改，请刷新后重试 / The plan or a task was changed "
                       "by someone else; reload and try again.", field="version") from None
    return _detailed(user, plan)


# --------------------------------------------------------------------------- reading
def _task_figures(plan_ids: list[str]) -> dict[str, dict]:
    """``{plan id: {total, open, overdue, done}}`` of the current tasks (not withdrawn), in one
    query."""
    figures = {pid: {"total": 0, OPEN: 0, OVERDUE: 0, DONE: 0} for pid in plan_ids}
    if not plan_ids:
        return figures
    overdue = PlanTask.overdue_on(today())
    rows = db.session.execute(
        select(PlanTask.plan_id, PlanTask.state, overdue.label("late"), func.count())
        .where(PlanTask.plan_id.in_(plan_ids), PlanTask.state != WITHDRAWN)
        .group_by(PlanTask.plan_id, PlanTask.state, overdue)).all()
    for plan_id, state, late, n in rows:
        shown = OVERDUE if late else state
        figures[plan_id]["total"] += n
        figures[plan_id][shown] = figures[plan_id].get(shown, 0) + n
    return figures


def _detailed(user, plan: Plan) -> Plan:
    """``plan`` with what its full answer lists: its current tasks (each :func:`_annotated`),
    the figures, the draws and the trail, and what ``user`` may do now."""
    plan.task_list = _annotated(list(db.session.scalars(
        select(PlanTask).where(PlanTask.plan_id == plan.id, PlanTask.state != WITHDRAWN,
                               task_scope_clause(user))
        .options(selectinload(PlanTask.enterprise), selectinload(PlanTask.inspectors))
        .order_by(PlanTask.position))))
    plan.figures = _task_figures([plan.id])[plan.id]
    plan.trail = list(db.session.scalars(
        select(PlanEvent).where(PlanEvent.plan_id == plan.id, PlanEvent.task_id.is_(None))
        .options(selectinload(PlanEvent.actor)).order_by(PlanEvent.at, PlanEvent.id)))
    actions = PLAN_WORKFLOW.actions_for(plan, user.role)
    if plan.state != DRAFT and _begun(plan):
        actions = [a for a in actions if a not in ("redraw", "cancel")]
    plan.allowed_actions = actions
    return plan


def get_plan(user, plan_id: str) -> Plan:
    return _detailed(user, get_plan_or_404(plan_id, user))


def list_plans(user, args: dict) -> Page:
    reach_plans(user)
    conditions = [plan_scope_clause(user)]
    if args.get("state"):
        conditions.append(Plan.state == args["state"])
    if args.get("community_id"):
        conditions.append(Plan.community_id == args["community_id"])
    page = paginate(select(Plan).where(and_(*conditions))
                    .options(selectinload(Plan.communities), selectinload(Plan.author))
                    .order_by(Plan.due_on.desc(), Plan.created_at.desc(), Plan.id),
                    args["page"], args["per_page"])
    figures = _task_figures([p.id for p in page.items])
    for plan in page.items:
        plan.figures = figures[plan.id]
    return page


def draw_records(user, plan_id: str) -> list[PlanEvent]:
    """Every draw of the plan as recorded, oldest first: what anyone needs to run it again."""
    plan = get_plan_or_404(plan_id, user)
    return list(db.session.scalars(
        select(PlanEvent).where(PlanEvent.plan_id == plan.id,
                                PlanEvent.action.in_(("draw", "redraw")))
        .options(selectinload(PlanEvent.actor)).order_by(PlanEvent.at, PlanEvent.id)))


def rerun(record: dict) -> list[list]:
    """The tasks the draw ``record`` (a draw event's data) gives when run again:
    ``[[enterprise id, [inspector ids]]]``, to compare with ``record["tasks"]``."""
    if record.get("algorithm") != drawing.ALGORITHM:
        raise ValueError(f"unknown draw algorithm {record.get('algorithm')!r}")
    candidates = [drawing.Candidate(*row) for row in record["eligible"]]
    pool = {i: set(communities) for i, communities in record["pool"].items()}
    return [[t.enterprise_id, list(t.inspector_ids)] for t in drawing.draw(
        record["seed"], candidates, pool, record["count"], record["inspectors_per_task"])]


def _annotated(tasks: list[PlanTask]) -> list[PlanTask]:
    """Each task with ``shown_state`` (overdue for an open task past its day) and
    ``inspection_id``: the inspection that completed it, else the last one begun from it. One
    query for the page."""
    day = today()
    latest: dict[str, str] = {}
    if tasks:
        rows = db.session.execute(
            select(Inspection.task_id, Inspection.id, Inspection.on_site, Inspection.ended_at)
            .where(Inspection.task_id.in_([t.id for t in tasks]))
            .order_by(Inspection.started_at, Inspection.id)).all()
        done = {}
        for row in rows:
            latest[row.task_id] = row.id
            if row.on_site and row.ended_at is not None:
                done.setdefault(row.task_id, row.id)
        latest.update(done)
    for task in tasks:
        task.shown = task.shown_state(day)
        task.inspection_id = latest.get(task.id)
    return tasks


def list_tasks(user, args: dict) -> Page:
    """The tasks ``user`` sees (an inspector: the ones they are sent on), by due day: open and
    overdue first, then done; withdrawn ones only when asked for."""
    reach_tasks(user)
    conditions = [task_scope_clause(user)]
    state = args.get("state")
    day = today()
    if state == OVERDUE:
        conditions.append(PlanTask.overdue_on(day))
    elif state == OPEN:
        conditions.append(and_(PlanTask.state == OPEN, PlanTask.due_on >= day))
    elif state:
        conditions.append(PlanTask.state == state)
    else:
        conditions.append(PlanTask.state != WITHDRAWN)
    for name in ("plan_id", "enterprise_id", "community_id"):
        if args.get(name):
            conditions.append(getattr(PlanTask, name) == args[name])
    if args.get("mine") or args.get("inspector_id"):
        who = user.id if args.get("mine") else args["inspector_id"]
        conditions.append(PlanTask.inspectors.any(User.id == who))
    page = paginate(select(PlanTask).where(and_(*conditions))
                    .options(selectinload(PlanTask.enterprise), selectinload(PlanTask.plan),
                             selectinload(PlanTask.inspectors))
                    .order_by((PlanTask.state == DONE), PlanTask.due_on, PlanTask.plan_id,
                              PlanTask.position),
                    args["page"], args["per_page"])
    _annotated(page.items)
    return page


def get_task(user, task_id: str) -> PlanTask:
    task = get_task_or_404(task_id, user)
    _annotated([task])
    task.trail = list(db.session.scalars(
        select(PlanEvent).where(PlanEvent.task_id == task.id)
        .options(selectinload(PlanEvent.actor)).order_by(PlanEvent.at, PlanEvent.id)))
    return task


# --------------------------------------------------------------------------- inspections
def _not_yours() -> Invalid:
    return Invalid("检查任务不存在或不是您的任务 / Unknown task, or not one you are sent on.",
                   field="task_id")


def on_inspection_starting(_sender, *, inspection, actor, enterprise, **_) -> None:
    """An inspection names a task (``task_id``): it must be one the actor is sent on, of this
    enterprise, not withdrawn (app.inspections.signals.inspection_starting)."""
    if inspection.task_id is None:
        return
    task = db.session.get(PlanTask, inspection.task_id, with_for_update=True)
    if task is None or actor.id not in task.inspector_ids:
        raise _not_yours()
    if task.enterprise_id != enterprise.id:
        raise Invalid("该任务是另一家企业的 / The task is for another enterprise.",
                      field="task_id")
    if task.state == WITHDRAWN:
        raise Conflict("该任务已撤回（计划已重新抽取或撤销） / The task was withdrawn (the plan "
                       "was drawn again or cancelled).", field="task_id")


def on_inspection_started(_sender, *, inspection, actor, **_) -> None:
    """The task it names has begun: no redraw from now on; a line in the plan's trail."""
    if inspection.task_id is None:
        return
    task = db.session.get(PlanTask, inspection.task_id)
    if task.begun_at is None:
        task.begun_at = inspection.started_at
    plan = db.session.get(Plan, task.plan_id)
    _event(plan, actor, "begin", task=task, from_state=task.state, to_state=task.state,
           data={"inspection_id": inspection.id})
    db.session.flush()


def on_inspection_finished(_sender, *, inspection, actor, **_) -> None:
    """An inspection from a task that ended on site (``on_site`` true), made by one of the
    inspectors the task sends, completes it (现场检查完成)."""
    if inspection.task_id is None or inspection.on_site is not True:
        return
    task = db.session.get(PlanTask, inspection.task_id, with_for_update=True)
    if task.state != OPEN or not set(inspection.inspector_ids) & set(task.inspector_ids):
        return
    plan = db.session.get(Plan, task.plan_id)

    def guard(_transition):
        task.done_at = inspection.ended_at

    apply(TASK_WORKFLOW, task, "complete", actor, guard=guard, make_event=lambda transition: (
        _new_event(plan, actor, transition, task=task, data={"inspection_id": inspection.id})))


def on_enterprise_moved(enterprise, **_) -> dict:
    """The enterprise's tasks follow it to its new community
    (:data:`app.registry.signals.enterprise_moved`)."""
    return {"plan_tasks": len(moves.carry(PlanTask, enterprise))}

