"""The hazard audit trail is tamper-evident (issue 12, item 7): every event is sealed into a hash
chain with the SHA-256 of the photos it names, ``flask audit verify`` reports each row edited,
deleted or inserted behind the application's back, PostgreSQL refuses UPDATE and DELETE on the
table, and concurrent writers of one trail never fork it."""
from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

import config
from app.hazards.audit import event_hash, seal_fields
from tests.test_hazards_support import new_id
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

on_sqlite = pytest.mark.skipif(config.test_database_kind() != "sqlite",
                               reason="SQLite's own trigger")
on_postgresql = pytest.mark.skipif(config.test_database_kind() != "postgresql",
                                   reason="the append-only trigger's refusal on PostgreSQL")


def trail(app, hazard_id: str) -> list:
    from app.extensions import db
    from app.hazards.models import HazardEvent
    with app.app_context():
        rows = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
                                  .order_by(HazardEvent.seq)).all()
        db.session.expunge_all()
    return rows


def verify(app, *args) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def findings(app, **kwargs):
    from app.hazards.audit import verify as run
    with app.app_context():
        return run(**kwargs).findings


@contextmanager
def raw(app):
    """A connection that writes around the application and around the append-only trigger, as
    the owner of the database (or of the SQLite file) could."""
    from app.extensions import db
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("ALTER TABLE hazard_events DISABLE TRIGGER "
                                     "hazard_events_append_only")
                try:
                    yield conn
                finally:
                    conn.exec_driver_sql("ALTER TABLE hazard_events ENABLE TRIGGER "
                                         "hazard_events_append_only")
                return
            trigger = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name = 'hazard_events_append_only'").scalar()
            conn.exec_driver_sql("DROP TRIGGER hazard_events_append_only")
            try:
                yield conn
            finally:
                conn.exec_driver_sql(trigger)


def a_full_trail(world) -> dict:
    """A hazard through report, photos, a rejection, a resubmission, verify, close, archive."""
    hazard = world.ready_hazard()
    hid = hazard["id"]
    world.ok(hid, "acknowledge", "officer")
    world.ok(hid, "submit", "officer")
    recheck = world.upload(hid, "recheck", who="inspector", name="portrait_8.jpg").get_json()
    world.ok(hid, "reject", "inspector", note="整改不到位", photo_ids=[recheck["id"]])
    assert world.upload(hid, "rectification", name="landscape_6.jpg").status_code == 201
    world.ok(hid, "submit", "officer")
    for action in ("verify", "close", "archive"):
        world.ok(hid, action, "supervisor")
    return world.hazard(hid)


# --------------------------------------------------------------------------- sealing
def test_every_event_is_sealed_into_its_hazards_chain(world, app):
    hazard = a_full_trail(world)
    rows = trail(app, hazard["id"])
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)) and len(rows) >= 10
    prev = None
    for row in rows:
        assert row.prev_hash == prev
        assert row.hash == event_hash(**seal_fields(row, seq=row.seq, prev_hash=prev,
                                                    photo_sha256=row.photo_sha256))
        prev = row.hash
    photos = {p["id"]: p["sha256"] for p in hazard["photos"]}
    named = [r for r in rows if r.photo_sha256]
    # A submission records the rectification photos it handed in (app.hazards.handover).
    assert {r.action for r in named} == {"add_photo", "submit", "reject"}
    for row in named:
        assert all(photos[pid] == sha for pid, sha in row.photo_sha256.items())
    code, output = verify(app)
    assert code == 0 and "intact" in output and f"{len(rows)} events" in output
    events = world.client("supervisor").get(f"/api/v1/hazards/{hazard['id']}/events").get_json()
    assert [e["hash"] for e in events["items"]] == [r.hash for r in rows]


# --------------------------------------------------------------------------- tampering
def test_an_edited_row_is_reported(world, app):
    hazard = a_full_trail(world)
    rows = trail(app, hazard["id"])
    victim = rows[3]
    with raw(app) as conn:
        conn.execute(text("UPDATE hazard_events SET note = :n WHERE id = :id"),
                     {"n": "改过的记录", "id": victim.id})
    found = findings(app)
    assert [(f.kind, f.event_id) for f in found] == [("edited", victim.id)]
    code, output = verify(app)
    assert code == 1 and "edited" in output and victim.id in output


def test_a_row_edited_and_resealed_breaks_the_next_link(world, app):
    """Recomputing the edited row's own hash is not enough: the next line names the old one."""
    hazard = a_full_trail(world)
    rows = trail(app, hazard["id"])
    victim = rows[2]
    victim.note = "改过的记录"
    forged = event_hash(**seal_fields(victim, seq=victim.seq, prev_hash=victim.prev_hash,
                                      photo_sha256=victim.photo_sha256))
    with raw(app) as conn:
        conn.execute(text("UPDATE hazard_events SET note = :n, hash = :h WHERE id = :id"),
                     {"n": victim.note, "h": forged, "id": victim.id})
    found = findings(app)
    assert [(f.kind, f.event_id) for f in found] == [("edited", rows[3].id)]
    assert "chain broken" in found[0].detail


