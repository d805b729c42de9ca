"""用户管理 over HTTP: administrators list, open, change, disable and re-enable accounts; every
user changes its own password. Sessions are real server sessions, so "disabled" and "password
reset" are checked by what a copied cookie can still do."""
from __future__ import annotations

import concurrent.futures
import uuid

import pytest
import requests

from tests.conftest import PASSWORD, ApiClient

NEW_PASSWORD = "a-new-long-password"


@pytest.fixture
def admin(factory, client_for):
    return client_for(factory.user("admin", username="root-admin"))


def _login_status(app, username, password):
    return app.test_client().post("/api/v1/auth/login", json={
        "username": username, "password": password}).status_code


# --------------------------------------------------------------------------- who may
@pytest.mark.parametrize("role", ["supervisor", "inspector", "officer"])
def test_only_admins_manage_accounts(role, factory, client_for):
    someone = factory.user("inspector")
    other = client_for(factory.user(role))
    community = factory.community()
    calls = [("GET", "/api/v1/users", None),
             ("POST", "/api/v1/users", {"username": "x"}),  # invalid, yet 403 first
             ("POST", "/api/v1/users", {"username": "new-one", "password": "long-enough-pw",
                                        "role": "inspector", "community_ids": [community.id]}),
             ("GET", f"/api/v1/users/{someone.id}", None),
             ("PATCH", f"/api/v1/users/{someone.id}", {"active": False})]
    for method, url, body in calls:
        response = other.open(method, url, json=body)
        assert response.status_code == 403, (method, url, response.get_json())
        assert response.mimetype == "application/problem+json"
    assert _login_status(other.raw.application, someone.username, PASSWORD) == 200


def test_accounts_need_a_login(client, factory):
    user = factory.user("inspector")
    assert client.get("/api/v1/users").status_code == 401
    assert client.get(f"/api/v1/users/{user.id}").status_code == 401
    assert client.post("/api/v1/users", json={}).status_code == 401


# --------------------------------------------------------------------------- list
def test_list_envelope_and_filters(admin, factory):
    east, west = factory.community(name="东风社区"), factory.community(name="西岭社区")
    ent_east = factory.enterprise(east, name="东风机械厂")
    factory.user("inspector", communities=[east], username="insp-east", display_name="张检查",
                 phone="13800000001")
    factory.user("inspector", communities=[west], username="insp-west")
    factory.user("supervisor", communities=[east, west], username="sup-both")
    factory.user("officer", enterprise=ent_east, username="officer-east")
    factory.user("officer", enterprise=factory.enterprise(west), username="officer-west")

    body = admin.get("/api/v1/users").get_json()
    assert set(body) >= {"items", "total", "page", "per_page"}
    assert body["total"] == 6 and body["page"] == 1
    names = [u["username"] for u in body["items"]]
    assert names == sorted(names)
    officer = next(u for u in body["items"] if u["username"] == "officer-east")
    assert officer["enterprise_id"] == ent_east.id and officer["enterprise_name"] == "东风机械厂"
    assert officer["active"] is True and "password" not in officer
    assert not any("password_hash" in u or "password" in u for u in body["items"])

    def names_for(query):
        response = admin.get(f"/api/v1/users?{query}")
        assert response.status_code == 200, response.get_json()
        return sorted(u["username"] for u in response.get_json()["items"])

    assert names_for("role=inspector") == ["insp-east", "insp-west"]
    assert names_for(f"community_id={east.id}") == ["insp-east", "officer-east", "sup-both"]
    assert names_for(f"community_id={east.id}&role=supervisor") == ["sup-both"]
    assert names_for("q=张检") == ["insp-east"]
    assert names_for("q=1380000") == ["insp-east"]
    assert names_for("q=WEST") == ["insp-west", "officer-west"]
    assert names_for("active=false") == []

    page = admin.get("/api/v1/users?per_page=2&page=2").get_json()
    assert page["total"] == 6 and page["per_page"] == 2 and len(page["items"]) == 2
    assert page["pages"] == 3

    for bad in ("role=boss", "active=maybe", "page=0", "per_page=100000"):
        response = admin.get(f"/api/v1/users?{bad}")
        assert response.status_code == 422, bad
        assert response.get_json()["errors"], bad


