"""Account and session operations: hashing, login with throttling, logout, user creation."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import case, delete, select, update

from app.auth.choices import COMMUNITY_ROLES, OFFICER, ROLES
from app.auth.models import LoginFailure, User, UserSession
from app.core.db import upsert
from app.core.timeutil import utcnow
from app.errors import Invalid, TooManyRequests, Unauthorized
from app.extensions import db


def _hasher() -> PasswordHasher:
    """argon2id with the configured cost (RFC 9106 defaults; the test suite lowers memory)."""
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"])
    cache = current_app.extensions.setdefault("anxun_hashers", {})
    if key not in cache:
        hasher = PasswordHasher(time_cost=key[0], memory_cost=key[1])
        # Verified when the username is unknown, so both failures take the same time.
        cache[key] = (hasher, hasher.hash(secrets.token_urlsafe(16)))
    return cache[key][0]


def _dummy_hash() -> str:
    _hasher()
    cfg = current_app.config
    return current_app.extensions["anxun_hashers"][(cfg["ARGON2_TIME_COST"],
                                                    cfg["ARGON2_MEMORY_KIB"])][1]
BAD_CREDENTIALS = "用户名或密码错误 / Wrong username or password."


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(*, username: str, password: str, role: str, display_name: str | None = None,
                enterprise=None, communities=(), phone: str | None = None) -> User:
    """Create an account; validates role bindings (officer → one enterprise, supervisor and
    inspector → at least one community)."""
    username = (username or "").strip()
    if not username:
        raise Invalid("Username is required.", field="username")
    if role not in ROLES:
        raise Invalid(f"Unknown role '{role}'.", field="role")
    if len(password or "") < 8:
        raise Invalid("Password must have at least 8 characters.", field="password")
    if role == OFFICER and enterprise is None:
        raise Invalid("An officer must be bound to one enterprise.", field="enterprise")
    if role != OFFICER and enterprise is not None:
        raise Invalid("Only officers are bound to an enterprise.", field="enterprise")
    if role in COMMUNITY_ROLES and not communities:
        raise Invalid("Supervisors and inspectors need at least one community.", field="community")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Invalid("Username already taken.", field="username")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password), enterprise=enterprise,
                communities=list(communities), phone=phone)
    db.session.add(user)
    db.session.flush()
    return user


def _throttle_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    cfg = current_app.config
    keys = [(f"user:{username.strip().lower()}", cfg["LOGIN_MAX_FAILURES"])]
    if ip:
        keys.append((f"ip:{ip}", cfg["LOGIN_IP_MAX_FAILURES"]))
    return keys


def check_throttle(username: str, ip: str | None) -> None:
    """Raise 429 while a username or an address has too many recent failures."""
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"])
    now = utcnow()
    for key, limit in _throttle_keys(username, ip):
        row = db.session.get(LoginFailure, key)
        if row and row.count >= limit and row.window_start > now - window:
            retry = int((row.window_start + window - now).total_seconds()) + 1
            raise TooManyRequests("登录失败次数过多，请稍后再试 / Too many failed logins; try later.",
                                  headers={"Retry-After": str(retry)})


def record_failure(username: str, ip: str | None) -> None:
    """Count a failure atomically (one UPSERT), restarting the window once it has passed."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"])
    table = LoginFailure.__table__
    for key, _limit in _throttle_keys(username, ip):
        expired = table.c.window_start < cutoff
        upsert(LoginFailure, {"key": key, "count": 1, "window_start": now}, ["key"], {
            "count": case((expired, 1), else_=table.c.count + 1),
            "window_start": case((expired, now), else_=table.c.window_start),
        })


def authenticate(username: str, password: str, ip: str | None) -> User:
    """Return the active user for these credentials or raise 401/429 (same 401 either way)."""
    check_throttle(username, ip)
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    ok = verify_password(user.password_hash if user else _dummy_hash(), password or "")
    if not ok or user is None or not user.active:
        raise Unauthorized(BAD_CREDENTIALS)
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.key == f"user:{username.strip().lower()}"))
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def open_session(user: User, *, user_agent: str | None, ip: str | None) -> tuple[str, UserSession]:
    """Create a server-side session; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["SESSION_LIFETIME_HOURS"]
    session = UserSession(token_hash=token_hash(token), user_id=user.id,
                          csrf_token=secrets.token_urlsafe(32),
                          expires_at=utcnow() + timedelta(hours=hours),
                          user_agent=(user_agent or "")[:255], ip=ip)
    db.session.add(session)
    db.session.flush()
    return token, session


def load_session(token: str | None) -> UserSession | None:
    """The live session for a cookie token, or None (unknown, expired, revoked, user disabled)."""
    if not token:
        return None
    session = db.session.scalar(select(UserSession).where(UserSession.token_hash == token_hash(token)))
    if session is None or session.revoked_at is not None or session.expires_at <= utcnow():
        return None
    if not session.user.active:
        return None
    return session


def csrf_matches(session: UserSession, header_value: str | None) -> bool:
    return bool(header_value) and hmac.compare_digest(session.csrf_token, header_value)


def revoke_session(session: UserSession) -> None:
    session.revoked_at = utcnow()
    db.session.flush()


def disable_user(user: User) -> None:
    """Disable an account and end all its sessions at once."""
    user.active = False
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    db.session.flush()
