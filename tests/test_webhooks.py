"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1: signature, retries, failure."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.conftest import free_port
from tests.test_escalation import T0, make_hazard, send_created

SECRET = "街道-webhook-secret"


class Receiver:
    """A local HTTP endpoint answering the statuses in ``plan`` in turn (then the last one)."""

    def __init__(self, plan):
        self.plan = list(plan)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body,
                                              "path": self.path})
                    status = receiver.plan.pop(0) if len(receiver.plan) > 1 else receiver.plan[0]
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/anxun"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory(app, monkeypatch):
    receivers = []

    def make(plan, **config):
        receiver = Receiver(plan)
        receivers.append(receiver)
        monkeypatch.setitem(app.config, "WEBHOOK_URL", receiver.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", SECRET)
        for key, value in config.items():
            monkeypatch.setitem(app.config, key, value)
        return receiver

    yield make
    for receiver in receivers:
        receiver.close()


@pytest.fixture
def scene(factory):
    community = factory.community()
    enterprise = factory.enterprise(community)
    return type("Scene", (), dict(
        enterprise=enterprise,
        inspector=factory.user("inspector", communities=[community]),
        supervisor=factory.user("supervisor", communities=[community])))


def deliveries(app):
    from app.extensions import db
    from app.notifications.models import WebhookDelivery
    with app.app_context():
        rows = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
        return [dict(id=d.id, event=d.event, status=d.status, attempts=d.attempts,
                     next_attempt_at=d.next_attempt_at, last_error=d.last_error,
                     payload=d.payload) for d in rows]


def deliver(app, now):
    from app.notifications.webhooks import deliver_due
    with app.app_context():
        return deliver_due(now)


def verify(request: dict) -> dict:
    """What a receiver does: check the HMAC over timestamp + "." + body, then parse."""
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = headers["x-anxun-timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + request["body"],
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-anxun-signature"], expected)
    assert abs(int(timestamp) - time.time()) < 300
    assert headers["content-type"].startswith("application/json")
    return json.loads(request["body"])


def test_escalation_webhook_is_signed_and_retried_with_backoff(app, scene, receiver_factory):
    from app.core.timeutil import utcnow
    receiver = receiver_factory([500, 503, 200], WEBHOOK_BACKOFF_S=30)
    hazard_id = make_hazard(app, scene.enterprise, scene.inspector, level="major",
                            title="可燃粉尘除尘系统未接地")
    send_created(app, hazard_id, scene.inspector.id)
    [queued] = deliveries(app)
    assert queued["event"] == "escalation.fired" and queued["status"] == "pending"
    assert receiver.requests == []  # nothing is sent inside the transaction

    t1 = utcnow() + timedelta(seconds=1)
    assert deliver(app, t1) == {"delivered": 0, "retrying": 1, "failed": 0}
    [after_first] = deliveries(app)
    assert after_first["attempts"] == 1 and after_first["last_error"].startswith("HTTP 500")
    assert after_first["next_attempt_at"] == t1 + timedelta(seconds=30)
    assert deliver(app, t1 + timedelta(seconds=29)) == {"delivered": 0, "retrying": 0,
                                                        "failed": 0}
    t2 = t1 + timedelta(seconds=31)
    assert deliver(app, t2)["retrying"] == 1
    [after_second] = deliveries(app)
    assert after_second["next_attempt_at"] == t2 + timedelta(seconds=60)  # doubled
    assert deliver(app, t2 + timedelta(seconds=61))["delivered"] == 1
    [done] = deliveries(app)
    assert done["status"] == "delivered" and done["attempts"] == 3 and done["last_error"] is None
    assert deliver(app, t2 + timedelta(days=1))["delivered"] == 0

    assert len(receiver.requests) == 3
    bodies = [verify(r) for r in receiver.requests]
    assert bodies[0] == bodies[1] == bodies[2]  # the same event each time
    ids = {r["headers"]["X-Anxun-Delivery"] for r in receiver.requests}
    assert ids == {done["id"]}  # receivers dedupe on it
    assert {r["headers"]["X-Anxun-Event"] for r in receiver.requests} == {"escalation.fired"}
    body = bodies[0]
    assert set(body) == {"event", "id", "occurred_at", "data"}
    assert body["event"] == "escalation.fired" and body["id"] == done["id"]
    data = body["data"]
    assert data["rule"] == "R1" and data["hazard"]["id"] == hazard_id
    assert data["hazard"]["title"] == "可燃粉尘除尘系统未接地"
    assert data["enterprise"]["name"] == scene.enterprise.name and data["interview_id"]
    assert data["rule_label"]["zh"] == "发现重大隐患"


def test_a_tampered_body_fails_verification(app, scene, receiver_factory):
    receiver = receiver_factory([200])
    send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    from app.core.timeutil import utcnow
    deliver(app, utcnow() + timedelta(seconds=1))
    [request] = receiver.requests
    verify(request)
    forged = dict(request, body=request["body"].replace(b'"R1"', b'"R2"'))
    with pytest.raises(AssertionError):
        verify(forged)


def test_gives_up_after_max_attempts(app, scene, receiver_factory):
    from app.core.timeutil import utcnow
    receiver = receiver_factory([500], WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_BACKOFF_S=10)
    send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    now = utcnow() + timedelta(seconds=1)
    results = []
    for _ in range(5):
        results.append(deliver(app, now))
        now += timedelta(hours=1)
    assert [r["retrying"] for r in results] == [1, 1, 0, 0, 0]
    assert [r["failed"] for r in results] == [0, 0, 1, 0, 0]
    [row] = deliveries(app)
    assert row["status"] == "failed" and row["attempts"] == 3 and "500" in row["last_error"]
    assert len(receiver.requests) == 3


def test_an_unreachable_receiver_is_retried(app, scene, monkeypatch):
    from app.core.timeutil import utcnow
    monkeypatch.setitem(app.config, "WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/nobody")
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_S", 2)
    send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    assert deliver(app, utcnow() + timedelta(seconds=1))["retrying"] == 1
    [row] = deliveries(app)
    assert row["status"] == "pending" and "ConnectionError" in row["last_error"]


def test_no_url_configured_queues_nothing(app, scene, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_URL", "")
    send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    assert deliveries(app) == []


def test_flask_escalate_and_webhooks_send_deliver_pending(app, scene, receiver_factory):
    receiver = receiver_factory([200])
    deadline = T0 + timedelta(days=7)
    make_hazard(app, scene.enterprise, scene.inspector, deadline=deadline)
    runner = app.test_cli_runner()
    # --now in the past: the R2 delivery is due at its (simulated) firing time
    result = runner.invoke(args=["escalate", "--now", (deadline + timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "webhooks delivered=1" in result.output
    assert verify(receiver.requests[0])["data"]["rule"] == "R2"
    send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    result = runner.invoke(args=["webhooks", "send"])
    assert result.exit_code == 0 and "delivered=1" in result.output, result.output
    listing = runner.invoke(args=["webhooks", "list", "--status", "delivered"])
    assert listing.output.count("escalation.fired delivered") == 2


def test_interview_steps_are_sent_too(app, scene, receiver_factory, client_for):
    from app.core.timeutil import utcnow
    receiver = receiver_factory([200])
    send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    supervisor = client_for(scene.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    response = supervisor.post(f"/api/v1/interviews/{interview['id']}/transitions", json={
        "action": "schedule", "version": interview["version"],
        "scheduled_at": "2030-01-08T09:00:00+08:00", "place": "街道会议室",
        "interviewers": ["张主任"]})
    assert response.status_code == 200
    deliver(app, utcnow() + timedelta(seconds=1))
    events = [verify(r)["event"] for r in receiver.requests]
    assert sorted(events) == ["escalation.fired", "interview.schedule"]
    scheduled = next(verify(r) for r in receiver.requests
                     if r["headers"]["X-Anxun-Event"] == "interview.schedule")
    assert scheduled["data"]["fields"]["place"] == "街道会议室"
    assert scheduled["data"]["state"] == "scheduled"


def test_concurrent_senders_post_each_attempt_once(app, scene, receiver_factory):
    """Two senders at once (the job and `flask webhooks send`): the claim lets one win."""
    from app.core.timeutil import utcnow
    receiver = receiver_factory([200])
    for _ in range(6):
        send_created(app, make_hazard(app, scene.enterprise, scene.inspector, level="major"))
    now = utcnow() + timedelta(seconds=1)
    results, errors = [], []

    def run():
        try:
            results.append(deliver(app, now))
        except Exception as exc:  # noqa: BLE001 - asserted below  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r["delivered"] for r in results) == 6
    ids = [r["headers"]["X-Anxun-Delivery"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 6
    assert {d["status"] for d in deliveries(app)} == {"delivered"}
