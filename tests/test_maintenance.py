"""Housekeeping: ended sessions and login counters purged, abandoned uploads' files removed, by
the CLI (`flask purge`, `flask media gc`) and by the periodic job in the server."""
from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app import create_app
from app.auth.models import LoginFailure, UserSession
from app.core.timeutil import utcnow
from app.extensions import db
from app.notifications.models import JobLease
from tests.conftest import make_config
from tests.test_hazards_support import world  # noqa: F401

DAY = timedelta(days=1)


def _sessions_and_counters(app, user_id):
    """One session of each kind and two login counters; returns the ids that must stay."""
    now = utcnow()
    keep = app.config["SESSION_PURGE_AFTER_DAYS"] * DAY
    rows = {
        "live": dict(expires_at=now + DAY),
        "expired_long_ago": dict(created_at=now - keep - 8 * DAY, expires_at=now - keep - DAY),
        "revoked_long_ago": dict(expires_at=now + DAY, revoked_at=now - keep - DAY),
        "revoked_yesterday": dict(expires_at=now + DAY, revoked_at=now - DAY),
        "expired_yesterday": dict(created_at=now - 8 * DAY, expires_at=now - DAY),
    }
    ids = {}
    with app.app_context():
        for name, values in rows.items():
            session = UserSession(token_hash=uuid.uuid4().hex * 2, user_id=user_id,
                                  csrf_token="x", **values)
            db.session.add(session)
            db.session.flush()
            ids[name] = session.id
        window = timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_S"])
        db.session.add(LoginFailure(key="pair:old 10.0.0.1", count=3,
                                    window_start=now - window - DAY))
        db.session.add(LoginFailure(key="pair:fresh 10.0.0.1", count=3, window_start=now))
        db.session.commit()
    return ids


def _left(app):
    with app.app_context():
        sessions = set(db.session.scalars(select(UserSession.id)))
        counters = set(db.session.scalars(select(LoginFailure.key)))
    return sessions, counters


def test_purge_removes_ended_sessions_and_spent_login_counters(app, factory):
    user = factory.user("inspector")
    ids = _sessions_and_counters(app, user.id)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 2 session(s), 1 login counter(s)" in result.output
    sessions, counters = _left(app)
    assert sessions == {ids["live"], ids["revoked_yesterday"], ids["expired_yesterday"]}
    assert counters == {"pair:fresh 10.0.0.1"}


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.utime(p, (past, past))


def test_media_gc_removes_what_abandoned_uploads_left(app, world, media_dir):
    """What kill -9 in the middle of an upload leaves: the attempt's directory (no row names
    it), often with a half-written .part-* file. Young ones may be uploads in flight: kept."""
    hazard = world.create_hazard()
    photo = world.upload(hazard["id"], "finding", who="inspector").get_json()
    root = Path(str(media_dir))
    with app.app_context():
        from app.photos.models import Photo
        kept_dir = root / os.path.dirname(db.session.get(Photo, photo["id"]).original_path)
    hour = app.config["MEDIA_GC_GRACE_S"] + 60

    abandoned = root / "2024" / "06" / f"{uuid.uuid4()}-0a1b2c3d"
    abandoned.mkdir(parents=True)
    (abandoned / "original.jpg").write_bytes(b"\xff\xd8 whole file")
    (abandoned / ".part-k2j3h4").write_bytes(b"\xff\xd8 half a fi")
    _age(abandoned, hour)
    in_flight = root / "2024" / "06" / f"{uuid.uuid4()}-5e6f7a8b"
    in_flight.mkdir(parents=True)
    (in_flight / ".part-q9w8e7").write_bytes(b"being written")
    stale_part = kept_dir / ".part-z1x2c3"
    stale_part.write_bytes(b"left by a crash")
    _age(stale_part, hour)
    before = {p for p in root.rglob("*")}

    dry = app.test_cli_runner().invoke(args=["media", "gc", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would remove {abandoned.relative_to(root).as_posix()}/" in dry.output
    assert {p for p in root.rglob("*")} == before

    result = app.test_cli_runner().invoke(args=["media", "gc"])
    assert result.exit_code == 0, result.output
    assert not abandoned.exists() and not stale_part.exists()
    assert in_flight.exists() and kept_dir.exists()
    assert sorted(p.name for p in kept_dir.iterdir()) == ["full.jpg", "original.jpg", "thumb.jpg"]
    assert world.client("inspector").get(photo["urls"]["original"]).status_code == 200


def test_the_server_runs_housekeeping_periodically(app, factory, database_url, media_dir):
    user = factory.user("inspector")
    ids = _sessions_and_counters(app, user.id)
    server = create_app(make_config(database_url, media_dir, MAINTENANCE_INTERVAL_S=1))
    try:
        assert server.test_client().get("/healthz").status_code == 200
        pid, job = server.extensions["anxun_housekeeping_job"]
        assert pid == os.getpid() and job.is_alive()
        deadline = time.time() + 30
        while time.time() < deadline and ids["expired_long_ago"] in _left(app)[0]:
            time.sleep(0.3)
        sessions, counters = _left(app)
        assert ids["expired_long_ago"] not in sessions and ids["live"] in sessions
        assert counters == {"pair:fresh 10.0.0.1"}
        with app.app_context():
            assert db.session.get(JobLease, "housekeeping").holder == job.holder
    finally:
        server.extensions["anxun_housekeeping_job"][1].stop()
        with server.app_context():
            db.engine.dispose()
