"""Request-wide input checks made before any view or query runs.

Text no person types (NUL, control characters other than TAB/LF/CR, lone surrogates: see
:mod:`app.core.text`) is refused up front, on both engines alike, with the place named. It is
looked for in

* the URL path (the route's argument, e.g. ``token`` of ``/scan/<token>``) and query arguments;
* form fields and uploaded file names (``multipart/form-data``, urlencoded);
* every string and key of a JSON body, named by its path (``title``, ``location.lat``,
  ``interviewers.1``);
* header values (``User-Agent`` is stored with a session): NUL only, 400.

The answer is 422 (400 for a header) ``problem+json`` with ``errors: {field: [message]}``; the
request never reaches its view, so nothing changes. A JSON body nested deeper than
:data:`MAX_JSON_DEPTH` (no request of the API needs more than a few levels) is a 400 naming
``json`` before it is walked, so no parser or schema recurses to exhaustion. Files' contents
are not looked at here: an import reports such a cell as that row's error
(``app.registry.importing.clean_row``).
"""
from __future__ import annotations

from flask import request

from app.core.fields import MAX_PAGE, MAX_YEAR, MIN_YEAR
from app.core.text import DETAIL, MESSAGE, NUL, shown_text, text_fault
from app.errors import BadRequest, Invalid
from app.extensions import api

DEPTH_MESSAGE = ("JSON 嵌套层数过多（最多 {} 层） / The JSON body is nested too deeply "
                 "(at most {} levels).")
FORM_MIMETYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
#: Deepest nesting of arrays and objects a JSON body may have (the API's own bodies need 3).
MAX_JSON_DEPTH = 32

#: The input rules every endpoint shares, as the OpenAPI document's description states them.
API_DESCRIPTION = f"""Anxun 安巡: hazard inspection for safety-production supervision.

Input rules every endpoint shares (a request breaking one changes nothing):

* Text (JSON strings and keys, query and form values, path arguments, uploaded file names)
  must not contain NUL (`\\0`), other control characters (0x01–0x1F except TAB, LF and CR,
  and 0x7F) or lone surrogates (`\\ud800`): 422 problem+json naming the field.
* A header value must not contain NUL: 400 naming the header.
* A JSON body is nested at most {MAX_JSON_DEPTH} levels deep: 400 naming `json`.
* Dates and times fall in the years {MIN_YEAR}–{MAX_YEAR}; `page` runs from 1 to {MAX_PAGE:,};
  integers are whole JSON numbers (`1.5` or `"1"` is not a version): 422 naming the field.
"""


def _json_fault(value) -> tuple[str, tuple[str, str]] | None:
    """``(path, fault)`` of the first string or key (in document order) of a parsed JSON value
    that :func:`text_fault` refuses. Walked with a stack rather than recursion; 400 past
    :data:`MAX_JSON_DEPTH`."""
    stack: list[tuple] = [(value, "", 0, None)]
    while stack:
        item, path, depth, key_fault = stack.pop()
        if key_fault:
            return path, key_fault
        if isinstance(item, str):
            fault = text_fault(item)
            if fault:
                return path or "_body", fault
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(item, dict):
            children = []
            for key, child in item.items():
                here = f"{path}.{shown_text(key)}" if path else shown_text(key)
                children.append((child, here, depth + 1, text_fault(str(key))))
        else:
            children = [(child, f"{path}.{i}" if path else str(i), depth + 1, None)
                        for i, child in enumerate(item)]
        stack.extend(reversed(children))
    return None


def _too_deep() -> BadRequest:
    message = DEPTH_MESSAGE.format(MAX_JSON_DEPTH, MAX_JSON_DEPTH)
    return BadRequest(message, errors={"json": [message]})


def _json_body():
    """The parsed JSON body (None when it is not JSON); 400 when it is nested too deeply for
    the parser itself (``RecursionError``)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise _too_deep() from None


def _field_at_fault() -> tuple[str, tuple[str, str]] | None:
    """Where a refused character was found in the path, query, form or JSON body."""
    fault = text_fault(request.path)
    if fault:
        for name, value in (request.view_args or {}).items():
            if text_fault(str(value)):
                return name, fault
        return "path", fault
    for key, value in request.args.items(multi=True):
        fault = text_fault(key) or text_fault(value)
        if fault:
            return shown_text(key), fault
    if request.mimetype in FORM_MIMETYPES:
        for key, value in request.form.items(multi=True):
            fault = text_fault(key) or text_fault(value)
            if fault:
                return shown_text(key), fault
        for key, upload in request.files.items(multi=True):
            fault = text_fault(key) or text_fault(upload.filename or "")
            if fault:
                return shown_text(key), fault
    elif request.is_json:
        return _json_fault(_json_body())
    return None


def refuse_faulty_text():
    """``before_request``: 400/422 naming the place of a refused character (see the module
    doc)."""
    for header, value in request.headers.items():
        if NUL in value:
            name = shown_text(header)
            raise BadRequest(DETAIL.format(name, name), errors={name: [MESSAGE]})
    found = _field_at_fault()
    if found:
        field, (message, detail) = found
        raise Invalid(detail.format(field, field), errors={field: [message]})


def init_app(app):
    app.before_request(refuse_faulty_text)
    # The OpenAPI document states these rules (the Api is bound before the hooks).
    api.spec.options.setdefault("info", {})["description"] = API_DESCRIPTION
