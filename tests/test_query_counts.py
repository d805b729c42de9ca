"""A list answers with the same number of SQL statements whatever the number of its rows: the
computed fields of its items are gathered by the operations in one query per page, never one
per row inside an output schema."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.test_escalation import T0, make_hazard, send_created

LISTS = ("/api/v1/interviews", "/api/v1/hazards", "/api/v1/hazards/major",
         "/api/v1/inspections", "/api/v1/enterprises", "/api/v1/communities",
         "/api/v1/notifications")


@contextmanager
def counted(app):
    """Count the SQL statements the application sends while the block runs."""
    from app.extensions import db
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def street(app, factory):
    """A community, its supervisor and inspector, and ``grow(n)`` adding ``n`` enterprises,
    each with an escalated major hazard (so an open interview with one reason), a general
    hazard and an inspection."""
    from app.extensions import db
    from app.inspections.models import Inspection

    community = factory.community()
    supervisor = factory.user("supervisor", communities=[community])
    inspector = factory.user("inspector", communities=[community])

    def grow(n):
        for _ in range(n):
            enterprise = factory.enterprise(community)
            major = make_hazard(app, enterprise, inspector, level="major",
                                deadline=T0 + timedelta(days=60))
            send_created(app, major, inspector.id)
            make_hazard(app, enterprise, inspector, level="general")
            with app.app_context():
                db.session.add(Inspection(enterprise_id=enterprise.id,
                                          community_id=community.id, inspector_id=inspector.id,
                                          kind="routine", started_at=T0))
                db.session.commit()

    return type("Street", (), dict(community=community, supervisor=supervisor, grow=grow))


@pytest.mark.parametrize("url", LISTS)
def test_a_list_costs_the_same_statements_for_two_rows_or_six(app, client_for, street, url):
    client = client_for(street.supervisor)
    street.grow(2)
    with counted(app) as few:
        small = client.get(url)
    assert small.status_code == 200, small.get_json()
    street.grow(4)
    with counted(app) as many:
        large = client.get(url)
    assert large.status_code == 200, large.get_json()
    assert large.get_json()["total"] > small.get_json()["total"] or url.endswith(
        ("communities", "notifications"))
    assert len(many) == len(few), "\n".join(many)


def test_an_interview_costs_the_same_statements_for_one_reason_or_four(app, client_for, factory):
    community = factory.community()
    enterprise = factory.enterprise(community)
    supervisor = factory.user("supervisor", communities=[community])
    inspectors = [factory.user("inspector", communities=[community]) for _ in range(4)]

    def escalate(inspector):
        hazard_id = make_hazard(app, enterprise, inspector, level="major",
                                deadline=T0 + timedelta(days=60))
        send_created(app, hazard_id, inspector.id)

    client = client_for(supervisor)
    escalate(inspectors[0])
    [interview] = client.get("/api/v1/interviews").get_json()["items"]
    url = f"/api/v1/interviews/{interview['id']}"
    with counted(app) as few:
        one = client.get(url).get_json()
    for inspector in inspectors[1:]:
        escalate(inspector)
    with counted(app) as many:
        four = client.get(url).get_json()
    assert (len(one["reasons"]), len(four["reasons"])) == (1, 4)
    assert len(many) == len(few), "\n".join(many)


def test_a_scoped_hazard_list_reads_newest_first_without_sorting_every_hazard(
        app, client_for, street):
    """A supervisor's list (its communities hold most hazards) walks the hazards newest first
    and stops at the page's end: on SQLite neither the scope's community index nor a join to
    the enterprises may turn the page into a sort of every hazard in scope (165 ms a page at
    100,000 hazards; bench/RESULTS.md). The plan is SQLite's own, read with EXPLAIN."""
    from app.extensions import db
    street.grow(3)
    client = client_for(street.supervisor)
    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, *args):
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement \
                and "FROM hazards" in statement:
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            pytest.skip("SQLite's planner (PostgreSQL weighs the LIMIT and the rows kept)")
    event.listen(engine, "before_cursor_execute", keep)
    try:
        answer = client.get("/api/v1/hazards?per_page=2")
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert answer.status_code == 200 and len(answer.get_json()["items"]) == 2
    [(statement, parameters)] = seen
    with engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
    assert "ix_hazards_found_at" in plan, plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
