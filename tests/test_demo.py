"""``flask seed-demo`` without hazards: the demo 街道 that ``make run`` shows on a fresh machine."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import ApiClient


def _seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _counts(app):
    from app.auth.models import User
    from app.extensions import db
    from app.registry.models import Community, Enterprise
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Community, Enterprise, User)}


def test_the_demo_street_has_communities_enterprises_and_one_login_per_role(app):
    from app.extensions import db
    from app.registry.credit_code import is_valid
    from app.registry.models import Community, Enterprise

    output = _seed(app)
    with app.app_context():
        communities = db.session.scalars(select(Community)).all()
        assert len(communities) >= 2 and {c.street for c in communities} == {"乌龙街道"}
        for community in communities:
            enterprises = db.session.scalars(
                select(Enterprise).where(Enterprise.community_id == community.id)).all()
            assert enterprises, community.name
            assert all(is_valid(e.credit_code) and e.lat and e.lng for e in enterprises)
    logins = re.findall(r"^\s+(\S+)\s+(\S+)\s+(admin|supervisor|inspector|officer)$", output, re.M)
    assert sorted(role for _, _, role in logins) == ["admin", "inspector", "officer", "supervisor"]
    for username, password, role in logins:   # the printed logins work
        user = ApiClient(app.test_client()).login(username, password).user
        assert user["role"] == role
        if role == "officer":
            assert user["enterprise_id"]
        elif role in ("supervisor", "inspector"):
            assert len(user["community_ids"]) == len(communities)
    _this_years_safety_month(app, logins)
    _tips_and_a_warning(app, logins)


def _tips_and_a_warning(app, logins):
    """The supervisor has public reports to triage, the officer a warning to acknowledge."""
    accounts = {role: (u, p) for u, p, role in logins}
    supervisor = ApiClient(app.test_client()).login(*accounts["supervisor"])
    tips = supervisor.get("/api/v1/tips").get_json()["items"]
    assert len(tips) == 3 and {t["state"] for t in tips} == {"received"}
    assert sum(1 for t in tips if t.get("enterprise_id") is None) == 1
    officer = ApiClient(app.test_client()).login(*accounts["officer"])
    [bulletin] = officer.get("/api/v1/bulletins").get_json()["items"]
    assert bulletin["requires_ack"] and bulletin["kind"] == "warning"
    assert officer.post(f"/api/v1/bulletins/{bulletin['id']}/ack").status_code == 200


def _this_years_safety_month(app, logins):
    """This year's 安全生产月 (1–30 June, due 25 June) with what has happened of it by today:
    activities of most kinds with photos, submissions (one late), hazards for the summary."""
    from datetime import date, datetime

    from app.core.timeutil import SHANGHAI
    today = datetime.now(SHANGHAI).date()
    username, password, _ = next(x for x in logins if x[2] == "supervisor")
    client = ApiClient(app.test_client()).login(username, password)
    [campaign] = client.get("/api/v1/campaigns").get_json()["items"]
    assert (campaign["starts_on"], campaign["ends_on"], campaign["submission_due"]) == (
        f"{today.year}-06-01", f"{today.year}-06-30", f"{today.year}-06-25")
    board = client.get(f"/api/v1/campaigns/{campaign['id']}").get_json()
    activities = client.get(f"/api/v1/activities?campaign_id={campaign['id']}&per_page=100")
    items = activities.get_json()["items"]
    if today < date(today.year, 6, 8):
        assert items == [] and board["submissions"] == []
        return
    assert {a["kind"] for a in items} >= {"training", "publicity"}
    assert any(a["photo_count"] for a in items)
    if today >= date(today.year, 6, 28):
        assert len(items) == 11 and len({a["kind"] for a in items}) == 6
        assert [s["late"] for s in board["submissions"]] == [False, True]
        assert [m["late"] for m in board["missing"]] == [True]
        assert any(a["state"] == "pending" for a in items)   # an officer's, to confirm
        first = board["submissions"][0]
        frozen = client.get(f"/api/v1/campaigns/{campaign['id']}/submissions/{first['id']}")
        assert frozen.get_json()["figures"]["hazards"]["total"] > 0


def test_a_second_run_changes_nothing_and_prints_the_logins_again(app):
    _seed(app)
    before = _counts(app)
    output = _seed(app)
    assert "already present" in output and "officer" in output
    assert _counts(app) == before
