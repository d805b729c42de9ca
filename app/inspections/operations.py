"""Inspection (检查) services: the GPS check-in (with the checklist it follows), finishing,
listing. Answers to the checklist: :mod:`app.inspections.answers`."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.checklists.models import Checklist
from app.checklists.operations import version_of
from app.core.geo import distance_m
from app.core.idempotency import CreateResult, create_or_replay
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.auth.models import User
from app.core.permissions import can, get_or_404, in_scope, require, scope_clause
from app.core.timeutil import as_utc, utcnow
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards.choices import ARCHIVED
from app.hazards.models import Hazard
from app.inspections import answers, signals
from app.inspections.choices import SELF
from app.inspections.models import Inspection, InspectionMember
from app.registry import moves
from app.registry.models import Enterprise

FOLLOW_UP = "follow_up"
#: How many earlier hazards a 回头看 lists at most.
RECHECK_LIMIT = 100
#: Phone clocks drift; a start "from the future" beyond this is a typo, not drift.
STARTED_AT_MAX_SKEW = timedelta(hours=1)
#: The 409 a stale ``version`` gets (see app.core.models.expect_version).
STALE_INSPECTION = ("检查记录已更新为第 {current} 版（您提交的是第 {sent} 版），请刷新后重试 / "
                    "The inspection is at version {current}, not {sent}; reload and try again.")


def check_in(enterprise, location: dict | None) -> tuple[float | None, bool | None]:
    """``(distance_m, on_site)`` of a check-in: the geodesic distance to the enterprise's
    registered position and whether it is within CHECKIN_RADIUS_M; ``(None, None)`` when either
    position is unknown."""
    if not location or enterprise.lat is None or enterprise.lng is None:
        return None, None
    metres = distance_m((location["lat"], location["lng"]), (enterprise.lat, enterprise.lng))
    return round(metres, 1), metres <= current_app.config["CHECKIN_RADIUS_M"]


def _members(user, enterprise, inspector_ids: list[str]) -> list[InspectionMember]:
    """联合检查: the others named in ``inspector_ids`` (the starter is always in), each an active
    account that inspects and sees the enterprise (so each may record hazards in it); anyone
    else is a 422 naming ``inspector_ids``."""
    others = [i for i in dict.fromkeys(inspector_ids) if i != user.id]
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(others)))}
    for inspector_id in others:
        member = found.get(inspector_id)
        if (member is None or not member.active or not can(member, "inspection.create")
                or not in_scope(member, enterprise)):
            who = member.display_name if member is not None else inspector_id
            raise Invalid(f"检查人员“{who}”（{inspector_id}）不能参加本次检查：账号不存在、已停用、"
                          f"不做检查或看不到该企业 / Inspector {inspector_id} cannot take part: "
                          "unknown, disabled, not an inspector, or not in this enterprise's "
                          "communities.", field="inspector_ids")
    return [InspectionMember(user_id=inspector_id, position=n)
            for n, inspector_id in enumerate(others, start=1)]


def checklist_version_for(data: dict):
    """The checklist version an inspection begins with: ``checklist_version`` of
    ``checklist_id`` (what the phone showed, offline perhaps), else its current one; ``None``
    without a checklist. A self-inspection needs one. 422 naming the field at fault."""
    checklist_id, number = data.get("checklist_id"), data.get("checklist_version")
    if checklist_id is None:
        if number is not None or data["kind"] == SELF:
            raise Invalid("请选择检查表 / Choose a checklist.", field="checklist_id")
        return None
    checklist = db.session.get(Checklist, checklist_id)
    if checklist is None:
        raise Invalid("检查表不存在 / Unknown checklist.", field="checklist_id")
    version = version_of(checklist.id, number if number is not None else checklist.version)
    if version is None:
        raise Invalid(f"检查表没有第 {number} 版 / The checklist has no version {number}.",
                      field="checklist_version")
    return version


def start_inspection(user, data: dict) -> CreateResult:
    """开始检查 with a GPS check-in (idempotent by client id). Inspectors inspect, and
    supervisors who go along (带队检查); several together in a 联合检查 (``inspector_ids``);
    from a 检查任务 (``task_id``, checked by the plans domain on ``inspection_starting``); an
    enterprise officer runs its own self-inspection (``kind: self``, 企业自查) with a checklist."""
    require(user, "inspection.self" if data["kind"] == SELF else "inspection.create")

    def build(inspection_id: str, body_hash: str) -> Inspection:
        # FOR SHARE: see app.registry.moves (a record never keeps a community left behind).
        enterprise = db.session.get(Enterprise, data["enterprise_id"],
                                    with_for_update={"read": True})
        if enterprise is None or not in_scope(user, enterprise):
            raise Invalid("企业不存在 / Unknown enterprise.", field="enterprise_id")
        checklist_version = checklist_version_for(data)
        if data["started_at"] > utcnow() + STARTED_AT_MAX_SKEW:
            raise Invalid("开始时间不能晚于当前时间 / started_at is in the future.",
                          field="started_at")
        location = data.get("location") or None
        metres, on_site = check_in(enterprise, location)
        inspection = Inspection(
            id=inspection_id, payload_hash=body_hash, enterprise_id=enterprise.id,
            community_id=enterprise.community_id, inspector_id=user.id, kind=data["kind"],
            started_at=as_utc(data["started_at"]),
            lat=location["lat"] if location else None,
            lng=location["lng"] if location else None,
            accuracy_m=location.get("accuracy") if location else None,
            distance_m=metres, on_site=on_site, task_id=data.get("task_id"),
            checklist_version_id=checklist_version.id if checklist_version else None,
            members=_members(user, enterprise, data.get("inspector_ids") or []))
        signals.inspection_starting.send(current_app._get_current_object(),
                                         inspection=inspection, actor=user,
                                         enterprise=enterprise)
        return inspection

    result = create_or_replay(Inspection, data.get("id"), data, build, user=user)
    if result.created:
        signals.inspection_started.send(current_app._get_current_object(),
                                        inspection=result.record, actor=user)
    _detailed(result.record)
    return result


def finish_inspection(user, inspection_id: str, data: dict) -> Inspection:
    """结束检查: record the end and the summary, once."""
    inspection = get_or_404(Inspection, inspection_id, user, for_update=True)
    answers.ensure_recorder(user, inspection)
    expect_version(inspection, data["version"], STALE_INSPECTION)
    if inspection.ended_at is not None:
        raise Conflict("检查已结束 / The inspection is already finished.", field="ended_at")
    if data["ended_at"] < inspection.started_at:
        raise Invalid("结束时间早于开始时间 / ended_at is before started_at.", field="ended_at")
    answers.refuse_unanswered(inspection)
    inspection.ended_at = as_utc(data["ended_at"])
    inspection.summary = data.get("summary") or ""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict("检查记录已被他人修改，请刷新后重试 / "
                       "The inspection was changed by someone else; reload and try again.",
                       field="version") from None
    signals.inspection_finished.send(current_app._get_current_object(), inspection=inspection,
                                     actor=user)
    return _detailed(inspection)


def get_inspection(user, inspection_id: str) -> Inspection:
    return _detailed(get_or_404(Inspection, inspection_id, user))


def _detailed(inspection: Inspection) -> Inspection:
    """``inspection`` with the hazards its full answer lists: ``recorded_hazards``, found in it,
    and ``hazards_to_recheck`` (回头看, see :func:`recheck_hazards`); its checklist with the
    answers, and its ``score`` (:func:`app.inspections.answers.checklist_detail`)."""
    inspection.recorded_hazards = inspection_hazards(inspection)
    inspection.hazards_to_recheck = recheck_hazards(inspection)
    inspection.checklist = answers.checklist_detail(inspection)
    return inspection


def answer_item(user, inspection_id: str, code: str, data: dict) -> tuple[Inspection, bool]:
    """Answer one checklist item (:func:`app.inspections.answers.answer_item`); the inspection
    with its checklist and score."""
    inspection, created = answers.answer_item(user, inspection_id, code, data)
    return _detailed(inspection), created


def list_inspections(user, args: dict) -> Page:
    conditions = [scope_clause(user, Inspection)]
    for name in ("enterprise_id", "community_id", "kind"):
        if args.get(name) is not None:
            conditions.append(getattr(Inspection, name) == args[name])
    if args.get("inspector_id") is not None:  # who started it, or took part (联合检查)
        conditions.append(or_(Inspection.inspector_id == args["inspector_id"],
                              Inspection.members.any(InspectionMember.user_id
                                                     == args["inspector_id"])))
    return paginate(
        select(Inspection).where(and_(*conditions))
        .options(selectinload(Inspection.enterprise), selectinload(Inspection.inspector),
                 selectinload(Inspection.checklist_version))
        .order_by(Inspection.started_at.desc(), Inspection.id), args["page"], args["per_page"])


def inspection_hazards(inspection) -> list[Hazard]:
    """Hazards recorded in this inspection (same enterprise, so same scope), oldest first."""
    return db.session.scalars(
        select(Hazard).where(Hazard.inspection_id == inspection.id)
        .options(selectinload(Hazard.enterprise))
        .order_by(Hazard.found_at, Hazard.id)).all()


def recheck_hazards(inspection) -> list[Hazard]:
    """回头看: the enterprise's hazards found before this inspection and not yet archived, newest
    first. Empty for other kinds of inspection."""
    if inspection.kind != FOLLOW_UP:
        return []
    return db.session.scalars(
        select(Hazard).where(Hazard.enterprise_id == inspection.enterprise_id,
                             Hazard.found_at < inspection.started_at,
                             Hazard.state != ARCHIVED)
        .options(selectinload(Hazard.enterprise))
        .order_by(Hazard.found_at.desc(), Hazard.id).limit(RECHECK_LIMIT)).all()


def on_enterprise_moved(enterprise, **_) -> dict:
    """The enterprise's inspections follow it to its new community
    (:data:`app.registry.signals.enterprise_moved`)."""
    return {"inspections": len(moves.carry(Inspection, enterprise))}
