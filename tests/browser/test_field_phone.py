"""A new inspector on a phone at 390×844 (issue 11, items 5–7 and 11): the enterprise card at the
gate, scanning without a camera, the hazard form, links to server files while offline, and the
touch targets and layout details that were too small or cut off."""
from __future__ import annotations

import pytest

from .conftest import (PHOTOS, SITE, login, new_phone_context, outbox_count, wait_sw_controlled,
                       wait_until)

pytestmark = pytest.mark.browser

PHONE_BOTTOM = 844 - 60  # above the tab bar


def box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.fixture
def street(factory):
    north = factory.community(name="青松社区")
    south = factory.community(name="石坪社区")
    ent = factory.enterprise(north, name="零隐患测试厂", lat=SITE["lat"], lng=SITE["lng"],
                             phone="023-68001234", safety_officer="周敏")
    inspector = factory.user("inspector", communities=[north], display_name="祁旭")
    supervisor = factory.user("supervisor", communities=[north, south])
    return {"ent": ent, "inspector": inspector, "supervisor": supervisor}


def test_the_card_at_the_gate_and_scanning_without_a_camera(page, street):
    inspector = street["inspector"]
    login(page, inspector.username, inspector.password)
    page.goto(f"/e/{street['ent'].qr_token}")
    page.wait_for_selector("h2:has-text('零隐患测试厂')")
    # 未销号隐患: 0, not a blank tile.
    tile = page.locator("main .stats .stat").first
    assert tile.locator(".v").inner_text().strip() == "0"
    assert "未销号隐患" in tile.inner_text()
    # The phone number is a full-size target.
    phone = box(page, "main a[href^='tel:']")
    assert phone["height"] >= 44 and phone["width"] >= 44

    # No camera on this browser: no black box; typing the code is in view.
    page.goto("/#/scan")
    page.wait_for_selector(".scanner .status:has-text('手动输入')")
    scanner = box(page, ".scanner")
    assert scanner["height"] < 120
    code = box(page, "input[name=code]")
    opened = box(page, "main form button[type=submit]")
    assert code["y"] + code["height"] <= PHONE_BOTTOM
    assert opened["y"] + opened["height"] <= PHONE_BOTTOM


def test_hazard_form_camera_first_and_save_in_reach(page, street):
    inspector = street["inspector"]
    login(page, inspector.username, inspector.password)
    page.goto(f"/e/{street['ent'].qr_token}")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    page.get_by_role("link", name="登记隐患").click()
    page.wait_for_selector("input[name=title]")
    # The camera first: most inspectors photograph, then describe.
    assert box(page, "label.photo-add")["y"] < box(page, "input[name=title]")["y"]
    assert box(page, "label.photo-add")["y"] + 40 < PHONE_BOTTOM

    def save_in_reach():
        b = box(page, "button:has-text('保存隐患')")
        assert b["y"] >= 56 and b["y"] + b["height"] <= PHONE_BOTTOM + 1, b
        # Nothing covers it (the tab bar, a card).
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent",
            [b["x"] + b["width"] / 2, b["y"] + b["height"] / 2])
        assert hit == "保存隐患"

    save_in_reach()
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "DSCN0010.jpg"))
    page.wait_for_selector(".thumb img")
    page.locator("textarea[name=description]").scroll_into_view_if_needed()
    save_in_reach()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    save_in_reach()


def test_server_files_offline_say_they_need_a_connection(page, phone, street):
    inspector = street["inspector"]
    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.goto(f"/e/{street['ent'].qr_token}")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    wait_until(lambda: outbox_count(page) == 0, message="the check-in to be sent")
    notice = page.locator("[data-testid=notice-pdf]")
    notice.wait_for()
    pdf_url = notice.get_attribute("href")

    phone.set_offline(True)
    wait_until(lambda: page.evaluate("document.body.classList.contains('offline')"),
               message="offline")
    assert "需联网" in page.evaluate(
        "getComputedStyle(document.querySelector('[data-testid=notice-pdf]'), '::after').content")
    notice.click()
    page.wait_for_selector("#toast:has-text('需要联网')")
    assert len(phone.pages) == 1  # no tab with the browser's own (English) error page

    # Opened anyway (a bookmark, a link elsewhere): a page in Chinese, from the service worker.
    page.goto(pdf_url)
    page.wait_for_selector("text=需要联网")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    phone.set_offline(False)


