"""Fault injection against real gunicorn workers, then clients that retry as the phone's outbox
does (the same client id, the same body, until an answer): everything exactly once, no orphan
files.

* kill -9: a killer SIGKILLs a random worker every few hundred milliseconds while clients create
  inspections and hazards and upload photos; gunicorn starts new workers, the clients retry what
  failed (connection reset, no answer).
* cut connections: a client sends a whole request and shuts its socket (RST) after a delay
  between 0 and 400 ms (2 s for one of them), before reading the answer; some requests are
  cut before the server has read them, some after it has committed. The retry answers the
  stored record (200) or creates it (201), never a second row and never a 409.
* a silent database (PostgreSQL): the server reaches the database through a proxy that accepts
  connections and says nothing; every request answers 503 quickly; once the proxy forwards
  again, the retries land, once each.

Afterwards ``flask media gc --grace 0`` removes what killed uploads left, and the media folder
holds exactly the files the photo rows name, each original with its recorded SHA-256. Each run
prints its figures (RELIABILITY lines); ``make soak`` runs longer.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from config import BASE_DIR
from config import test_database_kind as database_kind
from tests.conftest import PASSWORD, ApiClient, free_port
from tests.test_hazards_support import media_files, photo_bytes

PHOTOS = ("image01137.jpg", "DSCN0010.jpg")


# --------------------------------------------------------------------------- servers
class Gunicorn:
    """gunicorn serving ``wsgi:app`` on a free port with workers one may kill."""

    def __init__(self, database_url: str, media_dir: Path, secret: str, workers: int = 2,
                 timeout_s: int = 20, **env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DATABASE_URL=database_url, MEDIA_DIR=str(media_dir),
                        ANXUN_ENV="development", ESCALATION_INTERVAL_S="0",
                        MAINTENANCE_INTERVAL_S="0", SECRET_KEY=secret, PYTHONUNBUFFERED="1",
                        **env)
        self.log = open(media_dir.parent / f"gunicorn-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", str(timeout_s), "--graceful-timeout", "2",
             "wsgi:app"], cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=self.log)

    def wait_until_listening(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start; see " + self.log.name)

    def workers(self) -> list[int]:
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(int(entry))
        return found

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Killer:
    """SIGKILLs a random worker of ``server`` while requests are on their way: as a client
    starts an attempt, now and then (once at least ``every`` deliveries have succeeded since the
    last kill, so the run moves on however slowly workers start), a kill follows within
    ``window_s``: in the middle of reading the body, decoding the photo, writing files,
    committing or answering."""

    def __init__(self, server: Gunicorn, rng: random.Random, every: int = 2,
                 window_s: float = 0.3):
        self.server, self.rng, self.every, self.window_s = server, rng, every, window_s
        self.kills = 0
        self.delivered_since = 0
        self.lock = threading.Lock()
        self.active = True

    def attempting(self):
        with self.lock:
            if not self.active or self.delivered_since < self.every or self.rng.random() < 0.5:
                return
            self.delivered_since = 0
            delay = self.rng.uniform(0, self.window_s)
        threading.Timer(delay, self._kill).start()

    def delivered(self):
        with self.lock:
            self.delivered_since += 1

    def _kill(self):
        workers = self.server.workers()
        if workers:
            try:
                os.kill(self.rng.choice(workers), signal.SIGKILL)
                with self.lock:
                    self.kills += 1
            except ProcessLookupError:
                pass


class DatabaseProxy:
    """A TCP proxy in front of PostgreSQL. ``silent``: it accepts connections and never says a
    word (a hung server, a black-holed route); ``forward``: it passes bytes both ways. While
    ``frozen`` is set, connections already open carry nothing either (the server hangs in the
    middle of a session)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.mode = "silent"
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.silent_connections = 0
        self.frozen = threading.Event()
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.mode == "silent":
                self.silent_connections += 1
                self.held.append(conn)
                continue
            upstream = socket.create_connection(self.upstream)
            self.held += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source, target):
        try:
            while chunk := source.recv(65536):
                while self.frozen.is_set() and not self.stopping:
                    time.sleep(0.05)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.stopping = True
        self.sock.close()
        for conn in self.held:
            conn.close()


