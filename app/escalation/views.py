"""零容忍 and 约谈 over HTTP (CONTRACT.md "Zero tolerance and interviews").

Interviews are read by everyone in scope (an officer: its own enterprise's only) and moved by
supervisors and admins. The 挂牌督办 list and a hazard's escalation reasons live here too.
"""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.core.permissions import require_user
from app.escalation import operations
from app.escalation.schemas import (EscalationListOut, InterviewCreateIn, InterviewDetailOut,
                                    InterviewPageOut, InterviewQuery, InterviewTransitionIn,
                                    ListedHazardPageOut, ListedHazardQuery)

blp = Blueprint("escalation", __name__, url_prefix="/api/v1",
                description="零容忍 escalation and 约谈 interviews")


@blp.route("/interviews", methods=["GET"])
@blp.arguments(InterviewQuery, location="query")
@blp.response(200, InterviewPageOut)
def list_interviews(query):
    """约谈 list in the user's scope, newest first; filters state (comma list), enterprise_id,
    community_id, overdue."""
    return operations.list_interviews(
        require_user(), state=query.get("state"), enterprise_id=query.get("enterprise_id"),
        community_id=query.get("community_id"), overdue=query.get("overdue"),
        page=query["page"], per_page=query["per_page"])


@blp.route("/interviews", methods=["POST"])
@blp.arguments(InterviewCreateIn)
@blp.response(201, InterviewDetailOut)
@blp.alt_response(200, schema=InterviewDetailOut, description="Replay of the same create")
@blp.alt_response(409, description="The enterprise already has an open interview")
def create_interview(data):
    """Open a 约谈 by hand (supervisor, admin): ``{id?, enterprise_id, situation}``."""
    interview, created = operations.open_interview(
        require_user(), enterprise_id=data["enterprise_id"], situation=data["situation"],
        interview_id=str(data["id"]) if data.get("id") else None)
    return interview, 201 if created else 200


@blp.route("/interviews/<interview_id>", methods=["GET"])
@blp.response(200, InterviewDetailOut)
def get_interview(interview_id):
    """One 约谈 record with its reasons (rule + hazard) and its events."""
    return operations.get_interview(require_user(), interview_id)


@blp.route("/interviews/<interview_id>/transitions", methods=["POST"])
@blp.arguments(InterviewTransitionIn)
@blp.response(200, InterviewDetailOut)
@blp.alt_response(409, description="Stale version or action not possible in this state")
def transition_interview(data, interview_id):
    """Move the interview: schedule → scheduled, (reschedule), hold → held, close → closed."""
    user = require_user()
    interview = operations.get_interview(user, interview_id, for_update=True)
    return operations.transition_interview(interview, user, data)


@blp.route("/hazards/major", methods=["GET"])
@blp.arguments(ListedHazardQuery, location="query")
@blp.response(200, ListedHazardPageOut)
def listed_major_hazards(query):
    """挂牌督办: major hazards in scope that are not closed yet, earliest deadline first."""
    return operations.listed_major_hazards(
        require_user(), community_id=query.get("community_id"),
        enterprise_id=query.get("enterprise_id"), overdue=query.get("overdue"),
        page=query["page"], per_page=query["per_page"])


@blp.route("/hazards/<hazard_id>/escalations", methods=["GET"])
@blp.response(200, EscalationListOut)
def hazard_escalations(hazard_id):
    """The 零容忍 reasons recorded with a hazard (404 outside scope)."""
    return {"items": operations.hazard_escalations(require_user(), hazard_id)}
