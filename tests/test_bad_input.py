"""No bad input ever makes a 5xx: huge page numbers, dates the calendar cannot hold, NUL
characters, broken JSON, an industry the configuration lacks. Each is a problem+json 4xx naming
the field, and nothing is written (every table's row count is the same afterwards)."""
from __future__ import annotations

import io
import json
from datetime import date, datetime
from functools import partial

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.core.fields import MAX_PAGE
from tests.test_hazards_support import new_id
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter
from tests.test_registry_import import code, csv_bytes, upload

YEAR_1 = "0001-01-01T00:00:00+08:00"      # before 0001-01-01 in UTC
YEAR_9999 = "9999-12-31T23:00:00-05:00"   # after 9999-12-31 in UTC


def row_counts(app) -> dict:
    """Rows of every table: a refused request must leave all of them as they were."""
    from app.extensions import db
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def problem(response, status, field=None) -> dict:
    assert response.status_code == status, (response.status_code, response.data[:500])
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.data)
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in body.get("errors", {}), body
    return body


def refused(app, send, status, field):
    """``send()`` answers ``status`` naming ``field`` and changes no table."""
    before = row_counts(app)
    body = problem(send(), status, field)
    assert row_counts(app) == before
    return body


# --------------------------------------------------------------------------- page numbers
LISTS = ["/api/v1/hazards", "/api/v1/inspections", "/api/v1/interviews", "/api/v1/hazards/major",
         "/api/v1/notifications", "/api/v1/enterprises", "/api/v1/communities", "/api/v1/users"]


@pytest.mark.parametrize("url", LISTS)
def test_huge_page_numbers_are_422_naming_page(world, url):
    admin = world.client("admin")
    for page in ("100000000000000000000", str(MAX_PAGE + 1), "0", "-1", "1" * 5000):
        refused(world.app, partial(admin.get, f"{url}?page={page}"), 422, "page")
    last = admin.get(f"{url}?page={MAX_PAGE}")
    assert last.status_code == 200, last.get_json()
    assert last.get_json()["items"] == []


# --------------------------------------------------------------------------- dates
@pytest.mark.parametrize("field, value", [
    ("found_at", YEAR_1), ("found_at", YEAR_9999), ("found_at", "1899-12-31T23:59:59+08:00"),
    ("deadline", YEAR_9999), ("deadline", "0001-01-01"), ("deadline", "2201-01-01"),
])
def test_hazard_dates_out_of_range_are_422(world, field, value):
    inspector = world.client("inspector")
    body = refused(world.app, lambda: inspector.post(
        "/api/v1/hazards", json=world.hazard_body(**{field: value})), 422, field)
    assert "1900" in body["errors"][field][0]


def test_the_years_1900_to_2200_are_accepted(world):
    hazard = world.create_hazard(found_at="1900-01-01T00:00:00+08:00",
                                 deadline="2200-12-31T23:00:00-12:00")
    assert hazard["found_at"] == "1899-12-31T16:00:00+00:00"
    assert hazard["deadline"] == "2201-01-01T11:00:00+00:00"
    supervisor = world.client("supervisor")
    assert supervisor.get("/api/v1/hazards?found_from=1900-01-01&found_to=2200-12-31"
                          ).get_json()["total"] == 1
    assert supervisor.get("/api/v1/dashboard?from=2200-01-01&to=2200-12-31").status_code == 200
    assert supervisor.get("/api/v1/dashboard?from=1900-01-01&to=1900-12-31").status_code == 200


def test_a_transition_deadline_out_of_range_is_422(world):
    hazard = world.create_hazard()
    before = world.hazard(hazard["id"])
    world.client("officer")  # logged in before counting
    refused(world.app, lambda: world.act(hazard["id"], "acknowledge", "officer",
                                         version=before["version"], deadline=YEAR_9999),
            422, "deadline")
    assert world.hazard(hazard["id"]) == before


@pytest.mark.parametrize("query, field", [
    ("found_from=0001-01-01", "found_from"),
    ("found_to=9999-12-31T23:00:00-08:00", "found_to"),
    ("found_from=" + YEAR_1.replace("+", "%2B"), "found_from"),
])
def test_hazard_filters_out_of_range_are_422(world, query, field):
    supervisor = world.client("supervisor")
    for url in ("/api/v1/hazards", "/api/v1/reports/hazard-ledger.csv",
                "/api/v1/reports/hazard-ledger.xlsx"):
        refused(world.app, partial(supervisor.get, f"{url}?{query}"), 422, field)


