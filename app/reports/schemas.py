"""Schemas of the reports endpoints: dashboard (看板), map, ledgers (台账) and documents."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from app.core import fields as core_fields
from app.core.choices import ChoiceField
from app.core.fields import DateOrDateTime, UtcDateTime, UUIDStr
from app.escalation.choices import INTERVIEW_STATES
from app.hazards import choices as hazard_choices


def _check_period(data, first="date_from", last="date_to", last_name="to"):
    if data.get(first) and data.get(last) and data[first] > data[last]:
        raise ValidationError(f"`{last_name}` is before the start of the period.",
                              field_name=last_name)


# --------------------------------------------------------------------------- dashboard
class DashboardArgs(Schema):
    community_id = UUIDStr(metadata={"description": "one community (404 when not yours)"})
    date_from = core_fields.Date(data_key="from", metadata={
        "description": "first day (Asia/Shanghai) of the period; default: 364 days before `to`"})
    date_to = core_fields.Date(data_key="to", metadata={
        "description": "last day (included) of the period; default: today"})

    @validates_schema
    def _period(self, data, **kwargs):
        _check_period(data)


class LabelledCount(Schema):
    key = fields.String()
    zh = fields.String()
    en = fields.String()
    color = fields.String(metadata={"description": "display colour, where the choice has one"})
    count = fields.Integer()


class CommunityCount(Schema):
    id = fields.String()
    name = fields.String()
    count = fields.Integer()


class DashboardScope(Schema):
    community_id = fields.String(allow_none=True)
    community_name = fields.String(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    now = UtcDateTime()


class EscalationFigures(Schema):
    total = fields.Integer()
    by_rule = fields.List(fields.Nested(LabelledCount))


class InterviewFigures(Schema):
    opened = fields.Integer(metadata={"description": "约谈 opened in the period"})
    held = fields.Integer(metadata={"description": "约谈 held in the period"})
    by_state = fields.List(fields.Nested(LabelledCount), metadata={
        "description": "those opened in the period, by their current state"})


class WeekOut(Schema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2023-W23"})
    start = fields.Date(metadata={"description": "its Monday"})
    found = fields.Integer()
    closed = fields.Integer()


class TopEnterpriseOut(Schema):
    id = fields.String()
    name = fields.String()
    risk_level = fields.String()
    community_id = fields.String()
    open_hazards = fields.Integer()
    major = fields.Integer()
    overdue = fields.Integer()


class ExtensionFigures(Schema):
    requested = fields.Integer(metadata={"description": "延期申请 made in the period"})
    approved = fields.Integer(metadata={"description": "approved in the period"})
    rejected = fields.Integer(metadata={"description": "rejected in the period"})
    pending_now = fields.Integer(metadata={"description": "awaiting a decision now"})


class ListingFigures(Schema):
    listed_now = fields.Integer(metadata={"description": "under 挂牌督办 now"})
    listed = fields.Integer(metadata={"description": "listed in the period"})
    delisted = fields.Integer(metadata={"description": "摘牌 in the period"})


class EvidenceFigures(Schema):
    flagged_verifications = fields.Integer(metadata={
        "description": "verifications in the period made while evidence flags stood"})
    awaiting_review = fields.Integer(metadata={
        "description": "hazards awaiting their re-check now with a standing flag"})


class TipFigures(Schema):
    """举报 figures (app/outreach/figures.py)."""

    received = fields.Integer(metadata={"description": "tips received in the period"})
    accepted = fields.Integer(metadata={"description": "of them, accepted as hazards"})
    declined = fields.Integer()
    untriaged_now = fields.Integer(metadata={"description": "awaiting triage, of any period"})
    overdue_now = fields.Integer(metadata={"description": "of them, older than "
                                                          "TIP_TRIAGE_DAYS"})
    median_days_to_triage = fields.Float(allow_none=True)


class CoverageFigures(Schema):
    registered = fields.Integer(metadata={"description": "enterprises in the registry"})
    inspected = fields.Integer(metadata={"description": "of them, visited in the period"})
    uninspected = fields.Integer(metadata={"description": "registered − inspected"})
    never_inspected = fields.Integer(metadata={"description": "never visited at all"})
    rate = fields.Float(allow_none=True, metadata={"description": "inspected ÷ registered"})


class CommunityCoverage(CoverageFigures):
    id = fields.String()
    name = fields.String()


class RiskCoverage(CoverageFigures):
    key = fields.String()
    zh = fields.String()
    en = fields.String()
    color = fields.String()


class CoverageOut(CoverageFigures):
    """检查覆盖率 (app/reports/coverage.py)."""

    by_community = fields.List(fields.Nested(CommunityCoverage))
    by_risk = fields.List(fields.Nested(RiskCoverage))


class TaskFigures(Schema):
    open = fields.Integer(metadata={"description": "open, not yet past their day"})
    overdue = fields.Integer(metadata={"description": "open past their day (逾期)"})
    done = fields.Integer(metadata={"description": "done in the period"})


class FailedItemOut(Schema):
    checklist_id = fields.String()
    checklist_name = fields.String(allow_none=True)
    code = fields.String()
    text = fields.String(allow_none=True)
    basis = fields.String(allow_none=True)
    major_if_failed = fields.Boolean()
    failed = fields.Integer(metadata={"description": "answered fail in the period"})
    judged = fields.Integer(metadata={"description": "answered pass or fail in the period"})
    fail_rate = fields.Float(allow_none=True)


class LastScoreOut(Schema):
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    inspection_id = fields.String()
    kind = fields.String()
    ended_at = UtcDateTime()
    score = fields.Float(allow_none=True, metadata={"description": "pass ÷ (pass + fail)"})


class SelfMonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM (Asia/Shanghai)"})
    count = fields.Integer()
    enterprises = fields.Integer()


class SelfEnterpriseOut(Schema):
    enterprise_id = fields.String()
    enterprise_name = fields.String()
    months = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "YYYY-MM → finished self-inspections"})
    total = fields.Integer()


class SelfInspectionFigures(Schema):
    total = fields.Integer(metadata={"description": "finished self-inspections begun in the "
                                                    "period"})
    enterprises = fields.Integer(metadata={"description": "enterprises that ran one"})
    by_month = fields.List(fields.Nested(SelfMonthOut))
    by_enterprise = fields.List(fields.Nested(SelfEnterpriseOut))


class PreventionOut(Schema):
    """双重预防: checklists and self-inspections (app/reports/prevention.py)."""

    most_failed_items = fields.List(fields.Nested(FailedItemOut))
    last_scores = fields.List(fields.Nested(LastScoreOut), metadata={
        "description": "each enterprise's last finished checklist inspection, lowest score "
                       "first"})
    self_inspections = fields.Nested(SelfInspectionFigures)
    self_check_missed = fields.Integer(metadata={"description": "自查不实 hazards found in the "
                                                                "period"})


class DashboardOut(Schema):
    """Figures of the supervisors' dashboard; definitions in ``app/reports/dashboard.py``."""

    scope = fields.Nested(DashboardScope)
    total = fields.Integer(metadata={"description": "hazards found in the period"})
    by_state = fields.List(fields.Nested(LabelledCount))
    by_level = fields.List(fields.Nested(LabelledCount))
    by_category = fields.List(fields.Nested(LabelledCount))
    by_community = fields.List(fields.Nested(CommunityCount))
    by_risk = fields.List(fields.Nested(LabelledCount), metadata={
        "description": "the period's hazards by the risk colour of their enterprise"})
    enterprises_by_risk = fields.List(fields.Nested(LabelledCount), metadata={
        "description": "enterprises in scope by risk colour (风险分级)"})
    rectified = fields.Integer()
    rectification_rate = fields.Float(allow_none=True, metadata={
        "description": "整改率: verified/closed/archived ÷ found in the period"})
    on_time = fields.Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={
        "description": "verified by the deadline ÷ rectified"})
    median_days_to_close = fields.Float(allow_none=True, metadata={
        "description": "median of closed_at − found_at (days) of the period's closed hazards"})
    open_now = fields.Integer()
    overdue_now = fields.Integer()
    major_open_now = fields.Integer()
    escalations = fields.Nested(EscalationFigures)
    interviews = fields.Nested(InterviewFigures)
    weekly_trend = fields.List(fields.Nested(WeekOut))
    top_enterprises = fields.List(fields.Nested(TopEnterpriseOut))
    extensions = fields.Nested(ExtensionFigures)
    listings = fields.Nested(ListingFigures)
    evidence = fields.Nested(EvidenceFigures)
    tips = fields.Nested(TipFigures, metadata={"description": "public reports (举报)"})
    coverage = fields.Nested(CoverageOut, metadata={
        "description": "enterprises registered, inspected in the period, never inspected, by "
                       "community and risk colour"})
    tasks = fields.Nested(TaskFigures, metadata={"description": "检查任务 of plans in scope"})
    prevention = fields.Nested(PreventionOut)


