"""HTTP views of the reports domain (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="reports")
