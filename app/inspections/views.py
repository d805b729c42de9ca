"""Inspections (检查) over HTTP (CONTRACT.md "Inspections and hazards")."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.core.permissions import require_user
from app.inspections import operations
from app.inspections.schemas import (AnswerIn, InspectionCreateIn, InspectionDetailOut,
                                     InspectionFinishIn, InspectionPageOut, InspectionQueryArgs)

blp = Blueprint("inspections", __name__, url_prefix="/api/v1",
                description="检查 Inspections with a GPS check-in")


@blp.route("/inspections", methods=["GET"])
@blp.arguments(InspectionQueryArgs, location="query")
@blp.response(200, InspectionPageOut)
def list_inspections(args):
    """Inspections in your scope, latest first."""
    return operations.list_inspections(require_user(), args)


@blp.route("/inspections", methods=["POST"])
@blp.arguments(InspectionCreateIn)
@blp.response(201, InspectionDetailOut)
@blp.alt_response(200, schema=InspectionDetailOut,
                  description="Replay of a create with the same id and body")
@blp.alt_response(403, description="Only inspectors and supervisors inspect")
@blp.alt_response(404, description="The id exists outside your scope")
@blp.alt_response(409, description="The id exists with a different body")
def start_inspection(data):
    """Start an inspection; the answer has ``distance_m`` to the enterprise and ``on_site``."""
    result = operations.start_inspection(require_user(), data)
    return result.record, result.status


@blp.route("/inspections/<uuid:inspection_id>", methods=["GET"])
@blp.response(200, InspectionDetailOut)
@blp.alt_response(404, description="Unknown or not in your scope")
def get_inspection(inspection_id):
    """An inspection with its hazards; a 回头看 also lists earlier hazards to re-check."""
    return operations.get_inspection(require_user(), str(inspection_id))


@blp.route("/inspections/<uuid:inspection_id>", methods=["PATCH"])
@blp.arguments(InspectionFinishIn)
@blp.response(200, InspectionDetailOut)
@blp.alt_response(403, description="Not the inspector who started it, nor a supervisor")
@blp.alt_response(409, description="Stale version or already finished")
def finish_inspection(data, inspection_id):
    """Finish an inspection: ``ended_at`` and ``summary``."""
    return operations.finish_inspection(require_user(), str(inspection_id), data)


@blp.route("/inspections/<uuid:inspection_id>/answers/<string:code>", methods=["PUT"])
@blp.arguments(AnswerIn)
@blp.response(200, InspectionDetailOut)
@blp.alt_response(201, schema=InspectionDetailOut, description="The item's first answer")
@blp.alt_response(403, description="Not the inspector of this inspection (nor a supervisor); "
                                   "a self-inspection is its enterprise officer's")
@blp.alt_response(404, description="Unknown inspection (or not yours), or no such item")
@blp.alt_response(409, description="Finished inspection, another checklist version, or no "
                                   "checklist")
@blp.alt_response(422, description="fail/na without a note, a fail without its required photo, "
                                   "photos or hazard not of this inspection")
def answer_item(data, inspection_id, code):
    """Answer one checklist item: pass, fail or na (idempotent: the same answer again is 200
    and changes nothing; another answer replaces it while the inspection is open). The answer
    is the inspection with its checklist and score."""
    inspection, created = operations.answer_item(require_user(), str(inspection_id), code, data)
    return inspection, 201 if created else 200
