"""The enterprise registry API (企业名录): create, read, update, lists, scope, validation."""
from __future__ import annotations

import uuid

import pytest

REAL_CODE = "91350100M000100Y43"  # a published 统一社会信用代码 that passes GB 32100


def body(community, **kw):
    data = {"name": "福州安巡测试有限公司", "credit_code": REAL_CODE, "community_id": community.id,
            "address": "鼓楼区五四路1号", "location": {"lat": 26.0745, "lng": 119.2965},
            "industry": "manufacturing", "risk_level": "orange", "legal_rep": "张三",
            "safety_officer": "李四", "phone": "0591-88880000", "employees": 120}
    data.update(kw)
    return data


def count_enterprises(app):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Enterprise))


def stored(app, enterprise_id):
    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        e = db.session.get(Enterprise, enterprise_id)
        db.session.expunge(e)
        return e


@pytest.fixture
def admin(factory, client_for):
    return client_for(factory.user("admin"))


# --------------------------------------------------------------------------- create

def test_admin_registers_an_enterprise_with_every_contract_field(admin, factory):
    community = factory.community("鼓东社区")
    response = admin.post("/api/v1/enterprises", json=body(community))
    assert response.status_code == 201, response.get_json()
    e = response.get_json()
    assert e["credit_code"] == REAL_CODE and e["name"] == "福州安巡测试有限公司"
    assert e["community_id"] == community.id and e["community_name"] == "鼓东社区"
    assert e["location"] == {"lat": 26.0745, "lng": 119.2965}
    assert (e["industry"], e["industry_label"]) == ("manufacturing", "工贸制造")
    assert (e["risk_level"], e["risk_level_label"], e["risk_color"]) == ("orange", "较大风险",
                                                                           "#f57c00")
    assert (e["legal_rep"], e["safety_officer"], e["phone"], e["employees"]) == (
        "张三", "李四", "0591-88880000", 120)
    assert e["version"] == 1
    assert e["created_at"].endswith("+00:00")
    # the QR token: URL-safe, at least 128 bits of randomness (43 chars of base64url = 256 bits)
    assert len(e["qr_token"]) >= 43 and set(e["qr_token"]) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert e["qr_url"] == f"http://localhost/e/{e['qr_token']}"
    assert admin.get(f"/api/v1/enterprises/{e['id']}").get_json() == e


def test_defaults_for_optional_fields(admin, factory):
    community = factory.community()
    e = admin.post("/api/v1/enterprises", json={"name": "最小企业", "credit_code": REAL_CODE,
                                                 "community_id": community.id}).get_json()
    assert (e["industry"], e["risk_level"], e["location"], e["address"]) == (
        "other", "blue", None, "")


def test_credit_code_is_normalised(admin, factory):
    community = factory.community()
    spaced_fullwidth = "９１３５０１００ｍ０００１００ｙ４３"
    response = admin.post("/api/v1/enterprises", json=body(community,
                                                           credit_code=spaced_fullwidth))
    assert response.status_code == 201
    assert response.get_json()["credit_code"] == REAL_CODE


