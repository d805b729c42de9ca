"""Imports every model so that Alembic and ``db.create_all`` see the whole schema."""
from app.auth.models import LoginFailure, User, UserSession, user_communities
from app.campaigns.models import (Activity, ActivityEvent, Campaign, Submission,
                                  activity_enterprises)
from app.checklists.models import Checklist, ChecklistItem, ChecklistVersion
from app.escalation.models import Escalation, Interview, InterviewEvent
from app.hazards.models import Hazard, HazardEvent, HazardEventHead
from app.hazards.oversight_models import DeadlineExtension, EvidenceFlag, HazardListing
from app.hazards.rollups import HazardCount, HazardDayCount, HazardOpenCount
from app.inspections.models import Inspection, InspectionAnswer, InspectionMember
from app.inspections.visits import EnterpriseVisit
from app.notifications.models import JobLease, Notification, WebhookDelivery
from app.outreach.models import (Bulletin, BulletinAttachment, BulletinEvent, BulletinReceipt,
                                 Tip, TipEvent, TipPhoto, TipRateCounter)
from app.photos.models import Photo
from app.plans.models import (Plan, PlanEvent, PlanTask, plan_communities, plan_inspectors,
                              task_inspectors)
from app.registry.models import Community, Enterprise, EnterpriseMove

# Imported for their tables, named here so that the imports read as used.
__all__ = [
    "LoginFailure", "User", "UserSession", "user_communities",
    "Activity", "ActivityEvent", "Campaign", "Submission", "activity_enterprises",
    "Checklist", "ChecklistItem", "ChecklistVersion",
    "Escalation", "Interview", "InterviewEvent",
    "Hazard", "HazardEvent", "HazardEventHead",
    "DeadlineExtension", "EvidenceFlag", "HazardListing",
    "HazardCount", "HazardDayCount", "HazardOpenCount",
    "Inspection", "InspectionAnswer", "InspectionMember", "EnterpriseVisit",
    "JobLease", "Notification", "WebhookDelivery",
    "Bulletin", "BulletinAttachment", "BulletinEvent", "BulletinReceipt",
    "Tip", "TipEvent", "TipPhoto", "TipRateCounter",
    "Photo",
    "Plan", "PlanEvent", "PlanTask", "plan_communities", "plan_inspectors", "task_inspectors",
    "Community", "Enterprise", "EnterpriseMove",
]
