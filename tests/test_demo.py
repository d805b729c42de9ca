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


def test_a_second_run_changes_nothing_and_prints_the_logins_again(app):
    _seed(app)
    before = _counts(app)
    output = _seed(app)
    assert "already present" in output and "officer" in output
    assert _counts(app) == before
