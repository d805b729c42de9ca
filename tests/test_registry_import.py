"""Registry import (CSV UTF-8/GBK, XLSX) and XLSX export: bad rows named, good rows kept,
re-import changes nothing, an existing credit code updates, export imports back unchanged."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from app.registry.credit_code import check_char

HEADER = ("企业名称,统一社会信用代码,所属社区,地址,纬度,经度,行业,风险等级,法定代表人,安全员,"
          "联系电话,从业人数")


def code(n: int) -> str:
    body = f"9135010{n:010d}"
    return body + check_char(body)


def csv_bytes(lines, encoding="utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client, data: bytes, filename="名录.csv", query=""):
    return client.post(f"/api/v1/enterprises/import{query}",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def snapshot(app):
    """{credit_code: (version, updated_at, every editable value)} of the whole registry."""
    from sqlalchemy import select

    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        return {e.credit_code: (e.version, e.updated_at, e.name, e.community_id, e.address, e.lat,
                                e.lng, e.industry, e.risk_level, e.legal_rep, e.safety_officer,
                                e.phone, e.employees, e.qr_token)
                for e in db.session.scalars(select(Enterprise))}


@pytest.fixture
def admin(factory, client_for):
    return client_for(factory.user("admin"))


@pytest.fixture
def communities(factory):
    return factory.community("鼓东社区", code="GD01"), factory.community("鼓西社区", code="GX02")


def test_csv_import_keeps_good_rows_and_names_each_bad_row(app, admin, communities):
    gd, gx = communities
    data = csv_bytes([
        HEADER,
        f"福州甲机械有限公司,{code(1)},鼓东社区,五四路1号,26.08,119.30,工贸制造,红,张一,王一,13800000001,50",
        f"福州乙餐饮店,{code(2)},GX02,,,,catering,一般风险,,,0591-87000000,",
        f"校验位错误公司,{code(3)[:-1]}{'0' if code(3)[-1] != '0' else '1'},鼓东社区,,,,,,,,,",
        f"无此社区公司,{code(4)},火星社区,,,,,,,,,",
        f"坐标越界公司,{code(5)},鼓东社区,,126.1,29.5,,,,,,",
        f"行业不明公司,{code(6)},鼓东社区,,,,采矿业,,,,,",
        f",{code(7)},鼓东社区,,,,,,,,,",
        f"重复代码公司,{code(1)},鼓东社区,,,,,,,,,",
        f"人数不对公司,{code(8)},{gx.id},,,,,,,,,很多",
    ])
    response = upload(admin, data)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["created"], report["updated"], report["unchanged"]) == (2, 0, 0)
    errors = {(e["line"], e["field"]) for e in report["errors"]}
    assert errors == {(4, "credit_code"), (5, "community"), (6, "lat"), (7, "industry"),
                      (8, "name"), (9, "credit_code"), (10, "employees")}
    by_line = {e["line"]: e["message"] for e in report["errors"]}
    assert "校验位" in by_line[4] and "第 2 行" in by_line[9] and "填反" in by_line[6]
    assert [(r["line"], r["result"]) for r in report["rows"]] == [(2, "created"), (3, "created")]

    stored = snapshot(app)
    assert set(stored) == {code(1), code(2)}
    first, second = stored[code(1)], stored[code(2)]
    assert first[2:13] == ("福州甲机械有限公司", gd.id, "五四路1号", 26.08, 119.30,
                           "manufacturing", "red", "张一", "王一", "13800000001", 50)
    assert second[2:13] == ("福州乙餐饮店", gx.id, "", None, None, "catering", "yellow", "", "",
                            "0591-87000000", None)


def test_gbk_csv_from_chinese_excel(app, admin, communities):
    data = csv_bytes([
        "企业名称,统一社会信用代码,所属社区,风险等级,行业,纬度（WGS-84）,经度（WGS-84）",
        f"鼓楼区德馨副食品商行,{code(11)},鼓西社区,橙色,商贸零售,26.09,119.29",
    ], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = upload(admin, data).get_json()
    assert (report["created"], report["errors"]) == (1, [])
    stored = snapshot(app)[code(11)]
    assert stored[2] == "鼓楼区德馨副食品商行" and stored[7:9] == ("retail", "orange")


def test_reimporting_the_same_file_changes_nothing(app, admin, communities):
    data = csv_bytes([
        HEADER,
        f"福州甲机械有限公司,{code(21)},鼓东社区,五四路1号,26.0812345,119.3012345,工贸制造,红,张一,王一,13800000001,50",
        f"福州乙餐饮店,{code(22)},鼓西社区,,,,餐饮,蓝,,,,",
        f"坏行,{code(23)[:-1]}Z,鼓西社区,,,,,,,,,",
    ])
    first = upload(admin, data).get_json()
    assert (first["created"], len(first["errors"])) == (2, 1)
    before = snapshot(app)
    again = upload(admin, data).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert [r["result"] for r in again["rows"]] == ["unchanged", "unchanged"]
    assert snapshot(app) == before  # same versions, same updated_at, same values


def test_an_existing_credit_code_updates_instead_of_duplicating(app, admin, factory, communities):
    gd, gx = communities
    existing = factory.enterprise(gd, name="旧名称", phone="0591-11111", risk_level="blue",
                                  address="旧地址")
    untouched = factory.enterprise(gd)
    data = csv_bytes([
        "企业名称,统一社会信用代码,所属社区,风险等级,联系电话,地址",
        f"新名称,{existing.credit_code},鼓西社区,红色,13922222222,",
    ])
    report = upload(admin, data).get_json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 0)
    assert report["rows"][0]["changed"] == ["community_id", "name", "phone", "risk_level"]
    assert report["rows"][0]["id"] == existing.id
    stored = snapshot(app)
    assert len(stored) == 2
    row = stored[existing.credit_code]
    assert row[0] == 2  # one version bump
    assert (row[2], row[3], row[8], row[11]) == ("新名称", gx.id, "red", "13922222222")
    assert row[4] == "旧地址"  # an empty cell leaves the stored value alone
    assert row[13] == existing.qr_token  # the printed label keeps working
    assert stored[untouched.credit_code][0] == 1


def test_xlsx_import(app, admin, communities):
    wb = Workbook()
    ws = wb.active
    ws.append(["企业名录（2025年）"])  # a title row above the header, as offices do
    ws.append(["序号", "企业名称", "统一社会信用代码", "社区", "从业人数", "经度", "纬度"])
    ws.append([1, "福州丙仓储物流有限公司", code(31), "鼓东社区", 12, 119.31, 26.07])
    ws.append([2, "坏坐标公司", code(32), "鼓东社区", 3, 119.31, None])
    buf = io.BytesIO()
    wb.save(buf)
    report = upload(admin, buf.getvalue(), filename="名录.xlsx").get_json()
    assert report["created"] == 1
    assert report["errors"] == [{"line": 4, "field": "lat",
                                 "message": report["errors"][0]["message"]}]
    assert "序号" in report["ignored_columns"]
    stored = snapshot(app)[code(31)]
    assert (stored[5], stored[6], stored[12]) == (26.07, 119.31, 12)


def test_dry_run_reports_and_writes_nothing(app, admin, factory, communities):
    existing = factory.enterprise(communities[0], phone="13800000001")
    data = csv_bytes([
        "企业名称,统一社会信用代码,所属社区,联系电话",
        f"新企业,{code(41)},鼓东社区,13800000002",
        f"{existing.name},{existing.credit_code},鼓东社区,13800000003",
    ])
    before = snapshot(app)
    report = upload(admin, data, query="?dry_run=true").get_json()
    assert report["dry_run"] is True
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 0)
    assert snapshot(app) == before


def test_file_level_problems_are_422(app, admin, communities):
    missing = upload(admin, csv_bytes(["企业名称,地址", "某公司,某路"]))
    assert missing.status_code == 422
    assert set(missing.get_json()["errors"]) == {"credit_code", "community"}
    empty = upload(admin, b"")
    assert empty.status_code == 422 and "file" in empty.get_json()["errors"]
    garbage = upload(admin, bytes(range(256)) * 20, filename="x.csv")
    assert garbage.status_code == 422
    no_file = admin.post("/api/v1/enterprises/import", data={},
                         content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.get_json()["errors"]
    legacy_xls = upload(admin, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls")
    assert legacy_xls.status_code == 422 and ".xlsx" in legacy_xls.get_json()["detail"]
    assert snapshot(app) == {}


@pytest.mark.parametrize("role", ["supervisor", "inspector", "officer"])
def test_only_admins_import(app, factory, client_for, communities, role):
    user = factory.user(role, communities=[communities[0]]) if role != "officer" else \
        factory.user(role)
    before = snapshot(app)
    data = csv_bytes(["企业名称,统一社会信用代码,所属社区", f"某公司,{code(51)},鼓东社区"])
    assert upload(client_for(user), data).status_code == 403
    assert snapshot(app) == before


def test_import_needs_login(client, communities):
    data = csv_bytes(["企业名称,统一社会信用代码,所属社区", f"某公司,{code(52)},鼓东社区"])
    assert upload(client, data).status_code == 401


# --------------------------------------------------------------------------- export

def test_export_has_chinese_headers_and_imports_back_unchanged(app, admin, communities):
    gd, gx = communities
    created = [
        {"name": "福州甲机械有限公司", "credit_code": code(61), "community_id": gd.id,
         "address": "五四路1号", "location": {"lat": 26.0812345678, "lng": 119.3},
         "industry": "hazardous_chemicals", "risk_level": "red", "legal_rep": "张一",
         "safety_officer": "王一", "phone": "13800000001", "employees": 50},
        {"name": "=危险公式有限公司", "credit_code": code(62), "community_id": gx.id},
    ]
    for body in created:
        assert admin.post("/api/v1/enterprises", json=body).status_code == 201
    before = snapshot(app)

    response = admin.get("/api/v1/enterprises/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("企业名称", "统一社会信用代码", "所属社区", "地址", "纬度", "经度", "行业",
                       "风险等级", "法定代表人", "安全员", "联系电话", "从业人数")
    first = next(r for r in rows if r[1] == code(61))
    assert first[2] == "鼓东社区" and first[6] == "危险化学品" and first[7] == "重大风险"
    assert ws.cell(row=[r[1] for r in rows].index(code(62)) + 1, column=1).data_type == "s"

    report = upload(admin, response.data, filename="export.xlsx").get_json()
    assert report["errors"] == []
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
    assert snapshot(app) == before


def test_export_into_an_empty_registry_recreates_it(app, admin, communities):
    from app.extensions import db
    from app.registry.models import Enterprise

    admin.post("/api/v1/enterprises", json={
        "name": "福州丁有限公司", "credit_code": code(71), "community_id": communities[1].id,
        "location": {"lat": 26.1, "lng": 119.2}, "industry": "hotel", "risk_level": "yellow",
        "employees": 7})
    exported = admin.get("/api/v1/enterprises/export.xlsx").data
    before = {k: v[2:13] for k, v in snapshot(app).items()}
    with app.app_context():
        db.session.query(Enterprise).delete()
        db.session.commit()
    report = upload(admin, exported, filename="export.xlsx").get_json()
    assert report["created"] == 1 and report["errors"] == []
    assert {k: v[2:13] for k, v in snapshot(app).items()} == before


def test_export_is_scoped_and_filtered(factory, client_for):
    mine, other = factory.community(), factory.community()
    a = factory.enterprise(mine, risk_level="red")
    b = factory.enterprise(mine, risk_level="blue")
    factory.enterprise(other)
    inspector = client_for(factory.user("inspector", communities=[mine]))

    def codes(query=""):
        data = inspector.get(f"/api/v1/enterprises/export.xlsx{query}").data
        return {r[1] for r in list(load_workbook(io.BytesIO(data)).active.iter_rows(
            values_only=True))[1:]}

    assert codes() == {a.credit_code, b.credit_code}
    assert codes("?risk_level=red") == {a.credit_code}
    officer = client_for(factory.user("officer", enterprise=b))
    data = officer.get("/api/v1/enterprises/export.xlsx").data
    assert [r[1] for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)][
        1:] == [b.credit_code]
