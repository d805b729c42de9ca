"""Rollups of the hazards (隐患汇总): counts kept current in the transaction that changes a
hazard, so that the dashboard, the totals of the hazard list and the home screen's 待办 read a
few hundred small rows instead of every hazard (issue 18; bench/RESULTS.md says why this and not
materialised views).

Three tables, every count by community (社区, the scope of supervisors and inspectors):

* :class:`HazardCount` — hazards by ``(community, state, level, category)``, all time: the
  list's ``total`` for the filters it covers, open now, major open now, 待办.
* :class:`HazardOpenCount` — open (未销号) hazards by enterprise, and how many are major: the
  dashboard's enterprises with most open hazards.
* :class:`HazardDayCount` — counts by day (Asia/Shanghai) and ``dimension``:

  ==============  ==================  ========================================================
  dimension       day                 key (``on_time`` alongside)
  ==============  ==================  ========================================================
  ``found``       found               ``""``: hazards found that day (weekly trend)
  ``closed``      closed (销号)       ``""``: hazards closed that day (weekly trend)
  ``sl``          found               ``state|level``; ``on_time``: of them, rectified by the
                                      deadline (``verified_at <= deadline``)
  ``cat``         found               category
  ``risk``        found               the enterprise's risk colour (风险等级), as it is now
  ``ttc``         found               days to close: calendar days (Asia/Shanghai) from the day
                                      found to the day closed, so a median comes from counts
  ``due``         deadline            the state: not yet rectified (overdue once the day
                                      has passed)
  ==============  ==================  ========================================================

  and the escalations and interviews (``esc``, ``ivo``, ``ivh``: :mod:`app.escalation.counting`).
  Those summed over a period (``sl``, ``cat``, ``risk``, ``ttc``, ``esc``, ``ivo``, ``ivh``) are
  also kept by ten days (``grain`` ``t``, 旬: the 1st, 11th, 21st) and by month (``m``), so that
  a year is read as a dozen months and a few days at its ends (:func:`period_units`); everything
  is kept by day (``d``).

How they stay current: every flush that inserts, changes or deletes a hazard (or changes an
enterprise's risk colour) reads the facts of those hazards before and after it (one statement
each, :func:`facts`) and adds the difference (:meth:`Delta.add_facts`), inside the flush and so
in the same transaction and savepoint. Writes that bypass the ORM say so: an enterprise's move
(``tracking(enterprise_id=…)`` around its UPDATE), the bulk generator (:func:`rebuild`), the
escalations and interviews inserted with plain SQL (``counting.count_inserted``). ``flask
rollups rebuild`` recomputes everything from the hazards; ``flask rollups check`` compares.
"""
from __future__ import annotations

import calendar
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import (Date, DateTime, Integer, String, and_, bindparam, case, delete, event,
                        func, inspect, literal, select, true, union_all)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from app.core.db import cached_statement, new_id
from app.core.timeutil import SHANGHAI
from app.extensions import db
from app.hazards.choices import MAJOR
from app.hazards.models import Hazard
from app.registry.models import Enterprise

DAY, TEN_DAYS, MONTH = "d", "t", "m"
GRAINS = (DAY, TEN_DAYS, MONTH)
#: Dimensions kept by ten days and month as well as by day.
PERIOD_DIMENSIONS = ("sl", "cat", "risk", "ttc", "esc", "ivo", "ivh")
#: The columns of a hazard its rollups depend on (a change to any other is not looked at).
WATCHED = ("community_id", "enterprise_id", "state", "level", "category", "found_at",
           "deadline", "verified_at", "closed_at")


class HazardCount(db.Model):
    """Hazards by community, state, level and category (all time)."""

    __tablename__ = "hazard_counts"

    community_id = db.Column(String(36), primary_key=True)
    state = db.Column(String(16), primary_key=True)
    level = db.Column(String(10), primary_key=True)
    category = db.Column(String(50), primary_key=True)
    n = db.Column(Integer, nullable=False, default=0)


class HazardOpenCount(db.Model):
    """Open (未销号) hazards of an enterprise in a community, and how many of them are major."""

    __tablename__ = "hazard_open_counts"
    __table_args__ = (db.Index("ix_hazard_open_counts_community_n", "community_id", "n"),)

    enterprise_id = db.Column(String(36), primary_key=True)
    community_id = db.Column(String(36), primary_key=True)
    n = db.Column(Integer, nullable=False, default=0)
    major = db.Column(Integer, nullable=False, default=0)


class HazardDayCount(db.Model):
    """Counts by grain (d, t, m), dimension, day and community (see the module doc)."""

    __tablename__ = "hazard_day_counts"

    grain = db.Column(String(1), primary_key=True)
    dimension = db.Column(String(8), primary_key=True)
    day = db.Column(Date, primary_key=True)
    community_id = db.Column(String(36), primary_key=True)
    key = db.Column(String(64), primary_key=True)
    n = db.Column(Integer, nullable=False, default=0)
    on_time = db.Column(Integer, nullable=False, default=0)


TABLES = (HazardCount, HazardOpenCount, HazardDayCount)
_COUNTERS = {HazardCount: ("n",), HazardOpenCount: ("n", "major"),
             HazardDayCount: ("n", "on_time")}


# --------------------------------------------------------------------------- days
def local_day(column, dialect: str | None = None):
    """SQL: the Asia/Shanghai calendar day of a UTC timestamp column (China has kept UTC+8
    without summer time since 1991, so SQLite shifts by a fixed eight hours)."""
    if (dialect or db.session.get_bind().dialect.name) == "postgresql":
        return func.date(func.timezone("Asia/Shanghai", column))
    return func.date(column, "+8 hours")


def as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def day_of(moment: datetime) -> date:
    """The Asia/Shanghai day of an aware datetime."""
    return moment.astimezone(SHANGHAI).date()


def unit_start(day: date, grain: str) -> date:
    if grain == MONTH:
        return day.replace(day=1)
    if grain == TEN_DAYS:
        return day.replace(day=1 if day.day <= 10 else 11 if day.day <= 20 else 21)
    return day


def unit_end(start: date, grain: str) -> date:
    """The last day of the unit of ``grain`` beginning on ``start``."""
    month_end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if grain == MONTH:
        return month_end
    if grain == TEN_DAYS:
        return start + timedelta(days=9) if start.day < 21 else month_end
    return start


def period_units(first: date, last: date) -> dict[str, list[date]]:
    """The whole months, ten-day units and days that make up ``first``..``last``: the fewest
    rows to read for a period (a year: a dozen months and a few units at its ends)."""
    units: dict[str, list[date]] = {DAY: [], TEN_DAYS: [], MONTH: []}
    day = first
    while day <= last:
        for grain in (MONTH, TEN_DAYS, DAY):
            if unit_start(day, grain) == day and unit_end(day, grain) <= last:
                units[grain].append(day)
                day = unit_end(day, grain) + timedelta(days=1)
                break
    return units


# --------------------------------------------------------------------------- facts
def facts(where, *, by_enterprise: bool = True, session=None):
    """The facts of the hazards matching ``where`` that the rollups count, grouped: one row per
    distinct ``(enterprise?, community, risk, state, level, category, found day, closed day,
    due day, on time)`` with how many hazards share it."""
    session = session or db.session
    dialect = session.get_bind().dialect.name
    on_time = case((and_(Hazard.is_rectified, Hazard.verified_at <= Hazard.deadline), 1),
                   else_=0)
    due = case((Hazard.state.in_(Hazard.UNRECTIFIED_STATES), local_day(Hazard.deadline, dialect)),
               else_=None)
    columns = [Hazard.community_id, Enterprise.risk_level, Hazard.state, Hazard.level,
               Hazard.category, local_day(Hazard.found_at, dialect).label("found"),
               local_day(Hazard.closed_at, dialect).label("closed"), due.label("due"),
               on_time.label("on_time")]
    if by_enterprise:
        columns.insert(0, Hazard.enterprise_id)
    stmt = (select(*columns, func.count()).join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .group_by(*columns))
    if where is not None:
        stmt = stmt.where(where)
    return session.execute(stmt)


