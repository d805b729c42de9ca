"""Evidence photos (证据照片) of a hazard: who attaches which kind in which state, and who sees
them. The photos package stores and serves the images; what they prove is decided here."""
from __future__ import annotations

from app.core.idempotency import CreateResult, create_or_replay
from app.core.permissions import can, in_scope, require
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.hazards.choices import (DOCUMENT, FINDING, HAZARD_STATES, PHOTO_KINDS, RECHECK,
                                 RECTIFICATION, RECTIFYING, REPORTED, SOURCE_SELF, SUBMITTED)
from app.hazards.evidence_flags import flag_new_photo
from app.hazards.models import Hazard
from app.hazards.operations import ensure_open_for_photos, record_event
from app.photos import intake, owners, storage
from app.photos.models import Photo

#: The capability each kind of photo needs: an enterprise officer shows its rectification
#: (整改照片); inspectors and supervisors photograph findings, may document a rectification they
#: saw on site, and photograph what they find when re-checking a submitted fix (复查照片).
#: The officer photographs the document behind an extension request (证明材料), and the
#: findings of its own self-inspection (hazards with source ``self``).
#: Admins do not take part in the loop (see app.hazards.workflow).
UPLOAD_CAPABILITY = {
    FINDING: "photo.upload_finding",
    RECTIFICATION: "photo.upload_rectification",
    RECHECK: "photo.upload_recheck",
    DOCUMENT: "photo.upload_document",
}
#: The states in which each kind may be added. Rectification evidence is added while the fix
#: is under way; once submitted, what the reviewer judges must not change under them, and only
#: the reviewer's own re-check photos come in until the verdict.
KIND_STATES = {
    RECTIFICATION: frozenset({REPORTED, RECTIFYING}),
    RECHECK: frozenset({SUBMITTED}),
    DOCUMENT: frozenset({REPORTED, RECTIFYING}),  # when an extension may be asked for
}


def photo_in_scope(user, photo) -> bool:
    if photo.hazard_id is None:  # another record's photo (app.photos.owners)
        owner = owners.for_photo(photo)
        return owner is not None and owner.visible(user, photo)
    hazard = db.session.get(Hazard, photo.hazard_id)
    return hazard is not None and in_scope(user, hazard)


def upload_photo(user, data: dict, content: bytes) -> CreateResult:
    """Store an evidence photo for a hazard (idempotent by client id and SHA-256), with the
    evidence flags it raises (:mod:`app.hazards.evidence_flags`; never a refusal), or hand the
    upload to the domain of the record it names instead (an activity: app.photos.owners)."""
    owner = owners.for_upload(data)
    if owner is not None:
        return owner.upload(user, data, content)
    require(user, "photo.upload")
    if data["kind"] not in UPLOAD_CAPABILITY:
        raise Invalid(f"{PHOTO_KINDS.label(data['kind'], 'zh')}不能上传到隐患 / "
                      f"{PHOTO_KINDS.label(data['kind'], 'en')} photos are not a hazard's.",
                      field="kind")
    claimed = data.get("sha256")
    sha256 = intake.checked_sha256(content, claimed)
    body = {"hazard_id": data["hazard_id"], "kind": data["kind"], "sha256": sha256}
    pending: dict = {}

    def build(photo_id: str, body_hash: str) -> Photo:
        hazard = db.session.get(Hazard, data["hazard_id"])
        if hazard is None or not in_scope(user, hazard):
            raise Invalid("隐患不存在 / Unknown hazard.", field="hazard_id")
        ensure_open_for_photos(hazard)
        kind = data["kind"]
        capability = UPLOAD_CAPABILITY[kind]
        if kind == FINDING and hazard.source == SOURCE_SELF and not can(user, capability):
            # 企业自查自报: the officer photographs what its own self-inspection found.
            capability = "photo.upload_finding_self"
        require(user, capability, field="kind", kind_zh=PHOTO_KINDS.label(kind, "zh"),
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
        photo, files = intake.new_photo(photo_id, body_hash, owner_id=hazard.id, kind=kind,
                                        uploader_id=user.id, content=content,
                                        claimed_sha256=claimed)
        pending.update(hazard=hazard, files=files)
        return photo

    result = create_or_replay(Photo, data.get("id"), body, build, user=user, scope=photo_in_scope)
    if result.created:
        # The row is flushed; the files follow, and go again if the request does not commit.
        intake.write_files(pending["files"])
        photo = result.record
        flags = flag_new_photo(pending["hazard"], photo)
        record_event(pending["hazard"], user, "add_photo",
                     data={"photo_id": photo.id, "kind": photo.kind, "sha256": photo.sha256,
                           **({"evidence_flags": flags} if flags else {})})
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
    path, mime = storage.stored_file(photo, variant)
    return path, mime, photo
