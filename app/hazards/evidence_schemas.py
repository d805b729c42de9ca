"""Schemas of the evidence photo (照片) endpoints."""
from __future__ import annotations

from flask import url_for
from flask_smorest.fields import Upload
from marshmallow import (Schema, ValidationError, fields, pre_dump, validate,
                         validates_schema)

from app.core.fields import UtcDateTime, UUIDStr
from app.hazards.choices import PHOTO_KINDS


class Sha256Hex(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if not text:
            return None
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            raise ValidationError("应为 SHA-256 摘要（64 位十六进制字符） / "
                                  "Not a SHA-256 hex digest (64 hex characters).")
        return text


class PhotoUploadIn(Schema):
    """multipart/form-data: the file and its description (照片上传)."""

    file = Upload(required=True, metadata={"description": "JPEG, PNG, WebP or HEIC/HEIF"})
    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    hazard_id = UUIDStr(metadata={"description": "the hazard it is evidence of (or activity_id)"})
    activity_id = UUIDStr(metadata={"description": "a campaign activity (kind activity), instead "
                                                   "of hazard_id"})
    kind = fields.String(required=True, validate=validate.OneOf(list(PHOTO_KINDS)))
    sha256 = Sha256Hex(allow_none=True, metadata={
        "description": "SHA-256 the phone computed; a mismatch is 422"})

    @validates_schema
    def _one_owner(self, data, **kwargs):
        if data.get("hazard_id") and data.get("activity_id"):
            raise ValidationError("照片只能属于一条隐患或一项活动 / A photo belongs to a hazard or "
                                  "to an activity, not both.", field_name="activity_id")
        if not data.get("hazard_id") and not data.get("activity_id"):
            raise ValidationError("Missing data for required field.", field_name="hazard_id")


class PhotoUrlsOut(Schema):
    full = fields.String()
    thumb = fields.String()
    original = fields.String()


class GeoPointOut(Schema):
    lat = fields.Float()
    lng = fields.Float()


def _urls(photo) -> dict:
    return {variant: url_for("photos.photo_file", photo_id=photo.id, variant=variant)
            for variant in ("full", "thumb", "original")}


def _exif_location(photo):
    if photo.exif_lat is None or photo.exif_lng is None:
        return None
    return {"lat": photo.exif_lat, "lng": photo.exif_lng}


class PhotoOut(Schema):
    """照片: the evidence record; ``urls`` are the only way to its bytes."""

    id = fields.String()
    hazard_id = fields.String(allow_none=True)
    activity_id = fields.String(allow_none=True)
    kind = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the original bytes"})
    mime = fields.String(metadata={"description": "type of the original, from its content"})
    size = fields.Integer(metadata={"description": "bytes of the original"})
    width = fields.Integer(metadata={"description": "of the upright original"})
    height = fields.Integer()
    taken_at = UtcDateTime(allow_none=True, metadata={"description": "EXIF capture time"})
    exif_location = fields.Nested(GeoPointOut, allow_none=True,
                                  metadata={"description": "EXIF GPS position (WGS-84)"})
    urls = fields.Nested(PhotoUrlsOut, metadata={
        "description": "full (≤1600 px JPEG), thumb (≤400 px JPEG), original (byte for byte)"})
    uploader_id = fields.String()
    created_at = UtcDateTime()

    @pre_dump
    def _computed(self, photo, **kwargs):
        return {**{name: getattr(photo, name) for name in (
            "id", "hazard_id", "activity_id", "kind", "sha256", "mime", "size", "width",
            "height", "taken_at", "uploader_id", "created_at")},
            "exif_location": _exif_location(photo), "urls": _urls(photo)}

