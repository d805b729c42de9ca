"""安全生产月 on the phone: a drill recorded with a photo and no network reaches the server once
the network is back; the campaign's screens (banner on the home screen, the activity form and
list, the submissions board) at 390×844 and 1280×800, written to ANXUN_SCREENS_DIR."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.core.timeutil import SHANGHAI

from .conftest import (PHOTOS, SITE, login, outbox_count, outbox_items, wait_sw_controlled,
                       wait_until)
from .test_screens import new_context, shot

pytestmark = pytest.mark.browser


def _campaign(api, *, starts=-5, ends=20, due=10) -> dict:
    today = datetime.now(SHANGHAI).date()
    return api.post("/api/v1/campaigns", json={
        "name": f"{today.year}年安全生产月", "starts_on": str(today + timedelta(days=starts)),
        "ends_on": str(today + timedelta(days=ends)),
        "submission_due": str(today + timedelta(days=due))})


def _fill_drill(page, enterprise_name):
    page.locator("select[name=kind]").select_option("drill")
    page.locator("input[name=title]").fill("危化品泄漏专项应急演练")
    page.locator("input[name=place]").fill("鑫安化工储罐区")
    page.locator("input[name=participants]").fill("36")
    page.get_by_label(enterprise_name).check()
    page.locator("textarea[name=scenario]").fill("储罐阀门泄漏：报警、堵漏、警戒疏散")
    page.locator("textarea[name=problems]").fill("警戒线拉设慢；对讲机电量不足")
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "landscape_6.jpg"))
    page.wait_for_selector(".thumb img")


def test_a_drill_recorded_offline_with_its_photo_syncs_once(page, phone, factory, api_as):
    community = factory.community(name="白鹤社区")
    ent = factory.enterprise(community, name="重庆鑫安化工贸易有限公司", lat=SITE["lat"],
                             lng=SITE["lng"])
    factory.enterprise(community, name="白鹤粮油批发部")
    inspector = factory.user("inspector", communities=[community])
    supervisor = factory.user("supervisor", communities=[community])
    campaign = _campaign(api_as(supervisor))
    api = api_as(inspector)

    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.goto("/#/me")
    page.wait_for_selector("text=已缓存 2 家企业")   # the registry: enterprises to pick offline
    page.goto("/#/")
    banner = page.locator("[data-testid=campaign-banner]")
    banner.wait_for()
    assert "还剩 21 天" in banner.inner_text()

    phone.set_offline(True)
    phone.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.locator("[data-testid=record-activity]").click()
    page.wait_for_selector("[data-testid=activity-campaign]")
    _fill_drill(page, ent.name)
    page.get_by_role("button", name="保存活动").click()
    page.wait_for_selector("[data-testid=activity-item]")
    assert "待同步" in page.locator("[data-testid=activity-item]").inner_text()
    items = outbox_items(page)
    assert [i["type"] for i in items] == ["create", "photo"]
    assert api.get(f"/api/v1/activities?campaign_id={campaign['id']}")["total"] == 0

    phone.unroute("**/api/**")
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: outbox_count(page) == 0, timeout=60, message="the outbox to drain")
    [stored] = api.get(f"/api/v1/activities?campaign_id={campaign['id']}")["items"]
    assert stored["id"] == items[0]["record_id"] and stored["kind"] == "drill"
    assert stored["state"] == "confirmed" and stored["participants"] == 36
    assert stored["enterprise_ids"] == [ent.id] and stored["photo_count"] == 1
    detail = api.get(f"/api/v1/activities/{stored['id']}")
    assert detail["scenario"].startswith("储罐阀门泄漏")
    assert [p["id"] for p in detail["photos"]] == [items[1]["record_id"]]
    page.goto(f"/#/activities/{stored['id']}")
    page.wait_for_selector(".thumbs img")
    assert "已确认" in page.locator("main").inner_text()


@pytest.mark.screens
def test_campaign_screens(browser, live_server, factory, api_as, folder):
    north = factory.community(name="乌龙社区", code="WL01")
    south = factory.community(name="白鹤社区", code="WL02")
    factory.community(name="青松社区", code="WL03")
    ent = factory.enterprise(north, name="重庆乌龙精密机械有限公司", lat=SITE["lat"],
                             lng=SITE["lng"])
    factory.enterprise(north, name="乌龙好又多超市")
    factory.enterprise(south, name="重庆鑫安化工贸易有限公司")
    inspector = factory.user("inspector", communities=[north], display_name="祁旭（综合执法队）")
    street = factory.user("supervisor", communities=[north, south], display_name="李锐（领导小组）")
    api = api_as(inspector)
    campaign = _campaign(api_as(street), starts=-15, ends=14, due=9)
    today = datetime.now(SHANGHAI).date()
    done = ((12, "training", "企业主要负责人安全生产理论培训", 62),
            (8, "consultation", "“6·16”安全宣传咨询日活动", 420),
            (3, "warning_education", "观看警示教育片《生命重于泰山》", 85))
    for days, kind, title, people in done:
        api.post("/api/v1/activities", json={
            "campaign_id": campaign["id"], "community_id": north.id, "kind": kind,
            "title": title, "held_on": str(today - timedelta(days=days)), "place": "乌龙街道",
            "participants": people, "enterprise_ids": [ent.id]})
    api_as(street).post(f"/api/v1/campaigns/{campaign['id']}/submissions",
                        json={"community_id": north.id})

    for layout in ("phone", "desk"):
        suffix = "" if layout == "phone" else "-desk"
        ctx = new_context(browser, live_server, layout)
        page = ctx.new_page()
        login(page, inspector.username, inspector.password)
        if layout == "phone":
            page.locator("[data-testid=campaign-banner]").wait_for()
            shot(page, folder, "23-campaign-home")
        page.goto(f"/#/activities/new?campaign_id={campaign['id']}")
        page.wait_for_selector("[data-testid=activity-campaign]")
        _fill_drill(page, ent.name)
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, folder, f"24-activity-form{suffix}")
        page.get_by_role("button", name="保存活动").click()
        page.wait_for_selector("[data-testid=activity-item]")
        page.locator("main").get_by_text("待同步").wait_for(state="detached", timeout=30000)
        shot(page, folder, f"25-activities{suffix}")
        ctx.close()

        ctx = new_context(browser, live_server, layout)
        page = ctx.new_page()
        login(page, street.username, street.password)
        if layout == "desk":   # the supervisors' home is the dashboard: the banner on top
            page.locator("[data-testid=campaign-banner]").wait_for()
            shot(page, folder, "23-campaign-home-desk")
        page.goto(f"/#/campaigns/{campaign['id']}")
        page.wait_for_selector("[data-testid=submissions-board] [data-testid=board-row]")
        rows = page.locator("[data-testid=board-row]")
        assert rows.count() == 2   # the street supervisor follows two of the three communities
        assert "已按时报送" in rows.nth(0).inner_text() and "未报送" in rows.nth(1).inner_text()
        page.locator("[data-testid=submissions-board]").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -60)")   # its heading in sight
        shot(page, folder, f"26-submissions-board{suffix}")
        ctx.close()
