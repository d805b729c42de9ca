"""Campaigns (安全生产月), activities and submissions over HTTP (CONTRACT.md "Campaigns and
activities"). The campaign summary PDF and the street's summary are printed by the reports
domain (``/api/v1/reports/campaign-summary.pdf``, ``/campaigns/{id}/street-summary.pdf``)."""
from __future__ import annotations

from flask import Response
from app.core.blueprints import Blueprint

from app.campaigns import operations, submissions
from app.campaigns.schemas import (ActivityCreateIn, ActivityDetailOut, ActivityPageOut,
                                   ActivityQuery, ActivityTransitionIn, CampaignCreateIn,
                                   CampaignDetailOut, CampaignListArgs, CampaignOut,
                                   CampaignPageOut, CurrentCampaignOut, SubmissionDetailOut,
                                   SubmissionIn)
from app.core.downloads import content_disposition
from app.core.permissions import capability_required, require_user

blp = Blueprint("campaigns", __name__, url_prefix="/api/v1",
                description="安全生产月 Campaigns, activities and submissions (报送)")

BINARY = {"type": "string", "format": "binary"}


@blp.route("/campaigns", methods=["GET"])
@blp.arguments(CampaignListArgs, location="query")
@blp.response(200, CampaignPageOut)
def list_campaigns(args):
    """Every campaign, the latest first, with where it stands today."""
    return operations.list_campaigns(require_user(), page=args["page"],
                                     per_page=args["per_page"])


@blp.route("/campaigns", methods=["POST"])
@capability_required("campaign.manage")
@blp.arguments(CampaignCreateIn)
@blp.response(201, CampaignOut)
@blp.alt_response(200, schema=CampaignOut, description="Replay of the same create")
@blp.alt_response(403, description="Only supervisors (and administrators) set up campaigns")
def create_campaign(data):
    """设立专项活动: ``{id?, name, starts_on, ends_on, submission_due}`` (supervisor)."""
    result = operations.create_campaign(require_user(), data)
    return result.record, result.status


@blp.route("/campaigns/current", methods=["GET"])
@blp.response(200, CurrentCampaignOut)
def current_campaign():
    """The campaign the home screen shows (running, else reporting, else about to start), with
    its days left; ``campaign`` is null when there is none."""
    return {"campaign": operations.current_campaign(require_user())}


@blp.route("/campaigns/<uuid:campaign_id>", methods=["GET"])
@blp.response(200, CampaignDetailOut)
@blp.alt_response(404, description="Unknown campaign")
def get_campaign(campaign_id):
    """A campaign with the submissions board of the communities you follow: ``submissions[]``
    (late ones marked), ``missing[]`` (late once the due day has passed), counts."""
    return operations.get_campaign(require_user(), str(campaign_id))


@blp.route("/campaigns/<uuid:campaign_id>/submissions", methods=["POST"])
@capability_required("campaign.submit")
@blp.arguments(SubmissionIn)
@blp.response(201, SubmissionDetailOut)
@blp.alt_response(403, description="Only a community's supervisor submits")
@blp.alt_response(404, description="Unknown campaign, or a community that is not yours")
@blp.alt_response(409, description="Already submitted, or the campaign has not begun")
def submit(data, campaign_id):
    """报送: freeze the community's figures, activities and summary PDF with their SHA-256.
    A submission never changes; a second one is 409."""
    return submissions.submit(require_user(), str(campaign_id), data), 201


@blp.route("/campaigns/<uuid:campaign_id>/submissions/<uuid:submission_id>", methods=["GET"])
@blp.response(200, SubmissionDetailOut)
@blp.alt_response(404, description="Unknown, or of a community you do not follow")
def get_submission(campaign_id, submission_id):
    """One submission as frozen: figures, activities, SHA-256 of both and of the PDF."""
    return submissions.get_submission(require_user(), str(campaign_id), str(submission_id))


@blp.route("/campaigns/<uuid:campaign_id>/submissions/<uuid:submission_id>/summary.pdf",
           methods=["GET"], endpoint="submission_pdf")
@blp.response(200, BINARY, content_type="application/pdf",
              description="the summary PDF exactly as it was submitted")
@blp.alt_response(404, description="Unknown, or of a community you do not follow")
def submission_pdf(campaign_id, submission_id):
    """The frozen summary PDF, byte for byte as submitted (``ETag``: its SHA-256)."""
    submission = submissions.get_submission(require_user(), str(campaign_id),
                                            str(submission_id))
    response = Response(submission.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(submission.pdf_name,
                                                                  inline=True)
    response.headers["X-Content-SHA256"] = submission.pdf_sha256
    response.set_etag(submission.pdf_sha256)
    return response


@blp.route("/activities", methods=["GET"])
@blp.arguments(ActivityQuery, location="query")
@blp.response(200, ActivityPageOut)
def list_activities(args):
    """Activities in your scope, the latest held first; filters campaign_id, community_id,
    kind, state, held_from, held_to."""
    return operations.list_activities(require_user(), args)


@blp.route("/activities", methods=["POST"])
@capability_required("activity.record")
@blp.arguments(ActivityCreateIn)
@blp.response(201, ActivityDetailOut)
@blp.alt_response(200, schema=ActivityDetailOut, description="Replay of the same create")
@blp.alt_response(403, description="Not your role, or a kind an officer does not record")
@blp.alt_response(409, description="The id exists with a different body")
def create_activity(data):
    """登记活动 (offline first: idempotent by client ``id``). Photos follow through
    ``POST /api/v1/photos`` with ``activity_id`` and ``kind: "activity"``."""
    result = operations.create_activity(require_user(), data)
    return result.record, result.status


@blp.route("/activities/<uuid:activity_id>", methods=["GET"])
@blp.response(200, ActivityDetailOut)
@blp.alt_response(404, description="Unknown or not in your scope")
def get_activity(activity_id):
    """An activity with its photos, its trail and the actions you may take."""
    return operations.get_activity(require_user(), str(activity_id))


@blp.route("/activities/<uuid:activity_id>/transitions", methods=["POST"])
@blp.arguments(ActivityTransitionIn)
@blp.response(200, ActivityDetailOut)
@blp.alt_response(403, description="Only a supervisor confirms")
@blp.alt_response(409, description="Stale version, or not awaiting confirmation")
def transition_activity(data, activity_id):
    """确认 (confirm) or 退回 (return, with a note) an officer's activity."""
    return operations.transition_activity(require_user(), str(activity_id), data)