def test_an_inspection_started_in_year_1_is_422(world):
    inspector = world.client("inspector")
    body = {"enterprise_id": world.enterprise.id, "kind": "routine", "started_at": YEAR_1}
    refused(world.app, lambda: inspector.post("/api/v1/inspections", json=body), 422,
            "started_at")


def test_interview_times_out_of_range_are_422(world):
    supervisor = world.client("supervisor")
    created = supervisor.post("/api/v1/interviews", json={
        "enterprise_id": world.enterprise.id, "situation": "多次检查发现同类隐患"})
    assert created.status_code == 201, created.get_json()
    interview = created.get_json()
    url = f"/api/v1/interviews/{interview['id']}/transitions"
    schedule = {"action": "schedule", "version": interview["version"], "place": "会议室",
                "interviewers": ["张主任"]}
    refused(world.app, lambda: supervisor.post(url, json=dict(schedule, scheduled_at=YEAR_1)),
            422, "scheduled_at")
    refused(world.app, lambda: supervisor.post(url, json=dict(
        schedule, scheduled_at="2024-06-10T09:30:00+08:00", follow_up_deadline=YEAR_9999)),
        422, "follow_up_deadline")
    assert supervisor.get(f"/api/v1/interviews/{interview['id']}").get_json()["version"] == \
        interview["version"]


@pytest.mark.parametrize("query, field", [
    ("to=9999-12-31", "to"), ("to=0001-01-01", "to"), ("from=0001-01-01&to=0001-01-02", "from"),
    ("from=2024-01-01&to=2201-01-01", "to"),
])
def test_dashboard_periods_out_of_range_are_422(world, query, field):
    supervisor = world.client("supervisor")
    refused(world.app, lambda: supervisor.get(f"/api/v1/dashboard?{query}"), 422, field)


@pytest.mark.parametrize("query, field", [("to=9999-12-31", "to"), ("from=0001-01-01", "from")])
def test_ledger_periods_out_of_range_are_422(world, query, field):
    supervisor = world.client("supervisor")
    for url in ("/api/v1/reports/hazard-ledger.csv", "/api/v1/reports/hazard-ledger.xlsx"):
        refused(world.app, partial(supervisor.get, f"{url}?{query}"), 422, field)


def test_dashboard_period_bounds_refuse_dates_out_of_range(app_ctx):
    from app.errors import Invalid
    from app.reports.dashboard import period_bounds
    for date_from, date_to, field in ((None, date(9999, 12, 31), "to"),
                                      (date(1, 1, 1), date(1, 1, 2), "from")):
        with pytest.raises(Invalid) as caught:
            period_bounds(date_from, date_to)
        assert field in caught.value.errors


def test_campaign_summary_in_year_9999_is_422(world):
    supervisor = world.client("supervisor")
    for query, field in (("from=9999-12-01&to=9999-12-31", "from"),
                         ("from=2024-06-01&to=2024-06-30&report_due=0001-01-01", "report_due")):
        refused(world.app, partial(supervisor.get, f"/api/v1/reports/campaign-summary.pdf?{query}"),
                422, field)


def exif_jpeg(exif_ifd: dict, base: dict | None = None) -> bytes:
    """A real 320x240 JPEG made by Pillow carrying the given EXIF (capture date and offset)."""
    im = Image.new("RGB", (320, 240), (40, 120, 200))
    exif = Image.Exif()
    for tag, value in (base or {}).items():
        exif[tag] = value
    exif[0x8769] = exif_ifd
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


@pytest.mark.parametrize("exif_ifd", [
    {0x9003: "0001:01:01 00:00:00"},                        # reset clock, read as +08:00
    {0x9003: "9999:12:31 23:59:59", 0x9011: "-12:00"},      # clock run wild, west of UTC
    {0x9003: "1899:12:31 23:59:59", 0x9011: "+08:00"},
])
def test_a_photo_with_an_impossible_capture_date_is_kept_without_one(world, exif_ifd):
    hazard = world.create_hazard()
    data = exif_jpeg(exif_ifd)
    response = world.upload(hazard["id"], "finding", who="inspector", data=data,
                            filename="odd-clock.jpg")
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert photo["taken_at"] is None and (photo["width"], photo["height"]) == (320, 240)
    assert world.client("supervisor").get(f"/api/v1/photos/{photo['id']}").get_json() == photo


