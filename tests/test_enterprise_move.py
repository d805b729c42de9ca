"""An enterprise moved to another community takes every record with it (issue 12, item 2).

Before, its hazards, inspections and interviews kept the old ``community_id``: the old community
still read and acted on them and the new one got 404 (and a 409 naming an interview it could not
see). Now the move carries them in the admin's transaction and records it; both communities'
views are checked on every record."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter
from tests.test_registry_import import csv_bytes, upload


def records(world) -> dict:
    """An open general hazard, a closed one, a major hazard (R1: an escalation and an open
    interview), an inspection, all of ``world.enterprise`` in ``world.community``."""
    inspector = world.client("inspector")
    inspection = inspector.post("/api/v1/inspections", json={
        "enterprise_id": world.enterprise.id, "kind": "routine",
        "started_at": (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat()})
    assert inspection.status_code == 201, inspection.get_json()
    inspection = inspection.get_json()
    open_hazard = world.create_hazard(inspection_id=inspection["id"])
    closed = world.hazard_in("closed")
    major = world.create_hazard("major")
    interviews = world.client("supervisor").get("/api/v1/interviews").get_json()["items"]
    assert len(interviews) == 1, interviews   # opened by R1 for the major hazard
    return {"inspection": inspection, "open": open_hazard, "closed": closed, "major": major,
            "interview": interviews[0]}


def move(world, community_id, version=None):
    admin = world.client("admin")
    if version is None:
        version = admin.get(f"/api/v1/enterprises/{world.enterprise.id}").get_json()["version"]
    return admin.patch(f"/api/v1/enterprises/{world.enterprise.id}",
                       json={"version": version, "community_id": community_id})


def urls(recs) -> list[str]:
    return [f"/api/v1/hazards/{recs[k]['id']}" for k in ("open", "closed", "major")] + [
        f"/api/v1/hazards/{recs[k]['id']}/events" for k in ("open", "closed", "major")] + [
        f"/api/v1/inspections/{recs['inspection']['id']}",
        f"/api/v1/inspections/{recs['inspection']['id']}/rectification-notice.pdf",
        f"/api/v1/interviews/{recs['interview']['id']}",
        f"/api/v1/interviews/{recs['interview']['id']}/record.pdf"]


def test_a_move_carries_every_record_and_both_views_follow(world, app):
    recs = records(world)
    for who in ("supervisor", "inspector"):   # before: the old community sees them all
        client = world.client(who)
        assert all(client.get(url).status_code == 200 for url in urls(recs)), who
    response = move(world, world.far_community.id)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["community_id"] == world.far_community.id

    # The old community: 404 on every record, and nothing to act on.
    for who in ("supervisor", "inspector"):
        client = world.client(who)
        for url in urls(recs):
            assert client.get(url).status_code == 404, (who, url)
        assert client.get("/api/v1/hazards").get_json()["items"] == []
        assert client.get("/api/v1/interviews").get_json()["items"] == []
        assert client.get("/api/v1/inspections").get_json()["items"] == []
    assert world.act(recs["open"]["id"], "acknowledge", "inspector",
                     version=recs["open"]["version"]).status_code == 404
    assert world.client("supervisor").post(
        f"/api/v1/interviews/{recs['interview']['id']}/transitions",
        json={"action": "schedule", "version": recs["interview"]["version"],
              "scheduled_at": "2030-06-10T09:30:00+08:00", "place": "会议室",
              "interviewers": ["张主任"]}).status_code == 404

    # The new community reads all of them and acts on them.
    for who in ("far_supervisor", "far_inspector"):
        client = world.client(who)
        for url in urls(recs):
            assert client.get(url).status_code == 200, (who, url)
        listed = {h["id"] for h in client.get("/api/v1/hazards").get_json()["items"]}
        assert listed == {recs[k]["id"] for k in ("open", "closed", "major")}
    acted = world.act(recs["open"]["id"], "acknowledge", "far_inspector",
                      version=recs["open"]["version"])
    assert acted.status_code == 200, acted.get_json()
    far_supervisor = world.client("far_supervisor")
    scheduled = far_supervisor.post(
        f"/api/v1/interviews/{recs['interview']['id']}/transitions",
        json={"action": "schedule", "version": recs["interview"]["version"],
              "scheduled_at": "2030-06-10T09:30:00+08:00", "place": "会议室",
              "interviewers": ["张主任"]})
    assert scheduled.status_code == 200, scheduled.get_json()


def test_the_interview_409_names_an_interview_the_new_community_can_see(world):
    recs = records(world)
    assert move(world, world.far_community.id).status_code == 200
    far_supervisor = world.client("far_supervisor")
    again = far_supervisor.post("/api/v1/interviews", json={
        "enterprise_id": world.enterprise.id, "situation": "手动约谈"})
    assert again.status_code == 409, again.get_json()
    assert recs["interview"]["id"] in again.get_json()["detail"]
    assert far_supervisor.get(f"/api/v1/interviews/{recs['interview']['id']}").status_code == 200
    # the old community cannot open one for an enterprise that is no longer theirs
    assert world.client("supervisor").post("/api/v1/interviews", json={
        "enterprise_id": world.enterprise.id, "situation": "手动约谈"}).status_code == 422


def test_the_move_is_recorded_once_and_in_each_trail(world, app):
    from app.escalation.models import Escalation, InterviewEvent
    from app.extensions import db
    from app.hazards.models import HazardEvent
    from app.registry.models import EnterpriseMove

    recs = records(world)
    before = datetime.now(timezone.utc)
    assert move(world, world.far_community.id).status_code == 200
    with app.app_context():
        moves = db.session.scalars(select(EnterpriseMove)).all()
        assert len(moves) == 1
        row = moves[0]
        assert (row.enterprise_id, row.from_community_id, row.to_community_id, row.actor_id) == (
            world.enterprise.id, world.community.id, world.far_community.id,
            world.users["admin"].id)
        assert row.at >= before - timedelta(seconds=5)
        assert row.moved == {"hazards": 3, "inspections": 1, "interviews": 1, "escalations": 1,
                             "plan_tasks": 0}
        lines = db.session.scalars(select(HazardEvent).where(HazardEvent.action == "move")).all()
        assert {e.hazard_id for e in lines} == {recs[k]["id"] for k in ("open", "closed", "major")}
        assert all(e.data["move_id"] == row.id and "远方社区" in e.note for e in lines)
        assert db.session.scalar(select(InterviewEvent).where(
            InterviewEvent.action == "move")).interview_id == recs["interview"]["id"]
        assert {e.community_id for e in db.session.scalars(select(Escalation))} == {
            world.far_community.id}
    trail = world.client("far_supervisor").get(
        f"/api/v1/hazards/{recs['closed']['id']}/events").get_json()["items"]
    assert trail[-1]["action"] == "move" and trail[-1]["actor"]["id"] == world.users["admin"].id
    code = app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code
    assert code == 0   # the move lines are sealed into each chain like any other


def test_a_refused_change_moves_nothing(world, app):
    """One transaction: a PATCH that fails (a taken credit code) leaves every record where it
    was."""
    recs = records(world)
    admin = world.client("admin")
    version = admin.get(f"/api/v1/enterprises/{world.enterprise.id}").get_json()["version"]
    refused = admin.patch(f"/api/v1/enterprises/{world.enterprise.id}", json={
        "version": version, "community_id": world.far_community.id,
        "credit_code": world.neighbour.credit_code})
    assert refused.status_code == 409
    assert world.client("supervisor").get(f"/api/v1/hazards/{recs['open']['id']}"
                                          ).status_code == 200
    assert world.client("far_supervisor").get(f"/api/v1/hazards/{recs['open']['id']}"
                                              ).status_code == 404


def test_an_import_that_changes_the_community_moves_the_records_too(world, app):
    from app.extensions import db
    from app.hazards.models import Hazard

    recs = records(world)
    data = csv_bytes(["企业名称,统一社会信用代码,所属社区",
                      f"{world.enterprise.name},{world.enterprise.credit_code},远方社区"])
    report = upload(world.client("admin"), data)
    assert report.status_code == 200 and report.get_json()["updated"] == 1, report.get_json()
    with app.app_context():
        assert db.session.get(Hazard, recs["major"]["id"]).community_id == world.far_community.id
    assert world.client("far_inspector").get(
        f"/api/v1/interviews/{recs['interview']['id']}").status_code == 200
    assert world.client("inspector").get(
        f"/api/v1/inspections/{recs['inspection']['id']}").status_code == 404


def test_moving_back_carries_them_back(world):
    recs = records(world)
    assert move(world, world.far_community.id).status_code == 200
    assert move(world, world.community.id).status_code == 200
    assert world.client("supervisor").get(f"/api/v1/hazards/{recs['major']['id']}"
                                          ).status_code == 200
    assert world.client("far_supervisor").get(f"/api/v1/hazards/{recs['major']['id']}"
                                              ).status_code == 404
