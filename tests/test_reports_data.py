"""Test data for the reports tests, inserted as model rows (the reports only read), and the
independent Python computation of the dashboard's figures they are compared with.

``build_world`` makes two communities with enterprises of every risk colour, one user per role
and a hand-made set of hazards around the edges that matter: period boundaries at Asia/Shanghai
midnight, every state with timestamps consistent with it, overdue and not, on time and late,
escalations and interviews.
"""
from __future__ import annotations

import random
import statistics
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATES = ("reported", "rectifying", "submitted", "verified", "closed", "archived")
OPEN = ("reported", "rectifying", "submitted")
RECTIFIED = ("verified", "closed", "archived")
FINISHED = ("closed", "archived")
CATEGORIES = ("fire", "electrical", "chemicals", "machinery", "gas", "management")


def new_id() -> str:
    return str(uuid.uuid4())


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(timezone.utc)


@dataclass
class World:
    app: object
    now: datetime
    communities: dict = field(default_factory=dict)
    enterprises: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def test_test_data_is_consistent(app, factory):
    """The hand-made set obeys the ordering of the hazard timestamps it claims to."""
    world = build_world(app, factory)
    rows = load(app)
    assert len(rows["hazards"]) >= 80
    for h in rows["hazards"]:
        stamps = [h.found_at, h.acknowledged_at, h.submitted_at, h.verified_at, h.closed_at,
                  h.archived_at]
        present = [s for s in stamps if s is not None]
        assert present == sorted(present), h.id
        assert all(s <= world.now for s in present)
    assert {h.state for h in rows["hazards"]} == set(STATES)


