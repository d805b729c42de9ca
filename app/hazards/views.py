"""HTTP views of the hazards domain (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("hazards", __name__, url_prefix="/api/v1", description="hazards")
