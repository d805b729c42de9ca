"""约谈 records over the API: life cycle, required fields, 409s, roles and scope; 挂牌督办."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.test_escalation import T0, evaluate, inbox, make_hazard, send_created


@pytest.fixture
def case(app, factory):
    """An enterprise whose major hazard escalated (R1), so it has an open interview."""
    community = factory.community()
    enterprise = factory.enterprise(community)
    inspector = factory.user("inspector", communities=[community])
    hazard_id = make_hazard(app, enterprise, inspector, level="major", title="液氨储罐泄漏报警失效",
                            deadline=T0 + timedelta(days=60))
    send_created(app, hazard_id, inspector.id)
    other_community = factory.community()
    return type("Case", (), dict(
        community=community, enterprise=enterprise, inspector=inspector, hazard_id=hazard_id,
        officer=factory.user("officer", enterprise=enterprise),
        supervisor=factory.user("supervisor", communities=[community]),
        admin=factory.user("admin"),
        stranger_officer=factory.user("officer"),
        stranger_supervisor=factory.user("supervisor", communities=[other_community]),
        other_enterprise=factory.enterprise(other_community)))


def _problem(response, status):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    return response.get_json()


SCHEDULE = {"action": "schedule", "scheduled_at": "2024-06-10T09:30:00+08:00",
            "place": "乌龙街道综合执法队会议室", "interviewers": ["张主任", "李队长"],
            "departments": ["区应急管理局", "区消防救援支队"]}
HOLD = {"action": "hold", "interviewee": "王总", "interviewee_title": "总经理（主要负责人）",
        "note_taker": "赵记录", "minutes": "企业汇报了液氨储罐报警装置失效情况。",
        "problems": "报警装置长期未检定", "requirements": "立即停用相关储罐并更换报警装置",
        "commitments": "7日内完成更换并书面回复", "follow_up_deadline": "2024-06-17T18:00:00+08:00"}
CLOSE = {"action": "close", "completion_receipt": "已更换报警装置并经检定合格，附检定证书。"}


def test_the_full_life_cycle(app, case, client_for):
    supervisor = client_for(case.supervisor)
    page = supervisor.get("/api/v1/interviews").get_json()
    assert page["total"] == 1 and page["page"] == 1 and page["per_page"] == 20
    interview = page["items"][0]
    assert interview["state"] == "proposed" and interview["state_label"]["zh"] == "待约谈"
    assert interview["enterprise"]["name"] == case.enterprise.name
    assert interview["convener"].endswith("安全生产领导小组")

    url = f"/api/v1/interviews/{interview['id']}"
    detail = supervisor.get(url).get_json()
    [reason] = detail["reasons"]
    assert reason["rule"] == "R1" and reason["hazard_id"] == case.hazard_id
    assert reason["hazard_title"] == "液氨储罐泄漏报警失效" and reason["fired_at"]
    assert reason["rule_label"]["zh"] and reason["detail"]
    [opened] = detail["events"]
    assert opened["action"] == "open" and opened["actor"] is None  # opened by the system
    assert opened["data"]["rule"] == "R1" and opened["data"]["hazard_id"] == case.hazard_id
    assert detail["allowed_actions"] == ["schedule"]

    scheduled = supervisor.post(url + "/transitions",
                                json=dict(SCHEDULE, version=detail["version"]))
    assert scheduled.status_code == 200, scheduled.get_json()
    body = scheduled.get_json()
    assert body["state"] == "scheduled" and body["version"] == detail["version"] + 1
    assert body["scheduled_at"] == "2024-06-10T01:30:00+00:00"
    assert body["interviewers"] == ["张主任", "李队长"]
    assert body["departments"] == ["区应急管理局", "区消防救援支队"]
    assert body["events"][-1]["action"] == "schedule"
    assert body["events"][-1]["actor"]["id"] == case.supervisor.id
    [(kind, title, _, subject)] = inbox(app, case.officer.id, "interview_scheduled")
    assert subject == body["id"] and "2024-06-10 09:30" in title

    held = supervisor.post(url + "/transitions", json=dict(HOLD, version=body["version"]))
    assert held.status_code == 200, held.get_json()
    body = held.get_json()
    assert body["state"] == "held" and body["held_at"]
    assert body["interviewee"] == "王总" and body["note_taker"] == "赵记录"
    assert body["commitments"] == HOLD["commitments"]
    assert body["follow_up_deadline"] == "2024-06-17T10:00:00+00:00"
    assert len(inbox(app, case.officer.id, "interview_held")) == 1

    closed = supervisor.post(url + "/transitions", json=dict(CLOSE, version=body["version"]))
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert body["state"] == "closed" and body["closed_at"]
    assert body["completion_receipt"] == CLOSE["completion_receipt"]
    assert [e["action"] for e in body["events"]] == ["open", "schedule", "hold", "close"]
    assert body["allowed_actions"] == []
    again = supervisor.post(url + "/transitions", json=dict(CLOSE, version=body["version"]))
    _problem(again, 409)


def test_out_of_order_actions_are_409_and_change_nothing(case, client_for):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    url = f"/api/v1/interviews/{interview['id']}"
    for payload in (HOLD, CLOSE, dict(SCHEDULE, action="reschedule")):
        body = _problem(supervisor.post(url + "/transitions",
                                        json=dict(payload, version=interview["version"])), 409)
        assert "action" in body["errors"]
    after = supervisor.get(url).get_json()
    assert after["state"] == "proposed" and after["version"] == interview["version"]
    assert len(after["events"]) == 1


def test_a_stale_version_is_409(case, client_for):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    url = f"/api/v1/interviews/{interview['id']}/transitions"
    body = _problem(supervisor.post(url, json=dict(SCHEDULE, version=interview["version"] + 5)),
                    409)
    assert "version" in body["errors"]
    assert supervisor.post(url, json=dict(SCHEDULE, version=interview["version"])).status_code \
        == 200
    _problem(supervisor.post(url, json=dict(SCHEDULE, action="reschedule",
                                            version=interview["version"])), 409)


def test_missing_and_foreign_fields_are_named(case, client_for):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    url = f"/api/v1/interviews/{interview['id']}/transitions"
    body = _problem(supervisor.post(url, json={"action": "schedule",
                                               "version": interview["version"],
                                               "interviewers": []}), 422)
    assert "interviewers" in body["errors"]
    body = _problem(supervisor.post(url, json={"action": "schedule",
                                               "version": interview["version"]}), 422)
    assert {"scheduled_at", "place", "interviewers"} <= set(body["errors"])
    body = _problem(supervisor.post(url, json=dict(SCHEDULE, version=interview["version"],
                                                   minutes="不属于安排")), 422)
    assert list(body["errors"]) == ["minutes"]
    body = _problem(supervisor.post(url, json=dict(SCHEDULE, version=interview["version"],
                                                   scheduled_at="2024-06-10T09:30:00")), 422)
    assert "scheduled_at" in body["errors"]  # a time without an offset is ambiguous
    body = _problem(supervisor.post(url, json=dict(SCHEDULE, version=interview["version"],
                                                   action="dance")), 422)
    assert "action" in body["errors"]
    ok = supervisor.post(url, json=dict(SCHEDULE, version=interview["version"]))
    version = ok.get_json()["version"]
    body = _problem(supervisor.post(url, json=dict(HOLD, version=version,
                                                   follow_up_deadline="2024-06-01T00:00:00Z")),
                    422)
    assert "follow_up_deadline" in body["errors"]
    partial = {k: v for k, v in HOLD.items() if k not in ("minutes", "note_taker")}
    body = _problem(supervisor.post(url, json=dict(partial, version=version)), 422)
    assert set(body["errors"]) == {"minutes", "note_taker"}
    after = supervisor.get(f"/api/v1/interviews/{interview['id']}").get_json()
    assert after["state"] == "scheduled" and after["minutes"] is None


def test_reschedule_keeps_the_record_and_tells_the_officer_again(app, case, client_for):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    url = f"/api/v1/interviews/{interview['id']}/transitions"
    version = supervisor.post(url, json=dict(SCHEDULE, version=interview["version"])
                              ).get_json()["version"]
    moved = supervisor.post(url, json={"action": "reschedule", "version": version,
                                       "scheduled_at": "2024-06-12T14:00:00+08:00",
                                       "note": "企业负责人出差，改期"})
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert body["state"] == "scheduled" and body["place"] == SCHEDULE["place"]
    assert body["scheduled_at"] == "2024-06-12T06:00:00+00:00"
    assert body["events"][-1]["note"] == "企业负责人出差，改期"
    assert len(inbox(app, case.officer.id, "interview_scheduled")) == 2


@pytest.mark.parametrize("who", ["inspector", "officer"])
def test_only_supervisors_and_admins_move_interviews(case, client_for, who):
    reader = client_for(getattr(case, who))
    interview = reader.get("/api/v1/interviews").get_json()["items"][0]
    assert interview["enterprise_id"] == case.enterprise.id
    detail = reader.get(f"/api/v1/interviews/{interview['id']}").get_json()
    assert detail["allowed_actions"] == []
    _problem(reader.post(f"/api/v1/interviews/{interview['id']}/transitions",
                         json=dict(SCHEDULE, version=interview["version"])), 403)
    admin = client_for(case.admin)
    assert admin.post(f"/api/v1/interviews/{interview['id']}/transitions",
                      json=dict(SCHEDULE, version=interview["version"])).status_code == 200


def test_scope_another_enterprise_or_community_is_404(app, case, client_for, factory):
    other_inspector = factory.user("inspector", communities=[factory.community()])
    hazard = make_hazard(app, case.other_enterprise, other_inspector, level="major")
    send_created(app, hazard, other_inspector.id)
    admin_page = client_for(case.admin).get("/api/v1/interviews").get_json()
    assert admin_page["total"] == 2
    mine = client_for(case.supervisor).get("/api/v1/interviews").get_json()
    [own] = mine["items"]
    foreign = next(i for i in admin_page["items"] if i["id"] != own["id"])
    for user in (case.stranger_officer, case.stranger_supervisor):
        client = client_for(user)
        assert own["id"] not in [i["id"] for i in client.get("/api/v1/interviews")
                                 .get_json()["items"]]
        _problem(client.get(f"/api/v1/interviews/{own['id']}"), 404)
        _problem(client.post(f"/api/v1/interviews/{own['id']}/transitions",
                             json=dict(SCHEDULE, version=own["version"])), 404)
    officer = client_for(case.officer)
    assert [i["id"] for i in officer.get("/api/v1/interviews").get_json()["items"]] == \
        [own["id"]]
    _problem(officer.get(f"/api/v1/interviews/{foreign['id']}"), 404)
    _problem(officer.get("/api/v1/interviews/not-a-real-id"), 404)
    assert client_for(case.supervisor).get("/api/v1/interviews").status_code == 200
    _problem(app.test_client().get("/api/v1/interviews"), 401)


def test_list_filters(app, case, client_for):
    supervisor = client_for(case.supervisor)
    assert supervisor.get("/api/v1/interviews?state=proposed,scheduled").get_json()["total"] == 1
    assert supervisor.get("/api/v1/interviews?state=closed").get_json()["total"] == 0
    assert supervisor.get(f"/api/v1/interviews?enterprise_id={case.enterprise.id}"
                          ).get_json()["total"] == 1
    assert supervisor.get(f"/api/v1/interviews?community_id={case.community.id}"
                          ).get_json()["total"] == 1
    assert supervisor.get("/api/v1/interviews?overdue=true").get_json()["total"] == 0
    body = _problem(supervisor.get("/api/v1/interviews?state=held,lost"), 422)
    assert list(body["errors"]) == ["state.1"]  # the second state in the list
    _problem(supervisor.get("/api/v1/interviews?per_page=1000"), 422)


def test_opening_an_interview_by_hand(app, case, client_for, factory):
    import uuid
    supervisor = client_for(case.supervisor)
    enterprise = factory.enterprise(case.community)
    payload = {"id": str(uuid.uuid4()), "enterprise_id": enterprise.id,
               "situation": "群众举报夜间违规动火作业，经核查属实"}
    created = supervisor.post("/api/v1/interviews", json=payload)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["id"] == payload["id"] and body["state"] == "proposed"
    assert body["situation"] == payload["situation"] and body["reasons"] == []
    assert body["events"][0]["actor"]["id"] == case.supervisor.id
    replay = supervisor.post("/api/v1/interviews", json=payload)
    assert replay.status_code == 200 and replay.get_json()["id"] == payload["id"]
    _problem(supervisor.post("/api/v1/interviews", json=dict(payload, situation="别的")), 409)
    # one open interview per enterprise: add reasons to it instead
    body = _problem(supervisor.post("/api/v1/interviews", json={
        "enterprise_id": enterprise.id, "situation": "再次约谈"}), 409)
    assert "enterprise_id" in body["errors"]
    # out of scope, unknown: the same answer
    for enterprise_id in (case.other_enterprise.id, str(uuid.uuid4())):
        body = _problem(supervisor.post("/api/v1/interviews", json={
            "enterprise_id": enterprise_id, "situation": "x"}), 422)
        assert "enterprise_id" in body["errors"]
    _problem(client_for(case.inspector).post("/api/v1/interviews", json={
        "enterprise_id": enterprise.id, "situation": "x"}), 403)
    _problem(supervisor.post("/api/v1/interviews", json={"enterprise_id": enterprise.id}), 422)
    # a later escalation of that enterprise joins the hand-opened interview
    hazard = make_hazard(app, enterprise, case.inspector, level="major")
    send_created(app, hazard, case.inspector.id)
    detail = supervisor.get(f"/api/v1/interviews/{payload['id']}").get_json()
    assert [r["hazard_id"] for r in detail["reasons"]] == [hazard]


def test_follow_up_deadline_is_tracked_like_a_hazard_deadline(app, case, client_for):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    url = f"/api/v1/interviews/{interview['id']}"
    version = supervisor.post(url + "/transitions", json=dict(
        SCHEDULE, version=interview["version"])).get_json()["version"]
    supervisor.post(url + "/transitions", json=dict(HOLD, version=version))
    due = T0 + timedelta(days=14, hours=8)  # HOLD's follow_up_deadline, 2024-06-17 10:00 UTC
    evaluate(app, due - timedelta(days=3))
    assert inbox(app, case.officer.id, "follow_up_reminder") == []
    for hours in (47, 24, 1):
        evaluate(app, due - timedelta(hours=hours))
    assert len(inbox(app, case.officer.id, "follow_up_reminder")) == 1
    assert inbox(app, case.supervisor.id, "follow_up_overdue") == []
    for days in (1, 2, 3):
        evaluate(app, due + timedelta(days=days))
    [(_, title, kind, subject)] = inbox(app, case.supervisor.id, "follow_up_overdue")
    assert subject == interview["id"] and case.enterprise.name in title
    assert inbox(app, case.stranger_supervisor.id) == []
    # the overdue flag and filter use the real clock: the 2024 deadline has passed
    page = supervisor.get("/api/v1/interviews?overdue=true").get_json()
    assert [i["id"] for i in page["items"]] == [interview["id"]]
    assert page["items"][0]["overdue"] is True


def test_listed_major_hazards_until_closed(app, case, client_for):
    from app.extensions import db
    from app.hazards.models import Hazard

    general = make_hazard(app, case.enterprise, case.inspector, level="general")
    closed = make_hazard(app, case.enterprise, case.inspector, level="major", state="closed",
                         closed_at=T0)
    verified = make_hazard(app, case.enterprise, case.inspector, level="major",
                           state="verified", deadline=T0 + timedelta(days=1))
    foreign = make_hazard(app, case.other_enterprise, case.inspector, level="major")
    page = client_for(case.supervisor).get("/api/v1/hazards/major").get_json()
    ids = [h["id"] for h in page["items"]]
    assert page["total"] == 2 and set(ids) == {case.hazard_id, verified}
    assert ids == [verified, case.hazard_id]  # earliest deadline first
    listed = page["items"][1]
    assert listed["rules"] == ["R1"] and listed["escalated"] is True
    assert listed["enterprise"]["name"] == case.enterprise.name
    assert listed["overdue"] is True  # the 2024 deadline has passed and it is unrectified
    assert page["items"][0]["overdue"] is False  # verified is no longer overdue
    assert general not in ids and closed not in ids and foreign not in ids
    assert client_for(case.officer).get("/api/v1/hazards/major").get_json()["total"] == 2
    assert client_for(case.stranger_officer).get("/api/v1/hazards/major").get_json()["total"] \
        == 0
    assert client_for(case.admin).get("/api/v1/hazards/major").get_json()["total"] == 3
    assert client_for(case.supervisor).get("/api/v1/hazards/major?overdue=false"
                                           ).get_json()["total"] == 1
    with app.app_context():
        db.session.get(Hazard, verified).state = "closed"
        db.session.commit()
    assert client_for(case.supervisor).get("/api/v1/hazards/major").get_json()["total"] == 1


def test_a_hazards_escalation_reasons(app, case, client_for):
    supervisor = client_for(case.supervisor)
    body = supervisor.get(f"/api/v1/hazards/{case.hazard_id}/escalations").get_json()
    [item] = body["items"]
    assert item["rule"] == "R1" and item["hazard_id"] == case.hazard_id and item["interview_id"]
    assert item["rule_label"]["en"] == "Major hazard reported"
    evaluate(app, T0 + timedelta(days=61))
    rules = [i["rule"] for i in client_for(case.officer).get(
        f"/api/v1/hazards/{case.hazard_id}/escalations").get_json()["items"]]
    assert sorted(rules) == ["R1", "R2"]  # ordered by fired_at; R2 fired at the simulated now
    for user in (case.stranger_officer, case.stranger_supervisor):
        _problem(client_for(user).get(f"/api/v1/hazards/{case.hazard_id}/escalations"), 404)


def test_interview_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/interviews", "/api/v1/interviews/{interview_id}",
                 "/api/v1/interviews/{interview_id}/transitions", "/api/v1/hazards/major",
                 "/api/v1/hazards/{hazard_id}/escalations"):
        assert path in paths, path


def test_parallel_transitions_make_one_step_and_no_5xx(app, case, client_for, live_server):
    """Eight identical 'schedule' requests at once over two gunicorn workers: one moves the
    interview, the others find the version taken (409); none fails with a 5xx."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from app.escalation.models import InterviewEvent
    from app.extensions import db
    from tests.conftest import PASSWORD

    interview = client_for(case.supervisor).get("/api/v1/interviews").get_json()["items"][0]
    login = requests.post(live_server + "/api/v1/auth/login", timeout=30,
                          json={"username": case.supervisor.username, "password": PASSWORD})
    cookies, csrf = login.cookies.get_dict(), login.json()["csrf_token"]

    def one(_):
        return requests.post(f"{live_server}/api/v1/interviews/{interview['id']}/transitions",
                             json=dict(SCHEDULE, version=interview["version"]), cookies=cookies,
                             headers={"X-CSRF-Token": csrf}, timeout=60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(r.status_code for r in pool.map(one, range(8)))
    assert statuses == [200] + [409] * 7, statuses
    with app.app_context():
        steps = db.session.query(InterviewEvent).filter_by(interview_id=interview["id"],
                                                           action="schedule").count()
    assert steps == 1
