"""The tamper-evident hazard trail (隐患事件链): sealing each event as it is written, and checking.

Every :class:`~app.hazards.models.HazardEvent` is sealed when it is flushed, whoever writes it
(a transition, an edit, a photo, an escalation, a move): it gets ``seq`` (1, 2, 3 … within its
hazard), ``prev_hash`` (the ``hash`` of the line before it), ``photo_sha256`` (the stored
SHA-256 of every photo it names in ``photo_ids``, ``photo_id``, ``reviewed_photo_ids`` or
``set_aside_photo_ids``) and ``hash``, the SHA-256 of :func:`canonical` of all of these and of
its own fields. The last seal of each hazard is kept in
:class:`~app.hazards.models.HazardEventHead`, whose row lock orders concurrent writers of one
trail (PostgreSQL; SQLite writers are serial already), so a trail never forks; a unique
``(hazard_id, seq)`` backs that up.

:func:`verify` (``flask audit verify``) recomputes every seal and reports each line that was
edited, deleted or inserted outside the application, and each named photo whose record (or, with
``files=True``, whose stored original) no longer has the recorded hash. Its ``digest`` (a hash of
every trail's head) can be written down elsewhere: someone able to rewrite the database and
recompute every seal would still change it.

The bulk generator (``app.reports.bulk_seed``) and migration 0003 (which sealed the events that
existed before) seal with the same :func:`event_hash`.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.core.db import new_id
from app.core.timeutil import utcnow
from app.errors import DomainError
from app.extensions import db
from app.hazards.models import Hazard, HazardEvent, HazardEventHead
from app.photos.models import Photo
from app.photos.storage import open_path

#: Bumped if the canonical form ever changes (it is part of every hash).
SCHEME = "anxun-hazard-event-v1"
#: Keys of ``HazardEvent.data`` that name photos.
PHOTO_KEYS = ("photo_id", "photo_ids", "reviewed_photo_ids", "set_aside_photo_ids")


# --------------------------------------------------------------------------- the seal
def at_text(value: datetime) -> str:
    """An event time as sealed: UTC, microseconds, ``Z``."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(*, prev_hash: str | None, event_id: str, hazard_id: str, seq: int,
              actor_id: str | None, action: str, from_state: str | None, to_state: str | None,
              at: str, note: str | None, lat: float | None, lng: float | None,
              accuracy_m: float | None, data, photo_sha256) -> bytes:
    """The bytes a seal hashes: a JSON array in a fixed order, keys sorted, no spaces."""
    return json.dumps(
        [SCHEME, prev_hash, event_id, hazard_id, seq, actor_id, action, from_state, to_state,
         at, note, lat, lng, accuracy_m, data, photo_sha256],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False,
    ).encode("utf-8")


def event_hash(**fields) -> str:
    """SHA-256 (hex) of :func:`canonical`."""
    return hashlib.sha256(canonical(**fields)).hexdigest()


def plain_event_hash(*, prev_hash: str | None, event_id: str, hazard_id: str, seq: int,
                     actor_id: str | None, action: str, from_state: str | None,
                     to_state: str | None, at_db_text: str, note: str | None) -> str:
    """:func:`event_hash` of an event without place, data or photos, its time given as the
    database text ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC) that bulk writers store."""
    return event_hash(prev_hash=prev_hash, event_id=event_id, hazard_id=hazard_id, seq=seq,
                      actor_id=actor_id, action=action, from_state=from_state,
                      to_state=to_state, at=at_db_text[:26].replace(" ", "T", 1) + "Z",
                      note=note, lat=None, lng=None, accuracy_m=None, data=None,
                      photo_sha256=None)


def named_photo_ids(data) -> list[str]:
    """The photos an event's ``data`` names, in order, once each."""
    if not isinstance(data, dict):
        return []
    ids: list[str] = []
    for key in PHOTO_KEYS:
        value = data.get(key)
        for photo_id in (value if isinstance(value, list) else [value] if value else []):
            if isinstance(photo_id, str) and photo_id not in ids:
                ids.append(photo_id)
    return ids


def _stored_json(value):
    """``value`` as the JSON column gives it back (tuples become lists, and so on)."""
    return None if value is None else json.loads(json.dumps(value))


