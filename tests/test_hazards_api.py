"""Hazard lists and filters, scope (404 for what is not yours), version conflicts, choices."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.hazards.models import Hazard, HazardEvent
from tests.test_hazards_support import FULL_PLAN, new_id
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter


def ids(world, who, query=""):
    response = world.client(who).get(f"/api/v1/hazards{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return [item["id"] for item in body["items"]]


# --------------------------------------------------------------------------- scope
def test_other_enterprises_officer_gets_404_everywhere(world):
    hazard = world.ready_hazard("major")
    hid = hazard["id"]
    photo_id = world.hazard(hid, "officer")["pending_photos"][0]["id"]  # not submitted yet
    client = world.client("other_officer")
    answers = [
        client.get(f"/api/v1/hazards/{hid}"),
        client.get(f"/api/v1/hazards/{hid}/events"),
        client.patch(f"/api/v1/hazards/{hid}", json={"version": hazard["version"],
                                                     "responsible": "x"}),
        client.post(f"/api/v1/hazards/{hid}/transitions", json={
            "action": "acknowledge", "version": hazard["version"]}),
        client.get(f"/api/v1/photos/{photo_id}"),
        client.get(f"/api/v1/photos/{photo_id}/full"),
        client.get(f"/api/v1/photos/{photo_id}/original"),
    ]
    assert [r.status_code for r in answers] == [404] * len(answers)
    unknown = client.get(f"/api/v1/hazards/{new_id()}")
    assert answers[0].get_json() == unknown.get_json()
    assert ids(world, "other_officer") == []
    assert world.hazard(hid) == hazard  # nothing changed
    for who in ("far_inspector", "far_supervisor"):
        assert world.client(who).get(f"/api/v1/hazards/{hid}").status_code == 404
        assert world.client(who).get(f"/api/v1/hazards/{hid}/events").status_code == 404


def test_hazards_are_created_only_for_enterprises_in_scope(world):
    outside = world.client("far_inspector").post("/api/v1/hazards", json=world.hazard_body())
    unknown = world.client("far_inspector").post("/api/v1/hazards", json=world.hazard_body(
        enterprise_id=new_id()))
    assert outside.status_code == unknown.status_code == 422
    assert outside.get_json() == unknown.get_json()
    assert world.client("admin").post("/api/v1/hazards",
                                      json=world.hazard_body()).status_code == 403
    # An officer reports its own enterprise's hazards (企业自查自报), never another's.
    assert world.client("officer").post("/api/v1/hazards", json=world.hazard_body(
        enterprise_id=world.neighbour.id)).get_json() == unknown.get_json()
    assert world.count(Hazard) == 0
    own = world.client("officer").post("/api/v1/hazards", json=world.hazard_body())
    assert own.status_code == 201 and own.get_json()["source"] == "self"


def test_an_inspectors_hazard_is_found_on_inspection(world):
    created = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body())
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["source"] == "inspection"
    listed = world.client("supervisor").get("/api/v1/hazards").get_json()["items"]
    assert [h["source"] for h in listed] == ["inspection"]


def test_not_logged_in_is_401(client, world):
    assert client.get("/api/v1/hazards").status_code == 401
    assert client.post("/api/v1/hazards", json=world.hazard_body()).status_code == 401


# --------------------------------------------------------------------------- versions
def test_stale_version_is_409_and_changes_nothing(world):
    hazard = world.ready_hazard()
    hid = hazard["id"]
    world.ok(hid, "acknowledge", "officer")  # version moves on
    events = world.count(HazardEvent, hazard_id=hid)
    current = world.hazard(hid)
    stale_step = world.act(hid, "submit", "officer", version=hazard["version"])
    assert stale_step.status_code == 409 and "version" in stale_step.get_json()["errors"]
    stale_edit = world.patch(hid, "officer", version=hazard["version"], responsible="赵六")
    assert stale_edit.status_code == 409 and "version" in stale_edit.get_json()["errors"]
    assert world.hazard(hid) == current
    assert world.count(HazardEvent, hazard_id=hid) == events
    # With the current version both go through, each bumping it.
    edited = world.patch(hid, "officer", version=current["version"], responsible="赵六")
    assert edited.get_json()["version"] == current["version"] + 1
    stepped = world.act(hid, "submit", "officer", version=current["version"] + 1)
    assert stepped.status_code == 200 and stepped.get_json()["version"] == current["version"] + 2


# --------------------------------------------------------------------------- lists
def test_list_filters(world):
    day = timedelta(days=1)
    t0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
    a = world.create_hazard("general", found_at=t0.isoformat(), category="fire",
                            title="消防通道堵塞", deadline=(t0 + 400 * day).isoformat())
    b = world.create_hazard("major", found_at=(t0 + 2 * day).isoformat(), category="gas",
                            place="锅炉房", deadline=(t0 + 400 * day).isoformat())
    c = world.create_hazard("general", found_at=(t0 + 5 * day).isoformat(),
                            enterprise_id=world.neighbour.id, description="氨气管道100%泄漏风险")
    far = world.create_hazard(who="far_inspector", enterprise_id=world.far_enterprise.id,
                              found_at=(t0 + 6 * day).isoformat())
    world.ok(b["id"], "acknowledge", "officer")

    assert ids(world, "supervisor") == [c["id"], b["id"], a["id"]]  # newest finding first
    assert ids(world, "admin")[0] == far["id"]
    assert ids(world, "supervisor", "?level=major") == [b["id"]]
    assert ids(world, "supervisor", "?state=rectifying") == [b["id"]]
    assert ids(world, "supervisor", "?category=fire") == [a["id"]]
    assert ids(world, "supervisor", f"?enterprise_id={world.neighbour.id}") == [c["id"]]
    assert ids(world, "admin", f"?community_id={world.far_community.id}") == [far["id"]]
    assert ids(world, "supervisor", f"?community_id={world.far_community.id}") == []
    assert ids(world, "supervisor", "?q=消防") == [a["id"]]
    assert ids(world, "supervisor", "?q=锅炉") == [b["id"]]  # place
    assert ids(world, "supervisor", "?q=乌龙化工") == [c["id"]]  # enterprise name
    assert ids(world, "supervisor", "?q=100%25") == [c["id"]]  # % is a character, not a wildcard
    assert ids(world, "supervisor", "?q=_") == []
    assert ids(world, "supervisor", "?found_from=2026-03-02&found_to=2026-03-05") == [b["id"]]
    assert ids(world, "supervisor", "?found_to=2026-03-01") == [a["id"]]  # the whole day
    assert ids(world, "officer") == [b["id"], a["id"]]
    assert ids(world, "supervisor", "?escalated=false&overdue=true") == [c["id"]]

    page = world.client("supervisor").get("/api/v1/hazards?per_page=2&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"]) == (3, 2, 2)
    assert [h["id"] for h in page["items"]] == [a["id"]]
    item = page["items"][0]
    assert item["enterprise_name"] == world.enterprise.name and item["state"] == "reported"
    assert {"deadline", "overdue", "rejection_count", "escalated", "version"} <= set(item)

    for query in ("?state=lost", "?level=x", "?overdue=maybe", "?per_page=1000", "?page=0",
                  "?found_from=2026-03-05&found_to=2026-03-01", "?found_from=yesterday",
                  "?enterprise_id=42"):
        response = world.client("supervisor").get(f"/api/v1/hazards{query}")
        assert response.status_code == 422, query
        assert response.get_json()["errors"], query


def test_choices_carry_labels_colours_and_the_table(world, app):
    body = world.client("officer").get("/api/v1/hazards/choices").get_json()
    assert body["levels"]["major"]["zh"] == "重大隐患"
    assert body["levels"]["general"]["zh"] == "一般隐患" and body["levels"]["general"]["color"]
    assert set(body["categories"]) == set(app.config["HAZARD_CATEGORIES"])
    assert body["categories"]["confined_space"] == {"zh": "有限空间", "en": "Confined spaces"}
    # JSON objects lose their key order (Flask sorts keys): the list keeps the configured one.
    assert [c["value"] for c in body["category_list"]] == list(app.config["HAZARD_CATEGORIES"])
    assert {"value": "confined_space", "zh": "有限空间", "en": "Confined spaces"} \
        in body["category_list"]
    assert body["states"]["submitted"]["zh"] == "待复查"
    assert body["inspection_kinds"]["unannounced"]["zh"] == "四不两直"
    assert set(body["governance_plan_fields"]) == set(FULL_PLAN)
    close = [t for t in body["transitions"] if t["action"] == "close"][0]
    assert close["roles"] == ["inspector", "supervisor"] and close["major_roles"] == ["supervisor"]
    assert body["deadline_days"] == {"general": app.config["DEADLINE_DAYS_GENERAL"],
                                     "major": app.config["DEADLINE_DAYS_MAJOR"]}


def test_configured_deadlines_and_categories(world, app):
    saved = {k: app.config[k] for k in ("DEADLINE_DAYS_GENERAL", "HAZARD_CATEGORIES")}
    try:
        app.config["DEADLINE_DAYS_GENERAL"] = 3
        app.config["HAZARD_CATEGORIES"] = [*saved["HAZARD_CATEGORIES"], "ladders"]
        hazard = world.create_hazard(found_at="2026-03-01T20:00:00+08:00", category="ladders")
    finally:
        app.config.update(saved)
    assert hazard["deadline"] == "2026-03-04T15:59:59+00:00"  # 4 March 23:59:59 in Shanghai
    assert hazard["category"] == "ladders"


def test_category_list_follows_the_configured_order(world, app):
    saved = app.config["HAZARD_CATEGORIES"]
    try:
        app.config["HAZARD_CATEGORIES"] = ["management", "gas", "ladders", "fire"]
        body = world.client("inspector").get("/api/v1/hazards/choices").get_json()
    finally:
        app.config["HAZARD_CATEGORIES"] = saved
    assert body["category_list"] == [
        {"value": "management", "zh": "安全管理", "en": "Safety management"},
        {"value": "gas", "zh": "燃气安全", "en": "Gas"},
        {"value": "ladders", "zh": "ladders", "en": "ladders"},
        {"value": "fire", "zh": "消防安全", "en": "Fire safety"}]


def test_openapi_documents_every_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path, method in [("/api/v1/hazards", "get"), ("/api/v1/hazards", "post"),
                         ("/api/v1/hazards/{hazard_id}", "patch"),
                         ("/api/v1/hazards/{hazard_id}/transitions", "post"),
                         ("/api/v1/hazards/{hazard_id}/events", "get"),
                         ("/api/v1/inspections", "post"),
                         ("/api/v1/inspections/{inspection_id}", "patch"),
                         ("/api/v1/photos", "post"),
                         ("/api/v1/photos/{photo_id}/{variant}", "get")]:
        assert method in paths[path], (path, method)
    upload = paths["/api/v1/photos"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    assert "put" not in paths["/api/v1/hazards/{hazard_id}/events"]
    assert "delete" not in paths["/api/v1/hazards/{hazard_id}/events"]
