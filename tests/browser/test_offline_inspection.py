"""A whole inspection recorded with no network, then synced exactly once — through a server
that drops an answer and fails with 503 in the middle of the sync."""
from __future__ import annotations

import hashlib

import pytest

from .conftest import (SITE, jpeg_with_gps, login, outbox_count, outbox_items, wait_sw_controlled,
                       wait_until)

pytestmark = pytest.mark.browser


def test_inspection_offline_then_synced_exactly_once(page, phone, factory, api_as, live_server,
                                                     tmp_path):
    community = factory.community()
    ent = factory.enterprise(community, name="离线测试化工有限公司", lat=SITE["lat"],
                             lng=SITE["lng"], risk_level="orange")
    inspector = factory.user("inspector", communities=[community])
    api = api_as(inspector)

    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    # The registry of the inspector's communities is on the phone: a scan works offline.
    page.goto("/#/me")
    page.wait_for_selector("text=已缓存 1 家企业")

    # ---- no network at all: the page and the service worker both fail to reach the server
    phone.set_offline(True)
    phone.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.goto("/#/scan")
    page.locator("input[name=code]").fill(f"{live_server}/e/{ent.qr_token}")
    page.get_by_role("button", name="打开企业卡片").click()
    page.wait_for_selector("text=离线测试化工有限公司")
    page.get_by_text("四不两直").click()
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    assert "精度" in page.locator("[data-testid=checkin]").inner_text()

    page.get_by_role("link", name="登记隐患").click()
    page.locator("input[name=title]").fill("储罐区消防通道堵塞")
    page.locator("textarea[name=description]").fill("通道堆放空桶，宽度不足")
    page.locator("select[name=category]").select_option("fire")
    page.get_by_text("重大隐患", exact=True).click()
    photo = tmp_path / "IMG_0001.jpg"
    original = jpeg_with_gps()
    photo.write_bytes(original)
    page.locator("input[type=file]").set_input_files(str(photo))
    page.wait_for_selector(".thumb img")
    page.get_by_role("button", name="保存隐患").click()
    page.wait_for_selector("text=储罐区消防通道堵塞")

    page.get_by_role("link", name="结束检查").click()
    page.locator("textarea[name=summary]").fill("消防通道问题已当场告知企业负责人")
    page.get_by_role("button", name="确认结束检查").click()
    page.wait_for_selector(".scan-hero")

    items = outbox_items(page)
    assert [i["type"] for i in items] == ["create", "create", "photo", "update"]
    assert page.locator("#sync-badge").inner_text().strip().startswith("4")
    photo_item = page.evaluate("""async () => {
        const { db } = await import('/static/js/db.js');
        const item = (await (await db()).getAll('outbox')).find((i) => i.photo);
        const bytes = new Uint8Array(await item.photo.blob.arrayBuffer());
        return { size: bytes.length, sha256: item.photo.fields.sha256,
                 hazard: item.photo.fields.hazard_id };
    }""")
    assert photo_item["size"] <= 400 * 1024 < len(original)
    inspection_id, hazard_id = items[0]["record_id"], items[1]["record_id"]
    assert photo_item["hazard"] == hazard_id

    # Nothing reached the server.
    assert api.get(f"/api/v1/hazards?enterprise_id={ent.id}")["total"] == 0
    # The hazard only the phone knows: shown, with no step offered until the server has it.
    page.goto(f"/#/hazards/{hazard_id}")
    page.wait_for_selector("[data-testid=actions-after-sync]")
    assert page.locator("main [data-action]").count() == 0
    page.goto("/#/")
    page.wait_for_selector(".scan-hero")

    # ---- the network returns, but the server misbehaves mid-sync:
    #   the hazard is stored but its answer is lost; the photo upload first meets a 503.
    phone.unroute("**/api/**")
    seen = {"hazard": 0, "photo": 0}

    def flaky(route):
        req = route.request
        if req.method == "POST" and req.url.endswith("/api/v1/hazards"):
            seen["hazard"] += 1
            if seen["hazard"] == 1:
                route.fetch()  # the server stores it…
                return route.abort("connectionreset")  # …and the answer never arrives
        if req.method == "POST" and req.url.endswith("/api/v1/photos"):
            seen["photo"] += 1
            if seen["photo"] == 1:
                return route.fulfill(status=503, content_type="text/html",
                                     body="<html>Service Unavailable</html>")
        return route.continue_()

    phone.route("**/api/**", flaky)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")

    def drained():
        if outbox_count(page) == 0:
            return True
        # Backoff keeps an item waiting; the user presses "立即同步".
        button = page.get_by_role("button", name="立即同步")
        if button.count() and button.first.is_enabled():
            button.first.click()
        return False

    wait_until(drained, timeout=60, interval=1.0, message="the outbox to drain")
    assert seen["hazard"] >= 2 and seen["photo"] >= 2

    # ---- exactly once on the server
    inspections = api.get(f"/api/v1/inspections?enterprise_id={ent.id}")["items"]
    assert [i["id"] for i in inspections] == [inspection_id]
    detail = api.get(f"/api/v1/inspections/{inspection_id}")
    assert detail["kind"] == "unannounced"
    assert detail["ended_at"] and detail["summary"] == "消防通道问题已当场告知企业负责人"
    assert detail["on_site"] is True and detail["distance_m"] < 50
    hazards = api.get(f"/api/v1/hazards?enterprise_id={ent.id}")["items"]
    assert [h["id"] for h in hazards] == [hazard_id]
    hz = api.get(f"/api/v1/hazards/{hazard_id}")
    assert hz["level"] == "major" and hz["inspection_id"] == inspection_id
    assert len(hz["photos"]) == 1
    stored = hz["photos"][0]
    assert stored["sha256"] == photo_item["sha256"]
    assert max(stored["width"], stored["height"]) <= 1600
    # EXIF read on the phone and carried in the resized copy: GPS and capture time.
    assert abs(stored["exif_location"]["lat"] - 29.5331) < 1e-4
    assert abs(stored["exif_location"]["lng"] - 106.5002) < 1e-4
    assert stored["taken_at"]
    original_bytes = api.s.get(live_server + stored["urls"]["original"]).content
    assert hashlib.sha256(original_bytes).hexdigest() == photo_item["sha256"]

    page.goto("/#/")
    page.wait_for_selector("text=全部已同步")
