"""A refused step leaves no evidence behind (issue 11 item 2): the officer knows beforehand that
提交整改 waits for a complete 治理方案 (``blocked_actions``), the refusal names the missing items
by their labels once, and the photos sent for a refused step stay pending, offered again,
never on the hazard the reviewer sees."""
from __future__ import annotations

from app.core.timeutil import utcnow
from app.extensions import db
from app.hazards.models import Hazard, HazardEvent
from tests.test_hazards_support import FULL_PLAN, world  # noqa: F401

PARTIAL_PLAN = {k: FULL_PLAN[k] for k in ("goals_tasks", "methods_measures", "deadline")}


def photo_ids(hazard, kind=None):
    return [p["id"] for p in hazard["photos"] if kind is None or p["kind"] == kind]


def pending_ids(hazard):
    return [p["id"] for p in hazard["pending_photos"]]


def test_submit_is_not_offered_while_the_plan_is_incomplete_and_says_why(world):
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    world.patch(hid, "officer", governance_plan=PARTIAL_PLAN)
    officer = world.hazard(hid, "officer")
    assert "submit" not in officer["allowed_actions"]
    assert officer["allowed_actions"] == ["acknowledge"]
    blocked = officer["blocked_actions"]["submit"]
    assert blocked["reason"] == "governance_plan_incomplete"
    assert blocked["fields"] == ["funds_materials", "responsible_body", "responsible_people",
                                 "safety_measures", "emergency_plan"]
    assert "经费和物资的落实" in blocked["message"] and "governance_plan" not in blocked["message"]
    english = world.client("officer").get(f"/api/v1/hazards/{hid}",
                                          headers={"Accept-Language": "en"}).get_json()
    message = english["blocked_actions"]["submit"]["message"]
    assert "Funds and materials" in message and "经费" not in message
    # Nobody else is offered a step the plan blocks; the reviewer has nothing blocked.
    assert world.hazard(hid, "supervisor")["blocked_actions"] == {}

    world.patch(hid, "officer", governance_plan=FULL_PLAN)
    ready = world.hazard(hid, "officer")
    assert ready["allowed_actions"] == ["acknowledge", "submit"]
    assert ready["blocked_actions"] == {}


def test_the_refusal_names_the_missing_plan_items_by_label_once(world):
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    world.patch(hid, "officer", governance_plan=PARTIAL_PLAN)
    assert world.upload(hid, "rectification", who="officer").status_code == 201
    for language, label, absent in (("zh-CN", "经费和物资的落实", "Funds"),
                                    ("en", "Funds and materials", "经费")):
        refused = world.client("officer").post(
            f"/api/v1/hazards/{hid}/transitions",
            json={"action": "submit", "version": world.hazard(hid)["version"]},
            headers={"Accept-Language": language})
        assert refused.status_code == 409
        problem = refused.get_json()
        [listed] = problem["errors"]["governance_plan"]
        everything = problem["detail"] + listed
        assert everything.count(label) == 1 and absent not in everything
        assert listed not in problem["detail"] and problem["detail"] not in listed
        assert "governance_plan" not in everything and "goals_tasks" not in everything


def test_photos_of_a_refused_submission_stay_pending_and_are_offered_again(world):
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    first = world.upload(hid, "rectification", who="officer").get_json()["id"]
    assert world.act(hid, "submit", "officer", photo_ids=[first]).status_code == 409

    # Not evidence for anyone; offered again to whoever may submit.
    for who in ("supervisor", "inspector", "officer"):
        assert photo_ids(world.hazard(hid, who), "rectification") == []
    assert pending_ids(world.hazard(hid, "officer")) == [first]
    assert pending_ids(world.hazard(hid, "inspector")) == [first]  # inspectors may submit too
    assert pending_ids(world.hazard(hid, "supervisor")) == []

    world.patch(hid, "officer", governance_plan=FULL_PLAN)
    body = world.ok(hid, "submit", "officer", photo_ids=[first])
    assert photo_ids(body, "rectification") == [first] and body["pending_photos"] == []
    reviewer = world.hazard(hid, "inspector")
    assert photo_ids(reviewer, "rectification") == [first]


