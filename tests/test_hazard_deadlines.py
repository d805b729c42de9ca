"""Deadline defaults come from the server, and a 治理方案 that ends after the hazard's deadline
is saved with a warning the phone can show (issue 11 item 3)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.test_hazards_support import FULL_PLAN, world  # noqa: F401

SHANGHAI_OFFSET = timedelta(hours=8)


def test_both_choice_answers_carry_the_default_deadlines(world, app):
    app.config.update(DEADLINE_DAYS_GENERAL=5, DEADLINE_DAYS_MAJOR=45)
    try:
        everything = world.client("officer").get("/api/v1/choices").get_json()
        hazards = world.client("officer").get("/api/v1/hazards/choices").get_json()
        assert everything["deadline_days"] == hazards["deadline_days"] == {
            "general": 5, "major": 45}
        major = world.create_hazard("major", who="supervisor")
    finally:
        app.config.update(DEADLINE_DAYS_GENERAL=7, DEADLINE_DAYS_MAJOR=60)
    found = datetime.fromisoformat(major["found_at"]) + SHANGHAI_OFFSET
    deadline = datetime.fromisoformat(major["deadline"]) + SHANGHAI_OFFSET
    assert (deadline.date() - found.date()).days == 45


def _deadline_day(hazard) -> date:
    return (datetime.fromisoformat(hazard["deadline"]) + SHANGHAI_OFFSET).date()


def test_a_plan_ending_after_the_deadline_is_saved_with_a_warning(world):
    hazard = world.create_hazard("major", who="supervisor")
    hid = hazard["id"]
    assert hazard["warnings"] == []
    day = _deadline_day(hazard)

    on_time = world.patch(hid, "officer", governance_plan=dict(FULL_PLAN, deadline=day.isoformat()))
    assert on_time.status_code == 200 and on_time.get_json()["warnings"] == []

    late_day = day + timedelta(days=10)
    late = world.patch(hid, "officer", governance_plan=dict(FULL_PLAN,
                                                            deadline=late_day.isoformat()))
    assert late.status_code == 200
    [warning] = late.get_json()["warnings"]
    assert warning["field"] == "governance_plan.deadline"
    assert warning["code"] == "plan_ends_after_deadline"
    assert late_day.isoformat() in warning["message"] and day.isoformat() in warning["message"]
    assert "整改期限" in warning["message"] and "deadline" not in warning["message"]
    english = world.client("officer").get(f"/api/v1/hazards/{hid}",
                                          headers={"Accept-Language": "en"}).get_json()
    [warning] = english["warnings"]
    assert "after the hazard's deadline" in warning["message"] and "期限" not in warning["message"]
    # A warning refuses nothing: the plan is complete and can be submitted.
    assert world.hazard(hid, "officer")["governance_plan_missing"] == []


    # Recorded with a deadline after the plan's end, a hazard warns of nothing.
    later = world.create_hazard("major", who="supervisor", deadline=late_day.isoformat(),
                                governance_plan=dict(FULL_PLAN, deadline=late_day.isoformat()))
    assert later["warnings"] == []
    # A general hazard has no plan, so nothing to warn of.
    assert world.create_hazard("general")["warnings"] == []