# --------------------------------------------------------------------------- map
class MapArgs(DashboardArgs):
    """One community, and the period whose visits mark an enterprise ``inspected`` (the
    dashboard's: default the last 365 days)."""


class TilesOut(Schema):
    provider = fields.String(metadata={"description": "amap | tencent | baidu | tianditu | osm "
                                                      "| custom"})
    crs = fields.String(metadata={"description": "coordinates the tiles expect: wgs84 | gcj02 "
                                                 "| bd09 (points are stored WGS-84)"})
    scheme = fields.String(metadata={"description": "xyz (web mercator; {-y} in the URL is the "
                                                    "TMS row) or baidu (Baidu's own mercator "
                                                    "grid)"})
    url = fields.String(metadata={"description": "template with {s} {z} {x} {y} / {-y}"})
    overlay_url = fields.String(allow_none=True, metadata={"description": "labels layer"})
    subdomains = fields.List(fields.String())
    attribution = fields.String()
    min_zoom = fields.Integer()
    max_zoom = fields.Integer()


class LegendOut(Schema):
    """A value of a choice set with its labels and colour, as the map draws it."""

    key = fields.String()
    zh = fields.String()
    en = fields.String()
    color = fields.String()


class MapEnterpriseOut(Schema):
    id = fields.String()
    name = fields.String()
    community_id = fields.String()
    lat = fields.Float(metadata={"description": "WGS-84, as stored"})
    lng = fields.Float()
    risk_level = fields.String()
    open_hazards = fields.Integer()
    major = fields.Integer(metadata={"description": "open major hazards"})
    overdue = fields.Integer()
    listed = fields.Integer(metadata={"description": "open hazards under 挂牌督办"})
    inspected = fields.Boolean(metadata={"description": "visited in the period (覆盖)"})
    last_inspected_at = UtcDateTime(allow_none=True, metadata={
        "description": "its last visit before the period ends; null: none"})


