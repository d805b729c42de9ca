"""Roles (角色)."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet

ADMIN = "admin"
SUPERVISOR = "supervisor"   # 领导小组/监管
INSPECTOR = "inspector"     # 检查员
OFFICER = "officer"         # 企业安全员

ROLES = ChoiceSet("角色", "role", [
    Choice(ADMIN, "管理员", "Administrator"),
    Choice(SUPERVISOR, "监管/领导小组", "Supervisor"),
    Choice(INSPECTOR, "检查员", "Inspector"),
    Choice(OFFICER, "企业安全员", "Enterprise safety officer"),
])
COMMUNITY_ROLES = frozenset({SUPERVISOR, INSPECTOR})
