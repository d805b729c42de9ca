"""实际约谈时间: the note-taker sets when the interview took place (default: the scheduled time),
bounded by now and by the opening of the interview (issue 11 item 9)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.test_interviews import HOLD, SCHEDULE, _problem, case  # noqa: F401


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _scheduled(case, client_for, scheduled_at: str):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    url = f"/api/v1/interviews/{interview['id']}"
    body = supervisor.post(url + "/transitions", json=dict(
        SCHEDULE, scheduled_at=scheduled_at, version=interview["version"])).get_json()
    assert body["state"] == "scheduled", body
    return supervisor, url, body


def _hold(supervisor, url, version, **fields):
    follow_up = (_now() + timedelta(days=7)).isoformat()
    return supervisor.post(url + "/transitions", json=dict(
        HOLD, follow_up_deadline=follow_up, version=version, **fields))


def test_without_a_time_the_interview_was_held_when_scheduled(case, client_for):
    supervisor, url, body = _scheduled(case, client_for, "2024-06-10T09:30:00+08:00")
    held = _hold(supervisor, url, body["version"])
    assert held.status_code == 200, held.get_json()
    assert held.get_json()["held_at"] == "2024-06-10T01:30:00+00:00"


def test_held_ahead_of_a_schedule_still_to_come_is_held_now(case, client_for):
    later = (_now() + timedelta(days=2)).isoformat()
    supervisor, url, body = _scheduled(case, client_for, later)
    before = _now()
    held = _hold(supervisor, url, body["version"]).get_json()
    assert before - timedelta(seconds=1) <= datetime.fromisoformat(held["held_at"]) <= _now()


def test_the_note_taker_sets_the_time_it_took_place(case, client_for):
    supervisor, url, body = _scheduled(case, client_for, "2024-06-10T09:30:00+08:00")
    took_place = datetime.fromisoformat(body["created_at"]) + timedelta(seconds=1)
    held = _hold(supervisor, url, body["version"], held_at=took_place.isoformat())
    assert held.status_code == 200, held.get_json()
    body = held.get_json()
    assert datetime.fromisoformat(body["held_at"]) == took_place
    assert datetime.fromisoformat(body["events"][-1]["data"]["held_at"]) == took_place


def test_a_time_outside_its_bounds_is_named(case, client_for):
    supervisor, url, body = _scheduled(case, client_for, "2024-06-10T09:30:00+08:00")
    version = body["version"]
    future = (_now() + timedelta(hours=1)).isoformat()
    for language, words in (("zh-CN", "不能晚于当前时间"), ("en", "in the future")):
        problem = _problem(supervisor.post(url + "/transitions", json=dict(
            HOLD, follow_up_deadline=(_now() + timedelta(days=7)).isoformat(),
            held_at=future, version=version), headers={"Accept-Language": language}), 422)
        assert list(problem["errors"]) == ["held_at"]
        assert words in problem["errors"]["held_at"][0]
    # Before the interview was opened (the hazard escalated moments ago).
    problem = _problem(_hold(supervisor, url, version, held_at="2024-06-10T09:30:00+08:00"), 422)
    assert list(problem["errors"]) == ["held_at"] and "立项" in problem["errors"]["held_at"][0]
    problem = _problem(_hold(supervisor, url, version, held_at="2025-06-10T09:30:00"), 422)
    assert "held_at" in problem["errors"]  # no offset: ambiguous
    # The follow-up is due after the interview took place.
    took_place = datetime.fromisoformat(body["created_at"]) + timedelta(seconds=1)
    problem = _problem(supervisor.post(url + "/transitions", json=dict(
        HOLD, held_at=took_place.isoformat(), version=version,
        follow_up_deadline=(took_place - timedelta(seconds=1)).isoformat())), 422)
    assert list(problem["errors"]) == ["follow_up_deadline"]
    after = supervisor.get(url).get_json()
    assert after["state"] == "scheduled" and after["held_at"] is None


def test_only_holding_takes_the_time(case, client_for):
    supervisor = client_for(case.supervisor)
    interview = supervisor.get("/api/v1/interviews").get_json()["items"][0]
    problem = _problem(supervisor.post(
        f"/api/v1/interviews/{interview['id']}/transitions",
        json=dict(SCHEDULE, held_at=_now().isoformat(), version=interview["version"])), 422)
    assert list(problem["errors"]) == ["held_at"]
