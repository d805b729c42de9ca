"""Logging in and out (CONTRACT.md "Logging in") and changing one's own password."""
from __future__ import annotations

from flask import g, request
from app.core.blueprints import Blueprint

from app.auth import devices, operations
from app.auth.schemas import LoginIn, PasswordChangeIn, SessionOut, SessionStateOut
from app.auth.sessions import clear_session_cookie, set_session_cookie
from app.core.permissions import current_user, require_user
from app.errors import Invalid, Unauthorized
from app.extensions import db

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录 Logging in")


@blp.route("/login", methods=["POST"], endpoint="login")
@blp.arguments(LoginIn)
@blp.response(200, SessionOut)
@blp.alt_response(401, description="Wrong credentials")
@blp.alt_response(429, description="Too many failed attempts")
def login(data):
    """Log in with username and password; sets the session cookie and returns the CSRF token."""
    ip = request.remote_addr
    device_cookie = request.cookies.get(devices.COOKIE_NAME)
    try:
        user = operations.authenticate(data["username"], data["password"], ip, device_cookie)
    except Unauthorized:
        # The attempt counted before the password was checked is this failure; it must survive
        # the 4xx answer (which rolls back), so it is committed here.
        db.session.commit()
        raise
    if g.get("user_session") is not None:
        operations.revoke_session(g.user_session)  # no session fixation across accounts
    token, session = operations.open_session(user, user_agent=request.user_agent.string, ip=ip)
    g.set_cookie_token = token
    g.set_device_cookie = devices.remember(device_cookie, user)
    return {"user": user, "csrf_token": session.csrf_token}


@blp.route("/me", methods=["GET"])
@blp.response(200, SessionOut)
def me():
    """The logged-in user and its CSRF token (401 when not logged in)."""
    user = require_user()
    return {"user": user, "csrf_token": g.user_session.csrf_token}


@blp.route("/session", methods=["GET"])
@blp.response(200, SessionStateOut)
def session_state():
    """Who am I, asked without an error: ``{"authenticated": false}`` when nobody is logged in
    (the app's start asks this; ``/me`` answers 401 then), else also ``user`` and
    ``csrf_token`` as ``/me`` gives them."""
    user = current_user()
    if user is None:
        return {"authenticated": False}
    return {"authenticated": True, "user": user, "csrf_token": g.user_session.csrf_token}


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    """End this session on the server; the cookie stops working everywhere."""
    if g.get("user_session") is not None:
        operations.revoke_session(g.user_session)
    g.clear_cookie = True
    return ""


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
@blp.alt_response(422, description="Wrong current password, or a weak new one")
@blp.alt_response(429, description="Too many wrong current passwords")
def change_password(data):
    """修改密码: prove the current password, set a new one (≥ 8 characters). Your other sessions
    end; this one carries on."""
    user = require_user()
    ip = request.remote_addr
    try:
        operations.change_own_password(user, g.user_session, data["old_password"],
                                       data["new_password"], ip)
    except Invalid as exc:
        if "old_password" in exc.errors:
            # A wrong guess counts like a failed login and must survive this 4xx answer.
            db.session.commit()
        raise
    return ""


@blp.after_request
def _cookies(response):
    token = g.pop("set_cookie_token", None)
    device = g.pop("set_device_cookie", None)
    if token and response.status_code < 400:
        set_session_cookie(response, token)
        devices.set_cookie(response, device)
    if g.pop("clear_cookie", False):
        clear_session_cookie(response)
    return response
