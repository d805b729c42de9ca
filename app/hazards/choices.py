"""Choice sets of the hazards domain (隐患), each with its Chinese and English label and colour."""
from __future__ import annotations

from flask import current_app

from app.core.choices import Choice, ChoiceSet

# 隐患状态: the life of a hazard, 登记 → 整改 → 复查 → 销号 → 归档 (DOMAIN.md).
REPORTED = "reported"
RECTIFYING = "rectifying"
SUBMITTED = "submitted"
VERIFIED = "verified"
CLOSED = "closed"
ARCHIVED = "archived"

HAZARD_STATES = ChoiceSet("隐患状态", "hazard state", [
    Choice(REPORTED, "已登记", "Reported", "#d32f2f"),
    Choice(RECTIFYING, "整改中", "Being rectified", "#f57c00"),
    Choice(SUBMITTED, "待复查", "Awaiting re-check", "#fbc02d"),
    Choice(VERIFIED, "已复查", "Verified", "#388e3c"),
    Choice(CLOSED, "已销号", "Closed", "#1976d2"),
    Choice(ARCHIVED, "已归档", "Archived", "#757575"),
])
STATE_ORDER = HAZARD_STATES.values
#: States in which the hazard's content (plan, responsible person, description) may still change.
EDITABLE_STATES = frozenset({REPORTED, RECTIFYING})

# 隐患等级 (DOMAIN.md "Hazards"): 一般隐患 and 重大隐患.
GENERAL = "general"
MAJOR = "major"
HAZARD_LEVELS = ChoiceSet("隐患等级", "hazard level", [
    Choice(GENERAL, "一般隐患", "General hazard", "#f57c00"),
    Choice(MAJOR, "重大隐患", "Major hazard", "#d32f2f"),
])

# 隐患来源: how a hazard came to be recorded: an inspector's inspection (检查发现), the
# enterprise's own self-inspection (企业自查自报) or a public report (举报) a supervisor
# accepted.
SOURCE_INSPECTION = "inspection"
SOURCE_SELF = "self"
SOURCE_TIP = "tip"
HAZARD_SOURCES = ChoiceSet("隐患来源", "hazard source", [
    Choice(SOURCE_INSPECTION, "检查发现", "Found on inspection"),
    Choice(SOURCE_SELF, "企业自查", "Self-inspection"),
    Choice(SOURCE_TIP, "群众举报", "Public report"),
])

# Actions of the transition table, and the non-transition changes recorded as events.
HAZARD_ACTIONS = ChoiceSet("隐患操作", "hazard action", [
    Choice("report", "登记", "Report"),
    Choice("acknowledge", "签收整改", "Acknowledge"),
    Choice("submit", "提交整改", "Submit rectification"),
    Choice("verify", "复查通过", "Verify"),
    Choice("reject", "复查不通过", "Reject"),
    Choice("close", "销号", "Close"),
    Choice("archive", "归档", "Archive"),
    Choice("update", "修改", "Update"),
    Choice("update_plan", "修改治理方案", "Update governance plan"),
    Choice("add_photo", "上传照片", "Add photo"),
    Choice("move", "随企业迁移社区", "Moved with its enterprise to another community"),
    # written by the 零容忍 rules (app.escalation), not a step of the transition table
    Choice("escalate", "升级督办", "Escalated (zero tolerance)"),
    # 延期申请 and its decision (app.hazards.deadline_extensions)
    Choice("request_extension", "申请延期", "Extension requested"),
    Choice("approve_extension", "批准延期", "Extension approved"),
    Choice("reject_extension", "驳回延期申请", "Extension rejected"),
    # 挂牌督办 and 摘牌 (app.hazards.listing)
    Choice("list", "挂牌督办", "Listed for supervision"),
    Choice("delist", "摘牌", "Delisted"),
    # a photo of this hazard turned out to be handed in for another one too (evidence flags)
    Choice("flag_evidence", "证据存疑", "Evidence flagged"),
])

#: Labels of the categories (隐患类别) a deployment may configure (config ``HAZARD_CATEGORIES``;
#: local lists differ); the set in use is :func:`configured_categories`.
CATEGORIES = ChoiceSet("隐患类别", "category", [
    Choice("fire", "消防安全", "Fire safety"),
    Choice("electrical", "用电安全", "Electrical safety"),
    Choice("chemicals", "危险化学品", "Hazardous chemicals"),
    Choice("machinery", "机械设备", "Machinery"),
    Choice("construction", "建筑施工", "Construction"),
    Choice("confined_space", "有限空间", "Confined spaces"),
    Choice("dust", "粉尘防爆", "Combustible dust"),
    Choice("gas", "燃气安全", "Gas"),
    Choice("height_work", "高处作业", "Work at height"),
    Choice("special_equipment", "特种设备", "Special equipment"),
    Choice("emergency", "应急管理", "Emergency preparedness"),
    Choice("management", "安全管理", "Safety management"),
])

