"""Roles (角色): their labels; the values are app.core.roles (the permissions need them)."""
from __future__ import annotations

from app.core.choices import Choice, ChoiceSet
from app.core.roles import ADMIN, COMMUNITY_ROLES, INSPECTOR, OFFICER, SUPERVISOR

__all__ = ["ADMIN", "COMMUNITY_ROLES", "INSPECTOR", "OFFICER", "ROLES", "SUPERVISOR"]

ROLES = ChoiceSet("角色", "role", [
    Choice(ADMIN, "管理员", "Administrator"),
    Choice(SUPERVISOR, "监管/领导小组", "Supervisor"),
    Choice(INSPECTOR, "检查员", "Inspector"),
    Choice(OFFICER, "企业安全员", "Enterprise safety officer"),
])
