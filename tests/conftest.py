"""Shared fixtures: an app on a database of its own (SQLite or PostgreSQL), clients, factories.

``ANXUN_TEST_DATABASE=postgresql`` runs the whole suite on PostgreSQL at 127.0.0.1:5432 in a
database this session creates and drops; the default is a SQLite file in a temporary directory.
The schema is built by the real migrations, so every test also exercises them.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from config import BASE_DIR, TestingConfig, test_database_kind, test_postgres_admin_url

PASSWORD = "correct-horse-battery"


# --------------------------------------------------------------------------- databases
def _create_pg_database() -> tuple[str, callable]:
    admin_url = test_postgres_admin_url()
    name = f"anxun_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name

    def drop():
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if test_database_kind() == "postgresql":
        url, drop = _create_pg_database()
        yield url
        drop()
    else:
        path = tmp_path_factory.mktemp("db") / "anxun-test.db"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


def make_config(database_url: str, media_dir, **overrides):
    attrs = {"SQLALCHEMY_DATABASE_URI": database_url, "MEDIA_DIR": str(media_dir)}
    attrs.update(overrides)
    return type("TestConfig", (TestingConfig,), attrs)


@pytest.fixture(scope="session")
def app(database_url, media_dir):
    """The application, its schema built by ``flask db upgrade``."""
    from flask_migrate import upgrade

    from app import create_app

    application = create_app(make_config(database_url, media_dir))
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from app.extensions import db
        db.session.remove()
        db.engine.dispose()


def _truncate_all(app):
    from app.extensions import db

    from sqlalchemy.exc import OperationalError

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        # A live server may still be answering the last request of a closed browser when the
        # test ends; the cleanup then meets its locks and PostgreSQL may pick it as a deadlock
        # victim. The server's transaction finishes on its own, so trying again is enough.
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        # DELETE, not TRUNCATE: TRUNCATE makes new files for every table and
                        # cost 0.3–0.6 s a test (a third of the PostgreSQL run); DELETE of a
                        # few rows costs 10 ms. As replica, no trigger fires: neither the
                        # foreign keys (any order will do) nor the audit trail's append-only
                        # guard, which a test's own rows need not be kept from.
                        conn.execute(text("SET LOCAL session_replication_role = replica"))
                    for table in tables:
                        conn.execute(text(f'DELETE FROM "{table}"'))
                return
            except OperationalError:
                if attempt == 4:
                    raise
                time.sleep(0.5)


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables (only when it used the database)."""
    yield
    if "app" in request.fixturenames:
        _truncate_all(request.getfixturevalue("app"))


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