# --------------------------------------------------------------------------- clients
class Outbox:
    """What a phone's outbox does: send an item; on no answer, a reset or a 5xx, wait a little
    and send it again, the same id and the same body; done on 200/201."""

    def __init__(self, base: str, cookie: dict, csrf: str, killer: Killer | None = None):
        self.base, self.cookie, self.csrf, self.killer = base, cookie, csrf, killer
        self.attempts = 0
        self.failures = 0
        self.lock = threading.Lock()

    def deliver(self, path: str, *, json=None, data=None, files=None, patience_s: float = 90):
        deadline = time.monotonic() + patience_s
        with requests.Session() as session:
            session.cookies.update(self.cookie)
            while True:
                with self.lock:
                    self.attempts += 1
                if self.killer:
                    self.killer.attempting()
                try:
                    answer = session.post(self.base + path, json=json, data=data, files=files,
                                          headers={"X-CSRF-Token": self.csrf}, timeout=30)
                    if answer.status_code in (200, 201):
                        if self.killer:
                            self.killer.delivered()
                        return answer
                    assert answer.status_code >= 500, (path, answer.status_code, answer.text)
                except requests.RequestException:
                    pass
                with self.lock:
                    self.failures += 1
                assert time.monotonic() < deadline, f"{path} never delivered"
                time.sleep(0.2)


def _session_of(app, user) -> tuple[dict, str]:
    """A session cookie and CSRF token, made through the app (the database is shared)."""
    client = ApiClient(app.test_client()).login(user.username, PASSWORD)
    name = app.config["SESSION_COOKIE_NAME"]
    return {name: client.raw.get_cookie(name).value}, client.csrf_token


def _inspection_body(enterprise_id) -> dict:
    return {"id": str(uuid.uuid4()), "enterprise_id": enterprise_id, "kind": "routine",
            "started_at": datetime.now(timezone.utc).isoformat(),
            "location": {"lat": 29.533, "lng": 106.5, "accuracy": 10}}


def _hazard_body(enterprise_id, n: int) -> dict:
    return {"id": str(uuid.uuid4()), "enterprise_id": enterprise_id, "title": f"故障注入隐患{n}",
            "category": "fire", "level": "general",
            "found_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()}


def _photo_form(hazard_id: str, n: int) -> tuple[dict, dict, bytes]:
    content = photo_bytes(PHOTOS[n % len(PHOTOS)])
    form = {"id": str(uuid.uuid4()), "hazard_id": hazard_id, "kind": "finding",
            "sha256": hashlib.sha256(content).hexdigest()}
    return form, {"file": (f"IMG_{n:04d}.jpg", content, "image/jpeg")}, content


# --------------------------------------------------------------------------- checks
def _media_gc(database_url: str, media_dir: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "media", "gc", "--grace", "0"], cwd=BASE_DIR,
        env=dict(os.environ, FLASK_APP="wsgi.py", DATABASE_URL=database_url,
                 MEDIA_DIR=str(media_dir), ESCALATION_INTERVAL_S="0",
                 MAINTENANCE_INTERVAL_S="0"),
        capture_output=True, text=True, timeout=120, check=True)
    return result.stdout.strip().splitlines()[-1]


def _exactly_once(app, media_dir: Path, *, inspections=(), hazards=(), photos=()) -> int:
    """Each id stored once and nothing else; every photo's files there, its original with its
    SHA-256; no file the photo rows do not name. Returns the records checked."""
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.inspections.models import Inspection
    from app.photos.models import Photo
    with app.app_context():
        for model, ids in ((Inspection, inspections), (Hazard, hazards), (Photo, photos)):
            assert db.session.scalar(select(func.count()).select_from(model)) == len(ids), model
            stored = set(db.session.scalars(select(model.id)))
            assert stored == {str(i) for i in ids}, model
        rows = db.session.execute(select(Photo.original_path, Photo.full_path, Photo.thumb_path,
                                         Photo.sha256)).all()
    named = {path for row in rows for path in row[:3]}
    assert media_files(media_dir) == named, "orphan or missing files"
    for original, _full, _thumb, sha in rows:
        assert hashlib.sha256((media_dir / original).read_bytes()).hexdigest() == sha
    return len(inspections) + len(hazards) + len(photos) + len(named)


@pytest.fixture
def field(factory):
    community = factory.community(name="故障注入社区")
    enterprise = factory.enterprise(community, name="故障注入测试有限公司")
    return enterprise, factory.user("inspector", communities=[community])


