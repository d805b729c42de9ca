"""Account and session operations: hashing, login with throttling, logout, user creation,
and the administration of accounts (用户管理) and of one's own password."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, g
from sqlalchemy import bindparam, case, delete, or_, select, update
from sqlalchemy import inspect as inspect_state
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth import devices
from app.auth.choices import COMMUNITY_ROLES, OFFICER, ROLES
from app.auth.models import LoginFailure, User, UserSession, user_communities
from app.core.db import attach, upsert
from app.core.pagination import Page, paginate
from app.core.permissions import require
from app.core.timeutil import utcnow
from app.errors import Conflict, Invalid, NotFound, TooManyRequests, Unauthorized
from app.extensions import db
from app.registry.models import Community, Enterprise

MIN_PASSWORD_LENGTH = 8


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


def check_password_strength(password: str | None, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / "
                      f"Password must have at least {MIN_PASSWORD_LENGTH} characters.", field=field)


def create_user(*, username: str, password: str, role: str, display_name: str | None = None,
                enterprise=None, communities=(), phone: str | None = None,
                user_id: str | None = None) -> User:
    """Create an account; validates role bindings (officer → one enterprise, supervisor and
    inspector → at least one community). ``user_id`` is a client-chosen id (default: new)."""
    username = (username or "").strip()
    if not username:
        raise Invalid("请填写用户名 / Username is required.", field="username")
    if role not in ROLES:
        raise Invalid(ROLES.unknown_message(role), field="role")
    check_password_strength(password)
    if role == OFFICER and enterprise is None:
        raise Invalid("企业安全员须绑定一家企业 / An officer must be bound to one enterprise.",
                      field="enterprise")
    if role != OFFICER and enterprise is not None:
        raise Invalid("只有企业安全员绑定企业 / Only officers are bound to an enterprise.",
                      field="enterprise")
    if role in COMMUNITY_ROLES and not communities:
        raise Invalid("监管人员和检查人员至少须负责一个社区 / "
                      "Supervisors and inspectors need at least one community.", field="community")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Invalid("用户名已被使用 / Username already taken.", field="username")
    user = User(username=username, display_name=display_name or username, role=role,
                password_hash=hash_password(password), enterprise=enterprise,
                communities=list(communities), phone=phone)
    if user_id:
        user.id = user_id
    db.session.add(user)
    db.session.flush()
    return user


# --------------------------------------------------------------------------------------------
# Login throttling (README "Login throttling"). Counters live in ``login_failures`` so every
# worker sees the same ones; each is a sliding window of LOGIN_FAILURE_WINDOW_S. Keys:
#   pair:<username> <address>    an unknown browser at that address      LOGIN_MAX_FAILURES
#   user:<username>              unknown browsers anywhere ("under attack") LOGIN_USER_MAX_FAILURES
#   ip:<address>                 unknown browsers there, any username     LOGIN_IP_MAX_FAILURES
#   device:<username> <device>   a known device of that user (devices.py) LOGIN_MAX_FAILURES
# A known device is counted only against itself, so nobody else's guesses slow its owner down.

def _name_key(username: str | None) -> str:
    return (username or "").strip().lower()


def _throttle_keys(username: str, ip: str | None,
                   device_id: str | None = None) -> list[tuple[str, int]]:
    cfg = current_app.config
    name, address = _name_key(username), ip or "-"
    if device_id:
        return [(f"device:{name} {device_id}"[:160], cfg["LOGIN_MAX_FAILURES"])]
    return [(f"pair:{name} {address}"[:160], cfg["LOGIN_MAX_FAILURES"]),
            (f"user:{name}"[:160], cfg["LOGIN_USER_MAX_FAILURES"]),
            (f"ip:{address}"[:160], cfg["LOGIN_IP_MAX_FAILURES"])]


def reserve_attempt(username: str, ip: str | None, device_id: str | None = None) -> None:
    """Count this attempt *before* the password is checked; 429 once a key is over its limit.

    One UPSERT per key returns the new count, and the row it writes stays locked until the
    request ends: parallel attempts on other workers queue behind it and see its count, so no
    more than the limit are ever checked in a window. A failure keeps the count (the caller
    commits it despite the 4xx answer); a success gives its attempt back. Keys are taken in one
    order (pair or device, user, address), so two attempts never wait for each other's rows.
    """
    window = timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_S"])
    now = utcnow()
    for key, limit in _throttle_keys(username, ip, device_id):
        count, window_start = _count_attempt(key, now, window).one()
        if count > limit:
            retry = int((window_start + window - now).total_seconds()) + 1
            raise TooManyRequests(
                "登录失败次数过多，请稍后再试 / Too many failed logins; try later.",
                headers={"Retry-After": str(max(retry, 1))})


def _count_attempt(key: str, now, window: timedelta):
    """Add one to ``key``'s count (restarting its window once it has passed); returns the row."""
    table = LoginFailure.__table__
    expired = table.c.window_start < now - window
    return upsert(LoginFailure, {"key": key, "count": 1, "window_start": now}, ["key"], {
        "count": case((expired, 1), else_=table.c.count + 1),
        "window_start": case((expired, now), else_=table.c.window_start),
    }, returning=(table.c.count, table.c.window_start))


