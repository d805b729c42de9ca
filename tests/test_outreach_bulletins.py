"""Warnings and safety notices (预警、安全提示) over HTTP: the target, the officers' inbox and the
signed webhook, acknowledgement once, who has and has not acknowledged, reminders, the PDF."""
from __future__ import annotations

import io

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, WebhookDelivery
from app.outreach.models import BulletinEvent, BulletinReceipt
from tests.test_hazards_support import new_id


@pytest.fixture
def town(app, factory, client_for):
    """Two communities; in the near one a red chemicals plant, a yellow shop and a red shop, in
    the far one a red chemicals plant; an officer for each near enterprise."""
    near, far = factory.community(name="白鹤社区"), factory.community(name="青松社区")
    plant = factory.enterprise(near, name="白鹤化工有限公司", industry="hazardous_chemicals",
                               risk_level="red")
    shop = factory.enterprise(near, name="白鹤超市", industry="retail", risk_level="yellow")
    red_shop = factory.enterprise(near, name="白鹤烟花店", industry="retail", risk_level="red")
    far_plant = factory.enterprise(far, name="青松化工有限公司", industry="hazardous_chemicals",
                                   risk_level="red")
    users = {
        "supervisor": factory.user("supervisor", communities=[near]),
        "inspector": factory.user("inspector", communities=[near]),
        "plant": factory.user("officer", enterprise=plant, phone="13900000001"),
        "shop": factory.user("officer", enterprise=shop),
        "red_shop": factory.user("officer", enterprise=red_shop),
        "far_plant": factory.user("officer", enterprise=far_plant),
    }
    clients = {}

    def client(who):
        if who not in clients:
            clients[who] = client_for(users[who])
        return clients[who]

    return type("Town", (), dict(near=near, far=far, plant=plant, shop=shop, red_shop=red_shop,
                                 far_plant=far_plant, users=users, client=staticmethod(client)))


def publish(town, **body):
    body.setdefault("title", "高温天气危化品储存预警")
    body.setdefault("body", "近期持续高温，请立即检查危化品仓库通风降温设施。")
    body.setdefault("target", {"risk_levels": ["red"]})
    return town.client("supervisor").post("/api/v1/bulletins", json=body)


def inbox_kinds(app, user) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.kind).where(
            Notification.user_id == user.id).order_by(Notification.created_at)))


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Notice")
    page.save()
    return out.getvalue()


@pytest.mark.parametrize("target, field", [
    ({}, "target"),
    ({"community_ids": [], "industries": [], "risk_levels": []}, "target"),
    (None, "target"),
    ({"risk_levels": ["purple"]}, "target"),
    ({"industries": ["education"]}, "target"),  # matches no enterprise
])
def test_an_empty_or_unmatched_target_is_refused(town, app, target, field):
    body = {"target": target} if target is not None else {}
    response = publish(town, **body) if target is not None else town.client(
        "supervisor").post("/api/v1/bulletins", json={"title": "t", "body": "b"})
    assert response.status_code == 422, response.get_json()
    assert any(k.startswith(field) for k in response.get_json()["errors"])
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(BulletinReceipt)) == 0


def test_only_supervisors_publish_within_their_communities(town, app):
    for who in ("inspector", "plant"):
        refused = town.client(who).post("/api/v1/bulletins", json={
            "title": "t", "body": "b", "target": {"risk_levels": ["red"]}})
        assert refused.status_code == 403
    elsewhere = publish(town, target={"community_ids": [town.far.id]})
    assert elsewhere.status_code == 422 and "target.community_ids" in elsewhere.get_json()["errors"]


def test_matching_officers_get_it_and_acknowledge_once(town, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_URL", "http://127.0.0.1:9/hooks")
    response = publish(town, target={"risk_levels": ["red"]}, requires_ack=True)
    assert response.status_code == 201, response.get_json()
    bulletin = response.get_json()
    # The far plant is red too, but outside the supervisor's communities.
    assert bulletin["pending_count"] == 2 and bulletin["acknowledged_count"] == 0
    assert sorted(r["enterprise_name"] for r in bulletin["pending"]) == ["白鹤化工有限公司",
                                                                          "白鹤烟花店"]
    assert inbox_kinds(app, town.users["plant"]) == ["bulletin"]
    assert inbox_kinds(app, town.users["red_shop"]) == ["bulletin"]
    assert inbox_kinds(app, town.users["shop"]) == []
    assert inbox_kinds(app, town.users["far_plant"]) == []
    with app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert delivery.event == "bulletin.published"
        recipients = {r["enterprise_name"]: r for r in delivery.payload["data"]["recipients"]}
        assert set(recipients) == {"白鹤化工有限公司", "白鹤烟花店"}
        assert recipients["白鹤化工有限公司"]["officers"][0]["phone"] == "13900000001"
        assert delivery.payload["data"]["title"] == "高温天气危化品储存预警"

    plant = town.client("plant")
    mine = plant.get("/api/v1/bulletins").get_json()["items"]
    assert [(b["id"], b["my_state"]) for b in mine] == [(bulletin["id"], "pending")]
    assert "pending" not in plant.get(f"/api/v1/bulletins/{bulletin['id']}").get_json()
    first = plant.post(f"/api/v1/bulletins/{bulletin['id']}/ack")
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["receipt"]["state"] == "acknowledged"
    again = plant.post(f"/api/v1/bulletins/{bulletin['id']}/ack")
    assert again.status_code == 200 and again.get_json()["receipt"] == first.get_json()["receipt"]
    assert plant.get("/api/v1/bulletins?pending_only=true").get_json()["items"] == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(BulletinEvent).where(
            BulletinEvent.action == "acknowledge")) == 1

    assert town.client("shop").get(f"/api/v1/bulletins/{bulletin['id']}").status_code == 404
    assert town.client("shop").post(f"/api/v1/bulletins/{bulletin['id']}/ack").status_code == 404
    assert town.client("inspector").post(
        f"/api/v1/bulletins/{bulletin['id']}/ack").status_code == 403

    seen = town.client("supervisor").get(f"/api/v1/bulletins/{bulletin['id']}").get_json()
    assert [r["enterprise_name"] for r in seen["acknowledged"]] == ["白鹤化工有限公司"]
    assert seen["acknowledged"][0]["acknowledged_by"] == town.users["plant"].display_name
    assert [r["enterprise_name"] for r in seen["pending"]] == ["白鹤烟花店"]
    assert seen["can_remind"] is True
    listed = town.client("supervisor").get("/api/v1/bulletins").get_json()["items"][0]
    assert (listed["acknowledged_count"], listed["pending_count"]) == (1, 1)


