"""Hazard (隐患) services: report, edit, move through the transition table, list, audit.

Every change writes a :class:`HazardEvent` (the append-only 隐患事件 trail) and flushes; the
request commits. State changes go only through :func:`app.core.workflow.apply` with
:data:`app.hazards.workflow.HAZARD_WORKFLOW`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import new_id, no_index, without_index_on
from app.core.idempotency import CreateResult, create_or_replay, payload_hash
from app.core.models import expect_version
from app.core.pagination import Page, paginate_keyset
from app.core.permissions import (can, found_or_404, get_or_404, in_scope, require,
                                  scope_clause)
from app.core.roles import ADMIN, COMMUNITY_ROLES
from app.core.timeutil import SHANGHAI, as_utc, utcnow
from app.auth.models import User
from app.core.workflow import apply
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards import choices, handover, oversight, readiness, rollups, signals
from app.hazards.choices import (ARCHIVED, EDITABLE_STATES, GOVERNANCE_PLAN_FIELDS, HAZARD_SOURCES,
                                 HAZARD_STATES, LISTED, MAJOR, PHOTO_KINDS, RECTIFICATION,
                                 SOURCE_INSPECTION, SOURCE_SELF)
from app.hazards.handover import STEP_PHOTO_KIND
from app.hazards.models import Hazard, HazardEvent
from app.hazards.models import overdue as is_overdue
from app.hazards.oversight_models import HazardListing
from app.hazards.readiness import missing_plan_fields
from app.hazards.workflow import HAZARD_WORKFLOW, MAJOR_CLOSE, allowed_actions
from app.inspections import answers
from app.inspections.choices import INSPECTION_KINDS, SELF
from app.inspections.models import Inspection
from app.photos.models import Photo
from app.registry import moves
from app.registry.models import Enterprise

#: The fix (治理方案, 整改责任人): whoever may edit a hazard (``hazard.edit``, the enterprise
#: officer too) fills it in. Every other field is the finding itself, which only the people who
#: inspect rewrite (``hazard.edit_finding``: "findings are recorded truthfully", DOMAIN.md).
FIX_FIELDS = frozenset({"governance_plan", "responsible"})
#: Phone clocks drift; a finding "from the future" beyond this is a typo, not drift.
FOUND_AT_MAX_SKEW = timedelta(hours=1)


# --------------------------------------------------------------------------- small rules
def default_deadline(level: str, found_at: datetime) -> datetime:
    """整改期限 by level: DEADLINE_DAYS_GENERAL/MAJOR days after ``found_at``, to the end
    (23:59:59 Asia/Shanghai) of that day."""
    day = found_at.astimezone(SHANGHAI).date() + timedelta(days=choices.deadline_days()[level])
    return as_utc(datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI))


def _plan_json(plan: dict | None) -> dict | None:
    if plan is None:
        return None
    out = {}
    for name in GOVERNANCE_PLAN_FIELDS:
        value = plan.get(name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip() or None
        out[name] = value
    return out




def _flush_or_conflict() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("记录已被他人修改，请刷新后重试 / "
                       "The record was changed by someone else; reload and try again.",
                       field="version") from None


def _location_columns(location: dict | None) -> dict:
    if not location:
        return {"lat": None, "lng": None, "accuracy_m": None}
    return {"lat": location["lat"], "lng": location["lng"],
            "accuracy_m": location.get("accuracy")}


_CURRENT = object()


def record_event(hazard, actor, action: str, *, note: str | None = None, data: dict | None = None,
                 location: dict | None = None, event_id: str | None = None,
                 from_state=_CURRENT, to_state=_CURRENT,
                 at: datetime | None = None) -> HazardEvent:
    """Append one line to the hazard's audit trail (a change that is not a transition: from and
    to default to the current state)."""
    state = hazard.state
    event = HazardEvent(id=event_id or new_id(), hazard_id=hazard.id,
                        actor_id=actor.id if actor is not None else None, action=action,
                        from_state=state if from_state is _CURRENT else from_state,
                        to_state=state if to_state is _CURRENT else to_state,
                        at=at or utcnow(), note=note, data=data or None,
                        **_location_columns(location))
    db.session.add(event)
    return event


# --------------------------------------------------------------------------- create (登记)
def _enterprise_for(user, enterprise_id: str):
    # FOR SHARE: a move to another community (app.registry.moves) waits for this record, or
    # this record for the move, so it never keeps the community its enterprise left.
    enterprise = db.session.get(Enterprise, enterprise_id, with_for_update={"read": True})
    if enterprise is None or not in_scope(user, enterprise):
        # Same answer for unknown and not-yours: the id reveals nothing.
        raise Invalid("企业不存在 / Unknown enterprise.", field="enterprise_id")
    return enterprise


def _inspection_for(user, inspection_id: str | None, enterprise):
    if not inspection_id:
        return None
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or not in_scope(user, inspection):
        raise Invalid("检查记录不存在 / Unknown inspection.", field="inspection_id")
    if inspection.enterprise_id != enterprise.id:
        raise Invalid("该检查记录属于另一家企业 / The inspection is of another enterprise.",
                      field="inspection_id")
    return inspection


def _source_for(user, data: dict) -> str:
    """隐患来源 of a hazard ``user`` records: found on inspection by the people who inspect
    (``hazard.create``), reported by the enterprise itself (企业自查自报) by its officer
    (``hazard.report_self``). A ``source`` sent must be that one (422 naming it)."""
    source = SOURCE_INSPECTION if can(user, "hazard.create") else SOURCE_SELF
    require(user, "hazard.create" if source == SOURCE_INSPECTION else "hazard.report_self")
    sent = data.get("source")
    if sent is not None and sent != source:
        raise Invalid(f"您登记的隐患来源为“{HAZARD_SOURCES.label(source, 'zh')}” / Hazards you "
                      f"record are '{HAZARD_SOURCES.label(source, 'en')}'.", field="source")
    return source


def create_hazard(user, data: dict, *, source: str | None = None) -> CreateResult:
    """登记隐患: record a finding (idempotent by client id; see app.core.idempotency). The
    people who inspect record it (``hazard.create``); an enterprise officer reports what its
    own self-inspection found (``source: self``). Recorded at a checklist item
    (``checklist_item``) of its inspection, a ``major_if_failed`` item makes it major; an
    inspector's finding in a category the enterprise's self-inspection passed within
    SELF_CHECK_DAYS is 自查不实 (``self_check_missed``). ``source`` given: a public report a
    supervisor accepted (app.outreach) says ``tip``."""
    if source is None:
        source = _source_for(user, data)
    else:
        require(user, "hazard.create")
        assert source in HAZARD_SOURCES, source

    def build(hazard_id: str, body_hash: str) -> Hazard:
        enterprise = _enterprise_for(user, data["enterprise_id"])
        inspection = _inspection_for(user, data.get("inspection_id"), enterprise)
        if inspection is not None and (inspection.kind == SELF) != (source == SOURCE_SELF):
            raise Invalid("企业自查只登记自查发现的隐患，检查发现的隐患不登记在自查中 / A "
                          "self-inspection records the enterprise's own findings only, and "
                          "an inspector's findings go in an inspection.", field="inspection_id")
        item = answers.checklist_item_of(inspection, data.get("checklist_item"))
        level = MAJOR if item is not None and item.major_if_failed else data["level"]
        found_at = as_utc(data["found_at"])
        if found_at > utcnow() + FOUND_AT_MAX_SKEW:
            raise Invalid("发现时间不能晚于当前时间 / found_at is in the future.", field="found_at")
        deadline = data.get("deadline") or default_deadline(level, found_at)
        if deadline <= found_at:
            raise Invalid("整改期限应晚于发现时间 / The deadline must be after found_at.",
                          field="deadline")
        plan = _plan_json(data.get("governance_plan"))
        if plan is not None and level != MAJOR:
            raise Invalid("只有重大隐患需要治理方案 / "
                          "Only a major hazard has a governance plan.",
                          field="governance_plan")
        missed = source == SOURCE_INSPECTION and answers.self_check_passed(
            enterprise.id, data["category"], found_at)
        return Hazard(
            id=hazard_id, payload_hash=body_hash, enterprise_id=enterprise.id,
            community_id=enterprise.community_id,
            inspection_id=inspection.id if inspection else None, reporter_id=user.id,
            title=data["title"].strip(), description=data.get("description", ""),
            category=data["category"], level=level, state=HAZARD_WORKFLOW.initial,
            source=source, checklist_item=item.code if item is not None else None,
            self_check_missed=missed,
            place=data.get("place", ""), found_at=found_at, deadline=deadline,
            responsible=data.get("responsible", ""), governance_plan=plan,
            rejection_count=0, escalated=False, **_location_columns(data.get("location")))

    result = create_or_replay(Hazard, data.get("id"), data, build, user=user)
    if result.created:
        hazard = result.record
        answers.link_hazard(hazard)
        record_event(hazard, user, "report", from_state=None, to_state=hazard.state,
                     location=data.get("location"),
                     data={"level": hazard.level, "deadline": hazard.deadline.isoformat()})
        db.session.flush()
        signals.hazard_created.send(current_app._get_current_object(), hazard=hazard, actor=user)
    _detailed(user, result.record)
    return result


# --------------------------------------------------------------------------- edit
def update_hazard(user, hazard_id: str, data: dict) -> Hazard:
    """Edit an open hazard (reported/rectifying); one event names what changed."""
    hazard = get_or_404(Hazard, hazard_id, user, for_update=True)
    require(user, "hazard.edit")
    expect_version(hazard, data["version"])
    if hazard.state not in EDITABLE_STATES:
        raise Conflict(f"隐患处于“{HAZARD_STATES.label(hazard.state, 'zh')}”状态，不能再修改 / "
                       f"A hazard in state '{HAZARD_STATES.label(hazard.state, 'en')}' can no "
                       "longer be edited.", field="state")
    fields = [name for name in data if name != "version"]
    for name in fields:
        if name not in FIX_FIELDS:
            require(user, "hazard.edit_finding", field=name)

    changes: dict[str, dict] = {}
    for name in fields:
        new = _plan_json(data[name]) if name == "governance_plan" else data[name]
        if name == "governance_plan" and new is not None and hazard.level != MAJOR:
            raise Invalid("只有重大隐患需要治理方案 / "
                          "Only a major hazard has a governance plan.", field=name)
        if isinstance(new, str) and name != "description":
            new = new.strip()
        old = getattr(hazard, name)
        if new != old:
            changes[name] = {"from": old, "to": new}
    if not changes:
        return _detailed(user, hazard)
    for name, change in changes.items():
        setattr(hazard, name, change["to"])
    action = "update_plan" if "governance_plan" in changes else "update"
    trail = {name: change for name, change in changes.items()
             if name not in ("governance_plan", "description")}
    event = record_event(hazard, user, action, data={"changed": sorted(changes), **(
        {"values": trail} if trail else {})})
    _flush_or_conflict()
    signals.hazard_updated.send(current_app._get_current_object(), hazard=hazard, actor=user,
                                event=event, changed=sorted(changes))
    return _detailed(user, hazard)


# --------------------------------------------------------------------------- transitions
def _photos_for(hazard, photo_ids: list[str]) -> list:
    if not photo_ids:
        return []
    photos = db.session.scalars(select(Photo).where(Photo.id.in_(photo_ids))).all()
    found = {p.id: p for p in photos if p.hazard_id == hazard.id}
    unknown = [pid for pid in photo_ids if pid not in found]
    if unknown:
        raise Invalid(f"以下照片不属于该隐患：{'、'.join(unknown)} / "
                      f"Not photos of this hazard: {', '.join(unknown)}.", field="photo_ids")
    return [found[pid] for pid in dict.fromkeys(photo_ids)]


@dataclass(frozen=True)
class StepEffects:
    """What a step records on the hazard besides its new state."""

    #: the time column the step sets to the time of the step
    stamp: str | None = None
    #: the step's note is the re-check result (复查结果)
    recheck_note: bool = False
    #: one more rejection (复查不通过); the rectification photos judged go into the event
    rejection: bool = False


#: Effects of each step, applied by :func:`apply_step_effects` once every check has passed.
STEP_EFFECTS = {
    "acknowledge": StepEffects(stamp="acknowledged_at"),
    "submit": StepEffects(stamp="submitted_at"),
    "verify": StepEffects(stamp="verified_at", recheck_note=True),
    "reject": StepEffects(recheck_note=True, rejection=True),
    "close": StepEffects(stamp="closed_at"),
    "archive": StepEffects(stamp="archived_at"),
}


def _rectification_photo_ids(hazard) -> list[str]:
    return list(db.session.scalars(select(Photo.id).where(
        Photo.hazard_id == hazard.id, Photo.kind == RECTIFICATION).order_by(Photo.id)))


def check_step(hazard, user, action: str, *, note: str | None, new_deadline: datetime | None,
               photo_ids: list[str]) -> handover.StepHandover:
    """The rules of a step the transition table cannot express; raises the domain error naming
    the field at fault and changes nothing. Returns the photos the step hands in and sets aside
    (``photo_ids``, :mod:`app.hazards.handover`).

    A new deadline (延期) is the supervisor's and must be later; a rejection says why; the photos
    named are of the step's kind; a submission needs, for a major hazard, a complete 治理方案
    and hands in a rectification photo nobody judged yet.
    """
    if new_deadline is not None:
        require(user, "hazard.set_deadline", field="deadline")
        if new_deadline <= hazard.deadline:
            raise Invalid("新的整改期限应晚于当前期限 / "
                          "A new deadline must be later than the current one.",
                          field="deadline")
    photos = _photos_for(hazard, photo_ids)
    if action == "reject" and not note:
        raise Invalid("请填写复查不通过的原因 / Say why the rectification is rejected.",
                      field="note")
    wanted = STEP_PHOTO_KIND.get(action)
    if wanted and any(p.kind != wanted for p in photos):
        raise Invalid(f"“{HAZARD_WORKFLOW.action_label(action, 'zh')}”只能附"
                      f"{PHOTO_KINDS.label(wanted, 'zh')} / Only "
                      f"{PHOTO_KINDS.label(wanted, 'en').lower()} photos go with "
                      f"'{HAZARD_WORKFLOW.action_label(action, 'en')}'.", field="photo_ids")
    # Only the pending photos a step hands in are new evidence (app.hazards.handover).
    handed = handover.hand_in(hazard, action, photos)
    if action == "submit":
        missing = missing_plan_fields(hazard)
        if missing:
            raise readiness.plan_incomplete(missing)
        if not handed.handed_in and hazard.rejection_count:
            raise Conflict("复查未通过后，请至少上传一张新的整改照片再提交 / "
                           "The rectification was rejected: upload at least one new "
                           "rectification photo before submitting again.",
                           field="photo_ids")
        if not handed.handed_in:
            raise Conflict("提交整改前请至少上传一张整改照片 / "
                           "Upload at least one rectification photo before submitting.",
                           field="photo_ids")
    return handed


def apply_step_effects(hazard, action: str, *, now: datetime, note: str | None,
                       new_deadline: datetime | None,
                       photos: handover.StepHandover | None = None) -> dict:
    """Set on ``hazard`` what goes with ``action`` (:data:`STEP_EFFECTS`, and a new deadline);
    returns what the step's event records of it, and of the photos it hands in (``photos``,
    from :func:`check_step`)."""
    effects = STEP_EFFECTS.get(action, StepEffects())
    recorded: dict = photos.recorded() if photos else {}
    if new_deadline is not None:
        recorded["deadline"] = {"from": hazard.deadline.isoformat(),
                                "to": new_deadline.isoformat()}
        hazard.deadline = new_deadline
    if effects.stamp:
        setattr(hazard, effects.stamp, now)
    if effects.recheck_note:
        hazard.recheck_note = note
    if effects.rejection:
        hazard.rejection_count = (hazard.rejection_count or 0) + 1
        # What the reviewer judged: a resubmission needs a photo that is not among these.
        recorded["reviewed_photo_ids"] = _rectification_photo_ids(hazard)
    return recorded


def transition_hazard(user, hazard_id: str, data: dict) -> tuple[Hazard, bool]:
    """Take ``data['action']`` on the hazard. Returns ``(hazard, replayed)``.

    A client ``id`` names the event: sending the same transition again (the offline outbox
    retrying) answers the stored result instead of a 409, provided the body is the same.
    """
    # Lock the row first (PostgreSQL): a parallel retry of the same transition waits here and
    # then finds the event, instead of failing on the version.
    hazard = get_or_404(Hazard, hazard_id, user, for_update=True)
    body_hash = payload_hash(data)
    event_id = data.get("id")
    if event_id:
        prior = db.session.get(HazardEvent, event_id)
        if prior is not None:
            if prior.hazard_id != hazard.id or (prior.data or {}).get("payload_hash") != body_hash:
                raise Conflict("该操作编号已用于另一次变更 / "
                               "This event id was already used for a different change.",
                               field="id")
            return _detailed(user, hazard), True
    expect_version(hazard, data["version"])

    action = data["action"]
    note = (data.get("note") or "").strip() or None
    new_deadline = data.get("deadline")
    now = utcnow()
    event_data: dict = {"payload_hash": body_hash}

    def guard(transition):
        photos = check_step(hazard, user, action, note=note, new_deadline=new_deadline,
                            photo_ids=data.get("photo_ids") or [])
        flags = []
        if action == "verify":
            # Accepting a fix whose photos are flagged (证据存疑) needs a note saying why.
            counted = oversight.counted_photo_ids(handover.sort_photos(hazard))
            flags = oversight.check_verification(oversight.flags_of(hazard.id, counted), note)
        # Every check passed: set what goes with the step, so one UPDATE carries it all.
        event_data.update(apply_step_effects(hazard, action, now=now, note=note,
                                             new_deadline=new_deadline, photos=photos))
        event_data.update(oversight.override(flags, user, now))

    def make_event(transition, **_):
        return HazardEvent(id=event_id or new_id(), hazard_id=hazard.id, actor_id=user.id,
                           action=transition.action, from_state=transition.source,
                           to_state=transition.target, at=now, note=note, data=event_data,
                           **_location_columns(data.get("location")))

    try:
        transition, event = apply(HAZARD_WORKFLOW, hazard, action, user, make_event=make_event,
                                  guard=guard)
    except StaleDataError:
        raise Conflict("隐患已被他人修改，请刷新后重试 / "
                       "The hazard was changed by someone else; reload and try again.",
                       field="version") from None
    signals.hazard_transitioned.send(current_app._get_current_object(), hazard=hazard,
                                     actor=user, event=event, transition=transition)
    return _detailed(user, hazard), False


# --------------------------------------------------------------------------- reading
#: What a hazard's answer shows of its enterprise, reporter, photos and 挂牌督办, loaded with it
#: in one statement (the reporter's communities are not shown; the listing would otherwise
#: come in a statement of its own, ``selectin``).
DETAIL_LOADS = (joinedload(Hazard.enterprise), joinedload(Hazard.photos),
                joinedload(Hazard.reporter).lazyload(User.communities),
                joinedload(Hazard.listing))


#: A hazard by id with DETAIL_LOADS, built once and bound at each call: building a statement
#: with its loader options anew (what ``session.get`` does) cost a third more than running it.
_DETAILED = select(Hazard).where(Hazard.id == bindparam("hazard_id")).options(*DETAIL_LOADS)


def get_hazard(user, hazard_id: str) -> Hazard:
    hazard = db.session.scalars(_DETAILED, {"hazard_id": hazard_id}).unique().one_or_none()
    return _detailed(user, found_or_404(Hazard, hazard, user))


def _detailed(user, hazard: Hazard) -> Hazard:
    """``hazard`` with what its full answer computes: ``allowed_actions``, what ``user`` may do
    now, ``blocked_actions``, the steps the table allows the user but the hazard is not ready
    for (with why), ``governance_plan_missing``, the 治理方案 fields still empty, ``warnings``,
    its evidence photos and the pending step photos ``user`` may hand in
    (:mod:`app.hazards.handover`)."""
    role_actions = allowed_actions(hazard, user)
    hazard.blocked_actions = readiness.blocked_actions(hazard, role_actions)
    hazard.allowed_actions = [a for a in role_actions if a not in hazard.blocked_actions]
    hazard.governance_plan_missing = missing_plan_fields(hazard)
    hazard.warnings = readiness.warnings(hazard)
    photos = handover.sort_photos(hazard)
    hazard.evidence_photos = photos.evidence
    hazard.pending_photos = handover.offered_to(user, photos.pending)
    # extension requests, evidence flags, listing: what they allow now (app.hazards.oversight)
    oversight.annotate(user, hazard, photos)
    hazard.checklist_item_detail = _checklist_item_detail(hazard)
    return hazard


def _checklist_item_detail(hazard: Hazard) -> dict | None:
    """The checklist item a hazard was found at (检查项): code, text, legal basis and the
    checklist (its version as the inspection followed it)."""
    if not hazard.checklist_item or not hazard.inspection_id:
        return None
    inspection = db.session.get(Inspection, hazard.inspection_id)
    version = inspection.checklist_version if inspection is not None else None
    item = next((i for i in version.items if i.code == hazard.checklist_item),
                None) if version is not None else None
    if item is None:
        return {"code": hazard.checklist_item, "text": None, "basis": None,
                "checklist_id": None, "checklist_name": None, "checklist_version": None}
    return {"code": item.code, "text": item.text, "basis": item.basis,
            "checklist_id": version.checklist_id, "checklist_name": version.name,
            "checklist_version": version.version}


def hazard_filter(user, args: dict, now: datetime | None = None):
    """The WHERE clause of the hazard list for ``args`` (the filters of ``GET /api/v1/hazards``:
    state, level, ids, category, escalated, overdue as of ``now``, listed (挂牌督办 now),
    found_from/found_to, words of ``q``), within the user's scope. The hazard ledger (台账)
    lists the same hazards by it."""
    # A scope's communities usually hold most of the hazards: read newest first and stop at the
    # page's end rather than sort all of theirs (SQLite; see no_index).
    conditions = [without_index_on(scope_clause(user, Hazard), Hazard.community_id)]
    for name in ("state", "level", "enterprise_id", "community_id", "category", "inspection_id",
                 "escalated"):
        if args.get(name) is not None:
            conditions.append(getattr(Hazard, name) == args[name])
    if args.get("overdue") is not None:
        now = now or utcnow()
        overdue = Hazard.overdue_at(now)
        if args.get("state") and db.session.get_bind().dialect.name == "sqlite":
            # One state, newest first: SQLite would take the deadline's range on (state,
            # deadline) and sort every overdue hazard of that state; reading (state, found_at,
            # deadline) newest first stops at the page's end (PostgreSQL finds it alone).
            overdue = and_(Hazard.state.in_(Hazard.UNRECTIFIED_STATES),
                           no_index(Hazard.deadline) < now)
        conditions.append(overdue if args["overdue"] else ~overdue)
    if args.get("listed") is not None:
        listed = oversight.listed_clause()
        conditions.append(listed if args["listed"] else ~listed)
    if args.get("found_from"):
        conditions.append(Hazard.found_at >= args["found_from"])
    if args.get("found_to"):
        conditions.append(Hazard.found_at <= args["found_to"])
    for word in (args.get("q") or "").split():
        pattern = f"%{_escape_like(word)}%"
        conditions.append(or_(
            Hazard.title.ilike(pattern, escape="\\"),
            Hazard.description.ilike(pattern, escape="\\"),
            Hazard.place.ilike(pattern, escape="\\"),
            Hazard.enterprise_id.in_(select(Enterprise.id).where(
                Enterprise.name.ilike(pattern, escape="\\")))))
    return and_(*conditions)


#: The order of the hazard list (newest finding first), unique, for keyset paging.
LIST_ORDER = ((Hazard.found_at, True), (Hazard.id, False))
#: A hazard of the list (``HazardSummaryOut``) is a plain row: its own columns, its
#: enterprise's name and its 挂牌督办 state, in one statement. Building ORM instances for a page
#: (and the listing's ``selectin`` statement after it) cost more than the SQL did.
#: The enterprise's name is read for each row of the page (a correlated lookup by primary key),
#: not joined: with a join, SQLite makes the enterprises its outer loop and sorts every hazard
#: of a scope before taking a page.
LIST_COLUMNS = (Hazard.id, Hazard.enterprise_id, Hazard.community_id, Hazard.inspection_id,
                Hazard.title, Hazard.category, Hazard.level, Hazard.state, Hazard.source,
                Hazard.place, Hazard.found_at, Hazard.deadline, Hazard.rejection_count,
                Hazard.escalated, Hazard.version, Hazard.checklist_item,
                Hazard.self_check_missed,
                select(Enterprise.name).where(Enterprise.id == Hazard.enterprise_id)
                .scalar_subquery().label("enterprise_name"),
                HazardListing.state.label("listing_state"))
LIST_FROM = (select(*LIST_COLUMNS)
             .outerjoin(HazardListing, HazardListing.hazard_id == Hazard.id))
#: The filters whose totals the rollups know (app.hazards.rollups.HazardCount).
COUNTED_FILTERS = frozenset({"state", "level", "category", "community_id"})
#: … and with ``overdue`` (deadlines are counted by state and community, not level or category)
OVERDUE_COUNTED_FILTERS = frozenset({"state", "community_id", "overdue"})
_PAGING = frozenset({"page", "per_page", "cursor"})


def list_hazards(user, args: dict) -> Page:
    """The user's hazards, filtered, newest finding first: a page by number (with the total)
    or after a cursor (without), and the cursor of the next page either way. One statement
    for the page (``LIST_COLUMNS``); the total from the rollups when the filters are theirs,
    else counted."""
    where = hazard_filter(user, args)
    page = paginate_keyset(LIST_FROM.where(where), LIST_ORDER, per_page=args["per_page"],
                           cursor=args.get("cursor"), page=args.get("page") or 1,
                           count=lambda: _count(user, args, where))
    now = utcnow()
    page.items = [_list_item(row, now) for row in page.items]
    return page


def _list_item(row, now: datetime) -> dict:
    """A row of the list as the summary of a hazard: ``overdue`` and ``listed`` by the same
    rules as :attr:`Hazard.is_overdue` and :attr:`Hazard.is_listed`."""
    item = row._asdict()
    item["listed"] = item.pop("listing_state") == LISTED
    item["overdue"] = is_overdue(row.state, row.deadline, now)
    return item


def _count(user, args: dict, where) -> int:
    """How many hazards the list's filters select: from the rollups' counts when every filter
    is one they keep and the scope is a set of communities, else counted."""
    filters = {name for name, value in args.items()
               if name not in _PAGING and value is not None}
    communities = rollup_scope(user)
    counted = filters <= COUNTED_FILTERS or (filters <= OVERDUE_COUNTED_FILTERS
                                             and "overdue" in filters)
    if counted and communities is not False:
        if args.get("community_id"):
            wanted = args["community_id"]
            communities = [wanted] if communities is None or wanted in communities else []
        states = [args["state"]] if args.get("state") else None
        late = None
        if "overdue" in filters:   # the overdue ones from the deadlines counted by day
            late = rollups.overdue(communities, utcnow(), states)
            if args["overdue"]:
                return late
        [(n,)] = rollups.totals(communities, states=states, level=args.get("level"),
                                category=args.get("category"))
        return int(n) if late is None else int(n) - late
    return db.session.scalar(select(func.count()).select_from(Hazard).where(where)) or 0


def rollup_scope(user):
    """The communities the rollups count for ``user``'s scope: a list, None for every one
    (an administrator), False when the scope is not made of communities (an officer)."""
    if user.role == ADMIN:
        return None
    if user.role in COMMUNITY_ROLES:
        return list(user.community_ids)
    return False


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_events(user, hazard_id: str) -> dict:
    """The append-only audit trail of a hazard, oldest first."""
    hazard = get_or_404(Hazard, hazard_id, user)
    events = db.session.scalars(
        select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
        .options(selectinload(HazardEvent.actor))
        .order_by(HazardEvent.at, HazardEvent.id)).all()
    return {"items": events, "total": len(events)}


def hazard_choices() -> dict:
    categories = choices.configured_categories()
    return {
        "states": HAZARD_STATES.as_dict(),
        "levels": choices.HAZARD_LEVELS.as_dict(),
        "categories": categories.as_dict(),
        "category_list": categories.as_list(),
        "actions": choices.HAZARD_ACTIONS.as_dict(),
        "photo_kinds": PHOTO_KINDS.as_dict(),
        "governance_plan_fields": GOVERNANCE_PLAN_FIELDS.as_dict(),
        "inspection_kinds": INSPECTION_KINDS.as_dict(),
        "deadline_days": choices.deadline_days(),
        "transitions": [
            {"from": t.source, "action": t.action, "to": t.target, "roles": sorted(t.roles),
             **({"major_roles": sorted(t.roles & MAJOR_CLOSE.roles)}
                if t.restriction is MAJOR_CLOSE else {})}
            for t in HAZARD_WORKFLOW.transitions],
    }


def ensure_open_for_photos(hazard) -> None:
    """Archived hazards are read only forever: no new photos either."""
    if hazard.state == ARCHIVED:
        raise Conflict("隐患已归档，只读 / The hazard is archived and read only.",
                       field="hazard_id")


# --------------------------------------------------------------------------- enterprise moved
def on_enterprise_moved(enterprise, *, move, note: str, actor_id, now, **_) -> dict:
    """The enterprise's hazards follow it to its new community, each with a ``move`` line in its
    trail (:data:`app.registry.signals.enterprise_moved`)."""
    with rollups.tracking(enterprise_id=enterprise.id):   # an UPDATE the flushes do not see
        rows = moves.carry(Hazard, enterprise)
    for hazard_id, state in rows:
        db.session.add(HazardEvent(hazard_id=hazard_id, actor_id=actor_id, action=moves.MOVE,
                                   from_state=state, to_state=state, at=now, note=note,
                                   data=moves.move_data(move)))
    return {"hazards": len(rows)}
