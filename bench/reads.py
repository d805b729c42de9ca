"""``python -m bench reads``: the reads every user makes all day, as a share of bare Flask
(issue 18).

For each engine: a database made for the run is seeded with ``flask seed-demo --enterprises N
--hazards M``; gunicorn (2 sync workers) serves a bare Flask app answering ``{"status":"ok"}``
(:mod:`bench.bare`), then Anxun, then the bare app again, under the same settings; ``wrk -t2
-c16 -d6s`` loads each request with a logged-in admin's cookie. Printed per request: requests
a second, p50 and p99, and the ratio to bare Flask (the mean of its two runs).

    python -m bench reads                          # SQLite and PostgreSQL, 100,000 hazards
    python -m bench reads --engines sqlite --hazards 20000 --seconds 3
    python -m bench reads --sqlite-file /tmp/b.db  # seed once, reuse on the next runs
    python -m bench reads --engines postgresql --hazards 10000,100000,1000000   # scale table
"""
from __future__ import annotations

import argparse
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from bench.servers import (ENGINES, app_env, cookie_header, database, ensure_wrk, gunicorn,
                           login, machine_line, out, postgres_reachable, seed, wrk)

#: The five requests of issue 18, and the share of bare Flask each must reach.
REQUESTS = (
    ("list", "GET /api/v1/hazards?per_page=20", "/api/v1/hazards?per_page=20", 0.20),
    ("filtered", "GET /api/v1/hazards?state=rectifying&overdue=true&per_page=20",
     "/api/v1/hazards?state=rectifying&overdue=true&per_page=20", 0.15),
    ("detail", "GET /api/v1/hazards/{id}", "/api/v1/hazards/{hazard}", 0.30),
    ("enterprise", "GET /api/v1/enterprises/{id}", "/api/v1/enterprises/{enterprise}", 0.30),
    ("dashboard", "GET /api/v1/dashboard (a year)", "/api/v1/dashboard", 0.05),
    ("card", "GET /api/v1/scan/{token} (the gate's card)", "/api/v1/scan/{token}", None),
)


@contextmanager
def _seeded(engine: str, args):
    """The bench database of ``engine``, seeded; yields (environment, seconds seeding)."""
    if engine == "sqlite" and args.sqlite_file:
        keep = Path(args.sqlite_file).resolve()
        with database("sqlite") as (_url, tmp):
            env = app_env(f"sqlite:///{tmp}/bench.db", tmp)
            if keep.exists():
                shutil.copy(keep, tmp / "bench.db")
                yield env, None
                return
            seconds = seed(env, enterprises=args.enterprises, hazards=args.hazards)
            shutil.copy(tmp / "bench.db", keep)
            yield env, seconds
        return
    keep = f"{args.keep_pg}_{args.hazards}" if args.keep_pg and engine == "postgresql" else None
    with database(engine, keep) as (url, tmp):
        env = app_env(url, tmp)
        seconds = seed(env, enterprises=args.enterprises, hazards=args.hazards)
        if engine == "postgresql":   # what autovacuum does on a live server
            from sqlalchemy import create_engine
            eng = create_engine(url, isolation_level="AUTOCOMMIT")
            with eng.connect() as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            eng.dispose()
        yield env, seconds


def _load(url: str, cookie: str | None, args):
    if args.warmup > 0:
        wrk(url, cookie=cookie, threads=args.threads, connections=args.connections,
            seconds=args.warmup)
    return wrk(url, cookie=cookie, threads=args.threads, connections=args.connections,
               seconds=args.seconds)


def _bare(env: dict, args):
    with gunicorn(env, "bench.bare:app", workers=args.workers) as base:
        return _load(base + "/healthz", None, args)