def test_an_impossible_capture_date_falls_back_to_the_file_date():
    from app.core.timeutil import SHANGHAI
    from app.photos.imaging import process_upload
    data = exif_jpeg({0x9003: "0001:01:01 00:00:00"}, base={0x0132: "2024:05:01 09:30:00"})
    assert process_upload(data).taken_at == datetime(2024, 5, 1, 9, 30, tzinfo=SHANGHAI)


def test_a_huge_version_is_a_conflict_not_a_500(world):
    hazard = world.create_hazard()
    world.client("officer")
    huge = 10 ** 20
    refused(world.app, lambda: world.act(hazard["id"], "acknowledge", "officer", version=huge),
            409, "version")
    refused(world.app, lambda: world.patch(hazard["id"], "officer", version=huge, title="新标题"),
            409, "version")
    admin = world.client("admin")
    refused(world.app, lambda: admin.patch(f"/api/v1/enterprises/{world.enterprise.id}",
                                           json={"version": huge, "name": "新名称"}),
            409, "version")


# --------------------------------------------------------------------------- NUL characters
def test_nul_in_the_login_name_is_422_before_any_query(app, client):
    refused(app, lambda: client.post("/api/v1/auth/login",
                                     json={"username": "a\u0000", "password": "x"}), 422,
            "username")


def test_nul_in_the_path_and_query_is_422(world):
    inspector = world.client("inspector")
    refused(world.app, lambda: inspector.get("/api/v1/scan/%00"), 422, "token")
    refused(world.app, lambda: inspector.get("/api/v1/enterprises?q=%00"), 422, "q")
    refused(world.app, lambda: inspector.get("/api/v1/hazards?q=a%00b&page=1"), 422, "q")


@pytest.mark.parametrize("overrides, field", [
    ({"title": "配电箱\u0000未接地"}, "title"),
    ({"description": "\u0000"}, "description"),
    ({"governance_plan": {"goals_tasks": "x\u0000"}}, "governance_plan.goals_tasks"),
    ({"extra\u0000": 1}, "extra\\0"),
])
def test_nul_in_a_json_body_is_422_naming_its_path(world, overrides, field):
    inspector = world.client("inspector")
    refused(world.app, lambda: inspector.post("/api/v1/hazards",
                                              json=world.hazard_body("major", **overrides)),
            422, field)


def test_nul_in_a_json_list_names_the_index(world):
    supervisor = world.client("supervisor")
    interview = supervisor.post("/api/v1/interviews", json={
        "enterprise_id": world.enterprise.id, "situation": "约谈"}).get_json()
    refused(world.app, lambda: supervisor.post(
        f"/api/v1/interviews/{interview['id']}/transitions",
        json={"action": "schedule", "version": interview["version"], "place": "会议室",
              "scheduled_at": "2024-06-10T09:30:00+08:00", "interviewers": ["张主任", "李\u0000"]}),
        422, "interviewers.1")


def test_nul_in_multipart_fields_is_422(world):
    hazard = world.create_hazard()
    refused(world.app, lambda: world.upload(hazard["id"], "finding\x00", who="inspector"), 422,
            "kind")
    refused(world.app, lambda: world.upload(hazard["id"], "finding", who="inspector",
                                            filename="a\x00.jpg"), 422, "file")


def test_nul_in_a_header_is_400(world):
    inspector = world.client("inspector")
    refused(world.app, lambda: inspector.get("/api/v1/hazards",
                                             headers={"User-Agent": "phone\x00"}), 400,
            "User-Agent")


def test_a_nul_cell_in_an_import_is_that_rows_error(world):
    admin = world.client("admin")
    data = csv_bytes([
        "企业名称,统一社会信用代码,所属社区,地址,纬度,经度",
        f"福州甲机械有限公司,{code(101)},乌龙社区,五四路1号,26.08,119.30",
        f"福州乙\x00餐饮店,{code(102)},乌龙社区,五四路2号,26.08,119.31",
        f"福州丙商行,{code(103)},乌龙社区,五四路\x003号,,",
        f"福州丁商行,{code(104)},乌龙社区,,26.0\x008,119.31",
    ])
    response = upload(admin, data)
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["created"] == 1
    assert {(e["line"], e["field"]) for e in report["errors"]} == {
        (3, "name"), (4, "address"), (5, "lat")}
    assert all("NUL" in e["message"] for e in report["errors"])
    names = {e["name"] for e in admin.get("/api/v1/enterprises?per_page=100").get_json()["items"]}
    assert "福州甲机械有限公司" in names and not any("\x00" in n for n in names)


