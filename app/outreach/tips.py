"""Public reports (举报): what anyone may send without logging in, what the reporter may look up
with its tracking code, and the supervisors' triage (accept as a hazard, or decline).

Services flush; the request commits. A tip's images go through the photo intake like every
photo (:func:`app.photos.intake.process`), all of them before anything is stored: a tip whose
third image is refused is refused whole. Nothing here renders tip text as HTML; it is stored
and answered as plain text.

The reporter's ``contact`` is set on a loaded tip as ``shown_contact`` for supervisors only
(capability ``tip.read_contact``); the output schema reads that attribute, so an answer for
anyone else has no contact at all.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from app.auth.choices import SUPERVISOR
from app.auth.models import User
from app.core.db import new_id
from app.core.i18n import best_language, localize, split_bilingual
from app.core.idempotency import CreateResult, create_or_replay, payload_hash
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.core.permissions import can, in_scope, require
from app.core.timeutil import utcnow
from app.core.workflow import apply
from app.errors import Conflict, DomainError, Invalid, NotFound
from app.extensions import db
from app.hazards.choices import FINDING, SOURCE_TIP
from app.hazards.operations import create_hazard, record_event
from app.notifications import choices as kinds
from app.notifications.operations import notify, supervisors_of
from app.outreach.choices import DECLINE_REASONS, DEFAULT_ANSWERS, RECEIVED
from app.outreach.models import Tip, TipEvent, TipPhoto
from app.outreach.scope import get_tip, tip_clause
from app.outreach.workflow import TIP_WORKFLOW
from app.photos import intake, storage
from app.photos.imaging import DecoderBusy
from app.photos.models import Photo
from app.registry import moves
from app.registry.models import Enterprise

#: A tip carries at most this many images (CONTRACT.md).
MAX_PHOTOS = 3
#: Tracking codes (查询码): 12 characters from 31 that cannot be mistaken for one another
#: (no 0/O, 1/I/L), about 59 bits, shown as XXXX-XXXX-XXXX.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
#: Where a tip's photo files live under MEDIA_DIR (apart from the hazards' photo directories).
MEDIA_PREFIX = "tips"


# --------------------------------------------------------------------------- the gate QR code
def enterprise_by_token(token: str | None, *, for_share: bool = False) -> Enterprise | None:
    if not token:
        return None
    query = select(Enterprise).where(Enterprise.qr_token == token)
    if for_share:
        query = query.with_for_update(read=True)
    return db.session.scalar(query)


def public_enterprise(token: str) -> dict:
    """What a stranger who scans the gate QR code reads: the name, the community and the risk
    colour, nothing personal (no phone, no names, no credit code). Unknown or rotated: 404."""
    enterprise = enterprise_by_token(token)
    if enterprise is None:
        raise NotFound("二维码无效或已更换 / Unknown or replaced QR code.", field="token")
    return {"name": enterprise.name, "community": enterprise.community.name,
            "risk_level": enterprise.risk_level}


# --------------------------------------------------------------------------- tracking codes
def new_tracking_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str | None:
    """A typed code as stored (upper case, dashes where they belong), or None if it cannot be
    one; O and I/L typed for 0 and 1 are read as the letters they cannot be."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def public_answer(tip: Tip) -> str:
    """What the reporter reads: the supervisor's own words, else the standard answer of the
    tip's state or decline reason, in the reader's language."""
    if tip.answer:
        return tip.answer
    key = tip.decline_reason if tip.decline_reason else tip.state
    return localize(DEFAULT_ANSWERS.get(key, DEFAULT_ANSWERS[RECEIVED]), best_language())


def lookup(code: str) -> dict:
    """The tracking page (查询): state, when it was received, the answer. Nothing internal."""
    normal = normalise_code(code)
    tip = db.session.scalar(select(Tip).where(Tip.tracking_code == normal)) if normal else None
    if tip is None:
        raise NotFound("查询码不存在，请核对 / No report has this tracking code.",
                       field="tracking_code")
    return {"tracking_code": tip.tracking_code, "state": tip.state,
            "received_at": tip.received_at, "triaged_at": tip.triaged_at,
            "answer": public_answer(tip)}


