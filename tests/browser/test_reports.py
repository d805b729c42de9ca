"""Reports reached from the app, checked end to end in Chromium:

* the QR code printed on each document (整改通知书, 约谈记录, campaign summary) is decoded from the
  rendered PDF and opened on a phone, which lands on that record (the summary's on its period,
  after a login that keeps the link's query);
* the dashboard's period selector, the map of open hazards and enterprises by risk colour (loaded
  only by the dashboard, precached for offline), the 零容忍/约谈 figures, and its report links,
  whose ledger holds exactly the hazards the dashboard counts.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from .conftest import SITE, login, new_phone_context, text_of, wait_sw_controlled, wait_until

pytestmark = pytest.mark.browser
zxingcpp = pytest.importorskip("zxingcpp")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils (pdftoppm) missing")


def qr_of_pdf(pdf: bytes, tmp_path: Path) -> str:
    """The URL of the QR code on page 1 of a PDF, rendered by pdftoppm and read by zxing-cpp."""
    from PIL import Image

    assert pdf.startswith(b"%PDF-")
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(src),
                    str(tmp_path / "page")], check=True)
    [png] = sorted(tmp_path.glob("page*.png"))
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(png),
                                                    formats=zxingcpp.BarcodeFormat.QRCode)]
    assert len(found) == 1, found
    return found[0]


def pdf(api, path) -> bytes:
    r = api.s.get(api.base + path)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf", r.text[:300]
    return r.content


@pytest.fixture
def area(factory, api_as):
    """Two communities; an inspection with a major hazard (which opens an interview, R1) and a
    general one; enterprises of every risk colour, one without a location."""
    north = factory.community(name="青松社区")
    south = factory.community(name="石坪社区")
    ents = {
        "red": factory.enterprise(north, name="红色风险化工厂", risk_level="red",
                                  lat=SITE["lat"], lng=SITE["lng"]),
        "orange": factory.enterprise(north, name="橙色风险机械厂", risk_level="orange",
                                     lat=29.54, lng=106.51),
        "yellow": factory.enterprise(south, name="黄色风险仓库", risk_level="yellow",
                                     lat=29.52, lng=106.49),
        "blue": factory.enterprise(south, name="蓝色风险超市", risk_level="blue",
                                   lat=29.525, lng=106.52),
        "nowhere": factory.enterprise(south, name="未定位商店", risk_level="blue",
                                      lat=None, lng=None),
    }
    supervisor = factory.user("supervisor", communities=[north, south], display_name="街道安委办")
    inspector = factory.user("inspector", communities=[north, south])
    api = api_as(inspector)
    now = datetime.now(timezone.utc)
    inspection = api.post("/api/v1/inspections", json={
        "enterprise_id": ents["red"].id, "kind": "unannounced",
        "started_at": (now - timedelta(minutes=30)).isoformat(),
        "location": {"lat": SITE["lat"], "lng": SITE["lng"], "accuracy": 8}})
    major = api.post("/api/v1/hazards", json={
        "enterprise_id": ents["red"].id, "inspection_id": inspection["id"],
        "title": "液氨储罐区无泄漏报警", "category": "chemicals", "level": "major",
        "found_at": (now - timedelta(minutes=20)).isoformat(),
        "deadline": (now + timedelta(days=30)).isoformat()})
    general = api.post("/api/v1/hazards", json={
        "enterprise_id": ents["red"].id, "inspection_id": inspection["id"],
        "title": "配电箱未上锁", "category": "electrical", "level": "general",
        "found_at": (now - timedelta(minutes=10)).isoformat(),
        "deadline": (now + timedelta(days=7)).isoformat()})
    api.post("/api/v1/hazards", json={
        "enterprise_id": ents["yellow"].id, "title": "消防通道堆放杂物", "category": "fire",
        "level": "general", "found_at": (now - timedelta(days=40)).isoformat(),
        "deadline": (now - timedelta(days=30)).isoformat()})
    api.patch(f"/api/v1/inspections/{inspection['id']}", json={
        "version": inspection["version"], "ended_at": now.isoformat(), "summary": "检查完毕"})
    sup_api = api_as(supervisor)
    interviews = sup_api.get(f"/api/v1/interviews?enterprise_id={ents['red'].id}")["items"]
    assert interviews, "the major hazard opened an interview (R1)"
    return {"north": north, "south": south, "ents": ents, "supervisor": supervisor,
            "inspection": inspection, "major": major, "general": general,
            "interview": interviews[0], "sup_api": sup_api}


FIRST_STAT = "[data-testid=dashboard-stats] .stat:first-child .v"


def hash_path(url: str, base: str) -> str:
    assert url.startswith(f"{base}/#/"), url
    return url[len(base):]


@needs_poppler
def test_printed_qr_codes_open_their_records(browser, live_server, area, tmp_path):
    api = area["sup_api"]
    inspection, interview = area["inspection"], area["interview"]
    notice_url = qr_of_pdf(
        pdf(api, f"/api/v1/inspections/{inspection['id']}/rectification-notice.pdf"),
        tmp_path / "n")
    record_url = qr_of_pdf(pdf(api, f"/api/v1/interviews/{interview['id']}/record.pdf"),
                           tmp_path / "r")
    today = datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=8))).date()
    first = today - timedelta(days=29)
    summary_url = qr_of_pdf(pdf(api, f"/api/v1/reports/campaign-summary.pdf?from={first}&to={today}"
                                     f"&community_id={area['north'].id}"), tmp_path / "s")
    assert hash_path(notice_url, live_server) == f"/#/inspection/{inspection['id']}"
    assert hash_path(record_url, live_server) == f"/#/interviews/{interview['id']}"
    assert hash_path(summary_url, live_server) == \
        f"/#/dashboard?from={first}&to={today}&community_id={area['north'].id}"

    # A phone that has never logged in scans the campaign summary: log in, then the dashboard
    # opens on the summary's period and community.
    ctx = new_phone_context(browser, live_server)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, area["supervisor"].username, area["supervisor"].password, path=summary_url)
    page.wait_for_selector("[data-testid=dashboard-period]")
    assert f"from={first}" in page.url and f"to={today}" in page.url
    assert text_of(page, "[data-testid=dashboard-period]") == f"统计期间 {first} 至 {today}"
    assert page.locator("input[name=from]").input_value() == str(first)
    assert page.locator("input[name=to]").input_value() == str(today)
    assert page.locator("select[name=community_id]").input_value() == area["north"].id

    # The 整改通知书: the inspection's screen with its hazards and the notice again.
    page.goto(notice_url)
    page.wait_for_selector("text=液氨储罐区无泄漏报警")
    main = text_of(page, "main")
    assert "红色风险化工厂" in main and "配电箱未上锁" in main and "已结束" in main
    assert page.get_by_role("link", name="登记隐患").count() == 0   # not this phone's inspection
    notice = page.locator("[data-testid=notice-pdf]")
    assert (notice.get_attribute("href")
            == f"/api/v1/inspections/{inspection['id']}/rectification-notice.pdf")
    page.locator("main a.item", has_text="液氨储罐区无泄漏报警").click()
    page.wait_for_url(re.compile(f"#/hazards/{area['major']['id']}$"))

    # The 约谈记录: the interview with its reasons and the record again.
    page.goto(record_url)
    # The hazard screen just left also says R1: wait for the interview's own screen first.
    page.wait_for_selector("[data-testid=record-pdf]")
    main = text_of(page, "main")
    assert "R1" in main and "红色风险化工厂" in main
    assert page.locator("[data-testid=record-pdf]").get_attribute("href") == \
        f"/api/v1/interviews/{interview['id']}/record.pdf"
    ctx.close()
    assert not errors, errors


def test_dashboard_period_map_and_reports(page, phone, live_server, area):
    api = area["sup_api"]
    login(page, area["supervisor"].username, area["supervisor"].password)
    wait_sw_controlled(page)
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")

    # The map: every located enterprise in its risk colour, and the open hazards.
    located = {e.id: e.risk_level for k, e in area["ents"].items() if k != "nowhere"}
    drawn = page.eval_on_selector_all("[data-testid=dashboard-map] .map-enterprise",
                                      "els => els.map((e) => [e.dataset.id, e.dataset.risk])")
    assert dict(drawn) == located
    fills = page.eval_on_selector_all(
        "[data-testid=dashboard-map] .map-enterprise "
        "circle:not(.map-major-ring):not(.map-uninspected-ring)",
        "els => els.map((e) => e.getAttribute('fill'))")
    assert set(fills) == {"#d32f2f", "#f57c00", "#fbc02d", "#1976d2"}
    assert page.locator("[data-testid=dashboard-map] .map-hazard").count() == 3
    assert page.locator("[data-testid=dashboard-map] .map-legend").count() == 1
    # map.js came with this screen, not with the first load, and is precached.
    assert page.evaluate("performance.getEntriesByType('resource')"
                         ".some((e) => e.name.endsWith('/static/js/map.js'))")
    assert page.evaluate("caches.match('/static/js/map.js').then((r) => !!r)")

    # 零容忍 and 约谈 figures of the period.
    figures = api.get("/api/v1/dashboard")
    card = text_of(page, "[data-testid=dashboard-escalations]")
    assert figures["interviews"]["opened"] >= 1 and figures["escalations"]["total"] >= 1
    assert f"{figures['interviews']['opened']} 期间提出约谈" in card
    assert f"{figures['interviews']['held']} 期间已约谈" in card
    for rule in figures["escalations"]["by_rule"]:
        assert f"{rule['key']} {rule['zh']} {rule['count']}" in card

    # The period: a preset, then the dates themselves; figures, links follow.
    requests_seen = []
    page.on("request",
            lambda r: requests_seen.append(r.url) if "/api/v1/dashboard" in r.url else None)
    page.locator("select[name=period]").select_option("30d")
    wait_until(lambda: "from=" in page.url, message="the period in the route")
    today = datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=8))).date()
    first = today - timedelta(days=29)
    page.wait_for_selector(f"[data-testid=dashboard-period] >> text=统计期间 {first} 至 {today}")
    assert any(f"from={first}" in u and f"to={today}" for u in requests_seen)
    total_30 = api.get(f"/api/v1/dashboard?from={first}&to={today}")["total"]
    assert total_30 == 2  # the hazard 40 days old is out
    assert text_of(page, FIRST_STAT) == "2"

    older = today - timedelta(days=60)
    page.locator("input[name=from]").fill(str(older))
    page.wait_for_selector(f"[data-testid=dashboard-period] >> text=统计期间 {older} 至 {today}")
    assert text_of(page, FIRST_STAT) == "3"
    assert page.locator("select[name=period]").input_value() == "custom"
    page.locator("select[name=community_id]").select_option(area["south"].id)
    wait_until(lambda: f"community_id={area['south'].id}" in page.url, message="community")
    wait_until(lambda: text_of(page, FIRST_STAT) == "1", message="the south's one hazard")
    assert f"community_id={area['south'].id}" in page.url and f"from={older}" in page.url

    # The reports of what is shown: period and community in every link.
    links = {name: page.get_by_role("link", name=name).get_attribute("href")
             for name in ("下载隐患台账", "隐患台账（CSV）", "下载约谈台账", "活动总结（PDF）")}
    period = f"community_id={area['south'].id}&from={older}&to={today}"
    assert links["下载隐患台账"] == f"/api/v1/reports/hazard-ledger.xlsx?{period}"
    assert links["隐患台账（CSV）"] == f"/api/v1/reports/hazard-ledger.csv?{period}"
    assert (links["下载约谈台账"]
            == f"/api/v1/reports/interviews.xlsx?community_id={area['south'].id}")
    assert links["活动总结（PDF）"] == f"/api/v1/reports/campaign-summary.pdf?{period}"
    ledger = api.s.get(api.base + links["下载隐患台账"])
    rows = list(openpyxl.load_workbook(io.BytesIO(ledger.content)).worksheets[0]
                .iter_rows(values_only=True))
    assert [r[5] for r in rows[1:]] == ["消防通道堆放杂物"]   # what the dashboard counts: 1
    csv_text = api.s.get(api.base + links["隐患台账（CSV）"]).content.decode("utf-8-sig")
    assert csv_text.count("\n") == 2
    assert api.s.get(api.base + links["活动总结（PDF）"]).content.startswith(b"%PDF-")

    # A point on the map names its enterprise; its card opens from there.
    page.goto("/#/dashboard")
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")
    red = area["ents"]["red"].id
    dot = page.locator(f"[data-testid=dashboard-map] .map-enterprise[data-id='{red}']")
    dot.dispatch_event("click")
    popup = page.locator(f"[data-testid=dashboard-map] .map-popup[data-id='{red}']")
    assert "红色风险化工厂" in popup.inner_text()
    popup.get_by_role("button", name="打开企业卡片").click()
    page.wait_for_url(re.compile(f"#/enterprise/{red}$"))

    # Offline: the dashboard, its map module and its points come from the phone's caches.
    page.goto("/#/dashboard")
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")
    phone.set_offline(True)
    phone.route("**/*", lambda route: route.abort("internetdisconnected"))
    page.reload()
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")
    assert page.locator("[data-testid=dashboard-map] .map-enterprise").count() == 4
    phone.unroute("**/*")
    phone.set_offline(False)


def test_map_without_tiles_in_english(page, area):
    login(page, area["supervisor"].username, area["supervisor"].password)
    page.locator("#tabbar [data-tab=me]").click()
    page.get_by_text("English", exact=True).click()
    page.locator("#tabbar [data-tab=dashboard]").click()
    page.wait_for_selector("[data-testid=dashboard-map] .map-enterprise")
    assert page.locator("[data-testid=dashboard-map] .map-tile").count() == 0   # no tile source
    assert "Map of hazards and enterprises" in text_of(page, "main")
    assert page.get_by_role("link", name="Campaign summary (PDF)").count() == 1
