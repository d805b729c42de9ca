"""Roles (角色): what a user is in the work. Every package's scope and role checks name them, so
they live with the permissions; their labels are in ``app.auth.choices``."""
ADMIN = "admin"
SUPERVISOR = "supervisor"   # 领导小组/监管
INSPECTOR = "inspector"     # 检查员
OFFICER = "officer"         # 企业安全员

#: the roles whose scope is a set of communities (an officer's is its enterprise)
COMMUNITY_ROLES = frozenset({SUPERVISOR, INSPECTOR})
