"""Liveness and readiness: ``GET /healthz``."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from app.core.problems import problem
from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 ``{"status": "ok"}`` when the database answers, else 503 problem+json."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return problem(503, "数据库无响应 / The database does not answer.")
    return jsonify(status="ok")