def test_touch_targets_and_layout_details(page, browser, live_server, street):
    inspector = street["inspector"]
    login(page, inspector.username, inspector.password)
    # The outbox card's link is a full-size target.
    link = box(page, "[data-testid=outbox-card] a.sync-link")
    assert link["height"] >= 44
    # The avatar's letter sits in the middle of its square.
    page.goto("/#/me")
    page.wait_for_selector(".avatar")
    offset = page.evaluate("""() => {
        const el = document.querySelector('.avatar');
        const range = document.createRange(); range.selectNodeContents(el);
        const a = el.getBoundingClientRect(); const t = range.getBoundingClientRect();
        return [Math.abs((a.left + a.width / 2) - (t.left + t.width / 2)),
                Math.abs((a.top + a.height / 2) - (t.top + t.height / 2))];
    }""")
    assert offset[0] <= 2 and offset[1] <= 3, offset

    # A supervisor of two communities: every filter is whole on a 390 px screen (仅逾期 too).
    ctx = new_phone_context(browser, live_server)
    try:
        sp = ctx.new_page()
        login(sp, street["supervisor"].username, street["supervisor"].password)
        sp.goto("/#/hazards")
        sp.wait_for_selector("select[name=community_id]")
        assert sp.evaluate("document.documentElement.scrollWidth") <= 390
        for selector in ["select[name=state]", "select[name=level]", "select[name=community_id]"]:
            b = box(sp, selector)
            assert b["x"] >= 0 and b["x"] + b["width"] <= 390, (selector, b)
        toggles = sp.locator(".filter-toggle")
        assert toggles.count() == 2                                   # 仅逾期, 仅挂牌督办
        for i in range(toggles.count()):
            b = toggles.nth(i).bounding_box()
            assert toggles.nth(i).is_visible() and b["x"] >= 0 and b["x"] + b["width"] <= 390, b
    finally:
        ctx.close()


def test_a_logged_out_start_logs_no_error_and_an_unchanged_registry_is_not_sent_again(
        page, street):
    """Who am I is asked without a 401 (GET /auth/session); the registry is asked for again
    with If-None-Match (the browser's HTTP cache keeps it: no 'no-store') and answered 304."""
    answers = []
    page.on("response", lambda r: answers.append((r.url, r.status)) if "/api/" in r.url else None)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    page.wait_for_selector("input[name=username]")
    page.wait_for_load_state("networkidle")
    assert any(u.endswith("/api/v1/auth/session") and s == 200 for u, s in answers), answers
    assert not [a for a in answers if a[1] == 401], answers
    assert errors == []

    inspector = street["inspector"]
    # What went over the wire: the HTTP cache adds If-None-Match and takes the 304 itself (the
    # page sees a 200), so the raw exchange is read from the DevTools protocol.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    urls, sent, status = {}, {}, {}
    cdp.on("Network.requestWillBeSent", lambda ev: urls.__setitem__(ev["requestId"],
                                                                     ev["request"]["url"]))
    cdp.on("Network.requestWillBeSentExtraInfo", lambda ev: sent.__setitem__(
        ev["requestId"], {k.lower(): v for k, v in ev["headers"].items()}))
    cdp.on("Network.responseReceivedExtraInfo",
           lambda ev: status.__setitem__(ev["requestId"], ev["statusCode"]))

    def registry():
        page.wait_for_timeout(50)  # lets Playwright deliver the protocol's events meanwhile
        return [(sent.get(i, {}).get("if-none-match"), status.get(i)) for i, u in urls.items()
                if "/api/v1/enterprises?" in u and status.get(i)]

    login(page, inspector.username, inspector.password)
    page.goto("/#/me")
    page.wait_for_selector("text=已缓存 1 家企业")
    wait_until(registry, message="the registry download")
    first = len(registry())
    page.get_by_role("button", name="更新").click()
    wait_until(lambda: len(registry()) > first, message="the registry asked again")
    assert registry()[0] == (None, 200)
    etag, code = registry()[-1]
    assert etag and code == 304, registry()
    page.wait_for_selector("text=已缓存 1 家企业")
