"""HTTP views of the notifications domain (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="notifications")