def _forgive_attempt(username: str, ip: str | None, device_id: str | None = None) -> None:
    """A success: this browser's own failures are forgotten (its pair or device key); the shared
    keys (username, address) only get this attempt's reservation back, so an attack going on
    elsewhere keeps counting."""
    own, *shared = [key for key, _limit in _throttle_keys(username, ip, device_id)]
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == own))
    if shared:
        db.session.execute(update(LoginFailure).where(LoginFailure.key.in_(shared),
                                                      LoginFailure.count > 0)
                           .values(count=LoginFailure.count - 1))


def authenticate(username: str, password: str, ip: str | None,
                 device_cookie: str | None = None) -> User:
    """Return the active user for these credentials or raise 401/429 (same 401 either way).
    ``device_cookie`` is the browser's ``anxun_device`` cookie (a known device, devices.py)."""
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()))
    device_id = devices.known_device_id(device_cookie, user)
    reserve_attempt(username, ip, device_id)
    ok = verify_password(user.password_hash if user else _dummy_hash(), password or "")
    if not ok or user is None or not user.active:
        raise Unauthorized(BAD_CREDENTIALS)
    _forgive_attempt(username, ip, device_id)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def unlock_user(actor: User, user_id: str) -> None:
    """解除登录限制: forget every failed-login counter of this account (at every address, on
    every device), so its owner can log in again at once. Counters of an address stay: they
    are shared with other usernames."""
    require(actor, "users.manage")
    user = _account(user_id)
    name = _name_key(user.username)
    db.session.execute(delete(LoginFailure).where(or_(
        LoginFailure.key == f"user:{name}",
        LoginFailure.key.startswith(f"pair:{name} ", autoescape=True),
        LoginFailure.key.startswith(f"device:{name} ", autoescape=True))))
    current_app.logger.info("auth: %s unlocked the login of %s", actor.username, user.username)


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


_SESSION, _USER, _COMMUNITY = (UserSession.__table__, User.__table__, Community.__table__)
_SESSION_COLUMNS, _USER_COLUMNS, _COMMUNITY_COLUMNS = (
    tuple(c.name for c in table.c) for table in (_SESSION, _USER, _COMMUNITY))
#: where each record's columns stand in a row of _LIVE_SESSION
_SESSION_PART = slice(0, len(_SESSION_COLUMNS))
_USER_PART = slice(_SESSION_PART.stop, _SESSION_PART.stop + len(_USER_COLUMNS))
_COMMUNITY_PART = slice(_USER_PART.stop, None)
_COMMUNITY_ID = _USER_PART.stop + _COMMUNITY_COLUMNS.index("id")
#: A live session by its token's hash, with its user and the user's communities (one row per
#: community): read with plain SQL, put in the session as loaded records (``attach``).
_LIVE_SESSION = (
    select(*[c.label(f"s_{c.name}") for c in _SESSION.c],
           *[c.label(f"u_{c.name}") for c in _USER.c],
           *[c.label(f"c_{c.name}") for c in _COMMUNITY.c])
    .select_from(_SESSION.join(_USER, _USER.c.id == _SESSION.c.user_id)
                 .outerjoin(user_communities, user_communities.c.user_id == _USER.c.id)
                 .outerjoin(_COMMUNITY, _COMMUNITY.c.id == user_communities.c.community_id))
    .where(_SESSION.c.token_hash == bindparam("token_hash"), _SESSION.c.revoked_at.is_(None),
           _SESSION.c.expires_at > bindparam("now", type_=_SESSION.c.expires_at.type),
           _USER.c.active.is_(True))
    .order_by(_COMMUNITY.c.id))


