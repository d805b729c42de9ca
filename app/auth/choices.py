"""Roles (角色): their labels; the values are app.core.roles (the permissions need them)."""
from app.core.roles import ADMIN, COMMUNITY_ROLES, INSPECTOR, OFFICER, SUPERVISOR

__all__ = ["ADMIN", "COMMUNITY_ROLES", "INSPECTOR", "OFFICER", "ROLES", "SUPERVISOR"]

ROLES = {
    ADMIN: {"zh": "管理员", "en": "Administrator"},
    SUPERVISOR: {"zh": "监管/领导小组", "en": "Supervisor"},
    INSPECTOR: {"zh": "检查员", "en": "Inspector"},
    OFFICER: {"zh": "企业安全员", "en": "Enterprise safety officer"},
}
