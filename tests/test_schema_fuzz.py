"""Schemathesis over /api/v1/openapi.json, as each role and as nobody: no answer is a 5xx, and
every answer matches the document (its status is documented, its content type too, and its body
validates against the documented schema: problem+json for errors).

The data is the demo 街道 with a year of hazards in every state (``seed_demo``), a few photos,
and the people of ``DEMO_USERS``. Generated cases are random, but half the time an id the
generator drew (path, query or body: ``hazard_id``, ``enterprise_id``, …) is replaced by a real
one, and half the time the strings of a body lose the control characters every endpoint refuses
(README "Input bounds"), so cases get past the 404 and the 422 into the operations themselves.
Every case is checked, and every failure collected (the run does not stop at the first), then
reported together. The budget (examples per operation) is small in ``make test`` and large in
``make soak`` (``--soak``); each run prints its figures (RELIABILITY lines).
"""
from __future__ import annotations

import collections
import io
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)
from sqlalchemy import select

from app.demo.seed import DEMO_USERS
from tests.conftest import ApiClient
from tests.test_hazards_support import photo_bytes

#: examples per operation and role: make test / make soak
EXAMPLES, SOAK_EXAMPLES = 6, 150
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
PASSWORDS = {username: password for username, password, _role, _name in DEMO_USERS}
#: Operations left out of a role's run: logging out would end the run's own session (it is
#: fuzzed without one, by the anonymous run).
SESSION_ENDING = {"POST /api/v1/auth/logout"}
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
YEARS = dict(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30))

# Every date and time the API takes lies in the years 1900–2200 (``x-year-minimum`` /
# ``x-year-maximum`` in the document); cases outside them are covered by test_input_hardening.
schemathesis.openapi.format("date-time", st.datetimes(**YEARS, timezones=st.sampled_from(
    [timezone.utc, timezone(timedelta(hours=8))])).map(datetime.isoformat))
schemathesis.openapi.format("date", st.dates(min_value=YEARS["min_value"].date(),
                                             max_value=YEARS["max_value"].date())
                            .map(lambda d: d.isoformat()))


def _seed(app, client_for_demo):
    """The demo 街道 with a year of hazards, two photos and a spare account; ``{name: [ids]}`` of
    what the cases may name."""
    from app.auth.models import User
    from app.auth.operations import create_user
    from app.campaigns.models import Activity, Campaign, Submission
    from app.checklists.models import Checklist
    from app.hazards.oversight_models import DeadlineExtension
    from app.outreach.models import Bulletin, Tip
    from app.plans.models import Plan, PlanTask
    from app.demo.seed import seed_demo
    from app.escalation.models import Interview
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.inspections.models import Inspection
    from app.notifications.models import Notification
    from app.photos.models import Photo
    from app.registry.models import Community, Enterprise

    with app.app_context():
        seed_demo(n_enterprises=12, n_hazards=150, seed=2023)
        create_user(username="spare", password="spare-password-1", role="inspector",
                    communities=db.session.scalars(select(Community)).all())
        db.session.commit()
        reported = db.session.scalars(select(Hazard.id).where(Hazard.state == "reported")
                                      .order_by(Hazard.id).limit(2)).all()
    inspector = client_for_demo("inspector")
    for hazard_id in reported:
        answer = inspector.post("/api/v1/photos", content_type="multipart/form-data", data={
            "hazard_id": hazard_id, "kind": "finding",
            "file": (io.BytesIO(photo_bytes("DSCN0010.jpg")), "DSCN0010.jpg", "image/jpeg")})
        assert answer.status_code == 201, answer.get_json()
    with app.app_context():
        def ids(column, limit=40):
            return [str(v) for v in db.session.scalars(select(column).limit(limit))]
        return {
            "enterprise_id": ids(Enterprise.id), "community_id": ids(Community.id),
            "hazard_id": ids(Hazard.id), "inspection_id": ids(Inspection.id),
            "interview_id": ids(Interview.id), "photo_id": ids(Photo.id),
            "notification_id": ids(Notification.id), "token": ids(Enterprise.qr_token),
            "user_id": ids(User.id), "campaign_id": ids(Campaign.id),
            "activity_id": ids(Activity.id), "submission_id": ids(Submission.id),
            "checklist_id": ids(Checklist.id), "extension_id": ids(DeadlineExtension.id),
            "tip_id": ids(Tip.id), "tracking_code": ids(Tip.tracking_code),
            "bulletin_id": ids(Bulletin.id), "plan_id": ids(Plan.id), "task_id": ids(PlanTask.id),
            "category": list(app.config["HAZARD_CATEGORIES"]),
            "industry": list(app.config["INDUSTRIES"]),
        }


