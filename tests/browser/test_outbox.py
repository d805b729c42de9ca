"""The outbox's rules, each against the real server with one answer faked where needed:
401 or a refused CSRF token keeps the item and asks for a login; a validation error keeps it for
the user; a 409 on a create (the server holds the id with another body) is a visible conflict
the user resolves, never a silent drop; a captive portal's HTML page is not an acknowledgement;
a full disk is a visible error."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest
import requests

from .conftest import login, outbox_items, text_of, wait_until

pytestmark = pytest.mark.browser

ENQUEUE = """async ([body]) => {
    const outbox = await import('/static/js/outbox.js');
    await outbox.enqueue({ type: 'create', record_id: body.id, method: 'POST',
        url: '/api/v1/hazards', body, check: { url: `/api/v1/hazards/${body.id}`, how: 'exists' },
        label: { key: 'outbox.label.hazard', params: { title: body.title } } });
}"""
SYNC = """async (force) => (await import('/static/js/outbox.js')).sync({ force })"""
ENQUEUE_ITEM = """async (item) => { await (await import('/static/js/outbox.js')).enqueue(item); }"""


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
    assert item["status"] == "pending" and item["attempts"] == 1
    assert item["error"]["kind"] == "not-json"
    assert item["next_at"] > 0

    phone.unroute("**/api/v1/hazards")
    phone.route("**/api/v1/hazards", lambda route: route.fulfill(
        status=503, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "Unavailable", "status": 503,
                         "detail": "down"})))
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
    wait_until(lambda: outbox_items(page) == [], timeout=20,
               message="the item to be sent after login")
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


def relogin_from_banner(page, user):
    page.wait_for_selector("#banner >> text=登录已过期")
    page.locator("#banner button").click()
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(user.password)
    page.locator("form button[type=submit]").click()


def test_refused_csrf_token_keeps_the_item_and_asks_to_log_in(inspector_page, api_as):
    page, ent, inspector = inspector_page
    body = hazard_body(ent, "令牌失效时登记")
    # The token the app keeps (api.setCsrf: IndexedDB meta 'csrf' and its copy in memory) no
    # longer matches the server session's, as after a login on another tab of an older version.
    refused = page.evaluate("""async () => {
        const { setCsrf, api, isCsrfProblem } = await import('/static/js/api.js');
        await setCsrf('stale-token-from-an-older-session');
        try { await api.post('/api/v1/auth/logout', {}); return null; }
        catch (e) {
            return { status: e.status, problem: e.problem,
                     csrf: isCsrfProblem(e.status, e.problem) };
        }
    }""")
    # Answered in Chinese: the text does not say "CSRF"; the field does.
    assert refused["status"] == 403 and refused["csrf"] is True
    assert "csrf" not in refused["problem"]["detail"].lower()
    assert "X-CSRF-Token" in refused["problem"]["errors"]

    page.evaluate(ENQUEUE, [body])
    assert page.evaluate(SYNC, True)["stopped"] == "auth"
    [item] = outbox_items(page)
    assert item["status"] == "auth" and item["error"]["status"] == 403
    relogin_from_banner(page, inspector)
    wait_until(lambda: outbox_items(page) == [], timeout=20,
               message="the item to be sent after login")
    api = api_as(inspector)
    assert api.get(f"/api/v1/hazards/{body['id']}")["title"] == "令牌失效时登记"
    found = api.get("/api/v1/hazards", params={"q": "令牌失效时登记"})["items"]
    assert [h["id"] for h in found] == [body["id"]]  # exactly once


def test_409_on_create(inspector_page, phone, api_as, live_server):
    page, ent, inspector = inspector_page
    api = api_as(inspector)
    # The server holds an inspection under this id begun otherwise (another kind). A 409 on the
    # phone's create means a different body (the same body answers 200): never taken as sent.
    insp_id = str(uuid.uuid4())
    started = datetime.now(timezone.utc).isoformat()
    api.post("/api/v1/inspections", json={"id": insp_id, "enterprise_id": ent.id, "kind": "routine",
                                          "started_at": started})
    page.evaluate(ENQUEUE_ITEM, {
        "type": "create", "record_id": insp_id, "method": "POST", "url": "/api/v1/inspections",
        "body": {"id": insp_id, "enterprise_id": ent.id, "kind": "special", "started_at": started},
        "check": {"url": f"/api/v1/inspections/{insp_id}", "how": "exists"},
        "label": {"key": "outbox.label.inspection", "params": {"name": ent.name}}})
    # A hazard recorded in that inspection on the phone waits behind it.
    hazard = {**hazard_body(ent, "冲突检查中发现"), "inspection_id": insp_id}
    page.evaluate(ENQUEUE_ITEM, {
        "type": "create", "record_id": hazard["id"], "method": "POST", "url": "/api/v1/hazards",
        "body": hazard, "deps": [insp_id],
        "check": {"url": f"/api/v1/hazards/{hazard['id']}", "how": "exists"},
        "label": {"key": "outbox.label.hazard", "params": {"title": hazard["title"]}}})
    for _ in range(2):  # and stays so, round after round
        assert page.evaluate(SYNC, True)["sent"] == 0
        conflict, waiting = outbox_items(page)
        assert conflict["status"] == "conflict" and conflict["error"]["status"] == 409
        assert conflict["error"]["diff"] == [{"field": "kind", "phone": "special",
                                              "server": "routine"}]
        assert waiting["status"] == "pending" and waiting["attempts"] == 0
    assert requests.get(f"{live_server}/api/v1/hazards/{hazard['id']}",
                        cookies=api.s.cookies).status_code == 404

    # Shown with the server's message and the difference; the user chooses.
    page.goto("/#/outbox")
    row = page.locator("[data-testid=outbox-item][data-status=conflict]")
    text = row.inner_text()
    assert "冲突" in text and "已存在且内容不同" in text and "请选择保留哪一份" in text
    diff = text_of(page, "[data-testid=conflict-diff] tbody tr")
    assert diff == "检查类型 专项检查 日常检查"
    assert page.locator("#sync-badge.bad").count() == 1
    # Keep the phone's copy: it goes as a new inspection; the hazard follows it.
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="另存为新记录").click()
    wait_until(lambda: outbox_items(page) == [], timeout=20, message="both items to be sent")
    sent = api.get(f"/api/v1/hazards/{hazard['id']}")
    assert sent["inspection_id"] not in (None, insp_id)
    assert api.get(f"/api/v1/inspections/{sent['inspection_id']}")["kind"] == "special"
    assert api.get(f"/api/v1/inspections/{insp_id}")["kind"] == "routine"  # the server's, untouched

    # A 409 for a record the server cannot show: still a conflict; discarding is explicit.
    ghost = hazard_body(ent, "冲突记录")
    phone.route("**/api/v1/hazards", lambda route: route.fulfill(
        status=409, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "冲突", "status": 409,
                         "detail": "该编号的隐患已存在且内容不同",
                         "errors": {"id": ["该编号的隐患已存在且内容不同"]}})))
    page.evaluate(ENQUEUE, [ghost])
    page.evaluate(SYNC, True)
    [item] = outbox_items(page)
    assert item["status"] == "conflict" and item["error"]["diff"] is None
    row = page.locator("[data-testid=outbox-item][data-status=conflict]")
    row.wait_for()
    assert "无法读取服务器上的这条记录" in row.inner_text()
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name="以服务器为准").click()
    page.wait_for_selector("text=全部已同步")
    assert outbox_items(page) == []


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


def transition_item(hazard, event_id, action="acknowledge", note=None):
    """An outbox item taking `action` on a hazard; the version is read just before sending."""
    body = {"id": event_id, "action": action, "version": None, **({"note": note} if note else {})}
    return {"type": "transition", "record_id": hazard["id"], "chain": hazard["id"],
            "method": "POST", "url": f"/api/v1/hazards/{hazard['id']}/transitions", "body": body,
            "deps": [hazard["id"]],
            "version_from": f"/api/v1/hazards/{hazard['id']}",
            "check": {"url": f"/api/v1/hazards/{hazard['id']}/events", "how": "event",
                      "event_id": event_id, "record_url": f"/api/v1/hazards/{hazard['id']}"},
            "label": {"key": "outbox.label.transition",
                      "params": {"action": action, "title": hazard["title"]}}}


def test_409_on_a_replayed_transition_is_matched_by_its_event_id(inspector_page, phone, api_as):
    """A transition that reached the server while its answer was lost is sent again; the server
    answers 409 (the retry read a newer version, so its body differs) and the outbox finds the
    event of the id it sent: delivered, once. The same action by the same person moments
    before, under another event id, is not this change: a conflict the user sees."""
    page, ent, inspector = inspector_page
    api = api_as(inspector)
    hazard = api.post("/api/v1/hazards", json=hazard_body(ent, "重放的签收"))
    event_id = str(uuid.uuid4())

    def lose_the_answer(route):
        route.fetch()  # the server takes the transition...
        route.abort("connectionreset")  # ...and the answer never reaches the phone
    pattern = f"**/api/v1/hazards/{hazard['id']}/transitions"
    phone.route(pattern, lose_the_answer)
    page.evaluate(ENQUEUE_ITEM, transition_item(hazard, event_id, note="已安排整改"))
    assert page.evaluate(SYNC, True)["stopped"] == "retry"
    assert [e["id"] for e in api.get(f"/api/v1/hazards/{hazard['id']}/events")["items"]
            if e["action"] == "acknowledge"] == [event_id]
    phone.unroute(pattern)
    answers = []
    page.on("response",
            lambda r: answers.append(r.status) if r.url.endswith("/transitions") else None)
    assert page.evaluate(SYNC, True)["sent"] == 1
    assert 409 in answers
    assert outbox_items(page) == []
    events = api.get(f"/api/v1/hazards/{hazard['id']}/events")["items"]
    assert [e["id"] for e in events if e["action"] == "acknowledge"] == [event_id]  # once

    # Submitted from elsewhere by the same inspector a moment ago: the phone's own submit (another
    # event id, the version it saw) is refused with 409 and stays, never taken as sent.
    current = api.get(f"/api/v1/hazards/{hazard['id']}")
    other = api.post("/api/v1/hazards", json=hazard_body(ent, "另一台设备签收"))
    api.post(f"/api/v1/hazards/{other['id']}/transitions",
             json={"action": "acknowledge", "version": other["version"]})
    stale = transition_item(other, str(uuid.uuid4()), note="手机上的签收")
    stale["body"]["version"] = other["version"]
    page.evaluate(ENQUEUE_ITEM, stale)
    assert page.evaluate(SYNC, True)["sent"] == 0
    [item] = outbox_items(page)
    assert item["status"] == "conflict" and item["error"]["status"] == 409
    assert api.get(f"/api/v1/hazards/{hazard['id']}")["version"] == current["version"]