@pytest.mark.parametrize("which", ["middle", "last", "all"])
def test_a_deleted_row_is_reported(world, app, which):
    hazard = a_full_trail(world)
    rows = trail(app, hazard["id"])
    gone = {"middle": [rows[4]], "last": [rows[-1]], "all": rows}[which]
    with raw(app) as conn:
        for row in gone:
            conn.execute(text("DELETE FROM hazard_events WHERE id = :id"), {"id": row.id})
    found = findings(app)
    assert [f.kind for f in found] == ["deleted"], found
    assert {"middle": f"#{rows[4].seq} missing", "last": "missing at the end",
            "all": "all"}[which] in found[0].detail
    assert verify(app)[0] == 1


@pytest.mark.parametrize("where", ["end", "unsealed"])
def test_an_inserted_row_is_reported(world, app, where):
    hazard = a_full_trail(world)
    rows = trail(app, hazard["id"])
    forged = str(uuid.uuid4())
    seq = {"end": rows[-1].seq + 1, "unsealed": rows[-1].seq + 7}[where]
    with raw(app) as conn:
        conn.execute(text(
            "INSERT INTO hazard_events (id, hazard_id, action, from_state, to_state, at, note, "
            "seq, prev_hash, hash) VALUES (:id, :h, 'verify', 'submitted', 'verified', "
            ":at, '补录', :seq, :prev, :hash)"),
            {"id": forged, "h": hazard["id"], "at": "2024-05-01 10:00:00.000000", "seq": seq,
             "prev": rows[-1].hash, "hash": "0" * 64})
    found = findings(app)
    assert [(f.kind, f.event_id) for f in found] == [("inserted", forged)]
    code, output = verify(app)
    assert code == 1 and forged in output


def test_a_photo_changed_behind_the_trail_is_reported(world, app, media_dir):
    from app.extensions import db
    from app.photos.models import Photo

    hazard = a_full_trail(world)
    assert verify(app, "--files")[0] == 0
    first, second = hazard["photos"][0]["id"], hazard["photos"][1]["id"]
    with raw(app) as conn:
        conn.execute(text("UPDATE photos SET sha256 = :s WHERE id = :id"),
                     {"s": "f" * 64, "id": first})
    with app.app_context():
        original = Path(str(media_dir)) / db.session.get(Photo, second).original_path
    original.write_bytes(original.read_bytes() + b"\0")
    found = findings(app, files=True)
    assert {f.kind for f in found} == {"photo"}
    assert any(first in f.detail and "f" * 64 in f.detail for f in found)
    assert any(second in f.detail and "stored original" in f.detail for f in found)
    assert not any(second in f.detail for f in findings(app))   # files are read on request


# --------------------------------------------------------------------------- refusing
@on_postgresql
def test_postgresql_refuses_update_and_delete_of_events(world, app):
    from app.extensions import db
    from app.hazards.models import HazardEvent

    hazard = world.create_hazard()
    with app.app_context():
        for statement in ("UPDATE hazard_events SET note = 'x' WHERE hazard_id = :h",
                          "DELETE FROM hazard_events WHERE hazard_id = :h"):
            with pytest.raises(DBAPIError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text(statement), {"h": hazard["id"]})
        event = db.session.scalar(select(HazardEvent).where(HazardEvent.hazard_id == hazard["id"]))
        event.note = "改"
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.commit()
        db.session.rollback()
    assert verify(app)[0] == 0


@on_sqlite
def test_sqlite_refuses_update_of_events(world, app):
    from app.extensions import db
    hazard = world.create_hazard()
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE hazard_events SET note = 'x' WHERE hazard_id = :h"),
                             {"h": hazard["id"]})


