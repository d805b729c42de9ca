"""Request-wide hooks: engine tuning, the commit at the end of a request, security headers."""
from __future__ import annotations

from flask import current_app, request
from flask.sessions import SessionInterface
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.middleware.proxy_fix import ProxyFix

from app.core import bodies, inputs
from app.core.db import configure_engine
from app.core.problems import (handle_data_error, handle_operational_error, handle_stale_data,
                               problem)
from app.extensions import db


def _configure_engines(app):
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"],
                         connect_timeout_s=app.config["DB_CONNECT_TIMEOUT_S"],
                         statement_timeout_ms=app.config["DB_STATEMENT_TIMEOUT_MS"])


def commit_request(response):
    """Services flush; the request commits. A failing answer rolls everything back."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except StaleDataError as exc:
        return handle_stale_data(exc)
    except IntegrityError:
        db.session.rollback()
        current_app.logger.warning("integrity conflict on commit of %s %s", request.method,
                                   request.path)
        return problem(409, "与刚保存的记录冲突，请重试 / The change conflicts with a record "
                       "stored meanwhile; retry.")
    except DataError:
        return handle_data_error(None)
    except OperationalError as exc:
        return handle_operational_error(exc)
    return response


def _csp(app) -> str:
    tiles = app.config.get("MAP_TILE_URL") or ""
    img = "'self' data: blob:"
    if tiles or app.config.get("MAP_TILE_PROVIDER", "none") != "none":
        img += " https:"
    return "; ".join([
        "default-src 'self'",
        f"img-src {img}",
        "media-src 'self' blob:",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def security_headers(response):
    headers = response.headers
    app = current_app
    csp = app.extensions["anxun_csp"]
    if request.path.startswith("/api/docs"):
        # Swagger UI's page boots with an inline script; relax only there.
        csp = csp.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
    if app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/") and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


class NoCookieSession(SessionInterface):
    """Flask's own session, a signed cookie, is not used: Anxun's sessions are rows read by
    ``app.auth.sessions``. Left in place, Flask would read the session cookie on every request
    (it has the same name, ``SESSION_COOKIE_NAME``) and try to verify Anxun's token as a cookie
    it signed: a serializer built and an HMAC computed to fail, every time."""

    def open_session(self, app, request):
        return None  # Flask puts a NullSession in its place: empty, and refusing any write

    def save_session(self, app, session, response):
        return None


def _public_address(app):
    """Where QR codes point must not come from the request's Host header alone in production:
    refuse to start without PUBLIC_BASE_URL or ALLOWED_HOSTS; Flask refuses other hosts."""
    if app.config.get("ALLOWED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = list(app.config["ALLOWED_HOSTS"])
    elif app.config.get("ENV_NAME") == "production" and not app.config.get("PUBLIC_BASE_URL"):
        raise RuntimeError("production needs PUBLIC_BASE_URL (the address printed in QR codes, "
                           "e.g. https://anxun.example.gov.cn) or ALLOWED_HOSTS (the host names "
                           "the app answers to); a request's Host header alone can be forged")


def init_app(app):
    """Before any domain's hooks (create_app registers the session after these): a request's
    body is read (within its deadline), then one with a NUL is refused, before anything reads
    the database."""
    if app.config.get("TRUSTED_PROXIES"):
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n)
    _public_address(app)
    app.session_interface = NoCookieSession()
    app.extensions["anxun_csp"] = _csp(app)
    _configure_engines(app)
    bodies.init_app(app)  # first: the body is read (within its deadline) before anything else
    inputs.init_app(app)
    app.after_request(security_headers)
    app.after_request(commit_request)  # registered last, so it runs first
