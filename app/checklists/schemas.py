"""Schemas of the checklist (检查表) endpoints."""
from __future__ import annotations

from marshmallow import Schema, fields, pre_dump, validate

from app.checklists.importing import CODE_MESSAGE, CODE_PATTERN, MAX_ITEMS, MAX_LENGTH
from app.core.choices import ChoiceField
from app.core.fields import UtcDateTime, UUIDStr
from app.core.imports import ImportArgs, ImportReportOut
from app.core.pagination import page_args, page_schema
from app.hazards.choices import configured_categories
from app.registry.choices import configured_industries


# --------------------------------------------------------------------------- input
class ChecklistItemIn(Schema):
    """检查项."""

    code = fields.String(required=True, validate=validate.Regexp(CODE_PATTERN, error=CODE_MESSAGE),
                         metadata={"description": "unique within the checklist; letters, digits, "
                                                  ". _ - (part of an answer's URL)"})
    text = fields.String(required=True,
                         validate=validate.Length(min=1, max=MAX_LENGTH["text"]))
    category = ChoiceField(configured_categories, required=True, metadata={
        "description": "the hazard category a failure is (value or label)"})
    basis = fields.String(load_default="", validate=validate.Length(max=MAX_LENGTH["basis"]),
                          metadata={"description": "legal basis, e.g. 应急管理部令第10号 第十一条"})
    requires_photo = fields.Boolean(load_default=False,
                                    metadata={"description": "a fail needs a photo"})
    major_if_failed = fields.Boolean(load_default=False, metadata={
        "description": "a fail is a major hazard (重大隐患)"})


_INDUSTRIES = fields.List(ChoiceField(configured_industries), validate=validate.Length(max=50),
                          metadata={"description": "industries it is offered for first; empty: "
                                                   "every industry"})


class ChecklistCreateIn(Schema):
    """新建检查表."""

    id = UUIDStr(metadata={"description": "client-chosen id"})
    name = fields.String(required=True,
                         validate=validate.Length(min=1, max=MAX_LENGTH["name"]))
    industries = fields.List(ChoiceField(configured_industries), load_default=list,
                             validate=validate.Length(max=50),
                             metadata=_INDUSTRIES.metadata)
    description = fields.String(load_default="", validate=validate.Length(max=2000))
    items = fields.List(fields.Nested(ChecklistItemIn), required=True,
                        validate=validate.Length(min=1, max=MAX_ITEMS))


class ChecklistPatchIn(Schema):
    """修改检查表: any change makes the next version."""

    version = fields.Integer(required=True, strict=True)
    name = fields.String(validate=validate.Length(min=1, max=MAX_LENGTH["name"]))
    industries = fields.List(ChoiceField(configured_industries),
                             validate=validate.Length(max=50), metadata=_INDUSTRIES.metadata)
    description = fields.String(validate=validate.Length(max=2000))
    items = fields.List(fields.Nested(ChecklistItemIn),
                        validate=validate.Length(min=1, max=MAX_ITEMS))
    active = fields.Boolean(metadata={"description": "false: no longer offered for new "
                                                     "inspections"})


class ChecklistQueryArgs(page_args(200, 50)):
    industry = ChoiceField(configured_industries, strict=False, metadata={
        "description": "an enterprise's industry: the checklists made for it come first"})
    include_inactive = fields.Boolean(load_default=False,
                                      metadata={"description": "managers: retired ones too"})


class ChecklistGetArgs(Schema):
    version = fields.Integer(validate=validate.Range(min=1, max=1_000_000),
                             metadata={"description": "an earlier version (default: current)"})


class ChecklistImportArgs(ImportArgs):
    name = fields.String(validate=validate.Length(min=1, max=MAX_LENGTH["name"]), metadata={
        "description": "the checklist's name when the file has no 检查表名称 column"})


# --------------------------------------------------------------------------- output
class ChecklistItemOut(Schema):
    code = fields.String()
    text = fields.String()
    category = fields.String()
    basis = fields.String()
    requires_photo = fields.Boolean()
    major_if_failed = fields.Boolean()


class ChecklistOut(Schema):
    """检查表 at its current version (or the version asked for)."""

    id = fields.String()
    name = fields.String()
    version = fields.Integer(metadata={"description": "the version shown (PATCH sends the "
                                                      "current one)"})
    current_version = fields.Integer(metadata={"description": "the checklist's current version"})
    industries = fields.List(fields.String())
    description = fields.String()
    active = fields.Boolean()
    standard = fields.Boolean(metadata={"description": "one of the lists Anxun ships"})
    matches_industry = fields.Boolean(metadata={"description": "made for the industry asked "
                                                               "for"})
    items = fields.List(fields.Nested(ChecklistItemOut))
    item_count = fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()

    @pre_dump
    def _computed(self, checklist, **kwargs):
        shown = checklist.current
        return {"id": checklist.id, "name": shown.name, "version": shown.version,
                "current_version": checklist.version, "industries": shown.industries or [],
                "description": shown.description or "", "active": checklist.active,
                "standard": checklist.standard_key is not None,
                "matches_industry": getattr(checklist, "matches_industry", False),
                "items": shown.items, "item_count": len(shown.items),
                "created_at": checklist.created_at, "updated_at": shown.created_at}


ChecklistPageOut = page_schema(ChecklistOut, "ChecklistPageOut")


class ChecklistVersionOut(Schema):
    version = fields.Integer()
    name = fields.String()
    created_at = UtcDateTime()
    created_by = fields.String(allow_none=True)
    item_count = fields.Integer()

    @pre_dump
    def _computed(self, version, **kwargs):
        return {"version": version.version, "name": version.name,
                "created_at": version.created_at, "created_by": version.created_by_id,
                "item_count": len(version.items)}


class ChecklistVersionListOut(Schema):
    items = fields.List(fields.Nested(ChecklistVersionOut))
    total = fields.Integer()


class ImportChecklistResult(Schema):
    name = fields.String()
    result = fields.String(metadata={"description": "created | updated | unchanged | invalid"})
    id = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True, metadata={"description": "the version it has (or "
                                                                      "would have) after it"})
    items = fields.Integer()
    lines = fields.List(fields.Integer(), metadata={"description": "first and last line"})


class ChecklistImportReport(ImportReportOut):
    checklists = fields.List(fields.Nested(ImportChecklistResult), attribute="outcomes")
