"""The registry (摸清底数): communities (社区) and enterprises (企业)."""
from __future__ import annotations

from sqlalchemy import JSON, Float, ForeignKey, Integer, String

from app.core.db import UTCDateTime
from app.core.models import ClientCreatedMixin, IdMixin, TimestampMixin, VersionedMixin
from app.extensions import db


class Community(IdMixin, TimestampMixin, db.Model):
    """社区: a community under the 街道; supervisors and inspectors are scoped to communities."""

    __tablename__ = "communities"

    name = db.Column(String(100), nullable=False, unique=True)
    street = db.Column(String(100), nullable=False, default="")  # 街道 (subdistrict) it belongs to
    code = db.Column(String(32), nullable=True, unique=True)


class Enterprise(IdMixin, TimestampMixin, VersionedMixin, ClientCreatedMixin, db.Model):
    """企业: an enterprise in the registry, identified by its 统一社会信用代码."""

    __tablename__ = "enterprises"

    name = db.Column(String(200), nullable=False)
    credit_code = db.Column(String(18), nullable=False, unique=True)
    community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False, index=True)
    address = db.Column(String(300), nullable=False, default="")
    lat = db.Column(Float, nullable=True)  # WGS-84
    lng = db.Column(Float, nullable=True)
    industry = db.Column(String(50), nullable=False, default="other")
    risk_level = db.Column(String(10), nullable=False, default="blue", index=True)
    legal_rep = db.Column(String(100), nullable=False, default="")
    safety_officer = db.Column(String(100), nullable=False, default="")
    phone = db.Column(String(32), nullable=False, default="")
    employees = db.Column(Integer, nullable=True)
    # The QR code at the gate encodes a URL ending in this token (>=128 bits, rotatable).
    qr_token = db.Column(String(64), nullable=False, unique=True)
    qr_rotated_at = db.Column(UTCDateTime, nullable=True)

    community = db.relationship("Community")


class EnterpriseMove(IdMixin, db.Model):
    """迁移记录: an enterprise moved to another community, who moved it and when, and how many
    of its records went with it (``app.registry.moves``). Written once, never changed."""

    __tablename__ = "enterprise_moves"

    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=False,
                              index=True)
    from_community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False)
    to_community_id = db.Column(String(36), ForeignKey("communities.id"), nullable=False)
    actor_id = db.Column(String(36), ForeignKey("users.id"), nullable=True)  # None: a script
    at = db.Column(UTCDateTime, nullable=False)
    moved = db.Column(JSON, nullable=False)  # {"hazards": n, "inspections": n, ...}
