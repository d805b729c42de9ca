"""``python -m bench profile``: where the time of one read goes, in process.

The five reads of :mod:`bench.reads` (or ``--url``) go through the Flask test client against a
seeded database (``--sqlite-file`` made by ``python -m bench reads --sqlite-file``, or
``--database-url``): each request's SQL statements are counted and printed, its mean time over
``--repeat`` runs measured, and pyinstrument's call tree of those runs printed (``--html DIR``
writes one page per request).

    python -m bench profile --sqlite-file /tmp/b.db
    python -m bench profile --sqlite-file /tmp/b.db --only list --statements
    python -m bench profile --sqlite-file /tmp/b.db --cpu   # CPU a request only, no profiler

``--cpu`` measures each read, ``/healthz`` with the session cookie and the bare Flask app of
``bench reads`` (:mod:`bench.bare`, through its own test client) in ``--batches`` batches of
``--repeat`` requests and prints the median batch's CPU time a request (``time.process_time``:
steadier than wall time on a shared machine) with the SQL statements of one request.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench.reads import REQUESTS
from bench.servers import PASSWORDS, ROOT, out


def make_app(url: str, tmp: Path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ESCALATION_INTERVAL_S", "0")
    from app import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_DIR": str(tmp / "media"),
                       "ESCALATION_INTERVAL_S": 0, "MAINTENANCE_INTERVAL_S": 0})


def _qr_token(app, enterprise_id: str) -> str:
    """The enterprise's QR token, for the gate's card (``/api/v1/scan/{token}``)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.registry.models import Enterprise
    with app.app_context():
        return db.session.scalar(select(Enterprise.qr_token).where(Enterprise.id == enterprise_id))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite-file", help="a seeded SQLite file (copied, never changed)")
    parser.add_argument("--database-url", help="a seeded database")
    parser.add_argument("--only", type=lambda s: s.split(","), default=None)
    parser.add_argument("--url", action="append", default=[], help="another path to profile")
    parser.add_argument("--user", default="admin", choices=sorted(PASSWORDS))
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--statements", action="store_true", help="print each SQL statement")
    parser.add_argument("--html", help="write pyinstrument pages into this directory")
    parser.add_argument("--interval", type=float, default=0.0002)
    parser.add_argument("--cpu", action="store_true",
                        help="only CPU a request (median of --batches), no profiler")
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    from pyinstrument import Profiler
    from sqlalchemy import event

    with tempfile.TemporaryDirectory(prefix="anxun-profile-") as tmp_name:
        tmp = Path(tmp_name)
        if args.database_url:
            url = args.database_url
        elif args.sqlite_file:
            shutil.copy(args.sqlite_file, tmp / "bench.db")
            url = f"sqlite:///{tmp}/bench.db"
        else:
            parser.error("--sqlite-file or --database-url")
        app = make_app(url, tmp)
        client = app.test_client()
        answer = client.post("/api/v1/auth/login", json={"username": args.user,
                                                         "password": PASSWORDS[args.user]})
        assert answer.status_code == 200, answer.get_json()
        first = client.get("/api/v1/hazards?per_page=1").get_json()["items"][0]
        ids = {"hazard": first["id"], "enterprise": first["enterprise_id"],
               "token": _qr_token(app, first["enterprise_id"])}
        only = args.only or (["list", "filtered", "detail", "enterprise"] if args.cpu else None)
        cases = [(name, path.format(**ids)) for name, _label, path, _bar in REQUESTS
                 if not only or name in only]
        cases += [(u, u) for u in args.url]
        if args.cpu:
            cases.append(("healthz", "/healthz"))

        from app.extensions import db
        with app.app_context():
            engine = db.engine
        statements: list[str] = []

        def count(conn, cursor, statement, *rest):
            statements.append(statement)

        if args.cpu:
            from bench.bare import app as bare_app
            out(f"{'request':<12} {'statements':>10} {'CPU ms':>8}   (batches of {args.repeat},"
                f" median; min–max)")
            cases.append(("bare Flask", None))
        for name, path in cases:
            target = client if path is not None else bare_app.test_client()
            path = path or "/healthz"
            for _ in range(20 if args.cpu else 3):   # warm caches
                response = target.get(path)
                assert response.status_code == 200, (path, response.status_code, response.data)
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            target.get(path)
            event.remove(engine, "before_cursor_execute", count)
            n = len(statements)
            if args.cpu:
                batches = []
                for _ in range(args.batches):
                    cpu = time.process_time()
                    for _ in range(args.repeat):
                        target.get(path).close()
                    batches.append((time.process_time() - cpu) / args.repeat * 1000)
                out(f"{name:<12} {n:>10} {statistics.median(batches):>8.2f}   "
                    f"({min(batches):.2f}–{max(batches):.2f})")
                continue
            cpu = time.process_time()
            for _ in range(args.repeat):
                client.get(path).close()
            cpu = (time.process_time() - cpu) / args.repeat
            started = time.perf_counter()
            profiler = Profiler(interval=args.interval)
            profiler.start()
            for _ in range(args.repeat):
                client.get(path).close()
            profiler.stop()
            mean = (time.perf_counter() - started) / args.repeat
            out(f"== {name}: {path}")
            out(f"   {n} SQL statements, {cpu * 1000:.2f} ms CPU a request (in process, not "
                f"profiled; {mean * 1000:.2f} ms wall profiled), {len(response.data):,} bytes")
            if args.statements:
                for s in statements:
                    out("   · " + " ".join(s.split())[:300])
            out(profiler.output_text(unicode=True, color=False, show_all=False,
                                     short_mode=False))
            if args.html:
                Path(args.html).mkdir(parents=True, exist_ok=True)
                Path(args.html, f"{name}.html").write_text(profiler.output_html())
    return 0
