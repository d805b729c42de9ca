"""Roles (角色)."""
ADMIN = "admin"
SUPERVISOR = "supervisor"   # 领导小组/监管
INSPECTOR = "inspector"     # 检查员
OFFICER = "officer"         # 企业安全员

ROLES = {
    ADMIN: {"zh": "管理员", "en": "Administrator"},
    SUPERVISOR: {"zh": "监管/领导小组", "en": "Supervisor"},
    INSPECTOR: {"zh": "检查员", "en": "Inspector"},
    OFFICER: {"zh": "企业安全员", "en": "Enterprise safety officer"},
}
COMMUNITY_ROLES = frozenset({SUPERVISOR, INSPECTOR})
