"""Logging in and out, server-side sessions, CSRF, throttling."""
import concurrent.futures

import pytest
import requests
from sqlalchemy import select

from tests.conftest import PASSWORD, ApiClient


def test_login_returns_user_csrf_and_a_safe_cookie(client, factory):
    inspector = factory.user("inspector")
    response = client.raw.post("/api/v1/auth/login",
                               json={"username": inspector.username, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["role"] == "inspector"
    assert body["user"]["community_ids"] == [c.id for c in inspector.communities]
    assert body["user"]["enterprise_id"] is None
    assert len(body["csrf_token"]) >= 32
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.get_json()["user"]["username"] == inspector.username


def test_officer_login_names_its_enterprise(client, factory):
    officer = factory.user("officer")
    body = client.login(officer.username).user
    assert body["enterprise_id"] == officer.enterprise_id and body["community_ids"] == []


def test_unknown_user_and_wrong_password_answer_the_same(client, factory):
    user = factory.user("inspector")
    wrong = client.raw.post("/api/v1/auth/login", json={"username": user.username,
                                                        "password": "nope-nope"})
    unknown = client.raw.post("/api/v1/auth/login", json={"username": "ghost",
                                                          "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.mimetype == "application/problem+json"


def test_password_is_hashed_with_argon2id(app, factory):
    from app.auth.models import User
    from app.extensions import db
    user = factory.user("admin")
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_me_requires_login(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_logout_ends_the_session_for_good(app, client, factory):
    user = factory.user("supervisor")
    client.login(user.username)
    cookie = client.raw.get_cookie("anxun_session").value
    assert client.post("/api/v1/auth/logout").status_code == 204
    copied = app.test_client()
    copied.set_cookie("anxun_session", cookie)
    assert copied.get("/api/v1/auth/me").status_code == 401


def test_disabling_a_user_ends_its_sessions(app, client, factory):
    from app.auth.models import User
    from app.auth.operations import disable_user
    from app.extensions import db
    user = factory.user("inspector")
    client.login(user.username)
    assert client.get("/api/v1/auth/me").status_code == 200
    with app.app_context():
        disable_user(db.session.get(User, user.id))
        db.session.commit()
    assert client.get("/api/v1/auth/me").status_code == 401
    again = client.raw.post("/api/v1/auth/login", json={"username": user.username,
                                                        "password": PASSWORD})
    assert again.status_code == 401


def test_unsafe_requests_need_the_csrf_header(client, factory):
    user = factory.user("inspector")
    client.login(user.username)
    missing = client.raw.post("/api/v1/auth/logout")
    assert missing.status_code == 403
    assert "X-CSRF-Token" in missing.get_json()["errors"]
    wrong = client.raw.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    assert client.get("/api/v1/auth/me").status_code == 200  # still logged in
    assert client.post("/api/v1/auth/logout").status_code == 204


def test_repeated_failures_are_throttled(app, client, factory):
    user = factory.user("inspector")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        r = client.raw.post("/api/v1/auth/login", json={"username": user.username,
                                                        "password": "wrong-password"})
        assert r.status_code == 401
    blocked = client.raw.post("/api/v1/auth/login", json={"username": user.username,
                                                          "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.mimetype == "application/problem+json"


def test_throttle_window_expires(app, client, factory):
    from datetime import timedelta

    from app.auth.models import LoginFailure
    from app.extensions import db
    user = factory.user("inspector")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.raw.post("/api/v1/auth/login", json={"username": user.username, "password": "x"})
    with app.app_context():
        for row in db.session.scalars(select(LoginFailure)):
            row.window_start -= timedelta(seconds=app.config["LOGIN_FAILURE_WINDOW_S"] + 1)
        db.session.commit()
    assert client.raw.post("/api/v1/auth/login", json={
        "username": user.username, "password": PASSWORD}).status_code == 200


def test_throttling_holds_across_worker_processes(live_server, factory, app):
    """Failures hit two gunicorn workers in parallel; the count is shared (database)."""
    user = factory.user("inspector")
    limit = app.config["LOGIN_MAX_FAILURES"]

    def attempt(_):
        return requests.post(live_server + "/api/v1/auth/login",
                             json={"username": user.username, "password": "bad-password"},
                             timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(attempt, range(limit * 3)))
    assert set(codes) <= {401, 429}, codes  # never "database is locked" → 500
    # Each attempt is counted before its password is checked, so parallel ones cannot slip by.
    assert codes.count(401) == limit, codes
    assert 429 in codes
    final = requests.post(live_server + "/api/v1/auth/login",
                          json={"username": user.username, "password": PASSWORD}, timeout=30)
    assert final.status_code == 429


def test_login_and_session_through_gunicorn(live_server, factory):
    user = factory.user("supervisor")
    s = requests.Session()
    r = s.post(live_server + "/api/v1/auth/login",
               json={"username": user.username, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200
    token = r.json()["csrf_token"]
    for _ in range(4):  # both workers know the session: it lives in the database
        assert s.get(live_server + "/api/v1/auth/me", timeout=30).status_code == 200
    assert s.post(live_server + "/api/v1/auth/logout", headers={"X-CSRF-Token": token},
                  timeout=30).status_code == 204
    assert s.get(live_server + "/api/v1/auth/me", timeout=30).status_code == 401


def test_users_create_cli(app, factory):
    community = factory.community(name="白鹤社区")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--username", "li", "--password",
                                 "long-enough-pw", "--role", "inspector", "--community",
                                 "白鹤社区"])
    assert result.exit_code == 0, result.output
    client = ApiClient(app.test_client()).login("li", "long-enough-pw")
    assert client.user["community_ids"] == [community.id]
    bad = runner.invoke(args=["users", "create", "--username", "x", "--password", "long-enough-pw",
                              "--role", "officer"])
    assert bad.exit_code != 0 and "enterprise" in bad.output


def test_parallel_writes_over_two_workers_never_lock(live_server, factory):
    """Sixteen logins at once (each writes a session row) over two gunicorn workers."""
    user = factory.user("inspector")

    def login(_):
        return requests.post(live_server + "/api/v1/auth/login",
                             json={"username": user.username, "password": PASSWORD},
                             timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(login, range(16)))
    assert codes == [200] * 16


@pytest.mark.parametrize("live_server", [{"SQLITE_BUSY_TIMEOUT_MS": "2000"}], indirect=True)
def test_a_stalled_upload_never_holds_the_write_lock(live_server, factory):
    """A phone whose upload stalls half-way (weak 4G) must not lock out other writers.

    The server's busy timeout is 2 s here; the upload stalls for longer than that while another
    user logs in (a write). Had the server opened its write transaction before reading the body,
    the login would fail with "database is locked".
    """
    import socket
    import time
    from urllib.parse import urlsplit

    uploader, other = factory.user("inspector"), factory.user("inspector")
    login = requests.post(live_server + "/api/v1/auth/login", timeout=30,
                          json={"username": uploader.username, "password": PASSWORD})
    cookie = "; ".join(f"{k}={v}" for k, v in login.cookies.get_dict().items())
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nfinding\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
            b"Content-Type: image/jpeg\r\n\r\n" + b"\xff" * 200_000 + b"\r\n--XyZ--\r\n")
    head = (f"POST /api/v1/photos HTTP/1.1\r\nHost: {urlsplit(live_server).netloc}\r\n"
            f"Content-Type: multipart/form-data; boundary=XyZ\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\n"
            f"X-CSRF-Token: {login.json()['csrf_token']}\r\nConnection: close\r\n\r\n").encode()
    url = urlsplit(live_server)
    with socket.create_connection((url.hostname, url.port), timeout=30) as phone:
        phone.sendall(head + body[:1000])
        time.sleep(3)  # longer than the busy timeout, with the upload still unfinished
        second = requests.post(live_server + "/api/v1/auth/login", timeout=30,
                               json={"username": other.username, "password": PASSWORD})
        assert second.status_code == 200, second.text
        phone.sendall(body[1000:])
        answer = phone.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 4"), answer[:200]  # not a photo: refused, no 5xx
