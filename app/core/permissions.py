"""Who may see and do what: the one place for authentication state, capabilities and scope.

Capabilities: :data:`ROLE_CAPABILITIES` names, for each role, the actions (``domain.action``) it
may take; :func:`require` answers 403 with the capability's own message (:data:`DENIED`) when a
user's role lacks one, :func:`can` only tells. Operations check them (the CLI and every other
caller go through operations); a view checks early only where a 403 must come before the body is
read. Who may move a record from one state to the next is not here: each transition table names
its own roles (``app.core.workflow``).

Scope rule (CONTRACT.md): admins see everything; supervisors and inspectors see the records of
their communities; an officer sees only its own enterprise. Anything outside a user's scope is
answered exactly like an unknown id: 404. (Which communities a user sees, where the community is
the record itself, is app.registry.scope: core imports no domain.)
"""
from __future__ import annotations

from functools import wraps

from flask import g
from sqlalchemy import false, true

from app.core.i18n import record_name_zh
from app.core.roles import ADMIN, COMMUNITY_ROLES, INSPECTOR, OFFICER, SUPERVISOR
from app.errors import Forbidden, NotFound, Unauthorized
from app.extensions import db

_NOT_YOUR_ROLE = "您的角色无权进行此操作 / Your role may not do this."
_INSPECTORS_ONLY = "只有检查人员和监管人员可以开展检查 / Only inspectors and supervisors inspect."
_PHOTO_KIND = "您的角色不能上传{kind_zh} / Your role may not upload {kind} photos."

#: The 403 answer of each capability (``{name}`` parts are filled in by the caller).
DENIED: dict[str, str] = {
    "users.manage": _NOT_YOUR_ROLE,
    "registry.manage": "只有管理员可以维护企业名录 / only administrators maintain the registry.",
    "registry.rotate_qr": "只有管理员或监管人员可以更换二维码 / only administrators and "
                          "supervisors may rotate a QR code.",
    "labels.print": "只有管理员或监管人员可以打印二维码标签 / only administrators and "
                    "supervisors print QR labels.",
    "inspection.create": _INSPECTORS_ONLY,
    "inspection.finish": _INSPECTORS_ONLY,
    "inspection.finish_others": "只有发起检查的检查人员（或监管人员）可以结束检查 / "
                                "Only the inspector who started it (or a supervisor) may "
                                "finish it.",
    "hazard.create": "只有检查人员和监管人员可以登记隐患 / "
                     "Only inspectors and supervisors record hazards.",
    "hazard.edit": "您的角色无权修改隐患 / Your role may not edit hazards.",
    "hazard.edit_finding": "企业安全员只能填写治理方案和整改责任人 / An enterprise officer may "
                           "fill in the governance plan and the responsible person only.",
    "hazard.set_deadline": "只有监管人员可以延长整改期限 / Only a supervisor may extend the "
                           "deadline.",
    "photo.upload": "您的角色不能上传照片 / Your role does not upload photos.",
    "photo.upload_finding": _PHOTO_KIND,
    "photo.upload_rectification": _PHOTO_KIND,
    "photo.upload_recheck": _PHOTO_KIND,
    "photo.upload_document": _PHOTO_KIND,
    "hazard.request_extension": "只有企业安全员可以申请延期 / Only the enterprise's safety officer "
                                "asks for an extension.",
    "hazard.list": "只有监管人员可以挂牌督办 / Only a supervisor lists a hazard for supervision.",
    "interview.open": _NOT_YOUR_ROLE,
    "checklist.manage": "只有管理员或监管人员可以编辑检查表 / Only administrators and "
                        "supervisors edit checklists.",
    "inspection.self": "只有企业安全员可以开展企业自查 / Only an enterprise officer runs a "
                       "self-inspection.",
    "hazard.report_self": "只有检查人员、监管人员和企业安全员（自查）可以登记隐患 / Only "
                          "inspectors, supervisors and enterprise officers (self-inspection) "
                          "record hazards.",
    "photo.upload_finding_self": _PHOTO_KIND,
    "campaign.manage": "只有监管人员可以设立专项活动 / Only supervisors set up campaigns.",
    "campaign.submit": "只有社区的监管人员可以报送活动总结 / Only a community's supervisor "
                       "submits its summary.",
    "activity.record": "您的角色不能登记活动 / Your role does not record activities.",
    "photo.upload_activity": "您的角色不能上传活动照片 / Your role may not upload activity "
                             "photos.",
    "tip.read": "您的角色无权查看群众举报 / Your role does not see public reports.",
    "tip.read_contact": "只有监管人员可以查看举报人联系方式 / Only supervisors see a "
                        "reporter's contact.",
    "bulletin.publish": "只有监管人员可以发布预警和安全提示 / Only supervisors publish warnings "
                        "and safety notices.",
    "bulletin.remind": "只有监管人员可以催签 / Only supervisors send reminders.",
    "bulletin.receipts": "您的角色无权查看签收情况 / Your role does not see who acknowledged.",
    # 检查计划 and 检查任务 (app.plans): whoever may not read them gets 404, never 403 (an
    # enterprise must not learn that an unannounced inspection is planned).
    "plan.read": _NOT_YOUR_ROLE,
    "plan.manage": "只有监管人员可以制定和抽取检查计划 / Only supervisors make and draw "
                   "inspection plans.",
    "task.read": _NOT_YOUR_ROLE,
}

