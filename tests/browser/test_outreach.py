"""Public reports (举报) and warnings (预警) in Chromium: a stranger scans a printed gate code,
reports with a photo and looks the report up by its code; a supervisor triages it and publishes
a warning an officer acknowledges. Screenshots at 390×844 and 1280×800 go to docs/screens when
``ANXUN_SCREENS_DIR`` says so (see test_screens.py)."""
from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image

from .conftest import PHOTOS, TIMEOUT_MS, login, new_phone_context, wait_until
from .test_screens import DESK, check

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Markup in a report stays text wherever it is shown.
TEXT = "后门消防通道被铁链锁住，还堆满纸箱。<b>灭火器已过期</b>"


def snap(page, folder, name, *, both=True):
    """The screen at a phone's size and, with ``both``, at a desk's (the layouts switch live)."""
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(150)
    check(page, name)
    page.screenshot(path=str(folder / f"{name}.png"))
    if both:
        page.set_viewport_size(DESK)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        check(page, f"{name}-desk")
        page.screenshot(path=str(folder / f"{name}-desk.png"))
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(150)


def test_a_stranger_reports_through_the_gate_code_and_a_supervisor_triages(
        browser, live_server, factory, api_as, folder):
    community = factory.community(name="白鹤社区")
    ent = factory.enterprise(community, name="白鹤五金制品厂", risk_level="orange",
                             legal_rep="李建华", phone="023-68112233")
    supervisor = factory.user("supervisor", communities=[community], display_name="街道安委办")
    officer = factory.user("officer", enterprise=ent)
    # an orange neighbour without an officer account: the warning stays unacknowledged there
    factory.enterprise(community, name="白鹤塑料包装厂", risk_level="orange")
    admin = api_as(factory.user("admin"))
    png = admin.s.get(f"{live_server}/api/v1/enterprises/{ent.id}/qr.png")
    [url] = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))]
    assert url.endswith(f"/e/{ent.qr_token}")

    # A stranger's phone: never logged in here.
    ctx = new_phone_context(browser, live_server)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url.replace(url.split("/e/")[0], live_server))
    page.wait_for_selector("[data-testid=public-enterprise]")
    card = page.locator("[data-testid=public-enterprise]").inner_text()
    assert "白鹤五金制品厂" in card and "白鹤社区" in card and "较大风险" in card
    assert "李建华" not in page.content() and "68112233" not in page.content()
    assert ent.credit_code not in page.content()
    snap(page, folder, "31-public-gate", both=False)

    page.get_by_test_id("report-button").click()
    page.locator("textarea[name=text]").fill(TEXT)
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "DSCN0010.jpg"))
    page.wait_for_selector(".thumb img")
    page.get_by_role("button", name="附上我现在的位置").click()
    page.wait_for_selector("text=已附上位置")
    page.locator("input[name=contact]").fill("王女士 13800138000")
    snap(page, folder, "32-public-report", both=False)
    # No signal at the gate: the report waits on the phone, then goes by itself.
    ctx.set_offline(True)
    page.get_by_test_id("send-report").click()
    page.wait_for_selector("[data-testid=sent-card]:has-text('举报已保存在手机上')")
    ctx.set_offline(False)
    page.wait_for_selector("[data-testid=big-code]", timeout=30000)
    code = page.locator("[data-testid=big-code]").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    snap(page, folder, "33-public-sent", both=False)

    # Later, from the tracking link, still logged out.
    page.goto(f"/t/{code}")
    page.wait_for_selector("[data-testid=tip-status]")
    assert "已收到" in page.locator("[data-testid=tip-status]").inner_text()

    # The supervisor's inbox, with the badge; the tip as text, its photo, the contact.
    desk = browser.new_context(base_url=live_server, viewport=PHONE, locale="zh-CN",
                               timezone_id="Asia/Shanghai")
    desk.set_default_timeout(TIMEOUT_MS)
    sup = desk.new_page()
    sup.on("pageerror", lambda exc: errors.append(str(exc)))
    login(sup, supervisor.username, supervisor.password, path="/#/tips")
    wait_until(lambda: sup.locator("#tips-count").inner_text() == "1", message="badge")
    sup.wait_for_selector("[data-testid=tip-item]")
    snap(sup, folder, "35-tips-inbox")
    sup.get_by_test_id("tip-item").first.click()
    sup.wait_for_selector("[data-testid=tip-text]")
    text = sup.get_by_test_id("tip-text")
    assert text.inner_text() == TEXT
    assert text.locator("b").count() == 0  # the reporter's words stay words
    assert "13800138000" in sup.locator("[data-testid=tip-detail]").inner_text()
    sup.wait_for_selector(".tip-photos img")
    sup.locator("select[name=category]").select_option("fire")
    sup.locator("textarea[name=answer]").fill("已派检查员到现场核查")
    snap(sup, folder, "36-tip-triage")
    sup.get_by_role("button", name="受理并登记隐患").click()
    sup.wait_for_selector("text=查看登记的隐患")

    # The stranger sees the answer; the officer has the hazard (and no contact).
    page.reload()
    page.wait_for_selector("[data-testid=tip-status]:has-text('已受理')")
    assert "已派检查员到现场核查" in page.locator("[data-testid=tip-status]").inner_text()
    snap(page, folder, "34-public-track", both=False)
    hazards = api_as(officer).get("/api/v1/hazards")["items"]
    assert [(h["source"], h["title"]) for h in hazards] == [("tip", TEXT)]

    # A warning to the orange-risk enterprises, acknowledged by the officer.
    sup.goto("/#/bulletins/new")
    sup.locator("input[name=title]").fill("强降雨天气安全生产预警")
    sup.locator("textarea[name=body]").fill("预计未来三天有强降雨，请检查厂房排水、配电设施，做好防汛准备。")
    sup.locator("label:has(input[name=risk_levels][value=orange]) span").click()
    snap(sup, folder, "37-bulletin-form")
    sup.get_by_test_id("publish").click()
    sup.wait_for_selector("[data-testid=ack-stats]")
    off = ctx.new_page()
    off.on("pageerror", lambda exc: errors.append(str(exc)))
    login(off, officer.username, officer.password, path="/#/bulletins")
    off.get_by_test_id("bulletin-item").first.click()
    off.get_by_test_id("ack").click()
    off.wait_for_selector("[data-testid=ack-done]", timeout=30000)
    sup.reload()
    sup.wait_for_selector("[data-testid=receipt-acknowledged]")
    assert "白鹤塑料包装厂" in sup.locator("[data-testid=receipt-pending]").inner_text()
    sup.get_by_test_id("remind").wait_for()
    snap(sup, folder, "38-bulletin-status")
    assert not errors, errors
    desk.close()
    ctx.close()
