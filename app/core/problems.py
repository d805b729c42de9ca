"""The one place that renders errors: ``application/problem+json`` (RFC 9457) in the reader's
language, for the exceptions of :mod:`app.errors`, HTTP errors, stale versions, values the
database refused and anything unexpected."""
from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin
from flask import current_app, json, request
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError

from app.core.i18n import best_language, localize, localize_errors, title_for
from app.errors import DomainError
from app.extensions import db

PROBLEM_MIME = "application/problem+json"

#: The body of every error answer, as the OpenAPI document describes it.
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "object", "description": "The fields at fault, each with its "
                   "messages (`json` for the body as a whole, `file` for an upload)",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            errors: dict | None = None, headers: dict | None = None):
    """Build a problem+json response in the reader's language (Chinese unless asked otherwise)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # pragma: no cover - non-standard codes
        phrase = "Error"
    lang = best_language()
    body = {
        "type": "about:blank",
        "title": title_for(status, title or phrase, lang),
        "status": status,
        "detail": localize(detail or title or phrase, lang),
    }
    if errors:
        body["errors"] = localize_errors(errors, lang)
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status,
                                          mimetype=PROBLEM_MIME)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_webargs(messages) -> dict:
    """webargs reports ``{"json": {"field": [...]}}``; the contract wants ``{"field": [...]}``.
    Nested schemas and lists of them are named by their path: ``location.lat``,
    ``items.3.code`` (the fourth item's code)."""
    errors: dict = {}
    if not isinstance(messages, dict):
        return {"_schema": [str(messages)]}

    def walk(name: str, msgs) -> None:
        if isinstance(msgs, dict):  # nested schema (or list item) errors
            for sub, submsgs in msgs.items():
                walk(f"{name}.{sub}", submsgs)
        else:
            errors[name] = _as_list(msgs)

    for location, fields in messages.items():
        if isinstance(fields, dict):
            for name, msgs in fields.items():
                walk(str(name), msgs)
        else:
            errors[location] = _as_list(fields)
    return errors


def _as_list(msgs) -> list:
    if isinstance(msgs, (list, tuple)):
        return [m if isinstance(m, str) else json.dumps(m, ensure_ascii=False) for m in msgs]
    return [str(msgs)]


def handle_domain_error(exc: DomainError):
    return problem(exc.status, exc.detail, title=exc.title, errors=exc.errors or None,
                   headers=exc.headers)


#: werkzeug's stock (English-only) descriptions, said in both languages.
STOCK_DETAILS = {
    400: "请求有误，服务器无法理解 / The server could not understand the request.",
    404: "请求的地址不存在 / The requested URL was not found on the server.",
    413: "请求内容过大 / The request is larger than the server accepts.",
    415: "不支持的内容类型 / The request's content type is not supported.",
}
BAD_JSON_DETAIL = "请求体不是有效的 JSON / The request body is not valid JSON."
UNTRUSTED_HOST = "请求的主机名不在允许之列（ALLOWED_HOSTS） / The request's Host is not one this " \
                 "server answers to (ALLOWED_HOSTS)."


def _stock_detail(exc: HTTPException) -> str | None:
    """Our bilingual detail when ``exc`` carries werkzeug's default description, else None."""
    default = getattr(type(exc), "description", None)
    if exc.description and exc.description != default:
        return None
    return STOCK_DETAILS.get(exc.code)


def handle_http_exception(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = _flatten_webargs(data["messages"]) if "messages" in data else None
    detail = _stock_detail(exc) or exc.description
    if exc.code == 400 and errors and "json" in errors:
        detail = BAD_JSON_DETAIL
        errors["json"] = [BAD_JSON_DETAIL]
    if exc.code == 422 and errors:
        names = ", ".join(sorted(errors))
        detail = f"以下字段有误：{names} / The request has invalid fields: {names}"
    if exc.code == 405:
        detail = f"此处不支持 {request.method} 请求 / Method {request.method} is not allowed here."
    if isinstance(exc, SecurityError):
        detail, errors = UNTRUSTED_HOST, {"Host": [UNTRUSTED_HOST]}
    headers = {}
    if exc.code == 405 and exc.get_response().headers.get("Allow"):
        headers["Allow"] = exc.get_response().headers["Allow"]
    return problem(exc.code or 500, detail, errors=errors, headers=headers)


def handle_stale_data(exc: Exception):
    """A versioned UPDATE matched no row: someone else changed the record first (409)."""
    db.session.rollback()
    return problem(409, "记录已被他人修改，请刷新后重试 / The record was changed by someone else; "
                   "reload and try again.", errors={"version": ["版本已过期 / stale version"]})


def handle_data_error(exc: Exception | None):
    """Last resort: the database (or, on SQLite, the driver binding a value) refused a value
    that no schema caught, e.g. a number beyond 64 bits or a character PostgreSQL cannot store.
    Nothing was written (422); the cause is logged, since a schema should have named the field."""
    db.session.rollback()
    current_app.logger.warning("value refused by the database on %s %s: %r", request.method,
                               request.path, exc)
    return problem(422, "数据库不接受请求中的某个值（超出范围或含有无法保存的字符） / A value "
                   "in the request was refused by the database (out of range, or a character "
                   "that cannot be stored).")


def handle_statement_error(exc: StatementError):
    """A ``DataError``, or a value too large to bind (SQLAlchemy wraps the ``OverflowError``):
    422 as :func:`handle_data_error`; any other statement error is a bug (500)."""
    if isinstance(exc, DataError) or isinstance(getattr(exc, "orig", None), OverflowError):
        return handle_data_error(exc)
    return handle_unexpected(exc)


#: What SQLite says when it is busy past its timeout or cannot reach its file: the database is
#: unavailable. Any other SQLite ``OperationalError`` ("no such table", a syntax error) is a bug.
SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open",
                      "disk i/o error")
DATABASE_UNAVAILABLE = ("数据库暂时无法访问，请稍后重试 / "
                        "The database is unavailable; try again shortly.")
RETRY_AFTER_S = 5


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached or gave up on a statement in time
    (refused, silent past the connect timeout, a statement or lock wait past its timeout, the
    pool exhausted), rather than that a query was wrong."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    driver = type(exc.orig).__module__
    if driver.startswith("sqlite3"):
        return str(exc.orig).lower().startswith(SQLITE_UNAVAILABLE)
    # psycopg's OperationalError: connection failures and SQLSTATE classes 08, 53, 57, 58
    # (among them 57014 query_canceled, which a statement timeout raises).
    return driver.startswith("psycopg")


def handle_operational_error(exc: Exception):
    """503 with ``Retry-After`` when the database is unavailable (see
    :func:`is_database_unavailable`), else a bug (500)."""
    if not is_database_unavailable(exc):
        return handle_unexpected(exc)
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the answer stays 503
        current_app.logger.debug("rollback after a database outage failed", exc_info=True)
    current_app.logger.warning("database unavailable on %s %s: %s", request.method, request.path,
                               exc)
    return problem(503, DATABASE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)})


