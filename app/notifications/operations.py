"""The in-app inbox (消息): who hears of what, and reading one's own messages.

Services flush; the request (or the CLI/job runner) commits. A message with a ``dedupe`` key
arrives once per user however often the sender runs (reminders from the periodic job).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from app.auth.choices import INSPECTOR, OFFICER, SUPERVISOR
from app.auth.models import User, user_communities
from app.core.db import insert_ignore, new_id
from app.core.pagination import Page, paginate
from app.core.permissions import in_scope
from app.core.timeutil import utcnow
from app.errors import NotFound
from app.extensions import db
from app.notifications.choices import NOTIFICATION_KINDS
from app.notifications.models import Notification


def officers_of(enterprise_id: str) -> list[User]:
    """企业安全员: the active officers bound to one enterprise."""
    return list(db.session.scalars(
        select(User).where(User.role == OFFICER, User.enterprise_id == enterprise_id,
                           User.active.is_(True)).order_by(User.username)))


def _community_users(role: str, community_id: str) -> list[User]:
    return list(db.session.scalars(
        select(User).join(user_communities, user_communities.c.user_id == User.id)
        .where(User.role == role, User.active.is_(True),
               user_communities.c.community_id == community_id).order_by(User.username)))


def supervisors_of(community_id: str) -> list[User]:
    """监管/领导小组: the active supervisors responsible for one community."""
    return _community_users(SUPERVISOR, community_id)


def inspectors_of(community_id: str) -> list[User]:
    """检查员: the active inspectors of one community."""
    return _community_users(INSPECTOR, community_id)


def recheckers_of(hazard) -> list[User]:
    """Who is told that a rectification awaits its re-check (待复查): whoever found the hazard,
    while they can still re-check it (active, an inspector or supervisor still bound to its
    community); otherwise the community's inspectors, or failing them its supervisors."""
    finder = hazard.reporter
    if (finder is not None and finder.active and finder.role in (INSPECTOR, SUPERVISOR)
            and in_scope(finder, hazard)):
        return [finder]
    return inspectors_of(hazard.community_id) or supervisors_of(hazard.community_id)


def notify(users, *, kind: str, title: str, body: str = "", subject_type: str | None = None,
           subject_id: str | None = None, dedupe: str | None = None, exclude=None,
           now: datetime | None = None) -> int:
    """Put one message in each user's inbox; returns how many were new.

    ``exclude`` (a user) does not hear of what it did itself. With ``dedupe`` the key
    ``<dedupe>:<user id>`` is unique, so a repeated or concurrent run adds nothing.
    """
    assert kind in NOTIFICATION_KINDS, kind
    now = now or utcnow()
    exclude_id = getattr(exclude, "id", None)
    added = 0
    for user in users:
        if user.id == exclude_id:
            continue
        values = dict(id=new_id(), user_id=user.id, kind=kind, title=title[:200], body=body,
                      subject_type=subject_type, subject_id=subject_id, created_at=now,
                      dedupe_key=f"{dedupe}:{user.id}" if dedupe else None)
        if dedupe:
            added += insert_ignore(Notification, values, ["dedupe_key"])
        else:
            db.session.add(Notification(**values))
            added += 1
    db.session.flush()
    return added


@dataclass
class InboxPage(Page):
    """A page of the inbox and the number of unread messages in all of it."""

    unread: int = 0


def inbox(user, *, unread: bool | None = None, kind: str | None = None, page: int = 1,
          per_page: int = 20) -> InboxPage:
    """One user's own messages, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread is True:
        query = query.where(Notification.read_at.is_(None))
    elif unread is False:
        query = query.where(Notification.read_at.is_not(None))
    if kind:
        query = query.where(Notification.kind == kind)
    listed = paginate(query.order_by(Notification.created_at.desc(), Notification.id.desc()),
                      page, per_page)
    return InboxPage(listed.items, listed.total, page, per_page, unread=unread_count(user))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def mark_read(user, notification_id: str, *, now: datetime | None = None) -> Notification:
    """Mark one of the user's own messages read; someone else's message is 404."""
    note = db.session.get(Notification, str(notification_id))
    if note is None or note.user_id != user.id:
        raise NotFound("通知不存在 / Notification not found.")
    if note.read_at is None:
        note.read_at = now or utcnow()
        db.session.flush()
    return note


def mark_all_read(user, *, now: datetime | None = None) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=now or utcnow()).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount
