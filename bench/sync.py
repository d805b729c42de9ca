"""``python -m bench sync``: the end of a day, when every phone comes back into signal.

``--phones`` phones (default 10), each logged in as an inspector of its own, push what they
recorded offline through the real API at once: an inspection, then ``--hazards`` hazards
(default 200), each followed by ``--photos`` finding photos (default 2, 1600 px JPEGs, every
one different), in outbox order, against gunicorn with two sync workers. A tenth of the items
are sent twice (an outbox retrying after a lost answer). Checked: every item answered 2xx
(the first time 201, a repeat 200), none twice in the database, no ``database is locked`` (no
5xx at all). Reported: records a second and the slowest phone's wait, on both engines.

    python -m bench sync
    python -m bench sync --engines sqlite --phones 4 --hazards 20
"""
from __future__ import annotations

import argparse
import hashlib
import io
import random
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from bench.servers import (ENGINES, app_env, database, flask, gunicorn, machine_line, out,
                           postgres_reachable, seed)

PASSWORD = "bench-phone-2023"


def base_jpeg(width: int = 1600, height: int = 1200, seed_: int = 0) -> bytes:
    """A photo-like 1600 px JPEG (gradients and noise, so it compresses like a photo)."""
    from PIL import Image, ImageFilter
    rng = random.Random(seed_)
    image = Image.effect_noise((width, height), 40 + seed_ % 20).convert("RGB")
    overlay = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image = Image.blend(image, overlay, 0.5).filter(ImageFilter.GaussianBlur(1))
    for _ in range(30):
        x, y = rng.randrange(width - 100), rng.randrange(height - 100)
        image.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)),
                    (x, y, x + rng.randrange(20, 100), y + rng.randrange(20, 100)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def distinct(jpeg: bytes, tag: str) -> bytes:
    """The same picture with a JPEG comment naming ``tag``: different bytes, same decode."""
    comment = tag.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


class Phone(threading.Thread):
    def __init__(self, base: str, index: int, enterprise_id: str, args, photos: list[bytes]):
        super().__init__(name=f"phone-{index}")
        self.base, self.index, self.enterprise_id, self.args = base, index, enterprise_id, args
        self.photos = photos
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.sent = 0
        self.seconds = 0.0
        self.rng = random.Random(index)

    def _send(self, session, method: str, path: str, **kwargs):
        for attempt in range(2 if self.rng.random() < 0.1 else 1):   # a retried outbox item
            answer = session.request(method, self.base + path, timeout=300, **kwargs)
            self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
            self.sent += 1
            if answer.status_code >= 300 or (attempt and answer.status_code != 200):
                self.errors.append(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
            if "database is locked" in answer.text:
                self.errors.append(f"{path}: database is locked")

    def run(self):
        import requests
        session = requests.Session()
        answer = session.post(self.base + "/api/v1/auth/login", json={
            "username": f"phone{self.index}", "password": PASSWORD}, timeout=60)
        answer.raise_for_status()
        session.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        started = time.perf_counter()
        now = datetime.now(timezone.utc) - timedelta(hours=2)
        inspection = str(uuid.uuid4())
        self._send(session, "POST", "/api/v1/inspections", json={
            "id": inspection, "enterprise_id": self.enterprise_id, "kind": "routine",
            "started_at": now.isoformat(), "location": {"lat": 29.533, "lng": 106.5,
                                                         "accuracy": 10}})
        for n in range(self.args.hazards):
            hazard = str(uuid.uuid4())
            self._send(session, "POST", "/api/v1/hazards", json={
                "id": hazard, "enterprise_id": self.enterprise_id, "inspection_id": inspection,
                "title": f"手机{self.index}隐患{n}", "description": "消防通道堵塞",
                "category": "fire", "level": "general",
                "found_at": (now + timedelta(seconds=20 * n)).isoformat(),
                "location": {"lat": 29.533, "lng": 106.5, "accuracy": 8}})
            for k in range(self.args.photos):
                data = distinct(self.photos[k % len(self.photos)], f"{self.index}-{n}-{k}")
                self._send(session, "POST", "/api/v1/photos", data={
                    "id": str(uuid.uuid4()), "hazard_id": hazard, "kind": "finding",
                    "sha256": hashlib.sha256(data).hexdigest()},
                    files={"file": (f"{n}-{k}.jpg", data, "image/jpeg")})
        self.seconds = time.perf_counter() - started


def run(engine: str, args) -> dict:
    from sqlalchemy import create_engine, text
    with database(engine) as (url, tmp):
        env = app_env(url, tmp)
        seed(env, enterprises=args.enterprises, hazards=0)
        eng = create_engine(url)
        with eng.connect() as conn:
            community = conn.execute(text("SELECT id FROM communities ORDER BY code")).scalar()
        for i in range(args.phones):
            flask(env, "users", "create", "--username", f"phone{i}", "--password", PASSWORD,
                  "--role", "inspector", "--community", community)
        with eng.connect() as conn:   # the phones' enterprises: in their community
            enterprises = conn.execute(text(
                "SELECT e.id FROM enterprises e JOIN communities c ON c.id = e.community_id "
                "WHERE c.id = :c ORDER BY e.id"), {"c": community}).scalars().all()
        with eng.connect() as conn:   # what the demo seeded already (tips' photos…)
            before = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("inspections", "hazards", "photos")}
        photos = [base_jpeg(seed_=i) for i in range(4)]
        with gunicorn(env, workers=2) as base:
            phones = [Phone(base, i, enterprises[i % len(enterprises)], args, photos)
                      for i in range(args.phones)]
            started = time.perf_counter()
            for phone in phones:
                phone.start()
            for phone in phones:
                phone.join()
            wall = time.perf_counter() - started
        with eng.connect() as conn:
            counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      - before[table] for table in ("inspections", "hazards", "photos")}
        eng.dispose()
    statuses: dict[int, int] = {}
    for phone in phones:
        for code, n in phone.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    records = args.phones * (1 + args.hazards * (1 + args.photos))
    errors = [e for phone in phones for e in phone.errors]
    want = {"inspections": args.phones, "hazards": args.phones * args.hazards,
            "photos": args.phones * args.hazards * args.photos}
    return {"engine": engine, "wall": wall, "records": records,
            "sent": sum(p.sent for p in phones), "statuses": statuses, "errors": errors,
            "slowest": max(p.seconds for p in phones), "fastest": min(p.seconds for p in phones),
            "counts": counts, "want": want}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sync", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--phones", type=int, default=10)
    parser.add_argument("--hazards", type=int, default=200, help="hazards per phone")
    parser.add_argument("--photos", type=int, default=2, help="photos per hazard")
    parser.add_argument("--enterprises", type=int, default=50)
    args = parser.parse_args(argv)
    out(f"Anxun bench sync · {machine_line()} · {time.strftime('%Y-%m-%d %H:%M')}")
    failed = False
    for engine in args.engines.split(","):
        if engine == "postgresql" and (why := postgres_reachable()):
            out(f"== postgresql: skipped, not reachable ({why})")
            continue
        out(f"== {engine}: {args.phones} phones × {args.hazards} hazards × {args.photos} "
            f"photos (1600 px JPEG), gunicorn 2 sync workers")
        r = run(engine, args)
        exact = r["counts"] == r["want"]
        failed |= bool(r["errors"]) or not exact
        out(f"  {r['records']:,} records ({r['sent']:,} requests with the retries) in "
            f"{r['wall']:.1f} s: {r['records'] / r['wall']:,.1f} records/s; slowest phone "
            f"{r['slowest']:.1f} s, fastest {r['fastest']:.1f} s")
        out(f"  answers {dict(sorted(r['statuses'].items()))}; stored {r['counts']} "
            f"({'each exactly once' if exact else 'EXPECTED ' + str(r['want'])}); "
            f"{len(r['errors'])} errors")
        for error in r["errors"][:10]:
            out(f"    {error}")
    return 1 if failed else 0
