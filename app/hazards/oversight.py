"""What a hazard's answer shows about its oversight, and the rules behind it: 延期申请
(extension requests), 挂牌督办 (listing) and 证据存疑 (evidence flags).

Each rule is written once here and used twice: by the operation that refuses
(:mod:`app.hazards.deadline_extensions`, :mod:`app.hazards.listing`, a verification in
:mod:`app.hazards.operations`) and by :func:`annotate`, which tells the reader beforehand what
they may do (``oversight_actions``) and what they may not yet, with why (``oversight_blocked``),
the same way ``allowed_actions``/``blocked_actions`` tell of the hazard's steps.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, select
from sqlalchemy.orm import selectinload

from app.core.db import OneRow, cached_statement
from app.core.permissions import can, scope_clause
from app.core.timeutil import local, utcnow
from app.errors import Conflict, DomainError, Invalid
from app.extensions import db
from app.hazards.choices import (EVIDENCE_FLAGS, HAZARD_LEVELS, HAZARD_STATES, LISTED, MAJOR,
                                 PENDING, PHOTO_BEFORE_FINDING, PHOTO_FAR_FROM_SITE,
                                 PHOTO_REUSED, RECTIFYING, REPORTED, SUBMITTED)
from app.hazards.models import Hazard
from app.hazards.oversight_models import DeadlineExtension, EvidenceFlag, HazardListing
from app.hazards.workflow import EXTENSION_WORKFLOW, LISTING_WORKFLOW
from app.registry.models import Enterprise

#: An extension is asked for while the enterprise still has the fix to do (已登记, 整改中).
REQUESTABLE_STATES = (REPORTED, RECTIFYING)


def _fmt(value: datetime) -> str:
    return f"{local(value):%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------- 延期申请
def pending_extension(hazard_id: str) -> DeadlineExtension | None:
    return db.session.scalar(select(DeadlineExtension).where(
        DeadlineExtension.hazard_id == hazard_id, DeadlineExtension.state == PENDING))


def extension_refusal(hazard, pending: DeadlineExtension | None,
                      now: datetime) -> DomainError | None:
    """Why an extension cannot be asked for now (the error to raise), else None: the fix is
    no longer the enterprise's to do, the deadline has passed (延期须在期限届满前申请), or a
    request already waits for its decision."""
    if hazard.state not in REQUESTABLE_STATES:
        return Conflict(f"隐患处于“{HAZARD_STATES.label(hazard.state, 'zh')}”状态，不能申请延期 / "
                        f"No extension can be asked for a hazard in state "
                        f"'{HAZARD_STATES.label(hazard.state, 'en')}'.", field="state")
    if hazard.deadline <= now:
        return Conflict(f"整改期限（{_fmt(hazard.deadline)}）已过，延期须在期限届满前申请 / "
                        f"The deadline ({_fmt(hazard.deadline)}) has passed: an extension is "
                        "asked for before the deadline.", field="deadline")
    if pending is not None:
        return Conflict(f"已有一份延期申请（申请延至 {_fmt(pending.new_deadline)}）等待审批，"
                        f"请待审批后再申请 / An extension request (to "
                        f"{_fmt(pending.new_deadline)}) is already awaiting its decision.",
                        field="state")
    return None


def check_new_deadline(hazard, new_deadline: datetime) -> None:
    """422 unless the deadline asked for is later than the current one."""
    if new_deadline <= hazard.deadline:
        raise Invalid(f"申请的整改期限应晚于当前期限（{_fmt(hazard.deadline)}） / The new "
                      f"deadline must be later than the current one ({_fmt(hazard.deadline)}).",
                      field="new_deadline")


def _extensions_of():
    """Every request of a hazard, newest first (their people loaded), the hazard bound at each
    call: built once (at the first call, not at import, when not every mapper exists yet).
    Every hazard's answer asks it; building it anew (an entity, two loader options, an
    ordering) cost more than running it."""
    return (select(DeadlineExtension).where(DeadlineExtension.hazard_id == bindparam("hazard_id"))
            .options(selectinload(DeadlineExtension.requester),
                     selectinload(DeadlineExtension.decided_by))
            .order_by(DeadlineExtension.requested_at.desc(), DeadlineExtension.id))


#: Whether a hazard has any request: most never had one, and this answers them at a third of
#: the cost of the entity query above (its ORM context and loaders are set up even for no row).
_ANY_EXTENSION = (select(DeadlineExtension.id)
                  .where(DeadlineExtension.hazard_id == bindparam("hazard_id")).limit(1))


def extensions_of(hazard_id: str) -> list[DeadlineExtension]:
    """Every request of a hazard, newest first (their people loaded)."""
    params = {"hazard_id": hazard_id}
    if db.session.execute(_ANY_EXTENSION, params).first() is None:
        return []
    return list(db.session.scalars(cached_statement(("oversight.extensions_of",), _extensions_of),
                                   params))


def with_actions(user, extension: DeadlineExtension) -> DeadlineExtension:
    """``extension`` with ``allowed_actions``: what ``user`` may decide on it now."""
    extension.allowed_actions = EXTENSION_WORKFLOW.actions_for(extension, user.role) \
        if user is not None else []
    return extension


# --------------------------------------------------------------------------- 挂牌督办
def listing_refusal(hazard) -> DomainError | None:
    """Why the hazard cannot be listed (挂牌督办), else None: only a major hazard, still under
    supervision (not closed), and not listed before."""
    if hazard.level != MAJOR:
        return Conflict(f"只有{HAZARD_LEVELS.label(MAJOR, 'zh')}可以挂牌督办 / Only a "
                        f"{HAZARD_LEVELS.label(MAJOR, 'en').lower()} is listed for "
                        "supervision.", field="level")
    if not hazard.is_open:
        return Conflict(f"隐患已“{HAZARD_STATES.label(hazard.state, 'zh')}”，不能挂牌督办 / A "
                        f"hazard in state '{HAZARD_STATES.label(hazard.state, 'en')}' is not "
                        "listed.", field="state")
    if hazard.listing is not None:
        return Conflict("该隐患已挂牌督办 / The hazard is already listed.", field="listing")
    return None


def delisting_refusal(hazard) -> DomainError | None:
    """Why the hazard cannot be delisted (摘牌) now, else None: it must be listed and closed
    (销号) first; the assessment itself comes with the request."""
    if not hazard.is_listed:
        return Conflict("该隐患未挂牌督办 / The hazard is not listed.", field="listing")
    if hazard.state not in Hazard.CLOSED_STATES:
        return Conflict(f"隐患尚未销号（当前“{HAZARD_STATES.label(hazard.state, 'zh')}”），"
                        f"须销号并评估后方可摘牌 / The hazard is not closed yet (state "
                        f"'{HAZARD_STATES.label(hazard.state, 'en')}'): it is delisted once "
                        "closed and assessed.", field="state")
    return None


def listed_clause():
    """SQL: the hazard is under 挂牌督办 now."""
    return Hazard.id.in_(select(HazardListing.hazard_id).where(HazardListing.state == LISTED))


# --------------------------------------------------------------------------- 证据存疑
def flags_of(hazard_id: str, photo_ids) -> list[EvidenceFlag]:
    """The flags of the hazard's photos among ``photo_ids`` (those it counts: evidence and
    pending, not those a step set aside), oldest first."""
    ids = list(photo_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(EvidenceFlag).where(EvidenceFlag.hazard_id == hazard_id,
                                   EvidenceFlag.photo_id.in_(ids))
        .order_by(EvidenceFlag.created_at, EvidenceFlag.id)))


def counted_photo_ids(photos) -> list[str]:
    """The photos whose flags count (``photos``: :class:`app.hazards.handover.StepPhotos`)."""
    return [p.id for p in [*photos.evidence, *photos.pending]]


def standing(flags: list[EvidenceFlag]) -> list[EvidenceFlag]:
    """The flags no verification has answered yet."""
    return [f for f in flags if f.overridden_at is None]


def check_verification(flags: list[EvidenceFlag], note: str | None) -> list[EvidenceFlag]:
    """A verification while flags stand says why the fix is accepted all the same (422 naming
    ``note`` without one). Returns the standing flags it answers."""
    open_flags = standing(flags)
    if open_flags and not note:
        codes = list(dict.fromkeys(f.code for f in open_flags))
        zh = "、".join(EVIDENCE_FLAGS.label(c, "zh") for c in codes)
        en = ", ".join(EVIDENCE_FLAGS.label(c, "en").lower() for c in codes)
        raise Invalid(f"整改照片存疑（{zh}），复查通过须填写复查意见，说明核实情况 / The "
                      f"rectification photos are flagged ({en}): say in the note what you "
                      "checked before accepting the fix.", field="note")
    return open_flags


def override(open_flags: list[EvidenceFlag], user, now: datetime) -> dict:
    """Stamp the flags a verification answered; what its event records of them."""
    for flag in open_flags:
        flag.overridden_at = now
        flag.overridden_by_id = user.id
    if not open_flags:
        return {}
    return {"overridden_flags": [{"code": f.code, "photo_id": f.photo_id} for f in open_flags]}


def of_hazards(model, hazard_scope):
    """The rows of ``model`` (with ``hazard_id``) whose hazard matches ``hazard_scope``, looked
    up by id from each row (a correlated EXISTS): what it costs follows ``model``'s few rows,
    not the hazards' (an ``IN (SELECT … FROM hazards)`` read every hazard in scope)."""
    return exists(select(Hazard.id).where(Hazard.id == model.hazard_id, hazard_scope))


