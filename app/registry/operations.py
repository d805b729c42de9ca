"""The registry service (摸清底数): communities, enterprises, import/export, QR codes.

Functions here change state and flush; the request commits (app/core/hooks.py). Scope goes
through :mod:`app.core.permissions`: anything outside a user's reach is 404, a role that may
see a record but not change it gets 403.
"""
from __future__ import annotations

import math
import secrets

from flask import current_app, has_request_context, request
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.core import idempotency
from app.core.choices import label_key
from app.core.db import new_id
from app.core.imports import ImportReport
from app.core.models import expect_version
from app.core.pagination import Page, paginate
from app.core.permissions import found_or_404, get_or_404, require, scope_clause
from app.core.timeutil import utcnow
from app.documents.pdf import Label, label_sheet_pdf
from app.documents.qr import qr_png as render_qr_png
from app.errors import Conflict, Invalid
from app.extensions import db
from app.registry import importing
from app.registry.choices import RISK_LEVELS, configured_industries
from app.registry.models import Community, Enterprise
from app.registry.scope import community_scope_clause, visible_community
from app.registry.moves import carry_records

DEFAULT_PER_PAGE = 50
#: Enterprise attributes a create/update/import may set (``location`` is split into lat/lng).
EDITABLE = ("name", "credit_code", "community_id", "address", "industry", "risk_level",
            "legal_rep", "safety_officer", "phone", "employees", "lat", "lng")
#: Text columns stored as "" rather than NULL when empty.
_TEXT_COLUMNS = frozenset({"address", "legal_rep", "safety_officer", "phone"})
#: Stored coordinates keep 7 decimals (≈1 cm): an export and its re-import compare equal.
COORD_DECIMALS = 7
#: The 409 of an enterprise changed meanwhile (a stale ``version``, or a lost race to UPDATE it).
STALE_ENTERPRISE = "记录已被他人修改，请刷新后重试 / the record was changed meanwhile; reload."


# --------------------------------------------------------------------------------------------
# QR tokens and URLs

def new_qr_token() -> str:
    """An unguessable token for the QR code (二维码): 32 random bytes, 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def public_base_url() -> str:
    """Where a printed QR code points: ``PUBLIC_BASE_URL`` or the host this request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    return base.rstrip("/")


def qr_url(token: str) -> str:
    """The URL a QR code encodes; the PWA serves its shell at ``/e/<token>``."""
    return f"{public_base_url()}/e/{token}"


# --------------------------------------------------------------------------------------------
# Pagination

