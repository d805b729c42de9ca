"""Checklists (检查表) over HTTP (CONTRACT.md "Checklists (检查表) and enterprise
self-inspection")."""
from __future__ import annotations

import io

from flask import send_file
from app.core.blueprints import Blueprint

from app.checklists import operations
from app.checklists.schemas import (ChecklistCreateIn, ChecklistGetArgs, ChecklistImportArgs,
                                    ChecklistImportReport, ChecklistOut, ChecklistPageOut,
                                    ChecklistPatchIn, ChecklistQueryArgs, ChecklistVersionListOut)
from app.core.downloads import content_disposition
from app.core.imports import ImportFile, uploaded_bytes
from app.core.permissions import capability_required, require_user

blp = Blueprint("checklists", __name__, url_prefix="/api/v1",
                description="检查表 Checklists: versioned check items, offered by industry")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/checklists", methods=["GET"])
@blp.arguments(ChecklistQueryArgs, location="query")
@blp.response(200, ChecklistPageOut)
def list_checklists(args):
    """Checklists in use with their items; with ``industry`` the ones made for it first."""
    return operations.list_checklists(require_user(), args)


@blp.route("/checklists", methods=["POST"])
@blp.arguments(ChecklistCreateIn)
@blp.response(201, ChecklistOut)
@blp.alt_response(200, schema=ChecklistOut, description="Replay of a create with the same id "
                                                        "and body")
@blp.alt_response(403, description="Only administrators and supervisors edit checklists")
@blp.alt_response(409, description="The name is taken, or the id exists with another body")
def create_checklist(data):
    """Create a checklist (version 1). Item codes are unique within it."""
    result = operations.create_checklist(require_user(), data)
    return result.record, result.status


@blp.route("/checklists/import", methods=["POST"])
@capability_required("checklist.manage")
@blp.arguments(ImportFile, location="files")
@blp.arguments(ChecklistImportArgs, location="query")
@blp.response(200, ChecklistImportReport)
def import_checklists(files, args):
    """Import checklists from CSV (UTF-8 or GBK) or XLSX; ``?dry_run=true`` only checks.

    Columns: 检查表名称, 适用行业, 编号, 检查内容, 隐患类别, 依据, 需拍照, 重大隐患 (是/否). A new
    name creates a checklist, a known one gets a new version when it differs; a checklist with a
    bad row is not imported and its rows are reported; importing the same file again changes
    nothing."""
    upload = files["file"]
    return operations.import_checklists(require_user(), uploaded_bytes(upload), upload.filename,
                                        dry_run=args["dry_run"], name=args.get("name"))


@blp.route("/checklists/import-template.xlsx", methods=["GET"])
@blp.response(200, content_type=XLSX, description="An empty checklist table")
def import_template():
    """An empty checklist table with the import's Chinese headers."""
    require_user()
    response = send_file(io.BytesIO(operations.import_template_xlsx()), mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition(
        "检查表导入模板.xlsx", fallback="checklist-template.xlsx")
    return response


@blp.route("/checklists/<uuid:checklist_id>", methods=["GET"])
@blp.arguments(ChecklistGetArgs, location="query")
@blp.response(200, ChecklistOut)
@blp.alt_response(404, description="Unknown checklist, or no such version")
def get_checklist(args, checklist_id):
    """A checklist with its items at its current version, or at ``version``."""
    return operations.get_checklist(require_user(), str(checklist_id), args.get("version"))


@blp.route("/checklists/<uuid:checklist_id>", methods=["PATCH"])
@blp.arguments(ChecklistPatchIn)
@blp.response(200, ChecklistOut)
@blp.alt_response(403, description="Only administrators and supervisors edit checklists")
@blp.alt_response(409, description="Stale version, or the name is taken")
def update_checklist(data, checklist_id):
    """Change a checklist with the ``version`` last seen: a change makes the next version;
    inspections keep the version they began with."""
    return operations.update_checklist(require_user(), str(checklist_id), data)


@blp.route("/checklists/<uuid:checklist_id>/versions", methods=["GET"])
@blp.response(200, ChecklistVersionListOut)
def list_versions(checklist_id):
    """Every version of a checklist, newest first."""
    return operations.list_versions(require_user(), str(checklist_id))


@blp.route("/checklists/<uuid:checklist_id>/export.xlsx", methods=["GET"])
@blp.arguments(ChecklistGetArgs, location="query")
@blp.response(200, content_type=XLSX, description="The checklist as the import's table")
def export_checklist(args, checklist_id):
    """A checklist version as XLSX in the import's columns (it imports back unchanged)."""
    content, filename = operations.export_xlsx(require_user(), str(checklist_id),
                                               args.get("version"))
    response = send_file(io.BytesIO(content), mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition(
        filename, fallback="checklist.xlsx")
    return response
