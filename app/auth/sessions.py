"""Request hooks: load the server-side session from its cookie and enforce the CSRF header."""
from __future__ import annotations

from flask import current_app, g, request

from app.auth.operations import csrf_matches, load_session
from app.core.db import SAFE_METHODS
from app.errors import Forbidden

# Login issues the CSRF token, so it cannot require one.
CSRF_EXEMPT_ENDPOINTS = {"auth.login"}


def load_user():
    g.user = None
    g.user_session = None
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