# --------------------------------------------------------------------------- the tests
@pytest.mark.slow
def test_kill_9_during_creates_and_uploads_then_retries_store_everything_once(
        app, database_url, tmp_path, field, soak, figures):
    enterprise, inspector = field
    media = tmp_path / "media"
    server = Gunicorn(database_url, media, app.config["SECRET_KEY"])
    try:
        server.wait_until_listening()
        cookie, csrf = _session_of(app, inspector)
        killer = Killer(server, random.Random(12))
        outbox = Outbox(server.base, cookie, csrf, killer)
        items = 60 if soak else 10
        inspections = [_inspection_body(enterprise.id) for _ in range(items)]
        hazards = [_hazard_body(enterprise.id, n) for n in range(items)]
        photos = [_photo_form(h["id"], n) for n, h in enumerate(hazards)
                  for _ in range(2)]

        def chain(n):  # a phone's outbox: an inspection, a hazard, then its photos, in order
            outbox.deliver("/api/v1/inspections", json=inspections[n])
            outbox.deliver("/api/v1/hazards", json=hazards[n])
            for form, files, _ in photos[2 * n:2 * n + 2]:
                answer = outbox.deliver("/api/v1/photos", data=form, files=files)
                assert answer.json()["sha256"] == form["sha256"]

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(chain, range(items)))
        killer.active = False
        # Every item again, as an outbox that never heard the answer: the stored records.
        for body in inspections[:3]:
            assert outbox.deliver("/api/v1/inspections", json=body).status_code == 200
        for form, files, _ in photos[:3]:
            assert outbox.deliver("/api/v1/photos", data=form, files=files).status_code == 200
    finally:
        server.stop()
    swept = _media_gc(database_url, media)
    checked = _exactly_once(app, media, inspections=[b["id"] for b in inspections],
                            hazards=[b["id"] for b in hazards],
                            photos=[f["id"] for f, _, _ in photos])
    assert killer.kills >= 3, "the workers were killed while the clients worked"
    figures("fault-injection kill-9", kills=killer.kills,
            items=len(inspections) + len(hazards) + len(photos),
            attempts=outbox.attempts, failed_attempts=outbox.failures, records_checked=checked,
            media_gc=f'"{swept}"')


def _raw_post(base: str, path: str, cookie: dict, csrf: str, body: bytes, content_type: str,
              cut_after_s: float) -> None:
    """Send a whole request, wait ``cut_after_s``, then reset the connection unread."""
    url = urlsplit(base)
    cookies = "; ".join(f"{k}={v}" for k, v in cookie.items())
    head = (f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\nX-CSRF-Token: {csrf}\r\n"
            f"Connection: close\r\n\r\n").encode()
    conn = socket.create_connection((url.hostname, url.port), timeout=10)
    conn.sendall(head + body)
    time.sleep(cut_after_s)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()  # RST: the answer, if any, is never read


@pytest.mark.slow
def test_connections_cut_before_the_answer_then_retries_store_everything_once(
        app, database_url, tmp_path, field, soak, figures):
    enterprise, inspector = field
    media = tmp_path / "media"
    server = Gunicorn(database_url, media, app.config["SECRET_KEY"])
    try:
        server.wait_until_listening()
        cookie, csrf = _session_of(app, inspector)
        outbox = Outbox(server.base, cookie, csrf)
        rng = random.Random(7)
        items = 60 if soak else 12
        delays = [rng.choice((0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.4)) for _ in range(items)]
        delays[:2] = [0, 2.0]  # one surely before the server reads, one surely after commit
        hazards = [_hazard_body(enterprise.id, n) for n in range(items)]
        replays = created = 0
        for body, delay in zip(hazards, delays, strict=True):
            _raw_post(server.base, "/api/v1/hazards", cookie, csrf,
                      json.dumps(body).encode(), "application/json",
                      delay)
            answer = outbox.deliver("/api/v1/hazards", json=body)
            replays += answer.status_code == 200
            created += answer.status_code == 201
        photos = [_photo_form(hazards[n % items]["id"], n) for n in range(items)]
        for (form, files, _), delay in zip(photos, delays, strict=True):
            prepared = requests.Request("POST", server.base + "/api/v1/photos", data=form,
                                        files=files).prepare()
            _raw_post(server.base, "/api/v1/photos", cookie, csrf, prepared.body,
                      prepared.headers["Content-Type"], delay)
            answer = outbox.deliver("/api/v1/photos", data=form, files=files)
            replays += answer.status_code == 200
            created += answer.status_code == 201
    finally:
        server.stop()
    swept = _media_gc(database_url, media)
    checked = _exactly_once(app, media, hazards=[b["id"] for b in hazards],
                            photos=[f["id"] for f, _, _ in photos])
    assert replays >= 1, "some cut requests had committed: their retry answered the record"
    figures("fault-injection cut-connection", cuts=2 * items, retries_replayed=replays,
            retries_created=created, attempts=outbox.attempts, records_checked=checked,
            media_gc=f'"{swept}"')


