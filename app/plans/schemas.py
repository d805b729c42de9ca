"""Schemas of the plan (检查计划) and task (检查任务) endpoints: one in, one out per view."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_dump, validate

from app.core import fields as core_fields
from app.core.choices import ChoiceField
from app.core.fields import UtcDateTime, UUIDStr
from app.core.pagination import page_args, page_schema
from app.inspections.choices import INSPECTION_KINDS
from app.plans.choices import PLAN_STATES, TASK_STATES
from app.registry.choices import RISK_LEVELS, configured_industries

MAX_COUNT = 500
MAX_POOL = 200


# --------------------------------------------------------------------------- in
class PlanCreateIn(Schema):
    """制定检查计划: who may be drawn, how many, by whom."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = ChoiceField(INSPECTION_KINDS, required=True, metadata={
        "description": "an inspection kind: routine|special|unannounced|follow_up|holiday"})
    community_id = UUIDStr(allow_none=True, metadata={
        "description": "one of your communities; without it, all of yours"})
    starts_on = core_fields.Date(required=True)
    due_on = core_fields.Date(required=True, metadata={"description": "not before starts_on"})
    industries = fields.List(ChoiceField(configured_industries), validate=validate.Length(max=50),
                             metadata={"description": "eligible industries (none: all)"})
    risk_levels = fields.List(ChoiceField(RISK_LEVELS), validate=validate.Length(max=4),
                              metadata={"description": "eligible risk colours (none: all)"})
    weighted = fields.Boolean(metadata={
        "description": "red and orange come up more often (default true; README)"})
    count = fields.Integer(required=True, strict=True,
                           validate=validate.Range(min=1, max=MAX_COUNT),
                           metadata={"description": "how many enterprises to draw"})
    inspector_ids = fields.List(UUIDStr(), required=True,
                                validate=validate.Length(min=1, max=MAX_POOL),
                                metadata={"description": "the pool of inspectors to draw from"})
    inspectors_per_task = fields.Integer(required=True, strict=True,
                                         validate=validate.Range(min=1, max=10))
    note = fields.String(validate=validate.Length(max=2000))


class PlanDrawIn(Schema):
    """随机抽取 (again, while no task has begun)."""

    id = UUIDStr(metadata={"description": "client-chosen id of the draw: sending the same draw "
                                          "again answers the plan, not a second draw"})
    seed = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "the seed; without it the server picks one (recorded either way)"})
    version = fields.Integer(strict=True, metadata={"description": "the plan's version seen"})


class PlanCancelIn(Schema):
    version = fields.Integer(required=True, strict=True)
    note = fields.String(validate=validate.Length(max=2000))


class PoolQuery(Schema):
    community_id = UUIDStr(metadata={"description": "one of your communities; none: all"})


class PlanQuery(page_args(100, 20)):
    class Meta:
        unknown = EXCLUDE

    state = fields.String(validate=validate.OneOf(list(PLAN_STATES)))
    community_id = UUIDStr()


class TaskQuery(page_args(500, 100)):
    class Meta:
        unknown = EXCLUDE  # cache-busting query parameters are harmless

    state = fields.String(validate=validate.OneOf(list(TASK_STATES)), metadata={
        "description": "open (not yet due) | overdue | done | withdrawn; none: all but "
                       "withdrawn"})
    plan_id = UUIDStr()
    enterprise_id = UUIDStr()
    community_id = UUIDStr()
    inspector_id = UUIDStr()
    mine = fields.Boolean(metadata={"description": "only the tasks you are sent on"})


# --------------------------------------------------------------------------- out
class PlanPersonOut(Schema):
    id = fields.String()
    display_name = fields.String()


class TaskEnterpriseOut(Schema):
    """What a task shows of its enterprise, offline too: the card's head and a map link."""

    id = fields.String()
    name = fields.String()
    address = fields.String()
    credit_code = fields.String()
    industry = fields.String()
    risk_level = fields.String()
    community_id = fields.String()
    qr_token = fields.String()
    location = fields.Dict(allow_none=True, metadata={"description": "{lat, lng} WGS-84"})

    @pre_dump
    def _location(self, enterprise, **_):
        return {**{name: getattr(enterprise, name) for name in (
            "id", "name", "address", "credit_code", "industry", "risk_level", "community_id",
            "qr_token")},
            "location": ({"lat": enterprise.lat, "lng": enterprise.lng}
                         if enterprise.lat is not None and enterprise.lng is not None else None)}


class PoolMemberOut(PlanPersonOut):
    role = fields.String()
    community_ids = fields.List(fields.String())


class PoolOut(Schema):
    items = fields.List(fields.Nested(PoolMemberOut))


class PlanEventOut(Schema):
    id = fields.String()
    task_id = fields.String(allow_none=True)
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    at = UtcDateTime()
    actor_id = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    seed = fields.String(allow_none=True, metadata={"description": "of a draw"})
    draw_no = fields.Integer(allow_none=True)
    inspection_id = fields.String(allow_none=True)
    note = fields.String(allow_none=True)

    @pre_dump
    def _flat(self, event, **_):
        data = event.data or {}
        return {"id": event.id, "task_id": event.task_id, "action": event.action,
                "from_state": event.from_state, "to_state": event.to_state, "at": event.at,
                "actor_id": event.actor_id,
                "actor_name": event.actor.display_name if event.actor else None,
                "seed": data.get("seed"), "draw_no": data.get("draw_no"),
                "inspection_id": data.get("inspection_id"), "note": data.get("note")}