def run_engine(engine: str, args, hazards: int) -> list[dict]:
    args.hazards = hazards
    out(f"== {engine}: seed-demo --enterprises {args.enterprises} --hazards {args.hazards}, "
        f"gunicorn {args.workers} sync workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds:g}s")
    chosen = [r for r in REQUESTS if not args.only or r[0] in args.only]
    chosen += [(path, f"GET {path}", path, 0.0) for path in args.url]
    with _seeded(engine, args) as (env, seconds):
        if seconds is not None:
            out(f"  seeded in {seconds:.0f} s")
        bare_before = _bare(env, args)
        out(f"  bare Flask: {bare_before.rps:,.0f} req/s, p50 {bare_before.p50_ms:.2f} ms")
        results = []
        with gunicorn(env, workers=args.workers) as base:
            admin = login(base, "admin")
            cookie = cookie_header(admin)
            first = admin.get(base + "/api/v1/hazards?per_page=1", timeout=60).json()["items"][0]
            ids = {"hazard": first["id"], "enterprise": first["enterprise_id"]}
            ids["token"] = admin.get(base + f"/api/v1/enterprises/{ids['enterprise']}",
                                     timeout=60).json()["qr_token"]
            for name, label, path, bar in chosen:
                url = base + path.format(**ids)
                check = admin.get(url, timeout=120)
                if check.status_code != 200:
                    raise RuntimeError(f"{label}: {check.status_code} {check.text[:300]}")
                load = _load(url, cookie, args)
                results.append({"name": name, "label": label, "bar": bar, "load": load,
                                "bytes": len(check.content)})
                out(f"  {label:<62} {load.rps:>8,.0f} req/s  p50 {load.p50_ms:>7.2f} ms"
                    f"{'  ERRORS ' + str(load.errors) if load.errors else ''}")
        bare_after = _bare(env, args)
        out(f"  bare Flask again: {bare_after.rps:,.0f} req/s, p50 {bare_after.p50_ms:.2f} ms")
    bare_rps = (bare_before.rps + bare_after.rps) / 2
    out()
    out(f"  {'request':<62} {'req/s':>8} {'p50':>9} {'p99':>9} {'share':>6} {'bar':>5}")
    for r in results:
        load = r["load"]
        share = load.rps / bare_rps if bare_rps else 0
        bar = f"{r['bar']:>5.2f} {'ok' if share >= r['bar'] else 'BELOW'}" if r["bar"] else ""
        out(f"  {r['label']:<62} {load.rps:>8,.0f} {load.p50_ms:>7.2f}ms {load.p99_ms:>7.1f}ms "
            f"{share:>6.3f} {bar}")
        r.update(share=share, engine=engine, hazards=hazards, bare=bare_rps)
    out(f"  {'bare Flask (mean of the two runs)':<62} {bare_rps:>8,.0f}")
    out()
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reads", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated: sqlite,postgresql")
    parser.add_argument("--hazards", default="100000",
                        type=lambda s: [int(x) for x in s.split(",")],
                        help="one size, or several for a scale table: 10000,100000,1000000")
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--seconds", type=float, default=6, help="wrk duration")
    parser.add_argument("--warmup", type=float, default=1, help="wrk warm-up run, seconds")
    parser.add_argument("--only", type=lambda s: s.split(","), default=None,
                        help="some of: " + ",".join(r[0] for r in REQUESTS))
    parser.add_argument("--url", action="append", default=[], help="another path to load")
    parser.add_argument("--sqlite-file", help="seed SQLite once into this file and reuse it")
    parser.add_argument("--keep-pg", metavar="PREFIX",
                        help="PostgreSQL: seed into database PREFIX_<hazards>, keep it, reuse it")
    args = parser.parse_args(argv)
    ensure_wrk()
    out(f"Anxun bench reads · {machine_line()} · {time.strftime('%Y-%m-%d %H:%M')}")
    sizes, results = args.hazards, []
    for engine in args.engines.split(","):
        if engine == "postgresql":
            why = postgres_reachable()
            if why:
                out(f"== postgresql: skipped, not reachable ({why})")
                continue
        for hazards in sizes:
            results += run_engine(engine, args, hazards)
    if len(sizes) > 1:
        scale_table(results, sizes)
    return 0


def scale_table(results: list[dict], sizes: list[int]) -> None:
    """p50 (and req/s) of each request at each size, side by side, per engine."""
    for engine in dict.fromkeys(r["engine"] for r in results):
        out(f"== scale, {engine}: p50 ms (req/s)")
        out(f"  {'request':<46}" + "".join(f"{n:>20,}" for n in sizes))
        for name in dict.fromkeys(r["name"] for r in results):
            cells = []
            for n in sizes:
                hit = [r for r in results if r["engine"] == engine and r["hazards"] == n
                       and r["name"] == name]
                cells.append(f"{hit[0]['load'].p50_ms:>9.1f} ({hit[0]['load'].rps:>6,.0f})"
                             if hit else f"{'':>18}")
            out(f"  {name:<46}" + "".join(f"{c:>20}" for c in cells))
        out()
