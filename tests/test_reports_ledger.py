"""Ledgers (台账): the hazard ledger as XLSX and CSV with the list's filters and Chinese headers,
the interview ledger, and the scope of every export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest

from app.reports.ledger import HAZARD_LEDGER_COLUMNS, INTERVIEW_LEDGER_COLUMNS
from tests.test_reports_data import SHANGHAI, build_world, load, visible

HEADERS = [title for _, title, _ in HAZARD_LEDGER_COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(app, factory):
    return build_world(app, factory)


def read_xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    ws = wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return ws, rows


def read_csv(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel reads the Chinese"
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    return rows


def list_total(client, query):
    response = client.get(f"/api/v1/hazards?per_page=1{'&' + query if query else ''}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def list_ids(client, query):
    ids, page = [], 1
    while True:
        body = client.get(f"/api/v1/hazards?per_page=200&page={page}"
                          f"{'&' + query if query else ''}").get_json()
        ids += [item["id"] for item in body["items"]]
        if len(ids) >= body["total"]:
            return ids
        page += 1


def filters(world):
    today = world.now.astimezone(SHANGHAI).date()
    return [
        "", "state=archived", "level=major", "overdue=true", "overdue=false", "category=fire",
        f"community_id={world.communities['south'].id}",
        f"enterprise_id={world.enterprises['A'].id}",
        f"found_from={(today - timedelta(days=29)).isoformat()}&found_to={today.isoformat()}",
        "escalated=true", "q=危化品", "state=rectifying&level=major",
    ]


@pytest.mark.parametrize("who", ["admin", "supervisor", "officer", "far"])
def test_xlsx_rows_are_exactly_the_lists_matches(world, client_for, who):
    client = client_for(world.users[who])
    for query in filters(world):
        ws, rows = read_xlsx(client.get(f"/api/v1/reports/hazard-ledger.xlsx?{query}"))
        assert rows[0] == HEADERS, query
        assert len(rows) - 1 == list_total(client, query), query
        assert [r[-1] for r in rows[1:]] == list_ids(client, query), query  # same order too
    assert ws.title == "隐患台账"
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("who", ["admin", "inspector", "officer"])
def test_csv_has_a_bom_the_headers_and_the_same_rows(world, client_for, who):
    client = client_for(world.users[who])
    for query in filters(world)[:6]:
        rows = read_csv(client.get(f"/api/v1/reports/hazard-ledger.csv?{query}"))
        assert rows[0] == HEADERS
        assert [r[-1] for r in rows[1:]] == list_ids(client, query), query


def test_the_ledger_fields_are_the_records_values(app, world, client_for):
    """One row checked field by field: names, Chinese labels, Asia/Shanghai times."""
    client = client_for(world.users["admin"])
    _, rows = read_xlsx(client.get(
        f"/api/v1/reports/hazard-ledger.xlsx?inspection_id={world.inspection_id}"))
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    hazard = next(h for h in load(app)["hazards"] if h.inspection_id == world.inspection_id)
    assert row["隐患编号"] == hazard.id
    assert row["企业名称"] == "甲精密机械有限公司"
    assert row["统一社会信用代码"] == world.enterprises["A"].credit_code
    assert row["所属社区"] == "北社区"
    assert row["隐患名称"] == "危化品未分类储存"
    assert (row["隐患等级"], row["隐患类别"], row["状态"]) == ("重大隐患", "危险化学品", "已登记")
    assert row["检查类型"] == "四不两直"
    assert row["整改责任人"] == "张三" and row["隐患地点"] == "一号车间"
    assert row["是否逾期"] == "否" and row["零容忍升级"] == "否"
    local = hazard.deadline.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)
    assert row["整改期限"] == local
    assert row["检查日期"].date() == (world.now - timedelta(days=2)).astimezone(SHANGHAI).date()
    assert row["发现人"] == world.users["inspector"].display_name
    assert row["销号日期"] is None
    csv_rows = read_csv(client.get(
        f"/api/v1/reports/hazard-ledger.csv?inspection_id={world.inspection_id}"))
    csv_row = dict(zip(HEADERS, csv_rows[1], strict=True))
    assert csv_row["整改期限"] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert csv_row["隐患等级"] == "重大隐患"


def test_officer_exports_only_its_enterprise(app, world, client_for):
    client = client_for(world.users["officer"])
    _, rows = read_xlsx(client.get("/api/v1/reports/hazard-ledger.xlsx"))
    mine = {h.id for h in load(app)["hazards"] if h.enterprise_id == world.enterprises["A"].id}
    assert {r[-1] for r in rows[1:]} == mine
    assert {r[1] for r in rows[1:]} == {"甲精密机械有限公司"}
    # another enterprise's id as a filter gives nothing, as the list does
    _, rows = read_xlsx(client.get(
        f"/api/v1/reports/hazard-ledger.xlsx?enterprise_id={world.enterprises['C'].id}"))
    assert rows == [HEADERS]
    rows = read_csv(client_for(world.users["far"]).get("/api/v1/reports/hazard-ledger.csv"))
    assert rows == [HEADERS]


@pytest.mark.parametrize("who", ["admin", "supervisor", "officer"])
def test_the_dashboards_period_gives_the_ledger_of_its_hazards(app, world, client_for, who):
    """``from``/``to`` mean what they mean on the dashboard (whole Asia/Shanghai days, both
    included; one alone takes the dashboard's default for the other): the dashboard's query
    string downloads exactly the hazards its ``total`` counts."""
    client = client_for(world.users[who])
    user = client.get("/api/v1/auth/me").get_json()["user"]
    rows = load(app)
    today = world.now.astimezone(SHANGHAI).date()
    first = today - timedelta(days=29)      # build_world puts hazards on both sides of its edges
    north = world.communities["north"].id
    periods = [(first, today), (today - timedelta(days=120), today - timedelta(days=40)),
               (first, None), (None, today - timedelta(days=60))]
    for date_from, date_to in periods:
        for community in (None, north):
            query = "&".join(f"{k}={v}" for k, v in (("from", date_from), ("to", date_to),
                                                     ("community_id", community)) if v)
            last = date_to or today
            start = date_from or last - timedelta(days=364)
            expected = {h.id for h in rows["hazards"] if visible(user, h)
                        and start <= h.found_at.astimezone(SHANGHAI).date() <= last
                        and (community is None or h.community_id == community)}
            _, xlsx = read_xlsx(client.get(f"/api/v1/reports/hazard-ledger.xlsx?{query}"))
            assert {r[-1] for r in xlsx[1:]} == expected, query
            assert len(xlsx) - 1 == len(expected), query
            csv_rows = read_csv(client.get(f"/api/v1/reports/hazard-ledger.csv?{query}"))
            assert {r[-1] for r in csv_rows[1:]} == expected, query
            if who != "officer" or community is None:
                figures = client.get(f"/api/v1/dashboard?{query}").get_json()
                assert figures["total"] == len(expected), query
    # with the list's own found_from/found_to too, both apply
    query = f"from={first}&to={today}&found_from={today - timedelta(days=9)}"
    _, xlsx = read_xlsx(client.get(f"/api/v1/reports/hazard-ledger.xlsx?{query}"))
    assert {r[-1] for r in xlsx[1:]} == {
        h.id for h in rows["hazards"] if visible(user, h)
        and today - timedelta(days=9) <= h.found_at.astimezone(SHANGHAI).date() <= today}


@pytest.mark.parametrize("query, field", [("level=bogus", "level"), ("state=open", "state"),
                                          ("overdue=maybe", "overdue"),
                                          ("found_from=2023-07-01&found_to=2023-06-01",
                                           "found_to"),
                                          ("from=2023-07-01&to=2023-06-01", "to"),
                                          ("from=30.6.2023", "from"),
                                          ("community_id=x", "community_id")])
def test_bad_filters_are_named(world, client_for, query, field):
    client = client_for(world.users["admin"])
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/api/v1/reports/hazard-ledger.{fmt}?{query}")
        assert response.status_code == 422
        assert field in response.get_json()["errors"]


def test_exports_need_a_login(client):
    for path in ("hazard-ledger.xlsx", "hazard-ledger.csv", "interviews.xlsx",
                 "interviews.csv"):
        assert client.get(f"/api/v1/reports/{path}").status_code == 401


def test_text_that_looks_like_a_formula_stays_text(app, world, client_for):
    from app.extensions import db
    from app.hazards.models import Hazard
    with app.app_context():
        hazard = db.session.get(Hazard, load(app)["hazards"][0].id)
        hazard.title = "=HYPERLINK(\"http://evil\",\"点我\")"
        hazard.description = "含控制字符\x07的描述 "
        db.session.commit()
        hazard_id = hazard.id
    client = client_for(world.users["admin"])
    _, rows = read_xlsx(client.get("/api/v1/reports/hazard-ledger.xlsx"))
    row = dict(zip(HEADERS, next(r for r in rows if r[-1] == hazard_id), strict=True))
    assert row["隐患名称"] == "=HYPERLINK(\"http://evil\",\"点我\")"
    assert row["隐患描述"] == "含控制字符的描述 "
    wb = openpyxl.load_workbook(io.BytesIO(client.get(
        "/api/v1/reports/hazard-ledger.xlsx").data))
    cell = next(c for c in wb.active["F"] if c.value and str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"
    rows = read_csv(client.get("/api/v1/reports/hazard-ledger.csv"))
    row = dict(zip(HEADERS, next(r for r in rows if r[-1] == hazard_id), strict=True))
    assert row["隐患名称"].startswith("'=HYPERLINK")


def test_interview_ledger_lists_the_records_and_their_reasons(app, world, client_for):
    rows_db = load(app)
    for who in ("admin", "supervisor", "officer", "far"):
        client = client_for(world.users[who])
        user = client.get("/api/v1/auth/me").get_json()["user"]
        _, rows = read_xlsx(client.get("/api/v1/reports/interviews.xlsx"))
        assert rows[0] == [title for _, title in INTERVIEW_LEDGER_COLUMNS]
        mine = {i.id for i in rows_db["interviews"] if visible(user, i)}
        assert {r[-1] for r in rows[1:]} == mine, who
        csv_rows = read_csv(client.get("/api/v1/reports/interviews.csv"))
        assert {r[-1] for r in csv_rows[1:]} == mine
    client = client_for(world.users["admin"])
    _, rows = read_xlsx(client.get("/api/v1/reports/interviews.xlsx?state=held"))
    assert len(rows) == 2
    record = dict(zip([t for _, t in INTERVIEW_LEDGER_COLUMNS], rows[1], strict=True))
    assert record["被约谈企业"] == "丙化工贸易有限公司" and record["状态"].startswith("已约谈")
    escalations = [e for e in rows_db["escalations"] if e.interview_id == record["约谈编号"]]
    assert escalations and len(record["约谈事由（零容忍规则）"].split("\n")) == len(escalations)
    assert client.get("/api/v1/reports/interviews.xlsx?state=bogus").status_code == 422


def test_exports_are_documented_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/reports/hazard-ledger.xlsx", "/api/v1/reports/hazard-ledger.csv",
                 "/api/v1/reports/interviews.xlsx", "/api/v1/dashboard", "/api/v1/map",
                 "/api/v1/reports/campaign-summary.pdf",
                 "/api/v1/inspections/{inspection_id}/rectification-notice.pdf",
                 "/api/v1/interviews/{interview_id}/record.pdf"):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/reports/hazard-ledger.xlsx"]["get"]["parameters"]}
    assert {"state", "level", "enterprise_id", "community_id", "overdue", "category",
            "found_from", "found_to"} <= params


def test_the_command_line_writes_the_ledger_and_the_summary(app, world, tmp_path):
    from tests.test_documents_print import qr_texts, render, text_of
    runner = app.test_cli_runner()
    south = world.communities["south"]
    xlsx, csv_path = tmp_path / "台账.xlsx", tmp_path / "台账.csv"
    for path in (xlsx, csv_path):
        result = runner.invoke(args=["reports", "hazard-ledger", "--out", str(path),
                                     "--community", south.id])
        assert result.exit_code == 0, result.output
    rows = [list(r) for r in openpyxl.load_workbook(xlsx).worksheets[0].iter_rows(
        values_only=True)]
    want = {h.id for h in load(app)["hazards"] if h.community_id == south.id}
    assert rows[0] == HEADERS and {r[-1] for r in rows[1:]} == want
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert {r[-1] for r in list(csv.reader(io.StringIO(data[3:].decode())))[1:]} == want
    bad = runner.invoke(args=["reports", "hazard-ledger", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0

    pdf_path = tmp_path / "summary.pdf"
    saved = app.config["PUBLIC_BASE_URL"]
    try:
        app.config["PUBLIC_BASE_URL"] = ""
        missing = runner.invoke(args=["reports", "campaign-summary", "--from", "2023-06-01",
                                      "--to", "2023-06-30", "--out", str(pdf_path)])
        assert missing.exit_code != 0 and "PUBLIC_BASE_URL" in missing.output
        result = runner.invoke(args=["reports", "campaign-summary", "--from", "2023-06-01",
                                     "--to", "2023-06-30", "--out", str(pdf_path),
                                     "--base-url", "https://anxun.example.cn/"])
        assert result.exit_code == 0, result.output
    finally:
        app.config["PUBLIC_BASE_URL"] = saved
    pdf = pdf_path.read_bytes()
    assert "2023年安全生产月活动总结" in text_of(pdf).replace("\n", "")
    assert qr_texts(render(pdf, tmp_path)[0]) == [
        "https://anxun.example.cn/#/dashboard?from=2023-06-01&to=2023-06-30"]
