"""Reports over HTTP (CONTRACT.md "Dashboard and reports"): the supervisors' dashboard, the map,
ledgers (台账) as XLSX/CSV and the printable PDFs (整改通知书, 约谈记录, 活动总结).

Every answer is limited to the user's scope; a record or community outside it is 404.
"""
from __future__ import annotations

from flask import Response, stream_with_context
from app.core.blueprints import Blueprint

from app.core.downloads import content_disposition
from app.core.permissions import require_user
from app.reports import dashboard as dashboard_ops
from app.reports import coverage, documents, ledger, mapdata
from app.reports.schemas import (CampaignArgs, DashboardArgs, DashboardOut, InterviewLedgerArgs,
                                 LedgerArgs, MapArgs, MapOut, UninspectedArgs)

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="看板与报表 Dashboard, map, ledgers and printable documents")

BINARY = {"type": "string", "format": "binary"}


def _pdf(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype=documents.PDF_MIME)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=True)
    return response


@blp.route("/dashboard", methods=["GET"])
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, DashboardOut)
@blp.alt_response(404, description="The community is unknown or not yours")
def get_dashboard(args):
    """Figures for your scope and a period: counts by state, level, community, category and
    risk colour; overdue now; 整改率 and on-time rate; median days to close; escalations and
    interviews; weekly trend; the enterprises with most open hazards."""
    return dashboard_ops.dashboard(require_user(), community_id=args.get("community_id"),
                                   date_from=args.get("date_from"), date_to=args.get("date_to"))


@blp.route("/map", methods=["GET"])
@blp.arguments(MapArgs, location="query")
@blp.response(200, MapOut)
@blp.alt_response(404, description="The community is unknown or not yours")
def get_map(args):
    """Enterprises and open hazards as WGS-84 points with their risk colour, and the tile source
    (with the coordinate system it needs); ``tiles`` is null when none is configured."""
    return mapdata.map_data(require_user(), community_id=args.get("community_id"),
                            date_from=args.get("date_from"), date_to=args.get("date_to"))


@blp.route("/reports/uninspected-enterprises.xlsx", methods=["GET"])
@blp.arguments(UninspectedArgs, location="query")
@blp.response(200, BINARY, content_type=ledger.XLSX_MIME,
              description="未检查企业清单: the enterprises nobody visited in the period")
@blp.alt_response(404, description="The community is unknown or not yours")
def uninspected_enterprises(args):
    """The enterprises in your scope with no inspection in the period (default: this quarter),
    red first, with their last inspection, as XLSX."""
    default_first, default_last = coverage.quarter()
    first, last, start, end = dashboard_ops.period_bounds(args.get("date_from") or default_first,
                                                          args.get("date_to") or default_last)
    content = coverage.uninspected_xlsx(require_user(), community_id=args.get("community_id"),
                                        first=first, last=last, start=start, end=end)
    response = Response(content, mimetype=ledger.XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        f"未检查企业清单-{first:%Y%m%d}-{last:%Y%m%d}.xlsx")
    return response


@blp.route("/reports/hazard-ledger.xlsx", methods=["GET"])
@blp.arguments(LedgerArgs, location="query")
@blp.response(200, BINARY, content_type=ledger.XLSX_MIME,
              description="隐患台账: one row per hazard matching the list's filters")
def hazard_ledger_xlsx(args):
    """The hazard ledger (隐患台账) as XLSX, Chinese headers, the filters of GET /hazards;
    streamed as it is written."""
    query = ledger.hazard_ledger_query(require_user(), args)
    response = Response(stream_with_context(ledger.hazard_ledger_xlsx_chunks(query)),
                        mimetype=ledger.XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        f"隐患台账-{ledger.stamp()}.xlsx")
    return response


@blp.route("/reports/hazard-ledger.csv", methods=["GET"])
@blp.arguments(LedgerArgs, location="query")
@blp.response(200, BINARY, content_type=ledger.CSV_MIME,
              description="隐患台账 as CSV (UTF-8 with BOM), streamed")