# --------------------------------------------------------------------------- clients
class ApiClient:
    """A Flask test client that sends the CSRF header on unsafe requests once logged in."""

    def __init__(self, flask_client):
        self.raw = flask_client
        self.csrf_token: str | None = None
        self.user: dict | None = None

    def open(self, method, url, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if self.csrf_token and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers.setdefault("X-CSRF-Token", self.csrf_token)
        return self.raw.open(url, method=method.upper(), headers=headers, **kwargs)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, **kw):
        return self.open("POST", url, **kw)

    def patch(self, url, **kw):
        return self.open("PATCH", url, **kw)

    def put(self, url, **kw):
        return self.open("PUT", url, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)

    def login(self, username, password=PASSWORD):
        response = self.raw.post("/api/v1/auth/login",
                                 json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        self.csrf_token = body["csrf_token"]
        self.user = body["user"]
        return self


@pytest.fixture
def client(app):
    return ApiClient(app.test_client())


@pytest.fixture
def client_for(app, factory):
    """``client_for(user)``: a fresh client logged in as ``user``."""
    def make(user):
        return ApiClient(app.test_client()).login(user.username, user.password)
    return make


# --------------------------------------------------------------------------- factories
class Factory:
    """Creates committed records with sensible defaults (credit codes valid, ids unique)."""

    def __init__(self, app):
        self.app = app
        self.counter = 0

    def _next(self):
        self.counter += 1
        return self.counter

    def _commit(self, obj):
        """Commit and detach ``obj`` with its attributes loaded, usable outside any context."""
        from app.extensions import db
        db.session.add(obj)
        db.session.commit()
        db.session.refresh(obj)
        db.session.expunge(obj)
        return obj

    def community(self, name=None, **kw):
        from app.registry.models import Community
        n = self._next()
        with self.app.app_context():
            return self._commit(Community(name=name or f"测试社区{n}", street="乌龙街道",
                                          code=kw.pop("code", f"T{n:04d}"), **kw))

    def credit_code(self):
        from app.registry.credit_code import check_char
        body = "9150010" + uuid.uuid4().hex[:10].upper().replace("I", "1").replace("O", "0")
        body = "".join(c if c in "0123456789ABCDEFGHJKLMNPQRTUWXY" else "1" for c in body)
        return body + check_char(body)

    def enterprise(self, community=None, **kw):
        from app.registry.models import Enterprise
        community = community or self.community()
        n = self._next()
        defaults = dict(name=f"测试企业{n}有限公司", credit_code=self.credit_code(),
                        community_id=community.id, address="乌龙街道测试路1号",
                        lat=29.533, lng=106.5, industry="manufacturing", risk_level="yellow",
                        qr_token=secrets.token_urlsafe(24))
        defaults.update(kw)
        with self.app.app_context():
            return self._commit(Enterprise(**defaults))

    def user(self, role="inspector", *, communities=(), enterprise=None, username=None,
             password=PASSWORD, **kw):
        from app.auth.operations import create_user
        from app.extensions import db
        n = self._next()
        if role in ("supervisor", "inspector") and not communities:
            communities = [self.community()]
        if role == "officer" and enterprise is None:
            enterprise = self.enterprise()
        with self.app.app_context():
            user = create_user(username=username or f"{role}{n}", password=password, role=role,
                               enterprise=db.session.merge(enterprise) if enterprise else None,
                               communities=[db.session.merge(c) for c in communities], **kw)
            user.password = password  # plain text kept on the object for tests that log in
            return self._commit(user)


@pytest.fixture
def factory(app):
    return Factory(app)


# --------------------------------------------------------------------------- live server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app, database_url, media_dir, request):
    """The real app under gunicorn (2 workers) on a free port, sharing the test database.

    Yields the base URL. Data the test commits through ``factory`` is visible to it. Indirect
    parametrisation passes extra environment variables (``{"SQLITE_BUSY_TIMEOUT_MS": "2000"}``).
    """
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, MEDIA_DIR=str(media_dir),
               ANXUN_ENV="development", ESCALATION_INTERVAL_S="0", PYTHONUNBUFFERED="1",
               SECRET_KEY="live-server-test-secret", **getattr(request, "param", {}))
    log = open(Path(str(media_dir)) / f"gunicorn-{port}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--timeout", "60", "wsgi:app"], cwd=BASE_DIR, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        proc.terminate()
        raise RuntimeError("gunicorn did not start; see " + log.name)
    yield base
    proc.terminate()
    try:  # a graceful stop waits for what the workers still hold (a slow upload's connection)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    log.close()


# --------------------------------------------------------------------------- reliability suites
def pytest_addoption(parser):
    parser.addoption("--soak", action="store_true", default=False,
                     help="longer runs of the reliability suites (make soak): more fuzzed "
                          "requests, more faults injected")


@pytest.fixture(scope="session")
def soak(request) -> bool:
    """Whether this is a soak run (``make soak``): the reliability suites raise their budgets."""
    return bool(request.config.getoption("--soak"))


@pytest.fixture
def figures(record_property):
    """``figures(suite, **counts)``: a reliability suite's figures (requests fuzzed, objects
    probed, faults injected, records checked), printed in the run's summary as ``RELIABILITY
    suite: name=value …`` lines (docs/RELIABILITY.md quotes them)."""
    def record(suite: str, **counts):
        record_property("reliability", (suite, counts))
    return record


def pytest_terminal_summary(terminalreporter):
    lines = []
    for key in ("passed", "failed"):
        for report in terminalreporter.stats.get(key, ()):
            for name, value in getattr(report, "user_properties", ()):
                if name == "reliability":
                    suite, counts = value
                    outcome = "" if key == "passed" else " (FAILED)"
                    lines.append(f"RELIABILITY {suite}{outcome}: "
                                 + " ".join(f"{k}={v}" for k, v in counts.items()))
    if lines:
        terminalreporter.section("reliability figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)
