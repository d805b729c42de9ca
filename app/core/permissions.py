"""Who may see and do what: the one place for authentication state, role checks and scope.

Scope rule (CONTRACT.md): admins see everything; supervisors and inspectors see the records of
their communities; an officer sees only its own enterprise. Anything outside a user's scope is
answered exactly like an unknown id: 404.
"""
from __future__ import annotations

from functools import wraps

from flask import g
from sqlalchemy import false, true

from app.core.i18n import record_name_zh
from app.core.roles import ADMIN, COMMUNITY_ROLES, OFFICER
from app.errors import Forbidden, NotFound, Unauthorized
from app.extensions import db


def current_user():
    """The logged-in :class:`~app.auth.models.User` or ``None``."""
    return getattr(g, "user", None)


def require_user():
    user = current_user()
    if user is None:
        raise Unauthorized("请先登录 / Please log in.")
    return user


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)
    return wrapper


def roles_required(*roles):
    """Allow only the given roles. Used for actions, never for hiding records (that is 404)."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = require_user()
            if user.role not in roles:
                raise Forbidden("您的角色无权进行此操作 / Your role may not do this.")
            return view(*args, **kwargs)
        return wrapper
    return decorator


def scope_clause(user, model):
    """A SQL condition limiting ``model`` to what ``user`` may see.

    ``model`` has ``community_id`` and ``enterprise_id`` columns (the registry's ``Enterprise``
    uses its own ``id`` as the enterprise id).
    """
    if user is None:
        return false()
    if user.role == ADMIN:
        return true()
    if user.role in COMMUNITY_ROLES:
        ids = user.community_ids
        return model.community_id.in_(ids) if ids else false()
    if user.role == OFFICER and user.enterprise_id:
        column = model.id if model.__tablename__ == "enterprises" else model.enterprise_id
        return column == user.enterprise_id
    return false()


def community_scope_clause(user, community, enterprise):
    """A SQL condition limiting ``community`` (the registry's ``Community`` model, 社区) to those
    ``user`` may see: all for admins, their own for supervisors/inspectors, the community of its
    enterprise (the ``enterprise`` model) for an officer."""
    if user is None:
        return false()
    if user.role == ADMIN:
        return true()
    if user.role in COMMUNITY_ROLES:
        ids = user.community_ids
        return community.id.in_(ids) if ids else false()
    if user.role == OFFICER and user.enterprise_id:
        return community.id.in_(db.select(enterprise.community_id)
                                .where(enterprise.id == user.enterprise_id))
    return false()


def in_scope(user, record) -> bool:
    """Python twin of :func:`scope_clause` for a loaded record."""
    if user is None:
        return False
    if user.role == ADMIN:
        return True
    if user.role in COMMUNITY_ROLES:
        return record.community_id in set(user.community_ids)
    if user.role == OFFICER and user.enterprise_id:
        enterprise_id = record.id if record.__tablename__ == "enterprises" else record.enterprise_id
        return enterprise_id == user.enterprise_id
    return False


def get_or_404(model, record_id, user=None, *, for_update: bool = False):
    """Load ``model`` by id if it exists *and* is in the user's scope; otherwise 404."""
    user = user if user is not None else require_user()
    record = db.session.get(model, str(record_id), with_for_update=for_update or None)
    if record is None or not in_scope(user, record):
        raise NotFound(f"{record_name_zh(model.__name__)}不存在 / {model.__name__} not found.")
    return record


def ensure_in_scope(user, record):
    if record is None or not in_scope(user, record):
        raise NotFound("记录不存在 / Not found.")
    return record


def can_manage_registry(user) -> bool:
    return user is not None and user.role == ADMIN
