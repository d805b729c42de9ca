"""HTTP views of the escalation domain (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("escalation", __name__, url_prefix="/api/v1", description="escalation")
