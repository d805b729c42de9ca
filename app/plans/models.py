"""Inspection plans (检查计划), their random draws (双随机) and the tasks (检查任务) they give."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, and_
from sqlalchemy.ext.hybrid import hybrid_method

from app.core.db import UTCDateTime, new_id
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db
from app.plans.choices import OPEN, OVERDUE

#: 计划覆盖的社区: the communities a plan draws from (its own, or its author's when it names
#: none). Whoever sees every one of them sees the plan (app.plans.scope).
plan_communities = db.Table(
    "plan_communities",
    db.Column("plan_id", String(36), ForeignKey("plans.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("community_id", String(36), ForeignKey("communities.id"), primary_key=True),
)

#: 检查人员库: the people a plan's draw picks its inspectors from.
plan_inspectors = db.Table(
    "plan_inspectors",
    db.Column("plan_id", String(36), ForeignKey("plans.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
)

#: 任务检查人员: who a task sends (``inspectors_per_task`` of the pool).
task_inspectors = db.Table(
    "task_inspectors",
    db.Column("task_id", String(36), ForeignKey("plan_tasks.id", ondelete="CASCADE"),
              primary_key=True),
    db.Column("user_id", String(36), ForeignKey("users.id"), primary_key=True),
    Index("ix_task_inspectors_user_id", "user_id"),
)


class Plan(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """检查计划: which enterprises are eligible, how many to draw, from which inspectors; moved
    draft → drawn (→ cancelled) by the table in ``app.plans.workflow``."""

    __tablename__ = "plans"

    name = db.Column(String(200), nullable=False)
    kind = db.Column(String(16), nullable=False)  # an inspection kind (四不两直 above all)
    state = db.Column(String(16), nullable=False)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=True, index=True)
    starts_on = db.Column(Date, nullable=False)
    due_on = db.Column(Date, nullable=False)
    industries = db.Column(JSON, nullable=False)  # [] = every industry
    risk_levels = db.Column(JSON, nullable=False)  # [] = every colour
    weighted = db.Column(Boolean, nullable=False, default=True)  # red/orange come up more often
    count = db.Column(Integer, nullable=False)
    inspectors_per_task = db.Column(Integer, nullable=False)
    note = db.Column(Text, nullable=True)
    author_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    seed = db.Column(String(64), nullable=True)  # of the last draw
    drawn_at = db.Column(UTCDateTime, nullable=True)
    drawn_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)

    author = db.relationship("User", foreign_keys=[author_id])
    drawn_by = db.relationship("User", foreign_keys=[drawn_by_id])
    community = db.relationship("Community")
    communities = db.relationship("Community", secondary=plan_communities,
                                  order_by="Community.name")
    inspectors = db.relationship("User", secondary=plan_inspectors, order_by="User.id")


class PlanTask(IdMixin, TimestampMixin, VersionedMixin, db.Model):
    """检查任务: one drawn enterprise and the inspectors sent there, due by the plan's day.
    Done when an assigned inspector's inspection started from it ends on site."""

    __tablename__ = "plan_tasks"
    __table_args__ = (Index("ix_plan_tasks_plan_position", "plan_id", "position"),)

    plan_id = db.Column(String(36), ForeignKey("plans.id"), nullable=False)
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False,
                              index=True)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False,
                             index=True)
    position = db.Column(Integer, nullable=False)  # the order of the draw, from 1
    draw_no = db.Column(Integer, nullable=False)  # which draw of the plan made it (1, 2 …)
    starts_on = db.Column(Date, nullable=False)
    due_on = db.Column(Date, nullable=False)
    state = db.Column(String(16), nullable=False)
    # The inspections made from a task name it (inspections.task_id); the task keeps when the
    # first began (no redraw after that) and when one ended on site.
    begun_at = db.Column(UTCDateTime, nullable=True)
    done_at = db.Column(UTCDateTime, nullable=True)

    plan = db.relationship("Plan")
    enterprise = db.relationship("Enterprise")
    inspectors = db.relationship("User", secondary=task_inspectors, order_by="User.id")

    @hybrid_method
    def overdue_on(self, today: date) -> bool:
        """逾期 on ``today`` (Asia/Shanghai): still open after its due day."""
        return self.state == OPEN and self.due_on < today

    @overdue_on.expression
    def overdue_on(cls, today: date):
        return and_(cls.state == OPEN, cls.due_on < today)

    def shown_state(self, today: date) -> str:
        """The state a reader sees: ``overdue`` for an open task past its day."""
        return OVERDUE if self.overdue_on(today) else self.state

    @property
    def inspector_ids(self) -> list[str]:
        return [user.id for user in self.inspectors]


class PlanEvent(db.Model):
    """计划事件: one row per change of a plan or of one of its tasks (creation, each draw with
    its seed and what it picked, a task begun, completed or withdrawn); append-only."""

    __tablename__ = "plan_events"
    __table_args__ = (Index("ix_plan_events_plan_at", "plan_id", "at"),)

    id = db.Column(String(36), primary_key=True, default=new_id)
    plan_id = db.Column(String(36), ForeignKey("plans.id"), nullable=False)
    task_id = db.Column(String(36), ForeignKey("plan_tasks.id"), nullable=True, index=True)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    action = db.Column(String(32), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    data = db.Column(JSON, nullable=True)

    actor = db.relationship("User")
