"""Photos (照片): evidence of a finding or of its rectification."""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String

from app.core.db import UTCDateTime
from app.core.models import ClientCreatedMixin, IdMixin
from app.core.timeutil import utcnow
from app.extensions import db


class Photo(IdMixin, ClientCreatedMixin, db.Model):
    """照片: the original is kept byte for byte (with its SHA-256) for evidence; what is served is
    a re-encoded copy without EXIF.

    ``hazard_id`` (or ``activity_id``: a campaign activity's photo, e.g. its sign-in sheet) is
    the owner the photo is attached to, and ``kind`` what it shows there; the photos package
    stores both as given (the owner's domain decides them: app.hazards.evidence for hazards,
    app.campaigns.photos for activities, see :mod:`app.photos.owners`). Exactly one is set.
    """

    __tablename__ = "photos"

    hazard_id = db.Column(String(36), ForeignKey("hazards.id"), nullable=True, index=True)
    activity_id = db.Column(String(36), ForeignKey("activities.id"), nullable=True, index=True)
    # finding | rectification | recheck | document (a hazard's) | activity (an activity's)
    kind = db.Column(String(16), nullable=False)
    uploader_id = db.Column(String(36), ForeignKey("users.id"), nullable=False)
    # indexed: the same bytes on another hazard is an evidence flag (app.hazards.evidence_flags)
    sha256 = db.Column(String(64), nullable=False, index=True)
    mime = db.Column(String(32), nullable=False)
    size = db.Column(Integer, nullable=False)
    width = db.Column(Integer, nullable=False)
    height = db.Column(Integer, nullable=False)
    taken_at = db.Column(UTCDateTime, nullable=True)
    exif_lat = db.Column(Float, nullable=True)
    exif_lng = db.Column(Float, nullable=True)
    # Paths relative to MEDIA_DIR, chosen by the server.
    original_path = db.Column(String(255), nullable=False)
    full_path = db.Column(String(255), nullable=False)
    thumb_path = db.Column(String(255), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
