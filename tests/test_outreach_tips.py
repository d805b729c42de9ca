"""Public reports (举报) over HTTP: the page behind the gate QR code, a tip with its images, the
tracking code, triage by supervisors, the reporter's contact kept from everyone else, the
per-address rate limit (also over two gunicorn workers), reminders and the dashboard."""
from __future__ import annotations

import io
import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from app.extensions import db
from app.hazards.audit import verify
from app.hazards.models import HazardEvent
from app.notifications.models import Notification
from app.outreach.jobs import run_outreach
from app.outreach.models import Tip, TipEvent, TipPhoto
from app.photos.models import Photo
from tests.test_hazards_support import media_files, new_id, now, photo_bytes, sha256
from tests.test_hazards_support import world  # noqa: F401 - a fixture, taken as a parameter

CONTACT = "王女士 13800138000"
CODE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$")


class Public:
    """Someone not logged in, from an address of their own (the rate limit counts per address)."""

    def __init__(self, app, address="203.0.113.7"):
        self.raw = app.test_client()
        self.address = address

    def get(self, url, **kw):
        return self.raw.get(url, environ_base={"REMOTE_ADDR": self.address}, **kw)

    def tip(self, *, photos=(), **body):
        body.setdefault("text", "仓库消防通道堆满纸箱，灭火器过期")
        if not photos:
            return self.raw.post("/api/v1/public/tips", json=body,
                                 environ_base={"REMOTE_ADDR": self.address})
        form = {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in body.items()
                if v is not None}
        form["files"] = [(io.BytesIO(data), name, "image/jpeg") for name, data in photos]
        return self.raw.post("/api/v1/public/tips", data=form,
                             content_type="multipart/form-data",
                             environ_base={"REMOTE_ADDR": self.address})


@pytest.fixture
def public(app):
    return Public(app)


