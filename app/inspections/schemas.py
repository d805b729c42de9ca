"""Schemas of the inspection (检查) endpoints."""
from __future__ import annotations

from marshmallow import Schema, fields, pre_dump, validate

from app.core import fields as core_fields
from app.core.fields import LocationIn, LocationOut, UtcDateTime, UUIDStr, location_of
from app.core.pagination import page_args, page_schema
from app.hazards.schemas import HazardSummaryOut
from app.inspections.choices import INSPECTION_KINDS


class InspectionCreateIn(Schema):
    """Start an inspection with a GPS check-in (签到)."""

    id = UUIDStr(metadata={"description": "client-chosen id (offline outbox)"})
    enterprise_id = UUIDStr(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(INSPECTION_KINDS)),
                         metadata={"description": "routine|special|unannounced|follow_up|holiday "
                                                  "(日常/专项/四不两直/回头看/节假日)"})
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
    return {**{name: getattr(inspection, name) for name in _COLUMNS},
            "enterprise_name": inspection.enterprise.name if inspection.enterprise else None,
            "inspector_name": inspection.inspector.display_name if inspection.inspector else None,
            "inspector_ids": inspection.inspector_ids,
            "inspector_names": inspection.inspector_names,
            "location": location_of(inspection)}


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

    @pre_dump
    def _computed(self, inspection, **kwargs):
        return _common(inspection)


class InspectionDetailOut(InspectionOut):
    hazards = fields.List(fields.Nested(HazardSummaryOut),
                          metadata={"description": "hazards recorded in this inspection"})
    recheck_hazards = fields.List(fields.Nested(HazardSummaryOut), metadata={
        "description": "回头看: the enterprise's earlier, not archived hazards, newest first "
                       "(empty for other kinds)"})

    @pre_dump
    def _computed(self, inspection, **kwargs):
        return {**_common(inspection), "hazards": inspection.recorded_hazards,
                "recheck_hazards": inspection.hazards_to_recheck}


InspectionPageOut = page_schema(InspectionOut, "InspectionPageOut")
