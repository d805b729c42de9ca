"""``python -m bench compare``: CPU a request of the everyday reads at several commits, in turn.

Each commit is exported (``git archive``) and served in a process of its own through the Flask
test client, built as ``wsgi.py`` builds it (the periodic jobs' hooks in place with hour-long
intervals, so none runs during the measurement; ``gc.freeze()`` when that commit's ``wsgi.py``
calls it), against a copy of one seeded SQLite file. The processes take turns, a batch of
``--repeat`` requests each, for ``--rounds`` rounds, so that every commit sees the same load of a
shared machine; printed per read: the median batch's CPU time a request
(``time.process_time``) and the SQL statements of one request.

    python -m bench compare --sqlite-file /tmp/b.db e158e39 HEAD
    python -m bench compare --sqlite-file /tmp/b.db --reads list,detail --rounds 9 A B C

The file is made once by ``python -m bench reads --sqlite-file /tmp/b.db`` or ``flask seed-demo
--enterprises 2000 --hazards 100000`` with ``DATABASE_URL=sqlite:////tmp/b.db``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import PASSWORDS, ROOT, out

READS = {"list": "/api/v1/hazards?per_page=20",
         "filtered": "/api/v1/hazards?state=rectifying&overdue=true&per_page=20",
         "detail": "/api/v1/hazards/{hazard}", "enterprise": "/api/v1/enterprises/{enterprise}",
         "healthz": "/healthz"}


def child(root: str, database: str, user: str) -> None:
    """One commit's process: answers ``PATH N`` lines with ``{"cpu", "statements"}``."""
    import gc
    import warnings
    warnings.filterwarnings("ignore")
    sys.path.insert(0, root)
    os.chdir(root)
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    with tempfile.TemporaryDirectory(prefix="anxun-compare-") as tmp:
        shutil.copy(database, Path(tmp, "bench.db"))
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "MEDIA_DIR": f"{tmp}/media", "ESCALATION_INTERVAL_S": 3600,
                          "MAINTENANCE_INTERVAL_S": 3600, "OUTREACH_INTERVAL_S": 3600})
        if "gc.freeze()" in Path(root, "wsgi.py").read_text():
            gc.freeze()
        client = app.test_client()
        answer = client.post("/api/v1/auth/login",
                             json={"username": user, "password": PASSWORDS[user]})
        assert answer.status_code == 200, answer.get_json()
        first = client.get("/api/v1/hazards?per_page=1").get_json()["items"][0]
        ids = {"hazard": first["id"], "enterprise": first["enterprise_id"]}
        with app.app_context():
            engine = db.engine
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_rest):
            statements.append(statement)

        print("ready", flush=True)
        for line in sys.stdin:
            path, n = line.split()
            path = path.format(**ids)
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            client.get(path).close()
            event.remove(engine, "before_cursor_execute", count)
            cpu = time.process_time()
            for _ in range(int(n)):
                client.get(path).close()
            cpu = (time.process_time() - cpu) / int(n)
            print(json.dumps({"cpu": cpu, "statements": len(statements)}), flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commits", nargs="*", help="commits to compare (default: HEAD)")
    parser.add_argument("--sqlite-file", help="a seeded SQLite file (copied, never changed)")
    parser.add_argument("--reads", default=",".join(READS))
    parser.add_argument("--user", default="admin", choices=sorted(PASSWORDS))
    parser.add_argument("--repeat", type=int, default=100, help="requests a batch")
    parser.add_argument("--rounds", type=int, default=7, help="batches per commit and read")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.sqlite_file, args.user)
        return 0
    if not args.sqlite_file:
        parser.error("--sqlite-file")
    commits = args.commits or ["HEAD"]
    with tempfile.TemporaryDirectory(prefix="anxun-compare-") as tmp:
        kids = []
        for commit in commits:
            tree = Path(tmp, commit.replace("/", "_"))
            tree.mkdir()
            archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            kid = subprocess.Popen(
                [sys.executable, "-m", "bench", "compare", "--child", str(tree),
                 "--sqlite-file", str(Path(args.sqlite_file).resolve()), "--user", args.user],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            if kid.stdout.readline().strip() != "ready":
                raise RuntimeError(f"{commit} did not start")
            kids.append(kid)

        def ask(kid, path):
            kid.stdin.write(f"{path} {args.repeat}\n")
            kid.stdin.flush()
            return json.loads(kid.stdout.readline())

        out(f"CPU ms a request (median of {args.rounds} batches of {args.repeat}, the commits "
            f"in turn) [SQL statements]; load average "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        out("request     " + " ".join(f"{c[:12]:>13}" for c in commits))
        for name in args.reads.split(","):
            got: list[list[dict]] = [[] for _ in kids]
            for i in range(args.rounds):
                order = range(len(kids)) if i % 2 == 0 else reversed(range(len(kids)))
                for k in order:
                    got[k].append(ask(kids[k], READS.get(name, name)))
            out(f"{name:<11} " + " ".join(
                f"{statistics.median(x['cpu'] for x in g) * 1000:>8.2f} [{g[0]['statements']}]"
                for g in got))
        for kid in kids:
            kid.stdin.close()
            kid.wait()
    return 0