def _clean(value):
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _steer(case, data, known: dict) -> None:
    """Half the time, name real records and drop refused characters (see the module doc)."""
    for where in ("path_parameters", "query"):
        params = getattr(case, where)
        for key in list(params or ()):
            if known.get(key) and data.draw(st.booleans()):
                params[key] = data.draw(st.sampled_from(known[key]))
    if isinstance(case.body, dict):
        if data.draw(st.booleans()):
            case.body = _clean(case.body)
        for key in list(case.body):
            if known.get(key) and data.draw(st.booleans()):
                case.body[key] = data.draw(st.sampled_from(known[key]))
            elif key == "photo_ids" and known["photo_id"] and data.draw(st.booleans()):
                case.body[key] = data.draw(st.lists(st.sampled_from(known["photo_id"]),
                                                    max_size=2))


def _fuzz(app, operations, budget: int, known: dict, *, cookie: str | None, csrf: str | None):
    """Runs ``budget`` examples of every operation; returns (requests, statuses, failures)."""
    statuses: collections.Counter = collections.Counter()
    failures: dict = {}
    headers = {"Accept-Encoding": "identity"}  # the WSGI transport does not decompress
    if csrf:
        headers["X-CSRF-Token"] = csrf
    cookies = {app.config["SESSION_COOKIE_NAME"]: cookie} if cookie else None
    for operation in operations:
        _fuzz_one(operation, budget, known, headers, cookies, statuses, failures)
    return sum(statuses.values()), statuses, failures


def _fuzz_one(operation, budget, known, headers, cookies, statuses, failures) -> None:
    @settings(max_examples=budget, deadline=None, database=None, derandomize=budget < 100,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(), data=st.data())
    def run(case, data):
        _steer(case, data, known)
        response = case.call(headers=headers, cookies=cookies)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            key = (operation.label, response.status_code,
                   sorted(type(f).__name__ for f in group.exceptions))
            failures.setdefault(repr(key), str(group)[:2000])

    run()


def _operations(app, skip=()):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) > 50, "the document lists the API's operations"
    return [op for op in found if op.label not in skip]


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "supervisor", "inspector", "officer", "anonymous"])
def test_the_api_answers_every_generated_request_as_documented(app, role, soak, figures):
    def client_for_demo(username):
        return ApiClient(app.test_client()).login(username, PASSWORDS[username])

    known = _seed(app, client_for_demo)
    cookie = csrf = None
    if role != "anonymous":
        logged_in = client_for_demo(role)
        known["user_id"] = [i for i in known["user_id"] if i != logged_in.user["id"]]
        cookie = logged_in.raw.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        csrf = logged_in.csrf_token
    operations = _operations(app, skip=SESSION_ENDING if role != "anonymous" else ())
    budget = SOAK_EXAMPLES if soak else EXAMPLES
    requests, statuses, failures = _fuzz(app, operations, budget, known, cookie=cookie,
                                         csrf=csrf)
    figures(f"schema-fuzz {role}", operations=len(operations), requests=requests,
            **{f"s{code}": n for code, n in sorted(statuses.items())},
            failures=len(failures))
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in list(failures.items())[:8])
    assert statuses[500] == 0
    if role != "anonymous":  # the session held all along: most answers are not 401
        assert statuses[401] < requests / 10, statuses
        assert statuses[200] + statuses[201] > requests / 10, statuses


def test_every_error_answer_is_documented_as_problem_json(app):
    """The document says what an error answer is: problem+json (type, title, status, detail,
    errors), for every 4xx, 5xx and default response of every operation."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    seen = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                if code == "default" or int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], \
                        (method, path, code)
                    seen += 1
    assert seen > 100
    answer = app.test_client().get("/api/v1/enterprises")
    assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert set(json.loads(answer.data)) >= set(problem["required"])


def test_a_received_tip_answers_as_documented(app, factory, client_for):
    """Found by the fuzz: a tip's ``receive`` event has no reason and no hazard, and answered
    ``null`` where the document promised a string."""
    community = factory.community()
    enterprise = factory.enterprise(community)
    sent = app.test_client().post("/api/v1/public/tips", json={
        "token": enterprise.qr_token, "text": "后门消防通道堆放杂物"})
    assert sent.status_code == 201, sent.get_json()
    supervisor = client_for(factory.user("supervisor", communities=[community]))
    tips = supervisor.get("/api/v1/tips").get_json()["items"]
    answer = supervisor.get(f"/api/v1/tips/{tips[0]['id']}")
    assert answer.status_code == 200
    assert answer.get_json()["events"][0]["reason"] is None
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[
        "/api/v1/tips/{tip_id}"]["GET"]
    case = operation.Case(path_parameters={"tip_id": tips[0]["id"]})
    case.validate_response(answer, checks=[response_schema_conformance])