def evidence_counts(hazard_scope, start: datetime, end: datetime) -> OneRow:
    """For the dashboard: verifications made in ``[start, end)`` while flags stood (the hazards
    whose flags a verification answered then), and the hazards awaiting their re-check now
    with a standing flag (read with the dashboard's other counts,
    ``app.core.db.read_together``)."""
    scoped = of_hazards(EvidenceFlag, hazard_scope)
    flagged = select(func.count(func.distinct(EvidenceFlag.hazard_id))).where(
        scoped, EvidenceFlag.overridden_at >= start, EvidenceFlag.overridden_at < end)
    awaiting = select(func.count(func.distinct(EvidenceFlag.hazard_id))).where(
        EvidenceFlag.overridden_at.is_(None),
        of_hazards(EvidenceFlag, and_(hazard_scope, Hazard.state == SUBMITTED)))
    return OneRow(select(flagged.scalar_subquery(), awaiting.scalar_subquery()),
                  lambda row: {"flagged_verifications": int(row[0] or 0),
                               "awaiting_review": int(row[1] or 0)})


def _distance(metres: int) -> tuple[str, str]:
    if metres >= 1000:
        return f"约 {metres / 1000:.1f} 公里", f"about {metres / 1000:.1f} km"
    return f"约 {metres} 米", f"about {metres} m"