# --------------------------------------------------------------------------- a new tip
def read_uploads(files: list) -> list[bytes]:
    """The bytes of a tip's uploaded images (each within PHOTO_MAX_BYTES); more than
    :data:`MAX_PHOTOS` is refused before any is read. An empty part (a form's unused file
    input) is no image."""
    files = [f for f in files if f is not None and (f.filename or f.content_length)]
    if len(files) > MAX_PHOTOS:
        raise Invalid(f"最多附 {MAX_PHOTOS} 张照片 / At most {MAX_PHOTOS} photos.", field="files")
    uploads = []
    for n, file_storage in enumerate(files, start=1):
        try:
            uploads.append(intake.read_upload(file_storage))
        except DomainError as exc:
            raise _photo_refused(exc, n) from None
    return uploads


def _photo_refused(exc: DomainError, n: int) -> DomainError:
    """The intake's refusal of the ``n``-th image, naming ``files`` and which one."""
    halves = split_bilingual(exc.detail) or (exc.detail, exc.detail)
    detail = f"第 {n} 张照片：{halves[0]} / Photo {n}: {halves[1]}"
    return type(exc)(detail, field="files", headers=exc.headers)


@dataclass
class _Staged:
    photos: list = None
    enterprise: Enterprise | None = None


def _location(data: dict) -> dict:
    location = data.get("location") or {}
    return {"lat": location.get("lat"), "lng": location.get("lng"),
            "accuracy_m": location.get("accuracy")}


def create_tip(data: dict, uploads: list[bytes]) -> CreateResult:
    """举报: a tip from anyone, with up to three images (idempotent by client id: the phone's
    outbox may send it twice). Answers the tip with its tracking code."""
    if len(uploads) > MAX_PHOTOS:
        raise Invalid(f"最多附 {MAX_PHOTOS} 张照片 / At most {MAX_PHOTOS} photos.", field="files")
    text = (data.get("text") or "").strip()
    if not text:
        raise Invalid("请写下您看到的问题 / Say what you saw.", field="text")
    limit = current_app.config["TIP_TEXT_MAX_CHARS"]
    if len(text) > limit:
        raise Invalid(f"举报内容最多 {limit} 字 / At most {limit} characters.", field="text")
    contact = (data.get("contact") or "").strip() or None
    body = {"text": text, "token": data.get("token") or None, "contact": contact,
            "location": data.get("location") or None,
            "photos": [hashlib.sha256(content).hexdigest() for content in uploads]}
    staged = _Staged()

    def build(tip_id: str, body_hash: str) -> Tip:
        enterprise = None
        if body["token"]:
            # FOR SHARE: a move to another community waits for this tip, or it for the move.
            enterprise = enterprise_by_token(body["token"], for_share=True)
            if enterprise is None:
                raise Invalid("二维码无效或已更换 / Unknown or replaced QR code.", field="token")
        images = []
        for n, content in enumerate(uploads, start=1):
            try:
                images.append((content, intake.process(content)))
            except DecoderBusy:
                raise
            except DomainError as exc:
                raise _photo_refused(exc, n) from None
        staged.photos, staged.enterprise = images, enterprise
        return Tip(id=tip_id, payload_hash=body_hash, tracking_code=new_tracking_code(),
                   enterprise_id=enterprise.id if enterprise else None,
                   community_id=enterprise.community_id if enterprise else None,
                   text=text, contact=contact, state=TIP_WORKFLOW.initial,
                   received_at=utcnow(), **_location(body))

    result = create_or_replay(Tip, data.get("id"), body, build, user=None,
                              scope=lambda _user, _tip: True)
    if result.created:
        tip = result.record
        _store_photos(tip, staged.photos)
        db.session.add(TipEvent(tip_id=tip.id, action="receive", from_state=None,
                                to_state=tip.state, at=tip.received_at,
                                data={"photos": len(staged.photos)}))
        db.session.flush()
        _tell_supervisors(tip, staged.enterprise)
    return result


