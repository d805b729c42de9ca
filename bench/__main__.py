"""Benchmarks: the bulk year generator and the reports at scale, on SQLite and PostgreSQL.

    python -m bench                          # 100,000 hazards on SQLite, 1,000,000 on PostgreSQL
    python -m bench --hazards 20000 --no-pg  # a quick run
    python -m bench --pg-hazards 0           # SQLite only

Each database is created for the run and dropped afterwards (PostgreSQL at
``ANXUN_TEST_PG_ADMIN_URL``, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
Timings go through the whole HTTP stack (Flask test client: login, scope, schema, JSON).
Figures are printed; bench/RESULTS.md records a run.

Subcommands (each has its own ``--help``):

    python -m bench reads      # the five reads of every day, under wrk, as a share of bare Flask
    python -m bench profile    # where the time of one read goes (SQL statements, pyinstrument)
    python -m bench compare    # CPU a request of the reads at several commits, in turn
    python -m bench exports    # the hazard ledger streamed: first byte, peak memory at 100k, 1M
    python -m bench sync       # 10 phones × 200 hazards × 2 photos at once, over two workers
    python -m bench photos     # accepting a photo next to one Pillow decode + encode
"""
from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORDS = {"admin": "anxun-admin-2023", "supervisor": "anxun-super-2023",
             "inspector": "anxun-check-2023", "officer": "anxun-safety-2023"}


def out(text: str = "") -> None:
    print(text, flush=True)


# --------------------------------------------------------------------------- databases
@contextmanager
def sqlite_database():
    with tempfile.TemporaryDirectory(prefix="anxun-bench-") as tmp:
        yield f"sqlite:///{tmp}/bench.db", Path(tmp)


@contextmanager
def postgres_database():
    from sqlalchemy import create_engine, text

    from config import test_postgres_admin_url
    admin_url = test_postgres_admin_url()
    name = f"anxun_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="anxun-bench-") as tmp:
            yield admin_url.rsplit("/", 1)[0] + "/" + name, Path(tmp)
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def make_app(url: str, tmp: Path):
    from app import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_DIR": str(tmp / "media"),
                       "ESCALATION_INTERVAL_S": 0, "TESTING": True})


# --------------------------------------------------------------------------- seeding
def seed(app, *, enterprises: int, hazards: int, events: str = "recent") -> dict:
    """The demo registry, then a year of hazards; returns the timings."""
    from flask_migrate import upgrade

    from app.demo.bulk import generate_year
    from app.demo.seed import seed_demo
    from app.extensions import db
    with app.app_context():
        upgrade()
        seed_demo(n_enterprises=enterprises, n_hazards=0)
        db.session.commit()
        wall, cpu = time.perf_counter(), time.process_time()
        lines = generate_year(n_hazards=hazards, seed=2023, events=events)
        gen_wall, gen_cpu = time.perf_counter() - wall, time.process_time() - cpu
        db.session.commit()
        total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
        if db.engine.dialect.name == "postgresql":
            # what autovacuum does on a live server: statistics and the visibility map that
            # index-only scans need
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                started = time.perf_counter()
                conn.exec_driver_sql("VACUUM ANALYZE")
                vacuum = time.perf_counter() - started
        else:
            vacuum = None
    return {"lines": lines, "hazards": hazards, "gen_wall": gen_wall, "gen_cpu": gen_cpu,
            "total_wall": total_wall, "total_cpu": total_cpu, "vacuum": vacuum}


def print_seed(label: str, r: dict) -> None:
    n = r["hazards"]
    out(f"  {label}: {n:,} hazards")
    for line in r["lines"]:
        out(f"    | {line.strip()}")
    out(f"    generate: {r['gen_wall']:.2f} s wall, {r['gen_cpu']:.2f} s CPU  ->  "
        f"{n / r['gen_wall']:,.0f} hazards/s wall, {n / r['gen_cpu']:,.0f} hazards/s CPU")
    out(f"    + commit: {r['total_wall']:.2f} s wall, {r['total_cpu']:.2f} s CPU  ->  "
        f"{n / r['total_wall']:,.0f} hazards/s wall, {n / r['total_cpu']:,.0f} hazards/s CPU")
    if r["vacuum"] is not None:
        out(f"    VACUUM ANALYZE afterwards: {r['vacuum']:.1f} s")


