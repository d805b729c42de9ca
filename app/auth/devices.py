"""Known devices (常用设备): browsers where an account has logged in before.

After a successful login the browser gets a signed cookie, ``anxun_device``, naming a random
device id and the accounts that logged in on it (the most recent few). The login throttle treats
such a browser apart: its failures count against the device, not against the username or the
address, so an attack on a username from elsewhere, or on the office's shared address, never
locks its owner out of a device it used before (README "Login throttling").

The cookie is signed with ``SECRET_KEY`` and expires after ``LOGIN_DEVICE_DAYS``; a cookie that
fails its signature or has expired is simply not a known device.
"""
from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "anxun_device"
#: Accounts remembered per device (a shared office computer); the oldest drop out.
MAX_ACCOUNTS = 8
_SALT = "anxun.known-device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _max_age_s() -> int:
    return current_app.config["LOGIN_DEVICE_DAYS"] * 86400


def _read(cookie: str | None) -> dict | None:
    if not cookie:
        return None
    try:
        data = _serializer().loads(cookie, max_age=_max_age_s())
    except BadSignature:  # also an expired one (SignatureExpired is a BadSignature)
        return None
    if not (isinstance(data, dict) and isinstance(data.get("d"), str)
            and isinstance(data.get("u"), list)):
        return None
    return data


def known_device_id(cookie: str | None, user) -> str | None:
    """The device id when ``cookie`` is a valid device cookie on which ``user`` logged in."""
    data = _read(cookie)
    if data is None or user is None or user.id not in data["u"]:
        return None
    return data["d"]


def remember(cookie: str | None, user) -> str:
    """The cookie value after ``user`` logged in on this browser (a new device when none)."""
    data = _read(cookie) or {"d": secrets.token_urlsafe(16), "u": []}
    accounts = [user.id] + [uid for uid in data["u"] if uid != user.id]
    return _serializer().dumps({"d": data["d"], "u": accounts[:MAX_ACCOUNTS]})


def set_cookie(response, value: str) -> None:
    cfg = current_app.config
    response.set_cookie(COOKIE_NAME, value, httponly=True, samesite="Lax",
                        secure=cfg["SESSION_COOKIE_SECURE"], path="/api/v1/auth",
                        max_age=_max_age_s())
