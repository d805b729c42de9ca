"""The supervisors' dashboard: every figure against an independent computation in Python from the
rows it counts, for every role's scope, a community filter and periods; bad input and 404s."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.test_reports_data import (SHANGHAI, assert_dashboard_matches, build_world,
                                     expected_dashboard, load)


def login_info(client):
    return client.get("/api/v1/auth/me").get_json()["user"]


@pytest.fixture
def world(app, factory):
    return build_world(app, factory)


def _dashboard(client, query=""):
    response = client.get(f"/api/v1/dashboard{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("who", ["admin", "supervisor", "inspector", "both", "officer", "far"])
def test_every_figure_matches_the_rows_for_each_scope(app, world, client_for, who):
    client = client_for(world.users[who])
    user = login_info(client)
    now = datetime.now(timezone.utc)
    today = now.astimezone(SHANGHAI).date()
    body = _dashboard(client)
    rows = load(app)
    want = expected_dashboard(rows, user, first=today - timedelta(days=364), last=today, now=now)
    assert_dashboard_matches(body, want)
    assert body["scope"] == {"community_id": None, "community_name": None,
                             "from": (today - timedelta(days=364)).isoformat(),
                             "to": today.isoformat(), "now": body["scope"]["now"]}
    if who == "far":
        assert body["total"] == 0 and body["rectification_rate"] is None
    if who == "officer":  # only its own enterprise, whatever else exists
        assert {t["id"] for t in body["top_enterprises"]} <= {world.enterprises["A"].id}
        assert [c["id"] for c in body["by_community"]] == [world.communities["north"].id]


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_periods_cut_at_shanghai_midnight(app, world, client_for, days):
    client = client_for(world.users["admin"])
    now = datetime.now(timezone.utc)
    today = now.astimezone(SHANGHAI).date()
    first, last = today - timedelta(days=days - 1), today
    body = _dashboard(client, f"?from={first.isoformat()}&to={last.isoformat()}")
    want = expected_dashboard(load(app), login_info(client), first=first, last=last, now=now)
    assert_dashboard_matches(body, want)
    assert body["weekly_trend"][0]["start"] <= first.isoformat()
    assert body["weekly_trend"][-1]["start"] <= last.isoformat()
    assert all(w["week"].count("-W") == 1 for w in body["weekly_trend"])


def test_the_edge_cases_land_on_the_right_side_of_the_period(app, world, client_for):
    """29 days back: the hazard found one minute before that day's midnight (Shanghai) is out,
    the one found at midnight and the one at 23:30 (15:30 UTC, the day before in UTC) are in."""
    client = client_for(world.users["admin"])
    today = datetime.now(timezone.utc).astimezone(SHANGHAI).date()
    first = today - timedelta(days=29)
    one_day = _dashboard(client, f"?from={first.isoformat()}&to={first.isoformat()}")
    assert one_day["total"] >= 2   # the midnight and the 23:30 hazards (random ones may add)
    rows = load(app)
    start = datetime.combine(first, datetime.min.time(), tzinfo=SHANGHAI)
    names = {h.found_at.astimezone(SHANGHAI).strftime("%H:%M") for h in rows["hazards"]
             if start <= h.found_at < start + timedelta(days=1)}
    assert {"00:00", "23:30"} <= names
    before = _dashboard(client, f"?from={(first - timedelta(days=1)).isoformat()}"
                                f"&to={(first - timedelta(days=1)).isoformat()}")
    assert any(h.found_at == start - timedelta(minutes=1) for h in rows["hazards"])
    assert before["total"] >= 1


def test_a_community_filter_narrows_every_figure(app, world, client_for):
    client = client_for(world.users["both"])
    now = datetime.now(timezone.utc)
    today = now.astimezone(SHANGHAI).date()
    south = world.communities["south"]
    body = _dashboard(client, f"?community_id={south.id}")
    want = expected_dashboard(load(app), login_info(client), first=today - timedelta(days=364),
                              last=today, now=now, community_id=south.id)
    assert_dashboard_matches(body, want)
    assert body["scope"]["community_name"] == "南社区"
    assert [c["id"] for c in body["by_community"]] == [south.id]


def test_a_community_outside_the_scope_is_404_like_an_unknown_one(world, client_for):
    south = world.communities["south"]
    for who in ("supervisor", "officer", "far"):
        client = client_for(world.users[who])
        outside = client.get(f"/api/v1/dashboard?community_id={south.id}")
        unknown = client.get("/api/v1/dashboard?community_id=7b1e5a7e-0000-4000-8000-000000000000")
        assert outside.status_code == unknown.status_code == 404
        assert outside.get_json() == unknown.get_json()
        assert outside.mimetype == "application/problem+json"
    own = client_for(world.users["supervisor"]).get(
        f"/api/v1/dashboard?community_id={world.communities['north'].id}")
    assert own.status_code == 200


@pytest.mark.parametrize("query, field", [
    ("?from=2023-07-01&to=2023-06-01", "to"),
    ("?from=2023-13-01", "from"),
    ("?to=yesterday", "to"),
    ("?community_id=not-a-uuid", "community_id"),
    ("?from=2010-01-01&to=2023-01-01", "from"),
])
def test_bad_input_names_the_field(world, client_for, query, field):
    response = client_for(world.users["admin"]).get(f"/api/v1/dashboard{query}")
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_not_logged_in_is_401(client):
    assert client.get("/api/v1/dashboard").status_code == 401
    assert client.get("/api/v1/map").status_code == 401


def test_the_median_is_the_continuous_one(app, factory, client_for):
    """Even count: the mean of the two middle durations; odd: the middle one."""
    from app.extensions import db
    from app.hazards.models import Hazard
    world = build_world(app, factory, with_hazards=False)
    A = world.enterprises["A"]
    now = world.now
    durations = [1.0, 2.0, 4.0, 10.0]   # days from found to closed
    with app.app_context():
        for days in durations:
            found = now - timedelta(days=20)
            db.session.add(Hazard(
                enterprise_id=A.id, community_id=A.community_id,
                reporter_id=world.users["admin"].id, title="t", category="fire",
                level="general", state="closed", found_at=found,
                deadline=found + timedelta(days=7), acknowledged_at=found,
                submitted_at=found, verified_at=found,
                closed_at=found + timedelta(days=days), escalated=False, rejection_count=0))
        db.session.commit()
    client = client_for(world.users["admin"])
    assert _dashboard(client)["median_days_to_close"] == 3.0
    with app.app_context():
        found = now - timedelta(days=19)
        db.session.add(Hazard(
            enterprise_id=A.id, community_id=A.community_id, reporter_id=world.users["admin"].id,
            title="t", category="fire", level="general", state="archived", found_at=found,
            deadline=found + timedelta(days=7), closed_at=found + timedelta(days=5.5),
            archived_at=found + timedelta(days=6), escalated=False, rejection_count=0))
        db.session.commit()
    assert _dashboard(client)["median_days_to_close"] == 4.0


def test_rates_follow_their_definitions_on_a_small_set(app, factory, client_for):
    """Four hazards: two rectified (one verified by its deadline, one after), one open and
    overdue, one open in time. 整改率 2/4, on-time 1/2, overdue 1, open (not 销号) 3."""
    from app.extensions import db
    from app.hazards.models import Hazard
    world = build_world(app, factory, with_hazards=False)
    A = world.enterprises["A"]
    now = world.now
    with app.app_context():
        found = now - timedelta(days=10)

        def hazard(state, deadline_days, **stamps):
            db.session.add(Hazard(
                enterprise_id=A.id, community_id=A.community_id,
                reporter_id=world.users["admin"].id, title=state, category="fire",
                level="general", state=state, found_at=found,
                deadline=found + timedelta(days=deadline_days), escalated=False,
                rejection_count=0, **stamps))
        hazard("verified", 5, submitted_at=found + timedelta(days=1),
               verified_at=found + timedelta(days=2))
        hazard("closed", 5, submitted_at=found + timedelta(days=4),
               verified_at=found + timedelta(days=6), closed_at=found + timedelta(days=7))
        hazard("rectifying", 5, acknowledged_at=found + timedelta(days=1))
        hazard("reported", 30)
        db.session.commit()
    body = _dashboard(client_for(world.users["admin"]))
    assert (body["total"], body["rectified"], body["on_time"]) == (4, 2, 1)
    assert (body["rectification_rate"], body["on_time_rate"]) == (0.5, 0.5)
    assert (body["overdue_now"], body["open_now"]) == (1, 3)   # verified is open until 销号
    assert body["median_days_to_close"] == 7.0


def test_figures_match_a_generated_year(app, factory, client_for):
    """The bulk generator's year (every state, escalations, interviews) against Python."""
    from app.demo.bulk import generate_year
    from app.extensions import db
    world = build_world(app, factory, with_hazards=False)
    with app.app_context():
        generate_year(n_hazards=1500, seed=11, now=world.now)
        db.session.commit()
    rows = load(app)
    for who in ("admin", "supervisor", "officer"):
        client = client_for(world.users[who])
        user = login_info(client)
        now = datetime.now(timezone.utc)
        today = now.astimezone(SHANGHAI).date()
        for first, last in ((today - timedelta(days=364), today),
                            (today - timedelta(days=120), today - timedelta(days=60))):
            body = _dashboard(client, f"?from={first}&to={last}")
            assert_dashboard_matches(body, expected_dashboard(rows, user, first=first, last=last,
                                                              now=now))
        if who == "admin":
            assert body["total"] > 100
            assert len(body["top_enterprises"]) == min(10, len(world.enterprises))


