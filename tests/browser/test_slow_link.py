"""An inspector at a gate with weak signal (issue 11, items 1 and 5): saving never waits for the
network. Once a record is in the phone's outbox the screen moves on, shows it as 待同步, and the
outbox screen shows it on its way; the upload goes on in the background. When the network
comes back the outbox sends at once instead of waiting out its backoff."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from .conftest import PHOTOS, SITE, login, outbox_count, outbox_items, wait_until

pytestmark = pytest.mark.browser

SYNC = """async (force) => (await import('/static/js/outbox.js')).sync({ force })"""


class Stall:
    """Requests matching a route get no answer (a link that stalls) until released."""

    def __init__(self, context, pattern, method="POST"):
        self.context, self.pattern, self.method, self.held = context, pattern, method, []
        context.route(pattern, self._hold)

    def _hold(self, route):
        if route.request.method != self.method:
            return route.continue_()
        self.held.append(route)  # never answered while held

    def wait_held(self, page, timeout=10):
        """Until a request is held (the page is polled, so that Playwright runs the handler)."""
        wait_until(lambda: page.wait_for_timeout(50) or self.held, timeout=timeout,
                   message=f"a request to {self.pattern}")

    def release(self):
        self.context.unroute(self.pattern)
        for route in self.held:
            try:
                route.continue_()
            except Exception:  # noqa: BLE001 - the phone gave up on it (its timeout): sent again
                pass


@pytest.fixture
def gate(factory):
    community = factory.community()
    ent = factory.enterprise(community, name="弱信号测试厂", lat=SITE["lat"], lng=SITE["lng"])
    inspector = factory.user("inspector", communities=[community])
    officer = factory.user("officer", enterprise=ent)
    return {"ent": ent, "inspector": inspector, "officer": officer}


def test_saving_a_hazard_never_waits_for_a_stalled_upload(page, phone, gate, api_as):
    inspector = gate["inspector"]
    login(page, inspector.username, inspector.password)
    page.goto(f"/e/{gate['ent'].qr_token}")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    wait_until(lambda: outbox_count(page) == 0, message="the check-in to be sent")
    inspection_url = page.url

    # The hazard and its photo go out on a link that never answers.
    hazards = Stall(phone, "**/api/v1/hazards")
    photos = Stall(phone, "**/api/v1/photos")
    page.get_by_role("link", name="登记隐患").click()
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "DSCN0010.jpg"))
    page.wait_for_selector(".thumb img")
    page.locator("input[name=title]").fill("消防栓被遮挡")
    page.locator("select[name=category]").select_option("fire")
    started = time.monotonic()
    page.get_by_role("button", name="保存隐患").click()
    # The screen moves on at once: the inspection, the hazard on it as 待同步.
    row = page.locator("main a.item", has_text="消防栓被遮挡")
    row.wait_for(timeout=3000)
    assert time.monotonic() - started < 3
    assert page.url == inspection_url
    assert "待同步" in row.inner_text()
    toast = page.locator("#toast").inner_text()
    assert "正在同步" in toast and "联网后" not in toast
    hazards.wait_held(page)

    # The outbox shows it on its way.
    page.goto("/#/outbox")
    page.wait_for_selector("[data-testid=outbox-item] >> text=正在上传")
    assert [i["type"] for i in outbox_items(page)] == ["create", "photo"]

    # The link recovers: the upload finishes in the background and the inspection says so.
    hazards.release()
    photos.release()
    page.goto(inspection_url)
    row = page.locator("main a.item", has_text="消防栓被遮挡")
    row.locator("text=已同步").wait_for(timeout=60000)
    wait_until(lambda: outbox_count(page) == 0, timeout=60, message="the outbox to drain")
    api = api_as(inspector)
    [hz] = api.get(f"/api/v1/hazards?enterprise_id={gate['ent'].id}")["items"]
    assert hz["title"] == "消防栓被遮挡"
    assert len(api.get(f"/api/v1/hazards/{hz['id']}")["photos"]) == 1


def test_a_step_moves_on_at_once_and_the_hazard_follows_the_sync(page, phone, gate, api_as):
    api = api_as(gate["inspector"])
    hz = api.post("/api/v1/hazards", json={
        "enterprise_id": gate["ent"].id, "title": "配电柜门未关", "category": "electrical",
        "level": "general", "found_at": datetime.now(timezone.utc).isoformat()})
    officer = gate["officer"]
    login(page, officer.username, officer.password)
    page.goto(f"/#/hazards/{hz['id']}")
    page.locator("[data-action=acknowledge]").click()
    stall = Stall(phone, "**/transitions")
    started = time.monotonic()
    page.get_by_role("button", name="签收整改").click()
    page.wait_for_selector("[data-testid=steps-pending]", timeout=3000)
    assert time.monotonic() - started < 3
    assert "签收整改" in page.locator("[data-testid=steps-pending]").inner_text()
    # Nothing else is offered while the step waits (the hazard's state is about to change).
    assert page.locator("main [data-action]").count() == 0
    assert "正在同步" in page.locator("#toast").inner_text()
    stall.wait_held(page)
    stall.release()
    page.wait_for_selector(".chip.state-rectifying", timeout=30000)
    page.wait_for_selector("[data-action=submit]")
    assert api.get(f"/api/v1/hazards/{hz['id']}")["state"] == "rectifying"


def test_back_online_the_outbox_sends_at_once(page, phone, gate, api_as):
    inspector = gate["inspector"]
    login(page, inspector.username, inspector.password)
    page.goto(f"/e/{gate['ent'].qr_token}")
    # The link drops (the phone still thinks it is online): each try fails and backs off.
    phone.route("**/api/v1/inspections", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    for _ in range(5):
        page.evaluate(SYNC, True)
    [item] = outbox_items(page)
    assert item["attempts"] >= 5 and item["next_at"] / 1000 - time.time() > 20  # ≥ 25 s away

    # The network goes, then comes back: sent now, not in half a minute.
    phone.set_offline(True)
    phone.unroute("**/api/v1/inspections")
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(lambda: outbox_count(page) == 0, timeout=8, message="the outbox to send on 'online'")
    inspections = api_as(inspector).get(f"/api/v1/inspections?enterprise_id={gate['ent'].id}")
    assert inspections["total"] == 1