def load_session(token: str | None) -> UserSession | None:
    """The live session for a cookie token, or None (unknown, expired, revoked, user disabled).

    Every request pays for this: one statement brings the session, its user and the user's
    communities (the scope of supervisors and inspectors), refusing an ended session or a
    disabled user in SQL, and the records are put in the session as loaded without the ORM's
    per-row machinery (bench/RESULTS.md, issue 18)."""
    if not token:
        return None
    rows = db.session.execute(_LIVE_SESSION, {"token_hash": token_hash(token),
                                              "now": utcnow()}).all()
    if not rows:
        return None
    session = _attached(UserSession, _SESSION_COLUMNS, rows[0][_SESSION_PART])
    user = _attached(User, _USER_COLUMNS, rows[0][_USER_PART])
    if "communities" not in inspect_state(user).dict:
        set_committed_value(user, "communities", [
            _attached(Community, _COMMUNITY_COLUMNS, row[_COMMUNITY_PART])
            for row in rows if row[_COMMUNITY_ID] is not None])
    if "user" not in inspect_state(session).dict:
        set_committed_value(session, "user", user)
    return session


def _attached(model, columns: tuple[str, ...], values):
    return attach(model, dict(zip(columns, values, strict=True)))


def csrf_matches(session: UserSession, header_value: str | None) -> bool:
    return bool(header_value) and hmac.compare_digest(session.csrf_token, header_value)


def revoke_session(session: UserSession) -> None:
    session.revoked_at = utcnow()
    db.session.flush()


