"""What the HTTP benchmarks share: a database made for the run (SQLite file or PostgreSQL
database, dropped afterwards), the ``flask`` command line against it, gunicorn serving Anxun (or
the bare Flask app of :mod:`bench.bare`) on a free port, logging in, and ``wrk``.

Everything runs as child processes of the bench, each stopped by its own process id.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORDS = {"admin": "anxun-admin-2023", "supervisor": "anxun-super-2023",
             "inspector": "anxun-check-2023", "officer": "anxun-safety-2023"}
ENGINES = ("sqlite", "postgresql")


def out(text: str = "") -> None:
    print(text, flush=True)


def machine_line() -> str:
    import platform
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"Python {platform.python_version()} · {platform.machine()} · {os.cpu_count()} CPUs "
            f"· load average {load}")


# --------------------------------------------------------------------------- databases
@contextmanager
def database(engine: str, keep: str | None = None):
    """``(url, tmp)``: an empty database of ``engine`` for the run and a temporary directory
    (instance dir, media); both removed afterwards. ``keep`` (PostgreSQL): the name of a
    database to reuse when it exists and to leave behind (seed once, measure several times;
    drop it yourself)."""
    with tempfile.TemporaryDirectory(prefix="anxun-bench-", ignore_cleanup_errors=True) as tmp_name:
        tmp = Path(tmp_name)
        if engine == "sqlite":
            yield f"sqlite:///{tmp}/bench.db", tmp
            return
        from sqlalchemy import create_engine, text

        from config import test_postgres_admin_url
        admin_url = test_postgres_admin_url()
        name = keep or f"anxun_bench_{os.getpid()}_{secrets.token_hex(3)}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name, tmp
        finally:
            if not keep:
                with admin.connect() as conn:
                    conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE datname = :n"), {"n": name})
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    try:
        from sqlalchemy import create_engine, text

        from config import test_postgres_admin_url
        engine = create_engine(test_postgres_admin_url(), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - reported, the bench goes on without it
        return f"{exc.__class__.__name__}: {exc}".splitlines()[0]
    return None


def app_env(url: str, tmp: Path, **more: str) -> dict:
    """The environment of every child process: Anxun's configuration (config.py) for this
    database, with the in-server periodic jobs off so they do not run during a measurement."""
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "wsgi.py", "ANXUN_ENV": "development", "DATABASE_URL": url,
        "ANXUN_INSTANCE_DIR": str(tmp / "instance"), "MEDIA_DIR": str(tmp / "media"),
        "ESCALATION_INTERVAL_S": "0", "MAINTENANCE_INTERVAL_S": "0",
        "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore",
    })
    env.update(more)
    return env


def flask(env: dict, *args: str) -> str:
    """Run ``flask ARGS`` against the bench database; its output (raises when it fails)."""
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def seeded_hazards(url: str) -> int:
    """How many hazards the database at ``url`` holds (0 when it has no schema yet)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM hazards")).scalar() or 0
    except Exception:  # noqa: BLE001 - no schema yet
        return 0
    finally:
        engine.dispose()


def seed(env: dict, *, enterprises: int, hazards: int) -> float:
    """``flask db upgrade`` then ``flask seed-demo --enterprises N --hazards M``; seconds. A
    kept database that already holds that many hazards is only upgraded."""
    started = time.perf_counter()
    if hazards and seeded_hazards(env["DATABASE_URL"]) >= hazards:
        flask(env, "db", "upgrade")
        return 0.0
    flask(env, "db", "upgrade")
    flask(env, "seed-demo", "--enterprises", str(enterprises), "--hazards", str(hazards))
    return time.perf_counter() - started


# --------------------------------------------------------------------------- gunicorn
#: base URL -> gunicorn master pid, of the servers running now
_servers: dict[str, int] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict, target: str = "wsgi:app", *, workers: int = 2, threads: int = 1,
             health: str = "/healthz", timeout_s: float = 60):
    """Serve ``target`` with gunicorn (``workers`` sync workers) on a free port; yields the
    base URL once ``health`` answers 200. Stopped (its process group) afterwards."""
    port = free_port()
    args = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
            f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "900"]
    if threads > 1:
        args += ["--threads", str(threads)]
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([*args, target], cwd=ROOT, env=env, stdout=log, stderr=log,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"gunicorn {target} exited:\n{log.read().decode()[-3000:]}")
            try:
                if requests.get(base + health, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {target} did not answer {health}")
            time.sleep(0.2)
        _servers[base] = proc.pid
        yield base
    finally:
        _servers.pop(base, None)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def login(base: str, username: str = "admin") -> requests.Session:
    """A requests session logged in as ``username`` (its cookie, and the CSRF header set)."""
    session = requests.Session()
    answer = session.post(base + "/api/v1/auth/login",
                          json={"username": username, "password": PASSWORDS[username]},
                          timeout=30)
    answer.raise_for_status()
    session.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return session


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


# --------------------------------------------------------------------------- wrk
def ensure_wrk() -> str:
    """The path of ``wrk``; installed through apt (Debian's package) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    out("  installing wrk (apt-get install wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed")
    return found


@dataclass
class Load:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int   # non-2xx/3xx answers and socket errors

    def ratio(self, bare: Load) -> float:
        return self.rps / bare.rps if bare.rps else 0.0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url: str, *, cookie: str | None = None, threads: int = 2, connections: int = 16,
        seconds: float = 6) -> Load:
    """``wrk -tT -cC -dDs --latency`` on ``url`` with the session cookie."""
    args = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
            "--latency", "--timeout", "30s"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    done = subprocess.run([*args, url], capture_output=True, text=True, check=True)
    text = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", text).group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                      text):
        errors += sum(int(x) for x in m.groups())
    return Load(rps, p50, p99, total, errors)