def _tips_and_missed_checks(app, world):
    """Figures of the dashboard's one-row statement, which the world has none of: tips in each
    community and one in none, every second hazard of the year flagged 自查不实."""
    from sqlalchemy import select

    from app.extensions import db
    from app.hazards.models import Hazard
    from app.outreach.models import Tip

    now = datetime.now(timezone.utc)
    with app.app_context():
        places = [None] + [c.id for c in world.communities.values()]
        for n, community_id in enumerate(places * 2):
            db.session.add(Tip(tracking_code=f"T{n:03d}-0000-0000", community_id=community_id,
                               text="举报", state="received",
                               received_at=now - timedelta(days=2 + 5 * n)))
        year = db.session.scalars(select(Hazard).where(
            Hazard.found_at >= now - timedelta(days=300)).order_by(Hazard.id)).all()
        for hazard in year[::2]:
            hazard.self_check_missed = True
        db.session.commit()


def _own_counts(app, user, community_id):
    """The tips and 自查不实 hazards ``user`` sees, counted in Python (``tip_visible``,
    ``in_scope``), not by the dashboard's SQL."""
    from sqlalchemy import select

    from app.core.permissions import in_scope
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.outreach.models import Tip
    from app.outreach.scope import tip_visible

    def wanted(record):
        return community_id is None or record.community_id == community_id

    with app.app_context():
        user = db.session.merge(user, load=True)
        tips = [t for t in db.session.scalars(select(Tip)) if tip_visible(user, t) and wanted(t)]
        missed = [h for h in db.session.scalars(select(Hazard).where(Hazard.self_check_missed))
                  if in_scope(user, h) and wanted(h)]
        return len(tips), len(missed)


