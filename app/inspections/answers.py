"""Answers to an inspection's checklist (检查结果): pass, fail or not applicable, item by item,
the score, and the self-inspection's passes that make a later finding 自查不实.

``PUT /api/v1/inspections/{id}/answers/{code}`` is idempotent: the same answer again changes
nothing (200), a different one replaces it while the inspection is open. A failure names the
hazard it became (``hazard_id``, a hazard recorded in the inspection with ``checklist_item`` =
the code; the latest such hazard when the answer names none) and its photos (finding photos of
hazards of the inspection); an item that ``requires_photo`` fails only with one.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.checklists.operations import items_by_code
from app.core.idempotency import payload_hash
from app.core.permissions import can, get_or_404, require
from app.core.timeutil import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.hazards.choices import FINDING
from app.hazards.models import Hazard
from app.inspections.choices import ANSWER_RESULTS, FAIL, NOT_APPLICABLE, PASS, SELF
from app.inspections.models import Inspection, InspectionAnswer
from app.photos.models import Photo

ANSWER_FIELDS = ("result", "note", "photo_ids", "hazard_id")


# --------------------------------------------------------------------------- who answers
def ensure_recorder(user, inspection: Inspection) -> None:
    """Who records in an inspection (answers, finishing): a self-inspection (自查) is its
    enterprise's officers'; any other one is its inspectors' (everyone in a 联合检查), or a
    supervisor's. 403 otherwise (the scope, 404, is checked before)."""
    if inspection.kind == SELF:
        require(user, "inspection.self")
        return
    require(user, "inspection.finish")
    if user.id not in inspection.inspector_ids:
        require(user, "inspection.finish_others")


# --------------------------------------------------------------------------- reading
def answers_of(inspection_id: str) -> dict[str, InspectionAnswer]:
    return {a.code: a for a in db.session.scalars(
        select(InspectionAnswer).where(InspectionAnswer.inspection_id == inspection_id))}


def score_of(counts: dict[str, int]) -> float | None:
    """得分: passed ÷ (answered − not applicable); ``None`` while nothing is pass or fail."""
    judged = counts.get(PASS, 0) + counts.get(FAIL, 0)
    return round(counts.get(PASS, 0) / judged, 4) if judged else None


def checklist_detail(inspection: Inspection) -> dict | None:
    """The inspection's checklist version with each item's answer, its progress and score
    (``None`` for an inspection without a checklist). Two queries."""
    version = inspection.checklist_version
    if version is None:
        inspection.score = None
        return None
    answers = answers_of(inspection.id)
    counts = {result: 0 for result in ANSWER_RESULTS}
    items = []
    for item in version.items:
        answer = answers.get(item.code)
        if answer is not None:
            counts[answer.result] = counts.get(answer.result, 0) + 1
        items.append({"code": item.code, "text": item.text, "category": item.category,
                      "basis": item.basis, "requires_photo": item.requires_photo,
                      "major_if_failed": item.major_if_failed, "answer": answer})
    answered = sum(counts.values())
    inspection.score = score_of(counts)
    return {"id": version.checklist_id, "version": version.version, "name": version.name,
            "items": items, "total": len(items), "answered": answered,
            "passed": counts[PASS], "failed": counts[FAIL],
            "not_applicable": counts[NOT_APPLICABLE],
            "unanswered": [i["code"] for i in items if i["answer"] is None]}


def unanswered_codes(inspection: Inspection) -> list[str]:
    if inspection.checklist_version is None:
        return []
    answered = set(db.session.scalars(select(InspectionAnswer.code).where(
        InspectionAnswer.inspection_id == inspection.id)))
    return [item.code for item in inspection.checklist_version.items
            if item.code not in answered]


def refuse_unanswered(inspection: Inspection) -> None:
    """Finishing a checklist inspection needs every item answered: 409 naming them
    (``answers`` and ``answers.<code>`` each)."""
    missing = unanswered_codes(inspection)
    if not missing:
        return
    shown = missing if len(missing) <= 20 else [*missing[:20], "…"]
    message = (f"还有 {len(missing)} 项未检查：{'、'.join(shown)} / {len(missing)} item(s) not "
               f"answered yet: {', '.join(shown)}.")
    errors = {"answers": [message]}
    for code in missing:
        errors[f"answers.{code}"] = ["未作答 / Not answered."]
    raise Conflict(message, errors=errors)


