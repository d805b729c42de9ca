"""延期申请 (deadline extension requests): the enterprise asks for more time before its deadline,
a supervisor of the community decides.

* The enterprise's officer asks (``hazard.request_extension``) while the fix is still to do
  (已登记, 整改中) and before the deadline, for a later deadline, with a reason and optionally a
  photographed document (a photo of kind ``document`` of the hazard). One request waits at a
  time (a unique ``pending_slot`` backs the check up). Idempotent by client ``id``.
* A supervisor approves or rejects through :data:`app.hazards.workflow.EXTENSION_WORKFLOW`
  (a rejection says why). Approval moves the hazard's ``deadline``: 逾期, the 零容忍 rule R2 and
  the deadline reminders all read that column, so they follow the new date at once.
* Every step is a line in the hazard's trail (``request_extension``, ``approve_extension``,
  ``reject_extension``); the community's supervisors hear of a request, the officers of the
  decision. Refusals are :mod:`app.hazards.oversight`'s rules, which the hazard's answer also
  shows beforehand.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.db import OneRow
from app.core.idempotency import CreateResult, create_or_replay
from app.core.models import expect_version
from app.core.permissions import get_or_404, in_scope, require
from app.core.timeutil import local, utcnow
from app.core.workflow import apply
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.hazards import oversight
from app.hazards.choices import APPROVED, DOCUMENT, PENDING, PHOTO_KINDS, REJECTED
from app.hazards.models import Hazard, HazardEvent
from app.hazards.operations import record_event
from app.hazards.oversight_models import DeadlineExtension
from app.hazards.workflow import EXTENSION_WORKFLOW
from app.notifications import choices as kinds
from app.notifications.operations import notify, officers_of, supervisors_of
from app.photos.models import Photo

#: The hazard event of each decision.
DECISION_EVENTS = {"approve": "approve_extension", "reject": "reject_extension"}


def _fmt(value: datetime) -> str:
    return f"{local(value):%Y-%m-%d %H:%M}"


def _extension_in_scope(user, extension) -> bool:
    return in_scope(user, extension.hazard)


def _document(hazard, photo_id: str | None) -> Photo | None:
    if not photo_id:
        return None
    photo = db.session.get(Photo, photo_id)
    if photo is None or photo.hazard_id != hazard.id:
        raise Invalid("照片不属于该隐患 / Not a photo of this hazard.", field="photo_id")
    if photo.kind != DOCUMENT:
        raise Invalid(f"延期申请只能附{PHOTO_KINDS.label(DOCUMENT, 'zh')} / Only a "
                      f"{PHOTO_KINDS.label(DOCUMENT, 'en').lower()} photo goes with an "
                      "extension request.", field="photo_id")
    return photo


def request_extension(user, hazard_id: str, data: dict) -> CreateResult:
    """申请延期 (see the module doc). Returns the request (created, or the stored one replayed)."""
    require(user, "hazard.request_extension")
    # The hazard row first (PostgreSQL): a parallel request waits here, then finds this one.
    hazard = get_or_404(Hazard, hazard_id, user, for_update=True)
    reason = (data.get("reason") or "").strip()
    body = {"hazard_id": hazard.id, "new_deadline": data["new_deadline"], "reason": reason,
            "photo_id": data.get("photo_id")}
    now = utcnow()

    def build(extension_id: str, body_hash: str) -> DeadlineExtension:
        refusal = oversight.extension_refusal(hazard, oversight.pending_extension(hazard.id), now)
        if refusal is not None:
            raise refusal
        if not reason:
            raise Invalid("请说明申请延期的理由 / Say why more time is needed.", field="reason")
        oversight.check_new_deadline(hazard, data["new_deadline"])
        photo = _document(hazard, data.get("photo_id"))
        return DeadlineExtension(
            id=extension_id, payload_hash=body_hash, hazard_id=hazard.id, state=PENDING,
            pending_slot=hazard.id, requester_id=user.id, requested_at=now,
            old_deadline=hazard.deadline, new_deadline=data["new_deadline"], reason=reason,
            photo_id=photo.id if photo else None)

    try:
        result = create_or_replay(DeadlineExtension, data.get("id"), body, build, user=user,
                                  scope=_extension_in_scope)
    except IntegrityError:  # another request took the pending slot in the meantime
        raise Conflict("已有一份延期申请等待审批 / An extension request is already awaiting its "
                       "decision.", field="state") from None
    if result.created:
        extension = result.record
        record_event(hazard, user, "request_extension", note=reason, at=now, data={
            "extension_id": extension.id,
            "deadline": {"from": extension.old_deadline.isoformat(),
                         "to": extension.new_deadline.isoformat()},
            **({"photo_id": extension.photo_id} if extension.photo_id else {})})
        db.session.flush()
        notify(supervisors_of(hazard.community_id), kind=kinds.EXTENSION_REQUESTED,
               title=f"延期申请待审批：{hazard.title}",
               body=f"{hazard.enterprise.name}申请将整改期限由 {_fmt(extension.old_deadline)} "
                    f"延至 {_fmt(extension.new_deadline)}。理由：{reason}",
               subject_type="hazard", subject_id=hazard.id, exclude=user, now=now)
    return CreateResult(oversight.with_actions(user, result.record), result.created)


def get_extension(user, hazard_id: str, extension_id: str, *, for_update: bool = False):
    """One request of a hazard in the user's scope (404 otherwise), with what the user may
    decide on it."""
    hazard = get_or_404(Hazard, hazard_id, user, for_update=for_update)
    extension = db.session.get(DeadlineExtension, str(extension_id),
                               with_for_update=for_update or None)
    if extension is None or extension.hazard_id != hazard.id:
        raise NotFound("延期申请不存在 / Extension request not found.")
    return hazard, oversight.with_actions(user, extension)


def list_extensions(user, hazard_id: str) -> dict:
    hazard = get_or_404(Hazard, hazard_id, user)
    items = [oversight.with_actions(user, e) for e in oversight.extensions_of(hazard.id)]
    return {"items": items, "total": len(items)}


def decide_extension(user, hazard_id: str, extension_id: str, data: dict) -> DeadlineExtension:
    """批准 or 驳回 a request (``data``: action, version, note?). An approval moves the hazard's
    deadline to the date asked for; a rejection needs a note."""
    hazard, extension = get_extension(user, hazard_id, extension_id, for_update=True)
    expect_version(extension, data["version"])
    action = data["action"]
    note = (data.get("note") or "").strip() or None
    now = utcnow()
    event_data: dict = {"extension_id": extension.id}

    def guard(transition):
        if action == "reject" and not note:
            raise Invalid("请填写驳回理由 / Say why the request is rejected.", field="note")
        if action == "approve":
            if hazard.state not in Hazard.UNRECTIFIED_STATES:
                raise Conflict("整改已通过复查，无需再延期 / The fix was already accepted; there "
                               "is no deadline left to extend.", field="state")
            if extension.new_deadline <= now:
                raise Conflict(f"申请的期限（{_fmt(extension.new_deadline)}）已过，不能批准 / "
                               f"The deadline asked for ({_fmt(extension.new_deadline)}) has "
                               "passed; it cannot be approved.", field="new_deadline")
            if extension.new_deadline <= hazard.deadline:
                raise Conflict(f"整改期限已是 {_fmt(hazard.deadline)}，不早于申请的期限 / The "
                               f"deadline is already {_fmt(hazard.deadline)}, no earlier than "
                               "the one asked for.", field="new_deadline")
            event_data["deadline"] = {"from": hazard.deadline.isoformat(),
                                      "to": extension.new_deadline.isoformat()}
            hazard.deadline = extension.new_deadline
        extension.decided_by_id = user.id
        extension.decided_at = now
        extension.decision_note = note
        extension.pending_slot = None

    def make_event(transition, **_):
        # The decision is a line of the hazard's trail; the hazard's state does not change.
        return HazardEvent(hazard_id=hazard.id, actor_id=user.id,
                           action=DECISION_EVENTS[transition.action], from_state=hazard.state,
                           to_state=hazard.state, at=now, note=note, data=event_data)

    try:
        apply(EXTENSION_WORKFLOW, extension, action, user, make_event=make_event, guard=guard)
    except StaleDataError:
        raise Conflict("记录已被他人修改，请刷新后重试 / The record was changed by someone else; "
                       "reload and try again.", field="version") from None
    if action == "approve":
        notify(officers_of(hazard.enterprise_id), kind=kinds.EXTENSION_APPROVED,
               title=f"延期申请已批准：{hazard.title}",
               body=f"整改期限已延至 {_fmt(hazard.deadline)}。{note or ''}".strip(),
               subject_type="hazard", subject_id=hazard.id, exclude=user, now=now)
    else:
        notify(officers_of(hazard.enterprise_id), kind=kinds.EXTENSION_REJECTED,
               title=f"延期申请被驳回：{hazard.title}",
               body=f"整改期限仍为 {_fmt(hazard.deadline)}。驳回理由：{note}",
               subject_type="hazard", subject_id=hazard.id, exclude=user, now=now)
    return oversight.with_actions(user, extension)


def extension_counts(hazard_scope, start: datetime, end: datetime) -> OneRow:
    """For the dashboard, one aggregate over the requests of the hazards matching
    ``hazard_scope``: made in ``[start, end)``, decided in it by outcome, and awaiting a
    decision now (read with the dashboard's other counts, ``app.core.db.read_together``)."""
    def within(column):
        return (column >= start) & (column < end)

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    decided = within(DeadlineExtension.decided_at)
    return OneRow(select(
        count(within(DeadlineExtension.requested_at)),
        count(decided & (DeadlineExtension.state == APPROVED)),
        count(decided & (DeadlineExtension.state == REJECTED)),
        count(DeadlineExtension.state == PENDING),
    ).where(oversight.of_hazards(DeadlineExtension, hazard_scope)), lambda row: dict(zip(
        ("requested", "approved", "rejected", "pending_now"), map(int, row), strict=True)))
