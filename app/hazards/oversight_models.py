"""Records that watch over a hazard's deadline and evidence: 延期申请 (deadline extension
requests), 挂牌督办 (listed supervision of a major hazard) and 证据存疑 (evidence flags).

None of them carries a community: each is reached through its hazard, whose community follows
its enterprise (``app.registry.moves``), so scope and dashboards filter on the hazard.
"""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint

from app.core.db import UTCDateTime
from app.core.models import ClientCreatedMixin, IdMixin, VersionedMixin
from app.core.timeutil import utcnow
from app.extensions import db


class DeadlineExtension(IdMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """延期申请: the enterprise asks, before the deadline, for a later one (a reason, optionally a
    photographed document); a supervisor approves (the hazard's deadline moves) or rejects,
    through ``app.hazards.workflow.EXTENSION_WORKFLOW``. Each step is a line of the hazard's
    trail."""

    __tablename__ = "hazard_extensions"
    __table_args__ = (Index("ix_hazard_extensions_hazard_requested", "hazard_id", "requested_at"),
                      Index("ix_hazard_extensions_requested_at", "requested_at"),
                      Index("ix_hazard_extensions_decided_at", "decided_at"))

    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=False)
    state = db.Column(String(16), nullable=False)
    # Equals hazard_id while the request waits for its decision, NULL after: the unique index
    # keeps one pending request per hazard even when two arrive at once.
    pending_slot = db.Column(String(36), nullable=True, unique=True)
    requester_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    requested_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    old_deadline = db.Column(UTCDateTime, nullable=False)  # the deadline when asked
    new_deadline = db.Column(UTCDateTime, nullable=False)  # the one asked for
    reason = db.Column(Text, nullable=False)
    photo_id = db.Column(String(36), ForeignKey("photos.id"), nullable=True)  # 证明材料
    decided_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    decided_at = db.Column(UTCDateTime, nullable=True)
    decision_note = db.Column(Text, nullable=True)

    hazard = db.relationship("Hazard")
    photo = db.relationship("Photo")
    requester = db.relationship("User", foreign_keys=[requester_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])

    # Scope is the hazard's (app.core.permissions.in_scope reads these).
    @property
    def community_id(self) -> str:
        return self.hazard.community_id

    @property
    def enterprise_id(self) -> str:
        return self.hazard.enterprise_id


class HazardListing(IdMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """挂牌督办: a supervisor lists a major hazard, naming the supervising unit (督办单位), the
    deadline of the supervision (督办期限) and the person responsible (责任人); once the hazard is
    closed (销号) and the fix assessed, it is delisted (摘牌) with that assessment
    (``app.hazards.workflow.LISTING_WORKFLOW``). One listing per hazard: a closed hazard is never
    listed again."""

    __tablename__ = "hazard_listings"
    __table_args__ = (Index("ix_hazard_listings_state", "state"),)

    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=False, unique=True)
    state = db.Column(String(16), nullable=False)
    unit = db.Column(String(200), nullable=False)          # 督办单位
    deadline = db.Column(UTCDateTime, nullable=False)      # 督办期限
    responsible = db.Column(String(100), nullable=False)   # 责任人
    listed_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    listed_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    delisted_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
    delisted_at = db.Column(UTCDateTime, nullable=True)
    assessment = db.Column(Text, nullable=True)            # 摘牌评估意见

    listed_by = db.relationship("User", foreign_keys=[listed_by_id])
    delisted_by = db.relationship("User", foreign_keys=[delisted_by_id])


class EvidenceFlag(IdMixin, db.Model):
    """证据存疑: something a reviewer should weigh about one rectification photo, found when the
    photo arrived (``app.hazards.evidence_flags``): taken (EXIF) before the hazard was found, its
    EXIF place farther than ``CHECKIN_RADIUS_M`` from the enterprise, or the same bytes on
    another hazard. The photo is kept all the same. A verification made while the flag stands
    needs a note and stamps ``overridden_at``."""

    __tablename__ = "evidence_flags"
    __table_args__ = (UniqueConstraint("photo_id", "code"),
                      Index("ix_evidence_flags_hazard", "hazard_id"),
                      Index("ix_evidence_flags_overridden_at", "overridden_at"))

    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=False)
    photo_id = db.Column(String(36), ForeignKey("photos.id"), nullable=False)
    code = db.Column(String(32), nullable=False)
    detail = db.Column(JSON, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    overridden_at = db.Column(UTCDateTime, nullable=True)
    overridden_by_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)