class MapHazardOut(Schema):
    id = fields.String()
    enterprise_id = fields.String()
    title = fields.String()
    lat = fields.Float(metadata={"description": "WGS-84: the hazard's position, else its "
                                               "enterprise's"})
    lng = fields.Float()
    level = fields.String()
    state = fields.String()
    overdue = fields.Boolean()
    listed = fields.Boolean(metadata={"description": "under 挂牌督办"})


class PeriodOut(Schema):
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")


class MapOut(Schema):
    tiles = fields.Nested(TilesOut, allow_none=True, metadata={
        "description": "null: no tile source configured; draw the points alone"})
    legend = fields.List(fields.Nested(LegendOut), metadata={
        "description": "风险等级: the enterprises' colours"})
    levels = fields.List(fields.Nested(LegendOut), metadata={
        "description": "隐患等级: the hazards' colours"})
    enterprises = fields.List(fields.Nested(MapEnterpriseOut))
    hazards = fields.List(fields.Nested(MapHazardOut), metadata={
        "description": "open hazards (not yet 销号), major and most overdue first"})
    hazards_total = fields.Integer()
    hazards_truncated = fields.Boolean()
    period = fields.Nested(PeriodOut, metadata={"description": "the period of `inspected`"})


class UninspectedArgs(Schema):
    community_id = UUIDStr(metadata={"description": "one community (404 when not yours)"})
    date_from = core_fields.Date(data_key="from", metadata={
        "description": "first day of the period; default: the first day of this quarter"})
    date_to = core_fields.Date(data_key="to", metadata={
        "description": "last day (included); default: the last day of this quarter"})

    @validates_schema
    def _period(self, data, **kwargs):
        _check_period(data)


