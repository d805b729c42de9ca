"""Schemas of the inspection (检查) endpoints."""
from __future__ import annotations

from marshmallow import Schema, fields, pre_dump, validate

from app.core import fields as core_fields
from app.core.fields import LocationIn, LocationOut, UtcDateTime, UUIDStr, location_of
from app.core.pagination import page_args, page_schema
from app.hazards.schemas import HazardSummaryOut
from app.inspections.choices import ANSWER_RESULTS, INSPECTION_KINDS


class InspectionCreateIn(Schema):
    """Start an inspection with a GPS check-in (签到)."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    enterprise_id = UUIDStr(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(INSPECTION_KINDS)),
                         metadata={"description": "routine|special|unannounced|follow_up|holiday "
                                                  "(日常/专项/四不两直/回头看/节假日); "
                                                  "self (企业自查): an enterprise officer's, "
                                                  "with a checklist"})
    started_at = core_fields.AwareDateTime(required=True)
    location = fields.Nested(LocationIn, allow_none=True, metadata={
        "description": "where the inspector is (WGS-84 from the phone); without it distance_m "
                       "and on_site are null"})
    inspector_ids = fields.List(UUIDStr(), validate=validate.Length(max=20), metadata={
        "description": "联合检查: everyone taking part (you are always in); each must inspect "
                       "and see the enterprise"})
    task_id = UUIDStr(allow_none=True, metadata={
        "description": "the 检查任务 it is made for: yours, of this enterprise; finished on site "
                       "it completes the task"})
    checklist_id = UUIDStr(allow_none=True, metadata={
        "description": "检查表 the inspection follows (a self-inspection needs one)"})
    checklist_version = fields.Integer(strict=True, allow_none=True,
                                       validate=validate.Range(min=1, max=1_000_000), metadata={
        "description": "the version the phone showed (default: the checklist's current one); "
                       "the inspection keeps it"})


class AnswerIn(Schema):
    """检查结果 of one item: ``fail`` and ``na`` say why (``note``); a failure names its
    hazard and photos."""

    result = fields.String(required=True, validate=validate.OneOf(list(ANSWER_RESULTS)),
                           metadata={"description": "pass | fail | na (符合/不符合/不适用)"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    photo_ids = fields.List(UUIDStr(), validate=validate.Length(max=20), metadata={
        "description": "finding photos (of hazards of this inspection) showing the failure"})
    hazard_id = UUIDStr(allow_none=True, metadata={
        "description": "the hazard the failure became (recorded with checklist_item = code)"})
    checklist_version = fields.Integer(strict=True, allow_none=True, metadata={
        "description": "the checklist version answered; another than the inspection's is 409"})


class InspectionFinishIn(Schema):
    """Finish an inspection: its end and summary."""

    version = fields.Integer(required=True, strict=True)
    ended_at = core_fields.AwareDateTime(required=True)
    summary = fields.String(load_default="", validate=validate.Length(max=10000))


class InspectionQueryArgs(page_args(200, 50)):
    enterprise_id = UUIDStr()
    community_id = UUIDStr()
    kind = fields.String(validate=validate.OneOf(list(INSPECTION_KINDS)))
    inspector_id = UUIDStr()


_COLUMNS = ("id", "enterprise_id", "community_id", "inspector_id", "kind", "started_at",
            "ended_at", "summary", "distance_m", "on_site", "version", "created_at")


def _common(inspection) -> dict:
    version = inspection.checklist_version
    return {**{name: getattr(inspection, name) for name in _COLUMNS},
            "enterprise_name": inspection.enterprise.name if inspection.enterprise else None,
            "inspector_name": inspection.inspector.display_name if inspection.inspector else None,
            "inspector_ids": inspection.inspector_ids,
            "inspector_names": inspection.inspector_names,
            "location": location_of(inspection),
            "checklist_id": version.checklist_id if version else None,
            "checklist_version": version.version if version else None,
            "checklist_name": version.name if version else None}


class InspectionOut(Schema):
    """检查: who, where, when, and how far from the enterprise the check-in was."""

    id = fields.String()
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    community_id = fields.String()
    inspector_id = fields.String()
    inspector_name = fields.String()
    inspector_ids = fields.List(fields.String(), metadata={
        "description": "联合检查: everyone taking part, the one who started it first"})
    inspector_names = fields.List(fields.String())
    kind = fields.String()
    started_at = UtcDateTime()
    ended_at = UtcDateTime(allow_none=True)
    summary = fields.String(allow_none=True)
    location = fields.Nested(LocationOut, allow_none=True)
    distance_m = fields.Float(allow_none=True, metadata={
        "description": "geodesic distance to the enterprise's registered location"})
    on_site = fields.Boolean(allow_none=True, metadata={
        "description": "distance_m within CHECKIN_RADIUS_M; null when unknown"})
    version = fields.Integer()
    created_at = UtcDateTime()
    checklist_id = fields.String(allow_none=True, metadata={"description": "检查表 followed"})
    checklist_version = fields.Integer(allow_none=True,
                                       metadata={"description": "its version, kept"})
    checklist_name = fields.String(allow_none=True)

    @pre_dump
    def _computed(self, inspection, **kwargs):
        return _common(inspection)


class AnswerOut(Schema):
    result = fields.String(metadata={"description": "pass | fail | na"})
    note = fields.String(allow_none=True)
    photo_ids = fields.List(fields.String())
    hazard_id = fields.String(allow_none=True)
    answered_at = UtcDateTime()
    answered_by = fields.String(metadata={"description": "user id"})

    @pre_dump
    def _computed(self, answer, **kwargs):
        return {"result": answer.result, "note": answer.note, "photo_ids": answer.photo_ids or [],
                "hazard_id": answer.hazard_id, "answered_at": answer.answered_at,
                "answered_by": answer.answered_by_id}


class ChecklistItemAnswerOut(Schema):
    code = fields.String()
    text = fields.String()
    category = fields.String()
    basis = fields.String()
    requires_photo = fields.Boolean()
    major_if_failed = fields.Boolean()
    answer = fields.Nested(AnswerOut, allow_none=True, metadata={"description": "null: not "
                                                                               "answered yet"})


class InspectionChecklistOut(Schema):
    """The checklist version the inspection follows, each item with its answer."""

    id = fields.String()
    version = fields.Integer()
    name = fields.String()
    items = fields.List(fields.Nested(ChecklistItemAnswerOut))
    total = fields.Integer()
    answered = fields.Integer()
    passed = fields.Integer()
    failed = fields.Integer()
    not_applicable = fields.Integer()
    unanswered = fields.List(fields.String(), metadata={"description": "codes not answered yet "
                                                                       "(finishing needs none)"})


class InspectionDetailOut(InspectionOut):
    hazards = fields.List(fields.Nested(HazardSummaryOut),
                          metadata={"description": "hazards recorded in this inspection"})
    recheck_hazards = fields.List(fields.Nested(HazardSummaryOut), metadata={
        "description": "回头看: the enterprise's earlier, not archived hazards, newest first "
                       "(empty for other kinds)"})
    checklist = fields.Nested(InspectionChecklistOut, allow_none=True)
    score = fields.Float(allow_none=True, metadata={
        "description": "得分: pass ÷ (answered − na), 0–1; null until an item passes or fails"})

    @pre_dump
    def _computed(self, inspection, **kwargs):
        return {**_common(inspection), "hazards": inspection.recorded_hazards,
                "recheck_hazards": inspection.hazards_to_recheck,
                "checklist": inspection.checklist, "score": inspection.score}


InspectionPageOut = page_schema(InspectionOut, "InspectionPageOut")