def hazard_ledger_csv(args):
    """The hazard ledger (隐患台账) as CSV, UTF-8 with BOM, streamed in batches."""
    query = ledger.hazard_ledger_query(require_user(), args)
    response = Response(stream_with_context(ledger.hazard_ledger_csv(query)),
                        mimetype=ledger.CSV_MIME)
    response.headers["Content-Disposition"] = content_disposition(f"隐患台账-{ledger.stamp()}.csv")
    return response


@blp.route("/reports/interviews.xlsx", methods=["GET"])
@blp.arguments(InterviewLedgerArgs, location="query")
@blp.response(200, BINARY, content_type=ledger.XLSX_MIME, description="约谈台账")
def interview_ledger_xlsx(args):
    """The interview ledger (约谈台账) as XLSX: every record field and the reasons."""
    content = ledger.interview_ledger_xlsx(require_user(), args)
    response = Response(content, mimetype=ledger.XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(f"约谈台账-{ledger.stamp()}.xlsx")
    return response


@blp.route("/reports/interviews.csv", methods=["GET"])
@blp.arguments(InterviewLedgerArgs, location="query")
@blp.response(200, BINARY, content_type=ledger.CSV_MIME, description="约谈台账 as CSV")
def interview_ledger_csv(args):
    """The interview ledger (约谈台账) as CSV, UTF-8 with BOM."""
    content = ledger.interview_ledger_csv(require_user(), args)
    response = Response(content, mimetype=ledger.CSV_MIME)
    response.headers["Content-Disposition"] = content_disposition(f"约谈台账-{ledger.stamp()}.csv")
    return response


@blp.route("/inspections/<uuid:inspection_id>/rectification-notice.pdf", methods=["GET"])
@blp.response(200, BINARY, content_type=documents.PDF_MIME,
              description="隐患整改通知书 (A4), with a QR code back to the inspection")
@blp.alt_response(404, description="Unknown or not in your scope")
def rectification_notice(inspection_id):
    """整改通知书 for an inspection: its hazards with level, description, deadline and finding
    photos, the legal basis, and signature lines for inspector and enterprise."""
    pdf, filename = documents.rectification_notice(require_user(), str(inspection_id))
    return _pdf(pdf, filename)


@blp.route("/interviews/<uuid:interview_id>/record.pdf", methods=["GET"])
@blp.response(200, BINARY, content_type=documents.PDF_MIME,
              description="约谈记录 (A4), with a QR code back to the interview")
@blp.alt_response(404, description="Unknown or not in your scope")
def interview_record(interview_id):
    """约谈记录 with every record field, the reasons (rule and hazard) and signature lines."""
    pdf, filename = documents.interview_record(require_user(), str(interview_id))
    return _pdf(pdf, filename)


@blp.route("/reports/campaign-summary.pdf", methods=["GET"])
@blp.arguments(CampaignArgs, location="query")
@blp.response(200, BINARY, content_type=documents.PDF_MIME,
              description="活动总结 (e.g. 安全生产月) for a period and community")
@blp.alt_response(404, description="The community is unknown or not yours")
def campaign_summary(args):
    """A campaign's activity summary (安全生产月 1–30 June): figures, the activities by kind with
    photos of the main ones, charts, typical cases and the date it is due upward (default the
    25th of the last month); with ``campaign_id``, of that campaign."""
    pdf, filename = documents.campaign_summary(
        require_user(), date_from=args.get("date_from"), date_to=args.get("date_to"),
        community_id=args.get("community_id"), title=args.get("title"),
        report_due=args.get("report_due"), campaign_id=args.get("campaign_id"))
    return _pdf(pdf, filename)


@blp.route("/campaigns/<uuid:campaign_id>/street-summary.pdf", methods=["GET"])
@blp.response(200, BINARY, content_type=documents.PDF_MIME,
              description="街道汇总: the street's summary built from the submissions")
@blp.alt_response(404, description="Unknown campaign")
def street_summary(campaign_id):
    """The street's summary of a campaign, built only from the communities' frozen submissions:
    who submitted (on time, late), who is missing, each one's figures and digest, the sums and
    every activity reported."""
    pdf, filename = documents.street_summary(require_user(), str(campaign_id))
    return _pdf(pdf, filename)
