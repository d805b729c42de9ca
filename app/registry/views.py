"""Registry endpoints (CONTRACT.md "Registry"): communities, enterprises, import/export and QR
codes. Lists answer the envelope ``{"items", "total", "page", "per_page", "pages"}``."""
from __future__ import annotations

import io
from flask import Response, send_file
from app.core.blueprints import Blueprint

from app.core.conditional import answer_unless_unchanged, validator_headers
from app.core.downloads import content_disposition
from app.core.i18n import best_language
from app.core.imports import ImportArgs, ImportFile, uploaded_bytes
from app.core.permissions import require_user
from app.registry import operations
from app.registry.schemas import (CommunityListArgs, CommunityPage, EnterpriseCreate,
                                  EnterpriseListArgs, EnterpriseOut, EnterprisePage,
                                  EnterpriseUpdate, ExportArgs, ImportReport, LabelArgs,
                                  QrPngArgs, RegistryChoicesOut)

blp = Blueprint("registry", __name__, url_prefix="/api/v1",
                description="企业名录与二维码 Registry and QR codes")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/communities", methods=["GET"])
@blp.arguments(CommunityListArgs, location="query")
@blp.response(200, CommunityPage)
def list_communities(args):
    """社区: the communities in the user's scope with their number of enterprises."""
    return operations.list_communities(require_user(), args)


@blp.route("/enterprises", methods=["GET"])
@blp.arguments(EnterpriseListArgs, location="query")
@blp.response(200, EnterprisePage, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(304, description="Not modified: If-None-Match names the current ETag")
def list_enterprises(args):
    """企业名录: enterprises in scope; filters ``community_id``, ``risk_level``, ``industry``,
    ``q`` (name or credit code); ``page``/``per_page``. Each page carries a weak ``ETag``:
    asked again with ``If-None-Match``, an unchanged page answers 304 without a body."""
    user = require_user()
    etag = answer_unless_unchanged(operations.list_fingerprint(user, args, best_language()))
    return operations.list_enterprises(user, args), validator_headers(etag)


@blp.route("/enterprises", methods=["POST"])
@blp.arguments(EnterpriseCreate)
@blp.response(201, EnterpriseOut)
@blp.alt_response(200, schema=EnterpriseOut, description="Replay of a create with the same id "
                                                         "and body: the stored record")
@blp.alt_response(409, description="Credit code already registered, or id reused with another "
                                   "body")
def create_enterprise(data):
    """Register an enterprise (admin). ``credit_code`` is verified (GB 32100) and unique."""
    result = operations.create_enterprise(require_user(), data)
    return result.record, result.status


@blp.route("/enterprises/choices", methods=["GET"])
@blp.response(200, RegistryChoicesOut)
def registry_choices():
    """Risk colours (风险分级) and industries (行业) with zh/en labels."""
    require_user()
    return operations.registry_choices()


@blp.route("/enterprises/<string:enterprise_id>", methods=["GET"])
@blp.response(200, EnterpriseOut)
def get_enterprise(enterprise_id):
    """One enterprise (404 outside the user's scope)."""
    return operations.get_enterprise(require_user(), enterprise_id)


@blp.route("/enterprises/<string:enterprise_id>", methods=["PATCH"])
@blp.arguments(EnterpriseUpdate)
@blp.response(200, EnterpriseOut)
@blp.alt_response(409, description="Stale version or duplicate credit code")
def update_enterprise(data, enterprise_id):
    """Change an enterprise (admin) with the ``version`` last seen."""
    return operations.update_enterprise(require_user(), enterprise_id, data)


@blp.route("/enterprises/import", methods=["POST"])
@blp.arguments(ImportFile, location="files")
@blp.arguments(ImportArgs, location="query")
@blp.response(200, ImportReport)
def import_enterprises(files, args):
    """Import a CSV (UTF-8 or GBK) or XLSX registry table (admin); ``?dry_run=true`` only checks.

    Rows are upserted by 统一社会信用代码; each bad row is reported as ``{line, field, message}``
    and skipped; re-importing the same file changes nothing."""
    upload = files["file"]
    return operations.import_enterprises(require_user(), uploaded_bytes(upload), upload.filename,
                                         dry_run=args["dry_run"])


@blp.route("/enterprises/export.xlsx", methods=["GET"])
@blp.arguments(ExportArgs, location="query")
@blp.response(200, content_type=XLSX, description="企业名录 XLSX, importable again")
def export_enterprises(args):
    """The registry in scope as XLSX with Chinese headers (same filters as the list)."""
    content = operations.export_xlsx(require_user(), args)
    response = send_file(io.BytesIO(content), mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition(
        "企业名录.xlsx", fallback="enterprises.xlsx")
    return response


@blp.route("/enterprises/<string:enterprise_id>/qr.png", methods=["GET"])
@blp.arguments(QrPngArgs, location="query")
@blp.response(200, content_type="image/png", description="The QR code of the enterprise")
def enterprise_qr_png(args, enterprise_id):
    """The enterprise's QR code (二维码) as PNG; it encodes ``<base>/e/<qr_token>``."""
    png = operations.qr_png(require_user(), enterprise_id, args["box_size"])
    return Response(png, mimetype="image/png")


@blp.route("/enterprises/<string:enterprise_id>/qr/rotate", methods=["POST"])
@blp.response(200, EnterpriseOut)
def rotate_qr(enterprise_id):
    """Issue a new QR token (admin, or supervisor of the community); the old code is dead."""
    return operations.rotate_qr(require_user(), enterprise_id)


@blp.route("/qr-labels.pdf", methods=["GET"])
@blp.arguments(LabelArgs, location="query")
@blp.response(200, content_type="application/pdf", description="A4 sheet of QR labels")
def qr_labels(args):
    """Printable A4 QR labels (二维码标签) of a community's enterprises (admin, supervisor)."""
    pdf, title = operations.label_sheet(require_user(), args.get("community_id"))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        title + ".pdf", inline=True, fallback="qr-labels.pdf")
    return response
