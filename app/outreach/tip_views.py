"""Triage of public reports (举报) over HTTP: the supervisors' inbox, one tip with its photos and
trail, accept or decline. Inspectors read the tips of their communities; officers never see a
tip (404), and nobody but a supervisor reads a reporter's contact."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.core.permissions import require_user
from app.outreach import tips
from app.outreach.schemas import (TipDetailOut, TipPageOut, TipQuery, TipSummaryOut,
                                  TipTransitionIn)
from app.photos import storage

blp = Blueprint("tips", __name__, url_prefix="/api/v1/tips",
                description="举报 Triage of public reports (supervisors)")


@blp.route("", methods=["GET"])
@blp.arguments(TipQuery, location="query")
@blp.response(200, TipPageOut)
@blp.alt_response(403, description="Your role does not see public reports")
def list_tips(args):
    """The tips in reach, untriaged first, then newest first."""
    return tips.list_tips(require_user(), args)


@blp.route("/summary", methods=["GET"])
@blp.response(200, TipSummaryOut)
def tip_summary():
    """The tips inbox's badge: untriaged tips in reach, and how many are late."""
    return tips.summary(require_user())


@blp.route("/<uuid:tip_id>", methods=["GET"])
@blp.response(200, TipDetailOut)
@blp.alt_response(404, description="Unknown, or not yours")
def get_tip(tip_id):
    """One tip with its photos and its trail."""
    return tips.get_tip_detail(require_user(), str(tip_id))


@blp.route("/<uuid:tip_id>/transitions", methods=["POST"])
@blp.arguments(TipTransitionIn)
@blp.response(200, TipDetailOut)
@blp.alt_response(409, description="Already triaged, or a stale version")
@blp.alt_response(422, description="Decline without a valid reason; accept without the "
                                   "hazard's category and level, or without an enterprise")
def transition_tip(data, tip_id):
    """accept (creates the hazard, ``source: tip``, the tip's photos as finding photos) or
    decline (``reason``: duplicate | unclear | outside | other)."""
    tip, _replayed = tips.transition_tip(require_user(), str(tip_id), data)
    return tip


@blp.route("/<uuid:tip_id>/photos/<uuid:photo_id>/<any(full, thumb, original):variant>",
           methods=["GET"], endpoint="tip_photo_file")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg")
@blp.alt_response(404, description="Unknown, or the tip is not yours")
def tip_photo_file(tip_id, photo_id, variant):
    """A tip's photo: full and thumb re-encoded without EXIF; the original as sent."""
    path, mime, photo = tips.tip_photo_file(require_user(), str(tip_id), str(photo_id),
                                            variant)
    return storage.send_stored(path, mime, photo, variant)