class Delta:
    """Differences to add to the three tables: ``{table: {key: [counter, …]}}``."""

    def __init__(self):
        self.rows: dict = {table: defaultdict(lambda: [0, 0]) for table in TABLES}
        self._dates: dict = {}

    def _date(self, value):
        if value is None:
            return None
        try:
            return self._dates[value]
        except KeyError:
            self._dates[value] = day = as_date(value)
            return day

    def add_day(self, dimension: str, day: date, community_id: str, key: str, n: int,
                on_time: int = 0) -> None:
        grains = GRAINS if dimension in PERIOD_DIMENSIONS else (DAY,)
        rows = self.rows[HazardDayCount]
        for grain in grains:
            row = rows[(grain, dimension, unit_start(day, grain), community_id, key)]
            row[0] += n
            row[1] += on_time

    def add_facts(self, result, sign: int) -> None:
        """Count (``sign`` +1) or uncount (−1) the rows of :func:`facts`."""
        counts, open_counts = self.rows[HazardCount], self.rows[HazardOpenCount]
        for row in result:
            if len(row) == 11:
                enterprise_id, *row = row
            else:
                enterprise_id = None
            community, risk, state, level, category, found, closed, due, on_time, n = row
            n *= sign
            counts[(community, state, level, category)][0] += n
            if enterprise_id is not None and state in Hazard.NOT_CLOSED_STATES:
                counter = open_counts[(enterprise_id, community)]
                counter[0] += n
                counter[1] += n if level == MAJOR else 0
            found = self._date(found)
            self.add_day("found", found, community, "", n)
            self.add_day("sl", found, community, f"{state}|{level}", n, n * int(on_time or 0))
            self.add_day("cat", found, community, category, n)
            self.add_day("risk", found, community, risk or "", n)
            if closed is not None:
                closed = self._date(closed)
                self.add_day("closed", closed, community, "", n)
                self.add_day("ttc", found, community, str((closed - found).days), n)
            if due is not None:
                self.add_day("due", self._date(due), community, state, n)

    def apply(self, session=None) -> None:
        """Add the differences (in key order, so that two transactions lock the rows they share
        in the same order); rows left at zero stay (a rebuild drops them)."""
        session = session or db.session
        execute = session.execute
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        for table in TABLES:
            counters = _COUNTERS[table]
            keys = [c.name for c in table.__table__.primary_key.columns]
            params = [{**dict(zip(keys, key, strict=True)),
                       **{name: value for name, value in zip(counters, values, strict=False)}}
                      for key, values in sorted(self.rows[table].items()) if any(values)]
            if not params:
                continue
            stmt = insert(table.__table__)
            stmt = stmt.on_conflict_do_update(index_elements=keys, set_={
                name: table.__table__.c[name] + stmt.excluded[name] for name in counters})
            for start in range(0, len(params), 5000):
                execute(stmt, params[start:start + 5000])
        self.rows = {table: defaultdict(lambda: [0, 0]) for table in TABLES}


# --------------------------------------------------------------------------- keeping current
def _watched_change(obj) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in WATCHED)


def _risk_changed(obj) -> bool:
    return inspect(obj).attrs.risk_level.history.has_changes()


def _before_flush(session, flush_context, _instances) -> None:
    hazard_ids, enterprise_ids = set(), set()
    for obj in session.new:
        if isinstance(obj, Hazard):
            if obj.id is None:
                obj.id = new_id()
            hazard_ids.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Hazard) and _watched_change(obj):
            hazard_ids.add(obj.id)
        elif isinstance(obj, Enterprise) and _risk_changed(obj):
            enterprise_ids.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Hazard):
            hazard_ids.add(obj.id)
    hazard_ids.discard(None)
    if not hazard_ids and not enterprise_ids:
        return
    where = _where(hazard_ids, enterprise_ids)
    delta = Delta()
    delta.add_facts(facts(where, session=session), -1)   # as they are before this flush
    flush_context.attributes["anxun_rollups"] = (where, delta)


def _after_flush(session, flush_context) -> None:
    pending = flush_context.attributes.pop("anxun_rollups", None)
    if pending is None:
        return
    where, delta = pending
    delta.add_facts(facts(where, session=session), +1)   # as this flush left them
    delta.apply(session)


def _where(hazard_ids, enterprise_ids):
    conditions = []
    if hazard_ids:
        conditions.append(Hazard.id.in_(sorted(hazard_ids)))
    if enterprise_ids:
        conditions.append(Hazard.enterprise_id.in_(sorted(enterprise_ids)))
    return conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]


