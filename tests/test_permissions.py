"""Role scoping helpers: the SQL clause and its Python twin agree for every role."""
import os

import pytest
from sqlalchemy import select

from app.core import permissions
from app.errors import NotFound


@pytest.fixture
def world(factory):
    north, south = factory.community(name="北社区"), factory.community(name="南社区")
    a = factory.enterprise(north, name="北企业A")
    b = factory.enterprise(north, name="北企业B")
    c = factory.enterprise(south, name="南企业C")
    users = {
        "admin": factory.user("admin"),
        "supervisor": factory.user("supervisor", communities=[north]),
        "inspector": factory.user("inspector", communities=[south]),
        "both": factory.user("inspector", communities=[north, south]),
        "officer": factory.user("officer", enterprise=a),
    }
    return {"enterprises": {"A": a, "B": b, "C": c}, "users": users}


EXPECTED = {
    "admin": {"A", "B", "C"},
    "supervisor": {"A", "B"},
    "inspector": {"C"},
    "both": {"A", "B", "C"},
    "officer": {"A"},
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_scope_clause_and_in_scope_agree(app, world, who):
    from app.auth.models import User
    from app.extensions import db
    from app.registry.models import Enterprise
    by_id = {e.id: key for key, e in world["enterprises"].items()}
    with app.app_context():
        user = db.session.get(User, world["users"][who].id)
        visible = {by_id[e.id] for e in db.session.scalars(
            select(Enterprise).where(permissions.scope_clause(user, Enterprise)))}
        assert visible == EXPECTED[who]
        for key, enterprise in world["enterprises"].items():
            loaded = db.session.get(Enterprise, enterprise.id)
            assert permissions.in_scope(user, loaded) == (key in EXPECTED[who])


def test_get_or_404_hides_records_outside_scope(app, world):
    from app.auth.models import User
    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        officer = db.session.get(User, world["users"]["officer"].id)
        own = permissions.get_or_404(Enterprise, world["enterprises"]["A"].id, officer)
        assert own.name == "北企业A"
        with pytest.raises(NotFound) as outside:
            permissions.get_or_404(Enterprise, world["enterprises"]["B"].id, officer)
        with pytest.raises(NotFound) as unknown:
            permissions.get_or_404(Enterprise, "00000000-0000-0000-0000-000000000000", officer)
        assert outside.value.detail == unknown.value.detail


def test_nobody_sees_anything(app, world):
    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        assert db.session.scalars(select(Enterprise).where(
            permissions.scope_clause(None, Enterprise))).all() == []


def test_forked_worker_does_not_reuse_parent_connections(app):
    """A child process after fork opens its own connections (the parent's are disposed)."""
    from sqlalchemy import text

    from app.extensions import db
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.commit()  # the parent keeps a pooled connection, no open transaction
        assert db.engine.pool.checkedin() >= 1
        pid = os.fork()
        if pid == 0:  # child
            code = 1
            try:
                inherited = db.engine.pool.checkedin()  # 0: the parent's pool was dropped
                with db.engine.connect() as conn:
                    code = 0 if conn.execute(text("SELECT 1")).scalar() == 1 else 1
                code = code or (2 if inherited else 0)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        db.session.execute(text("SELECT 1"))  # the parent's connection still works


def test_every_capability_has_its_403_and_a_role_that_holds_it():
    held = set().union(*permissions.ROLE_CAPABILITIES.values())
    assert held == set(permissions.DENIED)
    for name in permissions.DENIED:
        domain, _, action = name.partition(".")
        assert domain and action, name


def test_require_answers_the_capability_403_and_can_only_tells():
    from types import SimpleNamespace

    from app.errors import Forbidden
    officer = SimpleNamespace(role="officer")
    assert permissions.can(officer, "hazard.edit")
    assert not permissions.can(officer, "hazard.create")
    assert not permissions.can(None, "hazard.edit")
    permissions.require(officer, "photo.upload_rectification", field="kind")
    with pytest.raises(Forbidden) as denied:
        permissions.require(officer, "photo.upload_finding", field="kind", kind="finding",
                            kind_zh="隐患照片")
    assert denied.value.detail == ("您的角色不能上传隐患照片 / Your role may not upload finding "
                                   "photos.")
    assert denied.value.errors == {"kind": [denied.value.detail]}
    with pytest.raises(KeyError):
        permissions.can(officer, "hazard.fly")
