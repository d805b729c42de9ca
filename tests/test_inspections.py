"""Inspections (检查) with a GPS check-in: distance to the enterprise, on_site, finishing, lists,
the hazards of an inspection and the 回头看 re-check list."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from geopy.distance import geodesic

from app.inspections.models import Inspection
from tests.test_hazards_support import new_id
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

KINDS = ("routine", "special", "unannounced", "follow_up", "holiday")


def start(world, who="inspector", **overrides):
    body = {"enterprise_id": world.enterprise.id, "kind": "unannounced",
            "started_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(),
            "location": {"lat": 29.533, "lng": 106.5, "accuracy": 6.5}}
    body.update(overrides)
    return world.client(who).post("/api/v1/inspections", json=body)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_checks_in_on_site(world, kind):
    # 0.001° of latitude north of the gate: about 111 m, inside the default 200 m radius.
    response = start(world, kind=kind, location={"lat": 29.534, "lng": 106.5, "accuracy": 9})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kind"] == kind and body["on_site"] is True
    assert 105 < body["distance_m"] < 115
    assert body["location"] == {"lat": 29.534, "lng": 106.5, "accuracy": 9.0}
    assert body["inspector_id"] == world.users["inspector"].id
    assert body["enterprise_name"] == world.enterprise.name and body["ended_at"] is None


def test_distance_is_geodesic_and_radius_is_configurable(world, app):
    here = (29.5412, 106.5123)  # about 1.5 km away
    body = start(world, location={"lat": here[0], "lng": here[1], "accuracy": 20}).get_json()
    expected = geodesic(here, (29.533, 106.5)).meters
    assert body["distance_m"] == pytest.approx(expected, abs=0.1)
    assert body["on_site"] is False
    radius = app.config["CHECKIN_RADIUS_M"]
    try:
        app.config["CHECKIN_RADIUS_M"] = 2000
        assert start(world, location={"lat": here[0], "lng": here[1]}).get_json()["on_site"]
    finally:
        app.config["CHECKIN_RADIUS_M"] = radius


def test_unknown_position_gives_unknown_distance(world, factory):
    no_gps = start(world, location=None).get_json()
    assert no_gps["distance_m"] is None and no_gps["on_site"] is None and no_gps["location"] is None
    unplaced = factory.enterprise(world.community, lat=None, lng=None)
    body = start(world, enterprise_id=unplaced.id).get_json()
    assert body["distance_m"] is None and body["on_site"] is None
    assert body["location"]["lat"] == 29.533  # the inspector's position is still recorded


def test_who_may_inspect_and_where(world):
    assert start(world, who="supervisor").status_code == 201
    for who in ("officer", "admin"):
        assert start(world, who=who).status_code == 403
    outside = start(world, who="far_inspector")
    unknown = start(world, who="far_inspector", enterprise_id=new_id())
    assert outside.status_code == unknown.status_code == 422
    assert outside.get_json() == unknown.get_json()
    assert "enterprise_id" in outside.get_json()["errors"]


def test_bad_input_is_named(world):
    response = start(world, kind="picnic", location={"lat": 29.5, "lng": 200})
    errors = response.get_json()["errors"]
    assert response.status_code == 422 and "kind" in errors and "location.lng" in errors
    response = start(world, started_at="2024-05-01 10:00")
    assert response.status_code == 422 and "started_at" in response.get_json()["errors"]
    future = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
    response = start(world, started_at=future)
    assert response.status_code == 422 and "started_at" in response.get_json()["errors"]
    assert world.count(Inspection) == 0


def test_finishing_records_end_and_summary_once(world):
    inspection = start(world).get_json()
    url = f"/api/v1/inspections/{inspection['id']}"
    ended = datetime.now(timezone.utc).isoformat()
    stale = world.client("inspector").patch(url, json={"version": 7, "ended_at": ended,
                                                       "summary": "x"})
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    early = world.client("inspector").patch(url, json={
        "version": inspection["version"], "ended_at": "2000-01-01T00:00:00+08:00"})
    assert early.status_code == 422 and "ended_at" in early.get_json()["errors"]
    assert world.client("officer").patch(url, json={"version": inspection["version"],
                                                    "ended_at": ended}).status_code == 403
    other = world.factory.user("inspector", communities=[world.community])
    other_client = world._client_for(other)
    assert other_client.patch(url, json={"version": inspection["version"],
                                         "ended_at": ended}).status_code == 403

    done = world.client("inspector").patch(url, json={
        "version": inspection["version"], "ended_at": ended, "summary": "消防通道堵塞，已登记隐患"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["summary"] == "消防通道堵塞，已登记隐患" and body["ended_at"]
    assert body["version"] == inspection["version"] + 1
    again = world.client("supervisor").patch(url, json={"version": body["version"],
                                                        "ended_at": ended})
    assert again.status_code == 409


def test_detail_lists_the_hazards_of_the_inspection(world):
    inspection = start(world).get_json()
    mine = world.create_hazard(inspection_id=inspection["id"])
    world.create_hazard()  # not in this inspection
    detail = world.client("officer").get(f"/api/v1/inspections/{inspection['id']}").get_json()
    assert [h["id"] for h in detail["hazards"]] == [mine["id"]]
    assert detail["recheck_hazards"] == []  # not a 回头看
    assert mine["inspection_id"] == inspection["id"]
    listed = world.client("supervisor").get(
        f"/api/v1/hazards?inspection_id={inspection['id']}").get_json()
    assert [h["id"] for h in listed["items"]] == [mine["id"]]


def test_hazard_inspection_must_match_the_enterprise(world):
    inspection = start(world).get_json()
    response = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        enterprise_id=world.neighbour.id, inspection_id=inspection["id"]))
    assert response.status_code == 422 and "inspection_id" in response.get_json()["errors"]
    response = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        inspection_id=new_id()))
    assert response.status_code == 422 and "inspection_id" in response.get_json()["errors"]


def test_follow_up_lists_earlier_open_hazards_to_recheck(world):
    t0 = datetime.now(timezone.utc) - timedelta(days=40)
    oldest = world.create_hazard(found_at=(t0).isoformat(), title="旧隐患")
    closed = world.hazard_in("closed", found_at=(t0 + timedelta(days=1)).isoformat())
    archived = world.hazard_in("archived", found_at=(t0 + timedelta(days=2)).isoformat())
    newest = world.create_hazard(found_at=(t0 + timedelta(days=3)).isoformat())
    world.create_hazard(enterprise_id=world.neighbour.id, found_at=t0.isoformat())
    follow_up = start(world, kind="follow_up",
                      started_at=(t0 + timedelta(days=10)).isoformat()).get_json()
    world.create_hazard(found_at=(t0 + timedelta(days=11)).isoformat())  # found afterwards
    detail = world.client("inspector").get(f"/api/v1/inspections/{follow_up['id']}").get_json()
    assert [h["id"] for h in detail["recheck_hazards"]] == [newest["id"], closed["id"],
                                                           oldest["id"]]
    assert archived["id"] not in {h["id"] for h in detail["recheck_hazards"]}
    assert detail["recheck_hazards"][2]["title"] == "旧隐患"
    assert {"state", "level", "deadline", "overdue"} <= set(detail["recheck_hazards"][0])


def test_list_filters_and_scope(world):
    mine = start(world, kind="routine").get_json()
    start(world, kind="holiday", enterprise_id=world.neighbour.id)
    sup = start(world, who="supervisor", kind="routine").get_json()
    far = start(world, who="far_inspector", enterprise_id=world.far_enterprise.id).get_json()

    def ids(who, query=""):
        body = world.client(who).get(f"/api/v1/inspections{query}").get_json()
        assert body["total"] == len(body["items"])
        return {item["id"] for item in body["items"]}

    assert len(ids("supervisor")) == 3 and far["id"] not in ids("supervisor")
    assert ids("supervisor", "?kind=routine") == {mine["id"], sup["id"]}
    assert ids("supervisor", f"?inspector_id={world.users['supervisor'].id}") == {sup["id"]}
    assert ids("supervisor", f"?enterprise_id={world.neighbour.id}") != set()
    assert ids("officer") == {mine["id"], sup["id"]}  # its own enterprise only
    assert ids("far_inspector") == {far["id"]}
    assert len(ids("admin")) == 4
    page = world.client("admin").get("/api/v1/inspections?per_page=2&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 2, 2, 2)
    for who in ("other_officer", "far_inspector"):
        assert world.client(who).get(f"/api/v1/inspections/{mine['id']}").status_code == 404
    assert world.client("officer").get("/api/v1/inspections?kind=x").status_code == 422