def build_world(app, factory, *, now: datetime | None = None, seed: int = 7,
                n_random: int = 90, with_hazards: bool = True) -> World:
    """Communities 北/南 (+ an empty 西), enterprises A (北, red), B (北, blue), C (南, orange),
    D (南, yellow); users admin, supervisor (北), inspector (南), officer (A), far inspector (西);
    ``n_random`` hazards spread over the last 200 days plus hand-placed edge cases."""
    from app.escalation.models import Escalation, Interview
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.inspections.models import Inspection

    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    world = World(app=app, now=now)
    north = factory.community(name="北社区", code="N01")
    south = factory.community(name="南社区", code="S01")
    west = factory.community(name="西社区", code="W01")
    world.communities = {"north": north, "south": south, "west": west}
    world.enterprises = {
        "A": factory.enterprise(north, name="甲精密机械有限公司", risk_level="red",
                                lat=29.531, lng=106.501),
        "B": factory.enterprise(north, name="乙超市", risk_level="blue", lat=29.534, lng=106.503),
        "C": factory.enterprise(south, name="丙化工贸易有限公司", risk_level="orange",
                                lat=29.540, lng=106.510),
        "D": factory.enterprise(south, name="丁餐饮管理有限公司", risk_level="yellow",
                                lat=None, lng=None),
    }
    world.users = {
        "admin": factory.user("admin"),
        "supervisor": factory.user("supervisor", communities=[north]),
        "inspector": factory.user("inspector", communities=[south]),
        "both": factory.user("supervisor", communities=[north, south]),
        "officer": factory.user("officer", enterprise=world.enterprises["A"]),
        "far": factory.user("inspector", communities=[west]),
    }
    if not with_hazards:
        return world
    reporter = world.users["inspector"].id
    rng = random.Random(seed)
    hazards = []

    def add(enterprise, found, state, *, level="general", category="fire", deadline_days=7.0,
            ack=0.5, submit=2.0, verify=1.0, close=0.5, archive=30.0, escalated=False,
            inspection_id=None, rejections=0, title=None):
        """One hazard whose timestamps follow its state (durations in days after the previous
        step)."""
        deadline = found + timedelta(days=deadline_days)
        order = STATES.index(state)
        t = found
        stamps = {}
        for index, (name, gap) in enumerate((("acknowledged_at", ack), ("submitted_at", submit),
                                             ("verified_at", verify), ("closed_at", close),
                                             ("archived_at", archive)), start=1):
            t = t + timedelta(days=gap)
            if index <= order or (index == 2 and state == "rectifying" and rejections):
                # caps that grow with the step keep the stamps in order
                stamps[name] = min(t, now - timedelta(minutes=10 - index))
        h = Hazard(id=new_id(), enterprise_id=enterprise.id, community_id=enterprise.community_id,
                   inspection_id=inspection_id, reporter_id=reporter,
                   title=title or f"隐患{len(hazards) + 1}", description="测试隐患描述",
                   category=category, level=level, state=state, place="一号车间",
                   found_at=found, deadline=deadline, responsible="张三",
                   rejection_count=rejections, escalated=escalated, **stamps)
        hazards.append(h)
        return h

    ents = list(world.enterprises.values())
    for _ in range(n_random):
        found = now - timedelta(days=rng.uniform(0.2, 200), hours=rng.uniform(0, 8))
        age = (now - found).days
        possible = [s for s in STATES if age > STATES.index(s) * 3 or s == "reported"]
        add(rng.choice(ents), found, rng.choice(possible),
            level="major" if rng.random() < 0.15 else "general",
            category=rng.choice(CATEGORIES), deadline_days=rng.choice((1, 3, 7, 15, 30)),
            ack=rng.uniform(0.01, 1), submit=rng.uniform(0.1, 8), verify=rng.uniform(0.1, 4),
            close=rng.uniform(0, 2), archive=rng.uniform(1, 30),
            escalated=rng.random() < 0.3, rejections=rng.choice((0, 0, 0, 1, 2)))
    # Edge cases around the period [today-29 .. today] in Asia/Shanghai.
    today = now.astimezone(SHANGHAI).date()
    first = today - timedelta(days=29)
    A, B, C = world.enterprises["A"], world.enterprises["B"], world.enterprises["C"]
    add(A, local_midnight(first) - timedelta(minutes=1), "reported")       # just before
    add(A, local_midnight(first), "closed", ack=0.1, submit=0.2, verify=0.1, close=0.1)  # first
    add(B, local_midnight(first) + timedelta(hours=23, minutes=30), "verified")
    add(C, min(local_midnight(today) + timedelta(minutes=5), now - timedelta(minutes=1)),
        "reported", deadline_days=1)
    add(C, now - timedelta(days=3), "rectifying", deadline_days=1, rejections=2,
        escalated=True, level="major", category="gas")                    # overdue, escalated
    add(A, now - timedelta(days=10), "submitted", deadline_days=2)        # overdue while waiting
    add(A, now - timedelta(days=20), "verified", deadline_days=2, submit=3, verify=1)  # late
    add(B, now - timedelta(days=25), "archived", deadline_days=10, submit=1, verify=1, close=1,
        archive=2)

    with app.app_context():
        insp = Inspection(id=new_id(), enterprise_id=A.id, community_id=A.community_id,
                          inspector_id=world.users["admin"].id, kind="unannounced",
                          started_at=now - timedelta(days=2), lat=29.531, lng=106.501,
                          distance_m=12.0, on_site=True)
        db.session.add(insp)
        db.session.flush()
        add(A, now - timedelta(days=2), "reported", level="major", category="chemicals",
            inspection_id=insp.id, title="危化品未分类储存", deadline_days=30)
        db.session.add_all(hazards)
        db.session.flush()
        interviews = []
        for index, enterprise in enumerate((A, C)):
            opened = now - timedelta(days=5 + 40 * index)
            iv = Interview(id=new_id(), enterprise_id=enterprise.id,
                           community_id=enterprise.community_id,
                           state="held" if index else "proposed",
                           open_slot=enterprise.id, convener="乌龙街道安全生产领导小组",
                           created_at=opened, updated_at=opened,
                           held_at=opened + timedelta(days=3) if index else None)
            interviews.append(iv)
        db.session.add_all(interviews)
        db.session.flush()
        escalated = [h for h in hazards if h.escalated]
        for i, h in enumerate(escalated):
            rules = ["R1"] if h.level == "major" else []
            rules.append("R2" if i % 2 else "R3")
            for rule in rules:
                db.session.add(Escalation(
                    id=new_id(), hazard_id=h.id, rule=rule,
                    interview_id=interviews[0 if h.enterprise_id == A.id else 1].id
                    if h.enterprise_id in (A.id, C.id) else None,
                    enterprise_id=h.enterprise_id, community_id=h.community_id,
                    fired_at=min(h.found_at + timedelta(hours=1 + i), now)))
        inspection_id = insp.id
        db.session.commit()
    world.inspection_id = inspection_id
    return world


