"""Request hooks: load the server-side session from its cookie and enforce the CSRF header."""
from __future__ import annotations

from flask import current_app, g, request

from app.auth.operations import csrf_matches, load_session
from app.core.db import SAFE_METHODS
from app.errors import Forbidden

# Login issues the CSRF token, so it cannot require one.
CSRF_EXEMPT_ENDPOINTS = {"auth.login"}


def _read_body_before_the_database():
    """Take a write request's body off the network before its first query.

    On SQLite a write request's first query opens ``BEGIN IMMEDIATE`` and so holds the database's
    single write lock until the request ends. A photo arriving over a weak phone link can take
    longer than the busy timeout: read while holding the lock, it would make every other writer
    fail with "database is locked". Form uploads are spooled to temporary files; an oversize
    body is refused here with 413 before anything is locked.
    """
    if request.method in SAFE_METHODS:
        return
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        request.form  # noqa: B018 - parsing reads the whole stream
    else:
        request.get_data(cache=True)


def load_user():
    g.user = None
    g.user_session = None
    _read_body_before_the_database()
    token = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    session = load_session(token)
    if session is None:
        return
    if request.method not in SAFE_METHODS and request.endpoint not in CSRF_EXEMPT_ENDPOINTS:
        if not csrf_matches(session, request.headers.get("X-CSRF-Token")):
            raise Forbidden("安全令牌缺失或有误，请刷新页面后重新登录 / "
                            "CSRF token missing or wrong; reload and log in again.",
                            field="X-CSRF-Token")
    g.user_session = session
    g.user = session.user


def set_session_cookie(response, token: str):
    cfg = current_app.config
    response.set_cookie(cfg["SESSION_COOKIE_NAME"], token, httponly=True, samesite="Lax",
                        secure=cfg["SESSION_COOKIE_SECURE"], path="/",
                        max_age=cfg["SESSION_LIFETIME_HOURS"] * 3600)


def clear_session_cookie(response):
    cfg = current_app.config
    response.delete_cookie(cfg["SESSION_COOKIE_NAME"], path="/", httponly=True, samesite="Lax",
                           secure=cfg["SESSION_COOKIE_SECURE"])


def init_app(app):
    app.before_request(load_user)
