"""Inspection plans and random draws (检查计划, 双随机), tasks on the inspector's phone, joint
inspections (联合检查) and coverage (检查覆盖率): CONTRACT.md "Inspection plans and random
draws", README "Inspection plans"."""
from __future__ import annotations

import io
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import openpyxl
import pytest
from pypdf import PdfReader

from app.extensions import db
from app.plans import draw as drawing
from app.plans.models import PlanTask
from app.reports.coverage import quarter

SITE = {"lat": 29.533, "lng": 106.5, "accuracy": 8.0}
FAR = {"lat": 29.6, "lng": 106.6, "accuracy": 8.0}  # some 10 km away
COLOURS = ("red", "red", "orange", "orange", "yellow", "yellow", "blue", "blue")


def new_id() -> str:
    return str(uuid.uuid4())


def now_iso(minutes_ago: int = 5) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()


class Town:
    """Two communities of one 街道 (A with eight enterprises of every colour, B with three) and
    one far away; supervisors of the street and of A, three inspectors in A, one in B."""

    def __init__(self, factory, client_for):
        self.factory, self._client_for, self._clients = factory, client_for, {}
        self.a = factory.community(name="乌龙社区")
        self.b = factory.community(name="白鹤社区")
        self.far = factory.community(name="远方社区")
        self.a_firms = [factory.enterprise(self.a, name=f"乌龙{n}号企业", risk_level=colour,
                                           industry="retail" if n % 2 else "manufacturing",
                                           lat=SITE["lat"], lng=SITE["lng"])
                        for n, colour in enumerate(COLOURS)]
        self.b_firms = [factory.enterprise(self.b, name=f"白鹤{n}号企业", risk_level="yellow",
                                           lat=SITE["lat"], lng=SITE["lng"]) for n in range(3)]
        self.far_firm = factory.enterprise(self.far, name="远方企业")
        self.users = {
            "street": factory.user("supervisor", communities=[self.a, self.b]),
            "supervisor": factory.user("supervisor", communities=[self.a]),
            "i1": factory.user("inspector", communities=[self.a]),
            "i2": factory.user("inspector", communities=[self.a]),
            "i3": factory.user("inspector", communities=[self.a, self.b]),
            "ib": factory.user("inspector", communities=[self.b]),
            "far": factory.user("inspector", communities=[self.far]),
            "officer": factory.user("officer", enterprise=self.a_firms[0]),
            "admin": factory.user("admin"),
        }

    def client(self, who):
        if who not in self._clients:
            self._clients[who] = self._client_for(self.users[who])
        return self._clients[who]

    def id(self, who):
        return self.users[who].id

    def plan_body(self, **overrides):
        body = {"name": "2026年第四季度四不两直随机检查", "kind": "unannounced",
                "community_id": self.a.id, "starts_on": date.today().isoformat(),
                "due_on": (date.today() + timedelta(days=30)).isoformat(), "count": 3,
                "inspector_ids": [self.id("i1"), self.id("i2"), self.id("i3")],
                "inspectors_per_task": 2}
        body.update(overrides)
        return body

    def create(self, who="supervisor", **overrides):
        response = self.client(who).post("/api/v1/plans", json=self.plan_body(**overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def draw(self, plan, who="supervisor", **body):
        return self.client(who).post(f"/api/v1/plans/{plan['id']}/draw", json=body)

    def drawn(self, seed="2026-Q4", **overrides):
        plan = self.create(**overrides)
        response = self.draw(plan, seed=seed)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def start(self, who, task, location=SITE, **overrides):
        body = {"id": new_id(), "enterprise_id": task["enterprise_id"], "kind": "unannounced",
                "started_at": now_iso(), "location": location, "task_id": task["id"]}
        body.update(overrides)
        return self.client(who).post("/api/v1/inspections", json=body)

    def finish(self, who, inspection):
        return self.client(who).patch(f"/api/v1/inspections/{inspection['id']}", json={
            "version": inspection["version"], "ended_at": now_iso(0), "summary": "检查完毕"})

    def task(self, task_id, who="supervisor"):
        response = self.client(who).get(f"/api/v1/tasks/{task_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def town(factory, client_for):
    return Town(factory, client_for)


def assigned(town, plan, who):
    """The first task of ``plan`` that sends ``who``."""
    return next(t for t in plan["tasks"] if town.id(who) in t["inspector_ids"])


# --------------------------------------------------------------------------- plans
def test_a_supervisor_makes_a_plan_once_whatever_the_outbox_resends(town):
    body = town.plan_body(id=new_id(), industries=["商贸零售"], risk_levels=["red", "orange"],
                          count=2)
    first = town.client("supervisor").post("/api/v1/plans", json=body)
    assert first.status_code == 201, first.get_json()
    plan = first.get_json()
    assert plan["state"] == "draft" and plan["industries"] == ["retail"]
    assert plan["community_ids"] == [town.a.id] and plan["tasks"] == []
    assert plan["allowed_actions"] == ["cancel", "draw"] and plan["weighted"] is True
    assert [e["action"] for e in plan["events"]] == ["create"]
    again = town.client("supervisor").post("/api/v1/plans", json=body)
    assert again.status_code == 200 and again.get_json()["id"] == plan["id"]
    changed = town.client("supervisor").post("/api/v1/plans", json={**body, "count": 1})
    assert changed.status_code == 409 and "id" in changed.get_json()["errors"]


@pytest.mark.parametrize("overrides, field", [
    ({"count": 9}, "count"),  # A has eight enterprises
    ({"risk_levels": ["red"], "count": 3}, "count"),
    ({"due_on": (date.today() - timedelta(days=1)).isoformat(),
      "starts_on": date.today().isoformat()}, "due_on"),
    ({"starts_on": (date.today() + timedelta(days=10)).isoformat(),
      "due_on": (date.today() + timedelta(days=5)).isoformat()}, "due_on"),
    ({"inspectors_per_task": 4}, "inspectors_per_task"),
    ({"kind": "picnic"}, "kind"),
    ({"risk_levels": ["purple"]}, "risk_levels"),
    ({"count": 0}, "count"),
    ({"inspector_ids": []}, "inspector_ids"),
])
def test_bad_plans_are_refused_by_field_and_nothing_is_stored(town, overrides, field):
    response = town.client("supervisor").post("/api/v1/plans", json=town.plan_body(**overrides))
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    named = {key.split(".")[0] for key in response.get_json()["errors"]}  # risk_levels.0
    assert named == {field}, response.get_json()
    assert town.client("supervisor").get("/api/v1/plans").get_json()["total"] == 0


def test_an_inspector_outside_the_plans_community_is_named(town):
    for who in ("ib", "far", "officer"):  # B's, a far community's, not an inspector at all
        response = town.client("supervisor").post("/api/v1/plans", json=town.plan_body(
            inspector_ids=[town.id("i1"), town.id(who)], inspectors_per_task=1))
        assert response.status_code == 422
        errors = response.get_json()["errors"]
        assert list(errors) == ["inspector_ids"] and town.id(who) in errors["inspector_ids"][0]
    other = town.client("supervisor").post("/api/v1/plans", json=town.plan_body(
        community_id=town.b.id))  # not the supervisor's community
    assert other.status_code == 422 and "community_id" in other.get_json()["errors"]
    assert town.client("supervisor").get("/api/v1/plans").get_json()["total"] == 0


def test_who_may_see_and_make_plans(town):
    plan = town.drawn()
    task = plan["tasks"][0]
    officer = town.client("officer")
    for url in ("/api/v1/plans", f"/api/v1/plans/{plan['id']}", "/api/v1/tasks",
                f"/api/v1/tasks/{task['id']}", f"/api/v1/plans/{plan['id']}/draws"):
        assert officer.get(url).status_code == 404, url
    assert officer.post("/api/v1/plans", json=town.plan_body()).status_code == 404
    assert officer.post(f"/api/v1/plans/{plan['id']}/draw", json={}).status_code == 404
    # Inspectors get their tasks, never a plan (it names where the others go).
    inspector = town.client("i1")
    assert inspector.get(f"/api/v1/plans/{plan['id']}").status_code == 404
    assert inspector.post("/api/v1/plans", json=town.plan_body()).status_code == 404
    assert town.client("admin").get(f"/api/v1/plans/{plan['id']}").status_code == 200
    assert town.client("admin").post("/api/v1/plans", json=town.plan_body()).status_code == 403
    # A supervisor of community B alone does not see a plan of A.
    b_only = town.factory.user("supervisor", communities=[town.b])
    stranger = town._client_for(b_only)
    assert stranger.get(f"/api/v1/plans/{plan['id']}").status_code == 404
    assert stranger.get("/api/v1/plans").get_json()["total"] == 0


# --------------------------------------------------------------------------- the draw
def test_the_draw_is_reproducible_from_its_seed(town, app):
    first = town.drawn(seed="双随机-2026")
    second = town.drawn(seed="双随机-2026")
    third = town.drawn(seed="another seed")
    picked = [(t["enterprise_id"], t["inspector_ids"]) for t in first["tasks"]]
    assert picked == [(t["enterprise_id"], t["inspector_ids"]) for t in second["tasks"]]
    assert len(picked) == 3 and len({e for e, _ in picked}) == 3
    a_ids = {e.id for e in town.a_firms}
    pool = {town.id("i1"), town.id("i2"), town.id("i3")}
    for enterprise_id, inspectors in picked:
        assert enterprise_id in a_ids and len(inspectors) == 2 and set(inspectors) <= pool
    assert first["seed"] == "双随机-2026" and first["state"] == "drawn"
    assert first["figures"] == {"total": 3, "open": 3, "overdue": 0, "done": 0}
    assert [t["position"] for t in first["tasks"]] == [1, 2, 3]
    draw_event = first["events"][-1]
    assert draw_event["action"] == "draw" and draw_event["seed"] == "双随机-2026"
    assert draw_event["actor_id"] == town.id("supervisor") and draw_event["draw_no"] == 1
    # The record holds all a third party needs to run the draw again.
    records = town.client("supervisor").get(f"/api/v1/plans/{first['id']}/draws").get_json()
    record = records["items"][0]
    assert record["algorithm"] == drawing.ALGORITHM and len(record["eligible"]) == 8
    assert {row[2] for row in record["eligible"]} == {3, 2, 1}  # red, orange, the others
    again = drawing.draw(record["seed"], [drawing.Candidate(*row) for row in record["eligible"]],
                         {i: set(c) for i, c in record["pool"].items()}, record["count"],
                         record["inspectors_per_task"])
    assert [[d.enterprise_id, list(d.inspector_ids)] for d in again] == record["tasks"]
    assert record["tasks"] == [list(p) for p in picked]
    assert len(third["tasks"]) == 3 and third["seed"] == "another seed"
    result = app.test_cli_runner().invoke(args=["plans", "verify-draws"])
    assert result.exit_code == 0 and "checked 3 draws: all reproduced" in result.output


def test_without_a_seed_the_server_picks_one_and_records_it(town):
    plan = town.create()
    body = town.draw(plan).get_json()
    assert body["seed"] and body["events"][-1]["seed"] == body["seed"]
    assert body["drawn_by_id"] == town.id("supervisor") and body["drawn_at"]


def test_every_eligible_enterprise_comes_up_across_seeds():
    """Uniform enough: over many seeds every candidate is drawn, weights only tilt the odds,
    and the inspectors' work is spread evenly within each draw."""
    candidates = [drawing.Candidate(f"e{n:02d}", "A", w)
                  for n, w in enumerate([3, 3, 2, 2] + [1] * 16)]
    pool = {f"i{n}": {"A"} for n in range(5)}
    drawn, sent = Counter(), Counter()
    for seed in range(400):
        tasks = drawing.draw(str(seed), candidates, pool, 4, 2)
        assert len({t.enterprise_id for t in tasks}) == 4
        loads = Counter(i for t in tasks for i in t.inspector_ids)
        assert max(loads.values()) - min(loads.get(i, 0) for i in pool) <= 1
        drawn.update(t.enterprise_id for t in tasks)
        sent.update(i for t in tasks for i in t.inspector_ids)
        assert tasks == drawing.draw(str(seed), list(reversed(candidates)), pool, 4, 2)
    assert set(drawn) == {c.id for c in candidates}
    assert set(sent) == set(pool)
    weight = {c.id: c.weight for c in candidates}
    heavy = sum(n for e, n in drawn.items() if weight[e] == 3) / 2
    light = sum(n for e, n in drawn.items() if weight[e] == 1) / 16
    assert heavy > light


def test_an_unweighted_draw_and_a_street_wide_plan(town):
    plan = town.create(who="street", community_id=None, weighted=False, count=10,
                       inspector_ids=[town.id("i1"), town.id("i3"), town.id("ib")],
                       inspectors_per_task=1)
    assert sorted(plan["community_ids"]) == sorted([town.a.id, town.b.id])
    drawn = town.draw(plan, who="street", seed="street").get_json()
    assert len(drawn["tasks"]) == 10
    record = town.client("street").get(f"/api/v1/plans/{plan['id']}/draws").get_json()["items"][0]
    assert {row[2] for row in record["eligible"]} == {1} and record["weights"] == {}
    for task in drawn["tasks"]:  # nobody is sent where they do not work
        inspector = next(k for k in ("i1", "i3", "ib") if town.id(k) == task["inspector_ids"][0])
        assert task["community_id"] in town.users[inspector].community_ids
    # The supervisor of A alone does not see the street's plan, but sees the tasks in A.
    assert town.client("supervisor").get(f"/api/v1/plans/{plan['id']}").status_code == 404
    tasks = town.client("supervisor").get("/api/v1/tasks").get_json()["items"]
    assert tasks and {t["community_id"] for t in tasks} == {town.a.id}


def test_a_redraw_replaces_the_tasks_until_one_has_begun(town):
    plan = town.drawn(seed="first")
    replay = town.draw(plan, seed="first", id=(draw_id := new_id()))
    assert replay.status_code == 200
    assert town.draw(plan, seed="first", id=draw_id).get_json()["events"] == \
        replay.get_json()["events"]  # the same draw id again: no third draw
    redrawn = replay.get_json()
    assert redrawn["events"][-1]["action"] == "redraw" and redrawn["events"][-1]["draw_no"] == 2
    old = {t["id"] for t in plan["tasks"]}
    assert old.isdisjoint({t["id"] for t in redrawn["tasks"]})
    withdrawn = town.client("supervisor").get(
        f"/api/v1/tasks?plan_id={plan['id']}&state=withdrawn").get_json()["items"]
    assert {t["id"] for t in withdrawn} == old
    # An inspection from a withdrawn task is refused.
    stale = next(t for t in withdrawn if town.id("i1") in t["inspector_ids"])
    refused = town.start("i1", stale)
    assert refused.status_code == 409 and "task_id" in refused.get_json()["errors"]

    task = assigned(town, redrawn, "i1")
    assert town.start("i1", task).status_code == 201
    before = town.client("supervisor").get(f"/api/v1/plans/{plan['id']}").get_json()
    assert "redraw" not in before["allowed_actions"] and "cancel" not in before["allowed_actions"]
    for response in (town.draw(plan, seed="third"),
                     town.client("supervisor").post(f"/api/v1/plans/{plan['id']}/cancel",
                                                    json={"version": before["version"]})):
        assert response.status_code == 409, response.get_json()
        assert response.headers["Content-Type"].startswith("application/problem+json")
    after = town.client("supervisor").get(f"/api/v1/plans/{plan['id']}").get_json()
    assert after["tasks"] == before["tasks"] and after["version"] == before["version"]


def test_cancelling_a_plan_withdraws_its_tasks(town):
    plan = town.drawn()
    response = town.client("supervisor").post(f"/api/v1/plans/{plan['id']}/cancel",
                                              json={"version": plan["version"], "note": "重排"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["state"] == "cancelled" and body["tasks"] == []
    assert body["events"][-1]["note"] == "重排"
    assert town.client("i1").get("/api/v1/tasks").get_json()["total"] == 0
    assert town.draw(plan).status_code == 409


# --------------------------------------------------------------------------- tasks
def test_each_inspector_lists_the_tasks_they_are_sent_on(town):
    plan = town.drawn(count=5)
    for who in ("i1", "i2", "i3"):
        mine = town.client(who).get("/api/v1/tasks").get_json()["items"]
        expected = {t["id"] for t in plan["tasks"] if town.id(who) in t["inspector_ids"]}
        assert {t["id"] for t in mine} == expected
        for task in mine:
            assert task["plan_name"] == plan["name"] and task["kind"] == "unannounced"
            assert task["enterprise"]["name"] and task["enterprise"]["location"] == {
                "lat": SITE["lat"], "lng": SITE["lng"]}
            assert task["enterprise"]["qr_token"] and task["state"] == "open"
    other = next(t for t in plan["tasks"] if town.id("i1") not in t["inspector_ids"])
    assert town.client("i1").get(f"/api/v1/tasks/{other['id']}").status_code == 404
    assert town.client("ib").get("/api/v1/tasks").get_json()["total"] == 0


def test_an_inspection_with_a_task_not_yours_is_refused_and_nothing_is_stored(town):
    plan = town.drawn()
    other = next(t for t in plan["tasks"] if town.id("i1") not in t["inspector_ids"])
    mine = assigned(town, plan, "i1")
    elsewhere = next(e for e in town.a_firms if e.id != mine["enterprise_id"])
    cases = [(town.start("i1", other), "task_id"),
             (town.start("i1", mine, enterprise_id=elsewhere.id), "task_id"),
             (town.start("i1", {**mine, "id": new_id()}), "task_id"),
             (town.start("supervisor", mine), "task_id")]
    for response, field in cases:
        assert response.status_code == 422, response.get_json()
        assert list(response.get_json()["errors"]) == [field]
    assert town.client("supervisor").get("/api/v1/inspections").get_json()["total"] == 0
    assert town.task(mine["id"])["begun_at"] is None


def test_a_task_is_done_only_by_an_on_site_inspection(town):
    plan = town.drawn()
    task = assigned(town, plan, "i1")
    away = town.start("i1", task, location=FAR).get_json()
    assert away["on_site"] is False
    assert town.finish("i1", away).status_code == 200
    after_away = town.task(task["id"])
    assert after_away["state"] == "open" and after_away["begun_at"]
    assert after_away["inspection_id"] == away["id"]
    no_gps = town.start("i1", task, location=None).get_json()
    assert town.finish("i1", no_gps).status_code == 200
    assert town.task(task["id"])["state"] == "open"

    here = town.start("i1", task).get_json()
    assert here["on_site"] is True
    assert town.task(task["id"])["state"] == "open"  # begun, not yet finished
    assert town.finish("i1", here).status_code == 200
    done = town.task(task["id"], who="i1")
    assert done["state"] == "done" and done["done_at"] and done["inspection_id"] == here["id"]
    assert [e["action"] for e in done["events"]] == ["begin", "begin", "begin", "complete"]
    assert done["events"][-1]["inspection_id"] == here["id"]
    plan_now = town.client("supervisor").get(f"/api/v1/plans/{plan['id']}").get_json()
    assert plan_now["figures"]["done"] == 1
    # An inspection without a task completes nothing.
    other = next(t for t in plan["tasks"] if t["id"] != task["id"])
    free = town.client("i2").post("/api/v1/inspections", json={
        "enterprise_id": other["enterprise_id"], "kind": "routine", "started_at": now_iso(),
        "location": SITE}).get_json()
    assert town.finish("i2", free).status_code == 200
    assert town.task(other["id"])["state"] == "open"


def test_overdue_tasks_are_marked_for_the_supervisor(town, app):
    plan = town.drawn()
    late = plan["tasks"][0]
    with app.app_context():
        db.session.get(PlanTask, late["id"]).due_on = date.today() - timedelta(days=1)
        db.session.commit()
    assert town.task(late["id"])["state"] == "overdue"
    assert town.task(late["id"])["overdue"] is True
    listed = town.client("supervisor").get("/api/v1/tasks?state=overdue").get_json()["items"]
    assert [t["id"] for t in listed] == [late["id"]]
    assert town.client("supervisor").get(
        f"/api/v1/plans/{plan['id']}").get_json()["figures"]["overdue"] == 1
    dashboard = town.client("supervisor").get("/api/v1/dashboard").get_json()
    assert dashboard["tasks"] == {"open": 2, "overdue": 1, "done": 0}


def test_tasks_follow_their_enterprise_to_another_community(town):
    plan = town.drawn()
    task = plan["tasks"][0]
    admin = town.client("admin")
    enterprise = admin.get(f"/api/v1/enterprises/{task['enterprise_id']}").get_json()
    moved = admin.patch(f"/api/v1/enterprises/{enterprise['id']}",
                        json={"community_id": town.far.id, "version": enterprise["version"]})
    assert moved.status_code == 200, moved.get_json()
    assert town.task(task["id"], who="admin")["community_id"] == town.far.id
    assert town.client("supervisor").get(f"/api/v1/tasks/{task['id']}").status_code == 404


# --------------------------------------------------------------------------- joint inspections
def test_a_joint_inspection_lets_each_record_and_its_notice_names_them_all(town):
    plan = town.drawn()
    task = plan["tasks"][0]
    lead, partner = [k for k in ("i1", "i2", "i3") if town.id(k) in task["inspector_ids"]]
    response = town.start(lead, task, inspector_ids=task["inspector_ids"])
    assert response.status_code == 201, response.get_json()
    inspection = response.get_json()
    assert inspection["inspector_ids"] == [town.id(lead), town.id(partner)]
    names = [town.users[lead].display_name, town.users[partner].display_name]
    assert inspection["inspector_names"] == names
    for who in (lead, partner):
        hazard = town.client(who).post("/api/v1/hazards", json={
            "enterprise_id": task["enterprise_id"], "inspection_id": inspection["id"],
            "title": f"{who}发现：消防通道堵塞", "category": "fire", "level": "general",
            "found_at": now_iso(1)})
        assert hazard.status_code == 201, hazard.get_json()
    listed = town.client("supervisor").get(
        f"/api/v1/inspections?inspector_id={town.id(partner)}").get_json()["items"]
    assert [i["id"] for i in listed] == [inspection["id"]]
    assert town.finish(partner, inspection).status_code == 200  # a member may finish it
    assert town.task(task["id"])["state"] == "done"
    pdf = town.client("officer" if task["enterprise_id"] == town.a_firms[0].id
                      else "supervisor").get(
        f"/api/v1/inspections/{inspection['id']}/rectification-notice.pdf")
    assert pdf.status_code == 200
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "、".join(names) in text


def test_a_joint_inspection_names_only_people_who_may_inspect_there(town):
    enterprise = town.a_firms[1]
    for who in ("ib", "far", "officer", "admin"):
        response = town.client("i1").post("/api/v1/inspections", json={
            "enterprise_id": enterprise.id, "kind": "routine", "started_at": now_iso(),
            "inspector_ids": [town.id(who)]})
        assert response.status_code == 422 and list(response.get_json()["errors"]) == [
            "inspector_ids"]
    unknown = town.client("i1").post("/api/v1/inspections", json={
        "enterprise_id": enterprise.id, "kind": "routine", "started_at": now_iso(),
        "inspector_ids": [new_id()]})
    assert unknown.status_code == 422
    assert town.client("supervisor").get("/api/v1/inspections").get_json()["total"] == 0


# --------------------------------------------------------------------------- coverage
def test_coverage_on_the_dashboard_the_map_and_the_list_of_the_unvisited(town):
    visited = town.a_firms[0]  # red
    for who, enterprise, kind in (("i1", visited, "routine"), ("i1", visited, "special"),
                                  ("ib", town.b_firms[0], "routine")):
        assert town.client(who).post("/api/v1/inspections", json={
            "enterprise_id": enterprise.id, "kind": kind, "started_at": now_iso(),
            "location": SITE}).status_code == 201
    street = town.client("street")
    coverage = street.get("/api/v1/dashboard").get_json()["coverage"]
    assert (coverage["registered"], coverage["inspected"], coverage["never_inspected"]) == (
        11, 2, 9)
    assert coverage["rate"] == round(2 / 11, 4)
    by_community = {c["name"]: c for c in coverage["by_community"]}
    assert (by_community["乌龙社区"]["registered"], by_community["乌龙社区"]["inspected"]) == (8, 1)
    assert by_community["白鹤社区"]["inspected"] == 1
    by_risk = {c["key"]: c for c in coverage["by_risk"]}
    assert by_risk["red"]["registered"] == 2 and by_risk["red"]["inspected"] == 1
    assert by_risk["red"]["zh"] == "重大风险" and by_risk["yellow"]["registered"] == 5
    # A period before the visits: nobody was inspected, yet they were inspected once.
    old = street.get("/api/v1/dashboard?from=2020-01-01&to=2020-12-31").get_json()["coverage"]
    assert old["inspected"] == 0 and old["never_inspected"] == 9
    # One community, and the supervisor of A only sees A.
    mine = town.client("supervisor").get("/api/v1/dashboard").get_json()["coverage"]
    assert mine["registered"] == 8 and [c["name"] for c in mine["by_community"]] == ["乌龙社区"]

    points = {e["id"]: e for e in street.get("/api/v1/map").get_json()["enterprises"]}
    assert points[visited.id]["inspected"] is True and points[visited.id]["last_inspected_at"]
    assert points[town.a_firms[1].id]["inspected"] is False
    assert points[town.a_firms[1].id]["last_inspected_at"] is None
    old_map = street.get("/api/v1/map?from=2020-01-01&to=2020-12-31").get_json()
    assert not any(e["inspected"] for e in old_map["enterprises"])

    response = street.get("/api/v1/reports/uninspected-enterprises.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("企业名称", "统一社会信用代码", "所属社区", "风险等级")
    names = [r[0] for r in rows[1:]]
    assert len(names) == 9 and visited.name not in names and town.b_firms[0].name not in names
    assert rows[1][3] == "重大风险"  # red first
    assert {r[8] for r in rows[1:]} == {"从未检查"}
    assert all("red" not in str(v) and "retail" not in str(v) for r in rows for v in r)
    a_only = street.get(f"/api/v1/reports/uninspected-enterprises.xlsx?community_id={town.a.id}")
    assert len(list(openpyxl.load_workbook(io.BytesIO(a_only.data)).active.iter_rows())) == 8
    hidden = town.client("supervisor").get(
        f"/api/v1/reports/uninspected-enterprises.xlsx?community_id={town.b.id}")
    assert hidden.status_code == 404
    bad = street.get("/api/v1/reports/uninspected-enterprises.xlsx?from=2026-05-01&to=2026-04-01")
    assert bad.status_code == 422


def test_the_quarter_is_the_default_period_of_the_list():
    assert quarter(datetime(2026, 11, 20, tzinfo=timezone.utc)) == (date(2026, 10, 1),
                                                                    date(2026, 12, 31))
    assert quarter(datetime(2026, 3, 31, 17, tzinfo=timezone.utc)) == (date(2026, 4, 1),
                                                                       date(2026, 6, 30))


def test_the_plan_form_lists_who_may_be_drawn(town):
    supervisor = town.client("supervisor")
    people = supervisor.get("/api/v1/plans/inspectors").get_json()["items"]
    assert {p["id"] for p in people} == {town.id(k) for k in ("street", "supervisor", "i1", "i2",
                                                             "i3")}
    street = town.client("street").get(f"/api/v1/plans/inspectors?community_id={town.b.id}")
    assert {p["id"] for p in street.get_json()["items"]} == {
        town.id(k) for k in ("street", "i3", "ib")}
    assert supervisor.get(
        f"/api/v1/plans/inspectors?community_id={town.b.id}").status_code == 422
    assert town.client("i1").get("/api/v1/plans/inspectors").status_code == 404
