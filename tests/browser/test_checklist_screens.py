"""Screenshots of the checklist screens (issue 13) on a phone (390×844) and at a desk
(1280×800), checked like the others (no horizontal scrolling, touch targets ≥ 44 px, labelled
controls): choosing a checklist, answering an item with one thumb, a failed item becoming a
hazard, the officer's 企业自查 on the home screen, the checklist editor, the dashboard's
prevention figures, and the answering screen in English.

``ANXUN_SCREENS_DIR=docs/screens`` writes them for the README (``30-…`` to ``36-…``).
"""
from __future__ import annotations

import pytest

from .conftest import SITE, login, outbox_count, wait_sw_controlled, wait_until
from .test_screens import new_context, shot

pytestmark = pytest.mark.browser


def _seed(app):
    from app.checklists.operations import ensure_standard_checklists
    from app.extensions import db
    with app.app_context():
        ensure_standard_checklists()
        db.session.commit()


@pytest.mark.screens
@pytest.mark.parametrize("layout", ["phone", "desk"])
def test_checklist_screens(browser, live_server, app, factory, api_as, folder, layout):
    suffix = "" if layout == "phone" else "-desk"

    def snap(page, name):
        shot(page, folder, f"{name}{suffix}")

    _seed(app)
    community = factory.community(name="乌龙社区")
    ent = factory.enterprise(community, name="重庆美家家具有限公司", lat=SITE["lat"],
                             lng=SITE["lng"], industry="manufacturing", risk_level="orange")
    inspector = factory.user("inspector", communities=[community], display_name="祁旭")
    officer = factory.user("officer", enterprise=ent, display_name="王芳")
    supervisor = factory.user("supervisor", communities=[community], display_name="李锐")

    # An inspection with the 工贸 list answered in part, and an officer's self-inspection, so
    # that the dashboard has figures.
    checklists = api_as(inspector).get("/api/v1/checklists?industry=manufacturing")["items"]
    gongmao = checklists[0]
    officer_api = api_as(officer)
    own = officer_api.post("/api/v1/inspections", json={
        "enterprise_id": ent.id, "kind": "self", "started_at": "2026-01-05T09:00:00+08:00",
        "checklist_id": gongmao["id"]})
    for item in gongmao["items"]:
        officer_api.s.put(f"{live_server}/api/v1/inspections/{own['id']}/answers/{item['code']}",
                          json={"result": "pass"})
    officer_api.patch(f"/api/v1/inspections/{own['id']}", json={
        "version": own["version"], "ended_at": "2026-01-05T10:00:00+08:00", "summary": "自查"})

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, inspector.username, inspector.password)
    wait_sw_controlled(page)
    page.goto(f"/#/enterprise/{ent.id}")
    page.wait_for_selector(".check-option")
    page.locator(".check-option", has_text="工贸企业重大事故隐患").click()
    page.locator(".check-options").scroll_into_view_if_needed()
    snap(page, "30-checklist-choose")
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_selector("[data-testid=check-item][data-code=G1]")
    page.locator("[data-answer=pass]").click()
    page.wait_for_selector("[data-testid=check-item][data-code=G2]")
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, "31-checklist-answer")
    page.locator("[data-answer=fail]").click()
    page.locator("textarea[name=note]").fill("2 名电焊工未取得特种作业操作证")
    snap(page, "32-checklist-fail")
    page.get_by_role("button", name="保存（不符合）").click()
    page.wait_for_selector("[data-testid=check-item][data-code=G3]")
    wait_until(lambda: outbox_count(page) == 0, message="the answers to reach the server")
    if layout == "phone":
        page.locator("#tabbar [data-tab=me]").click()
        page.get_by_text("English", exact=True).click()
        page.wait_for_selector("#tabbar >> text=Me")
        page.goto(page.url.split("#")[0] + "#/")
        page.locator("[data-testid=current-inspection]").click()
        page.locator("[data-testid=answer-checklist]").click()
        page.wait_for_selector("[data-testid=check-item]")
        snap(page, "36-checklist-answer-en")
    ctx.close()

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, officer.username, officer.password)
    page.wait_for_selector("[data-testid=self-inspection]")
    snap(page, "33-officer-self-inspection")
    ctx.close()

    ctx = new_context(browser, live_server, layout)
    page = ctx.new_page()
    login(page, supervisor.username, supervisor.password)
    page.goto("/#/dashboard?from=2026-01-01&to=2026-12-31")
    page.wait_for_selector("[data-testid=dashboard-prevention]")
    # The locator waits for the card again: the dashboard may have been drawn anew (its
    # figures refreshed from the network) since it first appeared.
    page.locator("[data-testid=dashboard-prevention]").evaluate(
        "el => el.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -64)")
    snap(page, "35-dashboard-prevention")
    page.goto(f"/#/checklists/{gongmao['id']}")
    page.wait_for_selector(".item-editor")
    snap(page, "34-checklist-editor")
    ctx.close()


def test_checklist_import_checks_first_then_imports(browser, live_server, factory, api_as,
                                                    tmp_path):
    """The import screen: the dry run shows each checklist's outcome and names the bad row by
    its column and writes nothing; the import then creates the good checklist only."""
    community = factory.community(name="乌龙社区")
    supervisor = factory.user("supervisor", communities=[community], display_name="李锐")
    csv_file = tmp_path / "检查表.csv"
    csv_file.write_text(
        "检查表名称,编号,检查内容,隐患类别,需拍照\n"
        "喷涂车间检查表,P1,喷涂作业场所通风良好,chemicals,是\n"
        "喷涂车间检查表,P2,配电箱完好,electrical,否\n"
        "餐饮燃气检查表,Q1,燃气软管无老化,不是类别,否\n", encoding="utf-8")
    api = api_as(supervisor)

    def names():
        return {c["name"] for c in api.get(
            "/api/v1/checklists?include_inactive=true&per_page=200")["items"]}

    ctx = new_context(browser, live_server, "phone")
    page = ctx.new_page()
    login(page, supervisor.username, supervisor.password)
    page.goto("/#/checklists/import")
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_selector("[data-testid=import-preview]")
    outcomes = page.locator("[data-testid=import-preview] [data-result]")
    assert [outcomes.nth(i).get_attribute("data-result") for i in range(outcomes.count())] == [
        "created", "invalid"]
    rows = page.locator("[data-testid=import-error]")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "4" and cells[1] == "隐患类别" and cells[2]
    assert "喷涂车间检查表" not in names()  # a dry run writes nothing
    page.get_by_role("button", name="确认导入 1 张检查表").click()
    page.wait_for_selector("[data-testid=import-result]")
    page.wait_for_selector("[data-testid=import-result] >> text=返回检查表")
    assert "喷涂车间检查表" in names() and "餐饮燃气检查表" not in names()
    ctx.close()
