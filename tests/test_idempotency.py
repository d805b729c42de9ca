"""Create-by-client-id: same body → the stored record, different body → 409, someone else's id →
404, and sixteen identical requests at once over two gunicorn workers → one row, no 5xx."""
from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from app.core.idempotency import canonical_json, payload_hash
from app.hazards import signals
from app.hazards.models import Hazard, HazardEvent
from app.inspections.models import Inspection
from app.photos.models import Photo
from tests.conftest import PASSWORD
from tests.test_hazards_support import media_files, new_id, photo_bytes, sha256
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter


# --------------------------------------------------------------------------- the hash
def test_payload_hash_is_canonical():
    t = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
    a = {"id": "x", "b": [1, 2], "a": {"y": 1, "x": t}}
    b = {"a": {"x": t.astimezone(timezone(timedelta(hours=8))), "y": 1}, "b": [1, 2], "id": "z"}
    assert payload_hash(a) == payload_hash(b)  # key order, offset spelling and id do not count
    assert canonical_json(a) == '{"a":{"x":"2024-05-01T10:00:00.000000+00:00","y":1},"b":[1,2]}'
    assert payload_hash(a) != payload_hash({**a, "b": [2, 1]})
    with pytest.raises(TypeError):
        payload_hash({"t": datetime(2024, 5, 1)})  # naive times have no single meaning


# --------------------------------------------------------------------------- hazards
def test_hazard_replay_answers_the_stored_record(world):
    hid = new_id()
    body = world.hazard_body(id=hid)
    created_signals = []

    def on_created(sender, **kw):
        created_signals.append(kw["hazard"].id)

    signals.hazard_created.connect(on_created)
    try:
        first = world.client("inspector").post("/api/v1/hazards", json=body)
        again = world.client("inspector").post("/api/v1/hazards", json=body)
        # The same instant in another offset is the same body.
        found = datetime.fromisoformat(body["found_at"]).astimezone(timezone(timedelta(hours=8)))
        shifted = world.client("supervisor").post("/api/v1/hazards", json={
            **body, "found_at": found.isoformat()})
    finally:
        signals.hazard_created.disconnect(on_created)
    assert first.status_code == 201 and first.get_json()["id"] == hid
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert shifted.status_code == 200 and shifted.get_json()["id"] == hid
    assert world.count(Hazard, id=hid) == 1
    assert world.count(HazardEvent, hazard_id=hid, action="report") == 1
    assert created_signals == [hid]  # not on a replay


def test_hazard_same_id_other_body_is_409_and_changes_nothing(world):
    hid = new_id()
    first = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(id=hid))
    other = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        id=hid, title="另一个隐患"))
    assert other.status_code == 409 and "id" in other.get_json()["errors"]
    assert world.hazard(hid) == {**first.get_json(), "allowed_actions": world.hazard(hid)[
        "allowed_actions"]}
    assert world.hazard(hid)["title"] == "配电箱未接地"


def test_an_id_in_someone_elses_scope_reveals_nothing(world):
    hid = new_id()
    world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(id=hid))
    far_body = world.hazard_body(id=hid, enterprise_id=world.far_enterprise.id)
    taken = world.client("far_inspector").post("/api/v1/hazards", json=far_body)
    unknown = world.client("far_inspector").get(f"/api/v1/hazards/{hid}")
    assert taken.status_code == unknown.status_code == 404
    assert taken.get_json() == unknown.get_json()
    assert "配电箱" not in taken.get_data(as_text=True)
    # Even the identical body from outside the scope learns nothing.
    same = world.client("far_inspector").post("/api/v1/hazards", json=world.hazard_body(id=hid))
    assert same.status_code == 404 and same.get_json() == unknown.get_json()
    assert world.count(Hazard) == 1


