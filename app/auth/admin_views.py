"""用户管理: administrators list, open, change, disable and re-enable accounts.

Every endpoint here is for administrators only: 401 without a session, 403 for other roles
(checked before the body is read, so a non-admin learns nothing from validation errors)."""
from __future__ import annotations

from app.core.blueprints import Blueprint

from app.auth import operations
from app.auth.schemas import UserAdminOut, UserCreateIn, UserListArgs, UserPage, UserUpdateIn
from app.core.permissions import capability_required, require_user

blp = Blueprint("users", __name__, url_prefix="/api/v1",
                description="用户管理 Accounts (administrators)")


@blp.route("/users", methods=["GET"])
@capability_required("users.manage")
@blp.arguments(UserListArgs, location="query")
@blp.response(200, UserPage)
@blp.alt_response(403, description="Not an administrator")
def list_users(args):
    """Accounts, by username; filters ``role``, ``community_id``, ``q`` (username, name or
    phone), ``active``; ``page``/``per_page``."""
    return operations.list_users(require_user(), args)


@blp.route("/users", methods=["POST"])
@capability_required("users.manage")
@blp.arguments(UserCreateIn)
@blp.response(201, UserAdminOut)
@blp.alt_response(200, schema=UserAdminOut, description="Replay of a create with the same id "
                                                        "and body: the stored account")
@blp.alt_response(403, description="Not an administrator")
@blp.alt_response(409, description="The id belongs to another account")
def create_user(data):
    """Open an account. An officer (企业安全员) needs ``enterprise_id``; a supervisor or an
    inspector at least one of ``community_ids``; the password has ≥ 8 characters."""
    user, created = operations.create_user_by_admin(require_user(), data)
    return user, 201 if created else 200


@blp.route("/users/<string:user_id>", methods=["GET"])
@capability_required("users.manage")
@blp.response(200, UserAdminOut)
@blp.alt_response(403, description="Not an administrator")
def get_user(user_id):
    """One account."""
    return operations.get_user(require_user(), user_id)


@blp.route("/users/<string:user_id>", methods=["PATCH"])
@capability_required("users.manage")
@blp.arguments(UserUpdateIn)
@blp.response(200, UserAdminOut)
@blp.alt_response(403, description="Not an administrator")
def update_user(data, user_id):
    """Change ``display_name``, ``phone``, ``community_ids``, ``enterprise_id``; ``active``
    false disables the account and ends all its sessions at once, true lets it log in again;
    ``password`` resets the password and ends its sessions."""
    return operations.update_user_by_admin(require_user(), user_id, data)


@blp.route("/users/<string:user_id>/unlock", methods=["POST"])
@capability_required("users.manage")
@blp.response(204)
@blp.alt_response(403, description="Not an administrator")
def unlock_user(user_id):
    """解除登录限制: forget the account's failed logins at every address and on every device, so
    its owner can log in again at once (README "Login throttling")."""
    operations.unlock_user(require_user(), user_id)
    return ""
