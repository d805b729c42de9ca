"""The in-app inbox (消息): each user reads and marks only its own messages."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.core.permissions import require_user
from app.notifications import operations
from app.notifications.schemas import (NotificationOut, NotificationPageOut, NotificationQuery,
                                       ReadAllOut, UnreadCountOut)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="消息 Inbox")


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, NotificationPageOut)
def list_notifications(query):
    """The user's own messages, newest first; ``unread=true`` for unread only."""
    return operations.inbox(require_user(), unread=query.get("unread"), kind=query.get("kind"),
                            page=query["page"], per_page=query["per_page"])


@blp.route("/notifications/unread-count", methods=["GET"])
@blp.response(200, UnreadCountOut)
def unread_count():
    """How many of the user's messages are unread (the badge)."""
    return {"unread": operations.unread_count(require_user())}


@blp.route("/notifications/<notification_id>/read", methods=["POST"])
@blp.response(200, NotificationOut)
def mark_read(notification_id):
    """Mark one own message read (idempotent); someone else's message is 404."""
    return operations.mark_read(require_user(), notification_id)


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllOut)
def mark_all_read():
    """Mark every own message read."""
    user = require_user()
    return {"updated": operations.mark_all_read(user), "unread": operations.unread_count(user)}
