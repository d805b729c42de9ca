"""Housekeeping: what nothing else ever removes.

* Ended sessions (会话): expired or logged out more than SESSION_PURGE_AFTER_DAYS ago (kept that
  long so an administrator can still see who logged in from where).
* Login-failure counters whose window has passed (a new failure starts a new window anyway).
* Files of uploads that never committed: a worker killed (kill -9, out of memory) in the middle of
  an upload leaves its photo directory, often with a half-written ``.part-*`` file, and no row.
  A photo directory no photo row names, and any ``.part-*`` file, is removed once it has been
  untouched for MEDIA_GC_GRACE_S, so an upload still being written is never touched.

Run by ``flask purge``, ``flask media gc`` and the periodic job (MAINTENANCE_INTERVAL_S).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, or_, select

from app.auth.models import LoginFailure, UserSession
from app.core.timeutil import utcnow
from app.extensions import db
from app.outreach.models import BulletinAttachment, TipPhoto
from app.photos.models import Photo

log = logging.getLogger(__name__)

#: ``<yyyy>/<mm>/<photo id>-<random>``: one upload attempt's directory (app.photos.storage);
#: a public report's photos and a bulletin's attachment live the same way under ``tips/`` and
#: ``bulletins/`` (app.outreach).
PHOTO_DIR = re.compile(
    r"^(?:(?:tips|bulletins)/)?\d{4}/\d{2}/(?P<id>[0-9A-Fa-f-]{36})-[0-9a-f]+$")
PARTIAL_PREFIX = ".part-"
ID_BATCH = 500


def purge_ended(now: datetime | None = None) -> dict:
    """Delete sessions ended long enough ago and login counters past their window; flushes."""
    now = now or utcnow()
    cfg = current_app.config
    kept_since = now - timedelta(days=cfg["SESSION_PURGE_AFTER_DAYS"])
    sessions = db.session.execute(delete(UserSession).where(or_(
        UserSession.expires_at < kept_since, UserSession.revoked_at < kept_since)))
    window_from = now - timedelta(seconds=cfg["LOGIN_FAILURE_WINDOW_S"])
    failures = db.session.execute(delete(LoginFailure).where(
        LoginFailure.window_start < window_from))
    db.session.flush()
    return {"sessions": sessions.rowcount, "login_failures": failures.rowcount}


@dataclass
class MediaGarbage:
    directories: list[str] = field(default_factory=list)
    partial_files: list[str] = field(default_factory=list)
    bytes: int = 0


def _last_touched(path: Path) -> float:
    """The newest modification time of a directory and the files in it."""
    newest = path.stat().st_mtime
    for child in path.iterdir():
        try:
            newest = max(newest, child.stat().st_mtime)
        except FileNotFoundError:
            continue
    return newest


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


#: The rows that keep files under MEDIA_DIR, with the columns naming them.
FILE_COLUMNS = ((Photo, ("original_path", "full_path", "thumb_path")),
                (TipPhoto, ("original_path", "full_path", "thumb_path")),
                (BulletinAttachment, ("path",)))


def _referenced_dirs(photo_ids: list[str]) -> set[str]:
    """The directories (relative to MEDIA_DIR) the rows of ``photo_ids`` keep files in."""
    found = set()
    for start in range(0, len(photo_ids), ID_BATCH):
        batch = photo_ids[start:start + ID_BATCH]
        for model, names in FILE_COLUMNS:
            columns = [getattr(model, name) for name in names]
            for paths in db.session.execute(select(*columns).where(model.id.in_(batch))):
                found.update(os.path.dirname(p) for p in paths if p)
    return found


def collect_media_garbage(*, grace_s: int | None = None, dry_run: bool = False) -> MediaGarbage:
    """Remove (or, ``dry_run``, only list) what abandoned uploads left under MEDIA_DIR."""
    root = Path(current_app.config["MEDIA_DIR"])
    grace = current_app.config["MEDIA_GC_GRACE_S"] if grace_s is None else grace_s
    cutoff = time.time() - grace
    garbage = MediaGarbage()
    if not root.is_dir():
        return garbage

    candidates: dict[str, list[str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in filenames:
            path = here / name
            if name.startswith(PARTIAL_PREFIX) and path.stat().st_mtime < cutoff:
                garbage.partial_files.append(path.relative_to(root).as_posix())
        rel = here.relative_to(root).as_posix()
        match = PHOTO_DIR.match(rel)
        if match:
            dirnames[:] = []  # a photo directory holds files only
            if _last_touched(here) < cutoff:
                candidates.setdefault(match["id"].lower(), []).append(rel)
    referenced = _referenced_dirs(sorted(candidates))
    db.session.rollback()  # end the read: on SQLite a CLI transaction holds the write lock
    orphans = sorted(rel for rels in candidates.values() for rel in rels if rel not in referenced)

    for rel in orphans:
        garbage.directories.append(rel)
        garbage.bytes += _size(root / rel)
        if not dry_run:
            shutil.rmtree(root / rel, ignore_errors=True)
    for rel in garbage.partial_files:
        if any(rel.startswith(d + "/") for d in orphans):
            continue  # gone with its directory
        path = root / rel
        if path.exists():
            garbage.bytes += path.stat().st_size
            if not dry_run:
                path.unlink(missing_ok=True)
    return garbage


def run_housekeeping() -> dict:
    """One round of the periodic job: purge (committed), then the media garbage."""
    purged = purge_ended()
    db.session.commit()
    garbage = collect_media_garbage()
    if purged["sessions"] or purged["login_failures"] or garbage.directories:
        log.info("housekeeping: %d session(s), %d login counter(s), %d abandoned upload "
                 "director(ies) removed", purged["sessions"], purged["login_failures"],
                 len(garbage.directories))
    return {**purged, "media_directories": len(garbage.directories),
            "partial_files": len(garbage.partial_files), "bytes": garbage.bytes}
