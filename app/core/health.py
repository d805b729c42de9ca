"""Liveness and readiness: ``GET /healthz``."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.core.problems import DATABASE_UNAVAILABLE, RETRY_AFTER_S, problem
from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 ``{"status": "ok"}`` when the database answers, else 503 problem+json."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        current_app.logger.warning("healthz: the database does not answer", exc_info=True)
        db.session.rollback()
        return problem(503, DATABASE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)})
    return jsonify(status="ok")
