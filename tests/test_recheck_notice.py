"""Inspectors are told when a rectification awaits their re-check (待复查), and the home screen
can count what awaits each user (issue 11 item 4)."""
from __future__ import annotations

from datetime import timedelta

from app.auth.models import User
from app.extensions import db
from app.notifications.choices import NOTIFICATION_KINDS
from app.registry.models import Community
from tests.test_hazards_support import now, world  # noqa: F401


def inbox(world, who):
    response = world.client(who).get("/api/v1/notifications?kind=rectification_submitted")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_the_kind_has_labels():
    assert NOTIFICATION_KINDS.label("rectification_submitted", "zh") == "待复查"
    assert NOTIFICATION_KINDS.label("rectification_submitted", "en") == "Awaiting re-check"


def test_the_inspector_who_found_the_hazard_is_told_of_the_submission(world):
    other = world.factory.user("inspector", communities=[world.community])
    hazard = world.ready_hazard()
    world.ok(hazard["id"], "submit", "officer")
    [message] = inbox(world, "inspector")
    assert message["subject_type"] == "hazard" and message["subject_id"] == hazard["id"]
    assert message["title"] == f"待复查：{hazard['title']}"
    assert world.enterprise.name in message["body"]
    assert message["kind_label"]["zh"] == "待复查"
    # Only the finder: another inspector of the community and the officer hear nothing.
    assert inbox(world, "officer") == []
    other_client = world._client_for(other)
    assert other_client.get("/api/v1/notifications").get_json()["items"] == []


def test_the_communitys_inspectors_are_told_when_the_finder_is_gone(world, app):
    hazard = world.ready_hazard()
    stand_in = world.factory.user("inspector", communities=[world.community])
    with app.app_context():
        finder = db.session.get(User, world.users["inspector"].id)
        finder.active = False
        db.session.commit()
    world.ok(hazard["id"], "submit", "officer")
    messages = world._client_for(stand_in).get(
        "/api/v1/notifications?kind=rectification_submitted").get_json()["items"]
    assert [m["subject_id"] for m in messages] == [hazard["id"]]
    # An inspector of another community hears nothing.
    assert inbox(world, "far_inspector") == []


def test_a_finder_moved_to_another_community_is_replaced_too(world, app):
    hazard = world.ready_hazard()
    stand_in = world.factory.user("inspector", communities=[world.community])
    with app.app_context():
        finder = db.session.get(User, world.users["inspector"].id)
        finder.communities = [db.session.get(Community, world.far_community.id)]
        db.session.commit()
    world.ok(hazard["id"], "submit", "officer")
    messages = world._client_for(stand_in).get(
        "/api/v1/notifications?kind=rectification_submitted").get_json()["items"]
    assert [m["subject_id"] for m in messages] == [hazard["id"]]


def test_the_summary_counts_what_awaits_each_role(world):
    submitted = world.hazard_in("submitted")
    world.hazard_in("rectifying")
    world.create_hazard(found_at=(now() - timedelta(days=10)).isoformat(),
                        deadline=(now() - timedelta(days=2)).isoformat())  # reported, overdue
    world.hazard_in("verified", "major")
    found_by_supervisor = world.create_hazard(who="supervisor")
    assert world.upload(found_by_supervisor["id"]).status_code == 201
    world.ok(found_by_supervisor["id"], "submit", "officer")

    def summary(who):
        response = world.client(who).get("/api/v1/hazards/summary")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    inspector = summary("inspector")
    assert inspector["to_recheck"] == 2 and inspector["to_recheck_mine"] == 1
    assert inspector["to_close"] == 0  # the verified one is major: the supervisor's sign-off
    officer = summary("officer")
    assert officer["to_recheck"] == 0 and officer["to_rectify"] == 2
    supervisor = summary("supervisor")
    assert supervisor["to_recheck"] == 2 and supervisor["to_recheck_mine"] == 1
    assert supervisor["to_close"] == 1 and supervisor["to_rectify"] == 0
    assert supervisor["overdue"] == officer["overdue"] == inspector["overdue"] == 1
    # Outside the scope nothing counts.
    assert summary("far_inspector")["to_recheck"] == 0
    assert summary("other_officer")["to_rectify"] == 0
    assert submitted["state"] == "submitted"


def test_the_summary_needs_a_login(client):
    assert client.get("/api/v1/hazards/summary").status_code == 401
