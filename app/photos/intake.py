"""Taking a photo (照片) in: the size limits, the SHA-256 check, decoding and the derivatives,
and the files written once the photo's row is flushed.

Photos know the record they are attached to only by its id (the owner, stored in
``Photo.hazard_id``): who may attach which kind of photo, and who may see it, is decided by the
owner's domain (:mod:`app.hazards.evidence`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app

from app.core.timeutil import utcnow
from app.errors import Invalid, PayloadTooLarge
from app.photos import storage
from app.photos.imaging import ProcessedImage, process_upload
from app.photos.models import Photo

#: multipart overhead allowed on top of PHOTO_MAX_BYTES before a request is refused unread
MULTIPART_SLACK = 64 * 1024


@dataclass(frozen=True)
class StagedFiles:
    """The files of a new photo, to be written when its row is flushed."""

    rel_dir: str
    files: dict[str, bytes]


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


def checked_sha256(content: bytes, claimed: str | None) -> str:
    """The SHA-256 of ``content``; 422 when the phone computed another one."""
    sha256 = hashlib.sha256(content).hexdigest()
    if claimed and claimed != sha256:
        raise Invalid("照片的 SHA-256 与上传内容不符，上传已损坏 / "
                      "The photo's SHA-256 does not match the uploaded bytes; the upload was "
                      "damaged.", field="sha256")
    return sha256


def process(content: bytes, claimed_sha256: str | None = None) -> ProcessedImage:
    """Check an image under the configured limits and make its derivatives (every photo that
    comes in, whoever sends it, goes through here): 413/415/422 for what is not a photo."""
    cfg = current_app.config
    return process_upload(content, max_bytes=cfg["PHOTO_MAX_BYTES"],
                          max_pixels=cfg["PHOTO_MAX_PIXELS"],
                          max_pixels_png_webp=cfg["PHOTO_MAX_PIXELS_PNG_WEBP"],
                          decode_slots=cfg["PHOTO_DECODE_SLOTS"],
                          decode_wait_s=cfg["PHOTO_DECODE_WAIT_S"], claimed_sha256=claimed_sha256)


def new_photo(photo_id: str, body_hash: str, *, owner_id: str, kind: str, uploader_id: str,
              content: bytes, claimed_sha256: str | None,
              owner_field: str = "hazard_id") -> tuple[Photo, StagedFiles]:
    """The row of a new photo of ``owner_id`` (the image checked and its derivatives made) and
    its files, which :func:`write_files` writes once the row is flushed. ``owner_field`` is the
    column naming the owner (``hazard_id``, ``activity_id``)."""
    image = process(content, claimed_sha256)
    now = utcnow()
    rel_dir = storage.new_photo_dir(photo_id, now)
    staged = StagedFiles(rel_dir, {f"original.{image.ext}": content, "full.jpg": image.full_jpeg,
                                   "thumb.jpg": image.thumb_jpeg})
    photo = Photo(id=photo_id, payload_hash=body_hash, **{owner_field: owner_id}, kind=kind,
                  uploader_id=uploader_id, sha256=image.sha256, mime=image.mime,
                  size=image.size, width=image.width, height=image.height,
                  taken_at=image.taken_at, exif_lat=image.exif_lat, exif_lng=image.exif_lng,
                  original_path=f"{rel_dir}/original.{image.ext}",
                  full_path=f"{rel_dir}/full.jpg", thumb_path=f"{rel_dir}/thumb.jpg",
                  created_at=now)
    return photo, staged


def write_files(staged: StagedFiles) -> None:
    """Write a new photo's files; they go again if the request does not commit."""
    storage.write_files(staged.rel_dir, staged.files)
