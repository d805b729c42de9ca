"""安全生产月 campaigns over HTTP: campaigns and the current one, activities recorded offline first
(idempotent creates, photos through /photos), an officer's training confirmed by a supervisor,
submissions (报送) that freeze figures, activities and the PDF byte for byte, the board of late
and missing communities, the street's summary built from submissions, and the bad input of the
issue, each a problem+json that changes nothing."""
from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import date, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import text

from app.core.timeutil import SHANGHAI
from tests.test_bad_input import problem, refused
from tests.test_hazards_support import new_id, photo_bytes, sha256
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter


def today() -> date:
    return datetime.now(SHANGHAI).date()


def pdf_text(pdf: bytes) -> str:
    """What pdftotext reads from a PDF (poppler-utils), line breaks removed."""
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                            check=True)
    return result.stdout.decode("utf-8").replace("\n", "").replace(" ", "")


def make_campaign(world, *, starts=-10, ends=19, due=5, who="supervisor", **body) -> dict:
    t = today()
    payload = {"id": new_id(), "name": f"{t.year}年安全生产月",
               "starts_on": (t + timedelta(days=starts)).isoformat(),
               "ends_on": (t + timedelta(days=ends)).isoformat(),
               "submission_due": (t + timedelta(days=due)).isoformat(), **body}
    response = world.client(who).post("/api/v1/campaigns", json=payload)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def activity_body(world, campaign, **overrides) -> dict:
    body = {"id": new_id(), "campaign_id": campaign["id"], "community_id": world.community.id,
            "kind": "drill", "title": "有限空间作业中毒窒息专项应急演练",
            "held_on": (today() - timedelta(days=2)).isoformat(), "place": "乌龙精密机械一号车间",
            "participants": 46, "enterprise_ids": [world.enterprise.id, world.neighbour.id],
            "scenario": "污水池清淤作业人员中毒晕倒，现场救援与送医",
            "problems": "气体检测仪未校准；救援三脚架到场晚了4分钟"}
    body.update(overrides)
    return body


