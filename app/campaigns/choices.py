"""Choice sets of campaigns and activities (安全生产月), with their zh/en labels and colours."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

# 活动类型 (DOMAIN.md "Prevention, outreach and the campaign"): training of principals and
# safety officers, emergency drills, publicity 五进, the 6月16日 consultation day, warning-education
# films, safety commitments.
TRAINING = "training"
DRILL = "drill"
PUBLICITY = "publicity"
CONSULTATION = "consultation"
WARNING_EDUCATION = "warning_education"
COMMITMENT = "commitment"
OTHER = "other"

ACTIVITY_KINDS = ChoiceSet("活动类型", "activity kind", [
    Choice(TRAINING, "安全培训", "Training", "#1565c0"),
    Choice(DRILL, "应急演练", "Emergency drill", "#c62828"),
    Choice(PUBLICITY, "安全宣传", "Publicity", "#2e7d32"),
    Choice(CONSULTATION, "安全宣传咨询日", "Consultation day", "#00838f"),
    Choice(WARNING_EDUCATION, "警示教育", "Warning education", "#6a1b9a"),
    Choice(COMMITMENT, "安全承诺", "Safety commitment", "#ef6c00"),
    Choice(OTHER, "其他", "Other", "#757575"),
])
#: What an enterprise's safety officer records for its own enterprise (a supervisor confirms).
OFFICER_KINDS = frozenset({TRAINING, DRILL})

# 活动状态: an officer's record waits for a supervisor's confirmation; what inspectors and
# supervisors record counts at once (app.campaigns.workflow).
PENDING = "pending"
CONFIRMED = "confirmed"
RETURNED = "returned"

ACTIVITY_STATES = ChoiceSet("活动状态", "activity state", [
    Choice(PENDING, "待确认", "Awaiting confirmation", "#f57c00"),
    Choice(CONFIRMED, "已确认", "Confirmed", "#388e3c"),
    Choice(RETURNED, "已退回", "Returned", "#757575"),
])

ACTIVITY_ACTIONS = ChoiceSet("活动操作", "activity action", [
    Choice("record", "登记活动", "Record"),
    Choice("confirm", "确认", "Confirm"),
    Choice("return", "退回", "Return"),
    Choice("add_photo", "上传照片", "Add photo"),
])

# 报送情况 of a community on the submissions board.
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"
MISSING_LATE = "missing_late"

SUBMISSION_STATUSES = ChoiceSet("报送情况", "submission status", [
    Choice(ON_TIME, "已按时报送", "Submitted on time", "#388e3c"),
    Choice(LATE, "逾期报送", "Submitted late", "#f57c00"),
    Choice(MISSING, "未报送", "Not submitted yet", "#757575"),
    Choice(MISSING_LATE, "逾期未报送", "Missing, past the deadline", "#d32f2f"),
])

# Where a campaign stands today (the home screen's banner).
UPCOMING = "upcoming"
RUNNING = "running"
REPORTING = "reporting"
ENDED = "ended"

CAMPAIGN_PHASES = ChoiceSet("活动阶段", "campaign phase", [
    Choice(UPCOMING, "即将开始", "Upcoming", "#1976d2"),
    Choice(RUNNING, "进行中", "Running", "#388e3c"),
    Choice(REPORTING, "总结报送中", "Reporting", "#f57c00"),
    Choice(ENDED, "已结束", "Ended", "#757575"),
])