def test_reminding_tells_only_those_who_have_not_acknowledged(town, app):
    bulletin = publish(town, target={"industries": ["商贸零售"]}, requires_ack=True).get_json()
    assert sorted(r["enterprise_name"] for r in bulletin["pending"]) == ["白鹤烟花店", "白鹤超市"]
    assert town.client("shop").post(f"/api/v1/bulletins/{bulletin['id']}/ack").status_code == 200
    assert town.client("inspector").post(
        f"/api/v1/bulletins/{bulletin['id']}/remind").status_code == 403
    reminded = town.client("supervisor").post(f"/api/v1/bulletins/{bulletin['id']}/remind")
    assert reminded.status_code == 200 and reminded.get_json() == {"enterprises": 1,
                                                                    "messages": 1}
    assert inbox_kinds(app, town.users["red_shop"]) == ["bulletin", "bulletin_reminder"]
    assert inbox_kinds(app, town.users["shop"]) == ["bulletin"]
    seen = town.client("supervisor").get(f"/api/v1/bulletins/{bulletin['id']}").get_json()
    assert seen["pending"][0]["reminded_at"] is not None


def test_target_lists_narrow_each_other(town, app):
    bulletin = publish(town, target={"industries": ["retail"], "risk_levels": ["red"],
                                     "community_ids": [town.near.id]}).get_json()
    assert [r["enterprise_name"] for r in bulletin["pending"]] == ["白鹤烟花店"]


def test_a_pdf_attachment_goes_with_it(town, app):
    supervisor = town.client("supervisor")
    not_pdf = supervisor.post("/api/v1/bulletins/attachments", data={
        "file": (io.BytesIO(b"\xff\xd8\xff not a pdf"), "x.pdf")},
        content_type="multipart/form-data")
    assert not_pdf.status_code == 415 and "file" in not_pdf.get_json()["errors"]
    assert town.client("plant").post("/api/v1/bulletins/attachments", data={
        "file": (io.BytesIO(pdf_bytes()), "x.pdf")},
        content_type="multipart/form-data").status_code == 403
    uploaded = supervisor.post("/api/v1/bulletins/attachments", data={
        "file": (io.BytesIO(pdf_bytes()), "关于高温的通知.pdf"), "id": new_id()},
        content_type="multipart/form-data")
    assert uploaded.status_code == 201, uploaded.get_json()
    attachment = uploaded.get_json()
    bulletin = publish(town, attachment_id=attachment["id"], kind="safety_tip").get_json()
    assert bulletin["attachment"]["filename"] == "关于高温的通知.pdf"
    served = town.client("plant").get(bulletin["attachment_url"])
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.data.startswith(b"%PDF-") and b"%%EOF" in served.data[-64:]
    assert town.client("shop").get(bulletin["attachment_url"]).status_code == 404
    unknown = publish(town, attachment_id=new_id())
    assert unknown.status_code == 422 and "attachment_id" in unknown.get_json()["errors"]


def test_the_outbox_may_publish_twice(town, app):
    bulletin_id = new_id()
    first = publish(town, id=bulletin_id)
    again = publish(town, id=bulletin_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert inbox_kinds(app, town.users["plant"]) == ["bulletin"]
    other = publish(town, id=bulletin_id, title="另一个标题")
    assert other.status_code == 409


def test_receipts_follow_their_enterprise_to_another_community(town, app, factory, client_for):
    bulletin = publish(town, target={"risk_levels": ["red"]}).get_json()
    admin = client_for(factory.user("admin"))
    enterprise = admin.get(f"/api/v1/enterprises/{town.red_shop.id}").get_json()
    assert admin.patch(f"/api/v1/enterprises/{town.red_shop.id}", json={
        "community_id": town.far.id, "version": enterprise["version"]}).status_code == 200
    seen = town.client("supervisor").get(f"/api/v1/bulletins/{bulletin['id']}").get_json()
    assert [r["enterprise_name"] for r in seen["pending"]] == ["白鹤化工有限公司"]
    far = client_for(factory.user("supervisor", communities=[town.far]))
    moved = far.get(f"/api/v1/bulletins/{bulletin['id']}").get_json()
    assert [r["enterprise_name"] for r in moved["pending"]] == ["白鹤烟花店"]