def _store_photos(tip: Tip, images: list) -> None:
    for position, (content, image) in enumerate(images, start=1):
        photo_id = new_id()
        rel_dir = f"{MEDIA_PREFIX}/{storage.new_photo_dir(photo_id, tip.received_at)}"
        db.session.add(TipPhoto(
            id=photo_id, tip_id=tip.id, position=position, sha256=image.sha256, mime=image.mime,
            size=image.size, width=image.width, height=image.height, taken_at=image.taken_at,
            exif_lat=image.exif_lat, exif_lng=image.exif_lng,
            original_path=f"{rel_dir}/original.{image.ext}", full_path=f"{rel_dir}/full.jpg",
            thumb_path=f"{rel_dir}/thumb.jpg", created_at=tip.received_at))
        db.session.flush()
        # The files go again if the request does not commit (app.photos.storage).
        storage.write_files(rel_dir, {f"original.{image.ext}": content,
                                      "full.jpg": image.full_jpeg, "thumb.jpg": image.thumb_jpeg})


def triagers_of(tip: Tip) -> list[User]:
    """Who triages a tip: the supervisors of its community; every supervisor for a tip made
    without an enterprise."""
    if tip.community_id:
        return supervisors_of(tip.community_id)
    return list(db.session.scalars(select(User).where(
        User.role == SUPERVISOR, User.active.is_(True)).order_by(User.username)))