def handle_unexpected(exc: Exception):
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return problem(500, "服务器出错，已记录 / An unexpected error occurred; it has been logged.")


class ProblemDocs(BasePlugin):
    """An apispec plugin: every error answer of every operation (4xx, 5xx and ``default``) is
    documented as what :func:`problem` sends, ``application/problem+json`` with
    :data:`PROBLEM_SCHEMA`, in place of flask-smorest's ``application/json`` ``Error``."""

    REF = {"$ref": "#/components/schemas/Problem"}

    def init_spec(self, spec):
        spec.components.schema("Problem", PROBLEM_SCHEMA)

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.get("responses") or {}
            for code, response in list(responses.items()):
                if str(code) != "default" and int(code) < 400:
                    continue
                if isinstance(response, dict) and response.get("description"):
                    description = response["description"]
                else:  # a shared response, by name ("DEFAULT_ERROR") or "$ref"
                    name = str(response.get("$ref", "") if isinstance(response, dict)
                               else response).rsplit("/", 1)[-1]
                    description = (HTTPStatus[name].phrase if name in HTTPStatus.__members__
                                   else "Error: problem+json (see the contract for each status)")
                responses[code] = {"description": description,
                                   "content": {PROBLEM_MIME: {"schema": dict(self.REF)}}}


def register_error_handlers(app):
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(StatementError, handle_statement_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(PoolTimeout, handle_operational_error)
    app.register_error_handler(OverflowError, handle_data_error)
    app.register_error_handler(Exception, handle_unexpected)
