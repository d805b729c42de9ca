"""延期申请 (issue 17): the enterprise asks before its deadline, a supervisor decides; approval
moves the deadline, and R2 and the reminders follow it; every step is a line of the trail."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.hazards.oversight_models import DeadlineExtension
from app.hazards.models import HazardEvent
from tests.test_escalation import evaluate, inbox, rules_of
from tests.test_hazards_support import iso, new_id, now, world  # noqa: F401

SHANGHAI = timedelta(hours=8)


def day(dt: datetime) -> str:
    """The Asia/Shanghai date of ``dt`` (a date means the end of that day)."""
    return (dt + SHANGHAI).date().isoformat()


def ask(world, hazard_id, who="officer", **body):
    body.setdefault("reason", "配电柜已订货，厂家交货期 20 天")
    return world.client(who).post(f"/api/v1/hazards/{hazard_id}/extensions", json=body)


def decide(world, hazard_id, extension, action, who="supervisor", **body):
    body.setdefault("version", extension["version"])
    return world.client(who).post(
        f"/api/v1/hazards/{hazard_id}/extensions/{extension['id']}/transitions",
        json={"action": action, **body})


def events(world, hazard_id, who="supervisor"):
    return world.client(who).get(f"/api/v1/hazards/{hazard_id}/events").get_json()["items"]


def test_request_and_approval_move_the_deadline_with_a_line_for_each_step(world, app):
    hazard = world.create_hazard()
    hid, old = hazard["id"], hazard["deadline"]
    assert world.hazard(hid, "officer")["oversight_actions"] == ["request_extension"]
    assert world.hazard(hid, "supervisor")["oversight_actions"] == []  # the supervisor exists
    wanted = day(now() + timedelta(days=30))

    asked = ask(world, hid, new_deadline=wanted)
    assert asked.status_code == 201, asked.get_json()
    ext = asked.get_json()
    assert ext["state"] == "pending" and ext["old_deadline"] == old
    assert day(datetime.fromisoformat(ext["new_deadline"])) == wanted
    assert ext["allowed_actions"] == []  # the officer does not decide
    [told] = inbox(app, world.users["supervisor"].id, "extension_requested")
    assert told[3] == hid and told[1].startswith("延期申请待审批")

    # The officer sees why no second request can be made; the supervisor may decide.
    seen = world.hazard(hid, "officer")
    assert seen["oversight_actions"] == [] and "request_extension" in seen["oversight_blocked"]
    assert "等待审批" in seen["oversight_blocked"]["request_extension"]["message"]
    [pending] = world.hazard(hid, "supervisor")["extensions"]
    assert pending["allowed_actions"] == ["approve", "reject"]

    approved = decide(world, hid, ext, "approve", note="同意延期，请按期完成")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["state"] == "approved"
    after = world.hazard(hid, "officer")
    assert day(datetime.fromisoformat(after["deadline"])) == wanted
    assert after["version"] == hazard["version"] + 1
    assert after["oversight_actions"] == ["request_extension"]  # a later one may be asked

    trail = events(world, hid)
    asked_line, approved_line = trail[-2], trail[-1]
    assert asked_line["action"] == "request_extension" and asked_line["actor"]["role"] == "officer"
    assert asked_line["note"] == "配电柜已订货，厂家交货期 20 天"
    assert asked_line["data"]["extension_id"] == ext["id"]
    assert approved_line["action"] == "approve_extension"
    assert approved_line["data"]["deadline"] == {"from": old, "to": after["deadline"]}
    assert approved_line["from_state"] == approved_line["to_state"] == "reported"
    assert [m[0] for m in inbox(app, world.users["officer"].id, "extension_approved")]
    # The trail's seals still hold.
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_rejection_needs_a_note_keeps_the_deadline_and_tells_the_officer(world, app):
    hazard = world.create_hazard()
    hid = hazard["id"]
    ext = ask(world, hid, new_deadline=day(now() + timedelta(days=20))).get_json()
    no_note = decide(world, hid, ext, "reject")
    assert no_note.status_code == 422 and "note" in no_note.get_json()["errors"]
    rejected = decide(world, hid, ext, "reject", note="可先停用该设备，无需延期")
    assert rejected.status_code == 200 and rejected.get_json()["state"] == "rejected"
    assert rejected.get_json()["decision_note"] == "可先停用该设备，无需延期"
    assert world.hazard(hid)["deadline"] == hazard["deadline"]
    assert events(world, hid)[-1]["action"] == "reject_extension"
    [message] = inbox(app, world.users["officer"].id, "extension_rejected")
    assert message[3] == hid
    # Decided once: a second decision is a 409, whatever it says.
    again = decide(world, hid, rejected.get_json(), "approve")
    assert again.status_code == 409


@pytest.mark.parametrize("case", ["not_later", "same", "second_pending", "after_deadline"])
def test_bad_requests_change_nothing(world, case):
    found = now() - timedelta(days=10)
    if case == "after_deadline":
        hazard = world.create_hazard(found_at=iso(found), deadline=iso(now() - timedelta(hours=2)))
    else:
        hazard = world.create_hazard()
    hid = hazard["id"]
    current = datetime.fromisoformat(hazard["deadline"])
    if case == "second_pending":
        assert ask(world, hid, new_deadline=day(now() + timedelta(days=40))).status_code == 201
    before = (world.count(DeadlineExtension), world.count(HazardEvent))
    new_deadline = {"not_later": day(current - timedelta(days=2)), "same": hazard["deadline"],
                    }.get(case, day(now() + timedelta(days=30)))
    response = ask(world, hid, new_deadline=new_deadline)
    body = response.get_json()
    expected = {"not_later": (422, "new_deadline"), "same": (422, "new_deadline"),
                "second_pending": (409, "state"), "after_deadline": (409, "deadline")}[case]
    assert (response.status_code, next(iter(body["errors"]))) == expected, body
    assert response.mimetype == "application/problem+json" and body["detail"]
    assert (world.count(DeadlineExtension), world.count(HazardEvent)) == before
    assert world.hazard(hid)["deadline"] == hazard["deadline"]


def test_who_may_ask_and_decide(world):
    hid = world.create_hazard()["id"]
    wanted = day(now() + timedelta(days=20))
    for who, status in (("inspector", 403), ("supervisor", 403), ("admin", 403),
                        ("other_officer", 404)):
        assert ask(world, hid, who=who, new_deadline=wanted).status_code == status, who
    assert ask(world, hid, new_deadline=wanted, reason="   ").status_code == 422
    ext = ask(world, hid, new_deadline=wanted).get_json()
    assert decide(world, hid, ext, "approve", who="officer").status_code == 403
    assert decide(world, hid, ext, "approve", who="inspector").status_code == 403
    assert decide(world, hid, ext, "approve", who="far_supervisor").status_code == 404
    assert world.client("far_supervisor").get(
        f"/api/v1/hazards/{hid}/extensions/{ext['id']}").status_code == 404
    assert decide(world, hid, ext, "approve", version=ext["version"] + 1).status_code == 409
    listed = world.client("officer").get(f"/api/v1/hazards/{hid}/extensions").get_json()
    assert [e["id"] for e in listed["items"]] == [ext["id"]]


def test_a_request_is_idempotent_by_its_id_and_may_carry_a_document(world):
    hid = world.create_hazard()["id"]
    doc = world.upload(hid, "document", name="portrait_8.jpg")
    assert doc.status_code == 201, doc.get_json()
    body = {"id": new_id(), "new_deadline": day(now() + timedelta(days=25)),
            "photo_id": doc.get_json()["id"]}
    first = ask(world, hid, **body)
    again = ask(world, hid, **body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert first.get_json()["photo"]["kind"] == "document"
    assert ask(world, hid, **dict(body, reason="别的理由")).status_code == 409
    assert world.count(DeadlineExtension) == 1
    line = events(world, hid)[-1]
    assert line["action"] == "request_extension"
    assert line["data"]["photo_id"] == doc.get_json()["id"]
    # Only a document of this hazard goes with a request.
    other = world.create_hazard()["id"]
    finding = world.upload(other, "finding", who="inspector").get_json()["id"]
    refused = ask(world, other, new_deadline=day(now() + timedelta(days=25)), photo_id=finding)
    assert refused.status_code == 422 and "photo_id" in refused.get_json()["errors"]
    # Only the officer photographs documents.
    assert world.upload(other, "document", who="inspector").status_code == 403


def test_r2_follows_an_extension_approved_before_the_old_deadline(world, app):
    deadline = now() + timedelta(days=1)
    extended = world.create_hazard(deadline=iso(deadline))
    control = world.create_hazard(deadline=iso(deadline), title="消防通道堵塞")
    ext = ask(world, extended["id"], new_deadline=day(now() + timedelta(days=10))).get_json()
    assert decide(world, extended["id"], ext, "approve").status_code == 200

    evaluate(app, now() + timedelta(days=2))  # past the old deadline
    assert rules_of(app, control["id"]) == ["R2"]
    assert rules_of(app, extended["id"]) == []
    assert world.hazard(extended["id"])["overdue"] is False

    # The reminder follows the new deadline too, and names it.
    officer = world.users["officer"].id
    reminded = [m for m in inbox(app, officer, "deadline_reminder") if m[3] == extended["id"]]
    assert reminded == []
    evaluate(app, now() + timedelta(days=9))
    [reminder] = [m for m in inbox(app, officer, "deadline_reminder") if m[3] == extended["id"]]
    evaluate(app, now() + timedelta(days=12))
    assert rules_of(app, extended["id"]) == ["R2"]  # the new deadline is enforced in turn


def test_no_approval_once_the_fix_is_accepted_and_the_dashboard_counts_them(world):
    hazard = world.create_hazard()
    hid = hazard["id"]
    ext = ask(world, hid, new_deadline=day(now() + timedelta(days=30))).get_json()
    assert world.upload(hid).status_code == 201
    world.ok(hid, "submit", "officer")
    world.ok(hid, "verify", "supervisor")
    late = decide(world, hid, ext, "approve")
    assert late.status_code == 409 and "state" in late.get_json()["errors"]
    assert world.hazard(hid)["deadline"] == hazard["deadline"]
    assert decide(world, hid, ext, "reject", note="已整改完毕").status_code == 200

    other = world.create_hazard()["id"]
    pending = ask(world, other, new_deadline=day(now() + timedelta(days=30)))
    assert pending.status_code == 201
    figures = world.client("supervisor").get("/api/v1/dashboard").get_json()["extensions"]
    assert figures == {"requested": 2, "approved": 0, "rejected": 1, "pending_now": 1}
    assert world.client("far_supervisor").get("/api/v1/dashboard").get_json()["extensions"] == {
        "requested": 0, "approved": 0, "rejected": 0, "pending_now": 0}
