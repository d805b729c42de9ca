"""Overview endpoints: answers that combine several domains, read only."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.overview import card
from app.overview.schemas import ScanCard

blp = Blueprint("overview", __name__, url_prefix="/api/v1",
                description="总览 What several domains know about one thing: the enterprise card "
                            "behind a QR code")


@blp.route("/scan/<string:token>", methods=["GET"])
@blp.response(200, ScanCard)
def scan(token):
    """扫码: the enterprise card behind a QR token (404 unknown, rotated or not yours)."""
    return card.scan(token)