@pytest.mark.slow
@pytest.mark.skipif(database_kind() != "postgresql",
                    reason="a database server over TCP (SQLite's outages: test_database_outage)")
def test_a_silent_database_answers_503_then_retries_store_everything_once(
        app, database_url, tmp_path, field, soak, figures):
    enterprise, inspector = field
    media = tmp_path / "media"
    url = urlsplit(database_url.replace("postgresql+psycopg", "postgresql"))
    proxy = DatabaseProxy((url.hostname, url.port or 5432))
    proxied = database_url.replace(url.netloc, f"{url.username or 'postgres'}@127.0.0.1:"
                                               f"{proxy.port}")
    cookie, csrf = _session_of(app, inspector)  # made through the real database
    # A short worker timeout: a database that hangs in the middle of a session is only ended by
    # gunicorn killing the worker (see the last part of this test).
    server = Gunicorn(proxied, media, app.config["SECRET_KEY"], timeout_s=6,
                      DB_CONNECT_TIMEOUT_S="1")
    items = 40 if soak else 8
    hazards = [_hazard_body(enterprise.id, n) for n in range(items)]
    photos = [_photo_form(h["id"], n) for n, h in enumerate(hazards)]
    outages = []
    try:
        server.wait_until_listening()
        with requests.Session() as session:
            session.cookies.update(cookie)
            headers = {"X-CSRF-Token": csrf}

            def refused(path, **kwargs):
                started = time.monotonic()
                answer = session.post(server.base + path, headers=headers, timeout=30, **kwargs)
                outages.append(time.monotonic() - started)
                assert answer.status_code == 503, answer.text[:300]
                assert answer.headers["Content-Type"].startswith("application/problem+json")
                assert int(answer.headers["Retry-After"]) > 0

            health = session.get(server.base + "/healthz", timeout=30)
            assert health.status_code == 503
            for body, (form, files, _) in zip(hazards, photos, strict=True):
                refused("/api/v1/hazards", json=body)
                refused("/api/v1/photos", data=form, files=files)
        assert max(outages) < 10, f"each answered within seconds, not hung: {max(outages):.1f}"
        assert media_files(media) == set(), "nothing written while the database was away"
        proxy.mode = "forward"  # the database answers again
        outbox = Outbox(server.base, cookie, csrf)
        for body, (form, files, _) in zip(hazards, photos, strict=True):
            assert outbox.deliver("/api/v1/hazards", json=body).status_code == 201
            assert outbox.deliver("/api/v1/photos", data=form, files=files).status_code == 201
            assert outbox.deliver("/api/v1/hazards", json=body).status_code == 200
        # The database hangs in the middle of open sessions: a request on a pooled connection
        # waits until gunicorn's worker timeout ends it (no answer); new connections get 503.
        # Once the database is back the outbox's retry lands, once.
        late = _hazard_body(enterprise.id, items)
        hazards.append(late)
        proxy.frozen.set()
        proxy.mode = "silent"
        started = time.monotonic()
        try:
            hung = requests.post(server.base + "/api/v1/hazards", json=late, cookies=cookie,
                                 headers={"X-CSRF-Token": csrf}, timeout=60).status_code
        except requests.RequestException:
            hung = "no answer"
        hung_s = time.monotonic() - started
        assert hung in (503, "no answer") and hung_s < 30, (hung, hung_s)
        proxy.frozen.clear()
        proxy.mode = "forward"
        assert outbox.deliver("/api/v1/hazards", json=late).status_code in (200, 201)
        assert outbox.deliver("/api/v1/hazards", json=late).status_code == 200
    finally:
        server.stop()
        proxy.stop()
    checked = _exactly_once(app, media, hazards=[b["id"] for b in hazards],
                            photos=[f["id"] for f, _, _ in photos])
    figures("fault-injection silent-database", requests_refused=len(outages),
            slowest_503_s=round(max(outages), 2), silent_connections=proxy.silent_connections,
            hung_mid_session=f'"{hung} after {hung_s:.1f} s"', attempts=outbox.attempts,
            records_checked=checked)
