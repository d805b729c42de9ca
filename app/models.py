"""Imports every model so that Alembic and ``db.create_all`` see the whole schema."""
from app.auth.models import LoginFailure, User, UserSession, user_communities  # noqa: F401
from app.escalation.models import Escalation, Interview, InterviewEvent  # noqa: F401
from app.hazards.models import Hazard, HazardEvent, HazardEventHead  # noqa: F401
from app.inspections.models import Inspection  # noqa: F401
from app.notifications.models import JobLease, Notification, WebhookDelivery  # noqa: F401
from app.photos.models import Photo  # noqa: F401
from app.registry.models import Community, Enterprise, EnterpriseMove  # noqa: F401