# --------------------------------------------------------------------------- inspections
def test_inspection_replay_and_conflict(world):
    iid = new_id()
    body = {"id": iid, "enterprise_id": world.enterprise.id, "kind": "unannounced",
            "started_at": datetime.now(timezone.utc).isoformat(),
            "location": {"lat": 29.533, "lng": 106.5005, "accuracy": 5}}
    first = world.client("inspector").post("/api/v1/inspections", json=body)
    again = world.client("inspector").post("/api/v1/inspections", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    changed = world.client("inspector").post("/api/v1/inspections", json={**body,
                                                                         "kind": "routine"})
    assert changed.status_code == 409 and "id" in changed.get_json()["errors"]
    outside = world.client("far_inspector").post("/api/v1/inspections", json=body)
    assert outside.status_code == 404
    assert world.count(Inspection) == 1


# --------------------------------------------------------------------------- photos
def test_photo_replay_by_id_and_sha256(world, media_dir):
    hazard = world.create_hazard()
    pid = new_id()
    before = media_files(media_dir)
    first = world.upload(hazard["id"], "finding", who="inspector", id=pid)
    files = media_files(media_dir)
    again = world.upload(hazard["id"], "finding", who="inspector", id=pid,
                         sha256=sha256(photo_bytes("DSCN0010.jpg")))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert media_files(media_dir) == files and len(files - before) == 3
    other = world.upload(hazard["id"], "finding", who="inspector", id=pid, name="portrait_8.jpg")
    assert other.status_code == 409 and "id" in other.get_json()["errors"]
    other_kind = world.upload(hazard["id"], "rectification", who="inspector", id=pid)
    assert other_kind.status_code == 409
    assert world.count(Photo) == 1 and media_files(media_dir) == files
    outside = world.upload(hazard["id"], "finding", who="far_inspector", id=pid)
    assert outside.status_code == 404


# --------------------------------------------------------------------------- transitions
def test_transition_replay_by_event_id(world):
    hazard = world.ready_hazard()
    eid = new_id()
    first = world.act(hazard["id"], "acknowledge", "officer", version=hazard["version"], id=eid)
    again = world.act(hazard["id"], "acknowledge", "officer", version=hazard["version"], id=eid)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert world.count(HazardEvent, hazard_id=hazard["id"], action="acknowledge") == 1
    changed = world.act(hazard["id"], "submit", "officer", version=hazard["version"], id=eid)
    assert changed.status_code == 409 and "id" in changed.get_json()["errors"]
    # Without the id, the same stale request is an ordinary version conflict.
    stale = world.act(hazard["id"], "acknowledge", "officer", version=hazard["version"])
    assert stale.status_code == 409
    elsewhere = world.ready_hazard()
    reused = world.act(elsewhere["id"], "acknowledge", "officer", version=elsewhere["version"],
                       id=eid)
    assert reused.status_code == 409
    assert world.hazard(elsewhere["id"])["state"] == "reported"
    events = world.client("officer").get(f"/api/v1/hazards/{hazard['id']}/events").get_json()
    assert eid in {e["id"] for e in events["items"]}


# --------------------------------------------------------------------------- in parallel
def _live_session(base, user):
    session = requests.Session()
    response = session.post(base + "/api/v1/auth/login",
                            json={"username": user.username, "password": PASSWORD}, timeout=30)
    assert response.status_code == 200, response.text
    return session.cookies.get_dict(), response.json()["csrf_token"]


def _sixteen(base, user, send):
    cookies, csrf = _live_session(base, user)

    def one(_):
        with requests.Session() as session:
            session.cookies.update(cookies)
            return send(session, {"X-CSRF-Token": csrf})

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(one, range(16)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 15 + [201], [(r.status_code, r.text[:200]) for r in responses]
    bodies = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)
    return bodies[0]


def test_sixteen_parallel_hazard_creates_make_one_row(world, live_server):
    body = world.hazard_body(id=new_id())
    stored = _sixteen(live_server, world.users["inspector"], lambda s, h: s.post(
        live_server + "/api/v1/hazards", json=body, headers=h, timeout=60))
    assert stored["id"] == body["id"]
    assert world.count(Hazard) == 1
    assert world.count(HazardEvent, hazard_id=body["id"], action="report") == 1


def test_sixteen_parallel_inspection_creates_make_one_row(world, live_server):
    body = {"id": new_id(), "enterprise_id": world.enterprise.id, "kind": "routine",
            "started_at": datetime.now(timezone.utc).isoformat(),
            "location": {"lat": 29.533, "lng": 106.5, "accuracy": 10}}
    stored = _sixteen(live_server, world.users["inspector"], lambda s, h: s.post(
        live_server + "/api/v1/inspections", json=body, headers=h, timeout=60))
    assert stored["on_site"] is True
    assert world.count(Inspection) == 1


def test_sixteen_parallel_photo_uploads_make_one_row_and_one_set_of_files(world, live_server,
                                                                           media_dir):
    hazard = world.create_hazard()
    pid, data = new_id(), photo_bytes("DSCN0010.jpg")
    before = media_files(media_dir)

    def send(session, headers):
        return session.post(live_server + "/api/v1/photos", headers=headers, timeout=60,
                            data={"id": pid, "hazard_id": hazard["id"], "kind": "finding",
                                  "sha256": sha256(data)},
                            files={"file": ("DSCN0010.jpg", io.BytesIO(data), "image/jpeg")})

    stored = _sixteen(live_server, world.users["inspector"], send)
    assert stored["id"] == pid and stored["sha256"] == sha256(data)
    assert world.count(Photo) == 1
    new_files = media_files(media_dir) - before
    assert len(new_files) == 3 and all(pid in f for f in new_files)


def test_sixteen_parallel_replays_of_one_transition_make_one_event(world, live_server):
    hazard = world.ready_hazard()
    body = {"id": new_id(), "action": "acknowledge", "version": hazard["version"],
            "note": "收到"}
    cookies, csrf = _live_session(live_server, world.users["officer"])

    def one(_):
        with requests.Session() as session:
            session.cookies.update(cookies)
            return session.post(f"{live_server}/api/v1/hazards/{hazard['id']}/transitions",
                                json=body, headers={"X-CSRF-Token": csrf}, timeout=60)

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(one, range(16)))
    assert [r.status_code for r in responses] == [200] * 16, [r.text[:200] for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert world.count(HazardEvent, hazard_id=hazard["id"], action="acknowledge") == 1
