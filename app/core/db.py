"""Database plumbing: id and time column types, SQLite tuning, dialect-neutral upsert."""
from __future__ import annotations

import functools
import os
import uuid
from datetime import datetime, timezone

from flask import has_request_context, request
from sqlalchemy import String, event, select, true
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.elements import UnaryExpression
from sqlalchemy.sql.operators import custom_op
from sqlalchemy.sql.visitors import replacement_traverse
from sqlalchemy.types import DateTime, TypeDecorator

from app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_id() -> str:
    return str(uuid.uuid4())


def UUIDColumn(**kwargs):  # noqa: N802 - reads like a type in model definitions
    """A UUID primary/foreign key stored as its canonical 36-character string."""
    return db.Column(String(36), **kwargs)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every engine (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def upsert(model, values: dict, index_elements: list[str], update: dict, *, returning=()):
    """INSERT … ON CONFLICT (index_elements) DO UPDATE SET update, on SQLite and PostgreSQL;
    ``returning`` columns come back in the result."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(model.__table__).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=index_elements, set_=update)
    if returning:
        stmt = stmt.returning(*returning)
    return db.session.execute(stmt)


def insert_ignore(model, values: dict, index_elements: list[str]):
    """INSERT … ON CONFLICT DO NOTHING; returns the rowcount (1 inserted, 0 already there)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(model.__table__).values(**values).on_conflict_do_nothing(
        index_elements=index_elements)
    # Without preserve_rowcount SQLAlchemy reports -1 for an INSERT on psycopg (truthy!).
    return db.session.execute(stmt.execution_options(preserve_rowcount=True)).rowcount


def configure_engine(engine: Engine, busy_timeout_ms: int, *, connect_timeout_s: int = 0,
                     statement_timeout_ms: int = 0) -> None:
    """Per-engine tuning; idempotent.

    SQLite: WAL so readers never block the writer, a busy timeout, and write transactions
    opened with ``BEGIN IMMEDIATE``. A deferred transaction that reads and then writes fails with
    "database is locked" (SQLITE_BUSY_SNAPSHOT, which the busy handler cannot retry) when another
    process wrote in between; taking the write lock up front makes the second writer wait its turn.
    Read-only requests (GET) keep deferred transactions so they never queue behind writers.

    PostgreSQL: a connect timeout (a server that accepts and never answers would otherwise hold
    the caller for good) and a statement timeout on every connection opened for a request (a
    statement that runs, or waits for a lock, longer is cancelled). Both end in an
    ``OperationalError``, which a request answers with 503
    (:func:`app.errors.is_database_unavailable`). Connections opened outside a request (``flask
    db upgrade`` building an index on a million rows, ``flask seed-demo``, the periodic job) have
    no statement timeout: they are not a user waiting.
    """
    if getattr(engine, "_anxun_configured", False):
        return
    engine._anxun_configured = True

    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if engine.url.database not in (None, "", ":memory:"):
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            read_only = has_request_context() and request.method in SAFE_METHODS
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    if engine.dialect.name == "postgresql":
        @event.listens_for(engine, "do_connect")
        def _pg_timeouts(_dialect, _record, _cargs, cparams):
            if connect_timeout_s > 0:
                cparams.setdefault("connect_timeout", int(connect_timeout_s))
            if statement_timeout_ms > 0 and has_request_context():
                option = f"-c statement_timeout={int(statement_timeout_ms)}"
                cparams["options"] = f"{cparams.get('options', '')} {option}".strip()

    # A forked worker must not reuse the parent's sockets/file handles.
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))


def no_index(column):
    """``+column``: SQLite's way of telling its planner not to use an index on ``column`` for
    a condition (the unary plus changes nothing else). Where a condition keeps most rows, the
    index of the ORDER BY, read newest first and stopped at the page's end, is the better plan;
    SQLite, which weighs neither the LIMIT nor the share of rows kept, picks the condition's
    index and sorts every row it finds. Only for SQLite: PostgreSQL plans it well alone."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


def without_index_on(clause, column):
    """``clause`` with each use of ``column`` as :func:`no_index` of it (on SQLite; elsewhere
    ``clause`` as it is)."""
    if db.session.get_bind().dialect.name != "sqlite":
        return clause
    target = column.expression if hasattr(column, "expression") else column
    plus = no_index(column)

    def swap(element):
        same = (getattr(element, "table", None) is target.table
                and getattr(element, "key", None) == target.key)
        return plus if same and not isinstance(element, UnaryExpression) else None

    return replacement_traverse(clause, {}, swap)


def attach(model, values: dict):
    """The persistent ``model`` instance of a row read with plain SQL (``values`` by column
    name, every column there): put in the session as if the ORM had loaded it, without the
    cost of the ORM's loading. The instance the session already holds is answered instead."""
    mapper = sa_inspect(model)
    key = mapper.identity_key_from_primary_key(
        [values[column.name] for column in mapper.primary_key])
    held = db.session.identity_map.get(key)
    if held is not None:
        return held
    obj = mapper.class_manager.new_instance()
    # A new instance has nothing loaded, changed or expired: its filled dict is its loaded
    # state (what set_committed_value would record one attribute at a time, at ten times the
    # cost); make_transient_to_detached then commits it as a whole.
    sa_inspect(obj).dict.update({attr: values[name] for attr, name in _column_keys(mapper)})
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


@functools.cache
def _column_keys(mapper) -> tuple[tuple[str, str], ...]:
    """(attribute, column name) of each column a mapper maps."""
    return tuple((prop.key, prop.columns[0].name) for prop in mapper.column_attrs)


def utc_from_timestamp(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


class OneRow:
    """A statement answering exactly one row (aggregates without ``GROUP BY``) and how to read
    it: figures that :func:`read_together` runs in one statement with others."""

    __slots__ = ("statement", "read")

    def __init__(self, statement, read):
        self.statement, self.read = statement, read

    def value(self, params: dict | None = None):
        """Run alone (``params``: the values of its bound parameters)."""
        return self.read(tuple(db.session.execute(self.statement, params).one()))


def together(*figures: OneRow) -> OneRow:
    """``figures`` as one statement: their one-row statements as subqueries side by side
    (``SELECT … FROM (…) AS a JOIN (…) AS b ON true …``), one round trip instead of as many as
    there are figures (issue 18: the dashboard's dozen small counts); it reads the list of
    their answers."""
    subqueries = [f.statement.subquery() for f in figures]
    joined = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, true())
    widths = [(figure.read, len(subquery.c)) for figure, subquery in zip(figures, subqueries,
                                                                          strict=True)]

    def read(row):
        out, at = [], 0
        for reader, width in widths:
            out.append(reader(row[at:at + width]))
            at += width
        return out
    return OneRow(select(*(c for s in subqueries for c in s.c)).select_from(joined), read)


def read_together(*figures: OneRow) -> list:
    """Each of ``figures`` read from one statement (:func:`together`)."""
    return together(*figures).value()


_STATEMENTS: dict = {}


def cached_statement(key: tuple, build):
    """The statement ``build()`` makes, built once per process and ``key`` (with the engine's
    dialect), for statements built often whose SQLAlchemy construction costs more than running
    them (issue 18: the dashboard's, 15 ms a request). Whatever differs between the requests
    sharing a ``key`` must be a bound parameter of the statement (``bindparam``), given when it
    runs: the key names only what is the same for all of them (never a user, never ids)."""
    key = (db.session.get_bind().dialect.name, *key)
    try:
        return _STATEMENTS[key]
    except KeyError:
        _STATEMENTS[key] = statement = build()
        return statement
