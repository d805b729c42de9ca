"""Inspection plans, random draws and tasks over HTTP (检查计划, 双随机, 检查任务; README
"Inspection plans"). Officers get 404 for all of it: an unannounced inspection stays so."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.core.permissions import require_user
from app.plans import operations
from app.plans.schemas import (DrawListOut, PlanCancelIn, PlanCreateIn, PlanDetailOut, PlanDrawIn,
                               PlanPageOut, PlanQuery, PoolOut, PoolQuery, TaskDetailOut,
                               TaskPageOut, TaskQuery)

blp = Blueprint("plans", __name__, url_prefix="/api/v1",
                description="检查计划 Inspection plans, random draws (双随机) and tasks")


@blp.route("/plans", methods=["GET"])
@blp.arguments(PlanQuery, location="query")
@blp.response(200, PlanPageOut)
@blp.alt_response(404, description="Not for your role (officers, inspectors)")
def list_plans(args):
    """Plans in your scope (every community they draw from is yours), latest due first."""
    return operations.list_plans(require_user(), args)


@blp.route("/plans", methods=["POST"])
@blp.arguments(PlanCreateIn)
@blp.response(201, PlanDetailOut)
@blp.alt_response(200, schema=PlanDetailOut,
                  description="Replay of a create with the same id and body")
@blp.alt_response(403, description="Only supervisors make plans")
@blp.alt_response(409, description="The id exists with a different body")
@blp.alt_response(422, description="Bad input, named: more enterprises than are eligible "
                                   "(count), an inspector outside the plan's communities "
                                   "(inspector_ids), due_on before starts_on …")
def create_plan(data):
    """Make a plan (a draft): eligible enterprises, how many, the pool of inspectors."""
    result = operations.create_plan(require_user(), data)
    return result.record, result.status


@blp.route("/plans/inspectors", methods=["GET"])
@blp.arguments(PoolQuery, location="query")
@blp.response(200, PoolOut)
@blp.alt_response(422, description="Not one of your communities")
def plan_inspectors(args):
    """Who a plan may send: the people who inspect in the community (else in yours), for the
    plan form's pool."""
    return {"items": operations.pool_candidates(require_user(), args.get("community_id"))}


@blp.route("/plans/<uuid:plan_id>", methods=["GET"])
@blp.response(200, PlanDetailOut)
@blp.alt_response(404, description="Unknown or not in your scope")
def get_plan(plan_id):
    """A plan with the tasks of its current draw, its trail and what you may do now."""
    return operations.get_plan(require_user(), str(plan_id))


@blp.route("/plans/<uuid:plan_id>/draw", methods=["POST"])
@blp.arguments(PlanDrawIn)
@blp.response(200, PlanDetailOut)
@blp.alt_response(409, description="A task has begun (no redraw), the plan is cancelled, or "
                                   "a stale version")
@blp.alt_response(422, description="More enterprises to draw than are eligible now (count)")
def draw_plan(data, plan_id):
    """Draw (or draw again) at random with a recorded seed: the same seed gives the same draw."""
    plan, _replayed = operations.draw_plan(require_user(), str(plan_id), data)
    return plan


@blp.route("/plans/<uuid:plan_id>/draws", methods=["GET"])
@blp.response(200, DrawListOut)
@blp.alt_response(404, description="Unknown or not in your scope")
def plan_draws(plan_id):
    """Every draw of the plan as recorded (seed, eligible enterprises with their weights, pool,
    result): what anyone needs to run it again (``flask plans verify-draws``)."""
    return {"items": operations.draw_records(require_user(), str(plan_id))}


@blp.route("/plans/<uuid:plan_id>/cancel", methods=["POST"])
@blp.arguments(PlanCancelIn)
@blp.response(200, PlanDetailOut)
@blp.alt_response(409, description="A task has begun, already cancelled, or a stale version")
def cancel_plan(data, plan_id):
    """Cancel a plan before any of its tasks has begun; its open tasks are withdrawn."""
    return operations.cancel_plan(require_user(), str(plan_id), data)


@blp.route("/tasks", methods=["GET"])
@blp.arguments(TaskQuery, location="query")
@blp.response(200, TaskPageOut)
@blp.alt_response(404, description="Not for your role (officers)")
def list_tasks(args):
    """Tasks: an inspector's own (the PWA keeps them offline), or those in your communities;
    open and overdue first, by due day."""
    return operations.list_tasks(require_user(), args)


@blp.route("/tasks/<uuid:task_id>", methods=["GET"])
@blp.response(200, TaskDetailOut)
@blp.alt_response(404, description="Unknown or not yours")
def get_task(task_id):
    """A task with its enterprise, inspectors and trail."""
    return operations.get_task(require_user(), str(task_id))
