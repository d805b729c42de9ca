"""Screenshots of the main screens, in Chinese and one in English: on a phone (390×844,
``NN-name.png``) and at a desk (1280×800, ``NN-name-desk.png``: side navigation, lists as tables).

They go to a temporary folder; ``ANXUN_SCREENS_DIR=docs/screens`` writes the README's pictures.
Every screen is also checked for what a person relies on: no horizontal scrolling, touch
targets at least 44 px, every form control labelled.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import PHOTOS, SITE, TIMEOUT_MS, login, new_phone_context, wait_sw_controlled

pytestmark = pytest.mark.browser

A11Y_CHECK = """() => {
  const problems = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push('horizontal scroll');
  }
  const targets = ['main button', 'main a.btn', 'main a.item', 'main a.sync-link',
    'main a[href^="tel:"]', 'main .segmented span',
    'main select', 'main input:not([type=file]):not([type=radio]):not([type=checkbox])',
    '#tabbar a', '.appbar button', '#banner button'].join(', ');
  for (const el of document.querySelectorAll(targets)) {
    const r = el.getBoundingClientRect();
    if (r.width && r.height && (r.height < 43.5 || r.width < 43.5)) {
      problems.push(`small target: ${el.outerHTML.slice(0, 80)} ${r.width}x${r.height}`);
    }
  }
  for (const el of document.querySelectorAll('main input, main select, main textarea')) {
    if (el.type === 'hidden') continue;
    const named = el.labels?.length || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby') || el.closest('label');
    if (!named) problems.push(`unlabelled: ${el.outerHTML.slice(0, 80)}`);
  }
  return problems;
}"""


def check(page, name):
    page.wait_for_timeout(300)  # let fonts and transitions settle
    page.evaluate("document.getElementById('toast').hidden = true")  # a passing toast
    problems = page.evaluate(A11Y_CHECK)
    assert not problems, (name, problems)


def shot(page, folder, name):
    check(page, name)
    page.screenshot(path=str(folder / f"{name}.png"))


DESK = {"width": 1280, "height": 800}


def new_context(browser, base_url, layout):
    """A phone (390×844, touch) or a desk's browser window (1280×800, a mouse)."""
    if layout == "phone":
        return new_phone_context(browser, base_url)
    ctx = browser.new_context(
        base_url=base_url, viewport=DESK, locale="zh-CN", timezone_id="Asia/Shanghai",
        geolocation={"latitude": SITE["lat"], "longitude": SITE["lng"], "accuracy": 15},
        permissions=["geolocation"])
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


