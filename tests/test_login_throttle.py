"""Login throttling that slows attackers without handing them a lockout (README "Login throttling").

* wrong passwords slow down the (username, address) pair that makes them, not the username
  everywhere: the owner logs in from another address;
* a device where the user logged in before (a signed ``anxun_device`` cookie) keeps logging in
  while the username is under attack from elsewhere or its office address is sprayed;
* an administrator can clear a user's counters (``POST /api/v1/users/{id}/unlock``).
"""
from __future__ import annotations

import concurrent.futures

import pytest
import requests

from tests.conftest import PASSWORD, ApiClient

LOGIN = "/api/v1/auth/login"


def _from(app, address):
    """A browser at ``address`` (no cookies yet)."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def _login(browser, username, password=PASSWORD):
    return browser.post(LOGIN, json={"username": username, "password": password})


def _fail(browser, username, times):
    codes = [_login(browser, username, "wrong-password").status_code for _ in range(times)]
    assert set(codes) <= {401, 429}, codes
    return codes


def test_failures_from_one_address_do_not_lock_the_owner_out_elsewhere(app, factory):
    user = factory.user("inspector")
    attacker = _from(app, "203.0.113.9")
    assert _fail(attacker, user.username, app.config["LOGIN_MAX_FAILURES"]) == \
        [401] * app.config["LOGIN_MAX_FAILURES"]
    blocked = _login(attacker, user.username)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # The owner, at the office, is not slowed down by someone else's guesses.
    assert _login(_from(app, "198.51.100.20"), user.username).status_code == 200
    # Other users at the attacker's address are not either.
    neighbour = factory.user("inspector")
    assert _login(attacker, neighbour.username).status_code == 200


def test_a_known_device_logs_in_while_the_username_is_under_attack(app, factory):
    user = factory.user("inspector")
    phone = _from(app, "198.51.100.20")
    assert _login(phone, user.username).status_code == 200
    assert phone.get_cookie("anxun_device", path="/api/v1/auth") is not None

    # A botnet guesses from many addresses, a few tries each (under the pair limit).
    spread = app.config["LOGIN_USER_MAX_FAILURES"] // 4 + 1
    for n in range(spread):
        _fail(_from(app, f"203.0.113.{n + 1}"), user.username, 4)
    # The username is now under attack: a new device anywhere has to wait ...
    new_device = _login(_from(app, "198.51.100.77"), user.username)
    assert new_device.status_code == 429 and int(new_device.headers["Retry-After"]) > 0
    # ... but the owner's phone, known from its last login, still gets in.
    assert _login(phone, user.username).status_code == 200


def test_a_known_device_logs_in_from_a_sprayed_office_address(app, factory):
    """30 failures from one address (a whole office behind one NAT) no longer block every login
    from it: users whose device is known carry on."""
    office = "198.51.100.1"
    colleague = factory.user("inspector")
    colleague_pc = _from(app, office)
    assert _login(colleague_pc, colleague.username).status_code == 200
    sprayer = _from(app, office)
    for n in range(app.config["LOGIN_IP_MAX_FAILURES"] + 1):
        _login(sprayer, f"nobody{n}", "wrong-password")
    assert _login(_from(app, office), "nobody-else", "x").status_code == 429
    assert _login(colleague_pc, colleague.username).status_code == 200


def test_a_known_device_has_its_own_limit(app, factory):
    user = factory.user("inspector")
    phone = _from(app, "198.51.100.20")
    assert _login(phone, user.username).status_code == 200
    assert _fail(phone, user.username, app.config["LOGIN_MAX_FAILURES"] + 1)[-1] == 429
    assert _login(phone, user.username).status_code == 429
    # The device's mistakes did not count against the owner's other devices.
    assert _login(_from(app, "198.51.100.30"), user.username).status_code == 200


def test_a_device_cookie_counts_only_for_its_user_and_only_when_signed(app, factory):
    owner, other = factory.user("inspector"), factory.user("inspector")
    phone = _from(app, "198.51.100.20")
    assert _login(phone, owner.username).status_code == 200
    cookie = phone.get_cookie("anxun_device", path="/api/v1/auth").value
    for n in range(app.config["LOGIN_USER_MAX_FAILURES"] // 4 + 1):
        _fail(_from(app, f"203.0.113.{n + 1}"), other.username, 4)
    # The owner's device cookie does not make another user's login "known".
    assert _login(phone, other.username).status_code == 429
    forged = _from(app, "198.51.100.21")
    forged.set_cookie("anxun_device", cookie[:-4] + "AAAA")
    assert _login(forged, other.username).status_code == 429


def test_admin_unlocks_a_user(app, factory, client_for):
    user = factory.user("inspector")
    attacker = _from(app, "203.0.113.9")
    _fail(attacker, user.username, app.config["LOGIN_MAX_FAILURES"] + 1)
    assert _login(attacker, user.username).status_code == 429
    admin = client_for(factory.user("admin"))
    inspector = client_for(factory.user("inspector"))
    assert inspector.post(f"/api/v1/users/{user.id}/unlock").status_code == 403
    assert admin.post("/api/v1/users/no-such-user/unlock").status_code == 404
    assert admin.raw.post(f"/api/v1/users/{user.id}/unlock").status_code == 403  # CSRF
    assert admin.post(f"/api/v1/users/{user.id}/unlock").status_code == 204
    assert _login(attacker, user.username).status_code == 200


def test_the_unlock_endpoint_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/users/{user_id}/unlock"]


@pytest.mark.parametrize("live_server", [{"TRUSTED_PROXIES": "1"}], indirect=True)
def test_known_devices_hold_across_worker_processes(live_server, factory, app):
    """Two gunicorn workers: the attack counted on one holds on the other, and so does the
    device cookie the other one signed."""
    user = factory.user("inspector")
    phone = requests.Session()
    phone.headers["X-Forwarded-For"] = "198.51.100.20"
    assert phone.post(live_server + LOGIN, json={"username": user.username,
                                                 "password": PASSWORD}, timeout=30).ok

    def guess(n):
        return requests.post(live_server + LOGIN, timeout=60,
                             headers={"X-Forwarded-For": f"203.0.113.{n // 4 + 1}"},
                             json={"username": user.username, "password": "bad-password"}
                             ).status_code

    attempts = app.config["LOGIN_USER_MAX_FAILURES"] + 8
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, range(attempts)))
    assert set(codes) <= {401, 429} and codes.count(401) <= app.config["LOGIN_USER_MAX_FAILURES"]
    stranger = requests.post(live_server + LOGIN, timeout=30,
                             headers={"X-Forwarded-For": "198.51.100.99"},
                             json={"username": user.username, "password": PASSWORD})
    assert stranger.status_code == 429
    for _ in range(4):  # both workers accept the phone
        assert phone.post(live_server + LOGIN, json={"username": user.username,
                                                     "password": PASSWORD},
                          timeout=30).status_code == 200


def test_the_device_cookie_is_httponly_and_long_lived(client, factory):
    """The device cookie is httponly and long-lived; the session cookie is unchanged."""
    user = factory.user("inspector")
    response = client.raw.post(LOGIN, json={"username": user.username, "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    device = next(c for c in cookies if c.startswith("anxun_device="))
    assert "HttpOnly" in device and "SameSite=Lax" in device and "Max-Age=" in device
    assert any(c.startswith("anxun_session=") for c in cookies)
    assert ApiClient(client.raw).login(user.username).user["username"] == user.username