def seal_fields(row, *, seq: int, prev_hash: str | None, photo_sha256) -> dict:
    """The fields :func:`event_hash` takes, from an event (ORM object or row)."""
    return dict(prev_hash=prev_hash, event_id=row.id, hazard_id=row.hazard_id, seq=seq,
                actor_id=row.actor_id, action=row.action, from_state=row.from_state,
                to_state=row.to_state, at=at_text(row.at), note=row.note, lat=row.lat,
                lng=row.lng, accuracy_m=row.accuracy_m, data=_stored_json(row.data),
                photo_sha256=photo_sha256)


# --------------------------------------------------------------------------- sealing on flush
@sa_event.listens_for(Session, "before_flush")
def _seal_new_events(session, flush_context, instances) -> None:
    """``before_flush`` of every session: seal the events about to be inserted, in the order
    they were added (imported with the app, as ``app.photos.storage`` hooks its commits)."""
    new = [obj for obj in session.new if isinstance(obj, HazardEvent)]
    if not new:
        return
    new.sort(key=lambda obj: inspect(obj).insert_order)
    hazard_ids = sorted({obj.hazard_id for obj in new})
    heads = _locked_heads(session, hazard_ids)
    photo_hashes = _photo_hashes(session, {pid for obj in new
                                           for pid in named_photo_ids(obj.data)})
    for obj in new:
        # the column defaults, set now because the seal covers them
        obj.id = obj.id or new_id()
        obj.at = obj.at or utcnow()
        head = heads.get(obj.hazard_id)
        named = named_photo_ids(obj.data)
        obj.photo_sha256 = {pid: photo_hashes.get(pid) for pid in named} or None
        obj.seq = (head.seq if head else 0) + 1
        obj.prev_hash = head.hash if head else None
        obj.hash = event_hash(**seal_fields(obj, seq=obj.seq, prev_hash=obj.prev_hash,
                                            photo_sha256=obj.photo_sha256))
        if head is None:
            head = HazardEventHead(hazard_id=obj.hazard_id, seq=obj.seq, hash=obj.hash)
            session.add(head)
            heads[obj.hazard_id] = head
        else:
            head.seq, head.hash = obj.seq, obj.hash


def _locked_heads(session, hazard_ids: list[str]) -> dict[str, HazardEventHead]:
    """The heads of these trails, locked until the transaction ends (PostgreSQL). A trail
    without a head yet is ordered by its hazard's row instead."""
    with session.no_autoflush:
        heads = {h.hazard_id: h for h in session.scalars(
            select(HazardEventHead).where(HazardEventHead.hazard_id.in_(hazard_ids))
            .order_by(HazardEventHead.hazard_id).with_for_update()
            .execution_options(populate_existing=True))}
        headless = [hid for hid in hazard_ids if hid not in heads]
        if headless and session.get_bind().dialect.name == "postgresql":
            session.execute(select(Hazard.id).where(Hazard.id.in_(headless)).order_by(Hazard.id)
                            .with_for_update(key_share=True))
            heads.update({h.hazard_id: h for h in session.scalars(
                select(HazardEventHead).where(HazardEventHead.hazard_id.in_(headless))
                .with_for_update().execution_options(populate_existing=True))})
    return heads


def _photo_hashes(session, photo_ids: set[str]) -> dict[str, str]:
    if not photo_ids:
        return {}
    found = {obj.id: obj.sha256 for obj in session.new
             if isinstance(obj, Photo) and obj.id in photo_ids}
    rest = photo_ids - found.keys()
    if rest:
        with session.no_autoflush:
            found.update(session.execute(select(Photo.id, Photo.sha256)
                                         .where(Photo.id.in_(sorted(rest)))).all())
    return found


# --------------------------------------------------------------------------- verifying
@dataclass(frozen=True)
class Finding:
    """One fault :func:`verify` found: ``kind`` is edited, deleted, inserted or photo."""

    kind: str
    hazard_id: str
    event_id: str | None
    detail: str

    def __str__(self) -> str:
        where = f"hazard {self.hazard_id}" + (f" event {self.event_id}" if self.event_id else "")
        return f"{self.kind:8s} {where}: {self.detail}"


@dataclass
class Report:
    hazards: int = 0
    events: int = 0
    photos: int = 0
    findings: list[Finding] = field(default_factory=list)
    digest: str = ""

    @property
    def ok(self) -> bool:
        return not self.findings


def _trails(batch: int) -> Iterator[list]:
    """Every event, one hazard's trail at a time, in ``seq`` order (unsealed rows last)."""
    query = (select(HazardEvent).order_by(HazardEvent.hazard_id, HazardEvent.seq.is_(None),
                                          HazardEvent.seq, HazardEvent.id)
             .execution_options(yield_per=batch))
    trail: list = []
    for row in db.session.scalars(query):
        if trail and trail[-1].hazard_id != row.hazard_id:
            yield trail
            trail = []
        trail.append(row)
    if trail:
        yield trail


