"""Backup (备份) and restore of the ledger: the database and the photo store, together.

The ledger must be kept five years, so a backup is a directory that restores on its own:

``database.sqlite3``  SQLite: a copy made with SQLite's online backup API — one consistent
                      snapshot, taken while the server goes on writing;
``database.pgdump``   PostgreSQL: ``pg_dump --format=custom`` (one snapshot as well), made with
                      the client of the server's major version when the machine has it;
``media/…``           every stored photo file, as in MEDIA_DIR;
``manifest.json``     what the backup holds: engine, schema revision, and the size and SHA-256 of
                      the database file and of every photo file. Written last: a directory without
                      it is an unfinished backup and is never restored.

The database is copied first, then the photos. A photo's files are written before its row is
committed and never removed afterwards, so every photo the database copy names is in the media
copy; files of uploads still in flight may be copied too, and ``flask media gc`` removes them
after a restore.

Restore checks every hash of the backup before it touches anything, then loads the database
(SQLite: the online backup API again; PostgreSQL: ``pg_restore`` in one transaction) and writes
the photo files, checking each hash again once written. It refuses a database with rows or a
media folder with files unless ``force`` is given.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL

from app.core.timeutil import utcnow
from app.extensions import db

FORMAT = "anxun-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
#: Files in MEDIA_DIR that are not photos: the temporary name of a file being written.
PARTIAL_PREFIX = ".part-"
_BLOCK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why and what to do."""


@dataclass
class RestoreReport:
    engine: str
    revision: str | None
    files: int
    bytes: int