def _excerpt(text: str, n: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= n else line[:n - 1] + "…"


def _tell_supervisors(tip: Tip, enterprise: Enterprise | None) -> None:
    where = enterprise.name if enterprise else "未指明企业"
    notify(triagers_of(tip), kind=kinds.TIP_RECEIVED, title=f"新的群众举报：{where}",
           body=_excerpt(tip.text), subject_type="tip", subject_id=tip.id)


# --------------------------------------------------------------------------- reading
def triage_due(now: datetime | None = None) -> datetime:
    """Tips received before this instant and still untriaged are late (TIP_TRIAGE_DAYS)."""
    return (now or utcnow()) - timedelta(days=current_app.config["TIP_TRIAGE_DAYS"])


def _shown(user, tips):
    """Set what an answer computes on each tip: the contact (supervisors only), whether it is
    late, what ``user`` may do with it now."""
    due = triage_due()
    reads_contact = can(user, "tip.read_contact")
    for tip in tips:
        if reads_contact:
            tip.shown_contact = tip.contact
        tip.overdue = tip.state == RECEIVED and tip.received_at <= due
        tip.allowed_actions = TIP_WORKFLOW.actions_for(tip, user.role)
    return tips


def list_tips(user, args: dict) -> Page:
    """举报 in the user's reach, untriaged first, then newest first."""
    require(user, "tip.read")
    conditions = [tip_clause(user)]
    for name in ("state", "enterprise_id", "community_id"):
        if args.get(name):
            conditions.append(getattr(Tip, name) == args[name])
    if args.get("overdue") is not None:
        late = and_(Tip.state == RECEIVED, Tip.received_at <= triage_due())
        conditions.append(late if args["overdue"] else ~late)
    untriaged_first = (Tip.state != RECEIVED)
    page = paginate(select(Tip).where(*conditions)
                    .options(selectinload(Tip.enterprise), selectinload(Tip.photos))
                    .order_by(untriaged_first, Tip.received_at.desc(), Tip.id),
                    args["page"], args["per_page"])
    _shown(user, page.items)
    return page


def summary(user) -> dict:
    """The tips inbox's badge: untriaged tips in reach, and how many of them are late."""
    require(user, "tip.read")
    late = func.sum(case((Tip.received_at <= triage_due(), 1), else_=0))
    untriaged, overdue = db.session.execute(
        select(func.count(), late).where(tip_clause(user), Tip.state == RECEIVED)).one()
    return {"untriaged": int(untriaged or 0), "overdue": int(overdue or 0)}


def get_tip_detail(user, tip_id: str) -> Tip:
    tip = get_tip(user, tip_id)
    tip.events = list(db.session.scalars(
        select(TipEvent).where(TipEvent.tip_id == tip.id)
        .options(selectinload(TipEvent.actor)).order_by(TipEvent.at, TipEvent.id)))
    return _shown(user, [tip])[0]


def tip_photo_file(user, tip_id: str, photo_id: str, variant: str):
    """``(path, mime, photo)`` of a tip's photo, for whoever may see the tip; 404 otherwise."""
    tip = get_tip(user, tip_id)
    photo = db.session.get(TipPhoto, str(photo_id))
    if photo is None or photo.tip_id != tip.id:
        raise NotFound("照片不存在 / Photo not found.")
    path, mime = storage.stored_file(photo, variant)
    return path, mime, photo


# --------------------------------------------------------------------------- triage
def _hazard_body(tip: Tip, given: dict, now: datetime) -> dict:
    """The create body of the hazard an accepted tip becomes: what the supervisor gave, the
    tip's text and place by default. Never the reporter's contact."""
    first_line = tip.text.strip().splitlines()[0] if tip.text.strip() else ""
    body = {
        "enterprise_id": given.get("enterprise_id") or tip.enterprise_id,
        "title": (given.get("title") or "").strip() or _excerpt(first_line, 60),
        "description": given.get("description") if given.get("description") is not None
        else tip.text,
        "category": given["category"], "level": given["level"], "found_at": now,
        "place": given.get("place", ""), "responsible": given.get("responsible", ""),
    }
    if given.get("id"):
        body["id"] = given["id"]
    if given.get("deadline"):
        body["deadline"] = given["deadline"]
    if tip.lat is not None and tip.lng is not None:
        body["location"] = {"lat": tip.lat, "lng": tip.lng, "accuracy": tip.accuracy_m}
    return body


def _check_enterprise(user, enterprise_id: str | None) -> None:
    if not enterprise_id:
        raise Invalid("请指明隐患所在企业 / Name the enterprise the hazard is at.",
                      field="hazard.enterprise_id")
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not in_scope(user, enterprise):
        raise Invalid("企业不存在 / Unknown enterprise.", field="hazard.enterprise_id")


def _attach_photos(user, hazard, tip: Tip, now: datetime) -> list[str]:
    """The tip's images become the hazard's finding photos (the same stored files), each with
    its ``add_photo`` line in the hazard's trail."""
    ids = []
    for tip_photo in tip.photos:
        photo = Photo(id=new_id(), hazard_id=hazard.id, kind=FINDING, uploader_id=user.id,
                      sha256=tip_photo.sha256, mime=tip_photo.mime, size=tip_photo.size,
                      width=tip_photo.width, height=tip_photo.height,
                      taken_at=tip_photo.taken_at, exif_lat=tip_photo.exif_lat,
                      exif_lng=tip_photo.exif_lng, original_path=tip_photo.original_path,
                      full_path=tip_photo.full_path, thumb_path=tip_photo.thumb_path,
                      created_at=now)
        db.session.add(photo)
        db.session.flush()
        record_event(hazard, user, "add_photo", data={
            "photo_id": photo.id, "kind": FINDING, "sha256": photo.sha256, "tip_id": tip.id})
        ids.append(photo.id)
    db.session.flush()
    return ids


def transition_tip(user, tip_id: str, data: dict) -> tuple[Tip, bool]:
    """Triage a tip: ``accept`` (creates the hazard, ``source: tip``, with the tip's photos as
    finding photos; the enterprise hears of it like of any hazard) or ``decline`` (with a
    reason). A client ``id`` names the step: the same step sent again answers the stored
    result. Returns ``(tip, replayed)``."""
    tip = get_tip(user, tip_id, for_update=True)
    body_hash = payload_hash(data)
    event_id = data.get("id")
    if event_id:
        prior = db.session.get(TipEvent, event_id)
        if prior is not None:
            if prior.tip_id != tip.id or (prior.data or {}).get("payload_hash") != body_hash:
                raise Conflict("该操作编号已用于另一次变更 / "
                               "This event id was already used for a different change.",
                               field="id")
            return get_tip_detail(user, tip.id), True
    expect_version(tip, data["version"])
    action = data["action"]
    now = utcnow()
    answer = (data.get("answer") or "").strip() or None
    event_data: dict = {"payload_hash": body_hash}

    def guard(transition):
        if action == "decline":
            reason = data.get("reason")
            if reason not in DECLINE_REASONS:
                raise Invalid(DECLINE_REASONS.unknown_message(reason or ""), field="reason")
            tip.decline_reason = reason
            event_data["reason"] = reason
        else:
            given = data.get("hazard")
            if not given:
                raise Invalid("受理时请填写隐患类别和等级 / Accepting needs the hazard's "
                              "category and level.", field="hazard")
            body = _hazard_body(tip, given, now)
            _check_enterprise(user, body["enterprise_id"])
            hazard = create_hazard(user, body, source=SOURCE_TIP).record
            event_data["hazard_id"] = hazard.id
            event_data["photo_ids"] = _attach_photos(user, hazard, tip, now)
            tip.hazard_id = hazard.id
        tip.triaged_at = now
        tip.triaged_by_id = user.id
        tip.answer = answer

    def make_event(transition, **_):
        return TipEvent(id=event_id or new_id(), tip_id=tip.id, actor_id=user.id,
                        action=transition.action, from_state=transition.source,
                        to_state=transition.target, at=now, note=answer, data=event_data)

    apply(TIP_WORKFLOW, tip, action, user, make_event=make_event, guard=guard)
    return get_tip_detail(user, tip.id), False


# --------------------------------------------------------------------------- reminders
def remind_untriaged(now: datetime | None = None) -> int:
    """Tips waiting longer than TIP_TRIAGE_DAYS remind their supervisors (once each: the
    message's dedupe key); each first reminder is a line in the tip's trail. Flushes; returns
    how many messages were new."""
    now = now or utcnow()
    late = db.session.scalars(select(Tip).options(selectinload(Tip.enterprise)).where(
        Tip.state == RECEIVED, Tip.received_at <= triage_due(now))
        .order_by(Tip.received_at, Tip.id)).all()
    added = 0
    for tip in late:
        where = tip.enterprise.name if tip.enterprise else "未指明企业"
        days = current_app.config["TIP_TRIAGE_DAYS"]
        n = notify(triagers_of(tip), kind=kinds.TIP_UNTRIAGED,
                   title=f"举报已 {days} 天未处理：{where}", body=_excerpt(tip.text),
                   subject_type="tip", subject_id=tip.id, dedupe=f"tip_untriaged:{tip.id}",
                   now=now)
        if n:
            db.session.add(TipEvent(tip_id=tip.id, action="remind", from_state=tip.state,
                                    to_state=tip.state, at=now, data={"messages": n}))
        added += n
    db.session.flush()
    return added


# --------------------------------------------------------------------------- enterprise moved
def on_enterprise_moved(enterprise, *, move, note: str, actor_id, now, **_) -> dict:
    """The enterprise's tips follow it to its new community, each with a ``move`` line."""
    rows = moves.carry(Tip, enterprise)
    for tip_id, state in rows:
        db.session.add(TipEvent(tip_id=tip_id, actor_id=actor_id, action=moves.MOVE,
                                from_state=state, to_state=state, at=now, note=note,
                                data=moves.move_data(move)))
    return {"tips": len(rows)} if rows else {}  # the move's record names what it carried
