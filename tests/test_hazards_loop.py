"""The closed loop (闭环): identify → rectify → verify → close → archive, for both levels and
every role, over the HTTP API."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from app.hazards import signals
from app.hazards.choices import HAZARD_ACTIONS
from app.hazards.models import Hazard, HazardEvent
from app.photos.models import Photo
from tests.test_hazards_support import FULL_PLAN, media_files
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter


@contextmanager
def captured_signals():
    seen = []

    def on_created(sender, **kw):
        seen.append(("created", kw["hazard"].id, kw["actor"].id, None))

    def on_transitioned(sender, **kw):
        seen.append(("transitioned", kw["hazard"].id, kw["actor"].id,
                     (kw["transition"].action, kw["event"].action, kw["hazard"].state)))

    signals.hazard_created.connect(on_created)
    signals.hazard_transitioned.connect(on_transitioned)
    try:
        yield seen
    finally:
        signals.hazard_created.disconnect(on_created)
        signals.hazard_transitioned.disconnect(on_transitioned)


def events_of(world, hazard_id, who="supervisor"):
    """The trail as this domain writes it (other domains, e.g. 零容忍 escalation, may add their
    own lines; those are theirs to test)."""
    response = world.client(who).get(f"/api/v1/hazards/{hazard_id}/events")
    assert response.status_code == 200, response.get_json()
    return [e for e in response.get_json()["items"]
            if e["action"] in HAZARD_ACTIONS and e["action"] not in OTHER_DOMAINS_LINES]


#: Trail lines the hazard action set labels but other domains write (零容忍 escalation,
#: an enterprise's move to another community).
OTHER_DOMAINS_LINES = {"escalate", "move"}


def test_general_hazard_full_loop_with_every_role(world):
    inspector, officer = world.users["inspector"], world.users["officer"]
    with captured_signals() as seen:
        hazard = world.create_hazard("general")
        hid = hazard["id"]
        assert hazard["state"] == "reported" and hazard["level"] == "general"
        assert hazard["reporter_id"] == inspector.id and hazard["version"] == 1
        assert hazard["governance_plan_missing"] == [] and hazard["overdue"] is False
        assert world.upload(hid, "finding", who="inspector").status_code == 201

        # The admin sees everything but signs nothing.
        assert world.client("admin").get(f"/api/v1/hazards/{hid}").get_json()[
            "allowed_actions"] == []
        assert world.act(hid, "acknowledge", "admin").status_code == 403
        assert world.client("admin").post("/api/v1/hazards",
                                          json=world.hazard_body()).status_code == 403

        # The officer may acknowledge or submit; without a rectification photo it cannot submit.
        assert world.hazard(hid, "officer")["allowed_actions"] == ["acknowledge", "submit"]
        refused = world.act(hid, "submit", "officer")
        assert refused.status_code == 409 and "photo_ids" in refused.get_json()["errors"]
        assert world.hazard(hid)["state"] == "reported"

        here = {"lat": 29.53305, "lng": 106.50002, "accuracy": 12.5}
        body = world.ok(hid, "acknowledge", "officer", location=here, note="已收到，马上整改")
        assert body["state"] == "rectifying" and body["acknowledged_at"]

        # An officer fills in the fix, never rewrites the finding.
        assert world.patch(hid, "officer", responsible="李四").status_code == 200
        denied = world.patch(hid, "officer", description="没有问题")
        assert denied.status_code == 403 and "description" in denied.get_json()["errors"]

        first = world.upload(hid, "rectification", who="officer").get_json()
        body = world.ok(hid, "submit", "officer", photo_ids=[first["id"]])
        assert body["state"] == "submitted" and body["submitted_at"]
        assert world.act(hid, "verify", "officer").status_code == 403

        missing_note = world.act(hid, "reject", "inspector")
        assert missing_note.status_code == 422 and "note" in missing_note.get_json()["errors"]
        body = world.ok(hid, "reject", "inspector", note="接地线未压紧")
        assert body["state"] == "rectifying" and body["rejection_count"] == 1
        assert body["recheck_note"] == "接地线未压紧"

        assert world.upload(hid, "rectification", who="officer",
                            name="landscape_6.jpg").status_code == 201
        world.ok(hid, "submit", "officer")
        body = world.ok(hid, "verify", "supervisor", note="复查合格")
        assert body["state"] == "verified" and body["verified_at"]
        assert body["recheck_note"] == "复查合格"
        body = world.ok(hid, "close", "inspector")  # a general hazard: the inspector may close
        assert body["state"] == "closed" and body["closed_at"]
        assert world.act(hid, "archive", "inspector").status_code == 403
        body = world.ok(hid, "archive", "supervisor")
        assert body["state"] == "archived" and body["archived_at"]

    # Read only forever: no edit, no transition, no photo.
    for who in ("admin", "supervisor", "inspector", "officer"):
        assert world.hazard(hid, who)["allowed_actions"] == []
    before = world.hazard(hid)
    assert world.patch(hid, "supervisor", responsible="王五").status_code == 409
    for action in ("acknowledge", "submit", "verify", "reject", "close", "archive"):
        assert world.act(hid, action, "supervisor", note="x").status_code == 409
    files = media_files(world.app.config["MEDIA_DIR"])
    assert world.upload(hid, "finding", who="inspector").status_code == 409
    assert media_files(world.app.config["MEDIA_DIR"]) == files
    assert world.hazard(hid) == before

    trail = events_of(world, hid)
    assert [(e["action"], e["from_state"], e["to_state"]) for e in trail] == [
        ("report", None, "reported"),
        ("add_photo", "reported", "reported"),
        ("acknowledge", "reported", "rectifying"),
        ("update", "rectifying", "rectifying"),
        ("add_photo", "rectifying", "rectifying"),
        ("submit", "rectifying", "submitted"),
        ("reject", "submitted", "rectifying"),
        ("add_photo", "rectifying", "rectifying"),
        ("submit", "rectifying", "submitted"),
        ("verify", "submitted", "verified"),
        ("close", "verified", "closed"),
        ("archive", "closed", "archived"),
    ]
    acknowledge = trail[2]
    assert acknowledge["actor"]["id"] == officer.id and acknowledge["actor"]["role"] == "officer"
    assert acknowledge["location"] == here and acknowledge["note"] == "已收到，马上整改"
    assert trail[5]["data"]["photo_ids"] == [first["id"]]
    assert trail[6]["note"] == "接地线未压紧"
    assert "payload_hash" not in (trail[5]["data"] or {})
    times = [datetime.fromisoformat(e["at"]) for e in trail]
    assert times == sorted(times) and all(t.utcoffset() is not None for t in times)

    # One created signal, one transitioned signal per transition (not for edits or photos).
    assert seen[0] == ("created", hid, world.users["inspector"].id, None)
    assert [s[3][0] for s in seen[1:]] == ["acknowledge", "submit", "reject", "submit", "verify",
                                           "close", "archive"]
    assert all(s[3][0] == s[3][1] for s in seen[1:])


def test_major_hazard_needs_a_plan_and_the_supervisors_sign_off(world, app):
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    found = datetime.fromisoformat(hazard["found_at"])
    deadline = datetime.fromisoformat(hazard["deadline"])
    local_day = (found.astimezone(timezone(timedelta(hours=8))).date()
                 + timedelta(days=app.config["DEADLINE_DAYS_MAJOR"]))
    assert deadline.astimezone(timezone(timedelta(hours=8))).date() == local_day
    assert sorted(hazard["governance_plan_missing"]) == sorted(FULL_PLAN)

    assert world.upload(hid, "rectification", who="officer").status_code == 201
    refused = world.act(hid, "submit", "officer")
    assert refused.status_code == 409 and "governance_plan" in refused.get_json()["errors"]

    partial = {k: FULL_PLAN[k] for k in ("goals_tasks", "methods_measures", "deadline")}
    body = world.patch(hid, "officer", governance_plan=partial).get_json()
    assert body["governance_plan"]["deadline"] == "2030-06-30"
    assert "funds_materials" in body["governance_plan_missing"]
    assert "goals_tasks" not in body["governance_plan_missing"]
    assert world.act(hid, "submit", "officer").status_code == 409

    blank = dict(FULL_PLAN, emergency_plan="   ")
    assert world.patch(hid, "officer", governance_plan=blank).get_json()[
        "governance_plan_missing"] == ["emergency_plan"]
    body = world.patch(hid, "officer", governance_plan=FULL_PLAN).get_json()
    assert body["governance_plan_missing"] == [] and body["governance_plan"] == FULL_PLAN

    body = world.ok(hid, "submit", "officer")  # straight from reported
    assert body["state"] == "submitted" and body["acknowledged_at"] is None
    world.ok(hid, "verify", "inspector")
    assert "close" not in world.hazard(hid, "inspector")["allowed_actions"]
    assert world.hazard(hid, "supervisor")["allowed_actions"] == ["close"]
    denied = world.act(hid, "close", "inspector")
    assert denied.status_code == 403 and "action" in denied.get_json()["errors"]
    assert world.hazard(hid)["state"] == "verified"
    world.ok(hid, "close", "supervisor")
    world.ok(hid, "archive", "supervisor")
    actions = [e["action"] for e in events_of(world, hid, "officer")]
    assert actions == ["report", "add_photo", "update_plan", "update_plan", "update_plan",
                       "submit", "verify", "close", "archive"]


def test_a_general_hazard_has_no_governance_plan(world):
    hazard = world.create_hazard("general")
    response = world.patch(hazard["id"], "officer", governance_plan=FULL_PLAN)
    assert response.status_code == 422 and "governance_plan" in response.get_json()["errors"]
    created = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        governance_plan=FULL_PLAN))
    assert created.status_code == 422


def test_only_open_hazards_can_be_edited(world):
    hazard = world.hazard_in("submitted")
    response = world.patch(hazard["id"], "inspector", title="新标题")
    assert response.status_code == 409
    assert world.hazard(hazard["id"])["title"] == hazard["title"]


def test_inspector_edits_the_finding_and_every_edit_is_an_event(world):
    hazard = world.create_hazard()
    body = world.patch(hazard["id"], "inspector", title="配电箱外壳未接地", category="fire",
                       place="二楼").get_json()
    assert (body["title"], body["category"], body["place"]) == ("配电箱外壳未接地", "fire", "二楼")
    assert body["version"] == hazard["version"] + 1
    unchanged = world.patch(hazard["id"], "inspector", title="配电箱外壳未接地").get_json()
    assert unchanged["version"] == body["version"]  # nothing changed, nothing written
    bad = world.patch(hazard["id"], "inspector", category="ufo")
    assert bad.status_code == 422 and "category" in bad.get_json()["errors"]
    trail = events_of(world, hazard["id"])
    assert [e["action"] for e in trail] == ["report", "update"]
    assert trail[1]["data"]["changed"] == ["category", "place", "title"]
    assert trail[1]["data"]["values"]["title"] == {"from": "配电箱未接地", "to": "配电箱外壳未接地"}
    assert world.patch(hazard["id"], "admin", title="x").status_code == 403


def test_supervisor_may_extend_the_deadline_in_a_transition(world):
    hazard = world.hazard_in("submitted")
    old = datetime.fromisoformat(hazard["deadline"])
    later = (old + timedelta(days=5)).isoformat()
    denied = world.act(hazard["id"], "reject", "inspector", note="未整改完", deadline=later)
    assert denied.status_code == 403 and "deadline" in denied.get_json()["errors"]
    earlier = world.act(hazard["id"], "reject", "supervisor", note="未整改完",
                        deadline=(old - timedelta(days=1)).isoformat())
    assert earlier.status_code == 422 and "deadline" in earlier.get_json()["errors"]
    assert world.hazard(hazard["id"])["rejection_count"] == 0

    body = world.ok(hazard["id"], "reject", "supervisor", note="未整改完", deadline="2031-01-15")
    assert body["deadline"] == "2031-01-15T15:59:59+00:00"  # end of that day in Asia/Shanghai
    event = events_of(world, hazard["id"])[-1]
    assert event["data"]["deadline"]["to"] == "2031-01-15T15:59:59+00:00"


def test_transition_photo_ids_must_be_this_hazards(world):
    one, other = world.ready_hazard(), world.ready_hazard()
    # A rectification photo waits for its submission (pending) until a step hands it in.
    theirs = world.hazard(other["id"], "officer")["pending_photos"][0]["id"]
    response = world.act(one["id"], "submit", "officer", photo_ids=[theirs])
    assert response.status_code == 422 and "photo_ids" in response.get_json()["errors"]
    finding = world.upload(one["id"], "finding", who="inspector").get_json()["id"]
    response = world.act(one["id"], "submit", "officer", photo_ids=[finding])
    assert response.status_code == 422
    assert world.hazard(one["id"])["state"] == "reported"


def test_unknown_action_and_bad_fields_are_named(world):
    hazard = world.create_hazard()
    response = world.act(hazard["id"], "destroy", "supervisor")
    assert response.status_code == 422 and "action" in response.get_json()["errors"]
    response = world.client("supervisor").post(f"/api/v1/hazards/{hazard['id']}/transitions",
                                               json={"action": "acknowledge"})
    assert response.status_code == 422 and "version" in response.get_json()["errors"]
    response = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        category="ufo"))
    assert response.status_code == 422 and "category" in response.get_json()["errors"]
    response = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        found_at="2024-05-01T10:00:00"))
    assert response.status_code == 422 and "found_at" in response.get_json()["errors"]
    response = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        level="huge", location={"lat": 91, "lng": 0}))
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and "level" in errors and "location.lat" in errors
    response = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        deadline="2000-01-01"))
    assert response.status_code == 422 and "deadline" in response.get_json()["errors"]
    assert world.count(Hazard) == 1


def test_events_are_append_only(world):
    hazard = world.create_hazard()
    trail = events_of(world, hazard["id"])
    url = f"/api/v1/hazards/{hazard['id']}/events"
    client = world.client("supervisor")
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(url, json={}).status_code == 405
        assert getattr(client, method)(f"{url}/{trail[0]['id']}", json={}).status_code in (404,
                                                                                            405)
    assert world.count(HazardEvent, hazard_id=hazard["id"]) == len(
        world.client("supervisor").get(url).get_json()["items"])


def test_overdue_is_a_passed_deadline_without_accepted_rectification(world):
    long_ago = (datetime.now(timezone.utc) - timedelta(days=30)).isoformat()
    late = world.create_hazard(found_at=long_ago)
    late_submitted = world.hazard_in("submitted", found_at=long_ago)
    late_verified = world.hazard_in("verified", found_at=long_ago)
    fresh = world.create_hazard()
    assert late["overdue"] is True and late_submitted["overdue"] is True
    assert late_verified["overdue"] is False and fresh["overdue"] is False
    listed = world.client("supervisor").get("/api/v1/hazards?overdue=true").get_json()
    assert {h["id"] for h in listed["items"]} == {late["id"], late_submitted["id"]}
    assert all(h["overdue"] for h in listed["items"])
    not_overdue = world.client("supervisor").get("/api/v1/hazards?overdue=false").get_json()
    assert {h["id"] for h in not_overdue["items"]} == {late_verified["id"], fresh["id"]}


def test_photos_in_the_detail(world):
    hazard = world.create_hazard()
    photo = world.upload(hazard["id"], "finding", who="inspector").get_json()
    detail = world.hazard(hazard["id"], "officer")
    assert [p["id"] for p in detail["photos"]] == [photo["id"]]
    shown = detail["photos"][0]
    assert shown["kind"] == "finding" and shown["sha256"] == photo["sha256"]
    assert shown["urls"]["full"] == f"/api/v1/photos/{photo['id']}/full"
    assert shown["urls"]["thumb"] == f"/api/v1/photos/{photo['id']}/thumb"
    assert {"taken_at", "exif_location", "width", "height"} <= set(shown)
    assert world.count(Photo, hazard_id=hazard["id"]) == 1


def test_a_resubmission_after_a_reject_needs_a_new_rectification_photo(world):
    hazard = world.ready_hazard("general")  # one rectification photo, uploaded by the officer
    hid = hazard["id"]
    [judged] = [p["id"] for p in world.hazard(hid, "officer")["pending_photos"]]
    world.ok(hid, "submit", "officer", photo_ids=[judged])
    world.ok(hid, "reject", "inspector", note="照片看不出接地线")
    reject = events_of(world, hid)[-1]
    assert reject["action"] == "reject" and reject["data"]["reviewed_photo_ids"] == [judged]

    # The photo the reviewer already judged is no new evidence, named or not.
    for body in ({}, {"photo_ids": [judged]}):
        refused = world.act(hid, "submit", "officer", **body)
        assert refused.status_code == 409, refused.get_json()
        problem = refused.get_json()
        assert "新的整改照片" in problem["errors"]["photo_ids"][0]
    # A finding photo taken meanwhile is no rectification either.
    assert world.upload(hid, "finding", who="inspector").status_code == 201
    assert world.act(hid, "submit", "inspector").status_code == 409
    assert world.hazard(hid)["state"] == "rectifying"

    fresh = world.upload(hid, "rectification", who="officer", name="landscape_6.jpg").get_json()
    body = world.ok(hid, "submit", "officer", photo_ids=[fresh["id"]])
    assert body["state"] == "submitted"

    # The second reject judged both photos: a third submission needs yet another one.
    world.ok(hid, "reject", "supervisor", note="仍未压紧")
    assert sorted(events_of(world, hid)[-1]["data"]["reviewed_photo_ids"]) == sorted(
        [judged, fresh["id"]])
    assert world.act(hid, "submit", "officer").status_code == 409
    assert world.upload(hid, "rectification", who="inspector", name="portrait_8.jpg"
                        ).status_code == 201
    assert world.ok(hid, "submit", "inspector")["state"] == "submitted"


def test_a_reject_recorded_without_its_judged_photos_counts_by_time(world, app):
    """A reject written before the judged photos were recorded (older rows, bulk-seeded
    history) judged every rectification photo that existed at its time."""
    from app.extensions import db

    hazard = world.hazard_in("submitted")
    hid = hazard["id"]
    with app.app_context():
        row = db.session.get(Hazard, hid)
        row.state, row.rejection_count, row.version = "rectifying", 1, row.version + 1
        db.session.add(HazardEvent(hazard_id=hid, actor_id=world.users["inspector"].id,
                                   action="reject", from_state="submitted",
                                   to_state="rectifying", note="旧记录",
                                   at=datetime.now(timezone.utc)))
        db.session.commit()
    refused = world.act(hid, "submit", "officer")
    assert refused.status_code == 409 and "photo_ids" in refused.get_json()["errors"]
    assert world.upload(hid, "rectification", who="officer", name="landscape_6.jpg"
                        ).status_code == 201
    assert world.ok(hid, "submit", "officer")["state"] == "submitted"
