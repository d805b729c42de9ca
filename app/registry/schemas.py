"""Schemas of the registry endpoints (企业名录, 社区, 二维码): one in, one out per view."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core import geo
from app.core.choices import ChoiceField
from app.core.fields import PerPage
from app.core.imports import ImportReportOut
from app.core.pagination import page_args, page_schema
from app.registry import credit_code as cc
from app.registry.choices import RISK_LEVELS, configured_industries
from app.registry.operations import qr_url

MAX_PER_PAGE = 1000


# --------------------------------------------------------------------------------------------
# Fields

class Trimmed(fields.String):
    """A string with surrounding whitespace removed and inner runs collapsed to one space."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return " ".join(text.split())


class CreditCode(fields.String):
    """统一社会信用代码: normalised (full-width, lower case, spaces) and check-character
    verified."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return cc.validate(text)
        except cc.CreditCodeError as exc:
            raise ValidationError(str(exc)) from exc


risk_level_field = validate.OneOf(tuple(RISK_LEVELS),
                                  error=f"风险等级应为：{RISK_LEVELS.listing('zh')} / "
                                        f"the risk level is one of: "
                                        f"{RISK_LEVELS.listing('en')}")


class EnterpriseLocationIn(Schema):
    """WGS-84 degrees (what a phone's GPS gives)."""

    lat = fields.Float(required=True, allow_nan=False)
    lng = fields.Float(required=True, allow_nan=False)

    @validates_schema
    def _in_range(self, data, **_kwargs):
        if "lat" in data and "lng" in data and not geo.valid_lat_lng(data["lat"], data["lng"]):
            field = "lat" if abs(data["lat"]) > 90 else "lng"
            raise ValidationError("坐标超出范围（纬度 ±90，经度 ±180）/ coordinates out of range",
                                  field)


# --------------------------------------------------------------------------------------------
# Enterprises in

class _EnterpriseFields(Schema):
    name = Trimmed(validate=validate.Length(min=1, max=200))
    credit_code = CreditCode()
    community_id = fields.String(validate=validate.Length(min=1, max=36))
    address = Trimmed(validate=validate.Length(max=300))
    location = fields.Nested(EnterpriseLocationIn, allow_none=True)
    industry = ChoiceField(configured_industries, metadata={
        "description": "one of config INDUSTRIES, by its value or its Chinese or English label "
                       "(stored as the value)"})
    risk_level = fields.String(validate=risk_level_field)
    legal_rep = Trimmed(validate=validate.Length(max=100))
    safety_officer = Trimmed(validate=validate.Length(max=100))
    phone = Trimmed(validate=validate.Length(max=32))
    employees = fields.Integer(allow_none=True, strict=True,
                               validate=validate.Range(min=0, max=1_000_000))


class EnterpriseCreate(_EnterpriseFields):
    """A new enterprise; ``id`` may be chosen by the client (offline outbox)."""

    id = fields.UUID()
    name = Trimmed(required=True, validate=validate.Length(min=1, max=200))
    credit_code = CreditCode(required=True)
    community_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class EnterpriseUpdate(_EnterpriseFields):
    """Changed fields only, with the ``version`` the client saw (stale → 409)."""

    version = fields.Integer(required=True, strict=True)


# --------------------------------------------------------------------------------------------
# Enterprises out

class EnterpriseOut(Schema):
    id = fields.String()
    name = fields.String()
    credit_code = fields.String()
    community_id = fields.String()
    community_name = fields.Function(lambda e: e.community.name if e.community else None)
    address = fields.String()
    location = fields.Function(
        lambda e: {"lat": e.lat, "lng": e.lng} if e.lat is not None and e.lng is not None else None,
        metadata={"description": "WGS-84 {lat, lng} or null"})
    industry = fields.String()
    industry_label = fields.Function(lambda e: configured_industries().label(e.industry),
                                     metadata={"description": "in the reader's language"})
    risk_level = fields.String()
    risk_level_label = fields.Function(
        lambda e: RISK_LEVELS.label(e.risk_level) if e.risk_level in RISK_LEVELS else None,
        metadata={"description": "in the reader's language"})
    risk_color = fields.Function(lambda e: RISK_LEVELS.color(e.risk_level))
    legal_rep = fields.String()
    safety_officer = fields.String()
    phone = fields.String()
    employees = fields.Integer(allow_none=True)
    version = fields.Integer()
    qr_token = fields.String(metadata={"description": "token at the end of the QR code's URL"})
    qr_url = fields.Method("_qr_url", metadata={"description": "what the QR code encodes"})
    qr_rotated_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()

    def _qr_url(self, enterprise):
        return qr_url(enterprise.qr_token)


class EnterpriseListArgs(page_args(MAX_PER_PAGE, metadata={
        "description": "items per page (default 50)"})):
    community_id = fields.String()
    risk_level = fields.String(validate=risk_level_field)
    industry = ChoiceField(configured_industries, strict=False)
    q = Trimmed(validate=validate.Length(max=100),
                metadata={"description": "part of the name or credit code"})
    page_size = PerPage(MAX_PER_PAGE, metadata={"description": "alias of per_page"})


class ExportArgs(Schema):
    community_id = fields.String()
    risk_level = fields.String(validate=risk_level_field)
    industry = ChoiceField(configured_industries, strict=False)
    q = Trimmed(validate=validate.Length(max=100))


EnterprisePage = page_schema(EnterpriseOut, "EnterprisePage", pages=True)


# --------------------------------------------------------------------------------------------
# Communities and choices

class CommunityOut(Schema):
    id = fields.String()
    name = fields.String()
    street = fields.String()
    code = fields.String(allow_none=True)
    enterprise_count = fields.Integer()


class CommunityListArgs(page_args(MAX_PER_PAGE)):
    page_size = PerPage(MAX_PER_PAGE)


CommunityPage = page_schema(CommunityOut, "CommunityPage", pages=True)


class RegistryChoiceOut(Schema):
    value = fields.String()
    zh = fields.String()
    en = fields.String()
    color = fields.String(allow_none=True, dump_default=None)


class RegistryChoicesOut(Schema):
    risk_levels = fields.List(fields.Nested(RegistryChoiceOut))
    industries = fields.List(fields.Nested(RegistryChoiceOut))


# --------------------------------------------------------------------------------------------
# Import

class ImportRowResult(Schema):
    line = fields.Integer()
    result = fields.String(metadata={"description": "created | updated | unchanged"})
    id = fields.String(allow_none=True)
    credit_code = fields.String()
    name = fields.String()
    changed = fields.List(fields.String())


class ImportReport(ImportReportOut):
    rows = fields.List(fields.Nested(ImportRowResult), attribute="outcomes")


# --------------------------------------------------------------------------------------------
# QR codes and the scan card

class QrPngArgs(Schema):
    box_size = fields.Integer(load_default=10, validate=validate.Range(min=2, max=40),
                              metadata={"description": "pixels per module"})


class LabelArgs(Schema):
    community_id = fields.String(metadata={"description": "one community (default: all in scope)"})
