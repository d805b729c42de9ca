"""挂牌督办 and 摘牌 (issue 17): who lists what with which unit, deadline and responsible person;
the mark on every list, card, map, ledger and notice; the register; delisting after closing."""
from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from pypdf import PdfReader

from app.hazards.models import HazardEvent
from app.hazards.oversight_models import HazardListing
from tests.test_escalation import inbox
from tests.test_hazards_support import new_id, now, world  # noqa: F401

SHANGHAI = timedelta(hours=8)
LISTING = {"unit": "乌龙街道安全生产委员会办公室", "responsible": "李四（企业主要负责人）"}


def listing_body(**more):
    return {**LISTING, "deadline": ((now() + SHANGHAI + timedelta(days=90)).date().isoformat()),
            **more}


def list_it(world, hazard_id, who="supervisor", **body):
    return world.client(who).post(f"/api/v1/hazards/{hazard_id}/listing",
                                  json=listing_body(**body))


def delist(world, hazard_id, who="supervisor", **body):
    return world.client(who).post(f"/api/v1/hazards/{hazard_id}/listing/delist", json=body)


def xlsx_rows(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_a_supervisor_lists_a_major_hazard_with_unit_deadline_and_responsible(world, app):
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    assert hazard["listed"] is False and hazard["listing"] is None
    assert "list" in hazard["oversight_actions"]
    world.client("officer")  # the officer exists before the listing, to hear of it
    listed = list_it(world, hid, note="重大火灾隐患，街道挂牌督办")
    assert listed.status_code == 201, listed.get_json()
    body = listed.get_json()
    assert body["listed"] is True and "list" not in body["oversight_actions"]
    listing = body["listing"]
    assert (listing["state"], listing["unit"], listing["responsible"]) == (
        "listed", LISTING["unit"], LISTING["responsible"])
    assert listing["listed_by"]["id"] == world.users["supervisor"].id
    line = world.client("officer").get(f"/api/v1/hazards/{hid}/events").get_json()["items"][-1]
    assert (line["action"], line["note"]) == ("list", "重大火灾隐患，街道挂牌督办")
    assert line["data"]["unit"] == LISTING["unit"]
    [told] = inbox(app, world.users["officer"].id, "hazard_listed")
    assert told[3] == hid
    # Delisting is offered to the supervisor, but not before the hazard is closed.
    assert "delist" in world.hazard(hid)["oversight_blocked"]


@pytest.mark.parametrize("case", ["general", "twice", "closed", "inspector", "far", "past"])
def test_what_cannot_be_listed_changes_nothing(world, case):
    if case == "general":
        hid = world.create_hazard()["id"]
    elif case == "closed":
        hid = world.hazard_in("closed", "major")["id"]
    else:
        hid = world.create_hazard("major", who="supervisor")["id"]
    if case == "twice":
        assert list_it(world, hid).status_code == 201
    before = (world.count(HazardListing), world.count(HazardEvent))
    who = {"inspector": "inspector", "far": "far_supervisor"}.get(case, "supervisor")
    extra = {"deadline": (now() - timedelta(days=1)).isoformat()} if case == "past" else {}
    response = list_it(world, hid, who=who, **extra)
    expected = {"general": (409, "level"), "twice": (409, "listing"), "closed": (409, "state"),
                "inspector": (403, None), "far": (404, None), "past": (422, "deadline")}[case]
    assert response.status_code == expected[0], response.get_json()
    if expected[1]:
        assert expected[1] in response.get_json()["errors"]
    assert (world.count(HazardListing), world.count(HazardEvent)) == before


def test_a_listing_is_idempotent_by_its_id(world):
    hid = world.create_hazard("major", who="supervisor")["id"]
    body = {"id": new_id()}
    assert list_it(world, hid, **body).status_code == 201
    assert list_it(world, hid, **body).status_code == 200
    assert list_it(world, hid, **dict(body, unit="区应急管理局")).status_code == 409
    assert world.count(HazardListing) == 1


def test_delisting_needs_the_hazard_closed_and_an_assessment(world, app):
    hazard = world.ready_hazard("major", who="supervisor")
    hid = hazard["id"]
    assert list_it(world, hid).status_code == 201
    early = delist(world, hid, assessment="整改到位")
    assert early.status_code == 409 and "state" in early.get_json()["errors"]
    assert "销号" in early.get_json()["detail"]
    for action, who in (("acknowledge", "officer"), ("submit", "officer"),
                        ("verify", "supervisor"), ("close", "supervisor")):
        world.ok(hid, action, who)
    assert "delist" in world.hazard(hid)["oversight_actions"]
    before = world.count(HazardEvent)
    empty = delist(world, hid, assessment="  ")
    assert empty.status_code == 422 and "assessment" in empty.get_json()["errors"]
    assert delist(world, hid, who="inspector", assessment="整改到位").status_code == 403
    assert world.count(HazardEvent) == before
    done = delist(world, hid, assessment="经现场评估，隐患已消除，同意摘牌")
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["listed"] is False and body["listing"]["state"] == "delisted"
    assert body["listing"]["assessment"] == "经现场评估，隐患已消除，同意摘牌"
    assert body["oversight_actions"] == [] and body["oversight_blocked"] == {}
    line = world.client("supervisor").get(f"/api/v1/hazards/{hid}/events").get_json()["items"][-1]
    assert (line["action"], line["note"]) == ("delist", "经现场评估，隐患已消除，同意摘牌")
    assert delist(world, hid, assessment="再摘一次").status_code == 409
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_listed_hazard_is_marked_on_lists_card_map_and_dashboard(world, app):
    listed = world.create_hazard("major", who="supervisor", title="液氨制冷车间未设置泄漏报警")
    other = world.create_hazard("major", who="supervisor", title="粉尘除尘系统未接地")
    assert list_it(world, listed["id"]).status_code == 201
    client = world.client("supervisor")

    def ids(url):
        return {h["id"]: h["listed"] for h in client.get(url).get_json()["items"]}

    assert ids("/api/v1/hazards") == {listed["id"]: True, other["id"]: False}
    assert ids("/api/v1/hazards?listed=true") == {listed["id"]: True}
    assert ids("/api/v1/hazards?listed=false") == {other["id"]: False}
    major = {h["id"]: h for h in client.get("/api/v1/hazards/major").get_json()["items"]}
    assert major[listed["id"]]["listing"]["unit"] == LISTING["unit"]
    assert major[other["id"]]["listing"] is None and major[other["id"]]["listed"] is False
    with app.app_context():
        from app.extensions import db
        from app.registry.models import Enterprise
        token = db.session.get(Enterprise, world.enterprise.id).qr_token
    card = client.get(f"/api/v1/scan/{token}").get_json()
    assert {h["id"]: h["listed"] for h in card["open_hazards"]} == {listed["id"]: True,
                                                                    other["id"]: False}
    points = client.get("/api/v1/map").get_json()
    assert {h["id"]: h["listed"] for h in points["hazards"]} == {listed["id"]: True,
                                                                 other["id"]: False}
    [mine] = [e for e in points["enterprises"] if e["id"] == world.enterprise.id]
    assert mine["listed"] == 1
    figures = client.get("/api/v1/dashboard").get_json()["listings"]
    assert figures == {"listed_now": 1, "listed": 1, "delisted": 0}


def test_the_ledger_the_register_and_the_notice_carry_the_listing(world):
    inspection = world.client("supervisor").post("/api/v1/inspections", json={
        "enterprise_id": world.enterprise.id, "kind": "special",
        "started_at": (now() - timedelta(hours=2)).isoformat(),
        "location": {"lat": 29.533, "lng": 106.5, "accuracy": 10}}).get_json()
    hazard = world.create_hazard("major", who="supervisor", inspection_id=inspection["id"])
    hid = hazard["id"]
    unlisted = world.create_hazard("major", who="supervisor", title="有限空间作业未审批")
    assert list_it(world, hid).status_code == 201
    client = world.client("supervisor")

    [row] = xlsx_rows(client.get(f"/api/v1/reports/hazard-ledger.xlsx?inspection_id="
                                 f"{inspection['id']}"))
    assert (row["挂牌督办"], row["督办单位"], row["督办责任人"]) == (
        "挂牌督办中", LISTING["unit"], LISTING["responsible"])
    assert row["摘牌日期"] is None and row["隐患编号"] == hid
    csv_text = client.get("/api/v1/reports/hazard-ledger.csv?listed=true").data.decode("utf-8-sig")
    assert "挂牌督办中" in csv_text and LISTING["unit"] in csv_text
    assert unlisted["title"] not in csv_text and hid in csv_text

    register = client.get("/api/v1/listings").get_json()
    [entry] = register["items"]
    assert (entry["hazard_id"], entry["state"], entry["unit"]) == (hid, "listed", LISTING["unit"])
    assert entry["enterprise_name"] == "乌龙精密机械有限公司" and register["total"] == 1
    assert client.get("/api/v1/listings?state=delisted").get_json()["total"] == 0
    assert world.client("far_supervisor").get("/api/v1/listings").get_json()["total"] == 0
    [line] = xlsx_rows(client.get("/api/v1/listings.xlsx"))
    assert (line["督办单位"], line["督办状态"], line["隐患状态"]) == (
        LISTING["unit"], "挂牌督办中", "已登记")
    assert line["隐患类别"] == "用电安全" and line["隐患编号"] == hid

    pdf = client.get(f"/api/v1/inspections/{inspection['id']}/rectification-notice.pdf")
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    flat = "".join(text.split())
    assert "挂牌督办" in flat and "".join(LISTING["unit"].split()) in flat
