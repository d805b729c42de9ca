"""Warnings and safety notices (预警、安全提示) over HTTP: publish (supervisors), read, acknowledge
(签收, officers), remind (催签), the attachment."""
from __future__ import annotations

from flask import send_file

from app.core.downloads import content_disposition
from app.core.multipart import MultipartBlueprint
from app.core.permissions import capability_required, require_user
from app.outreach import bulletins
from app.outreach.schemas import (AttachmentOut, AttachmentUploadIn, BulletinDetailOut,
                                  BulletinIn, BulletinPageOut, BulletinQuery, RemindOut)

blp = MultipartBlueprint("bulletins", __name__, url_prefix="/api/v1/bulletins",
                         description="预警 Warnings and safety notices to enterprises")


@blp.route("/attachments", methods=["POST"])
@capability_required("bulletin.publish")
@blp.arguments(AttachmentUploadIn, location="multipart")
@blp.response(201, AttachmentOut)
@blp.alt_response(200, schema=AttachmentOut, description="Replay: same id and same file")
@blp.alt_response(413, description="Larger than BULLETIN_ATTACHMENT_MAX_BYTES")
@blp.alt_response(415, description="Not a PDF")
def upload_attachment(data):
    """附件: upload a PDF notice first; the bulletin names it by ``attachment_id``."""
    upload = data["file"]
    content = upload.stream.read()
    result = bulletins.upload_attachment(require_user(), data, content, upload.filename)
    return result.record, result.status


@blp.route("", methods=["POST"])
@blp.arguments(BulletinIn)
@blp.response(201, BulletinDetailOut)
@blp.alt_response(200, schema=BulletinDetailOut, description="Replay of the same create")
@blp.alt_response(403, description="Only supervisors publish")
@blp.alt_response(422, description="An empty target, or a target no enterprise matches")
def publish(data):
    """Publish to the enterprises the target matches (communities, industries, risk colours;
    each list given narrows). Their officers hear of it in their inbox and the webhook."""
    result = bulletins.publish(require_user(), data)
    return result.record, result.status


@blp.route("", methods=["GET"])
@blp.arguments(BulletinQuery, location="query")
@blp.response(200, BulletinPageOut)
def list_bulletins(args):
    """Bulletins in reach, newest first: an officer's with its own receipt's state, a
    supervisor's with how many enterprises acknowledged and have not."""
    return bulletins.list_bulletins(require_user(), args)


@blp.route("/<uuid:bulletin_id>", methods=["GET"])
@blp.response(200, BulletinDetailOut)
@blp.alt_response(404, description="Unknown, or not yours")
def get_bulletin(bulletin_id):
    """One bulletin; for a supervisor ``acknowledged[]`` and ``pending[]`` enterprises."""
    return bulletins.get_bulletin_detail(require_user(), str(bulletin_id))


@blp.route("/<uuid:bulletin_id>/ack", methods=["POST"])
@blp.response(200, BulletinDetailOut)
@blp.alt_response(403, description="Not an officer of an enterprise it reached")
def acknowledge(bulletin_id):
    """签收: the officer's enterprise acknowledges it; again is the same answer."""
    bulletin, _changed = bulletins.acknowledge(require_user(), str(bulletin_id))
    return bulletin


@blp.route("/<uuid:bulletin_id>/remind", methods=["POST"])
@blp.response(200, RemindOut)
def remind(bulletin_id):
    """催签: tell the officers of the enterprises that have not acknowledged, again."""
    return bulletins.remind(require_user(), str(bulletin_id))


@blp.route("/<uuid:bulletin_id>/attachment", methods=["GET"], endpoint="attachment_file")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
def attachment_file(bulletin_id):
    """The bulletin's attachment (PDF), to whoever may read the bulletin."""
    path, attachment = bulletins.attachment_file(require_user(), str(bulletin_id))
    response = send_file(path, mimetype="application/pdf", conditional=True, etag=True)
    response.headers["Content-Disposition"] = content_disposition(attachment.filename, inline=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Vary"] = "Cookie"
    return response