# --------------------------------------------------------------------------- answering
def _photos_checked(inspection: Inspection, photo_ids: list[str]) -> list[str]:
    """``photo_ids`` (deduplicated) when every one is a finding photo of a hazard of this
    inspection; 422 naming ``photo_ids`` otherwise."""
    photo_ids = list(dict.fromkeys(photo_ids))
    if not photo_ids:
        return []
    found = set(db.session.scalars(
        select(Photo.id).join(Hazard, Hazard.id == Photo.hazard_id)
        .where(Photo.id.in_(photo_ids), Photo.kind == FINDING,
               Hazard.inspection_id == inspection.id)))
    unknown = [pid for pid in photo_ids if pid not in found]
    if unknown:
        raise Invalid(f"以下照片不是本次检查中隐患的照片：{'、'.join(unknown)} / Not finding "
                      f"photos of a hazard of this inspection: {', '.join(unknown)}.",
                      field="photo_ids")
    return photo_ids


def _hazard_checked(inspection: Inspection, code: str, hazard_id: str | None) -> Hazard | None:
    """The hazard a failure became: the one named (of this inspection and this item, else 422
    naming ``hazard_id``), or the latest one of this item recorded in the inspection."""
    if hazard_id is None:
        return db.session.scalar(
            select(Hazard).where(Hazard.inspection_id == inspection.id,
                                 Hazard.checklist_item == code)
            .order_by(Hazard.found_at.desc(), Hazard.id.desc()).limit(1))
    hazard = db.session.get(Hazard, hazard_id)
    if hazard is None or hazard.inspection_id != inspection.id or hazard.checklist_item != code:
        raise Invalid(f"该隐患不是本次检查中检查项 {code} 的隐患 / The hazard is not one recorded "
                      f"in this inspection for item {code}.", field="hazard_id")
    return hazard


def _has_finding_photo(hazard: Hazard | None) -> bool:
    return hazard is not None and db.session.scalar(
        select(func.count()).select_from(Photo).where(Photo.hazard_id == hazard.id,
                                                      Photo.kind == FINDING)) > 0


def answer_item(user, inspection_id: str, code: str, data: dict) -> tuple[Inspection, bool]:
    """Record the answer to item ``code``; returns ``(inspection, created)``. See the module
    doc; every refusal changes nothing and names its field."""
    inspection = get_or_404(Inspection, inspection_id, user, for_update=True)
    ensure_recorder(user, inspection)
    version = inspection.checklist_version
    if version is None:
        raise Conflict("本次检查未使用检查表 / This inspection follows no checklist.",
                       field="checklist_id")
    sent_version = data.get("checklist_version")
    if sent_version is not None and sent_version != version.version:
        raise Conflict(f"本次检查使用检查表第 {version.version} 版，不是第 {sent_version} 版 / "
                       f"This inspection follows version {version.version} of the checklist, "
                       f"not {sent_version}.", field="checklist_version")
    item = items_by_code(version.id).get(code)
    if item is None:
        raise NotFound(f"检查表中没有编号为“{code}”的检查项 / The checklist has no item "
                       f"'{code}'.", field="code")
    body_hash = payload_hash({k: data.get(k) for k in (*ANSWER_FIELDS, "checklist_version")})
    existing = db.session.scalar(select(InspectionAnswer).where(
        InspectionAnswer.inspection_id == inspection.id, InspectionAnswer.code == code))
    if existing is not None and existing.payload_hash == body_hash:
        return inspection, False  # the same answer again (a retry): nothing changes
    if inspection.ended_at is not None:
        raise Conflict("检查已结束，不能再修改检查结果 / The inspection is finished; its answers "
                       "can no longer change.", field="ended_at")

    result = data["result"]
    note = (data.get("note") or "").strip() or None
    if result in (FAIL, NOT_APPLICABLE) and not note:
        raise Invalid(f"“{ANSWER_RESULTS.label(result, 'zh')}”须说明情况 / Say why the item "
                      f"is '{ANSWER_RESULTS.label(result, 'en')}'.", field="note")
    if result != FAIL and data.get("hazard_id"):
        raise Invalid("只有“不符合”的检查项关联隐患 / Only a failed item names a hazard.",
                      field="hazard_id")
    if result != FAIL and data.get("photo_ids"):
        raise Invalid("只有“不符合”的检查项附照片 / Only a failed item has photos.",
                      field="photo_ids")
    hazard = _hazard_checked(inspection, code, data.get("hazard_id")) if result == FAIL else None
    photo_ids = _photos_checked(inspection, data.get("photo_ids") or [])
    if result == FAIL and item.requires_photo and not photo_ids and not _has_finding_photo(hazard):
        raise Invalid(f"检查项 {code} 不符合时须拍照 / Item {code} needs a photo when it fails.",
                      field="photo_ids")

    values = {"result": result, "note": note, "photo_ids": photo_ids or None,
              "hazard_id": hazard.id if hazard is not None else None,
              "category": item.category, "answered_by_id": user.id, "answered_at": utcnow(),
              "payload_hash": body_hash}
    created = existing is None
    if created:
        db.session.add(InspectionAnswer(inspection_id=inspection.id, code=code, **values))
    else:
        for name, value in values.items():
            setattr(existing, name, value)
    db.session.flush()
    return inspection, created