def explain(flag: EvidenceFlag, hazards_in_scope: dict[str, tuple[str, str]]) -> str:
    """The flag's explanation, ``"中文 / English"``. ``hazards_in_scope``: id → (title,
    enterprise) of the other hazards the reader may see (others are not named)."""
    detail = flag.detail or {}
    if flag.code == PHOTO_BEFORE_FINDING:
        taken = _fmt(datetime.fromisoformat(detail["taken_at"]))
        found = _fmt(datetime.fromisoformat(detail["found_at"]))
        return (f"照片的拍摄时间（EXIF：{taken}）早于隐患的发现时间（{found}），不能证明已整改 / "
                f"The photo was taken (EXIF: {taken}) before the hazard was found ({found}); "
                "it cannot show the fix.")
    if flag.code == PHOTO_FAR_FROM_SITE:
        zh, en = _distance(int(detail.get("distance_m") or 0))
        radius = detail.get("radius_m")
        return (f"照片记录的拍摄地点（EXIF 定位）距企业登记位置{zh}，超出 {radius} 米 / "
                f"The photo was taken (EXIF GPS) {en} from the enterprise's registered "
                f"location, beyond {radius} m.")
    if flag.code == PHOTO_REUSED:
        named = [hazards_in_scope[h] for h in detail.get("hazard_ids", []) if h in hazards_in_scope]
        if named:
            zh = "、".join(f"「{title}」（{name}）" for title, name in named)
            en = "; ".join(f"'{title}' ({name})" for title, name in named)
            return (f"同一文件（SHA-256 相同）也上传给了隐患{zh} / The same file (same SHA-256) "
                    f"was also uploaded for the hazard {en}.")
        return ("同一文件（SHA-256 相同）也上传给了您辖区以外的另一隐患 / The same file (same "
                "SHA-256) was also uploaded for a hazard outside your scope.")
    return f"{EVIDENCE_FLAGS.label(flag.code, 'zh')} / {EVIDENCE_FLAGS.label(flag.code, 'en')}"


