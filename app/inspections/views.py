"""HTTP views of the inspections domain (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("inspections", __name__, url_prefix="/api/v1", description="inspections")
