"""Photos of an activity (活动照片: the sign-in sheet, the drill, the stand on 咨询日), uploaded
through ``POST /api/v1/photos`` with ``activity_id`` and ``kind: "activity"``. The photos package
stores them; who may add and see them is decided here (registered in ``wiring.py``)."""
from __future__ import annotations

from app.campaigns.models import Activity, ActivityEvent
from app.core.idempotency import CreateResult, create_or_replay
from app.core.permissions import in_scope, require
from app.core.timeutil import utcnow
from app.errors import Invalid
from app.extensions import db
from app.hazards.choices import ACTIVITY_PHOTO, PHOTO_KINDS
from app.photos import intake
from app.photos.models import Photo
from app.photos.owners import PhotoOwner


def photo_visible(user, photo) -> bool:
    """Whoever sees the activity sees its photos."""
    activity = db.session.get(Activity, photo.activity_id)
    return activity is not None and in_scope(user, activity)


def upload_activity_photo(user, data: dict, content: bytes) -> CreateResult:
    """Store a photo of an activity in the user's scope (idempotent by client id and bytes)."""
    require(user, "photo.upload_activity")
    if data["kind"] != ACTIVITY_PHOTO:
        raise Invalid(f"活动的照片类型应为“{PHOTO_KINDS.label(ACTIVITY_PHOTO, 'zh')}” / An "
                      f"activity's photos are of kind '{ACTIVITY_PHOTO}'.", field="kind")
    claimed = data.get("sha256")
    sha256 = intake.checked_sha256(content, claimed)
    body = {"activity_id": data["activity_id"], "kind": ACTIVITY_PHOTO, "sha256": sha256}
    pending: dict = {}

    def build(photo_id: str, body_hash: str) -> Photo:
        activity = db.session.get(Activity, data["activity_id"])
        if activity is None or not in_scope(user, activity):
            raise Invalid("活动不存在 / Unknown activity.", field="activity_id")
        photo, files = intake.new_photo(photo_id, body_hash, owner_id=activity.id,
                                        owner_field="activity_id", kind=ACTIVITY_PHOTO,
                                        uploader_id=user.id, content=content,
                                        claimed_sha256=claimed)
        pending.update(activity=activity, files=files)
        return photo

    result = create_or_replay(Photo, data.get("id"), body, build, user=user, scope=photo_visible)
    if result.created:
        intake.write_files(pending["files"])
        activity = pending["activity"]
        db.session.add(ActivityEvent(activity_id=activity.id, actor_id=user.id,
                                     action="add_photo", from_state=activity.state,
                                     to_state=activity.state, at=utcnow(),
                                     data={"photo_id": result.record.id,
                                           "sha256": result.record.sha256}))
        db.session.flush()
    return result


OWNER = PhotoOwner(field="activity_id", upload=upload_activity_photo, visible=photo_visible)