# --------------------------------------------------------------------------- reading back
def load(app) -> dict:
    """Every row the figures are computed from, as detached ORM objects."""
    from sqlalchemy import select

    from app.escalation.models import Escalation, Interview
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.registry.models import Community, Enterprise

    with app.app_context():
        out = {
            "hazards": db.session.scalars(select(Hazard)).all(),
            "enterprises": {e.id: e for e in db.session.scalars(select(Enterprise))},
            "communities": {c.id: c for c in db.session.scalars(select(Community))},
            "escalations": db.session.scalars(select(Escalation)).all(),
            "interviews": db.session.scalars(select(Interview)).all(),
        }
        db.session.expunge_all()
    return out


def visible(user: dict, record) -> bool:
    """The scope rule of CONTRACT.md, on a loaded record (``user`` as the login answer)."""
    if user["role"] == "admin":
        return True
    if user["role"] in ("supervisor", "inspector"):
        return record.community_id in user["community_ids"]
    enterprise_id = record.id if record.__tablename__ == "enterprises" else record.enterprise_id
    return enterprise_id == user["enterprise_id"]


def monday(value: datetime) -> date:
    local = value.astimezone(SHANGHAI).date()
    return local - timedelta(days=local.weekday())


def expected_dashboard(rows: dict, user: dict, *, first: date, last: date, now: datetime,
                       community_id: str | None = None) -> dict:
    """Every figure of the dashboard, computed in Python from the rows."""
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))

    def mine(record):
        return visible(user, record) and (community_id is None
                                          or record.community_id == community_id)

    scoped = [h for h in rows["hazards"] if mine(h)]
    period = [h for h in scoped if start <= h.found_at < end]
    rectified = [h for h in period if h.state in RECTIFIED]
    on_time = [h for h in rectified if h.verified_at <= h.deadline]
    # days to close: calendar days (Asia/Shanghai) from the day found to the day closed
    closing = [(h.closed_at.astimezone(SHANGHAI).date()
                - h.found_at.astimezone(SHANGHAI).date()).days for h in period
               if h.closed_at is not None]
    open_now = [h for h in scoped if h.state not in FINISHED]
    weeks_found = Counter(monday(h.found_at) for h in period)
    weeks_closed = Counter(monday(h.closed_at) for h in scoped
                           if h.closed_at is not None and start <= h.closed_at < end)
    weeks = []
    week = first - timedelta(days=first.weekday())
    while week <= last:
        weeks.append((week.isoformat(), weeks_found.get(week, 0), weeks_closed.get(week, 0)))
        week += timedelta(days=7)
    per_enterprise = Counter(h.enterprise_id for h in open_now)
    enterprises = rows["enterprises"]
    top = sorted(per_enterprise.items(), key=lambda kv: (-kv[1], enterprises[kv[0]].name, kv[0]))
    escalations = [e for e in rows["escalations"] if mine(e) and start <= e.fired_at < end]
    interviews = [i for i in rows["interviews"] if mine(i) and start <= i.created_at < end]
    held = [i for i in rows["interviews"] if mine(i) and i.held_at is not None
            and start <= i.held_at < end]
    communities = [c for c in rows["communities"].values()
                   if (user["role"] == "admin" or c.id in visible_communities(rows, user))
                   and (community_id is None or c.id == community_id)]
    return {
        "total": len(period),
        "by_state": Counter(h.state for h in period),
        "by_level": Counter(h.level for h in period),
        "by_category": Counter(h.category for h in period),
        "by_community": {c.id: sum(1 for h in period if h.community_id == c.id)
                         for c in communities},
        "by_risk": Counter(enterprises[h.enterprise_id].risk_level for h in period),
        "enterprises_by_risk": Counter(e.risk_level for e in enterprises.values() if mine(e)),
        "rectified": len(rectified),
        "rectification_rate": round(len(rectified) / len(period), 4) if period else None,
        "on_time": len(on_time),
        "on_time_rate": round(len(on_time) / len(rectified), 4) if rectified else None,
        "median_days_to_close": statistics.median(closing) if closing else None,
        "open_now": len(open_now),
        "overdue_now": sum(1 for h in scoped if h.state in OPEN and h.deadline < now),
        "major_open_now": sum(1 for h in open_now if h.level == "major"),
        "escalations": Counter(e.rule for e in escalations),
        "interviews_opened": Counter(i.state for i in interviews),
        "interviews_held": len(held),
        "weekly_trend": weeks,
        "top_enterprises": [(eid, n, sum(1 for h in open_now if h.enterprise_id == eid
                                         and h.level == "major"),
                             sum(1 for h in open_now if h.enterprise_id == eid
                                 and h.state in OPEN and h.deadline < now))
                            for eid, n in top[:10]],
    }