def _other_hazards(user, flags: list[EvidenceFlag]) -> dict[str, tuple[str, str]]:
    ids = sorted({h for f in flags if f.code == PHOTO_REUSED
                  for h in (f.detail or {}).get("hazard_ids", [])})
    if not ids:
        return {}
    return {row.id: (row.title, row.name) for row in db.session.execute(
        select(Hazard.id, Hazard.title, Enterprise.name)
        .join(Enterprise, Enterprise.id == Hazard.enterprise_id)
        .where(Hazard.id.in_(ids), scope_clause(user, Hazard)))}


def flags_out(user, flags: list[EvidenceFlag]) -> list[dict]:
    """The flags as the hazard's answer shows them, each explained."""
    others = _other_hazards(user, flags)
    return [{"code": f.code, "photo_id": f.photo_id, "detail": f.detail,
             "message": explain(f, others), "created_at": f.created_at,
             "overridden_at": f.overridden_at, "standing": f.overridden_at is None}
            for f in flags]


# --------------------------------------------------------------------------- the answer
def annotate(user, hazard, photos, now: datetime | None = None) -> None:
    """Set on ``hazard`` what its full answer shows of its oversight: ``extensions`` (newest
    first, each with the decisions ``user`` may take), ``evidence_flags``, and
    ``oversight_actions`` / ``oversight_blocked``: among ``request_extension``, ``list``,
    ``delist``, what ``user`` may do now, and what not yet with why. ``photos``: the hazard's
    photos sorted (:func:`app.hazards.handover.sort_photos`)."""
    now = now or utcnow()
    extensions = [with_actions(user, e) for e in extensions_of(hazard.id)]
    hazard.extensions = extensions
    hazard.evidence_flags = flags_out(user, flags_of(hazard.id, counted_photo_ids(photos)))
    actions: list[str] = []
    blocked: dict[str, dict] = {}

    def offer(action: str, refusal: DomainError | None) -> None:
        if refusal is None:
            actions.append(action)
        else:
            blocked[action] = {"reason": next(iter(refusal.errors), None) or "state",
                               "message": refusal.detail}

    if can(user, "hazard.request_extension") and hazard.state in REQUESTABLE_STATES:
        pending = next((e for e in extensions if e.state == PENDING), None)
        offer("request_extension", extension_refusal(hazard, pending, now))
    if can(user, "hazard.list") and hazard.level == MAJOR and hazard.listing is None \
            and hazard.is_open:
        offer("list", listing_refusal(hazard))
    if hazard.is_listed and "delist" in LISTING_WORKFLOW.actions_for(hazard.listing, user.role):
        offer("delist", delisting_refusal(hazard))
    hazard.oversight_actions = actions
    hazard.oversight_blocked = blocked
