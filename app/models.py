"""Imports every model so that Alembic and ``db.create_all`` see the whole schema."""
from app.auth.models import LoginFailure, User, UserSession, user_communities
from app.campaigns.models import (Activity, ActivityEvent, Campaign, Submission,
                                  activity_enterprises)
from app.escalation.models import Escalation, Interview, InterviewEvent
from app.hazards.models import Hazard, HazardEvent, HazardEventHead
from app.inspections.models import Inspection
from app.notifications.models import JobLease, Notification, WebhookDelivery
from app.photos.models import Photo
from app.registry.models import Community, Enterprise, EnterpriseMove

# Imported for their tables, named here so that the imports read as used.
__all__ = [
    "LoginFailure", "User", "UserSession", "user_communities",
    "Activity", "ActivityEvent", "Campaign", "Submission", "activity_enterprises",
    "Escalation", "Interview", "InterviewEvent",
    "Hazard", "HazardEvent", "HazardEventHead",
    "Inspection",
    "JobLease", "Notification", "WebhookDelivery",
    "Photo",
    "Community", "Enterprise", "EnterpriseMove",
]
