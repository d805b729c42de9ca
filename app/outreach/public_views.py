"""What anyone may do without logging in (CONTRACT.md "Public reports"): read what the gate QR
code names, send a tip (举报), look a tip up by its tracking code."""
from __future__ import annotations

from flask import request

from app.core.multipart import MultipartBlueprint
from app.extensions import db
from app.outreach import ratelimit, tips
from app.outreach.schemas import PublicEnterpriseOut, TipCreatedOut, TipIn, TipLookupOut

blp = MultipartBlueprint("public", __name__, url_prefix="/api/v1/public",
                         description="公开 Without logging in: the gate QR code's enterprise, "
                                     "public reports (举报) and their tracking codes")


@blp.before_request
def _count_tip():
    # Before the body is parsed: every attempt from an address counts, refused ones too, and
    # the count is committed at once, whatever the answer (the workers share it).
    if request.endpoint == "public.create_tip":
        try:
            ratelimit.count_attempt(request.remote_addr)
        finally:
            db.session.commit()


@blp.route("/enterprises/<string:token>", methods=["GET"])
@blp.response(200, PublicEnterpriseOut)
@blp.alt_response(404, description="Unknown or replaced QR code")
def public_enterprise(token):
    """The enterprise behind a gate QR code: name, community, risk colour. Nothing personal."""
    return tips.public_enterprise(token)


@blp.route("/tips", methods=["POST"], endpoint="create_tip")
@blp.arguments(TipIn, location="json_or_multipart")
@blp.response(201, TipCreatedOut)
@blp.alt_response(200, schema=TipCreatedOut, description="Replay: same id and same content")
@blp.alt_response(409, description="The id exists with other content")
@blp.alt_response(413, description="An image or the request is too large")
@blp.alt_response(415, description="A file is not a JPEG, PNG, WebP or HEIC image")
@blp.alt_response(422, description="No text, a fourth image, a damaged image, an unknown token")
@blp.alt_response(429, description="Too many reports from this address (Retry-After)")
def create_tip(data):
    """举报: ``{id?, token?, text, location?, contact?}`` as JSON, or multipart with up to 3
    images as ``files``; anonymous is allowed. Answers the tracking code."""
    uploads = tips.read_uploads(data.get("files") or [])
    result = tips.create_tip(data, uploads)
    return result.record, result.status


@blp.route("/tips/<string:tracking_code>", methods=["GET"])
@blp.response(200, TipLookupOut)
@blp.alt_response(404, description="No tip has this tracking code")
def lookup_tip(tracking_code):
    """The tracking page: state, when received, the answer. Nothing internal."""
    return tips.lookup(tracking_code)