def test_a_photo_sent_again_sets_the_refused_one_aside(world):
    """An older phone does not offer the pending photo: it uploads another and names only that
    one. The reviewer sees one rectification photo, not two."""
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    refused_photo = world.upload(hid, "rectification", who="officer").get_json()["id"]
    assert world.act(hid, "submit", "officer", photo_ids=[refused_photo]).status_code == 409
    world.patch(hid, "officer", governance_plan=FULL_PLAN)
    again = world.upload(hid, "rectification", who="officer", name="landscape_6.jpg").get_json()
    body = world.ok(hid, "submit", "officer", photo_ids=[again["id"]])
    assert photo_ids(body, "rectification") == [again["id"]]
    submit = world.client("supervisor").get(f"/api/v1/hazards/{hid}/events").get_json()[
        "items"][-1]
    assert submit["action"] == "submit"
    assert submit["data"]["photo_ids"] == [again["id"]]
    assert submit["data"]["set_aside_photo_ids"] == [refused_photo]

    # Set aside for good: not shown after the re-check either, and never offered again.
    world.ok(hid, "reject", "inspector", note="照片看不清")
    for who in ("officer", "inspector", "supervisor"):
        hz = world.hazard(hid, who)
        assert photo_ids(hz, "rectification") == [again["id"]] and hz["pending_photos"] == []
    # The photo itself is still stored and readable (evidence is never deleted).
    assert world.client("supervisor").get(f"/api/v1/photos/{refused_photo}").status_code == 200


def test_a_step_naming_no_photo_hands_in_every_pending_one(world):
    hazard = world.create_hazard()
    hid = hazard["id"]
    one = world.upload(hid, "rectification", who="officer").get_json()["id"]
    two = world.upload(hid, "rectification", who="inspector", name="landscape_6.jpg"
                       ).get_json()["id"]
    assert sorted(pending_ids(world.hazard(hid, "officer"))) == sorted([one, two])
    body = world.ok(hid, "submit", "officer")
    assert sorted(photo_ids(body, "rectification")) == sorted([one, two])


def test_recheck_photos_of_a_refused_verdict_stay_with_the_reviewer(world):
    hazard = world.hazard_in("submitted")
    hid = hazard["id"]
    seen = world.upload(hid, "recheck", who="inspector").get_json()["id"]
    missing_note = world.act(hid, "reject", "inspector", photo_ids=[seen])
    assert missing_note.status_code == 422
    assert photo_ids(world.hazard(hid, "officer"), "recheck") == []
    assert pending_ids(world.hazard(hid, "officer")) == []  # not the officer's to hand in
    assert pending_ids(world.hazard(hid, "supervisor")) == [seen]
    body = world.ok(hid, "reject", "inspector", note="仍未整改", photo_ids=[seen])
    assert photo_ids(body, "recheck") == [seen]


def test_steps_recorded_before_photos_were_set_aside_show_what_they_showed(world, app):
    """A submission recorded before this rule carries no set-aside list: every photo of its
    kind that existed at its time was shown, and still is (events are never rewritten, so the
    old line is written as it was)."""
    hazard = world.ready_hazard()
    hid = hazard["id"]
    [photo] = pending_ids(world.hazard(hid, "officer"))
    with app.app_context():
        stored = db.session.get(Hazard, hid)
        db.session.add(HazardEvent(hazard_id=hid, actor_id=world.users["officer"].id,
                                   action="submit", from_state=stored.state,
                                   to_state="submitted", at=utcnow(), data={}))
        stored.state, stored.submitted_at = "submitted", utcnow()
        db.session.commit()
    shown = world.hazard(hid, "inspector")
    assert photo_ids(shown, "rectification") == [photo] and shown["pending_photos"] == []
