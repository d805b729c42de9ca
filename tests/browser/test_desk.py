"""A supervisor at a desk, 1280×800 (issue 11, item 8): a layout of its own — side navigation
instead of the bottom tab bar, the dashboard's figures in a grid, hazards, interviews and the
registry as tables with sortable columns — and a map whose dots are real targets that name
their enterprise, on streets when a tile source is configured."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .conftest import SITE, TIMEOUT_MS, login, wait_until

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}


def new_desk_context(browser, base_url):
    ctx = browser.new_context(base_url=base_url, viewport=DESK, locale="zh-CN",
                              timezone_id="Asia/Shanghai")
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx


@pytest.fixture
def desk(browser, live_server):
    ctx = new_desk_context(browser, live_server)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    ctx.close()
    assert not errors, errors


@pytest.fixture
def street(factory, api_as):
    community = factory.community(name="青松社区")
    plant = factory.enterprise(community, name="甲化工厂", risk_level="red",
                               lat=SITE["lat"], lng=SITE["lng"])
    shop = factory.enterprise(community, name="乙便利店", risk_level="blue",
                              lat=SITE["lat"] + 0.003, lng=SITE["lng"] + 0.004)
    supervisor = factory.user("supervisor", communities=[community])
    admin = factory.user("admin")
    inspector = factory.user("inspector", communities=[community])
    api = api_as(inspector)
    now = datetime.now(timezone.utc)
    for ent, title, level, days in [(plant, "储罐区无泄漏报警", "major", 40),
                                    (shop, "安全出口堵塞", "general", 3),
                                    (plant, "配电箱未接地", "general", 10)]:
        api.post("/api/v1/hazards", json={
            "enterprise_id": ent.id, "title": title, "category": "fire", "level": level,
            "found_at": now.isoformat(), "deadline": (now + timedelta(days=days)).isoformat()})
    return {"plant": plant, "supervisor": supervisor, "admin": admin}


def column(page, n):
    return page.locator(f"main table tbody tr > :nth-child({n})").all_inner_texts()


def names(page):
    """The first column's links (a record's name, without the chips beside it)."""
    return page.locator("main table tbody tr a.row-link").all_inner_texts()


def test_supervisor_desk_layout(desk, street):
    page = desk
    sup = street["supervisor"]
    login(page, sup.username, sup.password)
    page.wait_for_selector("[data-testid=dashboard-stats] .stat")

    # Side navigation on the left, the whole height; no bar at the foot.
    nav = page.locator("#tabbar").bounding_box()
    assert nav["x"] == 0 and nav["width"] < 300 and nav["height"] > 600
    links = page.locator("#tabbar a")
    assert links.nth(1).bounding_box()["y"] > links.nth(0).bounding_box()["y"]  # one under another
    assert page.locator("main").bounding_box()["x"] >= nav["width"]

    # The figures in a grid: four on a row.
    stats = page.locator("[data-testid=dashboard-stats] .stat")
    tops = {round(stats.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == 1
    assert stats.nth(4).bounding_box()["y"] > stats.nth(0).bounding_box()["y"]

    # The map: dots are real targets; a tap names the enterprise.
    plant = street["plant"].id
    dot = page.locator(f"[data-testid=dashboard-map] .map-enterprise[data-id='{plant}']")
    dot.wait_for()
    target = dot.bounding_box()
    assert target["width"] >= 32 and target["height"] >= 32
    dot.click()
    popup = page.locator("[data-testid=dashboard-map] .map-popup")
    assert "甲化工厂" in popup.inner_text() and "未销号隐患 2" in popup.inner_text()
    popup.get_by_role("button", name="打开企业卡片").click()
    page.wait_for_selector("h2:has-text('甲化工厂')")

    # Hazards as a table: sorted by deadline first, by any column on a click.
    page.locator("#tabbar [data-tab=hazards]").click()
    page.wait_for_selector("main table.sortable")
    assert page.locator("main [data-testid=hazard-item]").count() == 3
    assert names(page) == ["安全出口堵塞", "配电箱未接地", "储罐区无泄漏报警"]
    assert "已督办" in column(page, 1)[2]  # the major hazard, escalated (R1)
    page.locator("main th button.sort", has_text="隐患名称").click()
    titles = names(page)
    assert titles == ["安全出口堵塞", "储罐区无泄漏报警", "配电箱未接地"]  # by pinyin: an, chu, pei
    assert page.locator("main th[aria-sort=ascending]", has_text="隐患名称").count() == 1
    page.locator("main th button.sort", has_text="隐患名称").click()
    assert names(page) == titles[::-1]
    page.locator("main th button.sort", has_text="隐患等级").click()
    assert column(page, 3)[0] == "一般隐患" and column(page, 3)[-1] == "重大隐患"
    page.locator("main tbody tr", has_text="储罐区无泄漏报警").locator("td").first.click()
    page.wait_for_selector("h2.hazard-title:has-text('储罐区无泄漏报警')")

    # Interviews as a table (the major hazard opened one, R1).
    page.locator("#tabbar [data-tab=interviews]").click()
    page.wait_for_selector("main table.sortable [data-testid=interview-item]")
    assert "甲化工厂" in page.locator("main table").inner_text()
    assert "R1" in page.locator("main table").inner_text()


def test_admin_registry_is_a_table(desk, street):
    page = desk
    admin = street["admin"]
    login(page, admin.username, admin.password)
    page.locator("#tabbar [data-tab=registry]").click()
    page.wait_for_selector("main table.sortable [data-testid=enterprise-item]")
    assert sorted(names(page)) == ["乙便利店", "甲化工厂"]
    page.locator("main th button.sort", has_text="风险等级").click()
    assert column(page, 5) == ["重大风险", "低风险"]
    page.locator("main th button.sort", has_text="风险等级").click()
    assert column(page, 5) == ["低风险", "重大风险"]


@pytest.mark.parametrize("live_server", [{
    "MAP_TILE_PROVIDER": "custom",
    "MAP_TILE_URL": "/static/icons/icon-192.png?z={z}&x={x}&y={y}"}], indirect=True)
def test_map_on_streets_when_a_tile_source_is_configured(desk, street):
    page = desk
    sup = street["supervisor"]
    login(page, sup.username, sup.password)
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")
    tiles = page.locator("[data-testid=dashboard-map] img.map-tile")
    assert tiles.count() >= 4
    loaded = ("[...document.querySelectorAll('img.map-tile')]"
              ".every((i) => i.complete && i.naturalWidth > 0)")
    wait_until(lambda: page.evaluate(loaded), message="the tiles to load")