def made(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def tip_at(world, public, **body) -> dict:
    body.setdefault("token", world.enterprise.qr_token)
    return made(public.tip(**body))


def deep_strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from deep_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from deep_strings(v)
    elif isinstance(value, str):
        yield value


# --------------------------------------------------------------------------- the gate QR code
def test_the_gate_code_shows_a_stranger_nothing_personal(world, public, app):
    response = public.get(f"/api/v1/public/enterprises/{world.enterprise.qr_token}")
    assert response.status_code == 200
    assert response.get_json() == {"name": "乌龙精密机械有限公司", "community": "乌龙社区",
                                   "risk_level": "yellow"}
    assert public.get("/api/v1/public/enterprises/not-a-token").status_code == 404

    admin = world.client("admin")
    assert admin.post(f"/api/v1/enterprises/{world.enterprise.id}/qr/rotate").status_code == 200
    old = public.get(f"/api/v1/public/enterprises/{world.enterprise.qr_token}")
    assert old.status_code == 404 and old.mimetype == "application/problem+json"


# --------------------------------------------------------------------------- a tip
def test_an_anonymous_tip_gets_a_tracking_code_anyone_can_look_up(world, public, app):
    text = '<img src=x onerror="alert(1)">后门消防通道被锁'
    answer = tip_at(world, public, text=text, location={"lat": 29.5332, "lng": 106.5002,
                                                        "accuracy": 12})
    assert CODE.match(answer["tracking_code"]) and answer["state"] == "received"

    lookup = public.get(f"/api/v1/public/tips/{answer['tracking_code']}")
    assert lookup.status_code == 200
    body = lookup.get_json()
    assert set(body) == {"tracking_code", "state", "received_at", "triaged_at", "answer"}
    assert body["state"] == "received" and "已收到" in body["answer"]
    typed = answer["tracking_code"].lower().replace("-", " ")
    assert public.get(f"/api/v1/public/tips/{typed}").get_json()["state"] == "received"
    english = public.get(f"/api/v1/public/tips/{answer['tracking_code']}",
                         headers={"Accept-Language": "en"}).get_json()
    assert english["answer"].startswith("Your report was received")
    assert public.get("/api/v1/public/tips/AAAA-BBBB-CCCC").status_code == 404

    detail = world.client("supervisor").get(f"/api/v1/tips/{answer['id']}").get_json()
    assert detail["text"] == text  # stored and answered as plain text, as written
    assert detail["location"] == {"lat": 29.5332, "lng": 106.5002, "accuracy": 12.0}
    assert detail["enterprise"]["name"] == "乌龙精密机械有限公司"
    assert [e["action"] for e in detail["events"]] == ["receive"]


def test_a_tip_with_photos_keeps_them_checked_and_stored(world, public, app, media_dir):
    before = media_files(media_dir)
    answer = tip_at(world, public, photos=[("a.jpg", photo_bytes("DSCN0010.jpg")),
                                           ("b.jpg", photo_bytes("landscape_6.jpg"))],
                    location={"lat": 29.5, "lng": 106.5}, contact=CONTACT)
    new = media_files(media_dir) - before
    assert len(new) == 6 and all(p.startswith("tips/") for p in new)

    supervisor = world.client("supervisor")
    detail = supervisor.get(f"/api/v1/tips/{answer['id']}").get_json()
    assert [p["sha256"] for p in detail["photos"]] == [sha256(photo_bytes("DSCN0010.jpg")),
                                                       sha256(photo_bytes("landscape_6.jpg"))]
    full = supervisor.get(detail["photos"][1]["urls"]["full"])
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert b"Exif\x00\x00" not in full.data
    assert supervisor.get(detail["photos"][0]["urls"]["original"]).data == photo_bytes(
        "DSCN0010.jpg")
    # The enterprise never sees a tip, nor its photos.
    officer = world.client("officer")
    assert officer.get(f"/api/v1/tips/{answer['id']}").status_code == 404
    assert officer.get(detail["photos"][0]["urls"]["full"]).status_code == 404


@pytest.mark.parametrize("case", ["no text", "blank text", "too long", "fourth photo",
                                  "third not an image", "unknown token", "bad location"])
def test_bad_tips_are_refused_whole_naming_the_field(world, public, app, media_dir, case):
    jpeg = photo_bytes("DSCN0010.jpg")
    before = media_files(media_dir)
    body, field = {"token": world.enterprise.qr_token}, None
    if case == "no text":
        body["text"], field = None, "text"
        body.pop("text")
        response = public.raw.post("/api/v1/public/tips", json=body)
    else:
        if case == "blank text":
            body["text"], field = "   \n ", "text"
        elif case == "too long":
            body["text"], field = "隐" * 2001, "text"
        elif case == "fourth photo":
            body["photos"], field = [(f"{i}.jpg", jpeg) for i in range(4)], "files"
        elif case == "third not an image":
            body["photos"] = [("1.jpg", jpeg), ("2.jpg", jpeg), ("3.jpg", b"%PDF-1.4 not me")]
            field = "files"
        elif case == "unknown token":
            body["token"], field = "no-such-gate", "token"
        elif case == "bad location":
            body["location"], field = {"lat": 95, "lng": 106.5}, "location.lat"
        response = public.tip(**body)
    assert response.status_code in (415, 422), response.get_json()
    problem = response.get_json()
    assert response.mimetype == "application/problem+json" and field in problem["errors"]
    if case == "third not an image":
        assert "第 3 张照片" in problem["detail"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Tip)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(TipPhoto)) == 0
    assert media_files(media_dir) == before


def test_the_outbox_may_send_a_tip_twice(world, public, app):
    tip_id = new_id()
    first = tip_at(world, public, id=tip_id, text="锅炉房漏气")
    again = public.tip(id=tip_id, text="锅炉房漏气", token=world.enterprise.qr_token)
    assert again.status_code == 200 and again.get_json() == first
    other = public.tip(id=tip_id, text="别的内容", token=world.enterprise.qr_token)
    assert other.status_code == 409 and "id" in other.get_json()["errors"]


# --------------------------------------------------------------------------- rate limit
def test_too_many_tips_from_one_address(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "TIP_RATE_LIMIT", 2)
    noisy, other = Public(app, "198.51.100.9"), Public(app, "198.51.100.10")
    assert noisy.tip().status_code == 201
    assert noisy.tip(text="").status_code == 422  # a refused attempt counts too
    refused = noisy.tip()
    assert refused.status_code == 429 and 3590 <= int(refused.headers["Retry-After"]) <= 3601
    assert other.tip().status_code == 201
    # An IPv6 phone counts by its /64.
    assert Public(app, "2001:db8:1:2::1").tip().status_code == 201
    assert Public(app, "2001:db8:1:2::2").tip().status_code == 201
    assert Public(app, "2001:db8:1:2:ffff::3").tip().status_code == 429
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Tip)) == 4


