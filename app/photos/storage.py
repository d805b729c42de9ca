"""Photo files (照片) under MEDIA_DIR, with names the server chooses.

Layout: ``<yyyy>/<mm>/<photo id>-<random>/original.<ext>``, ``full.jpg``, ``thumb.jpg``. The
random suffix makes every upload attempt write a directory of its own, so cleaning up a failed
attempt can never touch the files of a parallel one with the same photo id.

Files are written to a temporary name and moved into place with ``os.replace``, so a reader never
sees half a file. A request that writes files and then does not commit (any answer ≥ 400, an
exception, a failed commit) leaves no file behind: the directories written in a transaction are
remembered on the session and removed when its outermost transaction ends without a commit.
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from flask import Response, current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.security import safe_join

from app.errors import NotFound
from app.extensions import db

#: session.info key: absolute directories written in the current transaction, not yet committed
_PENDING = "anxun_uncommitted_photo_dirs"
#: the files of a photo, by the name its URL gives them
VARIANTS = {"full": "full_path", "thumb": "thumb_path", "original": "original_path"}


def media_root() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def new_photo_dir(photo_id: str, when: datetime) -> str:
    """A fresh directory (relative to MEDIA_DIR) for one upload attempt of ``photo_id``."""
    return f"{when:%Y}/{when:%m}/{photo_id}-{secrets.token_hex(4)}"


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_files(rel_dir: str, files: dict[str, bytes]) -> None:
    """Write ``{name: bytes}`` into ``rel_dir`` under MEDIA_DIR, tied to the current transaction:
    the directory is removed again unless the transaction commits."""
    target = media_root() / rel_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    target.mkdir()  # fresh by construction; an existing one would be a bug
    db.session.info.setdefault(_PENDING, []).append(str(target))
    for name, data in files.items():
        _atomic_write(target / name, data)


def open_path(rel_path: str) -> Path:
    """The absolute path of a stored file; 404 when it is gone."""
    joined = safe_join(str(media_root()), rel_path)
    if joined is None or not os.path.isfile(joined):
        raise NotFound("照片文件不存在 / Photo file not found.")
    return Path(joined)


def stored_file(photo, variant: str) -> tuple[Path, str]:
    """``(absolute path, mime type)`` of a variant of a stored photo; 404 when it is gone."""
    path = open_path(getattr(photo, VARIANTS[variant]))
    return path, photo.mime if variant == "original" else "image/jpeg"


def send_stored(path: Path, mime: str, photo, variant: str) -> Response:
    """The answer carrying a variant found by :func:`stored_file`, to a user whose scope the
    owner's domain has checked: private to this browser (scope is checked per request), never
    sniffed; the original as an attachment named by the photo's id."""
    original = variant == "original"
    response = send_file(path, mimetype=mime, conditional=True, etag=True,
                         as_attachment=original,
                         download_name=f"{photo.id}{path.suffix}" if original else None)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Vary"] = "Cookie"
    return response


@event.listens_for(Session, "after_commit")
def _files_committed(session):
    # after_commit also fires when a SAVEPOINT is released; only the outermost commit keeps files.
    if session.get_nested_transaction() is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _files_abandoned(session, transaction):
    if transaction.parent is not None:
        return
    for directory in session.info.pop(_PENDING, None) or ():
        shutil.rmtree(directory, ignore_errors=True)
