"""Paging the hazard list: ``next`` cursors visit every hazard exactly once, in the list's order
(ties in ``found_at`` included, and hazards added meanwhile never repeat one), ``page`` keeps
working, and ``total`` (from the rollups when the filters are theirs) equals the rows."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from tests.test_reports_data import build_world, new_id


@pytest.fixture
def world(app, factory):
    from app.extensions import db
    from app.hazards.models import Hazard
    world = build_world(app, factory, n_random=120)
    with app.app_context():   # a dozen hazards found at the very same instant
        A = world.enterprises["A"]
        same = world.now - timedelta(days=3)
        for i in range(12):
            db.session.add(Hazard(
                id=new_id(), enterprise_id=A.id, community_id=A.community_id,
                reporter_id=world.users["admin"].id, title=f"同时{i}", category="fire",
                level="general", state="reported", found_at=same,
                deadline=same + timedelta(days=1), escalated=False, rejection_count=0))
        db.session.commit()
    return world


def _walk(client, query: str, per_page: int, cursor: str | None = None) -> list[dict]:
    items, seen_pages = [], 0
    while True:
        url = f"/api/v1/hazards?per_page={per_page}{query}"
        answer = client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        if cursor:
            assert body["total"] is None
        items += body["items"]
        cursor = body["next"]
        seen_pages += 1
        assert seen_pages < 500
        if cursor is None:
            return items


@pytest.mark.parametrize("query", ["", "&state=reported", "&overdue=true",
                                   "&state=rectifying&overdue=true", "&level=major"])
@pytest.mark.parametrize("who", ["admin", "both"])
def test_cursors_page_through_every_row_exactly_once(app, world, client_for, query, who):
    from sqlalchemy import select

    from app.extensions import db
    from app.hazards.models import Hazard
    from app.hazards.operations import hazard_filter
    client = client_for(world.users[who])
    walked = _walk(client, query, per_page=7)
    args = dict(part.split("=") for part in query.split("&") if part)
    args = {k: (v == "true") if k == "overdue" else v for k, v in args.items()}
    with app.app_context():
        user = db.session.merge(world.users[who])
        want = db.session.execute(select(Hazard.id).where(hazard_filter(user, args))
                                  .order_by(Hazard.found_at.desc(), Hazard.id)).scalars().all()
    assert [h["id"] for h in walked] == want            # each once, in order
    assert len(set(want)) == len(want) and want
    # the pages by number say the same, with the total
    first = client.get(f"/api/v1/hazards?per_page=7{query}").get_json()
    assert first["total"] == len(want)
    by_page = []
    for page in range(1, -(-len(want) // 7) + 1):
        by_page += client.get(f"/api/v1/hazards?per_page=7&page={page}{query}"
                              ).get_json()["items"]
    assert [h["id"] for h in by_page] == want


def test_hazards_added_while_paging_never_repeat_one(app, world, client_for):
    from app.extensions import db
    from app.hazards.models import Hazard
    client = client_for(world.users["admin"])
    first = client.get("/api/v1/hazards?per_page=10").get_json()
    with app.app_context():   # newer than everything: they go before the cursor
        A = world.enterprises["A"]
        for i in range(5):
            db.session.add(Hazard(
                id=new_id(), enterprise_id=A.id, community_id=A.community_id,
                reporter_id=world.users["admin"].id, title=f"新{i}", category="fire",
                level="general", state="reported", found_at=world.now,
                deadline=world.now + timedelta(days=1), escalated=False, rejection_count=0))
        db.session.commit()
    rest = _walk(client, "", per_page=10, cursor=first["next"])
    ids = [h["id"] for h in first["items"] + rest]
    assert len(ids) == len(set(ids)) == first["total"]


def test_totals_from_the_rollups_equal_the_rows(app, world, client_for):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.hazards.models import Hazard
    from app.hazards.operations import hazard_filter
    rng = random.Random(4)
    south = world.communities["south"].id
    for who in ("admin", "supervisor", "both", "officer"):
        client = client_for(world.users[who])
        for _ in range(12):
            args = {k: v for k, v in {
                "state": rng.choice([None, "reported", "submitted", "archived"]),
                "level": rng.choice([None, "major", "general"]),
                "category": rng.choice([None, "fire", "gas"]),
                "community_id": rng.choice([None, south])}.items() if v}
            query = "".join(f"&{k}={v}" for k, v in args.items())
            body = client.get(f"/api/v1/hazards?per_page=1{query}").get_json()
            with app.app_context():
                user = db.session.merge(world.users[who])
                want = db.session.scalar(select(func.count()).select_from(Hazard)
                                         .where(hazard_filter(user, args)))
            assert body["total"] == want, (who, args)


def test_a_cursor_that_is_not_ours_is_422(world, client_for):
    client = client_for(world.users["admin"])
    for bad in ("nonsense", "W10", "WyJ4Il0"):
        answer = client.get(f"/api/v1/hazards?cursor={bad}")
        assert answer.status_code == 422, bad
        assert "cursor" in answer.get_json()["errors"]
