"""零容忍 end to end through the hazard API: the event rules fire in the request that causes
them, the time rules from `flask escalate`; the officer's work is never made stale by them."""
from __future__ import annotations

from datetime import timedelta

from tests.test_hazards_support import now
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter


def present(world, *who):
    """The World makes users on first use; the ones who should hear of things must exist."""
    for name in who or ("supervisor", "officer", "inspector"):
        world.users[name]


def escalation_rules(world, hazard_id, who="supervisor"):
    response = world.client(who).get(f"/api/v1/hazards/{hazard_id}/escalations")
    assert response.status_code == 200, response.get_json()
    return sorted(item["rule"] for item in response.get_json()["items"])


def kinds(world, who):
    items = world.client(who).get("/api/v1/notifications?per_page=100").get_json()["items"]
    return [n["kind"] for n in items]


def test_reporting_a_major_hazard_escalates_in_the_same_request(world):
    present(world)
    created = world.create_hazard("major")
    assert created["escalated"] is True
    hazard = world.hazard(created["id"])
    assert hazard["escalated"] is True and hazard["state"] == "reported"
    assert escalation_rules(world, created["id"]) == ["R1"]
    events = world.client("supervisor").get(f"/api/v1/hazards/{created['id']}/events"
                                            ).get_json()["items"]
    escalate = [e for e in events if e["action"] == "escalate"]
    assert len(escalate) == 1 and escalate[0]["note"].startswith("R1")
    assert kinds(world, "supervisor") == ["escalation"]
    assert kinds(world, "officer") == ["hazard_created"]
    interviews = world.client("officer").get("/api/v1/interviews").get_json()
    assert interviews["total"] == 1
    [reason] = interviews["items"][0]["reasons"]
    assert reason["hazard_id"] == created["id"] and reason["rule"] == "R1"
    listed = world.client("supervisor").get("/api/v1/hazards/major").get_json()
    assert [h["id"] for h in listed["items"]] == [created["id"]]
    # a rejected create (bad input) fires nothing
    bad = world.client("inspector").post("/api/v1/hazards",
                                         json=world.hazard_body("major", category="nonsense"))
    assert bad.status_code == 422
    assert world.client("supervisor").get("/api/v1/interviews").get_json()["items"][0][
        "reasons"] == [reason]


def test_a_replayed_create_fires_nothing_twice(world):
    present(world)
    import uuid
    body = world.hazard_body("major", id=str(uuid.uuid4()))
    client = world.client("inspector")
    assert client.post("/api/v1/hazards", json=body).status_code == 201
    assert client.post("/api/v1/hazards", json=body).status_code == 200
    assert escalation_rules(world, body["id"]) == ["R1"]
    assert kinds(world, "supervisor") == ["escalation"]
    assert kinds(world, "officer") == ["hazard_created"]


def test_the_second_rejection_escalates(world):
    present(world)
    hazard = world.ready_hazard("general")
    hid = hazard["id"]
    world.ok(hid, "submit", "officer")
    world.ok(hid, "reject", "inspector", note="整改照片看不出接地线")
    assert world.hazard(hid)["escalated"] is False
    assert world.upload(hid, name="landscape_6.jpg").status_code == 201  # new evidence
    world.ok(hid, "submit", "officer")
    rejected = world.ok(hid, "reject", "supervisor", note="接地线仍未连接")
    assert rejected["rejection_count"] == 2 and rejected["escalated"] is True
    assert escalation_rules(world, hid) == ["R3"]
    assert kinds(world, "officer") == ["hazard_rejected", "hazard_rejected", "hazard_created"]
    officer_inbox = world.client("officer").get("/api/v1/notifications").get_json()["items"]
    assert "接地线仍未连接" in officer_inbox[0]["body"]
    assert kinds(world, "supervisor") == ["escalation"]  # its own rejection is not news to it


def test_the_same_category_after_closing_escalates(world):
    present(world)
    closed = world.hazard_in("closed", category="fire")
    # found after the first was closed (a finding older than that closing is no repeat)
    found = now().isoformat()
    again = world.create_hazard("general", category="fire", found_at=found)
    other = world.create_hazard("general", category="gas", found_at=found)
    earlier = world.create_hazard("general", category="fire")  # found an hour ago
    assert escalation_rules(world, earlier["id"]) == []
    assert escalation_rules(world, again["id"]) == ["R4"]
    assert escalation_rules(world, other["id"]) == [] and closed["escalated"] is False
    detail = world.client("supervisor").get("/api/v1/interviews").get_json()["items"][0]
    assert "R4" in detail["reasons"][0]["rule"]


def test_changing_the_category_re_checks_r4_once(world):
    present(world)
    world.hazard_in("closed", category="fire")
    found = now().isoformat()
    hazard = world.create_hazard("general", category="gas", found_at=found)
    hid = hazard["id"]
    assert escalation_rules(world, hid) == [] and hazard["escalated"] is False

    # Recorded as gas, it is really a fire hazard again: the repeat rule fires on the edit.
    body = world.patch(hid, "inspector", category="fire").get_json()
    assert body["category"] == "fire" and body["escalated"] is True
    assert escalation_rules(world, hid) == ["R4"]
    # Back and forth: R4 fired once for this hazard and never again.
    assert world.patch(hid, "inspector", category="gas").status_code == 200
    assert world.patch(hid, "inspector", category="fire").status_code == 200
    assert world.patch(hid, "inspector", title="灭火器过期").status_code == 200
    assert escalation_rules(world, hid) == ["R4"]
    assert kinds(world, "supervisor") == ["escalation"]
    events = world.client("supervisor").get(f"/api/v1/hazards/{hid}/events").get_json()["items"]
    assert [e["action"] for e in events].count("escalate") == 1


def test_overdue_escalates_from_flask_escalate_without_staling_the_officer(world, app):
    present(world)
    deadline = now() + timedelta(days=1)
    hazard = world.create_hazard("general", deadline=deadline.isoformat())
    hid, version = hazard["id"], hazard["version"]
    runner = app.test_cli_runner()
    soon = runner.invoke(args=["escalate", "--now", (deadline - timedelta(hours=2)).isoformat()])
    assert "0 rule(s) fired" in soon.output and "reminders=1" in soon.output
    late = runner.invoke(args=["escalate", "--now", (deadline + timedelta(hours=1)).isoformat()])
    assert "1 rule(s) fired" in late.output and f"R2 hazard={hid}" in late.output
    assert escalation_rules(world, hid, who="officer") == ["R2"]
    detail = world.hazard(hid, who="officer")
    assert detail["escalated"] is True and detail["version"] == version
    # the officer acknowledges with the version it saw before the escalation: no 409
    assert world.act(hid, "acknowledge", "officer", version=version).status_code == 200
    assert sorted(kinds(world, "officer")) == ["deadline_reminder", "hazard_created",
                                               "hazard_overdue"]
