"""Hazards (隐患) and their append-only audit trail (事件)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, and_)
from sqlalchemy import false as sa_false
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property

from app.core.db import UTCDateTime, new_id
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db
from app.hazards.choices import (ARCHIVED, CLOSED, LISTED, RECTIFYING, REPORTED, SUBMITTED,
                                 VERIFIED)
from app.hazards.oversight_models import HazardListing


def overdue(state: str, deadline, now) -> bool:
    """逾期: the deadline passed without an accepted rectification (the state is one of
    :attr:`Hazard.UNRECTIFIED_STATES`).

    The one rule behind :attr:`Hazard.is_overdue`, on plain values so that code holding no
    :class:`Hazard` (the bulk generator's tuples, with epoch seconds) applies the same rule.
    """
    return state in Hazard.UNRECTIFIED_STATES and deadline < now


class Hazard(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """隐患: a finding at an enterprise, moved through 登记→整改→复查→销号→归档 by the transition
    table in ``app.hazards.workflow``.

    The named sets of states below are the one spelling of each group; queries and loaded
    hazards use the hybrids (``Hazard.is_overdue``, ``Hazard.is_open``, …), which read the same
    in Python and in SQL.
    """

    #: 未整改: no accepted rectification yet (已登记, 整改中, 待复查); only these can be overdue.
    UNRECTIFIED_STATES = (REPORTED, RECTIFYING, SUBMITTED)
    #: 已整改: the rectification was accepted (已复查, 已销号, 已归档).
    RECTIFIED_STATES = (VERIFIED, CLOSED, ARCHIVED)
    #: 已销号 or 归档: no longer under supervision.
    CLOSED_STATES = (CLOSED, ARCHIVED)
    #: 未销号: still under supervision (listed positively so that an index on state serves it).
    NOT_CLOSED_STATES = (REPORTED, RECTIFYING, SUBMITTED, VERIFIED)

    __tablename__ = "hazards"
    __table_args__ = (
        Index("ix_hazards_community_state", "community_id", "state"),
        Index("ix_hazards_enterprise_state", "enterprise_id", "state"),
        Index("ix_hazards_state_deadline", "state", "deadline"),
        # The list filtered by state, newest first (deadline for its overdue filter): a page
        # reads its own rows (issue 18, bench/RESULTS.md).
        Index("ix_hazards_state_found", "state", "found_at", "deadline"),
        # The dashboard's 自查不实 count: the flagged few of a period, not the period.
        Index("ix_hazards_self_check_missed_found", "self_check_missed", "found_at"),
        Index("ix_hazards_found_at", "found_at"),
        Index("ix_hazards_enterprise_category_closed", "enterprise_id", "category", "closed_at"),
        # Covers every column the dashboard groups or filters the period's hazards by, so its
        # GROUP BYs read this index alone (app/reports/dashboard.py, bench/RESULTS.md).
        Index("ix_hazards_dashboard", "found_at", "community_id", "enterprise_id", "state",
              "level", "category", "deadline", "verified_at", "closed_at"),
    )

    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False)
    # Denormalised from the enterprise: scope filters and dashboards group by it at scale.
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False)
    inspection_id = db.Column(String(36), ForeignKey("inspections.id"), nullable=True, index=True)
    reporter_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    title = db.Column(String(200), nullable=False)
    description = db.Column(Text, nullable=False, default="")
    category = db.Column(String(50), nullable=False)
    level = db.Column(String(10), nullable=False)  # general | major
    state = db.Column(String(16), nullable=False)
    source = db.Column(String(16), nullable=False, default="inspection",
                       server_default="inspection")  # 隐患来源, choices.HAZARD_SOURCES
    place = db.Column(String(200), nullable=False, default="")  # where in the enterprise
    found_at = db.Column(UTCDateTime, nullable=False)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    accuracy_m = db.Column(Float, nullable=True)
    deadline = db.Column(UTCDateTime, nullable=False)
    responsible = db.Column(String(100), nullable=False, default="")  # 整改责任人
    governance_plan = db.Column(JSON, nullable=True)  # 治理方案 of a major hazard
    rejection_count = db.Column(Integer, nullable=False, default=0)
    escalated = db.Column(Boolean, nullable=False, default=False)
    acknowledged_at = db.Column(UTCDateTime, nullable=True)
    submitted_at = db.Column(UTCDateTime, nullable=True)
    verified_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)
    archived_at = db.Column(UTCDateTime, nullable=True)
    recheck_note = db.Column(Text, nullable=True)  # 复查结果
    # 检查项: the code of the checklist item (of its inspection's checklist) it was found at.
    checklist_item = db.Column(String(32), nullable=True)
    # 自查不实: an inspector found it in a category the enterprise's own self-inspection passed
    # within SELF_CHECK_DAYS before (app.inspections.answers.self_check_passed).
    self_check_missed = db.Column(Boolean, nullable=False, default=False,
                                  server_default=sa_false())

    enterprise = db.relationship("Enterprise")
    reporter = db.relationship("User")
    photos = db.relationship("Photo", order_by="Photo.created_at")
    #: 挂牌督办 (or None); loaded with the hazards of a query, one statement per page
    listing = db.relationship(HazardListing, uselist=False, lazy="selectin", viewonly=True)

    @property
    def is_listed(self) -> bool:
        """Under 挂牌督办 now (listed, not yet delisted)."""
        return self.listing is not None and self.listing.state == LISTED

    @hybrid_method
    def overdue_at(self, now: datetime) -> bool:
        """逾期 as of ``now`` (a report evaluated at a fixed time); see :func:`overdue`."""
        return overdue(self.state, self.deadline, now)

    @overdue_at.expression
    def overdue_at(cls, now: datetime):
        return and_(cls.state.in_(cls.UNRECTIFIED_STATES), cls.deadline < now)

    @hybrid_property
    def is_overdue(self) -> bool:
        """逾期 now: the deadline passed without an accepted rectification."""
        return self.overdue_at(utcnow())

    @hybrid_property
    def is_open(self) -> bool:
        """未销号: not yet closed (销号) or archived, still under supervision."""
        return self.state in self.NOT_CLOSED_STATES

    @is_open.expression
    def is_open(cls):
        return cls.state.in_(cls.NOT_CLOSED_STATES)

    @hybrid_property
    def is_rectified(self) -> bool:
        """已整改: the rectification was accepted (verified, closed or archived)."""
        return self.state in self.RECTIFIED_STATES

    @is_rectified.expression
    def is_rectified(cls):
        return cls.state.in_(cls.RECTIFIED_STATES)


class HazardEvent(db.Model):
    """隐患事件: one row per transition (and per recorded change); never updated or deleted.

    Tamper-evident (``app.hazards.audit``): each row is sealed with ``seq`` (its place in the
    hazard's trail), ``prev_hash`` (the ``hash`` of the row before it), ``photo_sha256`` (the
    SHA-256 of every photo it names) and ``hash``, the SHA-256 of all of it. PostgreSQL refuses
    UPDATE and DELETE on the table (a trigger, migration 0003)."""

    __tablename__ = "hazard_events"
    __table_args__ = (Index("ix_hazard_events_hazard_at", "hazard_id", "at"),
                      UniqueConstraint("hazard_id", "seq"))

    id = db.Column(String(36), primary_key=True, default=new_id)
    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=False)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)  # None: the system
    action = db.Column(String(32), nullable=False)
    from_state = db.Column(String(16), nullable=True)
    to_state = db.Column(String(16), nullable=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    note = db.Column(Text, nullable=True)
    lat = db.Column(Float, nullable=True)
    lng = db.Column(Float, nullable=True)
    accuracy_m = db.Column(Float, nullable=True)
    data = db.Column(JSON, nullable=True)
    seq = db.Column(Integer, nullable=False)
    prev_hash = db.Column(String(64), nullable=True)   # None: the first line of the trail
    photo_sha256 = db.Column(JSON, nullable=True)       # {photo id: sha256} of photos it names
    hash = db.Column(String(64), nullable=False)

    actor = db.relationship("User")


class HazardEventHead(db.Model):
    """The last sealed line of a hazard's trail (隐患事件链头): a trail cut short at its end
    shows against it, and its row lock orders concurrent writers of one trail."""

    __tablename__ = "hazard_event_heads"

    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), primary_key=True)
    seq = db.Column(Integer, nullable=False)
    hash = db.Column(String(64), nullable=False)
