"""The in-app inbox: own messages only, newest first, unread filter and count, marking read."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.test_escalation import T0, make_hazard, send_created, send_rejected


def _put(app, user, n, *, kind="hazard_created", start=T0):
    from app.auth.models import User
    from app.extensions import db
    from app.notifications.operations import notify
    with app.app_context():
        target = db.session.get(User, user.id)
        for i in range(n):
            notify([target], kind=kind, title=f"消息 {i}", body="正文", subject_type="hazard",
                   subject_id=f"h{i}", now=start + timedelta(minutes=i))
        db.session.commit()


def test_inbox_is_own_newest_first_with_envelope(app, factory, client_for):
    officer = factory.user("officer")
    other = factory.user("officer")
    _put(app, officer, 3)
    _put(app, other, 2)
    client = client_for(officer)
    page = client.get("/api/v1/notifications").get_json()
    assert page["total"] == 3 and page["unread"] == 3
    assert page["page"] == 1 and page["per_page"] == 20
    assert [n["title"] for n in page["items"]] == ["消息 2", "消息 1", "消息 0"]
    item = page["items"][0]
    assert item["kind"] == "hazard_created" and item["kind_label"]["zh"] == "新隐患"
    assert item["read"] is False and item["read_at"] is None
    assert item["subject_type"] == "hazard" and item["subject_id"] == "h2"
    assert item["created_at"].endswith("+00:00")
    second = client.get("/api/v1/notifications?per_page=2&page=2").get_json()
    assert [n["title"] for n in second["items"]] == ["消息 0"] and second["total"] == 3


def test_reading_one_and_all(app, factory, client_for):
    user = factory.user("supervisor")
    _put(app, user, 3)
    client = client_for(user)
    assert client.get("/api/v1/notifications/unread-count").get_json() == {"unread": 3}
    newest = client.get("/api/v1/notifications").get_json()["items"][0]
    read = client.post(f"/api/v1/notifications/{newest['id']}/read")
    assert read.status_code == 200 and read.get_json()["read"] is True
    first_read_at = read.get_json()["read_at"]
    again = client.post(f"/api/v1/notifications/{newest['id']}/read").get_json()
    assert again["read_at"] == first_read_at  # idempotent: the first reading time stays
    assert client.get("/api/v1/notifications/unread-count").get_json() == {"unread": 2}
    unread = client.get("/api/v1/notifications?unread=true").get_json()
    assert unread["total"] == 2 and newest["id"] not in [n["id"] for n in unread["items"]]
    assert client.get("/api/v1/notifications?unread=false").get_json()["total"] == 1
    done = client.post("/api/v1/notifications/read-all")
    assert done.status_code == 200 and done.get_json() == {"updated": 2, "unread": 0}
    assert client.post("/api/v1/notifications/read-all").get_json() == {"updated": 0,
                                                                         "unread": 0}
    assert client.get("/api/v1/notifications?unread=true").get_json()["total"] == 0


def test_someone_elses_message_is_404(app, factory, client_for):
    owner = factory.user("officer")
    intruder = factory.user("admin")
    _put(app, owner, 1)
    note_id = client_for(owner).get("/api/v1/notifications").get_json()["items"][0]["id"]
    client = client_for(intruder)
    response = client.post(f"/api/v1/notifications/{note_id}/read")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.post("/api/v1/notifications/read-all").get_json()["updated"] == 0
    assert client_for(owner).get("/api/v1/notifications/unread-count").get_json()["unread"] == 1


def test_inbox_needs_login_and_csrf(app, factory):
    from tests.conftest import ApiClient
    anonymous = ApiClient(app.test_client())
    for method, url in (("GET", "/api/v1/notifications"),
                        ("GET", "/api/v1/notifications/unread-count"),
                        ("POST", "/api/v1/notifications/read-all")):
        assert anonymous.open(method, url).status_code == 401
    user = factory.user("inspector")
    client = ApiClient(app.test_client()).login(user.username)
    client.csrf_token = None  # a forged cross-site POST carries no token
    assert client.post("/api/v1/notifications/read-all").status_code == 403


def test_bad_filters_are_422(factory, client_for):
    client = client_for(factory.user("officer"))
    body = client.get("/api/v1/notifications?kind=spam").get_json()
    assert "kind" in body["errors"]
    assert client.get("/api/v1/notifications?per_page=0").status_code == 422


@pytest.fixture
def people(factory):
    community = factory.community()
    enterprise = factory.enterprise(community)
    return type("People", (), dict(
        enterprise=enterprise,
        officer=factory.user("officer", enterprise=enterprise),
        inspector=factory.user("inspector", communities=[community]),
        supervisor=factory.user("supervisor", communities=[community])))


def test_who_hears_what(app, people, client_for):
    """Officers: new hazards, rejections, overdue; supervisors: escalations."""
    hazard_id = make_hazard(app, people.enterprise, people.inspector, level="major",
                            state="submitted")
    send_created(app, hazard_id, people.inspector.id)
    send_rejected(app, hazard_id, people.inspector.id, note="整改不到位")
    officer = client_for(people.officer).get("/api/v1/notifications").get_json()
    assert [n["kind"] for n in officer["items"]] == ["hazard_rejected", "hazard_created"]
    assert "整改不到位" in officer["items"][0]["body"]
    assert all(n["subject_id"] == hazard_id for n in officer["items"])
    supervisor = client_for(people.supervisor).get("/api/v1/notifications").get_json()
    assert [n["kind"] for n in supervisor["items"]] == ["escalation"]
    assert supervisor["items"][0]["subject_type"] == "interview"
    assert client_for(people.inspector).get("/api/v1/notifications").get_json()["total"] == 0