# --------------------------------------------------------------------------- create
def test_admin_opens_an_inspector_account_that_can_log_in(app, admin, factory):
    community = factory.community(name="白鹤社区")
    ent = factory.enterprise(community)
    response = admin.post("/api/v1/users", json={
        "username": "  wang.jc ", "display_name": "王检查", "password": "long-enough-pw",
        "role": "inspector", "community_ids": [community.id], "phone": "023-1234"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["username"] == "wang.jc" and created["display_name"] == "王检查"
    assert created["community_ids"] == [community.id]
    assert created["communities"] == [{"id": community.id, "name": "白鹤社区"}]
    assert created["active"] is True and created["phone"] == "023-1234"
    assert created["created_at"].endswith("+00:00")

    inspector = ApiClient(app.test_client()).login("wang.jc", "long-enough-pw")
    assert inspector.user["role"] == "inspector"
    # The new account sees its community's registry, as any inspector would.
    seen = inspector.get("/api/v1/enterprises").get_json()["items"]
    assert [e["id"] for e in seen] == [ent.id]
    assert admin.get(f"/api/v1/users/{created['id']}").get_json()["username"] == "wang.jc"


def test_officer_and_supervisor_accounts(admin, factory):
    community = factory.community()
    ent = factory.enterprise(community)
    officer = admin.post("/api/v1/users", json={
        "username": "safety1", "password": "long-enough-pw", "role": "officer",
        "enterprise_id": ent.id})
    assert officer.status_code == 201, officer.get_json()
    assert officer.get_json()["enterprise_id"] == ent.id
    assert officer.get_json()["display_name"] == "safety1"
    supervisor = admin.post("/api/v1/users", json={
        "username": "boss1", "password": "long-enough-pw", "role": "supervisor",
        "community_ids": [community.id, community.id]})
    assert supervisor.status_code == 201
    assert supervisor.get_json()["community_ids"] == [community.id]
    other_admin = admin.post("/api/v1/users", json={
        "username": "admin2", "password": "long-enough-pw", "role": "admin"})
    assert other_admin.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"role": "officer"}, "enterprise_id"),
    ({"role": "officer", "enterprise_id": "no-such-enterprise"}, "enterprise_id"),
    ({"role": "inspector", "enterprise_id": "@ent"}, "enterprise_id"),
    ({"role": "inspector"}, "community_ids"),
    ({"role": "supervisor", "community_ids": []}, "community_ids"),
    ({"role": "supervisor", "community_ids": ["no-such-community"]}, "community_ids"),
    ({"role": "officer", "enterprise_id": "@ent", "community_ids": ["@com"]}, "community_ids"),
    ({"role": "admin", "community_ids": ["@com"]}, "community_ids"),
    ({"role": "boss"}, "role"),
    ({"role": "admin", "password": "short"}, "password"),
    ({"role": "admin", "username": "two words"}, "username"),
    ({"role": "admin", "username": ""}, "username"),
    ({"role": "admin", "username": "taken"}, "username"),
    ({"role": "admin", "display_name": ""}, "display_name"),
    ({"role": "admin", "is_superuser": True}, "is_superuser"),
    ({"role": "admin", "id": "not-a-uuid"}, "id"),
])
def test_create_names_the_bad_field_and_creates_nothing(body, field, admin, factory):
    community = factory.community()
    ent = factory.enterprise(community)
    factory.user("admin", username="taken")
    before = admin.get("/api/v1/users").get_json()["total"]
    payload = {"username": "newbie", "password": "long-enough-pw", **body}
    for key, value in list(payload.items()):
        if value == "@ent":
            payload[key] = ent.id
        if value == ["@com"]:
            payload[key] = [community.id]
    response = admin.post("/api/v1/users", json=payload)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"], response.get_json()
    assert admin.get("/api/v1/users").get_json()["total"] == before


def test_create_with_a_client_id_is_idempotent(admin, factory):
    community = factory.community()
    body = {"id": str(uuid.uuid4()), "username": "li4", "password": "long-enough-pw",
            "role": "inspector", "community_ids": [community.id]}
    first = admin.post("/api/v1/users", json=body)
    assert first.status_code == 201 and first.get_json()["id"] == body["id"]
    again = admin.post("/api/v1/users", json=body)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    other = admin.post("/api/v1/users", json={**body, "password": "another-password"})
    assert other.status_code == 409 and "id" in other.get_json()["errors"]
    assert admin.get("/api/v1/users?q=li4").get_json()["total"] == 1


def _live_admin(live_server, factory) -> requests.Session:
    """An administrator's HTTP session on the live server, carrying its CSRF header."""
    admin_user = factory.user("admin")
    s = requests.Session()
    r = s.post(f"{live_server}/api/v1/auth/login",
               json={"username": admin_user.username, "password": PASSWORD}, timeout=30)
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


def test_parallel_creates_of_one_username_make_one_account(live_server, factory):
    """Eight admins' clicks at once over two gunicorn workers: one account, no 5xx."""
    s = _live_admin(live_server, factory)
    community = factory.community()

    def create(_):
        return s.post(f"{live_server}/api/v1/users", json={
            "username": "racer", "password": "long-enough-pw", "role": "inspector",
            "community_ids": [community.id]}, timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(create, range(8)))
    assert codes.count(201) == 1, codes
    assert set(codes) <= {201, 409, 422}, codes
    listed = s.get(f"{live_server}/api/v1/users?q=racer", timeout=30).json()
    assert listed["total"] == 1