def link_hazard(hazard: Hazard) -> None:
    """A hazard recorded at a checklist item (``checklist_item``) is the failure of that item's
    answer: an answer of ``fail`` that names no hazard yet takes it."""
    if not hazard.inspection_id or not hazard.checklist_item:
        return
    answer = db.session.scalar(select(InspectionAnswer).where(
        InspectionAnswer.inspection_id == hazard.inspection_id,
        InspectionAnswer.code == hazard.checklist_item))
    if answer is not None and answer.result == FAIL and answer.hazard_id is None:
        answer.hazard_id = hazard.id


def checklist_item_of(inspection: Inspection | None, code: str | None):
    """The item ``code`` of the inspection's checklist; 422 naming ``checklist_item`` when the
    inspection has no checklist or no such item (or when there is no inspection)."""
    if code is None:
        return None
    if inspection is None or inspection.checklist_version_id is None:
        raise Invalid("检查项只能在使用检查表的检查中登记 / A checklist item is recorded only in "
                      "an inspection that follows a checklist.", field="checklist_item")
    item = items_by_code(inspection.checklist_version_id).get(code)
    if item is None:
        raise Invalid(f"本次检查的检查表中没有编号为“{code}”的检查项 / The inspection's "
                      f"checklist has no item '{code}'.", field="checklist_item")
    return item


# --------------------------------------------------------------------------- 自查不实
def self_check_window() -> timedelta:
    return timedelta(days=current_app.config["SELF_CHECK_DAYS"])


def self_check_passed(enterprise_id: str, category: str, found_at: datetime) -> bool:
    """自查不实: whether the enterprise's own self-inspection answered an item of ``category``
    ``pass`` within SELF_CHECK_DAYS before ``found_at``."""
    return db.session.scalar(
        select(InspectionAnswer.id)
        .join(Inspection, Inspection.id == InspectionAnswer.inspection_id)
        .where(Inspection.enterprise_id == enterprise_id, Inspection.kind == SELF,
               InspectionAnswer.category == category, InspectionAnswer.result == PASS,
               InspectionAnswer.answered_at <= found_at,
               InspectionAnswer.answered_at >= found_at - self_check_window())
        .limit(1)) is not None


def can_record_in(user, inspection: Inspection) -> bool:
    """Whether ``user`` may record in ``inspection`` (what the app offers)."""
    if inspection.kind == SELF:
        return can(user, "inspection.self")
    return can(user, "inspection.finish") and (
        inspection.inspector_id == user.id or can(user, "inspection.finish_others"))