def end_sessions(user: User, *, keep: UserSession | None = None) -> None:
    """End every live session of ``user`` (except ``keep``, the one making the request)."""
    stmt = update(UserSession).where(UserSession.user_id == user.id,
                                     UserSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    db.session.execute(stmt.values(revoked_at=utcnow()))
    db.session.flush()


def disable_user(user: User) -> None:
    """Disable an account and end all its sessions at once."""
    user.active = False
    end_sessions(user)


def enable_user(user: User) -> None:
    """Let a disabled account log in again; its old sessions stay ended."""
    user.active = True
    db.session.flush()


def change_own_password(user: User, session: UserSession, old_password: str,
                        new_password: str, ip: str | None) -> None:
    """修改密码: the logged-in user proves the current password and sets a new one. Its other
    sessions (another phone, a copied cookie) end; this one carries on. Wrong guesses count
    towards the login throttle, so a stolen session cannot be used to find the password."""
    reserve_attempt(user.username, ip)
    if not verify_password(user.password_hash, old_password or ""):
        raise Invalid("当前密码不正确 / the current password is wrong.", field="old_password")
    _forgive_attempt(user.username, ip)
    check_password_strength(new_password, "new_password")
    if new_password == old_password:
        raise Invalid("新密码不能与当前密码相同 / the new password must differ from the current "
                      "one.", field="new_password")
    user.password_hash = hash_password(new_password)
    end_sessions(user, keep=session)
    current_app.logger.info("auth: %s changed its password", user.username)


# --------------------------------------------------------------------------------------------
# Administration of accounts (用户管理): ``users.manage`` (administrators); the views check it
# too, before reading the body.

DEFAULT_PER_PAGE = 50
#: ``create_user`` names the bindings by concept; the API's fields are these.
_API_FIELDS = {"enterprise": "enterprise_id", "community": "community_ids"}


def list_users(actor: User, args: dict) -> Page:
    """Accounts filtered by ``role``, ``active``, ``q`` (username, name or phone) and
    ``community_id`` (supervisors/inspectors of that community and officers of its
    enterprises), by username."""
    require(actor, "users.manage")
    stmt = select(User)
    if args.get("role"):
        stmt = stmt.where(User.role == args["role"])
    if args.get("active") is not None:
        stmt = stmt.where(User.active.is_(args["active"]))
    if args.get("q"):
        q = args["q"]
        stmt = stmt.where(or_(User.username.icontains(q, autoescape=True),
                              User.display_name.icontains(q, autoescape=True),
                              User.phone.icontains(q, autoescape=True)))
    if args.get("community_id"):
        cid = args["community_id"]
        stmt = stmt.where(or_(
            User.id.in_(select(user_communities.c.user_id)
                        .where(user_communities.c.community_id == cid)),
            User.enterprise_id.in_(select(Enterprise.id).where(Enterprise.community_id == cid))))
    return paginate(stmt.options(selectinload(User.communities), selectinload(User.enterprise))
                    .order_by(User.username, User.id),
                    args.get("page") or 1, args.get("per_page") or DEFAULT_PER_PAGE)


def get_user(actor: User, user_id: str) -> User:
    require(actor, "users.manage")
    return _account(user_id)


def _account(user_id: str) -> User:
    user = db.session.get(User, str(user_id))
    if user is None:
        raise NotFound("用户不存在 / User not found.")
    return user


def _binding_errors(role: str, data: dict, errors: dict) -> tuple[object, list | None]:
    """Check ``enterprise_id``/``community_ids`` of ``data`` against ``role``; returns the
    enterprise and communities to bind (``None`` where ``data`` does not name them)."""
    enterprise = None
    if "enterprise_id" in data:
        eid = data["enterprise_id"]
        if role != OFFICER:
            if eid:
                errors.setdefault("enterprise_id", []).append(
                    "只有企业安全员绑定企业 / only officers are bound to an enterprise.")
        elif not eid:
            errors.setdefault("enterprise_id", []).append(
                "企业安全员必须绑定一家企业 / an officer must be bound to one enterprise.")
        else:
            enterprise = db.session.get(Enterprise, eid)
            if enterprise is None:
                errors.setdefault("enterprise_id", []).append("企业不存在 / unknown enterprise.")
    communities = None
    if "community_ids" in data:
        ids = list(dict.fromkeys(data["community_ids"] or []))
        if role not in COMMUNITY_ROLES:
            if ids:
                errors.setdefault("community_ids", []).append(
                    "只有监管人员和检查员绑定社区 / only supervisors and inspectors are bound to "
                    "communities.")
        elif not ids:
            errors.setdefault("community_ids", []).append(
                "监管人员和检查员至少绑定一个社区 / supervisors and inspectors need at least one "
                "community.")
        else:
            found = {c.id: c for c in db.session.scalars(select(Community)
                                                         .where(Community.id.in_(ids)))}
            unknown = [i for i in ids if i not in found]
            if unknown:
                errors.setdefault("community_ids", []).append(
                    "社区不存在 / unknown community: " + ", ".join(unknown))
            communities = [found[i] for i in ids if i in found]
    return enterprise, communities


def _same_account(user: User, data: dict) -> bool:
    """Whether ``user`` is what this create body would have made (a replayed create)."""
    return (user.username == data["username"].strip() and user.role == data["role"]
            and user.display_name == (data.get("display_name") or data["username"].strip())
            and (user.enterprise_id or None) == (data.get("enterprise_id") or None)
            and set(user.community_ids) == set(data.get("community_ids") or [])
            and (user.phone or None) == (data.get("phone") or None)
            and verify_password(user.password_hash, data["password"]))


def _replayed_create(user_id: str | None, data: dict) -> User | None:
    """The account already stored under the client-chosen ``user_id`` when this body is a replay
    of its create; None when there is none; 409 when the id belongs to another account."""
    if not user_id:
        return None
    existing = db.session.get(User, user_id, populate_existing=True)
    if existing is None:
        return None
    if _same_account(existing, data):
        return existing
    raise Conflict("这个 id 已属于另一个账号 / this id belongs to another account.", field="id")


def create_user_by_admin(actor: User, data: dict) -> tuple[User, bool]:
    """An administrator opens an account. A client-chosen ``id`` makes it idempotent: the same
    body again answers the stored account (``created`` False), another body is 409.

    A replay can run alongside the create it repeats (an outbox retrying on two workers): on
    PostgreSQL it then finds the username taken, or its INSERT waits for the first one's commit
    and fails. Either way the first one has committed by then, so the id is looked up again and
    the replay answers the stored account."""
    require(actor, "users.manage")
    user_id = str(data["id"]) if data.get("id") else None
    replayed = _replayed_create(user_id, data)
    if replayed is not None:
        return replayed, False
    role = data["role"]
    errors: dict = {}
    payload = {"community_ids": data.get("community_ids") or [],
               "enterprise_id": data.get("enterprise_id")}
    enterprise, communities = _binding_errors(role, payload, errors)
    username = data["username"].strip()
    if db.session.scalar(select(User.id).where(User.username == username)):
        replayed = _replayed_create(user_id, data)
        if replayed is not None:
            return replayed, False
        errors.setdefault("username", []).append("用户名已被使用 / username already taken.")
    if errors:
        raise Invalid("账号信息有误 / the account has invalid fields.", errors=errors)
    try:
        with db.session.begin_nested():
            user = create_user(username=username, password=data["password"], role=role,
                               display_name=data.get("display_name"), enterprise=enterprise,
                               communities=communities or [], phone=data.get("phone") or None,
                               user_id=user_id)
    except Invalid as exc:
        raise Invalid(exc.detail, errors={_API_FIELDS.get(k, k): v
                                          for k, v in exc.errors.items()}) from exc
    except IntegrityError as exc:  # the same username (or id) stored by a parallel request
        replayed = _replayed_create(user_id, data)
        if replayed is not None:
            return replayed, False
        raise Conflict("用户名已被使用 / username already taken.", field="username") from exc
    current_app.logger.info("auth: %s created %s %s", actor.username, user.role, user.username)
    return user, True


def update_user_by_admin(actor: User, user_id: str, data: dict) -> User:
    """Change an account: name, phone, bindings, ``active`` (false ends all its sessions) and a
    password reset (ends its sessions too, but not the administrator's own current one)."""
    require(actor, "users.manage")
    user = _account(user_id)
    errors: dict = {}
    enterprise, communities = _binding_errors(user.role, data, errors)
    if data.get("active") is False and user.id == actor.id:
        errors.setdefault("active", []).append(
            "不能停用自己的账号 / you cannot disable your own account.")
    if "display_name" in data and not (data["display_name"] or "").strip():
        errors.setdefault("display_name", []).append("姓名不能为空 / the name is required.")
    if errors:
        raise Invalid("账号信息有误 / the account has invalid fields.", errors=errors)

    changed = []
    if "display_name" in data and data["display_name"].strip() != user.display_name:
        user.display_name = data["display_name"].strip()
        changed.append("display_name")
    if "phone" in data and (data["phone"] or None) != user.phone:
        user.phone = data["phone"] or None
        changed.append("phone")
    if enterprise is not None and enterprise.id != user.enterprise_id:
        user.enterprise = enterprise
        changed.append("enterprise_id")
    if communities is not None and {c.id for c in communities} != set(user.community_ids):
        user.communities = communities
        changed.append("community_ids")
    if data.get("password"):
        check_password_strength(data["password"])
        user.password_hash = hash_password(data["password"])
        end_sessions(user, keep=_current_session_of(actor) if user.id == actor.id else None)
        changed.append("password")
    if "active" in data and data["active"] != user.active:
        (enable_user if data["active"] else disable_user)(user)
        changed.append("active")
    db.session.flush()
    if changed:
        current_app.logger.info("auth: %s changed %s: %s", actor.username, user.username,
                                ", ".join(changed))
    return user


def _current_session_of(user: User) -> UserSession | None:
    """The session of the current request when it belongs to ``user``."""
    session = g.get("user_session")
    return session if session is not None and session.user_id == user.id else None
