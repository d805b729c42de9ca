"""Accounts (用户), their server-side sessions and login throttling."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String

from app.core.db import UTCDateTime, new_id
from app.core.models import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db

user_communities = db.Table(
    "user_communities",
    db.Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("community_id", String(36), ForeignKey("communities.id", ondelete="CASCADE"),
              primary_key=True),
)


class User(TimestampMixin, db.Model):
    """用户: an account with one role; supervisors/inspectors are scoped to communities,
    an officer (企业安全员) to one enterprise."""

    __tablename__ = "users"

    id = db.Column(String(36), primary_key=True, default=new_id)
    username = db.Column(String(64), nullable=False, unique=True)
    display_name = db.Column(String(100), nullable=False)
    password_hash = db.Column(String(255), nullable=False)
    role = db.Column(String(16), nullable=False)
    enterprise_id = db.Column(String(36), ForeignKey("enterprises.id"), nullable=True, index=True)
    phone = db.Column(String(32), nullable=True)
    active = db.Column(Boolean, nullable=False, default=True)
    locale = db.Column(String(8), nullable=True)

    communities = db.relationship("Community", secondary=user_communities, lazy="selectin")
    enterprise = db.relationship("Enterprise", foreign_keys=[enterprise_id])

    @property
    def community_ids(self) -> list[str]:
        return sorted(c.id for c in self.communities)

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class UserSession(db.Model):
    """A login session kept on the server: the cookie holds a random token, the table its hash,
    so logout or disabling the user ends it for good."""

    __tablename__ = "user_sessions"

    id = db.Column(String(36), primary_key=True, default=new_id)
    token_hash = db.Column(String(64), nullable=False, unique=True)
    user_id = db.Column(String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    csrf_token = db.Column(String(64), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=False)
    revoked_at = db.Column(UTCDateTime, nullable=True)
    user_agent = db.Column(String(255), nullable=True)
    ip = db.Column(String(64), nullable=True)

    user = db.relationship("User")


class LoginFailure(db.Model):
    """Failed-login counter per key (``user:<name>`` or ``ip:<addr>``) in a sliding window;
    kept in the database so every worker process sees the same count."""

    __tablename__ = "login_failures"

    key = db.Column(String(160), primary_key=True)
    count = db.Column(Integer, nullable=False, default=0)
    window_start = db.Column(UTCDateTime, nullable=False)