# --------------------------------------------------------------------------- concurrency
def test_parallel_writers_of_one_trail_never_fork_it(world, app):
    """Photo uploads (each an add_photo line) and an edit racing on one hazard: every line gets
    the next number and names the line before it."""
    hazard = world.create_hazard()
    hid = hazard["id"]
    clients = [world.client(who) for who in ("officer", "inspector", "supervisor")]
    version = hazard["version"]
    errors = []

    def upload(client, name):
        response = client.post("/api/v1/photos", data={
            "hazard_id": hid, "kind": "rectification" if client is clients[0] else "finding",
            "file": (open(Path(__file__).parent / "data" / "photos" / name, "rb"), name)},
            content_type="multipart/form-data")
        if response.status_code != 201:
            errors.append(response.get_json())

    def edit():
        response = clients[1].patch(f"/api/v1/hazards/{hid}",
                                    json={"version": version, "place": "二楼车间"})
        if response.status_code != 200:
            errors.append(response.get_json())

    names = ["DSCN0010.jpg", "landscape_6.jpg", "portrait_8.jpg", "image01137.jpg"]
    threads = [threading.Thread(target=upload, args=(clients[i % 3], names[i % 4]))
               for i in range(8)] + [threading.Thread(target=edit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    rows = trail(app, hid)
    assert [r.seq for r in rows] == list(range(1, 11))
    assert findings(app) == []


# --------------------------------------------------------------------------- other writers
def test_the_bulk_generator_writes_sealed_trails(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--enterprises", "8",
                                                "--hazards", "300"])
    assert result.exit_code == 0, result.output
    code, output = verify(app)
    assert code == 0 and "intact" in output, output
    from app.extensions import db
    from app.hazards.models import HazardEvent
    with app.app_context():
        assert db.session.scalar(select(HazardEvent.id).limit(1)) is not None


def test_the_migration_seals_the_events_stored_before_it(tmp_path, database_url):
    """A database at 0002 with events: upgrading seals them in time order per hazard."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.hazards.audit import verify as run
    from tests.conftest import _create_pg_database, make_config
    if database_url.startswith("postgresql"):
        url, drop = _create_pg_database()
    else:
        url, drop = f"sqlite:///{tmp_path}/old.db", (lambda: None)
    try:
        other = create_app(make_config(url, tmp_path))
        with other.app_context():
            upgrade(revision="0002")
            ids = {name: new_id() for name in ("c", "e", "u", "h", "p")}
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO communities (id, name, street, created_at, updated_at) "
                    "VALUES (:c, '社区', '街道', :t, :t)"), {**ids, "t": "2024-05-01 00:00:00"})
                conn.execute(text(
                    "INSERT INTO enterprises (id, name, credit_code, community_id, address, "
                    "industry, risk_level, legal_rep, safety_officer, phone, qr_token, "
                    "created_at, updated_at, version) VALUES (:e, '企业', '91350100M000100Y43', "
                    ":c, '', 'other', 'blue', '', '', '', 'tok', :t, :t, 1)"),
                    {**ids, "t": "2024-05-01 00:00:00"})
                conn.execute(text(
                    "INSERT INTO users (id, username, display_name, password_hash, role, active, "
                    "created_at, updated_at) VALUES (:u, 'old', 'old', 'x', 'inspector', :a, "
                    ":t, :t)"), {**ids, "a": True, "t": "2024-05-01 00:00:00"})
                conn.execute(text(
                    "INSERT INTO hazards (id, enterprise_id, community_id, reporter_id, title, "
                    "description, category, level, state, place, found_at, deadline, "
                    "responsible, rejection_count, escalated, created_at, updated_at, version) "
                    "VALUES (:h, :e, :c, :u, '隐患', '', 'fire', 'general', 'rectifying', '', "
                    ":t, :t, '', 0, :f, :t, :t, 2)"), {**ids, "f": False,
                                                       "t": "2024-05-01 00:00:00"})
                conn.execute(text(
                    "INSERT INTO photos (id, hazard_id, kind, uploader_id, sha256, mime, size, "
                    "width, height, original_path, full_path, thumb_path, created_at) VALUES "
                    "(:p, :h, 'finding', :u, :s, 'image/jpeg', 1, 1, 1, 'a', 'b', 'c', :t)"),
                    {**ids, "s": "a" * 64, "t": "2024-05-01 00:00:00"})
                for n, (action, at) in enumerate((("acknowledge", "2024-05-01 10:00:00"),
                                                  ("report", "2024-05-01 09:00:00"),
                                                  ("add_photo", "2024-05-01 09:30:00"))):
                    conn.execute(text(
                        "INSERT INTO hazard_events (id, hazard_id, actor_id, action, at, data) "
                        "VALUES (:id, :h, :u, :a, :at, :d)"),
                        {**ids, "id": f"00000000-0000-4000-8000-00000000000{n}", "a": action,
                         "at": at, "d": '{"photo_id": "%s"}' % ids["p"] if action == "add_photo"
                         else None})
            upgrade()
            report = run()
            rows = db.session.execute(text(
                "SELECT action, seq, photo_sha256 FROM hazard_events ORDER BY seq")).all()
            db.engine.dispose()
        assert report.ok and report.events == 3, report.findings
        assert [(r.action, r.seq) for r in rows] == [("report", 1), ("add_photo", 2),
                                                     ("acknowledge", 3)]
        assert "a" * 64 in str(rows[1].photo_sha256)
    finally:
        drop()
