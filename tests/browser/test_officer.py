"""The enterprise safety officer (企业安全员): my hazards by deadline, acknowledge, the
governance plan of a major hazard, a rectification with photos; interviews and inbox. Then the
inspector re-checks it (verify)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import PHOTOS, SITE, login, new_phone_context

pytestmark = pytest.mark.browser


def iso(dt):
    return dt.isoformat()


@pytest.fixture
def site(factory, api_as):
    community = factory.community()
    ent = factory.enterprise(community, name="安全员测试印刷厂", lat=SITE["lat"], lng=SITE["lng"])
    officer = factory.user("officer", enterprise=ent, display_name="周安全")
    inspector = factory.user("inspector", communities=[community])
    api = api_as(inspector)
    now = datetime.now(timezone.utc)
    later = api.post("/api/v1/hazards", json={
        "enterprise_id": ent.id, "title": "配电箱未接地", "description": "车间东侧配电箱",
        "category": "electrical", "level": "major", "found_at": iso(now),
        "deadline": iso(now + timedelta(days=30))})
    sooner = api.post("/api/v1/hazards", json={
        "enterprise_id": ent.id, "title": "灭火器过期", "category": "fire", "level": "general",
        "found_at": iso(now), "deadline": iso(now + timedelta(days=2))})
    return {"ent": ent, "officer": officer, "inspector": inspector, "api": api,
            "major": later, "general": sooner}


def test_officer_rectifies_and_inspector_verifies(page, browser, live_server, site):
    officer = site["officer"]
    login(page, officer.username, officer.password)
    page.wait_for_selector("[data-testid=hazard-item]")
    titles = page.locator("[data-testid=hazard-item] .item-title").all_inner_texts()
    assert titles[:2] == ["灭火器过期", "配电箱未接地"]  # by deadline

    # Acknowledge (签收整改) the general hazard.
    page.locator("[data-testid=hazard-item]", has_text="灭火器过期").click()
    page.locator("[data-action=acknowledge]").click()
    page.locator("textarea[name=note]").fill("已安排更换")
    page.get_by_role("button", name="签收整改").click()
    page.wait_for_selector(".chip.state-rectifying")

    # A rectification needs a photo: the form says so next to the field.
    page.locator("[data-action=submit]").click()
    page.locator("textarea[name=note]").fill("已更换4具灭火器")
    page.get_by_role("button", name="提交整改").click()
    assert "请至少拍一张" in page.locator(".field-error").inner_text()
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "DSCN0010.jpg"))
    page.wait_for_selector(".thumb img")
    page.get_by_role("button", name="提交整改").click()
    page.wait_for_selector(".chip.state-submitted")
    assert page.locator(".timeline li").count() >= 3  # report, acknowledge, submit
    hz = site["api"].get(f"/api/v1/hazards/{site['general']['id']}")
    assert hz["state"] == "submitted"
    assert [p["kind"] for p in hz["photos"]] == ["rectification"]

    # The major hazard's governance plan (治理方案).
    page.goto(f"/#/hazards/{site['major']['id']}")
    plan = page.locator("[data-testid=plan]")
    assert "未制定" in plan.inner_text()
    plan.get_by_role("link", name="填写治理方案").click()
    page.locator("textarea[name='governance_plan.goals_tasks']").fill("一周内完成接地改造")
    page.locator("textarea[name='governance_plan.methods_measures']").fill("重新敷设接地线，检测接地电阻")
    page.locator("textarea[name='governance_plan.funds_materials']").fill(
        "预算 8000 元，材料已采购")
    page.locator("input[name='governance_plan.responsible_body']").fill("设备科")
    page.locator("input[name='governance_plan.responsible_people']").fill("王电工")
    page.locator("input[name='governance_plan.deadline']").fill("2030-01-15")
    page.locator("textarea[name='governance_plan.safety_measures']").fill("施工时断电挂牌")
    page.locator("textarea[name='governance_plan.emergency_plan']").fill("触电应急预案")
    page.get_by_role("button", name="保存治理方案").click()
    page.wait_for_selector("[data-testid=plan] >> text=已制定")
    plan_saved = site["api"].get(f"/api/v1/hazards/{site['major']['id']}")["governance_plan"]
    assert plan_saved["responsible_people"] == "王电工" and plan_saved["deadline"] == "2030-01-15"

    # Interviews and inbox render for the officer.
    page.locator("#tabbar [data-tab=interviews]").click()
    page.wait_for_selector("h2.section-title")
    page.locator("#tabbar [data-tab=inbox]").click()
    page.wait_for_selector("[data-testid=notification]")  # the new hazards were announced
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_selector("#inbox-count[hidden]", state="attached")
    assert page.get_by_role("button", name="全部标为已读").count() == 0

    # The inspector re-checks the rectification on another phone.
    ctx = new_phone_context(browser, live_server)
    try:
        ip = ctx.new_page()
        login(ip, site["inspector"].username, site["inspector"].password)
        ip.goto(f"/#/hazards/{site['general']['id']}")
        ip.locator("[data-action=verify]").click()
        ip.locator("textarea[name=note]").fill("现场复查，灭火器均在有效期内")
        ip.get_by_role("button", name="复查通过").click()
        ip.wait_for_selector(".chip.state-verified")
    finally:
        ctx.close()
    assert site["api"].get(f"/api/v1/hazards/{site['general']['id']}")["state"] == "verified"


def test_reject_needs_a_reason(page, site):
    api = site["api"]
    hz = site["general"]
    hz = api.post(f"/api/v1/hazards/{hz['id']}/transitions",
                  json={"action": "acknowledge", "version": hz["version"]})
    with open(PHOTOS / "DSCN0010.jpg", "rb") as f:
        photo = api.post("/api/v1/photos", data={"hazard_id": hz["id"], "kind": "rectification"},
                         files={"file": ("fix.jpg", f, "image/jpeg")})
    api.post(f"/api/v1/hazards/{hz['id']}/transitions",
             json={"action": "submit", "version": hz["version"], "photo_ids": [photo["id"]]})

    login(page, site["inspector"].username, site["inspector"].password)
    page.goto(f"/#/hazards/{hz['id']}")
    page.locator("[data-action=reject]").click()
    page.get_by_role("button", name="复查不通过").click()
    assert "必须填写原因" in page.locator(".field-error").inner_text()
    page.locator("textarea[name=note]").fill("仍有1具灭火器压力不足")
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "landscape_6.jpg"))
    page.wait_for_selector(".thumb img")
    page.get_by_role("button", name="复查不通过").click()
    page.wait_for_selector(".chip.state-rectifying")
    page.wait_for_selector(".t-note >> text=仍有1具灭火器压力不足")
    after = api.get(f"/api/v1/hazards/{hz['id']}")
    assert after["state"] == "rectifying" and after["rejection_count"] == 1
    # What the re-check found goes with the verdict as a 复查照片.
    assert sorted(p["kind"] for p in after["photos"]) == ["recheck", "rectification"]
    [reject] = [e for e in api.get(f"/api/v1/hazards/{hz['id']}/events")["items"]
                if e["action"] == "reject"]
    assert ([p["id"] for p in after["photos"] if p["kind"] == "recheck"]
            == reject["data"]["photo_ids"])


def test_follow_up_inspection_lists_earlier_hazards(page, site):
    login(page, site["inspector"].username, site["inspector"].password)
    page.goto(f"/e/{site['ent'].qr_token}")
    page.get_by_text("回头看").click()
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("text=回头看：复查以前的隐患（2）")
    page.locator("[data-testid=hazard-item]", has_text="灭火器过期").click()
    page.wait_for_selector("h2:has-text('灭火器过期')")
