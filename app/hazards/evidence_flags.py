"""Evidence flags (证据存疑), found when a photo arrives: what a reviewer should weigh before
accepting a rectification.

A rectification photo (整改照片) is flagged

* ``photo_before_finding`` when its EXIF capture time is earlier than the hazard's ``found_at``
  (a picture of the place before anyone found the hazard proves no fix);
* ``photo_far_from_site`` when its EXIF GPS position is farther than ``CHECKIN_RADIUS_M`` from
  the enterprise's registered location (the check-in radius of inspections);
* ``photo_reused`` when the same bytes (the SHA-256 every photo already has) were uploaded for
  another hazard. The other hazard's rectification photo is flagged as well while that hazard
  still waits for an accepted fix, with a line in its trail written by the system.

A photo without EXIF time or place is *unknown* on that count, never flagged; an enterprise
without a registered location likewise. Nothing here refuses a photo: the upload is stored and
the flags are recorded beside it (and named in its ``add_photo`` event, so the trail seals them).
What a reviewer then sees and must answer is :mod:`app.hazards.oversight`.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.core.geo import distance_m
from app.core.timeutil import utcnow
from app.extensions import db
from app.hazards.choices import (PHOTO_BEFORE_FINDING, PHOTO_FAR_FROM_SITE, PHOTO_REUSED,
                                 RECTIFICATION)
from app.hazards.models import Hazard
from app.hazards.operations import record_event
from app.hazards.oversight_models import EvidenceFlag
from app.photos.models import Photo

#: The kind of photo that is flagged: the evidence a verification accepts.
FLAGGED_KIND = RECTIFICATION


def before_finding(hazard, photo) -> dict | None:
    """The detail of ``photo_before_finding``, or None (not before, or no EXIF time)."""
    if photo.taken_at is None or hazard.found_at is None or photo.taken_at >= hazard.found_at:
        return None
    return {"taken_at": photo.taken_at.isoformat(), "found_at": hazard.found_at.isoformat()}


def far_from_site(hazard, photo) -> dict | None:
    """The detail of ``photo_far_from_site``, or None (near enough, or a place unknown)."""
    enterprise = hazard.enterprise
    if (photo.exif_lat is None or photo.exif_lng is None or enterprise is None
            or enterprise.lat is None or enterprise.lng is None):
        return None
    metres = distance_m((photo.exif_lat, photo.exif_lng), (enterprise.lat, enterprise.lng))
    radius = current_app.config["CHECKIN_RADIUS_M"]
    if metres <= radius:
        return None
    return {"distance_m": round(metres), "radius_m": radius}


def _same_bytes_elsewhere(hazard, photo) -> list[Photo]:
    return list(db.session.scalars(
        select(Photo).where(Photo.sha256 == photo.sha256, Photo.hazard_id != hazard.id)
        .order_by(Photo.created_at, Photo.id)))


def _reused(others: list[Photo]) -> dict:
    return {"hazard_ids": list(dict.fromkeys(p.hazard_id for p in others)),
            "photo_ids": [p.id for p in others]}


def flag_new_photo(hazard, photo) -> list[str]:
    """Record the flags ``photo`` (just stored for ``hazard``) raises, and flag the other
    hazards' rectification photos it repeats; flushes nothing. Returns the codes of the new
    photo's flags, for its ``add_photo`` event."""
    now = utcnow()
    others = _same_bytes_elsewhere(hazard, photo)
    codes: list[str] = []
    if photo.kind == FLAGGED_KIND:
        for code, detail in ((PHOTO_BEFORE_FINDING, before_finding(hazard, photo)),
                             (PHOTO_FAR_FROM_SITE, far_from_site(hazard, photo)),
                             (PHOTO_REUSED, _reused(others) if others else None)):
            if detail is not None:
                db.session.add(EvidenceFlag(hazard_id=hazard.id, photo_id=photo.id, code=code,
                                            detail=detail, created_at=now))
                codes.append(code)
    for other in others:
        if other.kind == FLAGGED_KIND:
            _flag_repeated(other, hazard, photo, now)
    return codes


def _flag_repeated(other: Photo, hazard, photo, now) -> None:
    """``other`` (a rectification photo of another hazard) has the bytes of ``photo``: flag it
    while its hazard still waits for an accepted fix (an accepted one is not judged again)."""
    other_hazard = db.session.get(Hazard, other.hazard_id)
    if other_hazard is None or other_hazard.state not in Hazard.UNRECTIFIED_STATES:
        return
    flag = db.session.scalar(select(EvidenceFlag).where(EvidenceFlag.photo_id == other.id,
                                                        EvidenceFlag.code == PHOTO_REUSED))
    if flag is not None:
        detail = dict(flag.detail or {})
        detail["hazard_ids"] = list(dict.fromkeys([*detail.get("hazard_ids", []), hazard.id]))
        detail["photo_ids"] = list(dict.fromkeys([*detail.get("photo_ids", []), photo.id]))
        flag.detail = detail
        return
    db.session.add(EvidenceFlag(hazard_id=other_hazard.id, photo_id=other.id, code=PHOTO_REUSED,
                                detail={"hazard_ids": [hazard.id], "photo_ids": [photo.id]},
                                created_at=now))
    # The system's line, not the uploader's: the uploader may be of another enterprise.
    record_event(other_hazard, None, "flag_evidence", at=now,
                 data={"photo_id": other.id, "evidence_flags": [PHOTO_REUSED]})