def verify(*, files: bool = False, batch: int = 5000) -> Report:
    """Check every trail (see the module doc); the findings say what was changed and where."""
    report = Report()
    heads = {h.hazard_id: (h.seq, h.hash) for h in db.session.scalars(select(HazardEventHead))}
    head_digest = hashlib.sha256()
    for hazard_id in sorted(heads):
        head_digest.update(f"{hazard_id}:{heads[hazard_id][0]}:{heads[hazard_id][1]}\n".encode())
    report.digest = head_digest.hexdigest()
    recorded_photos: dict[str, set[tuple[str, str | None]]] = {}

    for trail in _trails(batch):
        hazard_id = trail[0].hazard_id
        report.hazards += 1
        report.events += len(trail)
        report.findings.extend(_check_trail(hazard_id, trail, heads.pop(hazard_id, None)))
        for row in trail:
            for pid, sha in (row.photo_sha256 or {}).items():
                recorded_photos.setdefault(pid, set()).add((hazard_id, sha))
    for hazard_id, (seq, _) in sorted(heads.items()):
        report.findings.append(Finding("deleted", hazard_id, None,
                                       f"all {seq} events of the trail are gone"))
    report.findings.extend(_check_photos(recorded_photos, files, report))
    return report


def _check_trail(hazard_id: str, trail: list, head) -> Iterable[Finding]:
    expected, prev = 1, None
    for row in trail:
        if row.seq is None or row.hash is None:
            yield Finding("inserted", hazard_id, row.id, "a row without a seal")
            continue
        if head is not None and row.seq > head[0]:
            yield Finding("inserted", hazard_id, row.id,
                          f"#{row.seq} follows the last sealed line (#{head[0]})")
            continue
        if row.seq < expected:
            yield Finding("inserted", hazard_id, row.id, f"a second #{row.seq}")
            continue
        if row.seq > expected:
            missing = (f"#{expected}" if row.seq == expected + 1
                       else f"#{expected}–#{row.seq - 1}")
            yield Finding("deleted", hazard_id, None, f"{missing} missing before #{row.seq}")
            prev = row.prev_hash  # carry on from what this row says came before
        sealed = event_hash(**seal_fields(row, seq=row.seq, prev_hash=row.prev_hash,
                                          photo_sha256=row.photo_sha256))
        if sealed != row.hash:
            yield Finding("edited", hazard_id, row.id, f"#{row.seq} does not match its seal")
        elif row.prev_hash != prev:
            yield Finding("edited", hazard_id, row.id,
                          f"#{row.seq} does not follow #{row.seq - 1} (chain broken)")
        expected, prev = row.seq + 1, row.hash
    last = expected - 1
    if head is None:
        if trail:
            yield Finding("inserted", hazard_id, None, "a trail whose head was never recorded")
    elif last < head[0]:
        missing = f"#{head[0]}" if last + 1 == head[0] else f"#{last + 1}–#{head[0]}"
        yield Finding("deleted", hazard_id, None, f"{missing} missing at the end")
    elif prev != head[1] and last == head[0]:
        yield Finding("edited", hazard_id, None, f"#{last} is not the sealed last line")


def _check_photos(recorded: dict, files: bool, report: Report) -> Iterable[Finding]:
    ids = sorted(recorded)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        stored = {p.id: p for p in db.session.scalars(select(Photo).where(Photo.id.in_(chunk)))}
        for pid in chunk:
            report.photos += 1
            photo = stored.get(pid)
            for hazard_id, sha in sorted(recorded[pid]):
                if photo is None:
                    yield Finding("photo", hazard_id, None, f"photo {pid} is gone")
                elif photo.sha256 != sha:
                    yield Finding("photo", hazard_id, None,
                                  f"photo {pid}: its record says {photo.sha256}, the trail {sha}")
            if files and photo is not None:
                try:
                    content = open_path(photo.original_path).read_bytes()
                    actual = hashlib.sha256(content).hexdigest()
                except (DomainError, OSError, ValueError):
                    actual = None
                if actual != photo.sha256:
                    hazard_id = sorted(recorded[pid])[0][0]
                    yield Finding("photo", hazard_id, None,
                                  f"photo {pid}: the stored original "
                                  + ("is missing" if actual is None else f"hashes to {actual}"))
