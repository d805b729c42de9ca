"""Choice sets of the hazards domain (隐患), each with its Chinese and English label and colour."""
from __future__ import annotations

# 隐患状态: the life of a hazard, 登记 → 整改 → 复查 → 销号 → 归档 (DOMAIN.md).
REPORTED = "reported"
RECTIFYING = "rectifying"
SUBMITTED = "submitted"
VERIFIED = "verified"
CLOSED = "closed"
ARCHIVED = "archived"

HAZARD_STATES = {
    REPORTED: {"zh": "已登记", "en": "Reported", "color": "#d32f2f"},
    RECTIFYING: {"zh": "整改中", "en": "Being rectified", "color": "#f57c00"},
    SUBMITTED: {"zh": "待复查", "en": "Awaiting re-check", "color": "#fbc02d"},
    VERIFIED: {"zh": "已复查", "en": "Verified", "color": "#388e3c"},
    CLOSED: {"zh": "已销号", "en": "Closed", "color": "#1976d2"},
    ARCHIVED: {"zh": "已归档", "en": "Archived", "color": "#757575"},
}
STATE_ORDER = (REPORTED, RECTIFYING, SUBMITTED, VERIFIED, CLOSED, ARCHIVED)
#: States without an accepted rectification: a hazard in one of them can be overdue (逾期).
OPEN_STATES = frozenset({REPORTED, RECTIFYING, SUBMITTED})
#: States in which the hazard's content (plan, responsible person, description) may still change.
EDITABLE_STATES = frozenset({REPORTED, RECTIFYING})

# 隐患等级 (DOMAIN.md "Hazards"): 一般隐患 and 重大隐患.
GENERAL = "general"
MAJOR = "major"
HAZARD_LEVELS = {
    GENERAL: {"zh": "一般隐患", "en": "General hazard", "color": "#f57c00"},
    MAJOR: {"zh": "重大隐患", "en": "Major hazard", "color": "#d32f2f"},
}

# Actions of the transition table, and the non-transition changes recorded as events.
HAZARD_ACTIONS = {
    "report": {"zh": "登记", "en": "Report"},
    "acknowledge": {"zh": "签收整改", "en": "Acknowledge"},
    "submit": {"zh": "提交整改", "en": "Submit rectification"},
    "verify": {"zh": "复查通过", "en": "Verify"},
    "reject": {"zh": "复查不通过", "en": "Reject"},
    "close": {"zh": "销号", "en": "Close"},
    "archive": {"zh": "归档", "en": "Archive"},
    "update": {"zh": "修改", "en": "Update"},
    "update_plan": {"zh": "修改治理方案", "en": "Update governance plan"},
    "add_photo": {"zh": "上传照片", "en": "Add photo"},
    "move": {"zh": "随企业迁移社区", "en": "Moved with its enterprise to another community"},
}

# Categories come from config HAZARD_CATEGORIES (local lists differ); these are their labels.
# A configured category without an entry here is shown by its code.
CATEGORY_LABELS = {
    "fire": {"zh": "消防安全", "en": "Fire safety"},
    "electrical": {"zh": "用电安全", "en": "Electrical safety"},
    "chemicals": {"zh": "危险化学品", "en": "Hazardous chemicals"},
    "machinery": {"zh": "机械设备", "en": "Machinery"},
    "construction": {"zh": "建筑施工", "en": "Construction"},
    "confined_space": {"zh": "有限空间", "en": "Confined spaces"},
    "dust": {"zh": "粉尘防爆", "en": "Combustible dust"},
    "gas": {"zh": "燃气安全", "en": "Gas"},
    "height_work": {"zh": "高处作业", "en": "Work at height"},
    "special_equipment": {"zh": "特种设备", "en": "Special equipment"},
    "emergency": {"zh": "应急管理", "en": "Emergency preparedness"},
    "management": {"zh": "安全管理", "en": "Safety management"},
}

# 照片类型: evidence of the finding, of its rectification (整改), or of what the reviewer saw
# when re-checking the fix (复查).
FINDING = "finding"
RECTIFICATION = "rectification"
RECHECK = "recheck"
PHOTO_KINDS = {
    FINDING: {"zh": "隐患照片", "en": "Finding"},
    RECTIFICATION: {"zh": "整改照片", "en": "Rectification"},
    RECHECK: {"zh": "复查照片", "en": "Re-check"},
}

# 治理方案 of a major hazard (DOMAIN.md): every field must be filled before the rectification
# can be submitted. ``deadline`` is a date, the others free text.
GOVERNANCE_PLAN_FIELDS = {
    "goals_tasks": {"zh": "治理的目标和任务", "en": "Goals and tasks"},
    "methods_measures": {"zh": "采取的方法和措施", "en": "Methods and measures"},
    "funds_materials": {"zh": "经费和物资的落实", "en": "Funds and materials"},
    "responsible_body": {"zh": "负责治理的机构", "en": "Responsible body"},
    "responsible_people": {"zh": "负责治理的人员", "en": "Responsible people"},
    "deadline": {"zh": "治理的时限", "en": "Deadline"},
    "safety_measures": {"zh": "安全措施", "en": "Safety measures during the work"},
    "emergency_plan": {"zh": "应急预案", "en": "Emergency plan"},
}


def category_choices(configured: list[str]) -> dict[str, dict]:
    """Labels of the configured categories by code (a JSON object: its key order is not kept)."""
    return {code: CATEGORY_LABELS.get(code, {"zh": code, "en": code}) for code in configured}


def category_list(configured: list[str]) -> list[dict]:
    """The configured categories as ``[{value, zh, en}]``, in the configured order (the order
    a form shows them in)."""
    return [{"value": code, **CATEGORY_LABELS.get(code, {"zh": code, "en": code})}
            for code in configured]