# ------------------------------------------------------------------------------ helpers
def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _copy_hashed(source: Path, target: Path) -> tuple[str, int]:
    """Copy ``source`` to ``target`` (via a temporary name); returns the SHA-256 and size of the
    bytes written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=PARTIAL_PREFIX)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb") as dst:
            while block := src.read(_BLOCK):
                digest.update(block)
                size += len(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        shutil.copystat(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size


def _engine_kind() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"cannot back up a {name} database")
    return name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _schema_revision() -> str | None:
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def _media_files(root: Path, exclude: Path | None = None):
    """Every photo file under ``root`` (relative paths, sorted), without files being written."""
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        if exclude is not None:
            dirnames[:] = [d for d in dirnames if (here / d).resolve() != exclude]
        for name in filenames:
            path = here / name
            if name.startswith(PARTIAL_PREFIX) or path.is_symlink() or not path.is_file():
                continue
            found.append(path.relative_to(root).as_posix())
    return sorted(found)


# ------------------------------------------------------------------------------ PostgreSQL
def _libpq(url: URL) -> tuple[str, dict]:
    """The URL for libpq tools, and the environment passing its password (never on the
    command line, where every user of the machine could read it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool_major(binary: str) -> int | None:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` for the server's major version: PG_BIN_DIR when set, else the
    Debian cluster directory of that version, else the one on PATH if it is not older."""
    server = int(db.session.scalar(text("SHOW server_version_num"))) // 10000
    db.session.rollback()  # no transaction left open while the tool runs
    configured = current_app.config.get("PG_BIN_DIR") or ""
    candidates = [Path(configured) / name] if configured else []
    candidates += [Path(f"/usr/lib/postgresql/{server}/bin/{name}")]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        major = _tool_major(str(candidate))
        if major is not None and major >= server:
            return str(candidate)
    raise BackupError(f"{name} of PostgreSQL {server} or newer not found: install "
                      f"postgresql-client-{server} or set PG_BIN_DIR")


def _pg_dump(target: Path) -> None:
    url, env = _libpq(db.engine.url)
    result = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner",
                             "--no-privileges", f"--file={target}", f"--dbname={url}"],
                            env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _pg_restore(source: Path) -> None:
    url, env = _libpq(db.engine.url)
    result = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--clean",
                             "--if-exists", "--single-transaction", "--exit-on-error",
                             f"--dbname={url}", str(source)],
                            env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


# ------------------------------------------------------------------------------ SQLite
def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while other connections write."""
    src = sqlite3.connect(source, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


# ------------------------------------------------------------------------------ backup
def default_target() -> Path:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.config["BACKUP_DIR"]) / f"anxun-{stamp}"


def make_backup(target: Path | None = None) -> tuple[Path, dict]:
    """Back up the database and the photo store into ``target`` (a new or empty directory;
    default BACKUP_DIR/anxun-<UTC time>). Returns the directory and its manifest."""
    target = Path(target or default_target()).resolve()
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    kind = _engine_kind()
    revision = _schema_revision()
    db.session.rollback()
    started = utcnow()
    database_file = target / DATABASE_FILES[kind]
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(), database_file)
    else:
        _pg_dump(database_file)

    media_root = Path(current_app.config["MEDIA_DIR"])
    files = {}
    for rel in _media_files(media_root, exclude=target):
        source = media_root / rel
        try:
            sha, size = _copy_hashed(source, target / MEDIA / rel)
        except FileNotFoundError:  # an abandoned upload's directory removed meanwhile
            continue
        files[rel] = {"sha256": sha, "size": size}

    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": utcnow().isoformat(),
        "engine": kind,
        "schema_revision": revision,
        "database": {"file": database_file.name, "sha256": file_sha256(database_file),
                     "size": database_file.stat().st_size},
        "media": {"files": files, "count": len(files),
                  "bytes": sum(f["size"] for f in files.values())},
    }
    tmp = target / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, target / MANIFEST)
    return target, manifest


# ------------------------------------------------------------------------------ restore
def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: not a backup, or an unfinished one")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify_backup(source: Path, manifest: dict) -> None:
    """Every file of the backup is there with the size and SHA-256 the manifest records."""
    source = Path(source)
    wrong = []
    entries = [(manifest["database"]["file"], manifest["database"])]
    entries += [(f"{MEDIA}/{rel}", meta) for rel, meta in manifest["media"]["files"].items()]
    for rel, meta in entries:
        path = source / rel
        if not path.is_file():
            wrong.append(f"{rel}: missing")
        elif path.stat().st_size != meta["size"] or file_sha256(path) != meta["sha256"]:
            wrong.append(f"{rel}: changed since the backup")
    if wrong:
        raise BackupError("the backup is damaged:\n  " + "\n  ".join(wrong[:20]))


def _tables_with_rows() -> list[str]:
    existing = set(inspect(db.engine).get_table_names())
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in existing and db.session.execute(
                select(text("1")).select_from(table).limit(1)).first():
            found.append(table.name)
    db.session.rollback()
    return found


def restore_backup(source: Path, *, force: bool = False) -> RestoreReport:
    """Restore the backup in ``source`` into the configured database and MEDIA_DIR."""
    source = Path(source)
    manifest = read_manifest(source)
    kind = _engine_kind()
    if manifest["engine"] != kind:
        raise BackupError(f"a {manifest['engine']} backup cannot be restored into {kind}")
    verify_backup(source, manifest)

    media_root = Path(current_app.config["MEDIA_DIR"])
    if not force:
        busy = [f"the database (rows in {', '.join(t)})" for t in [_tables_with_rows()] if t]
        if _media_files(media_root):
            busy.append(f"the media folder {media_root}")
        if busy:
            raise BackupError("not empty: " + "; ".join(busy) + ". Restore into an empty "
                              "database and media folder, or pass --force to replace them.")

    database_file = source / manifest["database"]["file"]
    if kind == "sqlite":
        target = _sqlite_path()
        db.session.remove()
        db.engine.dispose()
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(database_file, target)
    else:
        db.session.remove()
        _pg_restore(database_file)
        db.engine.dispose()

    total = 0
    for rel, meta in manifest["media"]["files"].items():
        sha, size = _copy_hashed(source / MEDIA / rel, media_root / rel)
        if sha != meta["sha256"]:
            raise BackupError(f"{rel}: written with another SHA-256 than the backup's")
        total += size
    return RestoreReport(kind, manifest.get("schema_revision"),
                         len(manifest["media"]["files"]), total)