# 照片类型: evidence of the finding, of its rectification (整改), or of what the reviewer saw
# when re-checking the fix (复查); and a campaign activity's photo (its sign-in sheet, the drill),
# which belongs to an activity, not a hazard (app.campaigns.photos).
FINDING = "finding"
RECTIFICATION = "rectification"
RECHECK = "recheck"
ACTIVITY_PHOTO = "activity"
#: 证明材料: a document the enterprise shows with an extension request (equipment on order, a
#: stoppage plan), photographed.
DOCUMENT = "document"
PHOTO_KINDS = ChoiceSet("照片类型", "photo kind", [
    Choice(FINDING, "隐患照片", "Finding"),
    Choice(RECTIFICATION, "整改照片", "Rectification"),
    Choice(RECHECK, "复查照片", "Re-check"),
    Choice(ACTIVITY_PHOTO, "活动照片", "Activity"),
    Choice(DOCUMENT, "证明材料", "Supporting document"),
])

# 延期申请 (deadline extension request): asked by the enterprise before the deadline, decided by
# a supervisor (app.hazards.workflow.EXTENSION_WORKFLOW).
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
EXTENSION_STATES = ChoiceSet("延期申请状态", "extension state", [
    Choice(PENDING, "待审批", "Awaiting decision", "#fbc02d"),
    Choice(APPROVED, "已批准", "Approved", "#388e3c"),
    Choice(REJECTED, "已驳回", "Rejected", "#d32f2f"),
])
EXTENSION_ACTIONS = ChoiceSet("延期审批", "extension decision", [
    Choice("approve", "批准延期", "Approve"),
    Choice("reject", "驳回", "Reject"),
])

# 挂牌督办 (listed supervision of a major hazard) and 摘牌 (delisting after an assessment).
LISTED = "listed"
DELISTED = "delisted"
LISTING_STATES = ChoiceSet("挂牌督办状态", "listing state", [
    Choice(LISTED, "挂牌督办中", "Listed for supervision", "#b71c1c"),
    Choice(DELISTED, "已摘牌", "Delisted", "#757575"),
])
LISTING_ACTIONS = ChoiceSet("挂牌督办操作", "listing action", [
    Choice("delist", "摘牌", "Delist"),
])

# 证据存疑: what a reviewer should know about a rectification photo before accepting the fix
# (app.hazards.evidence_flags). A photo without EXIF time or place is not checked, never flagged.
PHOTO_BEFORE_FINDING = "photo_before_finding"
PHOTO_FAR_FROM_SITE = "photo_far_from_site"
PHOTO_REUSED = "photo_reused"
EVIDENCE_FLAGS = ChoiceSet("证据存疑", "evidence flag", [
    Choice(PHOTO_BEFORE_FINDING, "拍摄时间早于发现时间", "Taken before the finding", "#d32f2f"),
    Choice(PHOTO_FAR_FROM_SITE, "拍摄地点不在企业", "Taken away from the site", "#f57c00"),
    Choice(PHOTO_REUSED, "照片重复使用", "Photo used on another hazard", "#7b1fa2"),
])

# 治理方案 of a major hazard (DOMAIN.md): every field must be filled before the rectification
# can be submitted. ``deadline`` is a date, the others free text.
GOVERNANCE_PLAN_FIELDS = ChoiceSet("治理方案事项", "governance plan field", [
    Choice("goals_tasks", "治理的目标和任务", "Goals and tasks"),
    Choice("methods_measures", "采取的方法和措施", "Methods and measures"),
    Choice("funds_materials", "经费和物资的落实", "Funds and materials"),
    Choice("responsible_body", "负责治理的机构", "Responsible body"),
    Choice("responsible_people", "负责治理的人员", "Responsible people"),
    Choice("deadline", "治理的时限", "Deadline"),
    Choice("safety_measures", "安全措施", "Safety measures during the work"),
    Choice("emergency_plan", "应急预案", "Emergency plan"),
])


def configured_categories() -> ChoiceSet:
    """The categories of this deployment: config ``HAZARD_CATEGORIES`` in its order, labelled by
    ``HAZARD_CATEGORY_LABELS`` from config, else by :data:`CATEGORIES`, else by the code."""
    return CATEGORIES.configured("HAZARD_CATEGORIES", "HAZARD_CATEGORY_LABELS")


def deadline_days() -> dict[str, int]:
    """整改期限 defaults by level, in days after the finding: config ``DEADLINE_DAYS_GENERAL``
    and ``DEADLINE_DAYS_MAJOR`` (the forms take them from the server)."""
    config = current_app.config
    return {GENERAL: config["DEADLINE_DAYS_GENERAL"], MAJOR: config["DEADLINE_DAYS_MAJOR"]}