@pytest.mark.parametrize("live_server", [{"TIP_RATE_LIMIT": "3"}], indirect=True)
def test_the_rate_limit_holds_across_two_gunicorn_workers(live_server):
    def send(i):
        return requests.post(f"{live_server}/api/v1/public/tips",
                             json={"text": f"第 {i} 条举报"}, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [201] * 3 + [429] * 5
    assert all(int(r.headers["Retry-After"]) > 3000 for r in answers if r.status_code == 429)


# --------------------------------------------------------------------------- who sees what
def test_only_supervisors_read_the_contact_and_officers_never_see_the_tip(world, public, app):
    answer = tip_at(world, public, contact=CONTACT, photos=[("a.jpg",
                                                             photo_bytes("DSCN0010.jpg"))])
    supervisor = world.client("supervisor")
    assert supervisor.get(f"/api/v1/tips/{answer['id']}").get_json()["contact"] == CONTACT
    assert supervisor.get("/api/v1/tips").get_json()["items"][0]["contact"] == CONTACT

    for who in ("inspector", "admin"):
        reader = world.client(who)
        listed = reader.get("/api/v1/tips").get_json()["items"]
        detail = reader.get(f"/api/v1/tips/{answer['id']}").get_json()
        assert [t["id"] for t in listed] == [answer["id"]]
        assert "contact" not in listed[0] and "contact" not in detail
        assert CONTACT not in json.dumps(listed, ensure_ascii=False) + json.dumps(
            detail, ensure_ascii=False)
    officer = world.client("officer")
    assert officer.get("/api/v1/tips").status_code == 403
    assert officer.get(f"/api/v1/tips/{answer['id']}").status_code == 404
    assert world.client("far_supervisor").get(f"/api/v1/tips/{answer['id']}").status_code == 404

    # Accepted: the hazard, its trail and every message reach the enterprise without the contact.
    version = supervisor.get(f"/api/v1/tips/{answer['id']}").get_json()["version"]
    accepted = supervisor.post(f"/api/v1/tips/{answer['id']}/transitions", json={
        "action": "accept", "version": version,
        "hazard": {"category": "fire", "level": "general", "title": "消防通道堆物"}})
    assert accepted.status_code == 200, accepted.get_json()
    hazard_id = accepted.get_json()["hazard_id"]
    reachable = []
    for who in ("officer", "inspector"):
        client = world.client(who)
        for url in (f"/api/v1/hazards/{hazard_id}", f"/api/v1/hazards/{hazard_id}/events",
                    "/api/v1/hazards", "/api/v1/notifications", f"/api/v1/tips/{answer['id']}",
                    "/api/v1/tips", f"/api/v1/scan/{world.enterprise.qr_token}"):
            response = client.get(url)
            reachable.append((who, url, response.status_code))
            assert not any("13800138000" in s or "王女士" in s
                           for s in deep_strings(response.get_json())), (who, url)
    assert ("officer", f"/api/v1/hazards/{hazard_id}", 200) in reachable
    assert ("officer", "/api/v1/notifications", 200) in reachable


def test_a_tip_without_an_enterprise_goes_to_every_supervisor(world, public, app):
    supervisors = [world.users["supervisor"].id, world.users["far_supervisor"].id]
    answer = made(public.tip(text="河边有人非法倾倒化学品"))
    for who in ("supervisor", "far_supervisor"):
        assert world.client(who).get(f"/api/v1/tips/{answer['id']}").status_code == 200
        assert world.client(who).get("/api/v1/tips/summary").get_json()["untriaged"] == 1
    assert world.client("inspector").get(f"/api/v1/tips/{answer['id']}").status_code == 404
    with app.app_context():
        told = db.session.scalars(select(Notification.user_id).where(
            Notification.kind == "tip_received")).all()
    assert sorted(told) == sorted(supervisors)


# --------------------------------------------------------------------------- triage
def triage(world, tip_id, who="supervisor", **body):
    client = world.client(who)
    body.setdefault("version", client.get(f"/api/v1/tips/{tip_id}").get_json().get("version", 1))
    return client.post(f"/api/v1/tips/{tip_id}/transitions", json=body)


def test_accepting_a_tip_makes_a_hazard_with_its_photos(world, public, app):
    officer = world.client("officer")
    answer = tip_at(world, public, text="二楼配电箱冒烟，电线裸露\n在楼梯口",
                    location={"lat": 29.5331, "lng": 106.5001, "accuracy": 9},
                    photos=[("a.jpg", photo_bytes("DSCN0010.jpg")),
                            ("b.jpg", photo_bytes("portrait_8.jpg"))])
    assert triage(world, answer["id"], who="inspector", action="accept",
                  hazard={"category": "electrical", "level": "general"}).status_code == 403
    missing = triage(world, answer["id"], action="accept")
    assert missing.status_code == 422 and "hazard" in missing.get_json()["errors"]

    response = triage(world, answer["id"], action="accept", answer="已派检查员核查",
                      hazard={"category": "用电安全", "level": "major"})
    assert response.status_code == 200, response.get_json()
    tip = response.get_json()
    assert tip["state"] == "accepted" and tip["allowed_actions"] == []
    hazard = world.hazard(tip["hazard_id"], who="officer")
    assert hazard["source"] == "tip" and hazard["state"] == "reported"
    assert hazard["title"] == "二楼配电箱冒烟，电线裸露" and hazard["level"] == "major"
    assert hazard["category"] == "electrical"
    assert hazard["description"] == "二楼配电箱冒烟，电线裸露\n在楼梯口"
    assert [p["sha256"] for p in hazard["photos"]] == [
        sha256(photo_bytes("DSCN0010.jpg")), sha256(photo_bytes("portrait_8.jpg"))]
    assert all(p["kind"] == "finding" for p in hazard["photos"])
    assert officer.get(hazard["photos"][0]["urls"]["full"]).status_code == 200
    events = officer.get(f"/api/v1/hazards/{hazard['id']}/events").get_json()["items"]
    assert [e["action"] for e in events] == ["report", "escalate", "add_photo", "add_photo"]
    with app.app_context():
        kinds = set(db.session.scalars(select(Notification.kind).where(
            Notification.user_id == world.users["officer"].id)))
        assert "hazard_created" in kinds  # the enterprise is told as for any hazard
        assert db.session.get(Photo, hazard["photos"][0]["id"]).uploader_id == \
            world.users["supervisor"].id
    with app.app_context():  # the trail, photo hashes and files included, still verifies
        report = verify(files=True)
        assert report.ok and report.photos == 2, report.findings

    tracked = public.get(f"/api/v1/public/tips/{answer['tracking_code']}").get_json()
    assert tracked["state"] == "accepted" and tracked["answer"] == "已派检查员核查"
    again = triage(world, answer["id"], action="accept",
                   hazard={"category": "fire", "level": "general"})
    assert again.status_code == 409


def test_a_tip_without_enterprise_is_accepted_at_the_one_named(world, public, app):
    answer = made(public.tip(text="某小作坊晚上焊接，没有灭火器"))
    unnamed = triage(world, answer["id"], action="accept",
                     hazard={"category": "fire", "level": "general"})
    assert unnamed.status_code == 422 and "hazard.enterprise_id" in unnamed.get_json()["errors"]
    far = triage(world, answer["id"], action="accept",
                 hazard={"category": "fire", "level": "general",
                         "enterprise_id": world.far_enterprise.id})
    assert far.status_code == 422  # not the supervisor's enterprise
    ok = triage(world, answer["id"], action="accept",
                hazard={"category": "fire", "level": "general",
                        "enterprise_id": world.neighbour.id})
    assert ok.status_code == 200, ok.get_json()
    hazard = world.hazard(ok.get_json()["hazard_id"])
    assert hazard["enterprise_id"] == world.neighbour.id and hazard["photos"] == []


@pytest.mark.parametrize("reason", ["duplicate", "unclear", "outside", "other"])
def test_declining_needs_one_of_four_reasons(world, public, app, reason):
    answer = tip_at(world, public)
    for bad in (None, "boring"):
        refused = triage(world, answer["id"], action="decline", reason=bad)
        assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    response = triage(world, answer["id"], action="decline", reason=reason)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["decline_reason"] == reason
    assert response.get_json()["events"][-1]["reason"] == reason
    tracked = public.get(f"/api/v1/public/tips/{answer['tracking_code']}").get_json()
    assert tracked["state"] == "declined" and tracked["answer"]
    assert "举报" in tracked["answer"] or "12350" in tracked["answer"]


def test_a_stale_version_and_a_replayed_step(world, public, app):
    answer = tip_at(world, public)
    stale = triage(world, answer["id"], action="decline", reason="unclear", version=7)
    assert stale.status_code == 409 and "version" in stale.get_json()["errors"]
    step = {"id": new_id(), "action": "decline", "reason": "duplicate", "version": 1}
    first = world.client("supervisor").post(f"/api/v1/tips/{answer['id']}/transitions",
                                            json=step)
    assert first.status_code == 200
    replay = world.client("supervisor").post(f"/api/v1/tips/{answer['id']}/transitions",
                                             json=step)
    assert replay.status_code == 200 and replay.get_json()["state"] == "declined"


# --------------------------------------------------------------------------- reminders, figures
def test_an_untriaged_tip_reminds_its_supervisors_once(world, public, app, monkeypatch):
    world.client("supervisor")
    old = tip_at(world, public, text="四天前的举报")
    fresh = tip_at(world, public, text="今天的举报")
    with app.app_context():
        db.session.execute(update(Tip).where(Tip.id == old["id"]).values(
            received_at=now() - timedelta(days=3, hours=1)))
        db.session.commit()
        assert run_outreach()["reminders"] == 1
        assert run_outreach()["reminders"] == 0
        reminded = db.session.scalars(select(Notification).where(
            Notification.kind == "tip_untriaged")).all()
        assert [(n.user_id, n.subject_id) for n in reminded] == [
            (world.users["supervisor"].id, old["id"])]
        assert db.session.scalar(select(db.func.count()).select_from(TipEvent).where(
            TipEvent.tip_id == old["id"], TipEvent.action == "remind")) == 1
    listed = world.client("supervisor").get("/api/v1/tips?overdue=true").get_json()["items"]
    assert [t["id"] for t in listed] == [old["id"]] and listed[0]["overdue"]
    assert world.client("supervisor").get("/api/v1/tips/summary").get_json() == {
        "untriaged": 2, "overdue": 1}
    monkeypatch.setitem(app.config, "TIP_TRIAGE_DAYS", 0)  # now every tip is late
    with app.app_context():
        assert run_outreach()["reminders"] == 1
        assert db.session.scalar(select(db.func.count()).select_from(Notification).where(
            Notification.subject_id == fresh["id"], Notification.kind == "tip_untriaged")) == 1


def test_the_dashboard_counts_tips_and_their_time_to_triage(world, public, app):
    ids = [tip_at(world, public, text=f"举报 {i}")["id"] for i in range(3)]
    with app.app_context():
        for tip_id, days in zip(ids, (4, 2, 1), strict=True):
            db.session.execute(update(Tip).where(Tip.id == tip_id).values(
                received_at=now() - timedelta(days=days)))
        db.session.commit()
    assert triage(world, ids[0], action="accept",
                  hazard={"category": "fire", "level": "general"}).status_code == 200
    assert triage(world, ids[1], action="decline", reason="duplicate").status_code == 200
    figures = world.client("supervisor").get("/api/v1/dashboard").get_json()["tips"]
    assert figures["received"] == 3 and figures["accepted"] == 1 and figures["declined"] == 1
    assert figures["untriaged_now"] == 1
    assert 2.9 <= figures["median_days_to_triage"] <= 3.1  # median of 4 and 2 days
    other = world.client("far_supervisor").get("/api/v1/dashboard").get_json()["tips"]
    assert other["received"] == 0


def test_tips_follow_their_enterprise_to_another_community(world, public, app):
    answer = tip_at(world, public)
    admin = world.client("admin")
    enterprise = admin.get(f"/api/v1/enterprises/{world.enterprise.id}").get_json()
    moved = admin.patch(f"/api/v1/enterprises/{world.enterprise.id}", json={
        "community_id": world.far_community.id, "version": enterprise["version"]})
    assert moved.status_code == 200, moved.get_json()
    assert world.client("supervisor").get(f"/api/v1/tips/{answer['id']}").status_code == 404
    detail = world.client("far_supervisor").get(f"/api/v1/tips/{answer['id']}").get_json()
    assert detail["community_id"] == world.far_community.id
    assert [e["action"] for e in detail["events"]] == ["receive", "move"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(HazardEvent)) == 0


def test_media_gc_keeps_tip_photos_and_removes_abandoned_ones(world, public, app, media_dir):
    answer = tip_at(world, public, photos=[("a.jpg", photo_bytes("DSCN0010.jpg"))])
    root = Path(str(media_dir))
    with app.app_context():
        kept = root / os.path.dirname(db.session.scalar(select(TipPhoto.original_path).where(
            TipPhoto.tip_id == answer["id"])))
    abandoned = root / "tips" / "2024" / "06" / f"{uuid.uuid4()}-0a1b2c3d"
    abandoned.mkdir(parents=True)
    (abandoned / "original.jpg").write_bytes(b"\xff\xd8 whole file")
    old = (kept.stat().st_mtime - 7200,) * 2
    for path in (abandoned, abandoned / "original.jpg", kept, *kept.iterdir()):
        os.utime(path, old)
    result = app.test_cli_runner().invoke(args=["media", "gc"])
    assert result.exit_code == 0, result.output
    assert not abandoned.exists() and kept.exists() and len(list(kept.iterdir())) == 3
