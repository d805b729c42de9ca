"""A database that is silent, refused or too slow: every request fails fast with 503.

The silent database is real: a local TCP socket that accepts connections and never says a word
(what a hung server or a black-holed network path looks like to the client). Each request runs in
a thread with a bound, so a hang is a failure rather than a stuck test session.
"""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from config import test_database_kind as database_kind
from tests.conftest import PASSWORD, ApiClient, free_port, make_config

#: More than enough for a 1 s connect timeout plus the request; far less than a hang.
BOUND_S = 15


class SilentServer:
    """Accepts every connection and never answers (nor closes) until stopped."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def stop(self):
        self.stopping = True
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.stop()


def _outage_app(url, tmp_path, **overrides):
    return create_app(make_config(url, tmp_path / "media", DB_CONNECT_TIMEOUT_S=1, **overrides))


def _bounded(call):
    """``call()``'s answer and how long it took; fails when it takes longer than BOUND_S."""
    result = {}

    def run():
        started = time.monotonic()
        result["response"] = call()
        result["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(BOUND_S)
    assert not worker.is_alive(), f"no answer within {BOUND_S} s: the request hangs"
    return result["response"], result["seconds"]


def _is_unavailable(response, word="数据库"):
    assert response.status_code == 503, response.data[:300]
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.data)
    assert body["status"] == 503 and word in body["detail"], body
    assert int(response.headers["Retry-After"]) > 0
    return body


def _every_kind_of_request(app):
    client = app.test_client()
    yield "healthz", lambda: client.get("/healthz")
    yield "login", lambda: client.post("/api/v1/auth/login",
                                       json={"username": "someone", "password": PASSWORD})
    with_cookie = app.test_client()
    with_cookie.set_cookie("anxun_session", "a-session-token")
    yield "me", lambda: with_cookie.get("/api/v1/auth/me")
    yield "list", lambda: with_cookie.get("/api/v1/enterprises")


def test_a_silent_database_answers_503_quickly(silent_server, tmp_path):
    app = _outage_app(f"postgresql+psycopg://anxun@127.0.0.1:{silent_server.port}/anxun",
                      tmp_path)
    for name, call in _every_kind_of_request(app):
        response, seconds = _bounded(call)
        _is_unavailable(response)
        assert seconds < 10, (name, seconds)
    english = app.test_client().get("/healthz", headers={"Accept-Language": "en"})
    _is_unavailable(english, "database")


def test_ten_requests_on_a_silent_database_all_end(silent_server, tmp_path):
    """Ten at once (the attack that hung the whole server): each ends with its 503."""
    app = _outage_app(f"postgresql+psycopg://anxun@127.0.0.1:{silent_server.port}/anxun",
                      tmp_path)
    answers = []

    def one():
        answers.append(app.test_client().get("/healthz").status_code)

    threads = [threading.Thread(target=one, daemon=True) for _ in range(10)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.1, started + BOUND_S - time.monotonic()))
    assert answers == [503] * 10


def test_a_refused_database_answers_503_not_500(tmp_path):
    app = _outage_app(f"postgresql+psycopg://anxun@127.0.0.1:{free_port()}/anxun", tmp_path)
    for _name, call in _every_kind_of_request(app):
        response, _ = _bounded(call)
        _is_unavailable(response)


def test_a_statement_kept_waiting_past_its_timeout_answers_503(app, factory, database_url,
                                                               media_dir):
    """Another transaction holds a lock the request needs: the request gives up after the
    statement timeout (PostgreSQL) or the busy timeout (SQLite) with 503; afterwards it works."""
    user = factory.user("inspector")
    impatient = create_app(make_config(database_url, media_dir, DB_STATEMENT_TIMEOUT_MS=300,
                                       SQLITE_BUSY_TIMEOUT_MS=300))
    client = ApiClient(impatient.test_client()).login(user.username)
    holder = create_engine(database_url)
    conn = holder.connect()
    try:
        if database_kind() == "postgresql":
            conn.execute(text("BEGIN"))
            conn.execute(text("LOCK TABLE user_sessions IN ACCESS EXCLUSIVE MODE"))
        else:
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        response, seconds = _bounded(lambda: client.post("/api/v1/auth/logout"))
        _is_unavailable(response)
        assert seconds < 10
    finally:
        conn.rollback()
        conn.close()
        holder.dispose()
    assert client.get("/api/v1/auth/me").status_code == 200  # the failed logout changed nothing
    with impatient.app_context():
        from app.extensions import db
        db.engine.dispose()


def test_statement_timeout_is_set_on_postgresql_connections_for_requests(app):
    """A request's connection has the statement timeout; a command's (a migration, the seeder)
    has none."""
    if database_kind() != "postgresql":
        pytest.skip("PostgreSQL only")
    from app.extensions import db

    def timeout_of_a_new_connection(context) -> int:
        with context:
            db.session.remove()
            db.engine.dispose()
            return int(db.session.scalar(text(
                "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")))

    assert timeout_of_a_new_connection(app.test_request_context("/api/v1/hazards")) \
        == app.config["DB_STATEMENT_TIMEOUT_MS"] > 0
    assert timeout_of_a_new_connection(app.app_context()) == 0