# --------------------------------------------------------------------------- JSON, industry
def test_bad_json_is_a_bilingual_400_naming_json(client):
    send = dict(data="{not json", headers={"Content-Type": "application/json"})
    zh = problem(client.post("/api/v1/auth/login", **send), 400, "json")
    assert zh["detail"] == "请求体不是有效的 JSON" and zh["errors"]["json"] == [zh["detail"]]
    en = problem(client.post("/api/v1/auth/login", **{**send, "headers": {
        **send["headers"], "Accept-Language": "en"}}), 400, "json")
    assert en["detail"] == "The request body is not valid JSON."
    assert "browser" not in en["detail"]


@pytest.fixture
def no_other_industry(app, monkeypatch):
    monkeypatch.setitem(app.config, "INDUSTRIES", ["manufacturing", "retail"])


def test_without_other_configured_an_enterprise_needs_an_industry(world, no_other_industry):
    admin = world.client("admin")
    body = {"name": "福州戊商行", "credit_code": code(201), "community_id": world.community.id}
    refused(world.app, lambda: admin.post("/api/v1/enterprises", json=body), 422, "industry")
    refused(world.app, lambda: admin.post("/api/v1/enterprises", json=dict(body, industry="other")),
            422, "industry")
    created = admin.post("/api/v1/enterprises", json=dict(body, industry="retail"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["industry"] == "retail"

    report = upload(admin, csv_bytes([
        "企业名称,统一社会信用代码,所属社区,行业",
        f"福州己商行,{code(202)},乌龙社区,",
        f"福州庚商行,{code(203)},乌龙社区,商贸零售",
        f"福州戊商行,{code(201)},乌龙社区,",   # exists: keeps its industry
    ])).get_json()
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "industry")]
    assert (report["created"], report["unchanged"]) == (1, 1)


def test_with_other_configured_it_stays_the_default(world):
    admin = world.client("admin")
    created = admin.post("/api/v1/enterprises", json={
        "name": "福州辛商行", "credit_code": code(301), "community_id": world.community.id})
    assert created.status_code == 201 and created.get_json()["industry"] == "other"


# --------------------------------------------------------------------------- last resort
def test_database_refusals_are_422_not_500(tmp_path):
    """What no schema caught: a DataError, or a value too large to bind, is 422 problem+json;
    any other database error stays a 500."""
    from sqlalchemy.exc import DataError, OperationalError, StatementError

    from app import create_app
    from tests.conftest import make_config
    app = create_app(make_config(f"sqlite:///{tmp_path}/last-resort.db", tmp_path))
    raised = {
        "data": DataError("SELECT 1", {}, Exception("invalid byte sequence 0x00")),
        "bind": StatementError("overflow", "SELECT ?", (10 ** 20,), OverflowError("too big")),
        "overflow": OverflowError("Python int too large to convert to SQLite INTEGER"),
        "operational": OperationalError("SELECT 1", {}, Exception("disk I/O error")),
    }

    @app.get("/raise/<kind>")
    def raise_(kind):
        raise raised[kind]

    client = app.test_client()
    for kind in ("data", "bind", "overflow"):
        body = problem(client.get(f"/raise/{kind}", headers={"Accept-Language": "en"}), 422)
        assert "refused by the database" in body["detail"]
    problem(client.get("/raise/operational"), 500)


def test_a_value_the_database_refuses_at_commit_is_422(app, media_dir):
    """Also when it surfaces only at the request's commit (PostgreSQL refuses NUL in text)."""
    from app import create_app
    from app.extensions import db
    from app.registry.models import Community
    from tests.conftest import make_config

    other = create_app(make_config(app.config["SQLALCHEMY_DATABASE_URI"], media_dir))

    @other.post("/sneak")
    def sneak():
        db.session.add(Community(id=new_id(), name="坏\x00社区", street="乌龙街道"))
        return {"ok": True}

    before = row_counts(app)
    try:
        response = other.test_client().post("/sneak")
    finally:
        with other.app_context():
            db.engine.dispose()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        problem(response, 422)
        assert row_counts(app) == before
    else:
        assert response.status_code == 200  # SQLite stores NUL; the request hooks are the guard