def record(world, campaign, who="inspector", **overrides) -> dict:
    response = world.client(who).post("/api/v1/activities",
                                      json=activity_body(world, campaign, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def upload_activity_photo(world, activity_id, who="inspector", name="DSCN0010.jpg", **form):
    content = photo_bytes(name)
    fields = {"activity_id": activity_id, "kind": "activity", "sha256": sha256(content), **form,
              "file": (io.BytesIO(content), name, "image/jpeg")}
    return world.client(who).post("/api/v1/photos", data=fields,
                                  content_type="multipart/form-data")


def logged_in(world, *names):
    """Log these users in now: a login writes rows, which ``refused`` counts."""
    for name in names:
        world.client(name)


@pytest.fixture
def street(world):
    """A supervisor of the 街道: both communities."""
    world.users["street"] = world.factory.user(
        "supervisor", communities=[world.community, world.far_community])
    return world


# --------------------------------------------------------------------------- campaigns
def test_campaigns_are_set_up_by_supervisors_and_the_current_one_counts_its_days(world):
    campaign = make_campaign(world)
    assert campaign["phase"] == "running" and campaign["days_left"] == 20
    assert campaign["phase_label"]["zh"] == "进行中"
    body = {k: campaign[k] for k in ("id", "name", "starts_on", "ends_on", "submission_due")}
    again = world.client("supervisor").post("/api/v1/campaigns", json=body)
    assert again.status_code == 200 and again.get_json()["id"] == campaign["id"]
    problem(world.client("supervisor").post("/api/v1/campaigns", json={**body, "name": "别的"}),
            409, "id")
    for who in ("officer", "inspector"):
        problem(world.client(who).post("/api/v1/campaigns", json={**body, "id": new_id()}), 403)
    refused(world.app, partial(world.client("supervisor").post, "/api/v1/campaigns", json={
        **body, "id": new_id(), "ends_on": (today() - timedelta(days=20)).isoformat()}),
        422, "ends_on")

    for who in ("officer", "inspector", "supervisor", "admin"):   # everyone's home screen
        current = world.client(who).get("/api/v1/campaigns/current").get_json()["campaign"]
        assert current["id"] == campaign["id"] and current["days_left"] == 20
        assert current["days_to_due"] == 5
    listed = world.client("officer").get("/api/v1/campaigns").get_json()
    assert [c["id"] for c in listed["items"]] == [campaign["id"]]


def test_no_current_campaign_is_null(world):
    make_campaign(world, starts=-100, ends=-70, due=-60)
    assert world.client("officer").get("/api/v1/campaigns/current").get_json() == {
        "campaign": None}
    upcoming = make_campaign(world, starts=3, ends=30, due=25)
    current = world.client("officer").get("/api/v1/campaigns/current").get_json()["campaign"]
    assert current["id"] == upcoming["id"] and current["phase"] == "upcoming"
    assert current["days_to_start"] == 3 and current["days_left"] is None


# --------------------------------------------------------------------------- activities
def test_a_drill_is_recorded_once_with_its_photo(world):
    campaign = make_campaign(world)
    body = activity_body(world, campaign)
    first = world.client("inspector").post("/api/v1/activities", json=body)
    assert first.status_code == 201, first.get_json()
    drill = first.get_json()
    assert drill["state"] == "confirmed" and drill["kind_label"]["zh"] == "应急演练"
    assert {e["name"] for e in drill["enterprises"]} == {world.enterprise.name,
                                                          world.neighbour.name}
    # the outbox sends it again: the same record, not a second one
    replay = world.client("inspector").post("/api/v1/activities", json=body)
    assert replay.status_code == 200 and replay.get_json()["id"] == drill["id"]
    problem(world.client("inspector").post("/api/v1/activities",
                                           json={**body, "participants": 47}), 409, "id")

    photo_id = new_id()
    uploaded = upload_activity_photo(world, drill["id"], id=photo_id)
    assert uploaded.status_code == 201, uploaded.get_json()
    photo = uploaded.get_json()
    assert photo["activity_id"] == drill["id"] and photo["hazard_id"] is None
    again = upload_activity_photo(world, drill["id"], id=photo_id)
    assert again.status_code == 200 and again.get_json()["id"] == photo_id

    seen = world.client("supervisor").get(f"/api/v1/activities/{drill['id']}").get_json()
    assert [p["id"] for p in seen["photos"]] == [photo_id]
    assert [e["action"] for e in seen["events"]] == ["record", "add_photo"]
    thumb = world.client("supervisor").get(photo["urls"]["thumb"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    # outside the community: the activity and its photo are unknown
    for who in ("far_inspector", "officer"):
        assert world.client(who).get(f"/api/v1/activities/{drill['id']}").status_code == 404
        assert world.client(who).get(photo["urls"]["thumb"]).status_code == 404
    listed = world.client("supervisor").get(
        f"/api/v1/activities?campaign_id={campaign['id']}").get_json()
    assert listed["total"] == 1 and listed["items"][0]["photo_count"] == 1


def test_a_photo_names_one_owner_of_the_right_kind(world):
    logged_in(world, "far_inspector")
    campaign = make_campaign(world)
    drill = record(world, campaign)
    hazard = world.create_hazard()
    refused(world.app, partial(upload_activity_photo, world, drill["id"], kind="finding"),
            422, "kind")
    refused(world.app, partial(upload_activity_photo, world, drill["id"],
                               hazard_id=hazard["id"]), 422, "activity_id")
    refused(world.app, partial(world.upload, hazard["id"], "activity", who="inspector"),
            422, "kind")
    refused(world.app, partial(upload_activity_photo, world, drill["id"], who="far_inspector"),
            422, "activity_id")
    refused(world.app, partial(upload_activity_photo, world, new_id()), 422, "activity_id")


def test_bad_activity_input_is_named_and_changes_nothing(world):
    logged_in(world, "inspector", "admin")
    campaign = make_campaign(world)
    post = partial(world.client("inspector").post, "/api/v1/activities")
    cases = [
        ({"held_on": (today() - timedelta(days=15)).isoformat()}, 422, "held_on"),  # before
        ({"held_on": (today() + timedelta(days=1)).isoformat()}, 422, "held_on"),   # future
        ({"kind": "party"}, 422, "kind"),
        ({"participants": -1}, 422, "participants"),
        ({"participants": 1.5}, 422, "participants"),
        ({"enterprise_ids": [world.far_enterprise.id]}, 422, "enterprise_ids"),
        ({"enterprise_ids": [new_id()]}, 422, "enterprise_ids"),
        ({"community_id": world.far_community.id,
          "enterprise_ids": [world.far_enterprise.id]}, 422, "community_id"),
        ({"campaign_id": new_id()}, 422, "campaign_id"),
        ({"scenario": ""}, 422, "scenario"),                         # a drill needs one
        ({"kind": "training", "scenario": "演练科目"}, 422, "scenario"),
        ({"title": ""}, 422, "title"),
    ]
    for overrides, status, field in cases:
        refused(world.app, partial(post, json=activity_body(world, campaign, **overrides)),
                status, field)
    # a kind by its Chinese label is taken, stored as the value
    made = record(world, campaign, kind="安全培训", scenario=None, problems=None)
    assert made["kind"] == "training"
    # without campaign_id, the campaign running on the day
    other = record(world, campaign, campaign_id=None, kind="publicity", scenario=None,
                   problems=None)
    assert other["campaign_id"] == campaign["id"]
    problem(world.client("admin").post("/api/v1/activities",
                                       json=activity_body(world, campaign)), 403)


def test_an_officer_records_its_own_training_which_a_supervisor_confirms(world):
    campaign = make_campaign(world)
    officer = world.client("officer")
    training = {"kind": "training", "title": "主要负责人安全生产理论培训", "scenario": None,
                "problems": None, "enterprise_ids": [], "participants": 18}
    made = record(world, campaign, who="officer", **training)
    assert made["state"] == "pending" and made["allowed_actions"] == []
    assert made["enterprise_ids"] == [world.enterprise.id]
    refused(world.app, partial(officer.post, "/api/v1/activities", json=activity_body(
        world, campaign, kind="publicity", scenario=None, problems=None)), 403, "kind")
    refused(world.app, partial(officer.post, "/api/v1/activities", json=activity_body(
        world, campaign, **{**training, "enterprise_ids": [world.neighbour.id]})),
        422, "enterprise_ids")
    # the neighbour's officer does not see it; the community's supervisor does, and confirms
    assert world.client("other_officer").get(
        f"/api/v1/activities/{made['id']}").status_code == 404
    url = f"/api/v1/activities/{made['id']}/transitions"
    seen = world.client("supervisor").get(f"/api/v1/activities/{made['id']}").get_json()
    assert seen["allowed_actions"] == ["confirm", "return"]
    problem(world.client("inspector").post(url, json={"action": "confirm", "version": 1}), 403)
    refused(world.app, partial(world.client("supervisor").post, url,
                               json={"action": "return", "version": 1}), 422, "note")
    refused(world.app, partial(world.client("supervisor").post, url,
                               json={"action": "confirm", "version": 7}), 409, "version")
    done = world.client("supervisor").post(url, json={"action": "confirm", "version": 1})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["state"] == "confirmed"
    assert [(e["action"], e["to_state"]) for e in done.get_json()["events"]] == [
        ("record", "pending"), ("confirm", "confirmed")]
    problem(world.client("supervisor").post(url, json={"action": "confirm", "version": 2}),
            409, "action")
    counts = world.client("supervisor").get(
        f"/api/v1/campaigns/{campaign['id']}").get_json()["activity_counts"]
    assert counts["confirmed"] == 1 and counts["pending"] == 0


# --------------------------------------------------------------------------- submissions
def test_a_submission_freezes_figures_activities_and_pdf_byte_for_byte(world, street):
    logged_in(world, "far_supervisor", "street", "far_inspector")
    campaign = make_campaign(world)
    drill = record(world, campaign)
    assert upload_activity_photo(world, drill["id"]).status_code == 201
    pending = record(world, campaign, who="officer", kind="training", title="待确认的培训",
                     scenario=None, problems=None, enterprise_ids=[])
    world.create_hazard(title="消防通道堵塞")
    url = f"/api/v1/campaigns/{campaign['id']}/submissions"

    # outside the community, or not a supervisor: nothing is written
    refused(world.app, partial(world.client("far_supervisor").post, url,
                               json={"community_id": world.community.id}), 404, "community_id")
    refused(world.app, partial(world.client("inspector").post, url,
                               json={"community_id": world.community.id}), 403, None)
    refused(world.app, partial(world.client("supervisor").post,
                               f"/api/v1/campaigns/{new_id()}/submissions",
                               json={"community_id": world.community.id}), 404, None)

    made = world.client("supervisor").post(url, json={"community_id": world.community.id})
    assert made.status_code == 201, made.get_json()
    submission = made.get_json()
    assert submission["late"] is False and submission["status"] == "on_time"
    assert [a["title"] for a in submission["activities"]] == [drill["title"]]  # confirmed only
    assert submission["figures"]["activities"]["by_kind"][1]["participants"] == 46
    assert submission["figures"]["hazards"]["total"] == 1
    pdf = world.client("supervisor").get(submission["urls"]["pdf"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == submission["pdf_sha256"]
    printed = pdf_text(pdf.data)
    for expected in ("宣传教育和应急演练活动", "应急演练", drill["title"], "气体检测仪未校准",
                     "主要活动照片", submission["content_sha256"], "按时报送"):
        assert expected in printed, expected
    assert pending["title"] not in printed

    # later activities and hazards change nothing of what was submitted
    record(world, campaign, title="又一场演练", participants=90)
    world.create_hazard(title="灭火器过期")
    again = world.client("supervisor").post(url, json={"community_id": world.community.id})
    problem(again, 409, "community_id")
    stored = world.client("street").get(f"{url}/{submission['id']}").get_json()
    assert stored == submission
    assert world.client("street").get(submission["urls"]["pdf"]).data == pdf.data
    # …while a live summary of the campaign shows them
    live = world.client("supervisor").get(
        f"/api/v1/reports/campaign-summary.pdf?campaign_id={campaign['id']}"
        f"&community_id={world.community.id}")
    assert live.status_code == 200 and "又一场演练" in pdf_text(live.data)

    from app.campaigns.models import Submission
    from app.campaigns.submissions import verify
    from app.extensions import db
    with world.app.app_context():
        assert verify(db.session.get(Submission, submission["id"]))
        db.session.rollback()
        with pytest.raises(Exception, match="frozen"):   # the table refuses it
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE campaign_submissions SET late = true"))

    board = world.client("street").get(f"/api/v1/campaigns/{campaign['id']}").get_json()
    assert [s["community_id"] for s in board["submissions"]] == [world.community.id]
    assert [m["community_id"] for m in board["missing"]] == [world.far_community.id]
    assert board["missing"][0]["late"] is False
    assert board["counts"] == {"communities": 2, "submitted": 1, "on_time": 1, "late": 0,
                               "missing": 1, "missing_late": 0}
    # a community's own people see its row only; an officer sees no board
    mine = world.client("far_inspector").get(f"/api/v1/campaigns/{campaign['id']}").get_json()
    assert mine["submissions"] == [] and len(mine["missing"]) == 1
    assert world.client("far_inspector").get(f"{url}/{submission['id']}").status_code == 404
    officer = world.client("officer").get(f"/api/v1/campaigns/{campaign['id']}").get_json()
    assert officer["submissions"] == officer["missing"] == []


def test_late_and_missing_communities_and_the_street_summary(world, street):
    campaign = make_campaign(world, starts=-40, ends=-10, due=-15, who="street")
    drill = record(world, campaign, held_on=(today() - timedelta(days=20)).isoformat())
    submitted = world.client("street").post(
        f"/api/v1/campaigns/{campaign['id']}/submissions",
        json={"community_id": world.community.id, "note": "补报"}).get_json()
    assert submitted["late"] is True and submitted["status_label"]["zh"] == "逾期报送"
    board = world.client("street").get(f"/api/v1/campaigns/{campaign['id']}").get_json()
    assert board["missing"] == [{"community_id": world.far_community.id,
                                 "community_name": "远方社区", "late": True,
                                 "status": "missing_late",
                                 "status_label": {"zh": "逾期未报送",
                                                  "en": "Missing, past the deadline",
                                                  "color": "#d32f2f"}}]
    # an activity recorded after the submission is not in the street's summary
    record(world, campaign, title="报送后补录的演练",
           held_on=(today() - timedelta(days=12)).isoformat())
    response = world.client("street").get(
        f"/api/v1/campaigns/{campaign['id']}/street-summary.pdf")
    assert response.status_code == 200
    printed = pdf_text(response.data)
    for expected in ("街道汇总", "乌龙社区", "远方社区", "逾期报送", "逾期未报送", drill["title"],
                     submitted["content_sha256"][:16]):
        assert expected in printed, expected
    assert "报送后补录的演练" not in printed


def test_nothing_to_submit_before_the_campaign_begins(world):
    campaign = make_campaign(world, starts=3, ends=30, due=25)
    refused(world.app, partial(world.client("supervisor").post,
                               f"/api/v1/campaigns/{campaign['id']}/submissions",
                               json={"community_id": world.community.id}), 409, "campaign_id")


def test_the_choices_name_activity_kinds(client):
    body = client.get("/api/v1/choices").get_json()
    assert [k["value"] for k in body["activity_kinds"]] == [
        "training", "drill", "publicity", "consultation", "warning_education", "commitment",
        "other"]
    assert {"value": "consultation", "zh": "安全宣传咨询日", "en": "Consultation day",
            "color": "#00838f"} in body["activity_kinds"]