def _page(args: dict, default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """``(page, per_page)`` of a registry list, which also takes ``page_size`` for per_page."""
    return (args.get("page") or 1,
            args.get("per_page") or args.get("page_size") or default_per_page)


# --------------------------------------------------------------------------------------------
# Communities (社区)

def list_communities(user, args: dict) -> Page:
    """Communities in the user's scope, each with its number of enterprises."""
    counts = (select(Enterprise.community_id, func.count().label("n"))
              .group_by(Enterprise.community_id).subquery())
    stmt = (select(Community, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.community_id == Community.id)
            .where(community_scope_clause(user))
            .order_by(Community.name, Community.id))
    listed = paginate(stmt, *_page(args, 200))
    for community, n in listed.items:
        community.enterprise_count = n
    listed.items = [community for community, _ in listed.items]
    return listed


# --------------------------------------------------------------------------------------------
# Enterprises (企业)

def _conditions(user, args: dict) -> list:
    conditions = [scope_clause(user, Enterprise)]
    if args.get("community_id"):
        conditions.append(Enterprise.community_id == args["community_id"])
    if args.get("risk_level"):
        conditions.append(Enterprise.risk_level == args["risk_level"])
    if args.get("industry"):
        conditions.append(Enterprise.industry == args["industry"])
    if args.get("q"):
        q = args["q"]
        conditions.append(or_(Enterprise.name.icontains(q, autoescape=True),
                              Enterprise.credit_code.icontains(q.upper(), autoescape=True)))
    return conditions


def _filtered(user, args: dict):
    return (select(Enterprise).options(joinedload(Enterprise.community))
            .where(*_conditions(user, args)).order_by(Enterprise.name, Enterprise.id))


def list_enterprises(user, args: dict) -> Page:
    """The registry as far as the user may see it, filtered and paginated."""
    return paginate(_filtered(user, args), *_page(args))


def list_fingerprint(user, args: dict, language: str) -> list:
    """What a page of :func:`list_enterprises` depends on, read in two small aggregate queries
    (the validator of that page, see :mod:`app.core.conditional`): how many enterprises match
    and their latest change, the latest change of any community (their names are shown), the
    user's scope, the page asked, the reader's language, the configured labels and the address
    QR codes point to."""
    count, latest = db.session.execute(
        select(func.count(), func.max(Enterprise.updated_at))
        .where(*_conditions(user, args))).one()
    communities = db.session.scalar(select(func.max(Community.updated_at)))
    return [count, latest, communities, user.id, user.role, user.enterprise_id,
            user.community_ids, sorted(args.items()), _page(args), language,
            configured_industries().as_list(), public_base_url()]


#: An enterprise by id with its community, built once and bound at each call: ``session.get``
#: with a loader option builds its statement anew every time, at about the cost of running it.
_WITH_COMMUNITY = (select(Enterprise).where(Enterprise.id == bindparam("enterprise_id"))
                   .options(joinedload(Enterprise.community)))


def get_enterprise(user, enterprise_id: str) -> Enterprise:
    """An enterprise in ``user``'s scope, its community (named in the answer) loaded along."""
    enterprise = db.session.scalars(_WITH_COMMUNITY,
                                    {"enterprise_id": str(enterprise_id)}).one_or_none()
    return found_or_404(Enterprise, enterprise, user)


def _community_or_invalid(community_id: str, field_name: str = "community_id") -> Community:
    community = db.session.get(Community, str(community_id))
    if community is None:
        raise Invalid("社区不存在 / unknown community.", field=field_name)
    return community


def _credit_code_taken(code: str, except_id: str | None = None) -> Enterprise | None:
    stmt = select(Enterprise).where(Enterprise.credit_code == code)
    if except_id:
        stmt = stmt.where(Enterprise.id != except_id)
    return db.session.scalar(stmt)


def _duplicate_code(code: str) -> Conflict:
    return Conflict(f"统一社会信用代码 {code} 已登记 / this credit code is already registered.",
                    field="credit_code")


def _round_coord(value):
    return None if value is None else round(float(value), COORD_DECIMALS)


def _attributes(data: dict) -> dict:
    """Model attributes from a validated create/update body (``location`` → ``lat``/``lng``)."""
    values = {k: v for k, v in data.items() if k in EDITABLE}
    if "location" in data:
        location = data["location"]
        values["lat"] = _round_coord(location["lat"]) if location else None
        values["lng"] = _round_coord(location["lng"]) if location else None
    return values


INDUSTRY_REQUIRED = ("请填写行业（配置的行业列表中没有“其他”） / an industry is required (the "
                     "configured industries have no 'other')")


def default_industry() -> str | None:
    """The industry of an enterprise registered without one: ``other`` when the configured
    ``INDUSTRIES`` hold it; otherwise None, and an industry must be given."""
    return "other" if "other" in current_app.config["INDUSTRIES"] else None


def _default_industry_or_invalid() -> str:
    industry = default_industry()
    if industry is None:
        raise Invalid(INDUSTRY_REQUIRED, field="industry")
    return industry


def create_enterprise(user, data: dict) -> idempotency.CreateResult:
    """Register an enterprise (admin). A client-chosen ``id`` makes the create idempotent."""
    require(user, "registry.manage")
    values = _attributes(data)

    def build(record_id: str, body_hash: str) -> Enterprise:
        _community_or_invalid(values["community_id"])
        if _credit_code_taken(values["credit_code"]):
            raise _duplicate_code(values["credit_code"])
        if not values.get("industry"):
            values["industry"] = _default_industry_or_invalid()
        values.setdefault("risk_level", "blue")
        return Enterprise(id=record_id, payload_hash=body_hash, qr_token=new_qr_token(),
                          **{k: ("" if v is None and k in _TEXT_COLUMNS else v)
                             for k, v in values.items()})

    try:
        result = idempotency.create_or_replay(Enterprise, data.get("id"), data, build, user=user)
    except IntegrityError as exc:  # a parallel create registered the same credit code
        raise _duplicate_code(values["credit_code"]) from exc
    if result.created:
        current_app.logger.info("registry: enterprise %s (%s) created by %s", result.record.id,
                                result.record.credit_code, user.username)
    return result


def _changes(enterprise: Enterprise, values: dict) -> dict:
    """The subset of ``values`` that differs from what is stored."""
    changed = {}
    for key, value in values.items():
        if key in _TEXT_COLUMNS and value is None:
            value = ""
        current = getattr(enterprise, key)
        if key in ("lat", "lng") and value is not None and current is not None:
            if math.isclose(float(value), float(current), abs_tol=0.5 * 10 ** -COORD_DECIMALS):
                continue
        elif current == value:
            continue
        changed[key] = value
    return changed


def update_enterprise(user, enterprise_id: str, data: dict) -> Enterprise:
    """Change an enterprise (admin) if ``version`` is the stored one; nothing changes → no bump."""
    enterprise = get_or_404(Enterprise, enterprise_id, user)
    require(user, "registry.manage")
    expect_version(enterprise, data["version"], STALE_ENTERPRISE)
    changes = _changes(enterprise, _attributes(data))
    if "community_id" in changes:
        _community_or_invalid(changes["community_id"])
    if "credit_code" in changes and _credit_code_taken(changes["credit_code"], enterprise.id):
        raise _duplicate_code(changes["credit_code"])
    if not changes:
        return enterprise
    from_community_id = enterprise.community_id
    for key, value in changes.items():
        setattr(enterprise, key, value)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(STALE_ENTERPRISE, field="version") from exc
    except IntegrityError as exc:
        raise _duplicate_code(changes.get("credit_code", enterprise.credit_code)) from exc
    if "community_id" in changes:
        carry_records(enterprise, user, from_community_id)
        db.session.refresh(enterprise, ["community"])
    current_app.logger.info("registry: enterprise %s changed by %s: %s", enterprise.id,
                            user.username, ", ".join(sorted(changes)))
    return enterprise


# --------------------------------------------------------------------------------------------
# Choices

def registry_choices() -> dict:
    """Risk colours and the configured industries with their zh/en labels."""
    return {"risk_levels": RISK_LEVELS.as_list(),
            "industries": configured_industries().as_list()}


# --------------------------------------------------------------------------------------------
# Import (导入) and export (导出)

def _community_lookup() -> dict[str, Community]:
    """Community by name, id or code (whatever a file's 所属社区 column holds)."""
    lookup = {}
    for community in db.session.scalars(select(Community)):
        for spelling in (community.code, community.id, community.name):
            if spelling:
                lookup[label_key(spelling)] = community
    return lookup


def _existing_by_code(codes: list[str]) -> dict[str, Enterprise]:
    found = {}
    for i in range(0, len(codes), 500):
        chunk = codes[i:i + 500]
        for enterprise in db.session.scalars(select(Enterprise)
                                             .where(Enterprise.credit_code.in_(chunk))):
            found[enterprise.credit_code] = enterprise
    return found


def import_enterprises(user, data: bytes, filename: str | None, *, dry_run: bool) -> ImportReport:
    """Upsert the rows of a CSV/XLSX registry table by credit code (admin).

    Each bad row is reported (line, field, message) and skipped; good rows are kept. An existing
    credit code updates that enterprise, and only when a value differs (so re-importing the same
    file changes nothing, not even ``version``). Columns absent from the file and empty cells
    leave stored values alone. With ``dry_run`` the report is the same and nothing is written.
    """
    require(user, "registry.manage")
    try:
        table = importing.parse_table(
            data, filename, max_unpacked=current_app.config["IMPORT_MAX_UNPACKED_BYTES"])
    except importing.TableError as exc:
        raise Invalid(exc.message, errors=exc.as_problem_errors()) from exc

    report = ImportReport.of(table, dry_run=dry_run)
    communities = _community_lookup()
    industries = configured_industries()
    plans: list[tuple[int, dict]] = []
    first_line: dict[str, int] = {}

    for line, row in table.rows:
        values, row_errors = importing.clean_row(line, row, coord_system=table.coord_system)
        errors = [e.as_dict() for e in row_errors]

        if values.get("community"):
            community = communities.get(label_key(values["community"]))
            if community is None:
                errors.append({"line": line, "field": "community",
                               "message": f"社区“{values['community']}”不存在 / unknown "
                                          f"community '{values['community']}'"})
            else:
                values["community_id"] = community.id
        if values.get("industry"):
            key = industries.parse(values["industry"])
            if key is None:
                errors.append({"line": line, "field": "industry",
                               "message": industries.unknown_message(values["industry"])})
            else:
                values["industry"] = key
        code = values.get("credit_code")
        if code and not errors:
            if code in first_line:
                errors.append({"line": line, "field": "credit_code",
                               "message": f"与第 {first_line[code]} 行的统一社会信用代码重复 / "
                                          f"same credit code as line {first_line[code]}"})
            else:
                first_line[code] = line
        if errors:
            report.errors.extend(errors)
            continue
        plans.append((line, values))

    existing = _existing_by_code([v["credit_code"] for _, v in plans])
    moves: list[tuple[Enterprise, str]] = []   # (enterprise, community it leaves)
    for line, values in plans:
        attrs = {k: v for k, v in _attributes(values).items()
                 if v is not None and k != "credit_code"}
        enterprise = existing.get(values["credit_code"])
        outcome = {"line": line, "credit_code": values["credit_code"], "name": values["name"],
                   "changed": []}
        if enterprise is None:
            if not attrs.get("industry"):
                attrs["industry"] = default_industry()
                if attrs["industry"] is None:
                    report.errors.append({"line": line, "field": "industry",
                                          "message": INDUSTRY_REQUIRED})
                    continue
            attrs.setdefault("risk_level", "blue")
            enterprise = Enterprise(id=new_id(), credit_code=values["credit_code"],
                                    qr_token=new_qr_token(), **attrs)
            if not dry_run:
                db.session.add(enterprise)
            outcome["id"] = None if dry_run else enterprise.id
            report.add(outcome, "created")
        else:
            changes = _changes(enterprise, attrs)
            if changes:
                if not dry_run:
                    if "community_id" in changes:
                        moves.append((enterprise, enterprise.community_id))
                    for key, value in changes.items():
                        setattr(enterprise, key, value)
                outcome["changed"] = sorted(changes)
                report.add(outcome, "updated")
            else:
                report.add(outcome, "unchanged")
            outcome["id"] = enterprise.id

    if not dry_run:
        try:
            db.session.flush()
        except (IntegrityError, StaleDataError) as exc:
            raise Conflict("导入期间名录被他人修改，请重试 / the registry changed during the "
                           "import; retry.") from exc
        for enterprise, from_community_id in moves:
            carry_records(enterprise, user, from_community_id)
        current_app.logger.info("registry: import by %s: %d created, %d updated, %d unchanged, "
                                "%d errors", user.username, report.created, report.updated,
                                report.unchanged, len(report.errors))
    return report


#: Export columns: the import's keys and Chinese headers, so an export imports back unchanged.
EXPORT_COLUMNS = [(c.key, c.zh) for c in importing.COLUMNS]


def export_rows(user, args: dict) -> list[dict]:
    """The rows of the registry export, industry and risk level by their Chinese labels (what
    the import reads back)."""
    industries = configured_industries()
    rows = []
    for e in db.session.scalars(_filtered(user, args)).unique():
        rows.append({
            "name": e.name, "credit_code": e.credit_code,
            "community": e.community.name, "address": e.address or None,
            "lat": e.lat, "lng": e.lng,
            "industry": industries.label(e.industry, "zh"),
            "risk_level": RISK_LEVELS.label(e.risk_level, "zh"),
            "legal_rep": e.legal_rep or None, "safety_officer": e.safety_officer or None,
            "phone": e.phone or None, "employees": e.employees,
        })
    return rows


def export_xlsx(user, args: dict) -> bytes:
    """The registry in the user's scope as XLSX with Chinese headers (re-importable)."""
    return importing.write_xlsx(export_rows(user, args), EXPORT_COLUMNS, sheet_title="企业名录")


# --------------------------------------------------------------------------------------------
# QR codes (二维码)

def qr_png(user, enterprise_id: str, box_size: int) -> bytes:
    enterprise = get_or_404(Enterprise, enterprise_id, user)
    return render_qr_png(qr_url(enterprise.qr_token), box_size=box_size)


def rotate_qr(user, enterprise_id: str) -> Enterprise:
    """Give the enterprise a new QR token; the old one answers 404 from now on.

    Admins, and supervisors of the enterprise's community (a torn or copied label is their
    call), may rotate."""
    enterprise = get_or_404(Enterprise, enterprise_id, user)
    require(user, "registry.rotate_qr")
    enterprise.qr_token = new_qr_token()
    enterprise.qr_rotated_at = utcnow()
    db.session.flush()
    current_app.logger.info("registry: QR token of enterprise %s rotated by %s", enterprise.id,
                            user.username)
    return enterprise


def label_sheet(user, community_id: str | None) -> tuple[bytes, str]:
    """A4 label sheet (二维码标签) of a community's enterprises (or all in scope): PDF bytes and
    a title."""
    community = visible_community(user, community_id, field=None)
    require(user, "labels.print")
    args = {"community_id": community.id} if community else {}
    enterprises = db.session.scalars(_filtered(user, args)).unique().all()
    labels = [Label(qr_url(e.qr_token), e.name, e.credit_code, e.community.name)
              for e in enterprises]
    title = f"{community.name} 企业二维码标签" if community else "企业二维码标签"
    return label_sheet_pdf(labels, title=title), title
