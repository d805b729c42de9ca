"""Checklists (检查表) as versioned data: the shipped lists on a fresh database and after
`flask seed-demo`, offered by industry, created and changed by administrators and supervisors
(a change is a new version), imported from XLSX/CSV with a dry run, exported back."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

WULUOSHI = "五落实五到位（企业安全生产主体责任）"
GONGMAO = "工贸企业重大事故隐患判定（应急管理部令第10号）"
JIUXIAO = "九小场所消防安全检查"


def body(name="粉尘涉爆企业日常检查表", **overrides):
    data = {"name": name, "industries": ["manufacturing"], "items": [
        {"code": "D1", "text": "除尘器泄爆口朝向安全区域", "category": "dust",
         "basis": "应急管理部令第10号 第十一条", "requires_photo": True, "major_if_failed": True},
        {"code": "D2", "text": "作业现场无积尘", "category": "粉尘防爆"},
    ]}
    data.update(overrides)
    return data


def seed(app):
    """The shipped checklists (the migration's seed is gone once a test has emptied the
    tables)."""
    from app.checklists.operations import ensure_standard_checklists
    from app.extensions import db
    with app.app_context():
        added = ensure_standard_checklists()
        db.session.commit()
    return added


# --------------------------------------------------------------------------- shipped lists
def test_a_freshly_upgraded_database_offers_the_shipped_checklists(tmp_path, database_url):
    """`flask db upgrade` on an empty database seeds 五落实五到位, the 工贸 major-hazard criteria
    (every item major_if_failed, its article as basis) and the 九小场所 fire list."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.checklists.models import Checklist, ChecklistItem, ChecklistVersion
    from app.extensions import db
    from tests.conftest import _create_pg_database, make_config
    if database_url.startswith("postgresql"):
        url, drop = _create_pg_database()
    else:
        url, drop = f"sqlite:///{tmp_path}/fresh.db", (lambda: None)
    try:
        fresh = create_app(make_config(url, tmp_path))
        with fresh.app_context():
            upgrade()
            names = set(db.session.scalars(select(Checklist.name)))
            major = db.session.execute(
                select(ChecklistItem.code, ChecklistItem.basis, ChecklistItem.major_if_failed)
                .join(ChecklistVersion, ChecklistVersion.id == ChecklistItem.version_id)
                .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
                .where(Checklist.name == GONGMAO)).all()
            fire = db.session.scalars(
                select(ChecklistItem.text).join(ChecklistVersion)
                .join(Checklist).where(Checklist.name == JIUXIAO)).all()
            db.engine.dispose()
    finally:
        drop()
    assert {WULUOSHI, GONGMAO, JIUXIAO} <= names
    codes = {code for code, _, _ in major}
    assert {"G1", "G2", "D1", "D10", "L1", "L2", "Y1", "H1"} <= codes  # general, dust, confined
    assert all(is_major for _, _, is_major in major)                  # space, metallurgy, storage
    assert all("第" in basis and ("10号" in basis or "121号" in basis) for _, basis, _ in major)
    assert any("安全出口" in t for t in fire) and any("灭火器" in t for t in fire)
    assert any("住宿" in t for t in fire) and any("应急照明" in t for t in fire)


def test_seed_demo_adds_the_shipped_checklists_once(app, client_for, factory):
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.conftest import _truncate_all
    _truncate_all(app)  # the session's database may still hold what its migration seeded
    with app.app_context():
        first = seed_demo(n_enterprises=3, n_hazards=0)
        db.session.commit()
        again = seed_demo(n_enterprises=3, n_hazards=0)
        db.session.commit()
    assert any(WULUOSHI in line for line in first)
    assert not any("checklists" in line for line in again)
    officer = client_for(factory.user("officer"))
    listed = officer.get("/api/v1/checklists").get_json()
    assert listed["total"] == 3
    assert {c["name"] for c in listed["items"]} == {WULUOSHI, GONGMAO, JIUXIAO}
    assert all(c["standard"] and c["version"] == 1 and c["items"] for c in listed["items"])