@pytest.mark.screens
@pytest.mark.parametrize("layout", ["phone", "desk"])
def test_main_screens(browser, live_server, factory, api_as, folder, tmp_path, layout):
    suffix = "" if layout == "phone" else "-desk"

    def snap(page, name):
        shot(page, folder, f"{name}{suffix}")

    community = factory.community(name="乌龙社区")
    ent = factory.enterprise(community, name="重庆乌龙精细化工有限公司", lat=SITE["lat"],
                             lng=SITE["lng"], risk_level="orange",
                             address="九龙坡区乌龙街道青松路18号",
                             legal_rep="陈建国", safety_officer="周敏", phone="023-68001234",
                             employees=126, industry="hazardous_chemicals")
    other = factory.enterprise(community, name="乌龙便民超市", risk_level="blue",
                               address="九龙坡区乌龙街道正街3号", industry="retail",
                               lat=SITE["lat"] - 0.004, lng=SITE["lng"] + 0.006)
    # more of the street, so that the dashboard's map shows every risk colour
    factory.enterprise(community, name="渝西铸造有限公司", risk_level="red",
                       address="九龙坡区乌龙街道工业园2号", industry="manufacturing",
                       lat=SITE["lat"] + 0.005, lng=SITE["lng"] + 0.004)
    factory.enterprise(community, name="乌龙物流仓储中心", risk_level="yellow",
                       address="九龙坡区乌龙街道青松路40号", industry="warehousing",
                       lat=SITE["lat"] + 0.002, lng=SITE["lng"] - 0.007)
    inspector = factory.user("inspector", communities=[community],
                             display_name="祁旭（综合执法队）")
    officer = factory.user("officer", enterprise=ent, display_name="周敏")
    supervisor = factory.user("supervisor", communities=[community], display_name="街道安委办")
    admin = factory.user("admin", display_name="系统管理员")
    api = api_as(inspector)
    now = datetime.now(timezone.utc)
    major = api.post("/api/v1/hazards", json={
        "enterprise_id": ent.id, "title": "液氨储罐区未设置泄漏报警装置", "category": "chemicals",
        "level": "major", "found_at": now.isoformat(), "place": "东侧储罐区",
        "description": "储罐区未安装可燃/有毒气体泄漏报警，且无联动切断。"})
    general = api.post("/api/v1/hazards", json={
        "enterprise_id": ent.id, "title": "车间安全出口堆放杂物", "category": "fire",
        "level": "general", "found_at": now.isoformat(),
        "deadline": (now + timedelta(days=2)).isoformat()})
    api.post("/api/v1/hazards", json={
        "enterprise_id": other.id, "title": "配电箱未上锁", "category": "electrical",
        "level": "general", "found_at": (now - timedelta(days=10)).isoformat(),
        "deadline": (now - timedelta(days=3)).isoformat()})
    api.post(f"/api/v1/hazards/{general['id']}/transitions",
             json={"action": "acknowledge", "version": general["version"], "note": "已安排清理"})
    # The officer took on the major hazard; its plan is still to be written (提交整改 waits).
    major = api_as(officer).post(f"/api/v1/hazards/{major['id']}/transitions",
                                 json={"action": "acknowledge", "version": major["version"]})
    # The interview the major hazard opened (R1) is set for this afternoon.
    sup_api = api_as(supervisor)
    [interview] = sup_api.get(f"/api/v1/interviews?enterprise_id={ent.id}")["items"]
    sup_api.post(f"/api/v1/interviews/{interview['id']}/transitions", json={
        "action": "schedule", "version": interview["version"], "place": "街道安委办会议室",
        "scheduled_at": (now + timedelta(hours=3)).isoformat(), "interviewers": ["张主任"]})

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    page.goto("/")
    page.wait_for_selector("input[name=username]")
    snap(page, "01-login")
    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.goto(f"/e/{ent.qr_token}")
    page.wait_for_selector("text=开始检查")
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "03-enterprise-card")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=checkin]")
    page.get_by_role("link", name="登记隐患").click()
    page.locator("input[name=title]").fill("危化品仓库通风设施损坏")
    page.locator("textarea[name=description]").fill("仓库排风扇停转，室内异味明显")
    page.locator("select[name=category]").select_option("chemicals")
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "DSCN0010.jpg"))
    page.wait_for_selector(".thumb img")
    snap(page, "05-hazard-form")
    page.get_by_role("button", name="保存隐患").click()
    page.wait_for_selector("text=危化品仓库通风设施损坏")
    page.wait_for_selector("text=已同步")
    snap(page, "04-inspection")
    page.goto("/#/")
    page.wait_for_selector(".scan-hero")
    snap(page, "02-inspector-home")
    page.goto(f"/#/hazards/{general['id']}")
    page.wait_for_selector(".timeline li")
    snap(page, "06-hazard-detail")
    # Offline: a record waits in the outbox.
    ctx.set_offline(True)
    ctx.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    page.goto("/#/inspection/" + page.evaluate("""async () => {
        const { getMeta } = await import('/static/js/db.js');
        return (await getMeta('current_inspection')).id; }"""))
    page.get_by_role("link", name="结束检查").click()
    page.locator("textarea[name=summary]").fill("储罐区、仓库检查完毕")
    page.get_by_role("button", name="确认结束检查").click()
    page.wait_for_selector(".scan-hero")
    page.goto("/#/outbox")
    page.wait_for_selector("[data-testid=outbox-item]")
    snap(page, "07-outbox-offline")
    ctx.unroute("**/api/**")
    ctx.set_offline(False)
    ctx.close()

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, officer.username, officer.password)
    page.wait_for_selector("[data-testid=hazard-item]")
    snap(page, "08-officer-home")
    page.goto(f"/#/hazards/{major['id']}/plan")
    page.wait_for_selector("textarea")
    page.locator("textarea[name='governance_plan.goals_tasks']").fill("30日内完成泄漏报警及联动切断改造")
    snap(page, "09-governance-plan")
    page.goto(f"/#/hazards/{general['id']}/do/submit")
    page.locator("textarea[name=note]").fill("杂物已清理，安全出口畅通")
    page.locator("input[type=file]").set_input_files(str(PHOTOS / "landscape_6.jpg"))
    page.wait_for_selector(".thumb img")
    snap(page, "10-rectification")
    # 提交整改 is not offered while the plan is incomplete: why, and where to fill it in.
    page.goto(f"/#/hazards/{major['id']}")
    page.wait_for_selector("[data-blocked=submit]")
    snap(page, "21-hazard-plan-missing")
    ctx.close()

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, supervisor.username, supervisor.password)
    page.wait_for_selector("main .stats, main [role=alert]")
    snap(page, "11-dashboard")
    page.locator("[data-testid=dashboard-map]").scroll_into_view_if_needed()
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")
    page.evaluate("document.querySelector('.map-card').scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -64)")  # below the app bar
    # A tap on a dot names the enterprise.
    page.locator(f"[data-testid=dashboard-map] .map-enterprise[data-id='{ent.id}']").click()
    page.wait_for_selector("[data-testid=dashboard-map] .map-popup")
    snap(page, "20-dashboard-map")
    page.locator("#tabbar [data-tab=hazards]").click()
    page.wait_for_selector("[data-testid=hazard-item]")
    snap(page, "12-hazard-list")
    page.locator("#tabbar [data-tab=interviews]").click()
    page.locator("[data-testid=interview-item]").first.click()
    page.wait_for_selector("text=R1")
    snap(page, "13-interview")
    # Holding it: 实际约谈时间 proposed from the schedule, the note-taker may change it.
    page.locator("[data-action=hold]").click()
    page.wait_for_selector("input[name=held_at]")
    snap(page, "22-interview-hold")
    page.locator("#tabbar [data-tab=inbox]").click()
    page.wait_for_selector("main .list, main .empty")
    snap(page, "14-inbox")
    page.locator("#tabbar [data-tab=me]").click()
    page.get_by_text("English", exact=True).click()
    page.wait_for_selector("#tabbar >> text=Dashboard")
    page.locator("#tabbar [data-tab=hazards]").click()
    page.wait_for_selector("[data-testid=hazard-item]")
    snap(page, "15-hazard-list-en")
    # The update prompt: the banner's button is a full-size touch target too. (A new script URL
    # makes a new worker wait; the server ignores the query.)
    wait_sw_controlled(page)
    page.evaluate("""() => { navigator.serviceWorker.register('/sw.js?next=1',
        { scope: '/', type: 'module', updateViaCache: 'none' }); }""")
    page.wait_for_selector("#banner button")
    check(page, "update-prompt")
    ctx.close()
    if layout == "phone":
        return  # the phone's administration screens: tests/browser/test_admin.py

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, admin.username, admin.password)
    page.locator("#tabbar [data-tab=registry]").click()
    page.wait_for_selector("[data-testid=enterprise-item]")
    snap(page, "16-admin-registry")
    ctx.close()