def visible_communities(rows: dict, user: dict) -> set[str]:
    if user["role"] in ("supervisor", "inspector"):
        return set(user["community_ids"])
    if user["role"] == "officer":
        return {rows["enterprises"][user["enterprise_id"]].community_id}
    return set(rows["communities"])


def counts(items: list[dict]) -> dict:
    """``{key: count}`` of a labelled count list, zero counts left out."""
    return {item["key"]: item["count"] for item in items if item["count"]}


def assert_dashboard_matches(body: dict, want: dict) -> None:
    """Compare the API answer with :func:`expected_dashboard`, figure by figure."""
    assert body["total"] == want["total"]
    assert counts(body["by_state"]) == dict(want["by_state"])
    assert counts(body["by_level"]) == dict(want["by_level"])
    assert counts(body["by_category"]) == dict(want["by_category"])
    assert {c["id"]: c["count"] for c in body["by_community"]} == want["by_community"]
    assert counts(body["by_risk"]) == dict(want["by_risk"])
    assert counts(body["enterprises_by_risk"]) == dict(want["enterprises_by_risk"])
    assert body["rectified"] == want["rectified"]
    assert body["rectification_rate"] == want["rectification_rate"]
    assert body["on_time"] == want["on_time"]
    assert body["on_time_rate"] == want["on_time_rate"]
    if want["median_days_to_close"] is None:
        assert body["median_days_to_close"] is None
    else:
        assert body["median_days_to_close"] == want["median_days_to_close"]
    assert body["open_now"] == want["open_now"]
    assert body["overdue_now"] == want["overdue_now"]
    assert body["major_open_now"] == want["major_open_now"]
    assert counts(body["escalations"]["by_rule"]) == dict(want["escalations"])
    assert body["escalations"]["total"] == sum(want["escalations"].values())
    assert counts(body["interviews"]["by_state"]) == dict(want["interviews_opened"])
    assert body["interviews"]["opened"] == sum(want["interviews_opened"].values())
    assert body["interviews"]["held"] == want["interviews_held"]
    assert [(w["start"], w["found"], w["closed"]) for w in body["weekly_trend"]] == \
        want["weekly_trend"]
    assert [(t["id"], t["open_hazards"], t["major"], t["overdue"])
            for t in body["top_enterprises"]] == want["top_enterprises"]