def test_checklists_are_offered_by_industry(app, world):
    seed(app)
    inspector = world.client("inspector")
    names = lambda industry: [c["name"] for c in inspector.get(  # noqa: E731
        f"/api/v1/checklists?industry={industry}").get_json()["items"]]
    assert names("manufacturing")[0] == GONGMAO
    assert names("catering")[0] == JIUXIAO
    assert names("construction")[0] == WULUOSHI  # made for every industry, before the others
    by_label = inspector.get("/api/v1/checklists?industry=餐饮").get_json()["items"]
    assert by_label[0]["name"] == JIUXIAO and by_label[0]["matches_industry"] is True


# --------------------------------------------------------------------------- writing
def test_supervisors_and_admins_write_others_read(world):
    for who in ("inspector", "officer"):
        refused = world.client(who).post("/api/v1/checklists", json=body(name=f"{who}的表"))
        assert refused.status_code == 403
    created = world.client("supervisor").post("/api/v1/checklists", json=body())
    assert created.status_code == 201, created.get_json()
    checklist = created.get_json()
    assert checklist["version"] == 1 and checklist["industries"] == ["manufacturing"]
    assert [i["code"] for i in checklist["items"]] == ["D1", "D2"]
    assert checklist["items"][1]["category"] == "dust"  # a label is stored as its value
    assert checklist["items"][1]["requires_photo"] is False
    replay = world.client("supervisor").post("/api/v1/checklists",
                                             json={**body(), "id": checklist["id"]})
    assert replay.status_code == 200 and replay.get_json()["version"] == 1  # the same create
    other = world.client("supervisor").post("/api/v1/checklists",
                                            json={**body(name="另一张表"), "id": checklist["id"]})
    assert other.status_code == 409 and "id" in other.get_json()["errors"]
    assert world.client("officer").get(f"/api/v1/checklists/{checklist['id']}").status_code == 200
    assert world.client("admin").post("/api/v1/checklists",
                                      json=body(name="管理员建的表")).status_code == 201


@pytest.mark.parametrize("change, field, status", [
    ({"items": [{"code": "A1", "text": "一", "category": "fire"},
                {"code": "A1", "text": "二", "category": "fire"}]}, "items.1.code", 422),
    ({"items": [{"code": "A 1", "text": "一", "category": "fire"}]}, "items.0.code", 422),
    ({"items": [{"code": "A1", "text": "一", "category": "雷电"}]}, "items.0.category", 422),
    ({"items": []}, "items", 422),
    ({"industries": ["shipbuilding"]}, "industries.0", 422),
    ({"name": WULUOSHI}, "name", 409),
])
def test_bad_checklists_are_refused_naming_the_field(app, world, change, field, status):
    from app.checklists.models import Checklist
    seed(app)
    before = world.count(Checklist)
    response = world.client("supervisor").post("/api/v1/checklists", json=body(**change))
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["errors"]
    assert world.count(Checklist) == before


