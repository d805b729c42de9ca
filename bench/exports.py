"""``python -m bench exports``: the hazard ledger (隐患台账) of every hazard, CSV and XLSX,
streamed: time to the first byte, the whole download, and the serving worker's peak memory.

For each size (``--hazards 100000,1000000``) a database is seeded; for each format a fresh
gunicorn with one sync worker serves it; the worker's peak resident memory (``VmHWM`` in
/proc) is read after a small request (the baseline) and again after the whole ledger was
downloaded by an admin. Issue 18 asks: first byte under a second at a million hazards, and a
peak that does not grow with the row count (under 50 MB between 100k and 1M).

    python -m bench exports --engines postgresql --hazards 100000,1000000
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.servers import (ENGINES, _servers, app_env, database, gunicorn, login, machine_line,
                           out, postgres_reachable, seed)

FORMATS = (("CSV", "/api/v1/reports/hazard-ledger.csv"),
           ("XLSX", "/api/v1/reports/hazard-ledger.xlsx"))


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def measure(env: dict, path: str) -> dict:
    with gunicorn(env, workers=1) as base:
        worker = _worker_pid(_servers[base])
        session = login(base, "admin")
        session.get(base + "/api/v1/hazards?per_page=50", timeout=60).raise_for_status()
        session.get(base + "/api/v1/dashboard", timeout=120).raise_for_status()
        before = _peak_kb(worker)
        started = time.perf_counter()
        first = None
        size = 0
        with session.get(base + path, stream=True, timeout=600) as answer:
            answer.raise_for_status()
            for chunk in answer.iter_content(chunk_size=65536):
                if first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
        total = time.perf_counter() - started
        after = _peak_kb(worker)
    return {"first_s": first, "total_s": total, "bytes": size, "before_mb": before / 1024,
            "after_mb": after / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench exports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--hazards", default="100000,1000000",
                        type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--keep-pg", metavar="PREFIX",
                        help="PostgreSQL: seed into database PREFIX_<hazards>, keep it, reuse it")
    args = parser.parse_args(argv)
    out(f"Anxun bench exports · {machine_line()} · {time.strftime('%Y-%m-%d %H:%M')}")
    results = []
    for engine in args.engines.split(","):
        if engine == "postgresql" and (why := postgres_reachable()):
            out(f"== postgresql: skipped, not reachable ({why})")
            continue
        for n in args.hazards:
            keep = (f"{args.keep_pg}_{n}" if args.keep_pg and engine == "postgresql"
                    else None)
            with database(engine, keep) as (url, tmp):
                env = app_env(url, tmp)
                seconds = seed(env, enterprises=args.enterprises, hazards=n)
                out(f"== {engine}, {n:,} hazards (seeded in {seconds:.0f} s)")
                for name, path in FORMATS:
                    r = measure(env, path)
                    r.update(engine=engine, hazards=n, format=name)
                    results.append(r)
                    out(f"  {name:<5} first byte {r['first_s']:.2f} s, whole {r['total_s']:.1f} s, "
                        f"{r['bytes'] / 1e6:,.0f} MB; worker peak {r['before_mb']:.0f} MB before, "
                        f"{r['after_mb']:.0f} MB after (+{r['after_mb'] - r['before_mb']:.0f} MB)")
    out()
    out(f"  {'engine':<11} {'hazards':>9} {'format':<5} {'first byte':>10} {'whole':>8} "
        f"{'size':>8} {'peak before':>11} {'peak after':>10} {'growth':>7}")
    for r in results:
        out(f"  {r['engine']:<11} {r['hazards']:>9,} {r['format']:<5} {r['first_s']:>9.2f}s "
            f"{r['total_s']:>7.1f}s {r['bytes'] / 1e6:>6.0f}MB {r['before_mb']:>9.0f}MB "
            f"{r['after_mb']:>8.0f}MB {r['after_mb'] - r['before_mb']:>+6.0f}MB")
    return 0
