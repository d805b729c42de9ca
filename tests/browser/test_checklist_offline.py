"""A whole checklist answered with no network, one item failed into a major hazard with a
photo, then synced exactly once, through a server whose first answer is lost on the way."""
from __future__ import annotations

import pytest

from .conftest import SITE, jpeg_with_gps, login, outbox_count, wait_for_js, wait_sw_controlled, \
    wait_until

pytestmark = pytest.mark.browser

ITEMS = [
    {"code": "E4", "text": "疏散通道和安全出口畅通", "category": "fire",
     "basis": "《安全生产法》第四十二条"},
    {"code": "D3", "text": "干式除尘系统采取了泄爆、惰化、抑爆等爆炸防控措施", "category": "dust",
     "basis": "应急管理部令第10号 第十一条第（三）项", "requires_photo": True,
     "major_if_failed": True},
    {"code": "L2", "text": "有限空间作业执行“先通风、再检测、后作业”", "category": "confined_space",
     "basis": "应急管理部令第10号 第十三条第（二）项", "major_if_failed": True},
]


def test_a_checklist_answered_offline_syncs_exactly_once(page, phone, factory, api_as,
                                                          live_server, tmp_path):
    community = factory.community()
    ent = factory.enterprise(community, name="离线粉尘木业有限公司", lat=SITE["lat"],
                             lng=SITE["lng"], industry="manufacturing")
    inspector = factory.user("inspector", communities=[community])
    supervisor = factory.user("supervisor", communities=[community])
    checklist = api_as(supervisor).post("/api/v1/checklists", json={
        "name": "木材加工粉尘检查", "industries": ["manufacturing"], "items": ITEMS})
    api = api_as(inspector)

    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.goto("/#/me")
    page.wait_for_selector("text=已缓存 1 家企业")
    # The checklists are on the phone too (warmed at login).
    wait_for_js(page, """(async () => { const { cacheGet } = await import('/static/js/db.js');
        const hit = await cacheGet('/api/v1/checklists?per_page=200');
        return !!hit && hit.data.items.some((c) => c.name === '木材加工粉尘检查'); })()""")

    # ---- no network from here on
    phone.set_offline(True)
    phone.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.goto(f"/#/enterprise/{ent.id}")
    page.locator(".check-option", has_text="木材加工粉尘检查").click()
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=check-item][data-code=E4]")
    page.locator("[data-answer=pass]").click()
    # The next unanswered item comes up: D3, a major-hazard case needing a photo.
    page.wait_for_selector("[data-testid=check-item][data-code=D3]")
    page.locator("[data-answer=fail]").click()
    page.locator("textarea[name=note]").fill("布袋除尘器未设泄爆口")
    page.get_by_role("button", name="保存（不符合）").click()
    assert "此项不符合时须拍照" in page.locator("[data-field=photo_ids]").inner_text()
    photo = tmp_path / "IMG_0002.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.locator("input[type=file]").set_input_files(str(photo))
    page.wait_for_selector(".thumb img")
    page.get_by_role("button", name="保存（不符合）").click()
    page.wait_for_selector("[data-testid=check-item][data-code=L2]")
    page.locator("[data-answer=na]").click()
    page.locator("form.na-form textarea[name=note]").fill("本厂无有限空间作业")
    page.get_by_role("button", name="确认不适用").click()
    page.wait_for_selector("[data-testid=check-done]")
    assert "50%" in page.locator("[data-testid=check-done]").inner_text()  # 1 pass of 2 judged
    page.locator("[data-testid=check-done] a.btn").click()
    page.locator("textarea[name=summary]").fill("除尘系统问题已告知企业")
    page.get_by_role("button", name="确认结束检查").click()
    page.wait_for_selector(".scan-hero")
    assert api.get(f"/api/v1/inspections?enterprise_id={ent.id}")["total"] == 0  # nothing sent

    # ---- the network returns; the server stores the first answer but its reply is lost
    phone.unroute("**/api/**")
    seen = {"answers": 0}

    def flaky(route):
        req = route.request
        if req.method == "PUT" and "/answers/" in req.url:
            seen["answers"] += 1
            if seen["answers"] == 1:
                route.fetch()
                return route.abort("connectionreset")
        return route.continue_()

    phone.route("**/api/**", flaky)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    def drained():
        if outbox_count(page) == 0:
            return True
        button = page.get_by_role("button", name="立即同步")
        if button.count() and button.first.is_enabled():
            button.first.click()
        return False

    wait_until(drained, timeout=60, interval=1.0, message="the outbox to drain")
    assert seen["answers"] >= 4  # three answers, the first one twice

    [inspection] = api.get(f"/api/v1/inspections?enterprise_id={ent.id}")["items"]
    detail = api.get(f"/api/v1/inspections/{inspection['id']}")
    assert detail["ended_at"] and detail["checklist_id"] == checklist["id"]
    answers = {i["code"]: i["answer"] for i in detail["checklist"]["items"]}
    assert {c: a["result"] for c, a in answers.items()} == {"E4": "pass", "D3": "fail",
                                                            "L2": "na"}
    assert detail["score"] == 0.5
    [hazard] = api.get(f"/api/v1/hazards?enterprise_id={ent.id}")["items"]
    assert answers["D3"]["hazard_id"] == hazard["id"]
    full = api.get(f"/api/v1/hazards/{hazard['id']}")
    assert full["level"] == "major" and full["escalated"] is True  # R1
    assert full["checklist_item"] == "D3" and len(full["photos"]) == 1
    assert answers["D3"]["photo_ids"] == [full["photos"][0]["id"]]