def test_a_change_is_a_new_version_and_the_old_one_stays(world):
    supervisor = world.client("supervisor")
    checklist = supervisor.post("/api/v1/checklists", json=body()).get_json()
    url = f"/api/v1/checklists/{checklist['id']}"
    same = supervisor.patch(url, json={"version": 1, "name": checklist["name"]})
    assert same.status_code == 200 and same.get_json()["version"] == 1  # nothing changed
    items = [*body()["items"], {"code": "D3", "text": "除尘系统设锁气卸灰装置",
                                "category": "dust", "requires_photo": True}]
    changed = supervisor.patch(url, json={"version": 1, "items": items})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["version"] == 2 and changed.get_json()["item_count"] == 3
    stale = supervisor.patch(url, json={"version": 1, "name": "改名"})
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    renamed = supervisor.patch(url, json={"version": 2, "name": "粉尘检查表（2024）"}).get_json()
    assert renamed["version"] == 3 and renamed["item_count"] == 3
    first = supervisor.get(f"{url}?version=1").get_json()
    assert first["version"] == 1 and first["current_version"] == 3
    assert first["name"] == "粉尘涉爆企业日常检查表" and len(first["items"]) == 2
    assert supervisor.get(f"{url}?version=9").status_code == 404
    versions = supervisor.get(f"{url}/versions").get_json()["items"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    retired = supervisor.patch(url, json={"version": 3, "active": False}).get_json()
    assert retired["active"] is False
    assert checklist["id"] not in [c["id"] for c in supervisor.get(
        "/api/v1/checklists").get_json()["items"]]
    assert checklist["id"] in [c["id"] for c in supervisor.get(
        "/api/v1/checklists?include_inactive=true").get_json()["items"]]


# --------------------------------------------------------------------------- import
def xlsx(rows, header=("检查表名称", "适用行业", "编号", "检查内容", "隐患类别", "依据", "需拍照",
                       "重大隐患")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data, *, filename="checklists.xlsx", **query):
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(f"/api/v1/checklists/import?{args}",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


ROWS = [
    ("喷涂车间检查表", "工贸制造", "P1", "调漆间设可燃气体报警装置", "危险化学品",
     "应急管理部令第10号", "是", "是"),
    ("喷涂车间检查表", "工贸制造", "P2", "喷漆室电气设备防爆", "electrical", "", "是", "否"),
    ("喷涂车间检查表", "", "P3", "漆料库房通风良好", "chemicals", "", "", ""),
    ("餐饮燃气检查表", "餐饮、住宿", "Q1", "燃气软管无老化", "燃气安全",
     "《城镇燃气管理条例》", "是", "否"),
    ("餐饮燃气检查表", "餐饮", "Q2", "安装可燃气体报警器", "gas", "", "也许", "否"),
]


def test_import_from_a_real_xlsx_dry_run_first(world):
    from app.checklists.models import Checklist, ChecklistVersion
    supervisor = world.client("supervisor")
    data = xlsx(ROWS)
    preview = upload(supervisor, data, dry_run="true")
    assert preview.status_code == 200, preview.get_json()
    report = preview.get_json()
    assert report["dry_run"] is True and report["created"] == 1
    results = {c["name"]: c for c in report["checklists"]}
    assert results["喷涂车间检查表"]["result"] == "created"
    assert results["喷涂车间检查表"]["items"] == 3
    assert results["餐饮燃气检查表"]["result"] == "invalid"
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(6, "requires_photo")]
    assert world.count(Checklist) == 0  # a dry run writes nothing

    done = upload(supervisor, data).get_json()
    assert done["created"] == 1 and done["errors"] == report["errors"]
    created = supervisor.get(f"/api/v1/checklists/{done['checklists'][0]['id']}").get_json()
    assert created["industries"] == ["manufacturing"]
    assert [(i["code"], i["category"], i["requires_photo"], i["major_if_failed"])
            for i in created["items"]] == [("P1", "chemicals", True, True),
                                           ("P2", "electrical", True, False),
                                           ("P3", "chemicals", False, False)]
    # The same file again changes nothing; a changed one is a new version.
    again = upload(supervisor, data).get_json()
    assert again["unchanged"] == 1 and again["created"] == again["updated"] == 0
    changed = [*ROWS[:2], ("喷涂车间检查表", "", "P3", "漆料库房通风良好，设防爆排风扇",
                           "chemicals", "", "是", "")]
    updated = upload(supervisor, xlsx(changed)).get_json()
    assert updated["updated"] == 1 and updated["checklists"][0]["version"] == 2
    assert world.count(ChecklistVersion) == 2
    # Exported, it imports back unchanged.
    exported = supervisor.get(f"/api/v1/checklists/{created['id']}/export.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert [c.value for c in sheet[1]][:4] == ["检查表名称", "适用行业", "编号", "检查内容"]
    assert upload(supervisor, exported.data).get_json()["unchanged"] == 1


def test_import_csv_without_a_name_column_takes_the_name_given(world):
    supervisor = world.client("supervisor")
    csv = ("编号,检查内容,隐患类别,重大隐患\r\n"
           "K1,疏散通道畅通,消防安全,否\r\nK2,灭火器有效,fire,否\r\n")
    data = csv.encode("gb18030")
    nameless = upload(supervisor, data, filename="k.csv")
    assert nameless.status_code == 422 and "name" in nameless.get_json()["errors"]
    report = upload(supervisor, data, filename="k.csv", name="小商店消防检查").get_json()
    assert report["created"] == 1 and report["checklists"][0]["items"] == 2
    assert upload(world.client("inspector"), data, filename="k.csv").status_code == 403
    missing = upload(supervisor, "编号,检查内容\r\nK1,x\r\n".encode(), filename="m.csv")
    assert missing.status_code == 422 and "category" in missing.get_json()["errors"]