def test_parallel_creates_with_one_id_all_answer_the_stored_account(live_server, factory):
    """An outbox retrying one create twenty times at once (two gunicorn workers): every answer is
    the stored account, 201 for the one that made it and 200 for the replays; never a 409
    "username taken" from a replay that met the first one's row before it was committed."""
    s = _live_admin(live_server, factory)
    community = factory.community()
    body = {"id": str(uuid.uuid4()), "username": "outbox-racer", "password": "long-enough-pw",
            "role": "inspector", "community_ids": [community.id]}

    def create(_):
        answer = s.post(f"{live_server}/api/v1/users", json=body, timeout=60)
        return answer.status_code, answer.json()

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(create, range(20)))
    codes = [code for code, _ in answers]
    assert codes.count(201) == 1 and codes.count(200) == 19, answers
    stored = s.get(f"{live_server}/api/v1/users/{body['id']}", timeout=30).json()
    assert all(answer == stored for _, answer in answers), answers


# --------------------------------------------------------------------------- change
def test_get_unknown_user_is_404(admin):
    assert admin.get("/api/v1/users/nobody").status_code == 404
    assert admin.patch("/api/v1/users/nobody", json={"phone": "1"}).status_code == 404


def test_patch_changes_name_phone_and_bindings(admin, factory, client_for):
    east, west = factory.community(), factory.community()
    ent_east, ent_west = factory.enterprise(east), factory.enterprise(west)
    inspector = factory.user("inspector", communities=[east])
    officer = factory.user("officer", enterprise=ent_east)
    inspector_client = client_for(inspector)
    assert [e["id"] for e in inspector_client.get("/api/v1/enterprises").get_json()["items"]] \
        == [ent_east.id]

    response = admin.patch(f"/api/v1/users/{inspector.id}", json={
        "display_name": " 李检查 ", "phone": "139", "community_ids": [west.id]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["display_name"] == "李检查" and body["phone"] == "139"
    assert body["community_ids"] == [west.id]
    # The new scope holds at once for the session already open.
    assert [e["id"] for e in inspector_client.get("/api/v1/enterprises").get_json()["items"]] \
        == [ent_west.id]

    moved = admin.patch(f"/api/v1/users/{officer.id}", json={"enterprise_id": ent_west.id})
    assert moved.status_code == 200 and moved.get_json()["enterprise_id"] == ent_west.id
    cleared = admin.patch(f"/api/v1/users/{inspector.id}", json={"phone": None})
    assert cleared.get_json()["phone"] is None


@pytest.mark.parametrize("who, body, field", [
    ("inspector", {"community_ids": []}, "community_ids"),
    ("inspector", {"community_ids": ["no-such-community"]}, "community_ids"),
    ("inspector", {"enterprise_id": "@ent"}, "enterprise_id"),
    ("officer", {"enterprise_id": None}, "enterprise_id"),
    ("officer", {"enterprise_id": "no-such-enterprise"}, "enterprise_id"),
    ("officer", {"community_ids": ["@com"]}, "community_ids"),
    ("inspector", {"password": "short"}, "password"),
    ("inspector", {"display_name": "   "}, "display_name"),
    ("inspector", {"active": None}, "active"),
    ("inspector", {"role": "admin"}, "role"),
    ("inspector", {"username": "renamed"}, "username"),
])
def test_patch_names_the_bad_field_and_changes_nothing(who, body, field, admin, factory):
    community = factory.community()
    ent = factory.enterprise(community)
    user = factory.user(who, communities=[community] if who == "inspector" else (),
                        enterprise=ent if who == "officer" else None, display_name="原名")
    payload = {"display_name": "新名字", **body}
    for key, value in list(payload.items()):
        if value == "@ent":
            payload[key] = ent.id
        if value == ["@com"]:
            payload[key] = [community.id]
    before = admin.get(f"/api/v1/users/{user.id}").get_json()
    response = admin.patch(f"/api/v1/users/{user.id}", json=payload)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    assert admin.get(f"/api/v1/users/{user.id}").get_json() == before


@pytest.mark.parametrize("kwargs", [{}, {"json": {}}, {"data": "phone=1"}])
def test_patch_without_a_body_names_the_body(kwargs, admin, factory):
    """A PATCH that names no field is a client's mistake (a lost body), not a change of nothing."""
    user = factory.user("inspector")
    before = admin.get(f"/api/v1/users/{user.id}").get_json()
    response = admin.patch(f"/api/v1/users/{user.id}", **kwargs)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert list(response.get_json()["errors"]) == ["json"], response.get_json()
    assert admin.get(f"/api/v1/users/{user.id}").get_json() == before


def test_disable_ends_every_session_and_enable_lets_in_again(app, admin, factory):
    inspector = factory.user("inspector")
    phone_a = ApiClient(app.test_client()).login(inspector.username)
    phone_b = ApiClient(app.test_client()).login(inspector.username)
    copied = app.test_client()
    copied.set_cookie("anxun_session", phone_a.raw.get_cookie("anxun_session").value)

    response = admin.patch(f"/api/v1/users/{inspector.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    for c in (phone_a.raw, phone_b.raw, copied):
        assert c.get("/api/v1/auth/me").status_code == 401
    assert _login_status(app, inspector.username, PASSWORD) == 401
    assert admin.get("/api/v1/users?active=false").get_json()["items"][0]["id"] == inspector.id

    response = admin.patch(f"/api/v1/users/{inspector.id}", json={"active": True})
    assert response.get_json()["active"] is True
    assert phone_a.get("/api/v1/auth/me").status_code == 401  # old sessions stay ended
    assert _login_status(app, inspector.username, PASSWORD) == 200


def test_admin_cannot_disable_itself(admin):
    me = admin.user
    response = admin.patch(f"/api/v1/users/{me['id']}", json={"active": False})
    assert response.status_code == 422 and "active" in response.get_json()["errors"]
    assert admin.get("/api/v1/auth/me").status_code == 200


def test_password_reset_ends_the_users_sessions(app, admin, factory):
    inspector = factory.user("inspector")
    phone = ApiClient(app.test_client()).login(inspector.username)
    response = admin.patch(f"/api/v1/users/{inspector.id}", json={"password": NEW_PASSWORD})
    assert response.status_code == 200
    assert "password" not in response.get_json()
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert _login_status(app, inspector.username, PASSWORD) == 401
    assert _login_status(app, inspector.username, NEW_PASSWORD) == 200


def test_admin_resetting_its_own_password_stays_logged_in(app, admin):
    other_tab = ApiClient(app.test_client()).login(admin.user["username"])
    response = admin.patch(f"/api/v1/users/{admin.user['id']}", json={"password": NEW_PASSWORD})
    assert response.status_code == 200
    assert admin.get("/api/v1/auth/me").status_code == 200
    assert other_tab.get("/api/v1/auth/me").status_code == 401
    assert _login_status(app, admin.user["username"], NEW_PASSWORD) == 200


# --------------------------------------------------------------------------- own password
def test_user_changes_own_password(app, factory, client_for):
    officer = factory.user("officer")
    me = client_for(officer)
    other_phone = ApiClient(app.test_client()).login(officer.username)
    response = me.post("/api/v1/auth/password", json={"old_password": PASSWORD,
                                                       "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_json()
    assert me.get("/api/v1/auth/me").status_code == 200  # this session carries on
    assert other_phone.get("/api/v1/auth/me").status_code == 401
    assert _login_status(app, officer.username, PASSWORD) == 401
    assert _login_status(app, officer.username, NEW_PASSWORD) == 200


@pytest.mark.parametrize("body, field", [
    ({"old_password": "wrong-password", "new_password": NEW_PASSWORD}, "old_password"),
    ({"old_password": PASSWORD, "new_password": "short"}, "new_password"),
    ({"old_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
    ({"new_password": NEW_PASSWORD}, "old_password"),
])
def test_password_change_names_the_bad_field(body, field, app, factory, client_for):
    user = factory.user("inspector")
    me = client_for(user)
    response = me.post("/api/v1/auth/password", json=body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert _login_status(app, user.username, PASSWORD) == 200  # unchanged


def test_password_change_needs_login_and_csrf(client, factory):
    assert client.post("/api/v1/auth/password", json={
        "old_password": PASSWORD, "new_password": NEW_PASSWORD}).status_code == 401
    user = factory.user("inspector")
    client.login(user.username)
    forged = client.raw.post("/api/v1/auth/password", json={
        "old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert forged.status_code == 403


def test_wrong_current_passwords_are_throttled(app, factory, client_for):
    user = factory.user("inspector")
    me = client_for(user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert me.post("/api/v1/auth/password", json={
            "old_password": "guess-guess", "new_password": NEW_PASSWORD}).status_code == 422
    blocked = me.post("/api/v1/auth/password", json={"old_password": PASSWORD,
                                                      "new_password": NEW_PASSWORD})
    assert blocked.status_code == 429
    assert _login_status(app, user.username, PASSWORD) == 429


def test_openapi_documents_the_account_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(spec["paths"]["/api/v1/users"])
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/users/{user_id}"])
    assert "post" in spec["paths"]["/api/v1/auth/password"]
    create = spec["paths"]["/api/v1/users"]["post"]
    assert "403" in create["responses"] and "201" in create["responses"]
