"""Who sees which tip (举报) and which bulletin (预警): the scope rule of app.core.permissions
applied to outreach's records. Anything outside it is answered 404, like an unknown id.

Tips: supervisors see those of their communities and every tip made without an enterprise (no
community: every supervisor triages it); inspectors those of their communities; admins all;
officers none, not even about their own enterprise (the reporter is protected, DOMAIN.md).

Bulletins: whoever wrote one, and everyone in whose scope one of its receipts lies (an
officer: its own enterprise's); admins all.
"""
from __future__ import annotations

from sqlalchemy import exists, false, or_, select, true

from app.core.i18n import record_name_zh
from app.core.permissions import can, in_scope, scope_clause
from app.core.roles import ADMIN, SUPERVISOR
from app.errors import NotFound
from app.extensions import db
from app.outreach.models import Bulletin, BulletinReceipt, Tip


def tip_clause(user):
    """A SQL condition limiting :class:`Tip` to those ``user`` may see."""
    if user is None or not can(user, "tip.read"):
        return false()
    if user.role == ADMIN:
        return true()
    ids = user.community_ids
    mine = Tip.community_id.in_(ids) if ids else false()
    if user.role == SUPERVISOR:
        return or_(mine, Tip.community_id.is_(None))
    return mine


def tip_visible(user, tip) -> bool:
    """Python twin of :func:`tip_clause`."""
    if user is None or not can(user, "tip.read"):
        return False
    if user.role == ADMIN:
        return True
    if tip.community_id is None:
        return user.role == SUPERVISOR
    return tip.community_id in set(user.community_ids)


def get_tip(user, tip_id: str, *, for_update: bool = False) -> Tip:
    tip = db.session.get(Tip, str(tip_id), with_for_update=for_update or None)
    if tip is None or not tip_visible(user, tip):
        raise NotFound(f"{record_name_zh('Tip')}不存在 / Report not found.")
    return tip


def bulletin_clause(user):
    """A SQL condition limiting :class:`Bulletin` to those ``user`` may see."""
    if user is None:
        return false()
    if user.role == ADMIN:
        return true()
    reached = exists(select(BulletinReceipt.id).where(
        BulletinReceipt.bulletin_id == Bulletin.id, scope_clause(user, BulletinReceipt)))
    return or_(Bulletin.author_id == user.id, reached)


def get_bulletin(user, bulletin_id: str) -> Bulletin:
    bulletin = db.session.scalar(select(Bulletin).where(Bulletin.id == str(bulletin_id),
                                                        bulletin_clause(user)))
    if bulletin is None:
        raise NotFound(f"{record_name_zh('Bulletin')}不存在 / Bulletin not found.")
    return bulletin


def receipt_visible(user, receipt) -> bool:
    return in_scope(user, receipt)
