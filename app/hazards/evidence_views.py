"""Evidence photos (照片) over HTTP (CONTRACT.md "Photos"): upload as multipart, bytes only
through here. Every photo is evidence of a hazard, so the hazard domain answers for them."""
from __future__ import annotations

from flask import request

from app.core.multipart import MultipartBlueprint
from app.core.permissions import require_user
from app.hazards import evidence as operations
from app.hazards.evidence_schemas import PhotoOut, PhotoUploadIn
from app.photos import intake, storage

BINARY = {"type": "string", "format": "binary"}

blp = MultipartBlueprint("photos", __name__, url_prefix="/api/v1",
                         description="照片 Evidence photos of hazards")


@blp.before_request
def _refuse_oversize_upload():
    # Before the multipart body is parsed: a declared size over the limit is refused unread.
    if request.endpoint == "photos.upload_photo":
        intake.refuse_oversize_request(request.content_length)


@blp.route("/photos", methods=["POST"], endpoint="upload_photo")
@blp.arguments(PhotoUploadIn, location="multipart")
@blp.response(201, PhotoOut)
@blp.alt_response(200, schema=PhotoOut, description="Replay: same id and same bytes")
@blp.alt_response(403, description="Your role may not upload this kind of photo")
@blp.alt_response(409, description="Archived hazard, wrong state for a rectification photo, "
                                   "or the id exists with other content")
@blp.alt_response(413, description="Too large")
@blp.alt_response(415, description="Not a JPEG, PNG, WebP or HEIC/HEIF image")
@blp.alt_response(422, description="Corrupt, truncated, too many pixels, or SHA-256 mismatch")
def upload_photo(data):
    """Upload a finding or rectification photo of a hazard (JPEG, PNG, WebP, HEIC)."""
    user = require_user()
    content = intake.read_upload(data["file"])
    result = operations.upload_photo(user, data, content)
    return result.record, result.status


@blp.route("/photos/<uuid:photo_id>", methods=["GET"])
@blp.response(200, PhotoOut)
@blp.alt_response(404, description="Unknown, or its hazard is not in your scope")
def get_photo(photo_id):
    """A photo's record."""
    return operations.get_photo(require_user(), str(photo_id))


@blp.route("/photos/<uuid:photo_id>/<any(full, thumb, original):variant>", methods=["GET"],
           endpoint="photo_file")
@blp.response(200, BINARY, content_type="image/jpeg",
              description="full/thumb: re-encoded JPEG without EXIF; original: the bytes as "
                          "uploaded, with their own type")
@blp.alt_response(404, description="Unknown, or its hazard is not in your scope")
def photo_file(photo_id, variant):
    """The bytes of a photo, to users who may see its hazard."""
    path, mime, photo = operations.photo_file(require_user(), str(photo_id), variant)
    return storage.send_stored(path, mime, photo, variant)