@pytest.mark.parametrize("first, second", [
    ("supervisor", "both"), ("both", "supervisor"),        # one role, other communities
    ("inspector", "far"), ("far", "inspector"),
    ("officer", "officer C"), ("officer C", "officer"),    # one role, other enterprises
    ("admin", "supervisor"), ("supervisor", "admin"),
    ("both south", "supervisor"), ("supervisor", "both south"),  # a community filter
])
def test_users_one_after_another_each_see_their_own_figures(app, world, factory, client_for,
                                                            first, second):
    """The dashboard's statements are built once and reused with each request's values as
    parameters (issue 18): whoever asked before, every user gets the figures of their own
    scope, computed independently (from the rows, in Python)."""
    world.users["officer C"] = factory.user("officer", enterprise=world.enterprises["C"])
    _tips_and_missed_checks(app, world)
    south = world.communities["south"]
    asks = {"both south": ("both", south)}
    clients, seen = {}, {}
    now = datetime.now(timezone.utc)
    today = now.astimezone(SHANGHAI).date()
    for who in (first, second, first, second):
        name, community = asks.get(who, (who, None))
        client = clients.setdefault(who, client_for(world.users[name]))
        body = _dashboard(client, f"?community_id={community.id}" if community else "")
        want = expected_dashboard(load(app), login_info(client), first=today - timedelta(days=364),
                                  last=today, now=now, community_id=community and community.id)
        assert_dashboard_matches(body, want)
        tips, missed = _own_counts(app, world.users[name], community and community.id)
        assert (body["tips"]["received"], body["prevention"]["self_check_missed"]) == (
            tips, missed)
        seen[who] = {k: v for k, v in body.items() if k != "scope"}
    assert seen[first] != seen[second]   # scopes whose figures differ, or the test shows nothing
