"""Photo (照片) services: accept an upload as evidence, find a stored file for a viewer."""
from __future__ import annotations

import hashlib

from flask import current_app

from app.core.idempotency import CreateResult, create_or_replay
from app.core.permissions import in_scope, require
from app.core.timeutil import utcnow
from app.errors import Conflict, Invalid, NotFound, PayloadTooLarge
from app.extensions import db
from app.hazards.choices import (FINDING, HAZARD_STATES, PHOTO_KINDS, RECHECK, RECTIFICATION,
                                 RECTIFYING, REPORTED, SUBMITTED)
from app.hazards.models import Hazard
from app.hazards.operations import ensure_open_for_photos, record_event
from app.photos import storage
from app.photos.imaging import process_upload
from app.photos.models import Photo

#: The capability each kind of photo needs: an enterprise officer shows its rectification
#: (整改照片); inspectors and supervisors photograph findings, may document a rectification they
#: saw on site, and photograph what they find when re-checking a submitted fix (复查照片).
#: Admins do not take part in the loop (see app.hazards.workflow).
UPLOAD_CAPABILITY = {
    FINDING: "photo.upload_finding",
    RECTIFICATION: "photo.upload_rectification",
    RECHECK: "photo.upload_recheck",
}
#: The states in which each kind may be added. Rectification evidence is added while the fix
#: is under way; once submitted, what the reviewer judges must not change under them, and only
#: the reviewer's own re-check photos come in until the verdict.
KIND_STATES = {
    RECTIFICATION: frozenset({REPORTED, RECTIFYING}),
    RECHECK: frozenset({SUBMITTED}),
}
#: multipart overhead allowed on top of PHOTO_MAX_BYTES before a request is refused unread
MULTIPART_SLACK = 64 * 1024

VARIANTS = {"full": "full_path", "thumb": "thumb_path", "original": "original_path"}


def refuse_oversize_request(content_length: int | None) -> None:
    """413 before anything is read when the declared request size is already too big."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    if content_length is not None and content_length > limit + MULTIPART_SLACK:
        raise PayloadTooLarge(f"上传内容为 {content_length} 字节，照片最大 {limit} 字节 / "
                              f"The upload is {content_length} bytes; a photo may have at most "
                              f"{limit}.", field="file")


def read_upload(file_storage) -> bytes:
    """The uploaded bytes, read up to one byte past the limit (413 beyond it)."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"照片最大 {limit} 字节 / A photo may have at most {limit} bytes.",
                              field="file")
    if not data:
        raise Invalid("文件为空 / The file is empty.", field="file")
    return data


def photo_in_scope(user, photo) -> bool:
    return photo.hazard is not None and in_scope(user, photo.hazard)


def upload_photo(user, data: dict, content: bytes) -> CreateResult:
    """Store an evidence photo for a hazard (idempotent by client id and SHA-256)."""
    require(user, "photo.upload")
    sha256 = hashlib.sha256(content).hexdigest()
    claimed = data.get("sha256")
    if claimed and claimed != sha256:
        raise Invalid("照片的 SHA-256 与上传内容不符，上传已损坏 / "
                      "The photo's SHA-256 does not match the uploaded bytes; the upload was "
                      "damaged.", field="sha256")
    body = {"hazard_id": data["hazard_id"], "kind": data["kind"], "sha256": sha256}
    cfg = current_app.config
    pending: dict = {}

    def build(photo_id: str, body_hash: str) -> Photo:
        hazard = db.session.get(Hazard, data["hazard_id"])
        if hazard is None or not in_scope(user, hazard):
            raise Invalid("隐患不存在 / Unknown hazard.", field="hazard_id")
        ensure_open_for_photos(hazard)
        kind = data["kind"]
        require(user, UPLOAD_CAPABILITY[kind], field="kind", kind_zh=PHOTO_KINDS.label(kind, "zh"),
                kind=PHOTO_KINDS.label(kind, "en").lower())
        if kind in KIND_STATES and hazard.state not in KIND_STATES[kind]:
            when = [s for s in HAZARD_STATES if s in KIND_STATES[kind]]
            when_zh = "、".join(HAZARD_STATES.label(s, "zh") for s in when)
            when_en = ", ".join(HAZARD_STATES.label(s, "en") for s in when)
            raise Conflict(f"隐患处于“{HAZARD_STATES.label(hazard.state, 'zh')}”状态，"
                           f"{PHOTO_KINDS.label(kind, 'zh')}只能在“{when_zh}”时上传 / "
                           f"{PHOTO_KINDS.label(kind, 'en')} photos are added while the hazard "
                           f"is {when_en}, not {HAZARD_STATES.label(hazard.state, 'en')}.",
                           field="kind")
        image = process_upload(content, max_bytes=cfg["PHOTO_MAX_BYTES"],
                               max_pixels=cfg["PHOTO_MAX_PIXELS"], claimed_sha256=claimed)
        now = utcnow()
        rel_dir = storage.new_photo_dir(photo_id, now)
        pending.update(hazard=hazard, rel_dir=rel_dir, files={
            f"original.{image.ext}": content, "full.jpg": image.full_jpeg,
            "thumb.jpg": image.thumb_jpeg})
        return Photo(id=photo_id, payload_hash=body_hash, hazard_id=hazard.id, kind=kind,
                     uploader_id=user.id, sha256=image.sha256, mime=image.mime,
                     size=image.size, width=image.width, height=image.height,
                     taken_at=image.taken_at, exif_lat=image.exif_lat, exif_lng=image.exif_lng,
                     original_path=f"{rel_dir}/original.{image.ext}",
                     full_path=f"{rel_dir}/full.jpg", thumb_path=f"{rel_dir}/thumb.jpg",
                     created_at=now)

    result = create_or_replay(Photo, data.get("id"), body, build, user=user, scope=photo_in_scope)
    if result.created:
        # The row is flushed; the files follow, and go again if the request does not commit.
        storage.write_files(pending["rel_dir"], pending["files"])
        photo = result.record
        record_event(pending["hazard"], user, "add_photo",
                     data={"photo_id": photo.id, "kind": photo.kind, "sha256": photo.sha256})
        db.session.flush()
    return result


def get_photo(user, photo_id: str) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None or not photo_in_scope(user, photo):
        raise NotFound("照片不存在 / Photo not found.")
    return photo


def photo_file(user, photo_id: str, variant: str):
    """``(absolute path, mime type, photo)`` of a variant the user may see; 404 otherwise."""
    photo = get_photo(user, photo_id)
    path = storage.open_path(getattr(photo, VARIANTS[variant]))
    mime = photo.mime if variant == "original" else "image/jpeg"
    return path, mime, photo
