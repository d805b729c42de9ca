"""Domain exceptions: what services raise when a request cannot be done.

Every error leaves the application as ``application/problem+json`` (RFC 9457):
``{"type", "title", "status", "detail", "errors": {field: [message]}}``, rendered in one place,
:mod:`app.core.problems`. Services raise the exceptions below; views never build error responses
themselves.
"""
from __future__ import annotations

from http import HTTPStatus


class DomainError(Exception):
    """Base of every error a service raises on purpose; ``status`` picks the HTTP answer."""

    status = 400
    title: str | None = None

    def __init__(self, detail: str | None = None, *, errors: dict | None = None,
                 field: str | None = None, headers: dict | None = None):
        super().__init__(detail or self.title or HTTPStatus(self.status).phrase)
        self.detail = detail or self.title or HTTPStatus(self.status).phrase
        self.errors = dict(errors or {})
        if field:
            self.errors.setdefault(field, []).append(self.detail)
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    """Unknown *or outside the user's scope*: the answer never tells the two apart."""

    status = 404
    title = "Not found"


class RequestTimeout(DomainError):
    """The request (its body) did not arrive in time (408)."""

    status = 408
    title = "Request timeout"


class Conflict(DomainError):
    """State or version conflict (409); nothing was changed."""

    status = 409
    title = "Conflict"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"


class Invalid(DomainError):
    """Well-formed request whose content is wrong (422); name the field."""

    status = 422
    title = "Invalid content"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"