# --------------------------------------------------------------------------- ledgers
class LedgerArgs(Schema):
    """The filters of ``GET /api/v1/hazards`` (without paging), and the dashboard's period
    (``from``/``to``, as ``GET /api/v1/dashboard``): the ledger lists all matches, so the
    dashboard's query string gives the ledger of exactly the hazards its ``total`` counts."""

    state = fields.String(validate=validate.OneOf(list(hazard_choices.HAZARD_STATES)))
    level = fields.String(validate=validate.OneOf(list(hazard_choices.HAZARD_LEVELS)))
    enterprise_id = UUIDStr()
    community_id = UUIDStr()
    inspection_id = UUIDStr()
    category = ChoiceField(hazard_choices.configured_categories, strict=False,
                           validate=validate.Length(max=50))
    overdue = fields.Boolean()
    escalated = fields.Boolean()
    listed = fields.Boolean(metadata={"description": "under 挂牌督办 now"})
    q = fields.String(validate=validate.Length(max=100),
                      metadata={"description": "words in title, description, place or enterprise"})
    found_from = DateOrDateTime()
    found_to = DateOrDateTime(end_of_day=True)
    date_from = core_fields.Date(data_key="from", metadata={
        "description": "the dashboard's period: first day (Asia/Shanghai) a hazard was found; "
                       "with `to` alone, 364 days before `to`"})
    date_to = core_fields.Date(data_key="to", metadata={
        "description": "the dashboard's period: last day (included); with `from` alone, today"})

    @validates_schema
    def _range(self, data, **kwargs):
        _check_period(data, "found_from", "found_to", "found_to")
        _check_period(data)


class InterviewLedgerArgs(Schema):
    """The filters of ``GET /api/v1/interviews`` (without paging)."""

    state = DelimitedList(fields.String(validate=validate.OneOf(list(INTERVIEW_STATES))),
                          metadata={"description": "one or more states, comma separated"})
    enterprise_id = UUIDStr()
    community_id = UUIDStr()
    overdue = fields.Boolean(metadata={"description": "held and its follow-up deadline passed"})


# --------------------------------------------------------------------------- documents
class CampaignArgs(Schema):
    campaign_id = UUIDStr(metadata={
        "description": "a campaign (GET /api/v1/campaigns): its period, name and deadline "
                       "stand for from, to, title and report_due"})
    date_from = core_fields.Date(data_key="from", metadata={
        "description": "first day of the campaign, e.g. 2023-06-01 (required without "
                       "campaign_id)"})
    date_to = core_fields.Date(data_key="to", metadata={
        "description": "last day (included), e.g. 2023-06-30 (required without campaign_id)"})
    community_id = UUIDStr(metadata={"description": "the reporting 社区 (404 when not yours)"})
    title = fields.String(validate=validate.Length(min=1, max=60), metadata={
        "description": "campaign name, default 安全生产月"})
    report_due = core_fields.Date(metadata={
        "description": "deadline of the summary upward; default the 25th of the last month"})

    @validates_schema
    def _period(self, data, **kwargs):
        if not data.get("campaign_id"):
            for name, key in (("date_from", "from"), ("date_to", "to")):
                if not data.get(name):
                    raise ValidationError("Missing data for required field.", field_name=key)
        _check_period(data)
        if data.get("date_from") and data.get("date_to") and \
                (data["date_to"] - data["date_from"]).days > 366:
            raise ValidationError("A campaign summary covers at most a year.", field_name="to")

