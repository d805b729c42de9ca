"""The 零容忍 (zero tolerance) rules: a hazard is fixed, or it escalates.

- R1 a major hazard (重大隐患) is reported;
- R2 a hazard passes its deadline without an accepted rectification (still 已登记, 整改中 or
  待复查: a submitted rectification that nobody accepted yet is not a rectification);
- R3 a rectification is rejected ``ESCALATION_REJECTIONS`` times (default 2);
- R4 the same enterprise repeats a category within ``ESCALATION_REPEAT_DAYS`` (default 90) of a
  hazard of that category being closed (销号).

Event rules (R1, R3, R4) and the inbox messages about hazards run inside the request that causes
them, through the hazard domain's signals (R4 again when an edit changes the category); they are
connected in :func:`app.escalation.wiring.init_app`. Time rules (R2, deadline reminders, interview
follow-up tracking) run from :func:`app.escalation.jobs.run_time_rules`, called by
``flask escalate`` and the periodic job. R1 and R3 are also swept there, so a hazard whose level
or count changed by a path that sends no signal is still caught. Firing twice is impossible
either way: see :func:`app.escalation.operations.fire`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.core.timeutil import local
from app.escalation.choices import HELD, R1_MAJOR, R2_OVERDUE, R3_REJECTED, R4_REPEAT
from app.escalation.models import Interview
from app.escalation.operations import fire, not_fired
from app.extensions import db
from app.hazards.choices import HAZARD_STATES, MAJOR, RECTIFYING, REPORTED, configured_categories
from app.hazards.models import Hazard
from app.notifications import choices as kinds
from app.notifications.operations import notify, officers_of, recheckers_of, supervisors_of


#: Hazards the enterprise still has to act on (fix, then submit). A submitted rectification waits
#: for the re-check: it can still pass its deadline (R2), but the officer has nothing to do, so no
#: "deadline approaching" reminder.
AWAITING_ENTERPRISE_STATES = (REPORTED, RECTIFYING)


def _fmt(value: datetime) -> str:
    return local(value).strftime("%Y-%m-%d %H:%M")


def _category_zh(hazard: Hazard) -> str:
    """The category as the Chinese reasons and messages name it (never its code)."""
    return configured_categories().label(hazard.category, "zh")


# --------------------------------------------------------------------------- event rules
def check_major(hazard: Hazard, *, now=None):
    """R1: a major hazard is reported."""
    if hazard.level == MAJOR and hazard.is_open:
        return fire(hazard, R1_MAJOR, f"重大隐患（{_category_zh(hazard)}），整改期限 "
                                      f"{_fmt(hazard.deadline)}", now=now)
    return None


def check_rejections(hazard: Hazard, *, note: str | None = None, now=None):
    """R3: the rectification was rejected ``ESCALATION_REJECTIONS`` times."""
    threshold = current_app.config["ESCALATION_REJECTIONS"]
    if (hazard.rejection_count or 0) >= threshold and hazard.is_open:
        detail = f"整改复查第 {hazard.rejection_count} 次不通过"
        if note:
            detail += f"：{note}"
        return fire(hazard, R3_REJECTED, detail, now=now)
    return None


def previous_closed_of_category(hazard: Hazard) -> Hazard | None:
    """The latest hazard of the same enterprise and category closed within the repeat window
    before this one was found."""
    window = timedelta(days=current_app.config["ESCALATION_REPEAT_DAYS"])
    return db.session.scalar(
        select(Hazard).where(Hazard.enterprise_id == hazard.enterprise_id,
                             Hazard.category == hazard.category, Hazard.id != hazard.id,
                             Hazard.closed_at.is_not(None),
                             Hazard.closed_at <= hazard.found_at,
                             Hazard.closed_at >= hazard.found_at - window)
        .order_by(Hazard.closed_at.desc()).limit(1))


def check_repeat(hazard: Hazard, *, now=None):
    """R4: the same category again within the window after a closed hazard."""
    previous = previous_closed_of_category(hazard)
    if previous is None:
        return None
    days = (hazard.found_at - previous.closed_at).days
    return fire(hazard, R4_REPEAT,
                f"同类隐患（{_category_zh(hazard)}）在「{previous.title}」"
                f"{local(previous.closed_at):%Y-%m-%d} 销号后 {days} 天内再次发现",
                now=now)


def on_hazard_created(sender=None, *, hazard: Hazard, actor=None, **_):
    """A new hazard: the enterprise's officers hear of it; R1 and R4 are checked."""
    notify(officers_of(hazard.enterprise_id), kind=kinds.HAZARD_CREATED,
           title=f"新隐患：{hazard.title}",
           body=f"整改期限 {_fmt(hazard.deadline)}。{hazard.description or ''}".strip(),
           subject_type="hazard", subject_id=hazard.id, exclude=actor)
    check_major(hazard)
    check_repeat(hazard)


def on_hazard_updated(sender=None, *, hazard: Hazard, changed=(), **_):
    """An edit: a new category may now repeat a recently closed one, so R4 is checked again
    (it still fires at most once per hazard, see :func:`app.escalation.operations.fire`)."""
    if "category" in changed:
        check_repeat(hazard)