def test_a_changed_check_character_is_refused_naming_the_field(app, admin, factory):
    community = factory.community()
    response = admin.post("/api/v1/enterprises", json=body(community,
                                                           credit_code=REAL_CODE[:-1] + "4"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert list(problem["errors"]) == ["credit_code"]
    assert "校验位" in problem["errors"]["credit_code"][0]
    assert count_enterprises(app) == 0


@pytest.mark.parametrize("change, field", [
    ({"location": {"lat": 95, "lng": 119.3}}, "location.lat"),
    ({"location": {"lat": 26.0, "lng": 190}}, "location.lng"),
    ({"location": {"lat": 26.0}}, "location.lng"),
    ({"industry": "mining"}, "industry"),
    ({"risk_level": "green"}, "risk_level"),
    ({"employees": -3}, "employees"),
    ({"name": "   "}, "name"),
    ({"colour": "red"}, "colour"),
    ({"credit_code": "91350100M00010"}, "credit_code"),
])
def test_bad_fields_are_422_naming_the_field_and_store_nothing(app, admin, factory, change,
                                                                 field):
    response = admin.post("/api/v1/enterprises", json=body(factory.community(), **change))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count_enterprises(app) == 0


def test_unknown_community_is_422(app, admin):
    response = admin.post("/api/v1/enterprises",
                          json=body(type("C", (), {"id": str(uuid.uuid4())})))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["community_id"]
    assert count_enterprises(app) == 0


def test_a_credit_code_is_registered_once(app, admin, factory):
    community = factory.community()
    assert admin.post("/api/v1/enterprises", json=body(community)).status_code == 201
    again = admin.post("/api/v1/enterprises", json=body(community, name="另一个名字"))
    assert again.status_code == 409
    assert list(again.get_json()["errors"]) == ["credit_code"]
    assert count_enterprises(app) == 1


def test_create_with_client_id_is_idempotent(app, admin, factory):
    community = factory.community()
    client_id = str(uuid.uuid4())
    first = admin.post("/api/v1/enterprises", json=body(community, id=client_id))
    assert first.status_code == 201 and first.get_json()["id"] == client_id
    replay = admin.post("/api/v1/enterprises", json=body(community, id=client_id))
    assert replay.status_code == 200
    assert replay.get_json() == first.get_json()
    different = admin.post("/api/v1/enterprises", json=body(community, id=client_id,
                                                            name="改了名字"))
    assert different.status_code == 409 and "id" in different.get_json()["errors"]
    assert count_enterprises(app) == 1
    assert stored(app, client_id).name == "福州安巡测试有限公司"


@pytest.mark.parametrize("role", ["supervisor", "inspector", "officer"])
def test_only_admins_register_enterprises(app, factory, client_for, role):
    community = factory.community()
    user = factory.user(role, communities=[community]) if role != "officer" else \
        factory.user(role, enterprise=factory.enterprise(community))
    before = count_enterprises(app)
    response = client_for(user).post("/api/v1/enterprises", json=body(community))
    assert response.status_code == 403
    assert count_enterprises(app) == before


def test_anonymous_requests_are_401(client, factory):
    e = factory.enterprise()
    assert client.get("/api/v1/enterprises").status_code == 401
    assert client.get(f"/api/v1/enterprises/{e.id}").status_code == 401
    assert client.get("/api/v1/communities").status_code == 401
    assert client.get(f"/api/v1/scan/{e.qr_token}").status_code == 401


# --------------------------------------------------------------------------- update

def test_patch_with_current_version_changes_and_bumps_version(app, admin, factory):
    e = admin.post("/api/v1/enterprises", json=body(factory.community())).get_json()
    other = factory.community("新社区")
    response = admin.patch(f"/api/v1/enterprises/{e['id']}", json={
        "version": 1, "risk_level": "red", "phone": "13800138000", "community_id": other.id,
        "location": None})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert changed["version"] == 2
    assert (changed["risk_level"], changed["phone"], changed["community_name"],
            changed["location"]) == ("red", "13800138000", "新社区", None)
    assert changed["name"] == e["name"] and changed["qr_token"] == e["qr_token"]


def test_stale_version_is_409_and_changes_nothing(app, admin, factory):
    e = admin.post("/api/v1/enterprises", json=body(factory.community())).get_json()
    assert admin.patch(f"/api/v1/enterprises/{e['id']}",
                       json={"version": 1, "phone": "111111"}).status_code == 200
    stale = admin.patch(f"/api/v1/enterprises/{e['id']}", json={"version": 1, "phone": "222222"})
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    now = stored(app, e["id"])
    assert (now.phone, now.version) == ("111111", 2)


def test_patch_without_version_is_422(admin, factory):
    e = admin.post("/api/v1/enterprises", json=body(factory.community())).get_json()
    response = admin.patch(f"/api/v1/enterprises/{e['id']}", json={"phone": "1"})
    assert response.status_code == 422 and "version" in response.get_json()["errors"]


def test_patch_that_changes_nothing_keeps_the_version(app, admin, factory):
    e = admin.post("/api/v1/enterprises", json=body(factory.community())).get_json()
    response = admin.patch(f"/api/v1/enterprises/{e['id']}", json={
        "version": 1, "name": e["name"], "risk_level": e["risk_level"],
        "location": e["location"]})
    assert response.status_code == 200
    assert response.get_json()["version"] == 1
    assert response.get_json()["updated_at"] == e["updated_at"]


def test_patch_to_a_taken_credit_code_is_409(app, admin, factory):
    community = factory.community()
    taken = factory.enterprise(community)
    e = admin.post("/api/v1/enterprises", json=body(community)).get_json()
    response = admin.patch(f"/api/v1/enterprises/{e['id']}",
                           json={"version": 1, "credit_code": taken.credit_code})
    assert response.status_code == 409 and "credit_code" in response.get_json()["errors"]
    assert stored(app, e["id"]).credit_code == REAL_CODE
    bad = admin.patch(f"/api/v1/enterprises/{e['id']}",
                      json={"version": 1, "credit_code": REAL_CODE[:-1] + "X"})
    assert bad.status_code == 422 and "credit_code" in bad.get_json()["errors"]


def test_patch_by_non_admin_is_403_in_scope_and_404_outside(app, factory, client_for):
    mine, theirs = factory.community(), factory.community()
    e_mine, e_theirs = factory.enterprise(mine), factory.enterprise(theirs)
    supervisor = client_for(factory.user("supervisor", communities=[mine]))
    officer = client_for(factory.user("officer", enterprise=e_mine))
    for client in (supervisor, officer):
        assert client.patch(f"/api/v1/enterprises/{e_mine.id}",
                            json={"version": 1, "phone": "1"}).status_code == 403
        assert client.patch(f"/api/v1/enterprises/{e_theirs.id}",
                            json={"version": 1, "phone": "1"}).status_code == 404
    assert stored(app, e_mine.id).version == 1


def test_patch_with_bad_values_is_422_and_changes_nothing(app, admin, factory):
    e = admin.post("/api/v1/enterprises", json=body(factory.community())).get_json()
    for change, field in (({"community_id": str(uuid.uuid4())}, "community_id"),
                          ({"location": {"lat": 26.1}}, "location.lng"),
                          ({"risk_level": "purple"}, "risk_level"),
                          ({"name": ""}, "name")):
        response = admin.patch(f"/api/v1/enterprises/{e['id']}", json={"version": 1, **change})
        assert response.status_code == 422, change
        assert field in response.get_json()["errors"]
    after = stored(app, e["id"])
    assert (after.version, after.community_id, after.lat) == (1, e["community_id"], 26.0745)


def test_patch_unknown_enterprise_is_404(admin):
    assert admin.patch(f"/api/v1/enterprises/{uuid.uuid4()}",
                       json={"version": 1}).status_code == 404


# --------------------------------------------------------------------------- scope

def test_officer_sees_only_its_own_enterprise(factory, client_for):
    community = factory.community()
    own, neighbour = factory.enterprise(community), factory.enterprise(community)
    officer = client_for(factory.user("officer", enterprise=own))
    listing = officer.get("/api/v1/enterprises").get_json()
    assert [e["id"] for e in listing["items"]] == [own.id] and listing["total"] == 1
    assert officer.get(f"/api/v1/enterprises/{own.id}").status_code == 200
    # its own QR token is no secret to it: the label hangs at its gate
    assert officer.get(f"/api/v1/enterprises/{own.id}").get_json()["qr_token"] == own.qr_token
    hidden = officer.get(f"/api/v1/enterprises/{neighbour.id}")
    unknown = officer.get(f"/api/v1/enterprises/{uuid.uuid4()}")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.get_json() == unknown.get_json()


def test_inspector_sees_the_enterprises_of_its_communities(factory, client_for):
    a, b, c = factory.community(), factory.community(), factory.community()
    in_a, in_b, in_c = factory.enterprise(a), factory.enterprise(b), factory.enterprise(c)
    inspector = client_for(factory.user("inspector", communities=[a, b]))
    listing = inspector.get("/api/v1/enterprises?per_page=100").get_json()
    assert {e["id"] for e in listing["items"]} == {in_a.id, in_b.id}
    assert all(e["qr_token"] for e in listing["items"])  # the PWA caches them to scan offline
    assert inspector.get(f"/api/v1/enterprises/{in_c.id}").status_code == 404
    # filtering by a community outside the scope shows nothing rather than leaking
    assert inspector.get(f"/api/v1/enterprises?community_id={c.id}").get_json()["total"] == 0


def test_communities_are_scoped(factory, client_for):
    a, b = factory.community("甲社区"), factory.community("乙社区")
    factory.enterprise(a)
    factory.enterprise(a)
    officer_enterprise = factory.enterprise(b)
    admin = client_for(factory.user("admin"))
    all_names = {c["name"]: c for c in admin.get("/api/v1/communities").get_json()["items"]}
    assert {"甲社区", "乙社区"} <= set(all_names)
    assert all_names["甲社区"]["enterprise_count"] == 2
    inspector = client_for(factory.user("inspector", communities=[a]))
    assert [c["name"] for c in inspector.get("/api/v1/communities").get_json()["items"]] == [
        "甲社区"]
    officer = client_for(factory.user("officer", enterprise=officer_enterprise))
    page = officer.get("/api/v1/communities").get_json()
    assert [c["id"] for c in page["items"]] == [b.id] and page["total"] == 1


# --------------------------------------------------------------------------- lists

def test_list_filters_search_and_pagination(factory, client_for):
    a, b = factory.community(), factory.community()
    red = factory.enterprise(a, name="红星化工有限公司", risk_level="red",
                             industry="hazardous_chemicals")
    factory.enterprise(a, name="蓝天餐饮店", risk_level="blue", industry="catering")
    for i in range(5):
        factory.enterprise(b, name=f"乙社区企业{i}")
    admin = client_for(factory.user("admin"))

    def ids(query):
        return [e["id"] for e in admin.get(f"/api/v1/enterprises?{query}").get_json()["items"]]

    assert ids(f"community_id={a.id}&risk_level=red") == [red.id]
    assert ids("industry=hazardous_chemicals") == [red.id]
    assert ids("q=红星") == [red.id]
    assert ids(f"q={red.credit_code[5:12].lower()}") == [red.id]
    assert ids("q=%25") == []  # a LIKE wildcard is searched for literally

    first = admin.get(f"/api/v1/enterprises?community_id={b.id}&per_page=2").get_json()
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (5, 1, 2, 3)
    pages = [admin.get(f"/api/v1/enterprises?community_id={b.id}&per_page=2&page={p}")
             .get_json()["items"] for p in (1, 2, 3)]
    names = [e["name"] for page in pages for e in page]
    assert names == [f"乙社区企业{i}" for i in range(5)]
    # page_size is accepted as an alias (the PWA's list walker sends it)
    assert len(admin.get("/api/v1/enterprises?page_size=3").get_json()["items"]) == 3
    assert admin.get("/api/v1/enterprises?per_page=0").status_code == 422
    assert admin.get("/api/v1/enterprises?risk_level=pink").status_code == 422


def test_choices_list_risk_colours_and_configured_industries(app, factory, client_for,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "INDUSTRIES", ["catering", "other"])
    choices = client_for(factory.user("inspector")).get("/api/v1/enterprises/choices").get_json()
    assert [r["value"] for r in choices["risk_levels"]] == ["red", "orange", "yellow", "blue"]
    assert choices["risk_levels"][0]["zh"] == "重大风险" and choices["risk_levels"][0]["color"]
    assert [(i["value"], i["zh"]) for i in choices["industries"]] == [("catering", "餐饮"),
                                                                      ("other", "其他")]


def test_industry_must_be_in_the_configured_list(app, admin, factory, monkeypatch):
    monkeypatch.setitem(app.config, "INDUSTRIES", ["catering", "other"])
    response = admin.post("/api/v1/enterprises",
                          json=body(factory.community(), industry="manufacturing"))
    assert response.status_code == 422 and "industry" in response.get_json()["errors"]


def test_public_base_url_is_what_qr_urls_point_at(app, admin, factory, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://anxun.example.cn")
    e = factory.enterprise()
    got = admin.get(f"/api/v1/enterprises/{e.id}").get_json()
    assert got["qr_url"] == f"https://anxun.example.cn/e/{e.qr_token}"


def test_registry_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/communities", "/api/v1/enterprises",
                 "/api/v1/enterprises/{enterprise_id}", "/api/v1/enterprises/import",
                 "/api/v1/enterprises/export.xlsx",
                 "/api/v1/enterprises/{enterprise_id}/qr.png",
                 "/api/v1/enterprises/{enterprise_id}/qr/rotate", "/api/v1/qr-labels.pdf",
                 "/api/v1/scan/{token}", "/api/v1/enterprises/choices"):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/enterprises/import"]["post"]["requestBody"][
        "content"]