class TaskOut(Schema):
    """检查任务: an enterprise drawn and the inspectors sent; ``state`` open|done|overdue
    (an open task past ``due_on``)|withdrawn."""

    id = fields.String()
    plan_id = fields.String()
    plan_name = fields.String()
    kind = fields.String(metadata={"description": "the plan's inspection kind"})
    enterprise_id = fields.String()
    enterprise = fields.Nested(TaskEnterpriseOut)
    community_id = fields.String()
    inspector_ids = fields.List(fields.String())
    inspectors = fields.List(fields.Nested(PlanPersonOut))
    position = fields.Integer()
    starts_on = fields.Date()
    due_on = fields.Date()
    state = fields.String()
    overdue = fields.Boolean()
    begun_at = UtcDateTime(allow_none=True)
    done_at = UtcDateTime(allow_none=True)
    inspection_id = fields.String(allow_none=True, metadata={
        "description": "the inspection that completed it, else the last one begun from it"})
    version = fields.Integer()

    @pre_dump
    def _computed(self, task, **_):
        return {**{name: getattr(task, name) for name in (
            "id", "plan_id", "enterprise_id", "enterprise", "community_id", "inspector_ids",
            "inspectors", "position", "starts_on", "due_on", "begun_at", "done_at",
            "inspection_id", "version")},
            "plan_name": task.plan.name, "kind": task.plan.kind, "state": task.shown,
            "overdue": task.shown == "overdue"}


class TaskDetailOut(TaskOut):
    events = fields.List(fields.Nested(PlanEventOut))

    @pre_dump
    def _computed(self, task, **kwargs):
        return {**super()._computed(task, **kwargs), "events": task.trail}


class PlanFiguresOut(Schema):
    total = fields.Integer(metadata={"description": "tasks of the current draw"})
    open = fields.Integer()
    overdue = fields.Integer()
    done = fields.Integer()


_PLAN_FIELDS = ("id", "name", "kind", "state", "community_id", "starts_on", "due_on",
                "industries", "risk_levels", "weighted", "count", "inspectors_per_task", "note",
                "seed", "drawn_at", "drawn_by_id", "author_id", "version", "created_at")


class PlanOut(Schema):
    """检查计划 as listed."""

    id = fields.String()
    name = fields.String()
    kind = fields.String()
    state = fields.String()
    community_id = fields.String(allow_none=True)
    community_ids = fields.List(fields.String(), metadata={
        "description": "the communities it draws from"})
    starts_on = fields.Date()
    due_on = fields.Date()
    industries = fields.List(fields.String())
    risk_levels = fields.List(fields.String())
    weighted = fields.Boolean()
    count = fields.Integer()
    inspectors_per_task = fields.Integer()
    note = fields.String(allow_none=True)
    seed = fields.String(allow_none=True, metadata={"description": "of the last draw"})
    drawn_at = UtcDateTime(allow_none=True)
    drawn_by_id = fields.String(allow_none=True)
    author_id = fields.String()
    author_name = fields.String()
    figures = fields.Nested(PlanFiguresOut)
    version = fields.Integer()
    created_at = UtcDateTime()

    @pre_dump
    def _computed(self, plan, **_):
        return {**{name: getattr(plan, name) for name in _PLAN_FIELDS},
                "community_ids": [c.id for c in plan.communities],
                "author_name": plan.author.display_name if plan.author else "",
                "figures": plan.figures}


class PlanDetailOut(PlanOut):
    inspector_ids = fields.List(fields.String(), metadata={"description": "the pool"})
    inspectors = fields.List(fields.Nested(PlanPersonOut))
    tasks = fields.List(fields.Nested(TaskOut), metadata={
        "description": "the tasks of the current draw, in the order drawn"})
    events = fields.List(fields.Nested(PlanEventOut), metadata={
        "description": "the plan's trail: creation, each draw with its seed, cancellation"})
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "what you may do now: draw, redraw, cancel"})

    @pre_dump
    def _computed(self, plan, **kwargs):
        return {**super()._computed(plan, **kwargs),
                "inspector_ids": [u.id for u in plan.inspectors], "inspectors": plan.inspectors,
                "tasks": plan.task_list, "events": plan.trail,
                "allowed_actions": plan.allowed_actions}


class DrawRecordOut(Schema):
    """A draw as recorded: everything needed to run it again (``app.plans.draw``)."""

    id = fields.String()
    draw_no = fields.Integer()
    at = UtcDateTime()
    actor_id = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    algorithm = fields.String()
    seed = fields.String()
    count = fields.Integer()
    inspectors_per_task = fields.Integer()
    weighted = fields.Boolean()
    weights = fields.Dict(keys=fields.String(), values=fields.Integer())
    eligible = fields.List(fields.List(fields.Raw()), metadata={
        "description": "[enterprise id, community id, weight], by id"})
    pool = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "{inspector id: [communities]}"})
    tasks = fields.List(fields.List(fields.Raw()), metadata={
        "description": "[enterprise id, [inspector ids]] in the order drawn"})

    @pre_dump
    def _flat(self, event, **_):
        return {**{k: v for k, v in (event.data or {}).items() if k != "payload_hash"},
                "id": event.id, "at": event.at, "actor_id": event.actor_id,
                "actor_name": event.actor.display_name if event.actor else None}


class DrawListOut(Schema):
    items = fields.List(fields.Nested(DrawRecordOut))


PlanPageOut = page_schema(PlanOut, "PlanPageOut")
TaskPageOut = page_schema(TaskOut, "TaskPageOut")
