"""Inspection plans on the screen: a supervisor makes a plan and draws it (phone and desk), the
dashboard shows coverage; an inspector opens a task with no network, inspects on site and syncs,
and the task is done. Screenshots (``ANXUN_SCREENS_DIR=docs/screens``): 40-plan-new,
41-plan-drawn, 42-my-tasks, 43-dashboard-coverage, each also at a desk (``-desk``)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


import pytest

from .conftest import SITE, login, outbox_count, wait_sw_controlled, wait_until
from .test_screens import new_context, shot

pytestmark = pytest.mark.browser

FIRMS = (("渝西铸造有限公司", "red", "manufacturing"), ("乌龙精细化工有限公司", "orange",
         "hazardous_chemicals"), ("乌龙物流仓储中心", "yellow", "warehousing"),
         ("乌龙便民超市", "blue", "retail"), ("青松五金加工厂", "yellow", "manufacturing"),
         ("白鹤建材有限公司", "orange", "manufacturing"))


def street(factory):
    community = factory.community(name="乌龙社区")
    firms = [factory.enterprise(community, name=name, risk_level=risk, industry=industry,
                                address=f"九龙坡区乌龙街道青松路{n * 7 + 3}号",
                                lat=SITE["lat"] + 0.002 * (n % 3),
                                lng=SITE["lng"] + 0.003 * (n // 3))
             for n, (name, risk, industry) in enumerate(FIRMS)]
    people = [factory.user("inspector", communities=[community], display_name=name)
              for name in ("祁旭", "王磊", "李静")]
    supervisor = factory.user("supervisor", communities=[community], display_name="街道安委办")
    return community, firms, people, supervisor


@pytest.mark.parametrize("layout", ["phone", "desk"])
def test_a_supervisor_makes_and_draws_a_plan(browser, live_server, factory, api_as, folder,
                                             layout):
    suffix = "" if layout == "phone" else "-desk"
    community, firms, people, supervisor = street(factory)
    api_as(people[0]).post("/api/v1/inspections", json={
        "enterprise_id": firms[0].id, "kind": "routine",
        "started_at": (datetime.now(timezone.utc) - timedelta(days=3)).isoformat(),
        "location": {"lat": SITE["lat"], "lng": SITE["lng"], "accuracy": 10}})
    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, supervisor.username, supervisor.password)
    page.goto("/#/plans")
    page.get_by_test_id("plan-new").click()
    page.wait_for_selector("[data-testid=plan-pool] input[type=checkbox]")
    page.locator("input[name=count]").fill("4")
    page.get_by_label("重大风险").check()
    page.get_by_label("较大风险").check()
    page.get_by_label("一般风险").check()
    assert "5" in page.get_by_test_id("plan-eligible").inner_text()
    shot(page, folder, f"40-plan-new{suffix}")
    page.get_by_role("button", name="保存计划").click()
    page.wait_for_selector("[data-testid=plan-draw]")
    page.locator("input[name=seed]").fill("2026-Q4-乌龙")
    page.get_by_test_id("plan-draw").click()
    page.wait_for_selector("[data-testid=plan-seed]")
    assert page.get_by_test_id("plan-seed").inner_text() == "2026-Q4-乌龙"
    assert page.locator("[data-testid=plan-task]").count() == 4
    assert page.get_by_role("button", name="重新抽取").count() == 1
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, folder, f"41-plan-drawn{suffix}")
    # What the screen shows is the server's draw, with the seed it recorded.
    [plan] = api_as(supervisor).get("/api/v1/plans")["items"]
    assert plan["seed"] == "2026-Q4-乌龙" and plan["figures"]["total"] == 4

    page.goto("/#/dashboard")
    coverage = page.get_by_test_id("dashboard-coverage")
    coverage.wait_for()
    assert "16.7%" in coverage.inner_text()  # one of six visited
    page.wait_for_selector(".map-enterprise")
    assert page.locator(".map-enterprise[data-uninspected=true]").count() == 5
    coverage.scroll_into_view_if_needed()
    shot(page, folder, f"43-dashboard-coverage{suffix}")
    ctx.close()


def test_an_inspector_opens_a_task_offline_inspects_and_syncs(page, phone, factory, api_as,
                                                             folder):
    community, firms, people, supervisor = street(factory)
    boss = api_as(supervisor)
    plan = boss.post("/api/v1/plans", json={
        "name": "第四季度“双随机”检查", "kind": "unannounced", "community_id": community.id,
        "starts_on": datetime.now(timezone.utc).date().isoformat(),
        "due_on": (datetime.now(timezone.utc) + timedelta(days=20)).date().isoformat(),
        "count": 6, "inspector_ids": [p.id for p in people], "inspectors_per_task": 2})
    plan = boss.post(f"/api/v1/plans/{plan['id']}/draw", json={"seed": "browser"})
    inspector = people[0]
    mine = [t for t in plan["tasks"] if inspector.id in t["inspector_ids"]]
    task = mine[0]

    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.goto("/#/tasks")
    page.wait_for_selector("[data-testid=task-item]")
    assert page.locator("[data-testid=task-item]").count() == len(mine)
    page.wait_for_timeout(500)  # the registry and the tasks stored for offline use
    shot(page, folder, "42-my-tasks")

    # ---- no network: the task, its card and the inspection all work from the phone
    phone.set_offline(True)
    phone.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.goto(f"/#/tasks/{task['id']}")
    gate = task["enterprise"]["location"]  # the inspector is at the gate
    phone.set_geolocation({"latitude": gate["lat"], "longitude": gate["lng"], "accuracy": 10})
    page.get_by_test_id("task-start").click()
    page.wait_for_selector("[data-testid=checkin]")
    assert "联合检查" in page.get_by_test_id("inspection-team").inner_text()
    page.get_by_role("link", name="结束检查").click()
    page.locator("textarea[name=summary]").fill("按计划现场检查，未发现隐患")
    page.get_by_role("button", name="确认结束检查").click()
    page.wait_for_selector(".scan-hero")
    page.goto("/#/tasks")
    page.wait_for_selector("[data-testid=task-item] >> text=待同步")
    assert outbox_count(page) == 2
    assert boss.get(f"/api/v1/tasks/{task['id']}")["state"] == "open"

    # ---- back online: sent once, and the on-site inspection completed the task
    phone.unroute("**/api/**")
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: outbox_count(page) == 0, timeout=30, message="the outbox to drain")
    done = boss.get(f"/api/v1/tasks/{task['id']}")
    assert done["state"] == "done" and done["inspection_id"]
    inspection = boss.get(f"/api/v1/inspections/{done['inspection_id']}")
    assert inspection["on_site"] is True and set(inspection["inspector_ids"]) == set(
        task["inspector_ids"])
    page.goto("/#/tasks")
    page.wait_for_selector("[data-testid=task-item][data-state=done]")
