"""The outbox's rules, each against the real server with one answer faked where needed:
401 keeps the item and asks for a login; a validation error keeps it for the user; a 409 on a
create is delivered when the server already holds the record, a visible conflict otherwise; a
captive portal's HTML page is not an acknowledgement; a full disk is a visible error."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest

from .conftest import login, outbox_items, wait_until

pytestmark = pytest.mark.browser

ENQUEUE = """async ([body]) => {
    const outbox = await import('/static/js/outbox.js');
    await outbox.enqueue({ type: 'create', record_id: body.id, method: 'POST', url: '/api/v1/hazards',
        body, check: { url: `/api/v1/hazards/${body.id}`, how: 'exists' },
        label: { key: 'outbox.label.hazard', params: { title: body.title } } });
}"""
SYNC = """async (force) => (await import('/static/js/outbox.js')).sync({ force })"""


@pytest.fixture
def inspector_page(page, factory):
    community = factory.community()
    ent = factory.enterprise(community)
    inspector = factory.user("inspector", communities=[community])
    login(page, inspector.username, inspector.password)
    return page, ent, inspector


def hazard_body(ent, title="测试隐患"):
    return {"id": str(uuid.uuid4()), "enterprise_id": ent.id, "title": title, "category": "fire",
            "level": "general", "found_at": datetime.now(timezone.utc).isoformat()}


def test_captive_portal_and_5xx_keep_the_item(inspector_page, phone, api_as):
    page, ent, inspector = inspector_page
    body = hazard_body(ent)
    phone.route("**/api/v1/hazards", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<html><form>Wi-Fi login</form></html>"))
    page.evaluate(ENQUEUE, [body])
    result = page.evaluate(SYNC, True)
    assert result["stopped"] == "retry"
    [item] = outbox_items(page)
    assert item["status"] == "pending" and item["attempts"] == 1 and item["error"]["kind"] == "not-json"
    assert item["next_at"] > 0

    phone.unroute("**/api/v1/hazards")
    phone.route("**/api/v1/hazards", lambda route: route.fulfill(
        status=503, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "Unavailable", "status": 503, "detail": "down"})))
    page.evaluate(SYNC, True)
    [item] = outbox_items(page)
    assert item["attempts"] == 2 and item["status"] == "pending"

    phone.unroute("**/api/v1/hazards")
    assert page.evaluate(SYNC, True)["sent"] == 1
    assert outbox_items(page) == []
    assert api_as(inspector).get(f"/api/v1/hazards/{body['id']}")["title"] == "测试隐患"


def test_401_keeps_the_item_and_asks_to_log_in(inspector_page, phone, api_as):
    page, ent, inspector = inspector_page
    body = hazard_body(ent, "登录过期时登记")
    # The session ends on the server (logged out elsewhere / expired).
    page.evaluate("""async () => { const { api } = await import('/static/js/api.js');
                     await api.post('/api/v1/auth/logout', {}); }""")
    page.evaluate(ENQUEUE, [body])
    assert page.evaluate(SYNC, True)["stopped"] == "auth"
    [item] = outbox_items(page)
    assert item["status"] == "auth"
    page.wait_for_selector("#banner >> text=登录已过期")
    page.locator("#banner button").click()
    page.locator("input[name=username]").fill(inspector.username)
    page.locator("input[name=password]").fill(inspector.password)
    page.locator("form button[type=submit]").click()
    wait_until(lambda: outbox_items(page) == [], timeout=20, message="the item to be sent after login")
    assert api_as(inspector).get(f"/api/v1/hazards/{body['id']}")["title"] == "登录过期时登记"


def test_validation_error_needs_attention_and_is_shown(inspector_page):
    page, ent, _ = inspector_page
    body = hazard_body(ent)
    body["level"] = "catastrophic"  # not a level: 422 from the server
    page.evaluate(ENQUEUE, [body])
    other = hazard_body(ent, "后面的独立记录")
    page.evaluate(ENQUEUE, [other])
    result = page.evaluate(SYNC, False)
    assert result["sent"] == 1  # the unrelated record behind it still goes
    [item] = outbox_items(page)
    assert item["status"] == "attention" and item["error"]["status"] == 422
    assert "level" in item["error"]["errors"]
    page.goto("/#/outbox")
    row = page.locator("[data-testid=outbox-item]")
    assert "需要处理" in row.inner_text() and "level" in row.inner_text()
    # Discarding is the user's explicit choice.
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="放弃此条").click()
    page.wait_for_selector("text=全部已同步")


def test_409_on_create(inspector_page, phone, api_as):
    page, ent, inspector = inspector_page
    api = api_as(inspector)
    # The server already has this record (sent earlier; our answer was lost), with a body
    # that differs: 409, and the GET shows the record exists → delivered.
    held = hazard_body(ent, "服务器已有")
    api.post("/api/v1/hazards", json=held)
    page.evaluate(ENQUEUE, [{**held, "description": "手机上多写了一句"}])
    assert page.evaluate(SYNC, True)["sent"] == 1
    assert outbox_items(page) == []

    # A 409 for a record the server does not have: a visible conflict, never dropped.
    ghost = hazard_body(ent, "冲突记录")
    phone.route("**/api/v1/hazards", lambda route: route.fulfill(
        status=409, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "Conflict", "status": 409,
                         "detail": "id already used"})))
    page.evaluate(ENQUEUE, [ghost])
    page.evaluate(SYNC, True)
    [item] = outbox_items(page)
    assert item["status"] == "conflict"
    page.goto("/#/outbox")
    assert "冲突" in page.locator("[data-testid=outbox-item]").inner_text()
    assert page.locator("#sync-badge.bad").count() == 1


def test_full_storage_is_a_visible_error(inspector_page, factory, live_server):
    page, ent, _ = inspector_page
    page.goto(f"/e/{ent.qr_token}")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    page.get_by_role("link", name="登记隐患").click()
    page.locator("input[name=title]").fill("存储已满时登记")
    page.locator("select[name=category]").select_option("fire")
    page.evaluate("""() => {
        IDBObjectStore.prototype.add = function () {
            throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        };
    }""")
    page.get_by_role("button", name="保存隐患").click()
    page.wait_for_selector("#toast.error >> text=存储空间已满")
    page.wait_for_selector("#banner >> text=存储空间已满")
    assert page.locator("input[name=title]").input_value() == "存储已满时登记"  # nothing lost
