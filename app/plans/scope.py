"""Who sees which plan (检查计划) and task (检查任务): the scope rule of app.core.permissions
for records whose reach is not one community column.

* Plans: whoever may read plans (``plan.read``: supervisors, admins) and sees *every* community
  the plan draws from; so a plan never shows a task in a community its reader does not see.
* Tasks: an inspector sees the tasks they are sent on (in their communities); supervisors and
  admins see the tasks in their communities, like any record.
* Anyone else (officers above all: 四不两直 must stay unannounced) sees none: 404.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, select, true

from app.core.i18n import record_name_zh
from app.core.permissions import can, in_scope, require_user, scope_clause
from app.core.roles import ADMIN, INSPECTOR
from app.errors import NotFound
from app.extensions import db
from app.plans.models import Plan, PlanTask, plan_communities, task_inspectors


def _not_found(model) -> NotFound:
    return NotFound(f"{record_name_zh(model.__name__)}不存在 / {model.__name__} not found.")


def reach_plans(user) -> None:
    """404 for whoever may see no plan at all (a list asked for by an officer)."""
    if not can(user, "plan.read"):
        raise _not_found(Plan)


def reach_tasks(user) -> None:
    if not can(user, "task.read"):
        raise _not_found(PlanTask)


def plan_scope_clause(user):
    """SQL: the plans ``user`` sees."""
    if user is None or not can(user, "plan.read"):
        return false()
    if user.role == ADMIN:
        return true()
    outside = select(plan_communities.c.plan_id).where(
        plan_communities.c.plan_id == Plan.id,
        plan_communities.c.community_id.not_in(user.community_ids))
    return ~exists(outside)


def plan_in_scope(user, plan) -> bool:
    """Python twin of :func:`plan_scope_clause`."""
    if user is None or not can(user, "plan.read"):
        return False
    if user.role == ADMIN:
        return True
    mine = set(user.community_ids)
    return all(community.id in mine for community in plan.communities)


def task_scope_clause(user):
    """SQL: the tasks ``user`` sees."""
    if user is None or not can(user, "task.read"):
        return false()
    clause = scope_clause(user, PlanTask)
    if user.role == INSPECTOR:
        clause = and_(clause, exists(select(task_inspectors.c.task_id).where(
            task_inspectors.c.task_id == PlanTask.id, task_inspectors.c.user_id == user.id)))
    return clause


def task_in_scope(user, task) -> bool:
    if user is None or not can(user, "task.read") or not in_scope(user, task):
        return False
    return user.role != INSPECTOR or user.id in task.inspector_ids


def get_plan_or_404(plan_id: str, user=None, *, for_update: bool = False) -> Plan:
    user = user if user is not None else require_user()
    reach_plans(user)
    plan = db.session.get(Plan, str(plan_id), with_for_update=for_update or None)
    if plan is None or not plan_in_scope(user, plan):
        raise _not_found(Plan)
    return plan


def get_task_or_404(task_id: str, user=None, *, for_update: bool = False) -> PlanTask:
    user = user if user is not None else require_user()
    reach_tasks(user)
    task = db.session.get(PlanTask, str(task_id), with_for_update=for_update or None)
    if task is None or not task_in_scope(user, task):
        raise _not_found(PlanTask)
    return task
