"""The supervisors' dashboard (监管看板): figures for a scope and a period, aggregated in SQL.

Definitions (every figure is limited to the user's scope and the optional community):

* **period** — ``date_from``..``date_to``, whole days in Asia/Shanghai (both included). The
  *period's hazards* are those found (``found_at``) in it.
* **by_state / by_level / by_category / by_community / by_risk** — the period's hazards counted
  by their state, level, category, community, and the risk colour (风险等级) of their enterprise.
* **rectification_rate (整改率)** — of the period's hazards, the share whose rectification was
  accepted (state verified, closed or archived) ÷ all of them. ``None`` without hazards.
* **on_time_rate (按期整改率)** — of those rectified, the share accepted (``verified_at``) no
  later than their deadline; the complement is exactly what the 零容忍 rule R2 escalates.
* **median_days_to_close** — median of the days to close (整改天数: calendar days, Asia/Shanghai,
  from the day found to the day closed) over the period's hazards that are closed (销号) or
  archived; the continuous median (mean of the middle two for an even count). Whole days, so
  that it comes from counts (a histogram per day and community) like every other figure.
* **overdue_now (逾期)** — hazards of any period whose deadline has passed without an accepted
  rectification (reported, rectifying, submitted), as the hazard list's ``overdue`` filter.
* **open_now** — hazards of any period not yet closed (销号) or archived; **top_enterprises**
  are the enterprises with the most of them.
* **escalations** — 零容忍 firings (``fired_at``) in the period, by rule; **interviews** — 约谈
  opened (``created_at``) in the period by current state, and those held in the period.
* **coverage (检查覆盖率)** — enterprises registered, inspected in the period, never inspected,
  and the rate, by community and by risk colour (``app.reports.coverage``).
* **tasks (检查任务)** — tasks of inspection plans in scope (not withdrawn): open and overdue
  now, done in the period.
* **extensions** — 延期申请 made in the period, decided in it (approved, rejected), and
  pending now; **listings** — hazards under 挂牌督办 now, listed and delisted (摘牌) in the
  period; **evidence** — verifications in the period made while evidence flags stood, and
  hazards awaiting their re-check with a standing flag now (``app.hazards.oversight``).
* **weekly_trend** — per ISO week (Monday–Sunday, Asia/Shanghai) of the period: hazards found
  that week and hazards closed (销号) that week.
* **prevention** — checklists and self-inspections (双重预防): the most failed items, each
  enterprise's last score, self-inspections per enterprise per month, 自查不实 cases
  (``app/reports/prevention.py``).

Where the figures come from: for administrators, supervisors and inspectors (scopes made of
communities) every figure of hazards and escalations is read from the rollups that every change
keeps current (:mod:`app.hazards.rollups`; escalations and interviews
:mod:`app.escalation.counting`): a few hundred rows whatever the number of hazards
(issue 18; bench/RESULTS.md). An officer's dashboard (one enterprise) counts that enterprise's
hazards directly, with one aggregate query per dimension (``GROUP BY``) on the covering index
``ix_hazards_dashboard``; so does ``dashboard(..., from_rollups=False)``, which the tests compare
with the rollups.

The statements of the one-row counts, the period's rollup sums and the top enterprises are built
once per kind of scope (role, whether the user has communities or an enterprise, whether a
community is asked, all communities or some) and run with the period, ``now`` and the user's
communities, enterprise and id as bound parameters (``app.core.db.cached_statement``): building
them cost more than running them (bench/RESULTS.md).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Date, and_, bindparam, case, func, select

from app.core.choices import ChoiceSet
from app.core.db import OneRow, cached_statement, together
from app.core.fields import YEAR_RANGE_MESSAGE, year_in_range
from app.core.permissions import scope_clause
from app.core.roles import ADMIN, COMMUNITY_ROLES
from app.core.timeutil import SHANGHAI, utcnow
from app.errors import Invalid
from app.escalation.choices import INTERVIEW_STATES, RULES
from app.escalation.models import Escalation, Interview
from app.extensions import db
from app.hazards import rollups
from app.hazards.choices import HAZARD_LEVELS, HAZARD_STATES, configured_categories
from app.hazards.deadline_extensions import extension_counts
from app.hazards.listing import listing_counts
from app.hazards.models import Hazard
from app.hazards.oversight import evidence_counts
from app.plans.choices import DONE, OPEN, WITHDRAWN
from app.plans.models import PlanTask
from app.plans.scope import task_scope_clause
from app.outreach.figures import tip_figures
from app.outreach.tips import triage_due
from app.registry.choices import RISK_LEVELS
from app.registry.models import Community, Enterprise
from app.registry.scope import visible_community
from app.reports.coverage import coverage, scope_communities
from app.reports.prevention import prevention_figures, self_check_missed

DEFAULT_PERIOD_DAYS = 365
MAX_PERIOD_DAYS = 366 * 5
TOP_ENTERPRISES = 10


# --------------------------------------------------------------------------- scope and period
def period_bounds(date_from: date | None, date_to: date | None, *, now: datetime | None = None,
                  default_days: int = DEFAULT_PERIOD_DAYS) -> tuple[date, date, datetime, datetime]:
    """``(first day, last day, start, end)``: whole Asia/Shanghai days and the UTC instants
    ``start ≤ t < end`` they cover. Defaults: the ``default_days`` days up to today."""
    today = (now or utcnow()).astimezone(SHANGHAI).date()
    for value, name in ((date_from, "from"), (date_to, "to")):
        if value is not None and not year_in_range(value):  # schemas check it; callers may not
            raise Invalid(YEAR_RANGE_MESSAGE, field=name)
    last = date_to or today
    first = date_from or (last - timedelta(days=default_days - 1))
    if first > last:
        raise Invalid("`to` is before `from`.", field="to")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid(f"The period may span at most {MAX_PERIOD_DAYS} days.", field="from")
    start = datetime.combine(first, time(0), tzinfo=SHANGHAI).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(
        timezone.utc)
    return first, last, start, end


def _scope(user, model, community: Community | None):
    clause = scope_clause(user, model)
    if community is not None:
        clause = and_(clause, model.community_id == community.id)
    return clause


# --------------------------------------------------------------------------- SQL pieces
def _dialect() -> str:
    return db.session.get_bind().dialect.name


def week_start(column):
    """The Monday (Asia/Shanghai) of the ISO week of a UTC timestamp column, as a date string
    ``YYYY-MM-DD`` (SQLite) or date (PostgreSQL). China has kept UTC+8 without summer time
    since 1991, so SQLite shifts by a fixed eight hours."""
    if _dialect() == "postgresql":
        return func.date(func.date_trunc("week", func.timezone("Asia/Shanghai", column)))
    return func.date(column, "+8 hours", "weekday 0", "-6 days")


def days_to_close():
    """Days to close (整改天数): calendar days (Asia/Shanghai) from the day a hazard was found
    to the day it was closed (销号), as the rollups count them (``ttc``)."""
    found, closed = rollups.local_day(Hazard.found_at), rollups.local_day(Hazard.closed_at)
    if _dialect() == "postgresql":
        return closed - found
    return func.julianday(closed) - func.julianday(found)


def sql_median(value, where) -> float | None:
    """The continuous median of ``value`` over the rows matching ``where`` (hazards), computed
    by the database: ``percentile_cont`` on PostgreSQL; on SQLite the middle row(s) of the
    ordered values (``ORDER BY … LIMIT … OFFSET``), never loading them all."""
    if _dialect() == "postgresql":
        result = db.session.scalar(select(
            func.percentile_cont(0.5).within_group(value)).select_from(Hazard).where(where))
        return None if result is None else float(result)
    count = db.session.scalar(select(func.count()).select_from(Hazard).where(where))
    if not count:
        return None
    middle = (select(value.label("v")).select_from(Hazard).where(where).order_by(value)
              .limit(1 if count % 2 else 2).offset((count - 1) // 2).subquery())
    return float(db.session.scalar(select(func.avg(middle.c.v))))


# --------------------------------------------------------------------------- the figures
def _labelled(counts: dict, choices: ChoiceSet, *, keep_empty: bool = True) -> list[dict]:
    """``[{key, zh, en, color?, count}]`` in the display order; keys outside the set appended
    (labelled as well as the set knows them)."""
    out = []
    for key in choices:
        if keep_empty or counts.get(key):
            out.append({"key": key, **choices.labels(key), "count": int(counts.get(key, 0))})
    for key in sorted(k for k in counts if k not in choices):
        out.append({"key": key, **choices.labels(key), "count": int(counts[key])})
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rollup_communities(user, community: Community | None):
    """The communities whose rollups (:mod:`app.hazards.rollups`) make up ``user``'s dashboard:
    a list, ``None`` for every community (an administrator), or ``False`` when the scope is
    not a set of communities (an officer's enterprise: its few hazards are counted directly)."""
    if community is not None and user.role in (ADMIN, *COMMUNITY_ROLES):
        return [community.id]
    if user.role == ADMIN:
        return None
    if user.role in COMMUNITY_ROLES:
        return list(user.community_ids)
    return False


class _Given:
    """A user's value in a cached statement (their community ids, their enterprise): the
    parameter ``name``. Truthy, as the value it stands for: users without it have statements
    of their own (:func:`_scope_key`)."""

    __slots__ = ("_param",)

    def __init__(self, name: str, *, expanding: bool = False):
        self._param = bindparam(name, expanding=expanding)

    def __clause_element__(self):
        return self._param

    def __bool__(self):
        return True


class _StandIn:
    """A user or community as a cached statement sees them (``app.core.db.cached_statement``):
    the role, and parameters for what differs between the users of a role (their communities,
    enterprise and id) or between communities (the id). Nothing else, so that a scope reading
    anything more fails here instead of building one user's value into another's statement."""

    __slots__ = ("role", "community_ids", "enterprise_id", "id")

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


def _scope_key(user, community) -> tuple:
    """What the structure of a statement scoped to ``user`` and ``community`` depends on; the
    rest are the parameters of :func:`_scope_params`."""
    return (user.role, bool(user.community_ids), bool(user.enterprise_id), community is not None)


def _stand_ins(user, community):
    """``user`` and ``community`` as :func:`_scope_key`'s statement is built for."""
    return (_StandIn(role=user.role,
                     community_ids=(_Given("scope_communities", expanding=True)
                                    if user.community_ids else []),
                     enterprise_id=_Given("scope_enterprise") if user.enterprise_id else None,
                     id=bindparam("scope_user")),
            None if community is None else _StandIn(id=bindparam("community_id")))


def _scope_params(user, community) -> dict:
    return {"scope_communities": list(user.community_ids), "scope_enterprise": user.enterprise_id,
            "scope_user": user.id, "community_id": None if community is None else community.id}


def counts_of(user, community, start: datetime, end: datetime, now: datetime,
              in_communities) -> list:
    """The one-row figures (extensions, listings, evidence, tips, tasks, 自查不实 and, unless
    ``in_communities`` is False, the open totals from the rollups) read as one statement, built
    once per kind of scope (:func:`_scope_key`): the period, ``now``, the user's communities,
    enterprise and id and the community are its parameters."""
    key = ("dashboard.counts", *_scope_key(user, community),
           None if in_communities is False else in_communities is None)

    def build():
        stand_in, place = _stand_ins(user, community)
        start_, end_, now_ = bindparam("start"), bindparam("end"), bindparam("now")
        today = bindparam("today", type_=Date)
        scope = _scope(stand_in, Hazard, place)
        counts = [extension_counts(scope, start_, end_), listing_counts(scope, start_, end_),
                  evidence_counts(scope, start_, end_),
                  tip_figures(stand_in, place, start_, end_, due=bindparam("triage_due")),
                  task_figures(stand_in, place, start_, end_, today),
                  self_check_missed(stand_in, place, start_, end_)]
        if in_communities is not False:
            communities = None if in_communities is None else rollups.COMMUNITIES
            counts.append(OneRow(rollups.open_totals(
                communities, now_, bounds=(today, bindparam("midnight"))), tuple))
        return together(*counts)

    figures = cached_statement(key, build)
    today, midnight = rollups.day_bounds(now)
    params = {**_scope_params(user, community), "start": start, "end": end, "now": now,
              "today": today, "midnight": midnight, "triage_due": triage_due(now)}
    if isinstance(in_communities, list):
        params["communities"] = in_communities
    return figures.value(params)


def dashboard(user, *, community_id: str | None = None, date_from: date | None = None,
              date_to: date | None = None, now: datetime | None = None,
              from_rollups: bool | None = None) -> dict:
    """Every figure of the dashboard for ``user``'s scope (see the module docstring).

    Figures of hazards and escalations come from the rollups for administrators, supervisors
    and inspectors (whatever the table's size, a few hundred rows are read), and from the rows
    themselves for an officer's one enterprise, or when ``from_rollups`` is False (the tests
    compare the two)."""
    now = now or utcnow()
    community = visible_community(user, community_id)
    first, last, start, end = period_bounds(date_from, date_to, now=now)
    scope = _scope(user, Hazard, community)
    in_communities = rollup_communities(user, community)
    if from_rollups is None:
        from_rollups = in_communities is not False
    elif from_rollups and in_communities is False:
        raise ValueError("an officer's dashboard is not made of rollups")

    extensions, listings, evidence, tips, tasks, missed, *open_totals = counts_of(
        user, community, start, end, now, in_communities if from_rollups else False)

    if from_rollups:
        period = rolled_up_period(in_communities, first, last)
        open_now = rolled_up_open(in_communities, now, totals=open_totals[0])
        escalations, interviews = dict(period["esc"]), dict(period["ivo"])
        interviews_held = period["ivh"]
    else:
        period = period_figures(scope, start, end)
        open_now = open_hazards(scope, now)
        escalations = dict(db.session.execute(
            select(Escalation.rule, func.count()).where(
                _scope(user, Escalation, community), Escalation.fired_at >= start,
                Escalation.fired_at < end).group_by(Escalation.rule)).all())
        interview_scope = _scope(user, Interview, community)
        interviews = dict(db.session.execute(
            select(Interview.state, func.count()).where(
                interview_scope, Interview.created_at >= start, Interview.created_at < end)
            .group_by(Interview.state)).all())
        interviews_held = db.session.scalar(select(func.count()).select_from(Interview).where(
            interview_scope, Interview.held_at >= start, Interview.held_at < end))
    by_state, by_level = period["state"], period["level"]
    by_category, by_community_id, by_risk = (period["category"], period["community"],
                                             period["risk"])
    total, n_rectified, n_on_time = period["total"], period["rectified"], period["on_time"]
    median = period["median"]

    # Communities in scope, named, with their count (zero included).
    communities = scope_communities(user, community)
    by_community = [{"id": c.id, "name": c.name, "count": by_community_id.get(c.id, 0)}
                    for c in communities]
    # Coverage counts the enterprises in scope by risk colour (the same scope) already.
    covered = coverage(user, community, start, end, communities=communities)
    enterprises_by_risk = {r["key"]: r["registered"] for r in covered["by_risk"]}

    return {
        "scope": {"community_id": community.id if community else None,
                  "community_name": community.name if community else None,
                  "date_from": first, "date_to": last, "now": now},
        "total": total,
        "by_state": _labelled(by_state, HAZARD_STATES),
        "by_level": _labelled(by_level, HAZARD_LEVELS),
        "by_category": _labelled(by_category, configured_categories()),
        "by_community": by_community,
        "by_risk": _labelled(by_risk, RISK_LEVELS),
        "enterprises_by_risk": _labelled(enterprises_by_risk, RISK_LEVELS),
        "rectified": n_rectified,
        "rectification_rate": _rate(n_rectified, total),
        "on_time": n_on_time,
        "on_time_rate": _rate(n_on_time, n_rectified),
        "median_days_to_close": None if median is None else round(median, 2),
        "open_now": open_now["open"],
        "overdue_now": open_now["overdue"],
        "major_open_now": open_now["major"],
        "escalations": {"total": sum(escalations.values()),
                        "by_rule": _labelled(escalations, RULES)},
        "interviews": {"opened": sum(interviews.values()), "held": int(interviews_held or 0),
                       "by_state": _labelled(interviews, INTERVIEW_STATES)},
        "weekly_trend": weekly_trend(period, first, last),
        "top_enterprises": open_now["top"],
        "extensions": extensions,
        "listings": listings,
        "evidence": evidence,
        "tips": tips,
        "coverage": covered,
        "tasks": tasks,
        "prevention": prevention_figures(user, community, start, end, missed=missed),
    }


def median_of_counts(histogram: dict) -> float | None:
    """The continuous median of values given as ``{value: how many}``."""
    count = sum(histogram.values())
    if not count:
        return None
    wanted = sorted({(count - 1) // 2, count // 2})
    found, seen = [], 0
    for value in sorted(histogram):
        n = histogram[value]
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found) if len(found) == 2 else float(found[0])


def rolled_up_period(community_ids, first: date, last: date) -> dict:
    """:func:`period_figures` (and the median, the escalations by rule, the interviews opened by
    state and held) from the rollups:
    the same figures, read from a few hundred rows whatever the number of hazards."""
    sums = rollups.period_counts(community_ids, first, last)
    out: dict = {name: defaultdict(int) for name in DIMENSIONS}
    out["total"] = out["rectified"] = out["on_time"] = 0
    for (state, level), (n, on_time) in sums["sl"].items():
        out["state"][state] += n
        out["level"][level] += n
        out["total"] += n
        if state in Hazard.RECTIFIED_STATES:
            out["rectified"] += n
            out["on_time"] += on_time
    out["category"].update(sums["cat"])
    out["risk"].update(sums["risk"])
    out["community"].update(sums["community"])
    out["week_found"].update(sums["found"])
    out["week_closed"].update(sums["closed"])
    out["median"] = median_of_counts(sums["ttc"])
    out["esc"] = {rule: n for rule, n in sums["esc"].items() if n}
    out["ivo"] = {state: n for state, n in sums["ivo"].items() if n}
    out["ivh"] = sum(sums["ivh"].values())
    return out


def rolled_up_open(community_ids, now: datetime, limit: int = TOP_ENTERPRISES, *,
                   totals: tuple | None = None) -> dict:
    """:func:`open_hazards` from the rollups: open and major from the counts, overdue from the
    deadlines counted by day (and the hazards due earlier today, counted directly), the
    enterprises with most open hazards from their counts. ``totals``: the row of
    :func:`app.hazards.rollups.open_totals`, when read already."""
    if totals is None:
        totals = tuple(db.session.execute(rollups.open_totals(community_ids, now)).one())
    n_open, n_major, overdue = (int(v or 0) for v in totals)
    rows = rollups.top_open(community_ids, limit, now)
    return {
        "open": int(n_open), "major": int(n_major), "overdue": overdue,
        "top": [{"id": r.id, "name": r.name, "risk_level": r.risk_level,
                 "community_id": r.community_id, "open_hazards": int(r.open),
                 "major": int(r.major or 0), "overdue": int(r.overdue or 0)} for r in rows],
    }


def task_figures(user, community: Community | None, start: datetime, end: datetime,
                 today: date) -> OneRow:
    """检查任务 in scope: ``open`` and ``overdue`` on ``today`` (Asia/Shanghai), ``done`` in the
    period (one row, read with the other counts)."""
    clause = and_(task_scope_clause(user), PlanTask.state != WITHDRAWN)
    if community is not None:
        clause = and_(clause, PlanTask.community_id == community.id)
    late = PlanTask.overdue_on(today)
    return OneRow(select(
        func.sum(case((and_(PlanTask.state == OPEN, ~late), 1), else_=0)),
        func.sum(case((late, 1), else_=0)),
        func.sum(case((and_(PlanTask.state == DONE, PlanTask.done_at >= start,
                            PlanTask.done_at < end), 1), else_=0))).where(clause),
        lambda row: {"open": int(row[0] or 0), "overdue": int(row[1] or 0),
                     "done": int(row[2] or 0)})


DIMENSIONS = ("state", "level", "category", "community", "risk", "week_found", "week_closed")


def period_figures(scope, start: datetime, end: datetime) -> dict:
    """Counts of the period's hazards by state, level, category, community, enterprise risk
    colour and ISO week found, the hazards closed (销号) per week of the period, and the totals
    behind the rates: ``{dimension: {key: n}, "total", "rectified", "on_time"}``.

    Five grouped queries. Each one is a scan of the period's hazards (on SQLite of the covering
    index ``ix_hazards_dashboard``, on PostgreSQL a parallel scan), so dimensions with few values
    share one: state × level (twelve groups, with the on-time count alongside) and category ×
    community. bench/RESULTS.md has what each costs at scale."""
    found = and_(scope, Hazard.found_at >= start, Hazard.found_at < end)
    on_time = func.sum(case((and_(Hazard.is_rectified, Hazard.verified_at <= Hazard.deadline),
                             1), else_=0))
    out: dict = {name: defaultdict(int) for name in DIMENSIONS}
    out["total"] = out["rectified"] = out["on_time"] = 0
    for state, level, n, n_on_time in db.session.execute(
            select(Hazard.state, Hazard.level, func.count(), on_time).where(found)
            .group_by(Hazard.state, Hazard.level)):
        out["state"][state] += n
        out["level"][level] += n
        out["total"] += n
        if state in Hazard.RECTIFIED_STATES:
            out["rectified"] += n
            out["on_time"] += int(n_on_time or 0)
    for category, community_id, n in db.session.execute(
            select(Hazard.category, Hazard.community_id, func.count()).where(found)
            .group_by(Hazard.category, Hazard.community_id)):
        out["category"][category] += n
        out["community"][community_id] += n
    # by the enterprise's risk colour: per enterprise first (a few thousand groups), then joined
    # to the registry
    per_enterprise = (select(Hazard.enterprise_id, func.count().label("n")).where(found)
                      .group_by(Hazard.enterprise_id).subquery())
    out["risk"].update({k: int(n) for k, n in db.session.execute(
        select(Enterprise.risk_level, func.sum(per_enterprise.c.n))
        .join(per_enterprise, per_enterprise.c.enterprise_id == Enterprise.id)
        .group_by(Enterprise.risk_level))})
    week = week_start(Hazard.found_at)
    out["week_found"].update({str(k): int(n) for k, n in db.session.execute(
        select(week, func.count()).where(found).group_by(week))})
    week = week_start(Hazard.closed_at)
    out["week_closed"].update({str(k): int(n) for k, n in db.session.execute(
        select(week, func.count()).where(scope, Hazard.closed_at >= start,
                                         Hazard.closed_at < end).group_by(week))})
    out["median"] = sql_median(days_to_close(), and_(found, Hazard.closed_at.is_not(None)))
    return out


def weekly_trend(period: dict, first: date, last: date) -> list[dict]:
    """Found and closed (销号) hazards per ISO week of the period, every week listed."""
    found, closed = period["week_found"], period["week_closed"]
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        key = monday.isoformat()
        year, number, _ = monday.isocalendar()
        out.append({"week": f"{year}-W{number:02d}", "start": monday,
                    "found": found.get(key, 0), "closed": closed.get(key, 0)})
        monday += timedelta(days=7)
    return out


def open_hazards(scope, now: datetime, limit: int = TOP_ENTERPRISES) -> dict:
    """Hazards not yet 销号 (of any period): how many, how many overdue and major, and the
    ``limit`` enterprises with the most of them. One grouped query: the totals over all
    enterprises come alongside the top rows as window sums."""
    n_open = func.count().label("open_hazards")
    major = func.sum(case((Hazard.level == "major", 1), else_=0))
    overdue = func.sum(case((Hazard.overdue_at(now), 1), else_=0))
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.risk_level, Enterprise.community_id,
               n_open, major.label("major"), overdue.label("overdue"),
               func.sum(func.count()).over().label("all_open"),
               func.sum(major).over().label("all_major"),
               func.sum(overdue).over().label("all_overdue"))
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(scope, Hazard.is_open)
        .group_by(Enterprise.id, Enterprise.name, Enterprise.risk_level, Enterprise.community_id)
        .order_by(n_open.desc(), Enterprise.name, Enterprise.id).limit(limit)).all()
    first = rows[0] if rows else None
    return {
        "open": int(first.all_open) if first else 0,
        "major": int(first.all_major or 0) if first else 0,
        "overdue": int(first.all_overdue or 0) if first else 0,
        "top": [{"id": r.id, "name": r.name, "risk_level": r.risk_level,
                 "community_id": r.community_id, "open_hazards": int(r.open_hazards),
                 "major": int(r.major or 0), "overdue": int(r.overdue or 0)} for r in rows],
    }