def on_hazard_transitioned(sender=None, *, hazard: Hazard, actor=None, event=None,
                           transition=None, **_):
    """A submitted rectification: whoever re-checks it hears of it (待复查). A rejected one: the
    officers hear of it; R3 is checked."""
    action = getattr(transition, "action", None) or getattr(event, "action", None)
    if action == "submit":
        notify(recheckers_of(hazard), kind=kinds.RECTIFICATION_SUBMITTED,
               title=f"待复查：{hazard.title}",
               body=f"{hazard.enterprise.name}已提交整改，请复查。"
                    f"整改期限 {_fmt(hazard.deadline)}。",
               subject_type="hazard", subject_id=hazard.id, exclude=actor)
    if action == "reject":
        note = getattr(event, "note", None)
        notify(officers_of(hazard.enterprise_id), kind=kinds.HAZARD_REJECTED,
               title=f"整改复查不通过：{hazard.title}",
               body=f"第 {hazard.rejection_count} 次不通过。{note or ''}".strip(),
               subject_type="hazard", subject_id=hazard.id, exclude=actor)
        check_rejections(hazard, note=note)


# --------------------------------------------------------------------------- time rules
def time_rule_candidates(now: datetime) -> list[str]:
    """Ids of the hazards some time-swept rule (R2, or R1/R3 caught late) may fire for now."""
    cfg = current_app.config
    return list(db.session.scalars(
        select(Hazard.id).where(Hazard.is_open, or_(
            Hazard.overdue_at(now) & not_fired(R2_OVERDUE),
            (Hazard.level == MAJOR) & not_fired(R1_MAJOR),
            (Hazard.rejection_count >= cfg["ESCALATION_REJECTIONS"]) & not_fired(R3_REJECTED),
        )).order_by(Hazard.id)))


def apply_time_rules(hazard_id: str, now: datetime) -> list:
    """Fire what is due for one hazard; flushes. Returns the new escalations.

    The hazard row is locked first (``FOR UPDATE`` on PostgreSQL), the same order a request
    transitioning the hazard takes its locks in: hazard row, then escalation, then the
    enterprise's interview slot. With one hazard per transaction (see
    :func:`app.escalation.jobs.run_time_rules`) the job never holds an interview slot while
    waiting for a hazard a request holds, so the two cannot deadlock.
    """
    hazard = db.session.get(Hazard, hazard_id, with_for_update=True, populate_existing=True)
    if hazard is None:
        return []
    fired = []
    if hazard.overdue_at(now):
        state_zh = HAZARD_STATES.label(hazard.state, "zh")
        fired.append(fire(hazard, R2_OVERDUE, f"整改期限 {_fmt(hazard.deadline)} 已过，仍未通过复查"
                                              f"（当前状态：{state_zh}）", now=now))
    fired.append(check_major(hazard, now=now))
    fired.append(check_rejections(hazard, now=now))
    return [e for e in fired if e is not None]


def send_reminders(now: datetime) -> dict:
    """Deadline reminders and interview follow-up tracking as of ``now``; flushes.

    Returns ``{"reminders": n, "follow_up_reminders": n, "follow_up_overdue": n}``.
    """
    cfg = current_app.config
    # 整改期限临近: once per hazard, user and deadline (an extended deadline reminds again).
    horizon = now + timedelta(days=cfg["REMINDER_DAYS_BEFORE_DEADLINE"])
    reminders = 0
    for hazard in db.session.scalars(select(Hazard).where(
            Hazard.state.in_(AWAITING_ENTERPRISE_STATES), Hazard.deadline > now,
            Hazard.deadline <= horizon).order_by(Hazard.id)):
        reminders += notify(
            officers_of(hazard.enterprise_id), kind=kinds.DEADLINE_REMINDER,
            title=f"整改期限临近：{hazard.title}",
            body=f"请于 {_fmt(hazard.deadline)} 前完成整改并提交整改照片。",
            subject_type="hazard", subject_id=hazard.id, now=now,
            dedupe=f"reminder:{hazard.id}:{local(hazard.deadline):%Y-%m-%d}")

    # 约谈 follow-up deadline, tracked like a hazard deadline.
    follow_up_reminders = follow_up_overdue = 0
    for interview in db.session.scalars(select(Interview).where(
            Interview.state == HELD, Interview.follow_up_deadline.is_not(None),
            Interview.follow_up_deadline <= horizon).order_by(Interview.id)):
        day = f"{local(interview.follow_up_deadline):%Y-%m-%d}"
        if interview.follow_up_deadline > now:
            follow_up_reminders += notify(
                officers_of(interview.enterprise_id), kind=kinds.FOLLOW_UP_REMINDER,
                title="约谈整改回执期限临近",
                body=f"请于 {_fmt(interview.follow_up_deadline)} 前书面回复约谈整改落实情况。",
                subject_type="interview", subject_id=interview.id, now=now,
                dedupe=f"followup-due:{interview.id}:{day}")
        else:
            follow_up_overdue += notify(
                supervisors_of(interview.community_id), kind=kinds.FOLLOW_UP_OVERDUE,
                title=f"约谈整改回执逾期：{interview.enterprise.name}",
                body=f"回执期限 {_fmt(interview.follow_up_deadline)} 已过，尚未收到整改完成回执。",
                subject_type="interview", subject_id=interview.id, now=now,
                dedupe=f"followup-overdue:{interview.id}:{day}")
    return {"reminders": reminders, "follow_up_reminders": follow_up_reminders,
            "follow_up_overdue": follow_up_overdue}
