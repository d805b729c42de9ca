"""Inspections with a checklist (检查表): answers item by item (idempotent PUT), failures that
become hazards (major_if_failed → major → R1), the score, finishing only when every item is
answered, the bad inputs of issue 13; the enterprise's own self-inspection (企业自查) and
自查不实; what the 整改通知书, the dashboard and the ledger show of it."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest

from app.inspections.models import InspectionAnswer
from tests.test_hazards_support import iso, new_id, now
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

ITEMS = [
    {"code": "F1", "text": "安全出口、疏散通道畅通", "category": "fire",
     "basis": "《消防法》第二十八条", "requires_photo": True},
    {"code": "D3", "text": "干式除尘系统采取泄爆、惰化、抑爆等爆炸防控措施", "category": "dust",
     "basis": "应急管理部令第10号 第十一条第（三）项", "requires_photo": True,
     "major_if_failed": True},
    {"code": "E1", "text": "制定应急预案并定期演练", "category": "emergency",
     "basis": "《安全生产法》第八十一条"},
]


@pytest.fixture
def checklist(world):
    response = world.client("supervisor").post("/api/v1/checklists", json={
        "name": "测试检查表", "industries": ["manufacturing"], "items": ITEMS})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def start(world, checklist, who="inspector", **overrides):
    body = {"id": new_id(), "enterprise_id": world.enterprise.id, "kind": "routine",
            "started_at": iso(now() - timedelta(minutes=30)),
            "location": {"lat": 29.533, "lng": 106.5, "accuracy": 10},
            "checklist_id": checklist["id"], "checklist_version": checklist["version"]}
    body.update(overrides)
    return world.client(who).post("/api/v1/inspections", json=body)


def started(world, checklist, who="inspector", **overrides) -> dict:
    response = start(world, checklist, who, **overrides)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def answer(world, inspection_id, code, who="inspector", **body):
    return world.client(who).put(f"/api/v1/inspections/{inspection_id}/answers/{code}",
                                 json=body)


def finish(world, inspection, who="inspector"):
    version = world.client(who).get(f"/api/v1/inspections/{inspection['id']}").get_json()[
        "version"]
    return world.client(who).patch(f"/api/v1/inspections/{inspection['id']}", json={
        "version": version, "ended_at": iso(now()), "summary": "检查完毕"})


def fail_into_hazard(world, inspection, code="D3", who="inspector", level="general"):
    """What the phone does for a failed item: the hazard (at the item), its photo, the answer."""
    hazard = world.create_hazard(level, who=who, inspection_id=inspection["id"],
                                 checklist_item=code, title="除尘系统无泄爆装置",
                                 category="dust", **({"source": "self"} if who == "officer"
                                                     else {}))
    photo = world.upload(hazard["id"], "finding", who=who)
    assert photo.status_code == 201, photo.get_json()
    response = answer(world, inspection["id"], code, who, result="fail",
                      note="布袋除尘器未设泄爆口", hazard_id=hazard["id"],
                      photo_ids=[photo.get_json()["id"]])
    assert response.status_code == 201, response.get_json()
    return hazard, response.get_json()


# --------------------------------------------------------------------------- answering
def test_answers_are_idempotent_and_scored(world, checklist):
    inspection = started(world, checklist)
    assert inspection["checklist_id"] == checklist["id"] and inspection["checklist_version"] == 1
    assert inspection["checklist"]["unanswered"] == ["F1", "D3", "E1"]
    assert inspection["score"] is None

    first = answer(world, inspection["id"], "F1", result="pass", checklist_version=1)
    assert first.status_code == 201, first.get_json()
    stored = first.get_json()["checklist"]["items"][0]["answer"]
    again = answer(world, inspection["id"], "F1", result="pass", checklist_version=1)
    assert again.status_code == 200
    assert again.get_json()["checklist"]["items"][0]["answer"] == stored  # not written again
    assert world.count(InspectionAnswer) == 1

    na = answer(world, inspection["id"], "E1", result="na", note="新设企业，预案在编制中")
    assert na.get_json()["score"] == 1.0  # pass ÷ (answered − na) = 1 ÷ 1
    hazard, after = fail_into_hazard(world, inspection)
    assert after["score"] == 0.5 and after["checklist"]["failed"] == 1
    d3 = after["checklist"]["items"][1]
    assert d3["answer"]["hazard_id"] == hazard["id"] and len(d3["answer"]["photo_ids"]) == 1
    # A changed answer replaces the earlier one while the inspection is open.
    changed = answer(world, inspection["id"], "E1", result="pass")
    assert changed.status_code == 200 and changed.get_json()["score"] == round(2 / 3, 4)
    assert world.count(InspectionAnswer) == 3


def test_a_major_if_failed_item_makes_the_hazard_major_and_r1_fires(world, checklist):
    inspection = started(world, checklist)
    hazard, _ = fail_into_hazard(world, inspection, level="general")
    detail = world.hazard(hazard["id"])
    assert detail["level"] == "major" and detail["escalated"] is True  # R1
    assert detail["checklist_item"] == "D3"
    assert detail["checklist"]["text"].startswith("干式除尘系统")
    assert detail["checklist"]["basis"].startswith("应急管理部令第10号")
    interviews = world.client("supervisor").get("/api/v1/interviews").get_json()["items"]
    assert interviews and interviews[0]["enterprise_id"] == world.enterprise.id
    # A hazard at an ordinary item keeps the level it was given.
    plain = world.create_hazard("general", inspection_id=inspection["id"], checklist_item="F1")
    assert plain["level"] == "general"


def test_finishing_needs_every_item_answered(world, checklist):
    inspection = started(world, checklist)
    answer(world, inspection["id"], "F1", result="pass")
    refused = finish(world, inspection)
    assert refused.status_code == 409
    errors = refused.get_json()["errors"]
    assert "answers" in errors and {"answers.D3", "answers.E1"} <= set(errors)
    assert "D3" in refused.get_json()["detail"] and "E1" in refused.get_json()["detail"]
    answer(world, inspection["id"], "D3", result="pass")
    answer(world, inspection["id"], "E1", result="pass")
    done = finish(world, inspection)
    assert done.status_code == 200 and done.get_json()["score"] == 1.0


def test_the_inspection_keeps_its_checklist_version(world, checklist):
    inspection = started(world, checklist)
    changed = world.client("supervisor").patch(f"/api/v1/checklists/{checklist['id']}", json={
        "version": 1, "items": [*ITEMS, {"code": "N1", "text": "新增检查项", "category": "gas"}]})
    assert changed.get_json()["version"] == 2
    detail = world.client("inspector").get(f"/api/v1/inspections/{inspection['id']}").get_json()
    assert detail["checklist_version"] == 1
    assert [i["code"] for i in detail["checklist"]["items"]] == ["F1", "D3", "E1"]
    # The phone started offline from version 1: that is the one kept.
    later = started(world, checklist)
    assert later["checklist_version"] == 1
    current = started(world, checklist, checklist_version=None)
    assert current["checklist_version"] == 2 and current["checklist"]["total"] == 4


@pytest.mark.parametrize("code, body, status, field", [
    ("Z9", {"result": "pass"}, 404, "code"),                                 # unknown item
    ("E1", {"result": "fail"}, 422, "note"),                                 # fail, no note
    ("E1", {"result": "na", "note": "  "}, 422, "note"),                     # na, no note
    ("F1", {"result": "fail", "note": "通道堆放货物"}, 422, "photo_ids"),     # no required photo
    ("E1", {"result": "pass", "checklist_version": 2}, 409, "checklist_version"),
    ("E1", {"result": "maybe"}, 422, "result"),
    ("E1", {"result": "pass", "hazard_id": "00000000-0000-4000-8000-000000000000"}, 422,
     "hazard_id"),
    ("E1", {"result": "fail", "note": "无预案", "photo_ids": [
        "00000000-0000-4000-8000-000000000000"]}, 422, "photo_ids"),
])
def test_bad_answers_name_the_field_and_change_nothing(world, checklist, code, body, status,
                                                       field):
    inspection = started(world, checklist)
    response = answer(world, inspection["id"], code, **body)
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert field in response.get_json()["errors"]
    assert world.count(InspectionAnswer) == 0


def test_an_answer_to_a_finished_inspection_is_refused(world, checklist):
    inspection = started(world, checklist)
    for code in ("F1", "D3", "E1"):
        answer(world, inspection["id"], code, result="pass")
    assert finish(world, inspection).status_code == 200
    late = answer(world, inspection["id"], "E1", result="na", note="改为不适用")
    assert late.status_code == 409 and "ended_at" in late.get_json()["errors"]
    # The same answer sent again (the outbox retrying) is still answered as stored.
    assert answer(world, inspection["id"], "E1", result="pass").status_code == 200
    assert world.count(InspectionAnswer, result="pass") == 3


def test_who_may_answer(world, checklist, factory):
    inspection = started(world, checklist)
    colleague = factory.user("inspector", communities=[world.community])
    from tests.conftest import ApiClient  # noqa: F401 - the client type of client_for
    other = world._client_for(colleague)
    assert other.put(f"/api/v1/inspections/{inspection['id']}/answers/E1",
                     json={"result": "pass"}).status_code == 403
    assert answer(world, inspection["id"], "E1", "supervisor", result="pass").status_code == 201
    assert answer(world, inspection["id"], "F1", "far_inspector",
                  result="pass").status_code == 404
    assert answer(world, inspection["id"], "F1", "officer", result="pass").status_code == 403
    plain = world.client("inspector").post("/api/v1/inspections", json={
        "enterprise_id": world.enterprise.id, "kind": "routine", "started_at": iso(now())})
    assert answer(world, plain.get_json()["id"], "F1",
                  result="pass").get_json()["errors"].keys() == {"checklist_id"}


@pytest.mark.parametrize("change, field", [
    ({"checklist_id": "00000000-0000-4000-8000-000000000000"}, "checklist_id"),
    ({"checklist_version": 7}, "checklist_version"),
    ({"checklist_id": None}, "checklist_id"),   # a version without its checklist
])
def test_bad_checklists_when_starting(world, checklist, change, field):
    response = start(world, checklist, **change)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_a_hazard_at_an_item_must_be_of_the_inspections_checklist(world, checklist):
    inspection = started(world, checklist)
    unknown = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        inspection_id=inspection["id"], checklist_item="Z9"))
    assert unknown.status_code == 422 and "checklist_item" in unknown.get_json()["errors"]
    loose = world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        checklist_item="F1"))
    assert loose.status_code == 422 and "checklist_item" in loose.get_json()["errors"]
    # A failure's hazard is the one recorded at that item: another is refused.
    other = world.create_hazard(inspection_id=inspection["id"], checklist_item="F1")
    wrong = answer(world, inspection["id"], "E1", result="fail", note="无预案",
                   hazard_id=other["id"])
    assert wrong.status_code == 422 and "hazard_id" in wrong.get_json()["errors"]


def test_a_hazard_recorded_after_its_answer_is_linked_to_it(world, checklist):
    inspection = started(world, checklist)
    assert answer(world, inspection["id"], "E1", result="fail",
                  note="无应急预案").status_code == 201
    hazard = world.create_hazard(inspection_id=inspection["id"], checklist_item="E1",
                                 category="emergency")
    detail = world.client("inspector").get(f"/api/v1/inspections/{inspection['id']}").get_json()
    assert detail["checklist"]["items"][2]["answer"]["hazard_id"] == hazard["id"]


# --------------------------------------------------------------------------- self-inspection
def test_an_officer_inspects_its_own_enterprise(world, checklist):
    officer = world.client("officer")
    refused = start(world, checklist, who="officer")  # kind routine: an inspector's
    assert refused.status_code == 403
    assert start(world, checklist, who="inspector", kind="self").status_code == 403
    nolist = start(world, checklist, who="officer", kind="self", checklist_id=None,
                   checklist_version=None)
    assert nolist.status_code == 422 and "checklist_id" in nolist.get_json()["errors"]
    own = started(world, checklist, who="officer", kind="self")
    assert own["kind"] == "self" and own["inspector_id"] == world.users["officer"].id
    # "Nothing found": every item passed, finished.
    for code in ("F1", "D3", "E1"):
        assert answer(world, own["id"], code, "officer", result="pass").status_code == 201
    assert finish(world, own, who="officer").status_code == 200
    listed = officer.get("/api/v1/inspections?kind=self").get_json()["items"]
    assert [i["id"] for i in listed] == [own["id"]]
    # The inspector may read it, not answer it.
    assert world.client("inspector").get(f"/api/v1/inspections/{own['id']}").status_code == 200


def test_an_officer_acting_for_another_enterprise_is_told_it_does_not_exist(world, checklist):
    neighbour = start(world, checklist, who="officer", kind="self",
                      enterprise_id=world.neighbour.id)
    unknown = start(world, checklist, who="officer", kind="self", enterprise_id=new_id())
    assert neighbour.status_code == unknown.status_code == 422
    assert neighbour.get_json() == unknown.get_json()
    theirs = started(world, checklist, who="other_officer", kind="self",
                     enterprise_id=world.neighbour.id)
    for path in (f"/api/v1/inspections/{theirs['id']}", f"/api/v1/inspections/{new_id()}"):
        assert world.client("officer").get(path).status_code == 404
    put_theirs = answer(world, theirs["id"], "F1", "officer", result="pass")
    put_unknown = answer(world, new_id(), "F1", "officer", result="pass")
    assert put_theirs.status_code == put_unknown.status_code == 404
    assert put_theirs.get_json() == put_unknown.get_json()
    hz_theirs = world.client("officer").post("/api/v1/hazards", json=world.hazard_body(
        enterprise_id=world.neighbour.id))
    hz_unknown = world.client("officer").post("/api/v1/hazards", json=world.hazard_body(
        enterprise_id=new_id()))
    assert hz_theirs.status_code == hz_unknown.status_code == 422
    assert hz_theirs.get_json() == hz_unknown.get_json()


def test_a_self_reported_hazard_runs_the_loop_and_an_inspector_verifies_it(world, checklist):
    own = started(world, checklist, who="officer", kind="self")
    hazard, _ = fail_into_hazard(world, own, code="F1", who="officer")
    assert hazard["source"] == "self" and hazard["level"] == "general"
    assert world.client("officer").post("/api/v1/hazards", json=world.hazard_body(
        source="inspection")).get_json()["errors"].keys() == {"source"}
    # Not into an inspector's inspection, nor an inspector's hazard into a self-inspection.
    theirs = started(world, checklist)
    assert world.client("officer").post("/api/v1/hazards", json=world.hazard_body(
        inspection_id=theirs["id"])).get_json()["errors"].keys() == {"inspection_id"}
    assert world.client("inspector").post("/api/v1/hazards", json=world.hazard_body(
        inspection_id=own["id"])).get_json()["errors"].keys() == {"inspection_id"}
    hid = hazard["id"]
    world.ok(hid, "acknowledge", "officer")
    assert world.upload(hid, "rectification", who="officer").status_code == 201
    world.ok(hid, "submit", "officer")
    assert world.act(hid, "verify", "officer").status_code == 403
    assert world.ok(hid, "verify", "inspector")["state"] == "verified"


def test_a_finding_in_a_category_the_self_inspection_passed_is_self_check_missed(
        world, checklist, app):
    own = started(world, checklist, who="officer", kind="self")
    answer(world, own["id"], "F1", "officer", result="pass")       # fire: passed
    answer(world, own["id"], "E1", "officer", result="na", note="无")  # emergency: not judged
    missed = world.create_hazard(category="fire", title="疏散通道堆放货物",
                                 found_at=iso(now()))
    assert missed["self_check_missed"] is True
    assert world.create_hazard(category="emergency",
                               found_at=iso(now()))["self_check_missed"] is False
    assert world.create_hazard(category="electrical",
                               found_at=iso(now()))["self_check_missed"] is False
    # The officer's own findings are never 自查不实.
    assert world.create_hazard(who="officer", category="fire",
                               found_at=iso(now()))["self_check_missed"] is False
    # A pass older than SELF_CHECK_DAYS no longer counts.
    from sqlalchemy import update

    from app.extensions import db
    with app.app_context():
        db.session.execute(update(InspectionAnswer).values(
            answered_at=datetime.now(timezone.utc) - timedelta(days=31)))
        db.session.commit()
    assert world.create_hazard(category="fire",
                               found_at=iso(now()))["self_check_missed"] is False
    listed = world.client("supervisor").get("/api/v1/hazards?category=fire").get_json()["items"]
    assert sum(h["self_check_missed"] for h in listed) == 1


# --------------------------------------------------------------------------- reports
def test_the_notice_lists_the_failed_items_with_their_basis(world, checklist):
    from pypdf import PdfReader
    inspection = started(world, checklist)
    fail_into_hazard(world, inspection)
    answer(world, inspection["id"], "F1", result="pass")
    answer(world, inspection["id"], "E1", result="fail", note="未制定应急预案")
    pdf = world.client("inspector").get(
        f"/api/v1/inspections/{inspection['id']}/rectification-notice.pdf")
    assert pdf.status_code == 200
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "测试检查表" in text and "不符合项" in text
    assert "应急管理部令第10号第十一条第（三）项" in text and "《安全生产法》第八十一条" in text
    assert "未制定应急预案" in text and "33%" in text  # 1 passed of 3 judged


def test_dashboard_and_ledger_show_checklists_and_self_inspections(world, checklist):
    from openpyxl import load_workbook
    own = started(world, checklist, who="officer", kind="self")
    for code in ("F1", "D3", "E1"):
        answer(world, own["id"], code, "officer", result="pass")
    finish(world, own, who="officer")
    inspection = started(world, checklist)
    hazard, _ = fail_into_hazard(world, inspection)
    answer(world, inspection["id"], "F1", result="pass")
    answer(world, inspection["id"], "E1", result="fail", note="无预案")
    assert finish(world, inspection).status_code == 200
    # 自查不实: the self-inspection passed F1 (fire)
    world.create_hazard(category="fire", found_at=iso(now()))

    board = world.client("supervisor").get("/api/v1/dashboard").get_json()["prevention"]
    failed = {(i["code"], i["failed"]) for i in board["most_failed_items"]}
    assert {("D3", 1), ("E1", 1)} <= failed
    d3 = next(i for i in board["most_failed_items"] if i["code"] == "D3")
    assert d3["text"].startswith("干式除尘系统") and d3["checklist_name"] == "测试检查表"
    last = {e["enterprise_id"]: e for e in board["last_scores"]}
    assert last[world.enterprise.id]["score"] == round(1 / 3, 4)
    assert last[world.enterprise.id]["inspection_id"] == inspection["id"]
    assert board["self_inspections"]["total"] == 1
    month = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    assert board["self_inspections"]["by_enterprise"] == [{
        "enterprise_id": world.enterprise.id, "enterprise_name": world.enterprise.name,
        "months": {month: 1}, "total": 1}]
    assert board["self_check_missed"] == 1

    ledger = world.client("supervisor").get("/api/v1/reports/hazard-ledger.xlsx")
    sheet = load_workbook(io.BytesIO(ledger.data)).active
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True))
            for row in sheet.iter_rows(min_row=2)]
    row = next(r for r in rows if r["隐患编号"] == hazard["id"])
    assert row["检查项"].startswith("D3 干式除尘系统")
    assert {r["自查不实"] for r in rows} == {"是", "否"}