def init_app(_app) -> None:
    """Keep the rollups current on every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)


@contextmanager
def tracking(*, enterprise_id: str):
    """Around a write that bypasses the ORM (an UPDATE of the hazards of ``enterprise_id``):
    their facts are uncounted before and counted again after it."""
    db.session.flush()
    where = Hazard.enterprise_id == enterprise_id
    delta = Delta()
    delta.add_facts(facts(where), -1)
    yield
    delta.add_facts(facts(where), +1)
    delta.apply()


def count_day(dimension: str, day, community_id: str, key: str, n: int) -> None:
    """Add ``n`` to a count kept by day (and by ten days and month where the dimension is)."""
    delta = Delta()
    delta.add_day(dimension, as_date(day), community_id, key, n)
    delta.apply()


# --------------------------------------------------------------------------- rebuild and check
def compute(others=None, session=None) -> Delta:
    """Every rollup row computed from the hazards (and ``others``: rows of ``(dimension,
    community, day, key, n)`` that other domains count, :mod:`app.escalation.counting`)."""
    session = session or db.session
    delta = Delta()
    delta.add_facts(facts(None, by_enterprise=False, session=session), +1)
    open_counts = delta.rows[HazardOpenCount]
    for enterprise_id, community_id, level, n in session.execute(
            select(Hazard.enterprise_id, Hazard.community_id, Hazard.level, func.count())
            .where(Hazard.is_open)
            .group_by(Hazard.enterprise_id, Hazard.community_id, Hazard.level)):
        counter = open_counts[(enterprise_id, community_id)]
        counter[0] += n
        counter[1] += n if level == MAJOR else 0
    for dimension, community_id, day, key, n in others or ():
        delta.add_day(dimension, as_date(day), community_id, key, n)
    return delta


def rebuild(others=None, session=None) -> int:
    """Drop every rollup row and count everything again from the hazards; returns the rows
    written. The bulk generator calls it; so do ``flask rollups rebuild`` and the migration
    that made the tables (with its own ``session``)."""
    session = session or db.session
    delta = compute(others, session)
    for table in TABLES:
        session.execute(delete(table))
    written = sum(1 for table in TABLES for v in delta.rows[table].values() if any(v))
    delta.apply(session)
    return written


def stored() -> dict:
    """The rollup rows as stored, zero rows left out: ``{table name: {key: counters}}``."""
    out = {}
    for table in TABLES:
        keys = [c for c in table.__table__.primary_key.columns]
        counters = [table.__table__.c[name] for name in _COUNTERS[table]]
        rows = {}
        for row in db.session.execute(select(*keys, *counters)):
            key = tuple(as_date(v) if k.name == "day" else v
                        for k, v in zip(keys, row[:len(keys)], strict=True))
            values = tuple(row[len(keys):])
            if any(values):
                rows[key] = values
        out[table.__tablename__] = rows
    return out


def computed(others=None) -> dict:
    """What :func:`stored` should answer, from the hazards themselves (and ``others``)."""
    delta = compute(others)
    return {table.__tablename__: {key: tuple(values[:len(_COUNTERS[table])])
                                  for key, values in delta.rows[table].items() if any(values)}
            for table in TABLES}


# --------------------------------------------------------------------------- reading
def _in_communities(column, community_ids):
    """``community_ids`` None: every community; a bound parameter (expanding): the communities
    given when the statement runs."""
    if community_ids is None:
        return true()
    if isinstance(community_ids, BindParameter):
        return column.in_(community_ids)
    return column.in_(list(community_ids))


#: The communities of a cached statement's scope, given when it runs (``"communities"``).
COMMUNITIES = bindparam("communities", expanding=True)


def _communities(community_ids):
    """What a cached statement reads for ``community_ids`` (None: every community, and no
    parameter): its key and parameters."""
    if community_ids is None:
        return None, {}
    return COMMUNITIES, {"communities": list(community_ids)}


def week_of(day_column, dialect: str):
    """SQL: the Monday of the ISO week of a date column, as text ``YYYY-MM-DD``."""
    if dialect == "postgresql":
        return func.to_char(func.date_trunc("week", day_column), "YYYY-MM-DD")
    return func.date(day_column, "weekday 0", "-6 days")


def period_counts(community_ids, first: date, last: date) -> dict:
    """Sums over ``first``..``last`` (days found; fired for ``esc``) in ``community_ids``
    (None: all): ``{"sl": {(state, level): [n, on_time]}, "cat": {category: n}, "risk":
    {colour: n}, "ttc": {days: n}, "esc": {rule: n}, "ivo": {state: n}, "ivh": {"": n},
    "community": {id: n}, "found": {monday: n}, "closed": {monday: n}}`` where ``monday`` is
    the first day (``YYYY-MM-DD``) of an ISO week: hazards found and closed (销号) on the
    period's days of that week. One statement, reading whole months, ten-day units and days
    (:func:`period_units`) and summing in the database: a few hundred rows come back."""
    units = period_units(first, last)
    out = {"sl": defaultdict(lambda: [0, 0]), "cat": defaultdict(int),
           "risk": defaultdict(int), "ttc": defaultdict(int), "esc": defaultdict(int),
           "ivo": defaultdict(int), "ivh": defaultdict(int), "community": defaultdict(int),
           "found": defaultdict(int), "closed": defaultdict(int)}
    if not any(units.values()):
        return out
    communities, params = _communities(community_ids)
    statement = cached_statement(("rollups.period_counts", communities is None),
                                 lambda: _period_statement(communities))
    params.update({f"days_{grain}": days for grain, days in units.items()},
                  first=first, last=last)
    for dimension, key, n, on_time in db.session.execute(statement, params):
        if dimension == "sl":
            state, _, level = key.partition("|")
            counter = out["sl"][(state, level)]
            counter[0] += int(n)
            counter[1] += int(on_time)
        elif dimension == "ttc":
            out["ttc"][int(key)] += int(n)
        else:
            out[dimension][key] += int(n)
    return out


def _period_statement(communities):
    """:func:`period_counts`' statement: the days of each grain, the period's first and last
    day and the communities (unless all) are parameters."""
    t = HazardDayCount
    scope = _in_communities(t.community_id, communities)
    dialect = db.session.get_bind().dialect.name
    community = literal("community", String)
    days = {grain: bindparam(f"days_{grain}", expanding=True, type_=Date) for grain in GRAINS}
    branches = [select(t.dimension.label("dimension"), t.key.label("key"), t.n, t.on_time)
                .where(t.grain == grain, t.dimension.in_(PERIOD_DIMENSIONS), t.day.in_(days[grain]),
                       scope) for grain in GRAINS]
    branches += [select(community, t.community_id, t.n, t.on_time)
                 .where(t.grain == grain, t.dimension == "sl", t.day.in_(days[grain]), scope)
                 for grain in GRAINS]
    branches.append(select(t.dimension, week_of(t.day, dialect), t.n, t.on_time).where(
        t.grain == DAY, t.dimension.in_(("found", "closed")),
        t.day >= bindparam("first", type_=Date), t.day <= bindparam("last", type_=Date), scope))
    rows = union_all(*branches).subquery()
    return (select(rows.c.dimension, rows.c.key, func.sum(rows.c.n), func.sum(rows.c.on_time))
            .group_by(rows.c.dimension, rows.c.key))


def due_before(community_ids, day: date, states=None):
    """SQL (a scalar subquery): hazards not yet rectified (in ``states``, default all three)
    whose deadline fell on a day before ``day``."""
    t = HazardDayCount
    stmt = (select(func.coalesce(func.sum(t.n), 0))
            .where(t.grain == DAY, t.dimension == "due", t.day < day,
                   _in_communities(t.community_id, community_ids)))
    if states is not None:
        stmt = stmt.where(t.key.in_(list(states)))
    return stmt.scalar_subquery()


def totals(community_ids, *, states=None, level: str | None = None,
           category: str | None = None, group_by=()) -> list:
    """Sums of :class:`HazardCount` for the filters; ``group_by`` names its columns to group
    by (``state``, ``level``…); rows of ``(*groups, n)``. The statement is built once for each
    combination of filters given (the hazard list's total runs it on every page)."""
    communities, params = _communities(community_ids)
    filters = {name: value for name, value in (("states", states), ("level", level),
                                               ("category", category)) if value is not None}
    params.update(filters)
    if "states" in params:
        params["states"] = list(params["states"])
    key = ("rollups.totals", communities is None, tuple(sorted(filters)), tuple(group_by))
    return db.session.execute(cached_statement(key, lambda: _totals_statement(
        communities, filters, tuple(group_by))), params).all()


def _totals_statement(communities, filters, group_by):
    t = HazardCount
    conditions = [_in_communities(t.community_id, communities)]
    if "states" in filters:
        conditions.append(t.state.in_(bindparam("states", expanding=True)))
    if "level" in filters:
        conditions.append(t.level == bindparam("level"))
    if "category" in filters:
        conditions.append(t.category == bindparam("category"))
    columns = [t.__table__.c[name] for name in group_by]
    stmt = select(*columns, func.coalesce(func.sum(t.n), 0)).where(*conditions)
    if columns:
        stmt = stmt.group_by(*columns)
    return stmt


def top_open(community_ids, limit: int, now: datetime) -> list:
    """The ``limit`` enterprises with most open hazards: rows ``(id, name, risk_level,
    community_id, open, major, overdue)``, by open hazards, then name and id. One statement:
    the ``limit``-th largest count from the counts alone, the few enterprises at or above it
    with their names, and the overdue hazards (逾期) of those few counted from their rows."""
    communities, params = _communities(community_ids)
    statement = cached_statement(("rollups.top_open", communities is None, limit),
                                 lambda: _top_open_statement(communities, limit))
    return db.session.execute(statement, {**params, "now": now}).all()


def _top_open_statement(communities, limit: int):
    t = HazardOpenCount
    scope = and_(_in_communities(t.community_id, communities), t.n > 0)
    n, major = func.sum(t.n), func.sum(t.major)
    threshold = (select(n).where(scope).group_by(t.enterprise_id).order_by(n.desc())
                 .limit(1).offset(limit - 1).scalar_subquery())
    top = select(t.enterprise_id).where(scope).group_by(t.enterprise_id).having(
        n >= func.coalesce(threshold, 0))
    late = (select(func.count()).select_from(Hazard)
            .where(Hazard.enterprise_id == Enterprise.id,
                   _in_communities(Hazard.community_id, communities),
                   Hazard.overdue_at(bindparam("now", type_=DateTime(timezone=True))))
            .correlate(Enterprise).scalar_subquery())
    return (select(Enterprise.id, Enterprise.name, Enterprise.risk_level,
                   Enterprise.community_id, n.label("open"), major.label("major"),
                   late.label("overdue"))
            .join(Enterprise, Enterprise.id == t.enterprise_id)
            .where(scope, t.enterprise_id.in_(top))
            .group_by(Enterprise.id, Enterprise.name, Enterprise.risk_level,
                      Enterprise.community_id)
            .order_by(n.desc(), Enterprise.name, Enterprise.id).limit(limit))


def day_bounds(now: datetime) -> tuple[date, datetime]:
    """``now``'s day (Asia/Shanghai) and the UTC instant it began."""
    today = day_of(now)
    return today, datetime.combine(today, time(0), tzinfo=SHANGHAI).astimezone(timezone.utc)


def overdue_count(community_ids, now: datetime, states=None, *, bounds=None):
    """SQL (a scalar, or None when ``states`` has no unrectified state): hazards overdue at
    ``now`` (逾期: not rectified, deadline passed; of ``states`` when given): those due on an
    earlier day from the counts, those due earlier today counted directly (a few at most).
    ``bounds``: ``now``'s :func:`day_bounds`, when ``now`` is a bound parameter."""
    today, midnight = bounds or day_bounds(now)
    unrectified = [s for s in Hazard.UNRECTIFIED_STATES if states is None or s in states]
    if not unrectified:
        return None
    return due_before(community_ids, today, unrectified) + select(func.count()).select_from(
        Hazard).where(_in_communities(Hazard.community_id, community_ids),
                      Hazard.state.in_(unrectified), Hazard.deadline >= midnight,
                      Hazard.deadline < now).scalar_subquery()


def overdue(community_ids, now: datetime, states=None) -> int:
    """Hazards overdue at ``now`` (:func:`overdue_count`)."""
    count = overdue_count(community_ids, now, states)
    return 0 if count is None else int(db.session.scalar(select(count)) or 0)


def open_totals(community_ids, now: datetime, bounds=None):
    """One-row statement: hazards open (未销号) now, major among them, and overdue now
    (``bounds``: :func:`overdue_count`'s)."""
    t = HazardCount
    in_scope = and_(_in_communities(t.community_id, community_ids),
                    t.state.in_(list(Hazard.NOT_CLOSED_STATES)))
    return select(
        select(func.coalesce(func.sum(t.n), 0)).where(in_scope).scalar_subquery(),
        select(func.coalesce(func.sum(t.n), 0)).where(in_scope, t.level == MAJOR)
        .scalar_subquery(),
        overdue_count(community_ids, now, bounds=bounds))
