"""`flask backup` and `flask restore`: a backup restored into a new database and media folder
holds every row of every table and every photo file, byte for byte (on the engine the suite runs
on: SQLite, or PostgreSQL with pg_dump/pg_restore)."""
from __future__ import annotations

import concurrent.futures
import hashlib
import json
from pathlib import Path

import pytest
import requests
from sqlalchemy import MetaData, create_engine, select

from app import create_app
from config import test_database_kind as database_kind
from tests.conftest import PASSWORD, _create_pg_database, make_config
from tests.test_hazards_support import world  # noqa: F401


def _tables(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (the schema's and alembic_version), in a stable order."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                    for name, table in meta.tables.items()}
    finally:
        engine.dispose()


def _hashes(root) -> dict[str, str]:
    """SHA-256 of every file under ``root`` but the live test servers' logs."""
    root = Path(str(root))
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith((".part-", "gunicorn-"))}


@pytest.fixture
def new_database(tmp_path):
    """An empty database of the suite's engine, dropped afterwards."""
    if database_kind() == "postgresql":
        url, drop = _create_pg_database()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'restored' / 'anxun.db'}"


def _ledger(world):
    """Hazards in several states, with photos and events, interviews' prerequisites, users."""
    for state in ("reported", "submitted", "archived"):
        world.hazard_in(state)
    hazard = world.create_hazard("major")
    assert world.upload(hazard["id"], "finding", who="inspector",
                        name="landscape_6.jpg").status_code == 201
    world.client("officer").post("/api/v1/auth/logout")


def test_restore_gives_back_every_row_and_every_file(app, world, media_dir, database_url,
                                                     new_database, tmp_path):
    _ledger(world)
    backup_dir = tmp_path / "backup"
    made = app.test_cli_runner().invoke(args=["backup", "--to", str(backup_dir)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["engine"] == database_kind() and manifest["schema_revision"]
    # (The test servers' logs live in the shared media folder too: copied, but not compared.)
    assert manifest["media"]["count"] >= len(_hashes(media_dir)) > 0

    restored_media = tmp_path / "restored-media"
    target = create_app(make_config(new_database, restored_media))
    result = target.test_cli_runner().invoke(args=["restore", str(backup_dir)])
    assert result.exit_code == 0, result.output

    source_rows, restored_rows = _tables(database_url), _tables(new_database)
    assert set(source_rows) == set(restored_rows)
    assert "alembic_version" in restored_rows and len(restored_rows) > 15
    for name, rows in source_rows.items():
        assert restored_rows[name] == rows, name
    assert sum(map(len, restored_rows.values())) > 40
    assert _hashes(restored_media) == _hashes(media_dir)
    # The restored audit trail verifies, the photo originals' hashes included.
    verified = target.test_cli_runner().invoke(args=["audit", "verify", "--files"])
    assert verified.exit_code == 0, verified.output

    # The restored installation works: the officer logs in and sees the photo's original.
    from tests.conftest import ApiClient
    officer = ApiClient(target.test_client()).login(world.users["officer"].username)
    hazards = officer.get("/api/v1/hazards").get_json()["items"]
    assert len(hazards) == 4
    photo = next(p for h in hazards for p in officer.get(f"/api/v1/hazards/{h['id']}")
                 .get_json()["photos"])
    original = officer.get(photo["urls"]["original"])
    assert original.status_code == 200
    assert hashlib.sha256(original.data).hexdigest() == photo["sha256"]

    # Not again into a database with rows, nor over photos, unless told to.
    again = target.test_cli_runner().invoke(args=["restore", str(backup_dir)])
    assert again.exit_code != 0 and "--force" in again.output and "not empty" in again.output
    forced = target.test_cli_runner().invoke(args=["restore", "--force", str(backup_dir)])
    assert forced.exit_code == 0, forced.output
    assert _tables(new_database) == restored_rows
    with target.app_context():
        from app.extensions import db
        db.engine.dispose()


def test_a_damaged_backup_is_refused_before_anything_is_touched(app, world, new_database,
                                                                tmp_path):
    _ledger(world)
    backup_dir = tmp_path / "backup"
    assert app.test_cli_runner().invoke(args=["backup", "--to", str(backup_dir)]).exit_code == 0
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    victim = backup_dir / "media" / next(iter(manifest["media"]["files"]))
    victim.write_bytes(victim.read_bytes()[:-1] + b"\x00")
    restored_media = tmp_path / "restored-media"
    target = create_app(make_config(new_database, restored_media))
    result = target.test_cli_runner().invoke(args=["restore", str(backup_dir)])
    assert result.exit_code != 0 and "damaged" in result.output
    assert not restored_media.exists() or not any(restored_media.rglob("*"))
    assert not any(_tables(new_database).get(t) for t in ("users", "hazards"))

    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "database.sqlite3").write_bytes(b"")
    result = target.test_cli_runner().invoke(args=["restore", str(unfinished)])
    assert result.exit_code != 0 and "manifest.json" in result.output
    assert app.test_cli_runner().invoke(
        args=["backup", "--to", str(backup_dir)]).exit_code != 0  # not over another backup


def test_a_backup_taken_while_the_server_writes_is_consistent(live_server, app, world,
                                                               media_dir, new_database,
                                                               tmp_path):
    """Two gunicorn workers log users in (each login writes a session) during the backup: the
    copy is one snapshot; restored, every photo row has its files with its SHA-256."""
    _ledger(world)
    user = world.users["inspector"]
    stop = []

    def keep_writing(_):
        codes = []
        while not stop:
            codes.append(requests.post(live_server + "/api/v1/auth/login", timeout=60, json={
                "username": user.username, "password": PASSWORD}).status_code)
        return codes

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        writers = [pool.submit(keep_writing, n) for n in range(4)]
        made = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "b")])
        stop.append(True)
        codes = [c for w in writers for c in w.result()]
    assert made.exit_code == 0, made.output
    assert codes and set(codes) == {200}
    restored_media = tmp_path / "restored-media"
    target = create_app(make_config(new_database, restored_media))
    result = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    restored = _tables(new_database)
    assert restored["user_sessions"]  # sessions of the logins before the snapshot
    with target.app_context():
        from app.extensions import db
        from app.photos.models import Photo
        photos = db.session.scalars(select(Photo)).all()
        assert photos
        for photo in photos:
            original = restored_media / photo.original_path
            assert hashlib.sha256(original.read_bytes()).hexdigest() == photo.sha256
            assert (restored_media / photo.full_path).is_file()
            assert (restored_media / photo.thumb_path).is_file()
        db.session.remove()
        db.engine.dispose()
