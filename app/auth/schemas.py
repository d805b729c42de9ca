"""Schemas of the auth endpoints."""
from marshmallow import Schema, fields, validate


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
