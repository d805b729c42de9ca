"""Which communities (社区) a user sees: the scope rule of app.core.permissions applied to the
registry's own records, where the community is the record itself rather than a column of it."""
from __future__ import annotations

from sqlalchemy import false, select, true

from app.core.roles import ADMIN, COMMUNITY_ROLES, OFFICER
from app.errors import NotFound
from app.extensions import db
from app.registry.models import Community, Enterprise


def community_scope_clause(user):
    """A SQL condition limiting :class:`~app.registry.models.Community` (社区) to those ``user``
    may see: all for admins, their own for supervisors/inspectors, the community of its
    enterprise for an officer."""
    if user is None:
        return false()
    if user.role == ADMIN:
        return true()
    if user.role in COMMUNITY_ROLES:
        ids = user.community_ids
        return Community.id.in_(ids) if ids else false()
    if user.role == OFFICER and user.enterprise_id:
        return Community.id.in_(db.select(Enterprise.community_id)
                                .where(Enterprise.id == user.enterprise_id))
    return false()


def visible_community(user, community_id: str | None, *, field: str | None = "community_id"):
    """The :class:`~app.registry.models.Community` named by ``community_id`` (a filter, a
    label sheet) if ``user`` may see it, ``None`` when none is named; otherwise 404 naming
    ``field`` (unknown and not-yours answer the same)."""
    if not community_id:
        return None
    community = db.session.scalar(select(Community).where(
        Community.id == str(community_id), community_scope_clause(user)))
    if community is None:
        raise NotFound("Community not found.", field=field)
    return community
