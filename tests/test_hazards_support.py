"""Shared set-up for the inspection, hazard and photo tests: one 街道 with people in every role.

Imported by tests/test_hazards*.py, test_inspections*.py, test_photos*.py; holds no tests itself.
"""
from __future__ import annotations

import hashlib
import io
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

PHOTOS = Path(__file__).parent / "data" / "photos"
ROLES = ("admin", "supervisor", "inspector", "officer")
FULL_PLAN = {
    "goals_tasks": "消除配电房积水及线路老化隐患", "methods_measures": "更换电缆，加装排水泵",
    "funds_materials": "5万元，电缆200米", "responsible_body": "设备部",
    "responsible_people": "张三（设备部经理）", "deadline": "2030-06-30",
    "safety_measures": "停电作业，挂牌上锁", "emergency_plan": "触电应急预案已演练",
}


def photo_bytes(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plain_photo(seed: str) -> bytes:
    """A small JPEG without EXIF whose pixels come from ``seed``: a rectification photo that
    raises no evidence flag (no capture time, no place, bytes no other hazard has)."""
    digest = hashlib.sha256(seed.encode()).digest()
    image = Image.new("RGB", (320, 240), tuple(digest[:3]))
    ImageDraw.Draw(image).rectangle((40, 30, 200, 180), fill=tuple(digest[3:6]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def iso(dt: datetime) -> str:
    return dt.isoformat()


def now() -> datetime:
    return datetime.now(timezone.utc)


class _LazyUsers(dict):
    """Users are made on first use: each costs an Argon2 hash."""

    def __init__(self, makers):
        super().__init__()
        self._makers = makers

    def __missing__(self, name):
        self[name] = self._makers[name]()
        return self[name]


class World:
    """A community with an enterprise (and a neighbour), another community far away, a user of
    every role, an officer of the neighbour enterprise and an inspector of the far community."""

    def __init__(self, app, factory, client_for):
        self.app = app
        self.factory = factory
        self._client_for = client_for
        self._clients: dict = {}
        self.community = factory.community(name="乌龙社区")
        self.far_community = factory.community(name="远方社区")
        self.enterprise = factory.enterprise(self.community, name="乌龙精密机械有限公司",
                                             lat=29.533, lng=106.5)
        self.neighbour = factory.enterprise(self.community, name="乌龙化工有限公司",
                                            lat=29.54, lng=106.51)
        self.far_enterprise = factory.enterprise(self.far_community, name="远方商贸有限公司")
        self.users = _LazyUsers({
            "admin": lambda: factory.user("admin"),
            "supervisor": lambda: factory.user("supervisor", communities=[self.community]),
            "inspector": lambda: factory.user("inspector", communities=[self.community]),
            "officer": lambda: factory.user("officer", enterprise=self.enterprise),
            "other_officer": lambda: factory.user("officer", enterprise=self.neighbour),
            "far_inspector": lambda: factory.user("inspector", communities=[self.far_community]),
            "far_supervisor": lambda: factory.user("supervisor",
                                                   communities=[self.far_community]),
        })

    def client(self, who: str):
        if who not in self._clients:
            self._clients[who] = self._client_for(self.users[who])
        return self._clients[who]

    # ------------------------------------------------------------------ API shortcuts
    def hazard_body(self, level="general", **overrides) -> dict:
        body = {"enterprise_id": self.enterprise.id, "title": "配电箱未接地",
                "description": "一楼车间配电箱外壳未接地，线路裸露", "category": "electrical",
                "level": level, "found_at": iso(now() - timedelta(hours=1)),
                "place": "一楼车间", "location": {"lat": 29.5331, "lng": 106.5001,
                                                 "accuracy": 8.0}}
        body.update(overrides)
        return body

    def create_hazard(self, level="general", who="inspector", **overrides) -> dict:
        response = self.client(who).post("/api/v1/hazards", json=self.hazard_body(level,
                                                                                   **overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def hazard(self, hazard_id: str, who="supervisor") -> dict:
        response = self.client(who).get(f"/api/v1/hazards/{hazard_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def upload(self, hazard_id: str, kind="rectification", who="officer", name=None,
               data: bytes | None = None, filename: str | None = None, **form):
        """Upload a photo: ``name`` from tests/data/photos, or ``data``; by default a finding is
        DSCN0010.jpg and a step photo a :func:`plain_photo` of its own (a real phone photo
        from 2008 in Italy would be flagged as evidence: see tests/test_evidence_flags.py)."""
        if data is None and name is None:
            name = "DSCN0010.jpg" if kind == "finding" else "plain.jpg"
            content = photo_bytes(name) if kind == "finding" else plain_photo(
                f"{hazard_id}:{kind}")
        else:
            content = photo_bytes(name) if data is None else data
        fields = {"hazard_id": hazard_id, "kind": kind, **form}
        fields["file"] = (io.BytesIO(content), filename or name or "photo.jpg", "image/jpeg")
        return self.client(who).post("/api/v1/photos", data=fields,
                                     content_type="multipart/form-data")

    def act(self, hazard_id: str, action: str, who: str, *, version: int | None = None, **body):
        if version is None:
            version = self.hazard(hazard_id)["version"]
        return self.client(who).post(f"/api/v1/hazards/{hazard_id}/transitions",
                                     json={"action": action, "version": version, **body})

    def ok(self, hazard_id: str, action: str, who: str, **body) -> dict:
        response = self.act(hazard_id, action, who, **body)
        assert response.status_code == 200, (action, who, response.get_json())
        return response.get_json()

    def patch(self, hazard_id: str, who: str, **body):
        version = body.pop("version", None) or self.hazard(hazard_id)["version"]
        return self.client(who).patch(f"/api/v1/hazards/{hazard_id}",
                                      json={"version": version, **body})

    def ready_hazard(self, level="general", **overrides) -> dict:
        """A reported hazard that can go all the way: a rectification photo, a full plan."""
        hazard = self.create_hazard(level, **overrides)
        assert self.upload(hazard["id"]).status_code == 201
        if level == "major":
            assert self.patch(hazard["id"], "officer", governance_plan=FULL_PLAN).status_code == 200
        return self.hazard(hazard["id"])

    PATH = (("reported", None, None), ("rectifying", "acknowledge", "officer"),
            ("submitted", "submit", "officer"), ("verified", "verify", "supervisor"),
            ("closed", "close", "supervisor"), ("archived", "archive", "supervisor"))

    def hazard_in(self, state: str, level="general", **overrides) -> dict:
        hazard = self.ready_hazard(level, **overrides)
        for target, action, who in self.PATH:
            if action:
                self.ok(hazard["id"], action, who)
            if target == state:
                return self.hazard(hazard["id"])
        raise AssertionError(state)

    # ------------------------------------------------------------------ database
    def count(self, model, **where) -> int:
        from sqlalchemy import func, select

        from app.extensions import db
        with self.app.app_context():
            stmt = select(func.count()).select_from(model)
            for name, value in where.items():
                stmt = stmt.where(getattr(model, name) == value)
            return db.session.scalar(stmt)


@pytest.fixture
def world(app, factory, client_for):
    return World(app, factory, client_for)


def media_files(media_dir) -> set[str]:
    """Every file (not directory) under MEDIA_DIR, relative."""
    root = Path(str(media_dir))
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and not p.name.startswith("gunicorn-")}


def new_id() -> str:
    return str(uuid.uuid4())
