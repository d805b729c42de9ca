"""延期申请, 挂牌督办 and its register over HTTP (CONTRACT.md "Deadlines and listed
supervision")."""
from __future__ import annotations

from flask import Response
from app.core.blueprints import Blueprint

from app.core.downloads import content_disposition
from app.core.permissions import require_user
from app.core.timeutil import local, utcnow
from app.hazards import deadline_extensions, listing
from app.hazards.oversight_schemas import (DelistIn, ExtensionDecisionIn, ExtensionIn,
                                           ExtensionListOut, ExtensionOut, ListingIn,
                                           RegisterArgs, RegisterPageOut)
from app.hazards.schemas import HazardOut

blp = Blueprint("oversight", __name__, url_prefix="/api/v1",
                description="延期申请与挂牌督办 Deadline extensions and listed supervision")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/hazards/<uuid:hazard_id>/extensions", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionOut)
@blp.alt_response(200, schema=ExtensionOut, description="Replay: same id and body")
@blp.alt_response(403, description="Only the enterprise's officer asks")
@blp.alt_response(409, description="A request is pending, the deadline has passed, or the fix "
                                   "is no longer the enterprise's to do")
@blp.alt_response(422, description="The new deadline is not later than the current one, no "
                                   "reason, or a photo that is not a document of this hazard")
def request_extension(data, hazard_id):
    """申请延期: ask, before the deadline, for a later one."""
    result = deadline_extensions.request_extension(require_user(), str(hazard_id), data)
    return result.record, result.status


@blp.route("/hazards/<uuid:hazard_id>/extensions", methods=["GET"])
@blp.response(200, ExtensionListOut)
def list_extensions(hazard_id):
    """The hazard's extension requests, newest first."""
    return deadline_extensions.list_extensions(require_user(), str(hazard_id))


@blp.route("/hazards/<uuid:hazard_id>/extensions/<uuid:extension_id>", methods=["GET"])
@blp.response(200, ExtensionOut)
@blp.alt_response(404, description="Unknown, of another hazard, or not in your scope")
def get_extension(hazard_id, extension_id):
    """One extension request."""
    return deadline_extensions.get_extension(require_user(), str(hazard_id),
                                             str(extension_id))[1]


@blp.route("/hazards/<uuid:hazard_id>/extensions/<uuid:extension_id>/transitions",
           methods=["POST"])
@blp.arguments(ExtensionDecisionIn)
@blp.response(200, ExtensionOut)
@blp.alt_response(403, description="Only a supervisor decides")
@blp.alt_response(409, description="Already decided, stale version, or nothing left to extend")
@blp.alt_response(422, description="A rejection without a note")
def decide_extension(data, hazard_id, extension_id):
    """批准 (the hazard's deadline moves) or 驳回 a request."""
    return deadline_extensions.decide_extension(require_user(), str(hazard_id),
                                                str(extension_id), data)


@blp.route("/hazards/<uuid:hazard_id>/listing", methods=["POST"])
@blp.arguments(ListingIn)
@blp.response(201, HazardOut)
@blp.alt_response(200, schema=HazardOut, description="Replay: same id and body")
@blp.alt_response(403, description="Only a supervisor lists")
@blp.alt_response(409, description="A general hazard, a closed one, or listed already")
def list_hazard(data, hazard_id):
    """挂牌督办 of a major hazard: the hazard answers with its ``listing``."""
    hazard, created = listing.list_hazard(require_user(), str(hazard_id), data)
    return hazard, 201 if created else 200


@blp.route("/hazards/<uuid:hazard_id>/listing/delist", methods=["POST"])
@blp.arguments(DelistIn)
@blp.response(200, HazardOut)
@blp.alt_response(403, description="Only a supervisor delists")
@blp.alt_response(409, description="Not listed, or not closed (销号) yet")
@blp.alt_response(422, description="No assessment")
def delist_hazard(data, hazard_id):
    """摘牌: once the hazard is closed, with the assessment of its fix."""
    return listing.delist_hazard(require_user(), str(hazard_id), data)


@blp.route("/listings", methods=["GET"])
@blp.arguments(RegisterArgs, location="query")
@blp.response(200, RegisterPageOut)
def listing_register(args):
    """挂牌督办台账: the listings of hazards in your scope, still listed first, earliest
    supervision deadline first."""
    return listing.register_page(require_user(), args)


@blp.route("/listings.xlsx", methods=["GET"])
@blp.arguments(RegisterArgs, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX_MIME,
              description="挂牌督办台账 with the list's filters, Chinese headers")
def listing_register_xlsx(args):
    """The 挂牌督办台账 as XLSX."""
    content = listing.register_xlsx(require_user(), args)
    response = Response(content, mimetype=XLSX_MIME)
    response.headers["Content-Disposition"] = content_disposition(
        f"挂牌督办台账-{local(utcnow()):%Y%m%d}.xlsx")
    return response
