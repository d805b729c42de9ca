"""Request-wide input checks made before any view or query runs.

NUL (``\\x00``) in text: PostgreSQL cannot store it in a text column (psycopg refuses it with a
``DataError``) and no person types it, so a request carrying one anywhere it could reach the
database is refused up front, on both engines alike, with the place named:

* the URL path (the route's argument, e.g. ``token`` of ``/scan/<token>``) and query arguments;
* form fields and uploaded file names (``multipart/form-data``, urlencoded);
* every string and key of a JSON body, named by its path (``title``, ``location.lat``,
  ``interviewers.1``);
* header values (``User-Agent`` is stored with a session): 400.

The answer is 422 (400 for a header) ``problem+json`` with ``errors: {field: [message]}``; the
request never reaches its view, so nothing changes. Files' contents are not looked at here: an
import reports a NUL cell as that row's error (``app.registry.importing.clean_row``).
"""
from __future__ import annotations

from flask import request

from app.errors import BadRequest, Invalid

NUL = "\x00"
MESSAGE = "不能包含 NUL（\\0）字符 / must not contain NUL (\\0) characters."
DETAIL = "以下位置含有 NUL（\\0）字符：{} / NUL (\\0) characters are not allowed in: {}"
FORM_MIMETYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _name(key) -> str:
    return str(key).replace(NUL, "\\0")


def _json_path(value, path: str = "") -> str | None:
    """The path of the first string (or key) in a parsed JSON value holding a NUL, or None."""
    if isinstance(value, str):
        return (path or "_body") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{_name(key)}" if path else _name(key)
            if NUL in str(key):
                return here
            found = _json_path(item, here)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _json_path(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _field_with_nul() -> str | None:
    """Where a NUL was found in the path, query, form or JSON body, or None."""
    if NUL in request.path:
        for name, value in (request.view_args or {}).items():
            if NUL in str(value):
                return name
        return "path"
    for key, value in request.args.items(multi=True):
        if NUL in key or NUL in value:
            return _name(key)
    if request.mimetype in FORM_MIMETYPES:
        for key, value in request.form.items(multi=True):
            if NUL in key or NUL in value:
                return _name(key)
        for key, upload in request.files.items(multi=True):
            if NUL in key or NUL in (upload.filename or ""):
                return _name(key)
    elif request.is_json:
        return _json_path(request.get_json(silent=True))
    return None


def refuse_nul():
    """``before_request``: 400/422 naming the place of a NUL character (see the module doc)."""
    for header, value in request.headers.items():
        if NUL in value:
            name = _name(header)
            raise BadRequest(DETAIL.format(name, name), errors={name: [MESSAGE]})
    field = _field_with_nul()
    if field:
        raise Invalid(DETAIL.format(field, field), errors={field: [MESSAGE]})


def init_app(app):
    app.before_request(refuse_nul)