#: What each role may do (能力表). Admins run the registry and the accounts and convene
#: interviews, but take no part in inspecting and rectifying (their hazard transitions are 403
#: by the hazard table). Supervisors (领导小组/监管) may do all an inspector does, and sign off.
#: An enterprise officer fills in its own fix and shows it, and inspects itself (自查).
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    ADMIN: frozenset({"users.manage", "registry.manage", "registry.rotate_qr", "labels.print",
                      "interview.open", "checklist.manage", "campaign.manage", "tip.read",
                      "bulletin.receipts", "plan.read", "task.read"}),
    SUPERVISOR: frozenset({"registry.rotate_qr", "labels.print", "interview.open",
                           "checklist.manage", "plan.read", "plan.manage", "task.read",
                           "inspection.create", "inspection.finish", "inspection.finish_others",
                           "hazard.create", "hazard.edit", "hazard.edit_finding",
                           "hazard.set_deadline", "hazard.list", "photo.upload",
                           "photo.upload_finding", "photo.upload_rectification",
                           "photo.upload_recheck", "campaign.manage", "campaign.submit",
                           "activity.record", "photo.upload_activity", "tip.read",
                           "tip.read_contact", "bulletin.publish", "bulletin.remind",
                           "bulletin.receipts"}),
    INSPECTOR: frozenset({"task.read", "inspection.create", "inspection.finish", "hazard.create",
                          "hazard.edit", "hazard.edit_finding", "photo.upload",
                          "photo.upload_finding", "photo.upload_rectification",
                          "photo.upload_recheck", "activity.record", "photo.upload_activity",
                          "tip.read", "bulletin.receipts"}),
    # 企业自查自报: an officer inspects its own enterprise and reports what it finds (source
    # "self"), with finding photos of those hazards only (app.hazards.evidence).
    OFFICER: frozenset({"hazard.edit", "hazard.request_extension", "photo.upload",
                        "photo.upload_rectification", "photo.upload_document",
                        "activity.record", "photo.upload_activity",
                        "inspection.self", "hazard.report_self", "photo.upload_finding_self"}),
}


def current_user():
    """The logged-in :class:`~app.auth.models.User` or ``None``."""
    return getattr(g, "user", None)


def require_user():
    user = current_user()
    if user is None:
        raise Unauthorized("请先登录 / Please log in.")
    return user


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        require_user()
        return view(*args, **kwargs)
    return wrapper


def can(user, capability: str) -> bool:
    """Whether ``user``'s role has ``capability`` (see :data:`ROLE_CAPABILITIES`)."""
    if capability not in DENIED:
        raise KeyError(f"unknown capability {capability!r}")
    return user is not None and capability in ROLE_CAPABILITIES.get(user.role, ())


def require(user, capability: str, *, field: str | None = None, **parts) -> None:
    """403 with the capability's message (naming ``field`` when given) unless ``user`` has it;
    ``parts`` fill in the message's ``{name}`` placeholders."""
    if not can(user, capability):
        message = DENIED[capability]
        raise Forbidden(message.format(**parts) if parts else message, field=field)


def capability_required(capability: str):
    """A view decorator: 401 without a session, 403 without ``capability``, before the view (and
    whatever decorators it wraps, such as reading the body) runs."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            require(require_user(), capability)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def scope_clause(user, model):
    """A SQL condition limiting ``model`` to what ``user`` may see.

    ``model`` has ``community_id`` and ``enterprise_id`` columns (the registry's ``Enterprise``
    uses its own ``id`` as the enterprise id).
    """
    if user is None:
        return false()
    if user.role == ADMIN:
        return true()
    if user.role in COMMUNITY_ROLES:
        ids = user.community_ids
        return model.community_id.in_(ids) if ids else false()
    if user.role == OFFICER and user.enterprise_id:
        column = model.id if model.__tablename__ == "enterprises" else model.enterprise_id
        return column == user.enterprise_id
    return false()


def in_scope(user, record) -> bool:
    """Python twin of :func:`scope_clause` for a loaded record."""
    if user is None:
        return False
    if user.role == ADMIN:
        return True
    if user.role in COMMUNITY_ROLES:
        return record.community_id in set(user.community_ids)
    if user.role == OFFICER and user.enterprise_id:
        enterprise_id = record.id if record.__tablename__ == "enterprises" else record.enterprise_id
        return enterprise_id == user.enterprise_id
    return False


def get_or_404(model, record_id, user=None, *, for_update: bool = False, options=()):
    """Load ``model`` by id if it exists *and* is in the user's scope; otherwise 404.
    ``options`` are loader options (what to load along in the same statement)."""
    record = db.session.get(model, str(record_id), with_for_update=for_update or None,
                            options=options)
    return found_or_404(model, record, user)


def found_or_404(model, record, user=None):
    """``record`` of ``model``, read by the caller (None: there is none), if it is in the user's
    scope; otherwise the same 404 as :func:`get_or_404`."""
    user = user if user is not None else require_user()
    if record is None or not in_scope(user, record):
        raise NotFound(f"{record_name_zh(model.__name__)}不存在 / {model.__name__} not found.")
    return record
