"""Step photos (整改照片, 复查照片): evidence a step hands in, kept apart until it does.

A rectification photo goes with ``submit``, a re-check photo with ``verify`` or ``reject``
(:data:`STEP_PHOTO_KIND`). The phone uploads a step's photos before the step itself (the offline
outbox sends files first), so until that step succeeds such a photo is *pending*: not evidence,
not in the hazard's ``photos``. A successful step hands in the pending photos of its kind that
it names in ``photo_ids`` (every one when it names none) and sets the others aside; its event
records both lists. A refused step records nothing, so its photos stay pending and are offered
again (``pending_photos``) to whoever may take the step next time; the reviewer only ever sees
what a successful step handed in.

Steps recorded before this rule (no ``set_aside_photo_ids`` in their event) handed in every
photo of their kind that existed at their time, as the hazard showed them then.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.hazards.choices import RECHECK, RECTIFICATION
from app.hazards.models import HazardEvent
from app.hazards.workflow import HAZARD_WORKFLOW

#: The kind of photo a step hands in (``photo_ids``): the officer's fix, the reviewer's re-check.
STEP_PHOTO_KIND = {"submit": RECTIFICATION, "verify": RECHECK, "reject": RECHECK}


@dataclass
class StepPhotos:
    """A hazard's photos sorted by where they stand."""

    #: findings, and the step photos a successful step handed in
    evidence: list = field(default_factory=list)
    #: step photos waiting for their step
    pending: list = field(default_factory=list)


def sort_photos(hazard) -> StepPhotos:
    """Evidence and pending photos of ``hazard`` (one query for its step events when it has
    step photos; the photos come with the hazard)."""
    handed_in: set[str] = set()
    set_aside: set[str] = set()
    legacy_until: dict[str, object] = {}  # kind -> time of its latest step that set none aside
    step_kinds = set(STEP_PHOTO_KIND.values())
    if not any(photo.kind in step_kinds for photo in hazard.photos):
        return StepPhotos(evidence=list(hazard.photos))   # findings only: nothing to sort
    for action, at, data in db.session.execute(
            select(HazardEvent.action, HazardEvent.at, HazardEvent.data).where(
                HazardEvent.hazard_id == hazard.id,
                HazardEvent.action.in_(list(STEP_PHOTO_KIND)))):
        data = data or {}
        handed_in.update(data.get("photo_ids") or [])
        if "set_aside_photo_ids" in data:
            set_aside.update(data["set_aside_photo_ids"])
        else:
            kind = STEP_PHOTO_KIND[action]
            if legacy_until.get(kind) is None or at > legacy_until[kind]:
                legacy_until[kind] = at
    sorted_ = StepPhotos()
    for photo in hazard.photos:
        if photo.kind not in STEP_PHOTO_KIND.values() or photo.id in handed_in:
            sorted_.evidence.append(photo)
        elif photo.id in set_aside:
            continue
        elif legacy_until.get(photo.kind) is not None and photo.created_at <= legacy_until[
                photo.kind]:
            sorted_.evidence.append(photo)
        else:
            sorted_.pending.append(photo)
    return sorted_


def offered_to(user, pending: list) -> list:
    """The pending photos ``user`` may hand in: those of a kind some step of the user's role
    takes (the officer's rectification photos, the reviewer's re-check photos)."""
    if user is None:
        return []
    kinds = {kind for action, kind in STEP_PHOTO_KIND.items()
             if any(user.role in t.roles for t in HAZARD_WORKFLOW.transitions
                    if t.action == action)}
    return [photo for photo in pending if photo.kind in kinds]


@dataclass
class StepHandover:
    """The photos a step names, hands in and sets aside."""

    kind: str | None
    named: list = field(default_factory=list)
    handed_in: list = field(default_factory=list)
    set_aside: list = field(default_factory=list)

    def recorded(self) -> dict:
        """What the step's event records of its photos (nothing when it had none to sort)."""
        if self.kind is None:
            return {"photo_ids": [photo.id for photo in self.named]} if self.named else {}
        if not self.handed_in and not self.set_aside:
            return {}
        return {"photo_ids": [photo.id for photo in self.handed_in],
                "set_aside_photo_ids": [photo.id for photo in self.set_aside]}


def hand_in(hazard, action: str, named: list) -> StepHandover:
    """The pending photos of ``action``'s kind that the step hands in, those named (``named``,
    already checked to be this hazard's and of that kind) or every one when none is named, and
    the pending ones it leaves out. A step of no photo kind keeps what it names as named."""
    kind = STEP_PHOTO_KIND.get(action)
    if kind is None:
        return StepHandover(None, named)
    pending = [photo for photo in sort_photos(hazard).pending if photo.kind == kind]
    if not named:
        return StepHandover(kind, named, pending, [])
    waiting = {photo.id for photo in pending}
    wanted = {photo.id for photo in named}
    return StepHandover(kind, named, [photo for photo in named if photo.id in waiting],
                        [photo for photo in pending if photo.id not in wanted])
