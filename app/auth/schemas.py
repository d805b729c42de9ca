"""Schemas of the auth endpoints: logging in, one's own password, and the administration of
accounts (用户管理)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.auth.choices import ROLES
from app.core.pagination import page_args, page_schema

MAX_PER_PAGE = 500
PASSWORD_LENGTH = validate.Length(min=8, max=256,
                                  error="密码应为 8 到 256 个字符 / A password has 8 to 256 "
                                        "characters.")


def _known_role(value: str) -> None:
    if value not in ROLES:
        raise ValidationError(ROLES.unknown_message(value))


class Stripped(fields.String):
    """A string with surrounding whitespace removed."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _username_chars(value: str) -> None:
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        raise ValidationError("用户名不能为空，也不能含空格 / no spaces or control characters.")


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256),
                             load_only=True)


class UserOut(Schema):
    id = fields.String()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    enterprise_id = fields.String(allow_none=True)
    community_ids = fields.List(fields.String())
    locale = fields.String(allow_none=True)


class SessionOut(Schema):
    user = fields.Nested(UserOut)
    csrf_token = fields.String()


class SessionStateOut(SessionOut):
    """Who is logged in, if anyone: ``user`` and ``csrf_token`` only when ``authenticated``."""

    authenticated = fields.Boolean(required=True)


class PasswordChangeIn(Schema):
    """修改密码: the current password and the new one."""

    old_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=PASSWORD_LENGTH)


# --------------------------------------------------------------------------------------------
# Administration of accounts

class UserCommunityOut(Schema):
    id = fields.String()
    name = fields.String()


class UserAdminOut(UserOut):
    """An account as administrators see it."""

    phone = fields.String(allow_none=True)
    active = fields.Boolean()
    enterprise_name = fields.Function(lambda u: u.enterprise.name if u.enterprise else None,
                                      metadata={"description": "the officer's enterprise"})
    communities = fields.List(fields.Nested(UserCommunityOut))
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


UserPage = page_schema(UserAdminOut, "UserPage", pages=True)


class UserListArgs(page_args(MAX_PER_PAGE, 50)):
    role = fields.String(validate=_known_role)
    community_id = fields.String(validate=validate.Length(min=1, max=36),
                                 metadata={"description": "supervisors/inspectors of the "
                                                          "community and officers of its "
                                                          "enterprises"})
    q = Stripped(validate=validate.Length(max=100),
                 metadata={"description": "part of the username, name or phone"})
    active = fields.Boolean()


class UserCreateIn(Schema):
    """A new account. Officers name their ``enterprise_id``; supervisors and inspectors their
    ``community_ids``; ``id`` may be chosen by the client."""

    id = fields.UUID()
    username = Stripped(required=True, validate=[validate.Length(min=1, max=64), _username_chars])
    display_name = Stripped(validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, load_only=True, validate=PASSWORD_LENGTH)
    role = fields.String(required=True, validate=_known_role)
    enterprise_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    community_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                                validate=validate.Length(max=200))
    phone = Stripped(allow_none=True, validate=validate.Length(max=32))


class UserUpdateIn(Schema):
    """Changed fields only. ``active: false`` disables the account and ends its sessions;
    ``password`` resets it (and ends its sessions)."""

    display_name = Stripped(validate=validate.Length(min=1, max=100))
    phone = Stripped(allow_none=True, validate=validate.Length(max=32))
    enterprise_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=36))
    community_ids = fields.List(fields.String(validate=validate.Length(min=1, max=36)),
                                validate=validate.Length(max=200))
    active = fields.Boolean()
    password = fields.String(load_only=True, validate=PASSWORD_LENGTH)

    @validates_schema
    def _names_a_field(self, data, **_kwargs):
        # No body (or one naming nothing) is a lost or mangled request, not a change of nothing.
        if not data:
            raise ValidationError("请求体须为 JSON 对象，并至少包含一个要修改的字段 / "
                                  "the body must be a JSON object naming at least one field to "
                                  "change.", "json")