# --------------------------------------------------------------------------- timing requests
def login(app, username):
    client = app.test_client()
    response = client.post("/api/v1/auth/login",
                           json={"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 200, response.get_json()
    return client


def timed(client, url: str, repeat: int) -> tuple[list[float], object]:
    times, response = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        body = response.data   # the whole body (streamed answers included)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, body[:300])
    return times, response


def report_requests(app, repeat: int, *, everything: bool = True) -> None:
    from sqlalchemy import select

    from app.core.timeutil import SHANGHAI, utcnow
    from app.escalation.models import Interview
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.registry.models import Community
    with app.app_context():
        community = db.session.scalar(select(Community.id).order_by(Community.code))
        inspection = db.session.scalar(select(Hazard.inspection_id).where(
            Hazard.level == "major").order_by(Hazard.found_at.desc()).limit(1))
        interview = db.session.scalar(select(Interview.id).where(Interview.state == "held")
                                      .limit(1))
    today = utcnow().astimezone(SHANGHAI).date()
    month = f"from={today - timedelta(days=29)}&to={today}"
    june = f"from={today.year if today.month > 6 else today.year - 1}-06-01"
    june += f"&to={june[5:9]}-06-30"
    admin, supervisor, officer = login(app, "admin"), login(app, "supervisor"), \
        login(app, "officer")
    cases = [
        ("dashboard, admin, last 365 days", admin, "/api/v1/dashboard"),
        ("dashboard, admin, last 30 days", admin, f"/api/v1/dashboard?{month}"),
        ("dashboard, admin, one community, 365 days", admin,
         f"/api/v1/dashboard?community_id={community}"),
        ("dashboard, supervisor (all 3 communities)", supervisor, "/api/v1/dashboard"),
        ("dashboard, officer (one enterprise)", officer, "/api/v1/dashboard"),
        ("map, admin", admin, "/api/v1/map"),
        ("map, one community", admin, f"/api/v1/map?community_id={community}"),
        ("hazard ledger CSV, last 30 days", admin,
         f"/api/v1/reports/hazard-ledger.csv?found_from={today - timedelta(days=29)}"),
        ("hazard ledger XLSX, last 30 days", admin,
         f"/api/v1/reports/hazard-ledger.xlsx?found_from={today - timedelta(days=29)}"),
        ("hazard ledger XLSX, one community, overdue", admin,
         f"/api/v1/reports/hazard-ledger.xlsx?community_id={community}&overdue=true"),
        ("整改通知书 PDF", admin, f"/api/v1/inspections/{inspection}/rectification-notice.pdf"),
        ("约谈记录 PDF", admin, f"/api/v1/interviews/{interview}/record.pdf"),
        ("安全生产月 summary PDF (1-30 June)", admin,
         f"/api/v1/reports/campaign-summary.pdf?{june}"),
    ]
    out(f"  {'request':<46} {'median':>9} {'best':>9} {'size':>10}")
    for label, client, url in cases:
        times, response = timed(client, url, repeat)
        out(f"  {label:<46} {statistics.median(times) * 1000:>7.0f} ms "
            f"{min(times) * 1000:>6.0f} ms {len(response.data):>10,}")
    if not everything:
        return
    started = time.perf_counter()
    response = admin.get("/api/v1/reports/hazard-ledger.csv")
    size = len(response.data)
    out(f"  {'hazard ledger CSV, everything (once)':<46} "
        f"{(time.perf_counter() - started) * 1000:>7.0f} ms {'':>9} {size:>10,}")
    started = time.perf_counter()
    response = admin.get("/api/v1/reports/hazard-ledger.xlsx")
    size = len(response.data)
    out(f"  {'hazard ledger XLSX, everything (once)':<46} "
        f"{(time.perf_counter() - started) * 1000:>7.0f} ms {'':>9} {size:>10,}")


def query_plans(app) -> None:
    """Each SQL statement of one dashboard answer (admin, last 365 days): its time and how the
    database runs it (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE, first lines)."""
    from sqlalchemy import event

    from app.extensions import db
    client = login(app, "admin")
    captured = []
    with app.app_context():
        engine = db.engine

        def remember(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT") and "FROM hazards" in statement:
                captured.append((statement, parameters))
        event.listen(engine, "before_cursor_execute", remember)
        try:
            client.get("/api/v1/dashboard")
        finally:
            event.remove(engine, "before_cursor_execute", remember)
        dialect = engine.dialect.name
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            for statement, parameters in captured:
                cur = raw.cursor()
                started = time.perf_counter()
                cur.execute(statement, parameters)
                cur.fetchall()
                elapsed = time.perf_counter() - started
                if dialect == "sqlite":
                    cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                    plan = [row[-1] for row in cur.fetchall()]
                else:
                    cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
                    plan = [row[0] for row in cur.fetchall()]
                cur.close()
                first = " ".join(statement.split())[:110]
                out(f"  {elapsed * 1000:7.0f} ms  {first}…")
                for line in plan[:14]:
                    out(f"             {line}")


# --------------------------------------------------------------------------- main
SUBCOMMANDS = {"reads": "bench.reads", "profile": "bench.profile", "exports": "bench.exports",
               "sync": "bench.sync", "photos": "bench.photos", "compare": "bench.compare"}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        import importlib
        return importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hazards", type=int, default=100_000, help="SQLite year size")
    parser.add_argument("--pg-hazards", type=int, default=1_000_000,
                        help="PostgreSQL year size (0: skip)")
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--pg-enterprises", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per timed request")
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--no-variants", action="store_true",
                        help="skip the events=all/none seeding comparison")
    args = parser.parse_args(argv)

    out(f"Anxun bench · Python {platform.python_version()} · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    out()
    out(f"== SQLite: seed-demo --enterprises {args.enterprises} --hazards {args.hazards}")
    with sqlite_database() as (url, tmp):
        app = make_app(url, tmp)
        print_seed("events=recent (default)", seed(app, enterprises=args.enterprises,
                                                   hazards=args.hazards))
        import sqlite3

        from app.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()  # the pool's connections would keep the WAL open
        with sqlite3.connect(tmp / "bench.db") as conn:  # outside any transaction
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        out(f"    database file: {(tmp / 'bench.db').stat().st_size / 1e6:.0f} MB")
        out()
        out("  query plans (SQLite):")
        query_plans(app)
        out()
        report_requests(app, args.repeat)
        from app.extensions import db
        with app.app_context():
            db.engine.dispose()
    if not args.no_variants:
        n = max(1000, args.hazards // 2)
        for events in ("none", "all"):
            with sqlite_database() as (url, tmp):
                app = make_app(url, tmp)
                out()
                print_seed(f"events={events}", seed(app, enterprises=args.enterprises,
                                                    hazards=n, events=events))
                from app.extensions import db
                with app.app_context():
                    db.engine.dispose()
    if args.no_pg or args.pg_hazards <= 0:
        return 0
    out()
    out(f"== PostgreSQL: --enterprises {args.pg_enterprises} --hazards {args.pg_hazards}")
    try:
        database = postgres_database()
        url, tmp = database.__enter__()
    except Exception as exc:   # noqa: BLE001 - a missing server is reported, not fatal
        out(f"  skipped: PostgreSQL not reachable ({exc.__class__.__name__}: {exc})")
        return 0
    try:
        app = make_app(url, tmp)
        print_seed("events=recent (default)", seed(app, enterprises=args.pg_enterprises,
                                                   hazards=args.pg_hazards))
        out()
        out("  query plans (PostgreSQL):")
        query_plans(app)
        out()
        # the whole ledger of a million hazards is half a gigabyte of CSV: not timed here
        report_requests(app, args.repeat, everything=args.pg_hazards <= 200_000)
        from app.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        database.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
