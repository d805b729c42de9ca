"""Hazards (隐患) over HTTP (CONTRACT.md "Inspections and hazards")."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.core.permissions import require_user
from app.hazards import operations, summary
from app.hazards.schemas import (HazardChoicesOut, HazardCreateIn, HazardEventListOut,
                                 HazardOut, HazardPageOut, HazardPatchIn, HazardQueryArgs,
                                 HazardSummaryCountsOut, TransitionIn)

blp = Blueprint("hazards", __name__, url_prefix="/api/v1",
                description="隐患 Hazards: report, rectify, verify, close, archive")


@blp.route("/hazards", methods=["GET"])
@blp.arguments(HazardQueryArgs, location="query")
@blp.response(200, HazardPageOut)
def list_hazards(args):
    """List the hazards in your scope, newest finding first (filters combine with AND)."""
    return operations.list_hazards(require_user(), args)


@blp.route("/hazards", methods=["POST"])
@blp.arguments(HazardCreateIn)
@blp.response(201, HazardOut)
@blp.alt_response(200, schema=HazardOut, description="Replay of a create with the same id and body")
@blp.alt_response(403, description="Only inspectors and supervisors record hazards")
@blp.alt_response(404, description="The id exists outside your scope")
@blp.alt_response(409, description="The id exists with a different body")
def create_hazard(data):
    """Record a hazard (登记). Idempotent by client ``id``."""
    result = operations.create_hazard(require_user(), data)
    return result.record, result.status


@blp.route("/hazards/choices", methods=["GET"])
@blp.response(200, HazardChoicesOut)
def hazard_choices():
    """Labels (zh/en), colours and the transition table, for forms and badges."""
    require_user()
    return operations.hazard_choices()


@blp.route("/hazards/summary", methods=["GET"])
@blp.response(200, HazardSummaryCountsOut)
def hazard_summary():
    """待办: how many hazards in your scope await a step your role takes (the home screen's
    待复查 / 待整改 counts)."""
    return summary.hazard_summary(require_user())


@blp.route("/hazards/<uuid:hazard_id>", methods=["GET"])
@blp.response(200, HazardOut)
@blp.alt_response(404, description="Unknown or not in your scope")
def get_hazard(hazard_id):
    """A hazard with its photos, deadline, overdue flag and the actions you may take now."""
    return operations.get_hazard(require_user(), str(hazard_id))


@blp.route("/hazards/<uuid:hazard_id>", methods=["PATCH"])
@blp.arguments(HazardPatchIn)
@blp.response(200, HazardOut)
@blp.alt_response(403, description="Not your role, or a field an officer may not change")
@blp.alt_response(409, description="Stale version, or the hazard is no longer open")
def update_hazard(data, hazard_id):
    """Edit an open hazard: the governance plan (治理方案), responsible person, description…"""
    return operations.update_hazard(require_user(), str(hazard_id), data)


@blp.route("/hazards/<uuid:hazard_id>/transitions", methods=["POST"])
@blp.arguments(TransitionIn)
@blp.response(200, HazardOut)
@blp.alt_response(403, description="The state allows this action, but not for you")
@blp.alt_response(409, description="Impossible in this state, stale version, or not ready "
                                   "(no rectification photo, incomplete plan)")
def transition_hazard(data, hazard_id):
    """Move the hazard along the transition table; appends an event."""
    hazard, _replayed = operations.transition_hazard(require_user(), str(hazard_id), data)
    return hazard


@blp.route("/hazards/<uuid:hazard_id>/events", methods=["GET"])
@blp.response(200, HazardEventListOut)
def list_hazard_events(hazard_id):
    """The append-only audit trail (隐患事件): actor, action, from, to, at, note, location."""
    return operations.list_events(require_user(), str(hazard_id))
